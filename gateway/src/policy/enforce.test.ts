import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { forbidden, PolicyEngine, type ChildAttributes, type PolicyUser } from '@macpt/policies';
import { enforce } from './enforce.js';
import { CHILD_KEY_ALIAS } from './rewrite.js';

const schema = buildSchema(`
  type Query { children(nhsNumbers: [ID!]!): [Child] }
  type Child { nhsNumber: ID! health: HealthRecord }
  type HealthRecord { name: String aeAttendances: [AeAttendance] }
  type AeAttendance { id: ID injuryCode: String }
`);
const engine = new PolicyEngine();
const officer: PolicyUser = { id: 'police-leicester-1', role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER' };
const named: ChildAttributes = {
  relationship: 'NAMED',
  purposeSupported: true,
  confidentialBy: [],
  locationUnverifiedBy: [],
};
const team: ChildAttributes = { ...named, relationship: 'TEAM' };
const attributes = new Map([
  ['9990000018', named],
  ['9990000026', team],
]);
const query = `{ children(nhsNumbers: ["9990000018", "9990000026"]) { nhsNumber health { name a: aeAttendances { injuryCode } } } }`;
const run = (data: Record<string, unknown>) =>
  enforce(
    {
      schema,
      document: parse(query),
      operationName: undefined,
      variables: {},
      childLinks: {},
      decide: (coordinate, child) =>
        coordinate.startsWith('Query.') || coordinate === 'Child.nhsNumber'
          ? 'exempt'
          : engine.decide(
              officer,
              'SECTION_47_ENQUIRY',
              coordinate,
              attributes.get(child ?? '') ?? { ...named, relationship: 'NONE' },
            ),
      withheldError: forbidden,
    },
    data,
    [],
  );
// What the agencies answered, hidden selections included (an agency that wrongly released B's A&E record).
const answered = () => ({
  children: [
    { nhsNumber: '9990000018', [CHILD_KEY_ALIAS]: '9990000018', health: { name: 'Ada', a: [{ injuryCode: 'BURN' }] } },
    {
      nhsNumber: '9990000026',
      [CHILD_KEY_ALIAS]: '9990000026',
      health: { name: 'Ben', a: [{ injuryCode: 'FRACTURE' }] },
    },
  ],
});

describe('the final check', () => {
  it('decides every field per child: a named worker sees A&E, the same user in the team of the other child does not', () => {
    const checked = run(answered());
    expect(checked.data).toEqual({
      children: [
        { nhsNumber: '9990000018', health: { name: 'Ada', a: [{ injuryCode: 'BURN' }] } },
        { nhsNumber: '9990000026', health: { name: 'Ben', a: null } },
      ],
    });
    expect(checked.added.map((e) => [e.path, e.extensions.rule, e.extensions.agency])).toEqual([
      [['children', 1, 'health', 'a'], 'SAFEGUARDING_NAMED_WORKERS_ONLY', 'health'],
    ]);
  });

  it('summarises what each child disclosed and withheld, and notes a field an agency should not have released', () => {
    const { summary } = run(answered());
    expect(summary.disclosed.get('9990000018')?.get('health')).toEqual(
      new Set(['Child.health', 'HealthRecord.name', 'HealthRecord.aeAttendances', 'AeAttendance.injuryCode']),
    );
    expect([...summary.withheld.get('9990000026')!.entries()]).toEqual([
      [
        'HealthRecord.aeAttendances',
        { agency: 'health', rule: 'SAFEGUARDING_NAMED_WORKERS_ONLY', class: 'SAFEGUARDING' },
      ],
    ]);
    expect(summary.caught).toEqual([
      { coordinate: 'HealthRecord.aeAttendances', path: ['children', 1, 'health', 'a'] },
    ]);
  });

  it('withholds alike whether or not the field held data, and strips the hidden selections', () => {
    const data = answered();
    (data.children[1]!.health as { a: unknown }).a = null;
    const checked = run(data);
    expect(checked.added).toHaveLength(1);
    expect(checked.summary.caught).toEqual([]);
    expect(JSON.stringify(checked.data)).not.toContain('_macpt');
  });
});
