import { batchingSuite } from '@macpt/subgraph-kit/testkit';
import { policeSubgraph, SCHEMA_FILE } from './app.js';
import { migrate, writer as policeWriter } from './store/seed.js';

batchingSuite({
  agency: 'police',
  schemaFile: SCHEMA_FILE,
  recordField: 'police',
  childTable: 'p_person',
  migrate,
  writer: policeWriter,
  definition: policeSubgraph,
});
