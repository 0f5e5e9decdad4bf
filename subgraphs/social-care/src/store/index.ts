export { FACT_TABLES, migrate, childCount } from './schema.js';
export { socialCareQueries, type SocialCareQueries } from './queries.js';
