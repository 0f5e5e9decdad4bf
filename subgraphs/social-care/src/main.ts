import { runSubgraphMain } from '@macpt/subgraph-kit';
import { socialCareSubgraph } from './app.js';
import { migrate, socialCareWriter } from './store/index.js';

await runSubgraphMain({ agency: 'social-care', defaultPort: 4001, migrate, writer: socialCareWriter, definition: socialCareSubgraph });
