import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { coverageProblems, POLICIES } from '@macpt/policies';
import { CompositionError, composeSupergraph } from './compose.js';
import { discoverSubgraphs, GATEWAY_SUBGRAPHS } from './subgraphs.js';

// Build step: compose gateway/supergraph.graphql from every subgraph's schema file; fail the build on error.
const out = fileURLToPath(new URL('../../supergraph.graphql', import.meta.url));
try {
  const subgraphs = discoverSubgraphs();
  // Every published field must be classified, and no policy may name a field that is gone.
  const problems = subgraphs.flatMap((s) => {
    const policy = POLICIES.find((p) => p.agency === s.name);
    if (GATEWAY_SUBGRAPHS.includes(s.name)) return [];
    if (!policy) return [`${s.name}: no sharing policy in policies/agencies/ for this subgraph`];
    return coverageProblems(policy, readFileSync(s.schemaFile, 'utf8'));
  });
  if (problems.length > 0) {
    console.error(`Sharing policy coverage failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  const { supergraphSdl, apiSchemaSdl } = composeSupergraph(subgraphs);
  writeFileSync(out, supergraphSdl);
  writeFileSync(fileURLToPath(new URL('../../api-schema.graphql', import.meta.url)), apiSchemaSdl);
  console.log(`composed ${subgraphs.map((s) => s.name).join(', ')} into ${out}`);
} catch (error) {
  console.error(error instanceof CompositionError ? error.message : error);
  process.exit(1);
}
