import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CompositionError, composeSupergraph } from './compose.js';
import { discoverSubgraphs } from './subgraphs.js';

// Build step: compose gateway/supergraph.graphql from every subgraph's schema file; fail the build on error.
const out = fileURLToPath(new URL('../../supergraph.graphql', import.meta.url));
try {
  const subgraphs = discoverSubgraphs();
  writeFileSync(out, composeSupergraph(subgraphs));
  console.log(`composed ${subgraphs.map((s) => s.name).join(', ')} into ${out}`);
} catch (error) {
  console.error(error instanceof CompositionError ? error.message : error);
  process.exit(1);
}
