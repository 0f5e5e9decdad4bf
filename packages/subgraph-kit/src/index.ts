export { SqlStore, groupByKey, oneByKey } from './store.js';
export {
  createSubgraphServer,
  policyEngine,
  startSubgraph,
  subgraphContext,
  type SubgraphContext,
  type SubgraphDefinition,
} from './subgraph.js';
export { guardSchema, type GuardContext } from './guard.js';
export { openAgencyStore, runSubgraphMain, subgraphConfig, type SubgraphEntry } from './subgraph-main.js';
export { listLoader, rowLoader, sinceDate } from './loaders.js';
export {
  markDelivered,
  migrateOutbox,
  pendingEvents,
  recordWithEvent,
  type AgencyEvent,
  type OutboxEvent,
} from './outbox.js';
export { startRelay } from './relay.js';
export { DecisionBook, migrateDecisions } from './decisions.js';
export { answerChanges, FactChanges, installFactChanges, type FactTables } from './fact-changes.js';
export { EVERY_CHILD } from '@macpt/contract';
