import { cpSync, mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, CompositionError } from './compose.js';
import { discoverSubgraphs } from './subgraphs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A copy of the schema files (and subgraph manifests) that a test may break. */
function copyOfSchemas(): string {
  const dir = mkdtempSync(join(tmpdir(), 'macpt-compose-'));
  for (const s of discoverSubgraphs(ROOT)) {
    const rel = s.schemaFile.slice(ROOT.length);
    cpSync(s.schemaFile, join(dir, rel));
    if (rel.startsWith('subgraphs/'))
      cpSync(join(ROOT, rel, '..', 'package.json'), join(dir, rel, '..', 'package.json'));
  }
  return dir;
}

describe('supergraph composition', () => {
  it('composes the audit API, the notifications inbox, decisions not to share, the partnership figures, the chronology, the directory and the five agencies, with Child keyed by NHS number', () => {
    const subgraphs = discoverSubgraphs(ROOT);
    expect(subgraphs.map((s) => s.name)).toEqual([
      'audit',
      'notifications',
      'sharing',
      'figures',
      'chronology',
      'directory',
      'education',
      'family-help',
      'health',
      'police',
      'social-care',
    ]);
    const { supergraphSdl, apiSchemaSdl } = composeSupergraph(subgraphs);
    expect(supergraphSdl).toMatch(/type Child\s[^{]*@join__type\(graph: HEALTH, key: "nhsNumber"\)/);
    // The API schema clients see: no federation machinery.
    expect(apiSchemaSdl).toMatch(/type Child \{/);
    expect(apiSchemaSdl).not.toMatch(/join__|_entities/);
  });

  it("fails with composition's own message when one agency's schema conflicts with another's", () => {
    const dir = copyOfSchemas();
    // Police now claims a field social care owns, without @shareable: composition must refuse it.
    appendFileSync(join(dir, 'subgraphs/police/schema.graphql'), '\ntype SocialCareRecord {\n  name: String\n}\n');
    let error: unknown;
    try {
      composeSupergraph(discoverSubgraphs(dir));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CompositionError);
    expect((error as CompositionError).message).toMatch(
      /Non-shareable field "SocialCareRecord.name" is resolved from multiple subgraphs/,
    );
  });
});
