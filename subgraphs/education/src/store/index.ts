export { FACT_TABLES, migrate } from './schema.js';
export { educationQueries, type EducationQueries } from './queries.js';
