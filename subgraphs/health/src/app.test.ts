import { batchingSuite } from '@macpt/subgraph-kit/testkit';
import { healthSubgraph, SCHEMA_FILE } from './app.js';
import { migrate, writer as healthWriter } from './store/seed.js';

batchingSuite({
  agency: 'health',
  schemaFile: SCHEMA_FILE,
  recordField: 'health',
  childTable: 'h_patient',
  migrate,
  writer: healthWriter,
  definition: healthSubgraph,
});
