import { runSubgraphMain } from '@macpt/subgraph-kit';
import { familyHelpSubgraph } from './app.js';
import { FACT_TABLES, migrate } from './store/index.js';

await runSubgraphMain({
  packageJson: new URL('../package.json', import.meta.url),
  migrate,
  factTables: FACT_TABLES,
  definition: familyHelpSubgraph,
});
