export { FACT_TABLES, migrate } from './schema.js';
export { healthQueries, type HealthQueries } from './queries.js';
