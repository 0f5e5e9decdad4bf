import { buildSchema, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PolicyEngine, type PolicyUser } from '@macpt/policies';
import { rewriteOperation } from './rewrite.js';

const schema = buildSchema(`
  type Query { child(nhsNumber: ID!): Child case(id: ID!): MacptCase }
  type Child { nhsNumber: ID! health: HealthRecord police: PoliceRecord }
  type HealthRecord { name: String camhs: [CamhsEpisode] confidentialSexualHealth: [SexualHealthContact] }
  type CamhsEpisode { id: ID concern: String }
  type SexualHealthContact { id: ID }
  type PoliceRecord { name: String restrictedIntelligence: [Intelligence] }
  type Intelligence { id: ID }
  type MacptCase { id: ID! child: Child stage: String }
`);
const engine = new PolicyEngine();
const nurse: PolicyUser = { id: 'health-leicester-1', role: 'MACPT_HEALTH', agency: 'health', la: 'LEICESTER' };
const officer: PolicyUser = { id: 'police-leicester-1', role: 'MACPT_POLICE', agency: 'police', la: 'LEICESTER' };
const rewrite = (query: string, user: PolicyUser) =>
  rewriteOperation(
    schema,
    parse(query),
    (c) => !c.startsWith('Query.') && engine.neverVisible(user, 'SECTION_47_ENQUIRY', c),
    engine.childLinks(),
  );

describe('removal before planning', () => {
  it('drops fields the role can never see and keeps the rest, through aliases, fragments and @include', () => {
    const query = `query($x: Boolean!) { child(nhsNumber: "1") {
      police { name secret: restrictedIntelligence { id } ...P }
      health { ... on HealthRecord { confidentialSexualHealth { id } camhs @include(if: $x) { concern } } }
    } } fragment P on PoliceRecord { restrictedIntelligence { id } }`;
    const asNurse = rewrite(query, nurse);
    const text = print(asNurse.document);
    expect(text).not.toContain('restrictedIntelligence');
    expect(text).toContain('confidentialSexualHealth'); // health's own RESTRICTED: the nurse's agency
    expect(text).toContain('camhs @include(if: $x)');
    expect(asNurse.removed).toEqual(['PoliceRecord.restrictedIntelligence']);
    const asOfficer = rewrite(query, officer);
    expect(print(asOfficer.document)).toContain('restrictedIntelligence');
    expect(asOfficer.removed.sort()).toEqual(['HealthRecord.camhs', 'HealthRecord.confidentialSexualHealth']); // camhs: health lists only its own role for SENSITIVE
  });

  it('caches plans under the rewritten text: two personas never share one', () => {
    const query = `{ child(nhsNumber: "1") { police { restrictedIntelligence { id } } health { confidentialSexualHealth { id } } } }`;
    expect(rewrite(query, nurse).queryHash).not.toBe(rewrite(query, officer).queryHash);
    expect(rewrite(query, nurse).queryHash).toBe(rewrite(query, nurse).queryHash);
  });

  it("adds the hidden selections that name each object's child, and flags the reserved alias", () => {
    const rewritten = rewrite(`{ case(id: "C") { stage } child(nhsNumber: "1") { health { name } } }`, nurse);
    const text = print(rewritten.document);
    expect(text).toContain('_macptChild: child {\n      nhsNumber');
    expect(text).toContain('_macptNhs: nhsNumber');
    expect(rewritten.usesReservedAlias).toBe(false);
    expect(rewrite(`{ child(nhsNumber: "1") { _macptNhs: nhsNumber } }`, nurse).usesReservedAlias).toBe(true);
  });

  it('leaves an emptied selection valid', () => {
    const rewritten = rewrite(`{ child(nhsNumber: "1") { police { restrictedIntelligence { id } } } }`, nurse);
    expect(print(rewritten.document)).toMatch(/police \{\s+__typename\s+\}/);
  });
});
