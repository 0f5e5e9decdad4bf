export { SqlStore, groupByKey, oneByKey } from './store.js';
export { createSubgraphServer, startSubgraph, type SubgraphContext, type SubgraphDefinition } from './subgraph.js';
export { openAgencyStore, runSubgraphMain, seedStore, subgraphConfig, type SubgraphEntry } from './subgraph-main.js';
