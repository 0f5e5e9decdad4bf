import { runSubgraphMain } from '@macpt/subgraph-kit';
import { socialCareSubgraph } from './app.js';
import { migrate, socialCareWriter } from './store/index.js';

await runSubgraphMain({ packageJson: new URL('../package.json', import.meta.url), migrate, writer: socialCareWriter, definition: socialCareSubgraph });
