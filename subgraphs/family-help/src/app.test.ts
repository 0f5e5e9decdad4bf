import { batchingSuite } from '@macpt/subgraph-kit/testkit';
import { familyHelpSubgraph, SCHEMA_FILE } from './app.js';
import { migrate, writer as familyHelpWriter } from './store/seed.js';

batchingSuite({
  agency: 'family-help',
  schemaFile: SCHEMA_FILE,
  recordField: 'familyHelp',
  childTable: 'fh_child',
  migrate,
  writer: familyHelpWriter,
  definition: familyHelpSubgraph,
});
