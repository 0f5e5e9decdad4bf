import type { AgencyFacts, FactsRequest, FactsResponse } from '@macpt/contract';
import { Random } from '@macpt/synthetic';
import { describe, expect, it } from 'vitest';
import { createFactsBatcher, type ChildFacts } from './child-facts.js';
import type { FactsClient } from './facts-client.js';

// The batcher and the merge, against agencies answered from an in-memory world: what one child's facts
// say may depend on that child's own answers only, never on who else was asked in the same batch.

const OWNERS = { cases: 'social-care', rolls: 'education', flags: ['social-care', 'health', 'police'] };

/** One agency's records: per child, what it answers; per household, whether it flagged it. */
interface AgencyWorld {
  children: Map<string, Omit<AgencyFacts, 'nhsNumber'>>;
  flagged: Set<string>;
  down?: boolean;
}

function clientOver(world: Record<string, AgencyWorld>): FactsClient & { calls: FactsRequest[] } {
  const calls: FactsRequest[] = [];
  return {
    calls,
    agencies: Object.keys(world),
    longestTimeoutMs: 1_000,
    async fetch(agency: string, asked: FactsRequest): Promise<FactsResponse> {
      calls.push(asked);
      const w = world[agency]!;
      if (w.down) throw new Error('timed out');
      return {
        agency,
        facts: asked.nhsNumbers.map((nhsNumber) => ({
          nhsNumber,
          ...(w.children.get(nhsNumber) ?? {
            known: false,
            uprn: null,
            confidentialLocation: false,
            // What each owner says of a child it does not know: no case, no school.
            ...(agency === OWNERS.cases ? { openCase: null } : {}),
            ...(agency === OWNERS.rolls ? { schoolUrn: null } : {}),
          }),
        })),
        flaggedUprns: (asked.uprns ?? []).filter((u) => w.flagged.has(u)),
      };
    },
  } as unknown as FactsClient & { calls: FactsRequest[] };
}

const batcherOver = (client: FactsClient) =>
  createFactsBatcher(
    client,
    async () => ({}),
    () => OWNERS,
  );

async function factsOf(world: Record<string, AgencyWorld>, asked: string[]): Promise<Map<string, ChildFacts>> {
  const batcher = batcherOver(clientOver(world));
  const got = await Promise.all(asked.map((nhsNumber) => batcher.load({ nhsNumber, requestId: 'r' })));
  return new Map(got.map((f) => [f.nhsNumber, f]));
}

const empty = (): AgencyWorld => ({ children: new Map(), flagged: new Set() });

describe("a child's facts", () => {
  it("carry the household's flag to a sibling the flagging agency never met, asked alone or with the sibling it knows", async () => {
    // Social care placed A (adopted) at U1 and flagged it; health has A and B at U1; social care never met B.
    const world = {
      'social-care': empty(),
      health: empty(),
      police: empty(),
      education: empty(),
    };
    world['social-care'].children.set('A', { known: true, uprn: 'U1', confidentialLocation: true, openCase: null });
    world['social-care'].flagged.add('U1');
    world.health.children.set('A', { known: true, uprn: 'U1', confidentialLocation: false });
    world.health.children.set('B', { known: true, uprn: 'U1', confidentialLocation: false });
    world.education.children.set('B', { known: true, uprn: 'U1', confidentialLocation: false, schoolUrn: null });

    const alone = (await factsOf(world, ['B'])).get('B')!;
    const together = (await factsOf(world, ['A', 'B'])).get('B')!;
    expect(alone.confidentialBy).toEqual(['social-care']);
    expect(together.confidentialBy).toEqual(['social-care']);
    expect(together).toEqual(alone);
  });

  it('are the same asked in any batch, for random worlds (the households of other children decide nothing)', async () => {
    const rnd = new Random(20261205, 7);
    for (let round = 0; round < 60; round++) {
      const world: Record<string, AgencyWorld> = {
        'social-care': empty(),
        health: empty(),
        police: empty(),
        education: empty(),
      };
      const children = Array.from({ length: 6 }, (_, i) => `C${i}`);
      const uprns = ['U1', 'U2', 'U3'];
      for (const [agency, w] of Object.entries(world)) {
        for (const u of uprns) if (rnd.chance(0.3)) w.flagged.add(u);
        for (const c of children) {
          if (!rnd.chance(0.6)) continue;
          const uprn = rnd.chance(0.8) ? rnd.pick(uprns) : null;
          w.children.set(c, {
            known: true,
            uprn,
            confidentialLocation: uprn !== null && w.flagged.has(uprn) && agency !== 'education',
            ...(agency === 'social-care'
              ? {
                  openCase: rnd.chance(0.5)
                    ? { id: `K-${c}`, la: 'LEICESTER', stage: 'SECTION_47', namedWorkers: ['sw-1'] }
                    : null,
                }
              : {}),
            ...(agency === 'education' ? { schoolUrn: rnd.chance(0.7) ? '930005' : null } : {}),
          });
        }
        w.down = rnd.chance(0.1);
      }
      const batch = await factsOf(world, children);
      for (const c of children)
        expect(batch.get(c), `round ${round}, child ${c}`).toEqual((await factsOf(world, [c])).get(c));
    }
  });

  it('take the case only from the agency that runs cases and the school only from the one that holds rolls', async () => {
    const world = { 'social-care': empty(), health: empty(), police: empty(), education: empty() };
    world['social-care'].children.set('A', { known: true, uprn: null, confidentialLocation: false, openCase: null });
    world.education.children.set('A', { known: true, uprn: null, confidentialLocation: false, schoolUrn: '930005' });
    // Police claims an open case naming an officer, and a school: neither is police's to say.
    world.police.children.set('A', {
      known: true,
      uprn: null,
      confidentialLocation: false,
      openCase: { id: 'K-X', la: 'LEICESTER', stage: 'CP_PLAN', namedWorkers: ['police-leicester-1'] },
      schoolUrn: '999999',
    });
    const a = (await factsOf(world, ['A'])).get('A')!;
    expect(a.openCase).toBeNull();
    expect(a.schoolUrn).toBe('930005');
  });

  it('count a garbled or missing fact as the most restrictive answer', async () => {
    const world = { 'social-care': empty(), health: empty(), police: empty(), education: empty() };
    // Social care answers without the open case; health without its flag; education with a number for a school.
    world['social-care'].children.set('A', { known: true, uprn: 'U1', confidentialLocation: false });
    world.health.children.set('A', { known: true, uprn: 'U1' } as Omit<AgencyFacts, 'nhsNumber'>);
    world.education.children.set('A', {
      known: true,
      uprn: null,
      confidentialLocation: false,
      schoolUrn: 930005 as unknown as string,
    });
    world.police.children.set('A', {
      known: true,
      uprn: null,
      confidentialLocation: false,
      decisions: [{ id: 'D1' } as never],
    });
    const a = (await factsOf(world, ['A'])).get('A')!;
    expect(a.unavailable.sort()).toEqual(['education', 'police', 'social-care']);
    expect(a.openCase).toBeNull();
    expect(a.schoolUrn).toBeNull();
    expect(a.locationUnverifiedBy.sort()).toEqual(['health', 'police', 'social-care']);
    expect(a.unavailableWhy['social-care']).toMatch(/open case/);
  });

  it('leave a child unverified by a flagging agency that is not served at all', async () => {
    // Police flags households in its policy, but no police subgraph is served: nothing rules its flag out.
    const world = { 'social-care': empty(), health: empty(), education: empty() };
    for (const w of Object.values(world)) w.children.set('A', { known: true, uprn: null, confidentialLocation: false });
    world['social-care'].children.set('A', { known: true, uprn: null, confidentialLocation: false, openCase: null });
    world.education.children.set('A', { known: true, uprn: null, confidentialLocation: false, schoolUrn: null });
    const a = (await factsOf(world, ['A'])).get('A')!;
    expect(a.unavailable).toEqual([]);
    expect(a.locationUnverifiedBy).toEqual(['police']);
    expect(a.confidentialBy).toEqual([]);
  });
});
