import type { AgencyFacts, DecisionFact, FamilyPlanFact, OpenCaseFact } from '@macpt/contract';
import type { FactOwners, NotSharedScope } from '@macpt/policies';

/** Everything the gateway knows about a child before policy: each fact from the agency that owns it. */
export interface ChildFacts {
  nhsNumber: string;
  /** Agencies that hold a record for the child. */
  knownBy: string[];
  /** Agencies that could not be asked, or whose answer about this child was garbled; their absence from `knownBy` proves nothing. */
  unavailable: string[];
  /** Why each unavailable agency could not be asked (timed out, not JSON, …), for the errors that name it. */
  unavailableWhy: Record<string, string>;
  /** Agencies that flagged the location of the child's household (by UPRN) confidential. */
  confidentialBy: string[];
  /** Agencies that can flag a household but did not answer: their flag cannot be ruled out, so it is assumed. */
  locationUnverifiedBy: string[];
  openCase: OpenCaseFact | null;
  schoolUrn: string | null;
  familyPlan: FamilyPlanFact | null;
  /** Standing decisions not to share, each from the agency that made it (and holds what it covers). */
  decisions: (DecisionFact & { agency: string })[];
  /** What those decisions withhold, for policy. */
  notShared: NotSharedScope[];
}

/** One agency's answer to the children's round: its facts by NHS number, or why it gave none. */
export interface ChildrenAnswer {
  agency: string;
  facts: ReadonlyMap<string, AgencyFacts> | null;
  why?: string;
}

/** One flagging agency's answer to the households' round: the UPRNs it flags, or null when it did not answer. */
export type HouseholdAnswer = ReadonlySet<string> | null;

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

const isDecision = (d: unknown): d is DecisionFact => {
  const x = d as Partial<DecisionFact> | null;
  return isString(x?.id) && isStringList(x.fields) && isStringList(x.classes) && isString(x.reviewBy);
};

const isCase = (c: unknown): c is OpenCaseFact => {
  const x = c as Partial<OpenCaseFact> | null;
  return (
    isString(x?.id) &&
    isString(x.la) &&
    isString(x.stage) &&
    isStringList(x.namedWorkers) &&
    (x.namedWorkerRoles === undefined ||
      (typeof x.namedWorkerRoles === 'object' &&
        x.namedWorkerRoles !== null &&
        Object.values(x.namedWorkerRoles).every(isString)))
  );
};

const isPlan = (p: unknown): p is FamilyPlanFact => {
  const x = p as Partial<FamilyPlanFact> | null;
  return isString(x?.la) && isString(x.status) && isStringList(x.leadPractitioners);
};

/** What is wrong with an agency's answer about one child, for the facts that agency owns; null when nothing. */
function garbled(agency: string, f: AgencyFacts, owners: FactOwners): string | null {
  if (typeof f.known !== 'boolean') return 'answered without saying whether it knows the child';
  if (f.uprn !== undefined && f.uprn !== null && !isString(f.uprn)) return 'answered with a malformed UPRN';
  if (agency === owners.cases && !(f.openCase === null || isCase(f.openCase)))
    return 'answered without a well-formed open case (or null)';
  if (agency === owners.rolls && !(f.schoolUrn === null || isString(f.schoolUrn)))
    return 'answered without a well-formed school (or null)';
  if (agency === owners.families && !(f.familyPlan === null || isPlan(f.familyPlan)))
    return 'answered without a well-formed family plan (or null)';
  if (f.decisions !== undefined && !(Array.isArray(f.decisions) && f.decisions.every(isDecision)))
    return 'answered with malformed decisions not to share';
  return null;
}

/** The UPRNs every agency placed the children in: the households each flagging agency is asked about. */
export function placedHouseholds(answers: readonly ChildrenAnswer[]): string[] {
  const placed = new Set<string>();
  for (const { facts } of answers) for (const f of facts?.values() ?? []) if (isString(f.uprn)) placed.add(f.uprn);
  return [...placed];
}

/**
 * One child's facts, from that child's own answers alone (DESIGN section 4, "Facts and who owns them"):
 * the open case only from the agency that runs cases, the school only from the agency that holds rolls, the
 * family's plan and lead practitioners only from the agency that leads families,
 * a household's flag only from a flagging agency, a decision only from the agency that made it. Whatever
 * else was asked in the same batch, or by whom, decides nothing here. A fact that did not arrive, or
 * arrived garbled, is the most restrictive answer: its agency counts as not answering for this child
 * (no relationship is shown from it), and a flag that cannot be read counts as set.
 */
export function mergeChildFacts(
  nhsNumber: string,
  answers: readonly ChildrenAnswer[],
  households: ReadonlyMap<string, HouseholdAnswer>,
  owners: FactOwners,
): ChildFacts {
  const merged: ChildFacts = {
    nhsNumber,
    knownBy: [],
    unavailable: [],
    unavailableWhy: {},
    confidentialBy: [],
    locationUnverifiedBy: [],
    openCase: null,
    schoolUrn: null,
    familyPlan: null,
    decisions: [],
    notShared: [],
  };
  const uprns = new Set<string>();
  const unavailable = (agency: string, why: string) => {
    merged.unavailable.push(agency);
    merged.unavailableWhy[agency] = why;
  };
  for (const { agency, facts, why } of answers) {
    const f = facts?.get(nhsNumber);
    const problem = f ? garbled(agency, f, owners) : (why ?? 'no answer for this child');
    if (!f || problem) {
      unavailable(agency, problem ?? 'no answer for this child');
      continue;
    }
    if (f.known) merged.knownBy.push(agency);
    if (isString(f.uprn)) uprns.add(f.uprn);
    if (owners.flags.includes(agency)) {
      // A flagging agency that does not say whether it flagged the child's household has not ruled it out.
      if (f.confidentialLocation === true) merged.confidentialBy.push(agency);
      else if (f.confidentialLocation !== false) merged.locationUnverifiedBy.push(agency);
    }
    if (agency === owners.cases) merged.openCase = f.openCase ?? null;
    if (agency === owners.rolls) merged.schoolUrn = f.schoolUrn ?? null;
    if (agency === owners.families) merged.familyPlan = f.familyPlan ?? null;
    // An agency speaks for its own decisions only: the scope is its own, whatever the answer says.
    for (const d of f.decisions ?? []) {
      merged.decisions.push({ ...d, agency });
      merged.notShared.push({ agency, fields: d.fields, classes: d.classes as NotSharedScope['classes'] });
    }
  }
  for (const agency of owners.flags) {
    if (merged.confidentialBy.includes(agency) || merged.locationUnverifiedBy.includes(agency)) continue;
    // Not answering, or not served at all (its policy flags, its subgraph is gone): it has not ruled the flag out.
    if (merged.unavailable.includes(agency) || !answers.some((a) => a.agency === agency)) {
      merged.locationUnverifiedBy.push(agency);
      continue;
    }
    if (uprns.size === 0) continue;
    // The flag is the household's: any household any agency places this child in, as its flagging agency answers.
    const flagged = households.get(agency);
    if (flagged === undefined || flagged === null) merged.locationUnverifiedBy.push(agency);
    else if ([...uprns].some((u) => flagged.has(u))) merged.confidentialBy.push(agency);
  }
  return merged;
}
