import { batchingSuite } from '@macpt/subgraph-kit/testkit';
import { socialCareSubgraph, SCHEMA_FILE } from './app.js';
import { migrate, writer as socialCareWriter } from './store/seed.js';

batchingSuite({
  agency: 'social-care',
  schemaFile: SCHEMA_FILE,
  recordField: 'socialCare',
  childTable: 'sc_child',
  migrate,
  writer: socialCareWriter,
  definition: socialCareSubgraph,
});
