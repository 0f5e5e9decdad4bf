import { CompiledPolicy, compileRules, type Decision } from './compile.js';
import { fileURLToPath } from 'node:url';
import { AGENCIES, loadAgencyPolicy } from './policy-file.js';
import { LOCATION_FIELDS, ruleApplies, type NotificationRule } from './notification-rules.js';
import { decisionView, entryRefusal, type ChildAttributes, type PolicyUser } from './relationship.js';
import {
  CLASSES,
  NOTIFICATION_PURPOSE,
  type AgencyPolicy,
  type ChronologySource,
  type DataClass,
  type FieldRule,
  type NotSharedScope,
  type Purpose,
  RELATIONSHIPS,
  type Relationship,
} from './vocabulary.js';

/** Where the agencies' policy files are: `policies/agencies/<agency>.yaml`. */
export const policyFileOf = (agency: string) => fileURLToPath(new URL(`../agencies/${agency}.yaml`, import.meta.url));

/** The four agencies' policies as shipped, read from their policy files. */
export const POLICIES: readonly AgencyPolicy[] = AGENCIES.map((agency) => loadAgencyPolicy(policyFileOf(agency)));

/** The key every agency publishes on `Child`: identity, owned by no single agency. */
const SHARED_KEY = 'Child.nhsNumber';

/** Memo keys for the common case (no confidential location), so no string is built per field. */
const PLAIN_SUPPORTED = Object.fromEntries(RELATIONSHIPS.map((r) => [r, `${r}|1|`])) as Record<Relationship, string>;
const PLAIN_UNSUPPORTED = Object.fromEntries(RELATIONSHIPS.map((r) => [r, `${r}|0|`])) as Record<Relationship, string>;

/** Whether a standing decision not to share covers this field of `agency` (by name or by its class). */
function covered(scopes: readonly NotSharedScope[], agency: string, coordinate: string, cls: DataClass): boolean {
  return scopes.some((s) => s.agency === agency && (s.fields.includes(coordinate) || s.classes.includes(cls)));
}

/** The agencies that own the facts decisions rest on (null where no agency in force owns that kind). */
export interface FactOwners {
  cases: string | null;
  rolls: string | null;
  /** The agency whose families, plans and lead practitioners a lead practitioner's relationship comes from. */
  families: string | null;
  flags: readonly string[];
}

/**
 * A field a decision not to share covers, that the user could otherwise see: withheld, naming the decision
 * only to those who are told decisions exist (a DSL is not), so the rule's name reveals nothing more. A
 * field the user could not see anyway names the rule that withholds it, never the decision.
 */
function notShared(user: PolicyUser, purpose: Purpose, relationship: Relationship): Decision {
  const told = decisionView(user, purpose, { relationship, ownAgency: false }) !== null;
  return { allowed: false, rule: told ? 'DECISION_NOT_TO_SHARE' : 'WITHHELD_BY_HOLDING_AGENCY' };
}

/** A decision about one field, with what it was about. */
export interface FieldDecision extends Decision {
  coordinate: string;
  agency: string;
  class: DataClass | 'UNCLASSIFIED';
}

/**
 * One child's field decisions for one user and purpose ({@link PolicyEngine.mask}): each field decided at
 * most once. Children of the same shape share one mask, so whatever a caller derives from its decisions (an
 * agency's projection of a record type) is built once per shape and reused for every child of it.
 */
export class FieldMask {
  private readonly made = new Map<string, FieldDecision>();
  /** What callers derive from these decisions, kept with them: dropped with the policies they came from. */
  readonly derived = new Map<unknown, unknown>();

  constructor(
    private readonly engine: PolicyEngine,
    private readonly user: PolicyUser,
    private readonly purpose: Purpose,
    private readonly child: ChildAttributes,
  ) {}

  /** The decision on one field (`Type.field`) of this child, exactly as {@link PolicyEngine.decide} makes it. */
  decide(coordinate: string): FieldDecision {
    let decision = this.made.get(coordinate);
    if (!decision) {
      decision = this.engine.decide(this.user, this.purpose, coordinate, this.child);
      this.made.set(coordinate, decision);
    }
    return decision;
  }
}

/**
 * The sharing policies compiled once: abilities cached per (role, agency, purpose), never rebuilt
 * per field, and each field's rule looked up by its `Type.field` coordinate.
 */
export class PolicyEngine {
  private fields = new Map<string, { agency: string; rule: FieldRule }>();
  private compiled = new Map<string, CompiledPolicy>();
  private byUser = new WeakMap<PolicyUser, Map<Purpose, CompiledPolicy>>();
  private decisions = new Map<CompiledPolicy, Map<string, Map<string, FieldDecision>>>();
  private masks = new Map<CompiledPolicy, Map<string, FieldMask>>();
  private byAgency = new Map<string, AgencyPolicy>();
  private links: Record<string, string> = {};
  private current: readonly AgencyPolicy[] = [];
  /** Counts the policy sets this engine has held: caches built on its decisions key on it. */
  generation = 0;

  constructor(policies: readonly AgencyPolicy[] = POLICIES) {
    this.replace(policies);
  }

  /** The agencies' policies this engine decides by. */
  get policies(): readonly AgencyPolicy[] {
    return this.current;
  }

  /**
   * Swaps in a new set of policies (a publication took effect) in one step: every cache built on the
   * old ones is dropped with them, so no decision made after this returns comes from the old set.
   */
  replace(policies: readonly AgencyPolicy[]): void {
    const fields = new Map<string, { agency: string; rule: FieldRule }>();
    for (const policy of policies) {
      for (const [coordinate, rule] of Object.entries(policy.fields)) {
        fields.set(coordinate, { agency: coordinate === SHARED_KEY ? 'shared' : policy.agency, rule });
      }
    }
    this.current = policies;
    this.fields = fields;
    this.byAgency = new Map(policies.map((p) => [p.agency, p]));
    this.links = Object.assign({}, ...policies.map((p) => p.childLinks ?? {}));
    this.compiled = new Map();
    this.byUser = new WeakMap();
    this.decisions = new Map();
    this.masks = new Map();
    this.generation++;
  }

  /** The owning agency and rule of a field, or undefined when the field is unclassified. */
  fieldRule(coordinate: string): { agency: string; rule: FieldRule } | undefined {
    return this.fields.get(coordinate);
  }

  /** Agencies that can flag a household's location confidential: while one does not answer, location is withheld. */
  locationFlaggingAgencies(): string[] {
    return this.policies.filter((p) => p.locationFlag).map((p) => p.agency);
  }

  /** The agency that runs MACPT cases (the gateway asks it about cases by id and caseload), if any. */
  caseAgency(): string | undefined {
    return this.policies.find((p) => p.runsCases)?.agency;
  }

  /**
   * Which agency owns each fact a decision rests on (DESIGN section 4, "Facts and who owns them"): the
   * open case, its stage and named workers; the school roll; the family's plan and lead practitioners; each
   * household's confidential-location flag.
   * A fact is taken from its owner only, whatever another agency's answer says.
   */
  factOwners(): FactOwners {
    return {
      cases: this.caseAgency() ?? null,
      rolls: this.policies.find((p) => p.holdsRolls)?.agency ?? null,
      families: this.policies.find((p) => p.leadsFamilies)?.agency ?? null,
      flags: this.locationFlaggingAgencies(),
    };
  }

  /**
   * Whether the user may be told a child's case stage (so, whether its case supports a purpose): only if
   * they may read the field that publishes the stage, for this child and purpose.
   */
  mayKnowCaseStage(user: PolicyUser, purpose: Purpose, child: ChildAttributes): boolean {
    const field = this.policies.find((p) => p.runsCases)?.caseStage;
    return field !== undefined && this.decide(user, purpose, field, child).allowed;
  }

  /**
   * What a notification rule may tell this recipient of an event about a child (DESIGN section 8),
   * decided as their own query would be, under the purpose NOTIFICATION: told at all only if they may
   * read the field the event is a record of, and then only the rule's fields they may read. Asked when
   * a notification is delivered and again whenever it is read.
   */
  /** Whether a notification rule applies to an event at all (its `when`), before anyone is considered. */
  notificationApplies(rule: NotificationRule, stage: string | null, detail: Record<string, unknown>): boolean {
    return ruleApplies(rule, stage, detail);
  }

  notification(
    user: PolicyUser,
    rule: NotificationRule,
    event: string,
    child: ChildAttributes,
  ): { told: boolean; rule: string; fields: string[] } {
    const subject = rule.events[event];
    if (!subject) return { told: false, rule: 'NOT_GRANTED', fields: [] };
    const decision = this.decide(user, NOTIFICATION_PURPOSE, subject, child);
    if (!decision.allowed) return { told: false, rule: decision.rule, fields: [] };
    const fields = Object.entries(rule.fields)
      .filter(([name, c]) => !LOCATION_FIELDS.has(name) && this.decide(user, NOTIFICATION_PURPOSE, c, child).allowed)
      .map(([name]) => name);
    return { told: true, rule: decision.rule, fields };
  }

  /**
   * The household records of `agency` a decision not to share covers: a decision about one child covers
   * them through every child of the household (DESIGN section 8).
   */
  householdReach(agency: string, scope: { fields: readonly string[]; classes: readonly string[] }): string[] {
    return [...this.fields]
      .filter(
        ([coordinate, f]) =>
          f.agency === agency &&
          f.rule.household === true &&
          (scope.fields.includes(coordinate) || scope.classes.includes(f.rule.class)),
      )
      .map(([coordinate]) => coordinate)
      .sort();
  }

  /** Types whose objects belong to one child, and the field leading to it, across all agencies. */
  childLinks(): Record<string, string> {
    return this.links;
  }

  /**
   * Every agency's kinds of chronology event, with the agency: what `Child.chronology` reads. Which
   * entries an asker sees is decided field by field, as for the fields themselves.
   */
  chronologySources(): readonly (ChronologySource & { agency: string })[] {
    return this.current.flatMap((p) => (p.chronology ?? []).map((c) => ({ ...c, agency: p.agency })));
  }

  /** The lawful basis an agency shares under. */
  lawfulBasis(agency: string): string | undefined {
    return this.byAgency.get(agency)?.lawfulBasis;
  }

  /** The compiled policy of a user for a purpose (cached per role, agency and purpose). */
  policyFor(user: PolicyUser, purpose: Purpose): CompiledPolicy {
    // The same user object asks about many fields: remember its policies by identity first.
    const mine = this.byUser.get(user);
    const hit = mine?.get(purpose);
    if (hit) return hit;
    const key = `${user.role}|${user.agency}|${purpose}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      compiled = new CompiledPolicy(compileRules(user, purpose, this.policies));
      this.compiled.set(key, compiled);
    }
    if (mine) mine.set(purpose, compiled);
    else this.byUser.set(user, new Map([[purpose, compiled]]));
    return compiled;
  }

  /**
   * May `user`, for `purpose`, read `coordinate` of a child with these attributes? Decisions are
   * memoised per (policy, field, relationship, purpose supported, confidential-by): the space is
   * small, and the gateway and every subgraph ask once per field of every child they return.
   */
  decide(user: PolicyUser, purpose: Purpose, coordinate: string, child: ChildAttributes): FieldDecision {
    const entry = this.fields.get(coordinate);
    if (!entry) return { coordinate, agency: 'unknown', class: 'UNCLASSIFIED', allowed: false, rule: 'UNCLASSIFIED' };
    const policy = this.policyFor(user, purpose);
    let perField = this.decisions.get(policy)?.get(coordinate);
    if (!perField) {
      perField = new Map();
      const perPolicy = this.decisions.get(policy) ?? new Map<string, Map<string, FieldDecision>>();
      perPolicy.set(coordinate, perField);
      this.decisions.set(policy, perPolicy);
    }
    // The household's flags count only when an agency other than the user's holds them (or could, and did not answer).
    const confidentialElsewhere = child.confidentialBy.some((a) => a !== user.agency);
    const unverifiedElsewhere = child.locationUnverifiedBy.some((a) => a !== user.agency);
    // A decision binds everyone outside the agency that made it; its own staff still see what it holds.
    const decidedNotToShare =
      child.notShared?.length && entry.agency !== user.agency
        ? covered(child.notShared, entry.agency, coordinate, entry.rule.class)
        : false;
    const attributesKey =
      !confidentialElsewhere && !unverifiedElsewhere && !decidedNotToShare
        ? (child.purposeSupported ? PLAIN_SUPPORTED : PLAIN_UNSUPPORTED)[child.relationship]
        : `${child.relationship}|${+child.purposeSupported}|${+confidentialElsewhere}|${+unverifiedElsewhere}|${+decidedNotToShare}`;
    let decision = perField.get(attributesKey);
    if (!decision) {
      const { agency, rule } = entry;
      const made = policy.decide({
        class: rule.class,
        owner: agency,
        location: rule.location === true,
        encompass: rule.encompass === true,
        relationship: child.relationship,
        purposeSupported: child.purposeSupported,
        confidentialElsewhere,
        unverifiedElsewhere,
      });
      decision = Object.freeze({
        ...(made.allowed && decidedNotToShare ? notShared(user, purpose, child.relationship) : made),
        coordinate,
        agency,
        class: rule.class,
      });
      perField.set(attributesKey, decision);
    }
    return decision;
  }

  /**
   * Every field decision for one child, made once per shape: the same mask for every child whose decisions
   * cannot differ (the user's compiled policy; the child's relationship and purpose supported; whether an
   * agency other than the user's flagged its household confidential, or could not be asked). A child under a
   * standing decision not to share gets a mask of its own (the decision covers fields by name).
   */
  mask(user: PolicyUser, purpose: Purpose, child: ChildAttributes): FieldMask {
    if (child.notShared?.length) return new FieldMask(this, user, purpose, child);
    const policy = this.policyFor(user, purpose);
    const confidentialElsewhere = child.confidentialBy.some((a) => a !== user.agency);
    const unverifiedElsewhere = child.locationUnverifiedBy.some((a) => a !== user.agency);
    const key = `${child.relationship}|${+child.purposeSupported}|${+confidentialElsewhere}|${+unverifiedElsewhere}`;
    let perPolicy = this.masks.get(policy);
    if (!perPolicy) {
      perPolicy = new Map();
      this.masks.set(policy, perPolicy);
    }
    let mask = perPolicy.get(key);
    if (!mask) {
      mask = new FieldMask(this, user, purpose, child);
      perPolicy.set(key, mask);
    }
    return mask;
  }

  /**
   * May `user`, for `purpose`, use an entry point (`Query.*`) at all? An entry point names a child only
   * by its arguments: who may be told about that child is decided at the door to it, field by field after.
   */
  decideEntry(user: PolicyUser, purpose: Purpose, coordinate: string): FieldDecision {
    const refusal = entryRefusal(user, purpose);
    const agency = this.fieldRule(coordinate)?.agency ?? 'gateway';
    return { coordinate, agency, class: 'IDENTITY', allowed: !refusal, rule: refusal ?? 'ENTRY_POINT' };
  }

  /** The published fields a set of decisions not to share covers (to remove them before planning). */
  coveredFields(scopes: readonly NotSharedScope[]): string[] {
    return [...this.fields]
      .filter(([coordinate, { agency, rule }]) => covered(scopes, agency, coordinate, rule.class))
      .map(([coordinate]) => coordinate);
  }

  /** True when no child could make the field visible to this role and purpose: the gateway drops it before planning. */
  neverVisible(user: PolicyUser, purpose: Purpose, coordinate: string): boolean {
    if (!this.fields.has(coordinate)) return true;
    return RELATIONSHIPS.every((relationship) =>
      [true, false].every(
        (purposeSupported) =>
          !this.decide(user, purpose, coordinate, {
            relationship,
            purposeSupported,
            confidentialBy: [],
            locationUnverifiedBy: [],
          }).allowed,
      ),
    );
  }

  /** Per agency and class, what the user may see of a child with these attributes, and which rule decides. */
  explain(
    user: PolicyUser,
    purpose: Purpose,
    child: ChildAttributes,
  ): { agency: string; class: DataClass; allowed: boolean; rule: string }[] {
    return this.policies.flatMap((policy) =>
      CLASSES.map((cls) => {
        const decision = this.policyFor(user, purpose).decide({
          class: cls,
          owner: policy.agency,
          location: false,
          encompass: false,
          relationship: child.relationship,
          purposeSupported: child.purposeSupported,
          confidentialElsewhere: false,
          unverifiedElsewhere: false,
        });
        return { agency: policy.agency, class: cls, allowed: decision.allowed, rule: decision.rule };
      }),
    );
  }
}
