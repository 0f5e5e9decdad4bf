import { runSubgraphMain } from '@macpt/subgraph-kit';
import { healthSubgraph } from './app.js';
import { healthWriter, migrate } from './store/index.js';

await runSubgraphMain({ packageJson: new URL('../package.json', import.meta.url), migrate, writer: healthWriter, definition: healthSubgraph });
