import { runSubgraphMain } from '@macpt/subgraph-kit';
import { familyHelpSubgraph } from './app.js';
import { migrate } from './store/index.js';

await runSubgraphMain({
  packageJson: new URL('../package.json', import.meta.url),
  migrate,
  definition: familyHelpSubgraph,
});
