import { batchingSuite } from '@macpt/subgraph-kit/testkit';
import { socialCareSubgraph, SCHEMA_FILE } from './app.js';
import { socialCareWriter, migrate } from './store/index.js';

batchingSuite({ agency: 'social-care', schemaFile: SCHEMA_FILE, recordField: 'socialCare', childTable: 'sc_child', migrate, writer: socialCareWriter, definition: socialCareSubgraph });
