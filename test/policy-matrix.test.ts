import { POLICIES } from '@macpt/policies';
import type { Child, Persona } from '@macpt/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceAllows, type RefRelationship } from './reference-policy.js';
import {
  children,
  gql,
  headers,
  householdOf,
  JUSTIFICATION,
  PURPOSES,
  startTestStack,
  type GraphQLResult,
} from './testkit.js';
import { truthNotShared, truthPurposeSupported, truthRelationship } from './truth.js';

// Table-driven over DESIGN §4: personas × purposes × children whose relationships with them are named,
// team, none, DSL on roll and DSL not on roll; every field of a query touching each class of each
// agency is checked against the independent reference evaluator: seen where it allows, withheld
// (null plus FORBIDDEN_BY_POLICY at its path) where it does not.

interface Node {
  key: string;
  children?: Node[];
}
const n = (key: string, ...kids: Node[]): Node => (kids.length ? { key, children: kids } : { key });

/** The query, as a tree of response keys (the type of each is read from the field names below). */
const TREE: Node = n(
  'child',
  n(
    'socialCare',
    n('name'),
    n('lookedAfter'),
    n('placementAddress'),
    n('caseNotes', n('id')),
    n('adoptionDetails'),
    n('currentCase', n('id'), n('stage')),
  ),
  n(
    'health',
    n('name'),
    n('address'),
    n('aeAttendances', n('id')),
    n('camhs', n('id')),
    n('confidentialSexualHealth', n('id')),
  ),
  n(
    'police',
    n('name'),
    n('incidents', n('id'), n('location')),
    n('intelligence', n('id')),
    n('restrictedIntelligence', n('id')),
    n('householdOffending', n('id')),
  ),
  n('operationEncompass', n('id')),
  n('education', n('name'), n('homeAddress'), n('attendance', n('rate')), n('senDetail'), n('pastoralNotes')),
);
const TYPE_OF: Record<string, string> = {
  child: 'Child',
  socialCare: 'SocialCareRecord',
  health: 'HealthRecord',
  police: 'PoliceRecord',
  education: 'EducationRecord',
  caseNotes: 'CaseNote',
  currentCase: 'MacptCase',
  aeAttendances: 'AeAttendance',
  camhs: 'CamhsEpisode',
  confidentialSexualHealth: 'SexualHealthContact',
  incidents: 'PoliceIncident',
  intelligence: 'Intelligence',
  restrictedIntelligence: 'Intelligence',
  householdOffending: 'AdultOffence',
  operationEncompass: 'EncompassNotification',
  attendance: 'Attendance',
};
const print = (node: Node): string =>
  node.children ? `${node.key} { ${node.children.map(print).join(' ')} }` : node.key;
const QUERY = `query Full($n: ID!) { ${print({ key: 'child(nhsNumber: $n)', children: TREE.children! })} }`;

const MACPT = ['LCPP', 'SOCIAL_WORKER', 'MACPT_POLICE', 'MACPT_HEALTH', 'MACPT_EDUCATION'];
const FIELD = new Map(
  POLICIES.flatMap((p) =>
    Object.entries(p.fields).map(([coordinate, rule]) => [coordinate, { ...rule, owner: p.agency }] as const),
  ),
);

type Cell = {
  persona: Pick<Persona, 'id' | 'role' | 'agency' | 'la' | 'school'>;
  purpose: string;
  child: Child;
  relationship: RefRelationship;
};

/** Compares one response with the reference, returning every disagreement as a readable line. */
function disagreements(cell: Cell, result: GraphQLResult): string[] {
  const out: string[] = [];
  const forbiddenAt = new Set(
    (result.errors ?? [])
      .filter((e) => e.extensions?.code === 'FORBIDDEN_BY_POLICY')
      .map((e) => JSON.stringify(e.path)),
  );
  const household = householdOf(cell.child);
  const childAttrs = {
    relationship: cell.relationship,
    purposeSupported: truthPurposeSupported(cell.purpose, cell.child),
    confidentialBy: household.confidentialBy ? [household.confidentialBy] : [],
    notShared: truthNotShared(cell.child),
  };
  const user = { role: cell.persona.role, agency: cell.persona.agency };
  const label = `${cell.persona.id}/${cell.purpose}/${cell.relationship}`;

  // Break-glass is for MACPT members: anyone else is refused outright (403), before anything is asked.
  if (cell.purpose === 'EMERGENCY' && !MACPT.includes(user.role)) {
    if (result.status !== 403 || result.errors?.[0]?.extensions?.code !== 'BREAK_GLASS_NOT_PERMITTED' || result.data)
      out.push(`${label}: break-glass should be refused, got HTTP ${result.status}`);
    return out;
  }
  const rootAllowed =
    user.role !== 'IG_LEAD' &&
    cell.purpose !== 'IG_AUDIT' &&
    // DESIGN §10: a lead practitioner states FAMILY_HELP_SUPPORT, and no one else does.
    (user.role === 'FAMILY_HELP_PRACTITIONER') === (cell.purpose === 'FAMILY_HELP_SUPPORT') &&
    (cell.relationship !== 'NONE' || cell.purpose === 'EMERGENCY');
  const root = result.data?.child;
  if (!rootAllowed) {
    if (root !== null || !forbiddenAt.has(JSON.stringify(['child']))) out.push(`${label}: child should be withheld`);
    return out;
  }
  if (!root) return [`${label}: child missing: ${JSON.stringify(result.errors)}`];

  const walk = (node: Node, value: Record<string, unknown>, path: (string | number)[]) => {
    const type = TYPE_OF[node.key]!;
    for (const kid of node.children ?? []) {
      const coordinate = `${type}.${kid.key}`;
      const rule = FIELD.get(coordinate)!;
      const allowed = referenceAllows(
        user,
        cell.purpose,
        { class: rule.class, owner: rule.owner, location: rule.location, encompass: rule.encompass },
        childAttrs,
        coordinate,
      );
      const kidPath = [...path, kid.key];
      const withheld = forbiddenAt.has(JSON.stringify(kidPath));
      const v = value[kid.key];
      if (!allowed && !(withheld && v === null))
        out.push(`${label}: ${coordinate} should be withheld, got ${JSON.stringify(v)?.slice(0, 60)}`);
      if (allowed && withheld) out.push(`${label}: ${coordinate} should be seen, was withheld`);
      if (!allowed || v === null || v === undefined || !kid.children) continue;
      if (Array.isArray(v)) v.forEach((item, i) => walk(kid, item as Record<string, unknown>, [...kidPath, i]));
      else walk(kid, v as Record<string, unknown>, kidPath);
    }
  };
  walk(TREE, root as Record<string, unknown>, ['child']);
  return out;
}

let stack: Awaited<ReturnType<typeof startTestStack>>;
const cells: Cell[] = [];

// Leicester children at different stages, one whose household's address police flagged confidential, one with no case.
const inLeicester = (c: Child) => householdOf(c).la === 'LEICESTER';
const sample: Child[] = [
  children.find(
    (c) =>
      inLeicester(c) &&
      c.socialCare?.stage === 'SECTION_47' &&
      c.police &&
      c.education?.schoolUrn &&
      c.health.camhs.length > 0,
  ) ??
    children.find((c) => inLeicester(c) && c.socialCare?.stage === 'SECTION_47' && c.police && c.education?.schoolUrn)!,
  children.find((c) => inLeicester(c) && c.socialCare?.stage === 'CP_PLAN' && c.education?.schoolUrn)!,
  children.find((c) => inLeicester(c) && c.socialCare?.stage === 'REFERRAL')!,
  children.find((c) => inLeicester(c) && c.socialCare?.caseId && householdOf(c).confidentialBy === 'police') ??
    children.find((c) => c.socialCare?.caseId && householdOf(c).confidentialBy)!,
  children.find((c) => inLeicester(c) && !c.socialCare && c.education?.schoolUrn)!,
  // A family Family Help leads under an active plan, with no MACPT case.
  children.find((c) => inLeicester(c) && !c.socialCare?.caseId && c.familyHelp?.plan.status === 'ACTIVE' && c.police)!,
];

beforeAll(async () => {
  stack = await startTestStack();
  const leicester: Cell['persona'][] = stack.personas.filter((p) => p.la === 'LEICESTER' && p.role !== 'SCHOOL_DSL');
  // A DSL of the first sample child's school (on roll) and of another school (not on roll).
  const dslOnRoll = {
    id: 'dsl-on-roll',
    role: 'SCHOOL_DSL' as const,
    agency: 'education' as const,
    la: 'LEICESTER' as const,
    school: sample[0]!.education!.schoolUrn!,
  };
  const dslElsewhere = {
    ...dslOnRoll,
    id: 'dsl-elsewhere',
    school: sample[0]!.education!.schoolUrn === '910001' ? '910002' : '910001',
  };
  const everyone = [...leicester, dslOnRoll, dslElsewhere, stack.personas.find((p) => p.id === 'ig-health')!];
  for (const persona of everyone)
    for (const child of sample)
      for (const purpose of PURPOSES)
        cells.push({ persona, purpose, child, relationship: truthRelationship(persona, child, householdOf(child)) });
});
afterAll(async () => {
  await stack?.stopAll();
});

describe('the sharing matrix, cell by cell, against the running system', () => {
  it('covers named, team, none, DSL on roll and not, lead practitioner and not, for every purpose', () => {
    const prefix = (role: string) =>
      role === 'SCHOOL_DSL' ? 'DSL ' : role === 'FAMILY_HELP_PRACTITIONER' ? 'FH ' : '';
    const kinds = new Set(cells.map((c) => `${prefix(c.persona.role)}${c.relationship}`));
    expect([...kinds].sort()).toEqual([
      'DSL DSL_ON_ROLL',
      'DSL NONE',
      'FH LEAD_PRACTITIONER',
      'FH NONE',
      'NAMED',
      'NONE',
      'TEAM',
    ]);
  });

  it('shows exactly the fields DESIGN §4 allows and withholds the rest, in every cell', async () => {
    const tokens = new Map<string, string>();
    const wrong: string[] = [];
    for (const cell of cells) {
      const p = cell.persona;
      if (!tokens.has(p.id)) {
        const template = stack.personas.find((x) => x.id === p.id)
          ? p.id
          : stack.personas.find((x) => x.role === 'SCHOOL_DSL')!.id;
        tokens.set(
          p.id,
          await stack.tokenFor(template, {
            claims: { sub: p.id, role: p.role, agency: p.agency, la: p.la, school: p.school ?? null },
          }),
        );
      }
      const result = await gql(
        stack.gatewayUrl,
        QUERY,
        { n: cell.child.nhsNumber },
        headers(tokens.get(p.id)!, cell.purpose, cell.purpose === 'EMERGENCY' ? JUSTIFICATION : undefined),
      );
      wrong.push(...disagreements(cell, result));
    }
    expect(wrong).toEqual([]);
  });
});
