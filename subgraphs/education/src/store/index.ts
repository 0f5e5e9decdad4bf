export { migrate } from './schema.js';
export { educationQueries, type EducationQueries } from './queries.js';
