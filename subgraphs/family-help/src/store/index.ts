export { FACT_TABLES, migrate } from './schema.js';
export { familyHelpQueries, type FamilyHelpQueries } from './queries.js';
