import { readFileSync } from 'node:fs';
import { dataTables, fullSelection, resolveChildren, seededMemoryStore } from '@macpt/subgraph-kit/testkit';
import { describe, expect, it } from 'vitest';
import { socialCareSubgraph, SCHEMA_FILE } from './app.js';
import { socialCareWriter, migrate } from './store/index.js';

describe('social-care subgraph', () => {
  const store = seededMemoryStore(migrate, socialCareWriter);
  const definition = socialCareSubgraph(store);
  const selection = fullSelection(readFileSync(SCHEMA_FILE, 'utf8'), 'Child');
  const known = (n: number) => (store.db.prepare('SELECT nhs_number AS n FROM sc_child ORDER BY nhs_number LIMIT ?').all(n) as { n: string }[]).map((r) => r.n);

  it.each([500, 50])('resolves %i children with one SQL statement per table', async (n) => {
    const children = known(n);
    expect(children).toHaveLength(n);
    const before = store.statementsRun;
    const result = await resolveChildren(definition, children, selection);
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toHaveLength(n);
    expect(store.statementsRun - before).toBe(dataTables(store).length);
  });

  it('returns null, not an error, for a child social-care holds nothing about', async () => {
    const result = await resolveChildren(definition, ['9999999999'], 'socialCare { name }');
    expect(result).toEqual({ data: { _entities: [{ nhsNumber: '9999999999', socialCare: null }] } });
  });
});
