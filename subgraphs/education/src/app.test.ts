import { batchingSuite } from '@macpt/subgraph-kit/testkit';
import { educationSubgraph, SCHEMA_FILE } from './app.js';
import { educationWriter, migrate } from './store/index.js';

batchingSuite({ agency: 'education', schemaFile: SCHEMA_FILE, recordField: 'education', childTable: 'e_pupil', migrate, writer: educationWriter, definition: educationSubgraph });
