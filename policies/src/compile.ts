import { createMongoAbility, subject, type MongoAbility, type RawRuleOf } from '@casl/ability';
import { DENIALS, GRANTS, OVERRIDES, type Condition } from './matrix.js';
import { entryRefusal, type PolicyUser } from './relationship.js';
import { PURPOSES, type AgencyPolicy, type DataClass, type Purpose } from './vocabulary.js';

/** What a decision is about: one field of one child, described by attributes only (never values). */
export interface FieldSubject {
  class: DataClass;
  owner: string;
  location: boolean;
  encompass: boolean;
  relationship: string;
  purposeSupported: boolean;
  /** The household's location is flagged confidential by an agency other than the user's. */
  confidentialElsewhere: boolean;
  /** An agency other than the user's that could flag the household did not answer. */
  unverifiedElsewhere: boolean;
}

export type FieldAbility = MongoAbility<['read', 'Field']>;
type Rule = RawRuleOf<FieldAbility>;

function conditionsOf(when: Condition, user: PolicyUser): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  if (when.relationship) c.relationship = { $in: [...when.relationship] };
  if (when.purposeSupported !== undefined) c.purposeSupported = when.purposeSupported;
  if (when.encompass) c.encompass = true;
  if (when.owner === 'self') c.owner = user.agency;
  return c;
}

/**
 * The CASL rules for one user and purpose, as plain objects. CASL checks the last matching rule
 * first, so the order is: explanations of denials (lowest), grants, then overrides (highest).
 */
export function compileRules(user: PolicyUser, purpose: Purpose, policies: readonly AgencyPolicy[]): Rule[] {
  // Refused before any child (the gateway refuses such a request outright; an agency asked anyway withholds everything).
  const refusal = entryRefusal(user, purpose);
  if (refusal) return [{ action: 'read', subject: 'Field', inverted: true, reason: refusal }];
  const rules: Rule[] = [];
  for (const denial of [...DENIALS].reverse()) {
    if (denial.when.purposes && !denial.when.purposes.includes(purpose)) continue;
    const conditions = conditionsOf(denial.when, user);
    if (denial.classes) conditions.class = { $in: [...denial.classes] };
    rules.push({ action: 'read', subject: 'Field', inverted: true, conditions, reason: denial.id });
  }
  for (const grant of GRANTS) {
    if (grant.roles !== 'ALL_BUT_IG' && !grant.roles.includes(user.role)) continue;
    if (grant.purposes === 'ALL_BUT_IG_AUDIT' ? purpose === 'IG_AUDIT' : !grant.purposes.includes(purpose)) continue;
    const conditions = { ...conditionsOf(grant.when, user), class: { $in: [...grant.classes] } } as Record<
      string,
      unknown
    >;
    if (grant.roleListedByOwner) {
      const owners = policies
        .filter((p) => user.role === 'LCPP' || p.sensitiveRoles.includes(user.role))
        .map((p) => p.agency);
      if (owners.length === 0) continue;
      conditions.owner = { $in: owners };
    }
    rules.push({ action: 'read', subject: 'Field', conditions, reason: grant.id });
  }
  rules.push({
    action: 'read',
    subject: 'Field',
    inverted: true,
    conditions: { class: 'RESTRICTED', owner: { $ne: user.agency } },
    reason: 'RESTRICTED_OWNER_ONLY',
  });
  rules.push({
    action: 'read',
    subject: 'Field',
    inverted: true,
    conditions: { location: true, unverifiedElsewhere: true },
    reason: 'LOCATION_FLAG_UNVERIFIED',
  });
  rules.push({
    action: 'read',
    subject: 'Field',
    inverted: true,
    conditions: { location: true, confidentialElsewhere: true },
    reason: 'CONFIDENTIAL_LOCATION',
  });
  return rules;
}

/** A decision and the rule that made it. */
export interface Decision {
  allowed: boolean;
  rule: string;
}

/** A compiled ability. Its decisions are memoised once, by the engine (per field and child attributes). */
export class CompiledPolicy {
  private readonly ability: FieldAbility;

  constructor(readonly rules: Rule[]) {
    this.ability = createMongoAbility<FieldAbility>(rules);
  }

  decide(field: FieldSubject): Decision {
    const rule = this.ability.relevantRuleFor('read', subject('Field', { ...field }) as never);
    return rule
      ? { allowed: !rule.inverted, rule: rule.reason ?? 'UNNAMED_RULE' }
      : { allowed: false, rule: 'NOT_GRANTED' };
  }
}

/** Every purpose, for tests and explanations. */
export const ALL_PURPOSES: readonly Purpose[] = PURPOSES;

/** Human-readable text of every rule id. */
export const RULE_TEXT: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(GRANTS.map((g) => [g.id, g.description])),
  ...Object.fromEntries(DENIALS.map((d) => [d.id, d.description])),
  ...OVERRIDES,
  NOT_GRANTED: 'no rule of the sharing matrix grants this class to your role for this purpose',
  IG_LEADS_ONLY: 'the disclosure log is reviewed by IG leads, with purpose of use IG_AUDIT',
  FIGURES_LCPP_AND_BOARD_ONLY: "an LA's partnership figures are for its LCPP and its safeguarding partnership board",
  FIGURES_OWN_LA_ONLY: "partnership figures are for your own LA's LCPP and board only",
  UNCLASSIFIED: 'the field has no class in policies/, so it is never disclosed',
});

/** The words of every FORBIDDEN_BY_POLICY error, in the gateway and in every subgraph alike. */
export function withheldMessage(d: { agency: string; rule: string }): string {
  return `Withheld by ${d.agency} policy (${d.rule}): ${RULE_TEXT[d.rule] ?? d.rule}.`;
}
