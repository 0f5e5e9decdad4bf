import { runSubgraphMain } from '@macpt/subgraph-kit';
import { policeSubgraph } from './app.js';
import { migrate, policeWriter } from './store/index.js';

await runSubgraphMain({ packageJson: new URL('../package.json', import.meta.url), migrate, writer: policeWriter, definition: policeSubgraph });
