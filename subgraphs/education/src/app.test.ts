import { batchingSuite } from '@macpt/subgraph-kit/testkit';
import { educationSubgraph, SCHEMA_FILE } from './app.js';
import { migrate, writer as educationWriter } from './store/seed.js';

batchingSuite({
  agency: 'education',
  schemaFile: SCHEMA_FILE,
  recordField: 'education',
  childTable: 'e_pupil',
  migrate,
  writer: educationWriter,
  definition: educationSubgraph,
});
