export { FACT_TABLES, migrate } from './schema.js';
export { policeQueries, type PoliceQueries } from './queries.js';
