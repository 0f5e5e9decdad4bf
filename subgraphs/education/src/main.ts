import { runSubgraphMain } from '@macpt/subgraph-kit';
import { educationSubgraph } from './app.js';
import { educationWriter, migrate } from './store/index.js';

await runSubgraphMain({ packageJson: new URL('../package.json', import.meta.url), migrate, writer: educationWriter, definition: educationSubgraph });
