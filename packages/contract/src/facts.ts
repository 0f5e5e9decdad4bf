// The `POST /facts` contract: what the gateway asks every agency before applying policy, and what each
// answers. The gateway's facts client and every subgraph's facts route import it, so the two sides agree.
import type { DecisionFact } from './decisions.js';

/** Most children, or households, one `/facts` call may name. */
export const MAX_FACTS_KEYS = 2000;

/** Cases to look up at the agency that runs them: by id, or an LA's caseload. */
export type CaseQuery = { ids: string[] } | { la: string; status: string };

/** A case, as far as the gateway needs it to decide who may open it: whose it is and where. */
export interface CaseFact {
  id: string;
  nhsNumber: string;
  la: string;
  status: string;
}

/** What the gateway asks: the children to describe, households (by UPRN) to check for this agency's location flag, cases. */
export interface FactsRequest {
  nhsNumbers: string[];
  uprns?: string[];
  cases?: CaseQuery;
}

/** A child's open MACPT case, as the agency that runs cases reports it. */
export interface OpenCaseFact {
  id: string;
  la: string;
  stage: string;
  /** The user ids of the workers named on the case. */
  namedWorkers: string[];
  /** Each named worker's role (who a notification for the named workers reaches, and as whom it is decided). */
  namedWorkerRoles?: Record<string, string>;
}

/** A child's family's Family Help plan, as the agency that leads families reports it. */
export interface FamilyPlanFact {
  la: string;
  status: string;
  /** The user ids of the family's lead practitioners. */
  leadPractitioners: string[];
}

/** One agency's answer about one child. */
export interface AgencyFacts {
  nhsNumber: string;
  known: boolean;
  /** The UPRN of the household where this agency has the child living, when it holds an address. */
  uprn?: string | null;
  /** This agency has flagged the child's household's location confidential. */
  confidentialLocation: boolean;
  /** From the agency that runs MACPT cases (social care). */
  openCase?: OpenCaseFact | null;
  /** From the agency that holds school rolls (education). */
  schoolUrn?: string | null;
  /** From the agency that leads families (Family Help). */
  familyPlan?: FamilyPlanFact | null;
  /** This agency's standing decisions not to share information it holds about the child. */
  decisions?: DecisionFact[];
}

/** One agency's whole answer. */
export interface FactsResponse {
  agency: string;
  /** One per NHS number asked, in the order asked. */
  facts: AgencyFacts[];
  /** Those of the UPRNs asked that this agency has flagged confidential. */
  flaggedUprns: string[];
  /** The cases asked about that exist (only from the agency that runs cases). */
  cases?: CaseFact[];
}

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length <= MAX_FACTS_KEYS && value.every((v) => typeof v === 'string' && v.length <= 20);

/** Reads a `/facts` request body, or says what was wrong with it. */
export function parseFactsRequest(body: unknown): FactsRequest | string {
  const { nhsNumbers, uprns, cases } = (body ?? {}) as {
    nhsNumbers?: unknown;
    uprns?: unknown;
    cases?: { ids?: unknown; la?: unknown; status?: unknown };
  };
  if (!isStringList(nhsNumbers))
    return `expected a JSON body {"nhsNumbers": [...], "uprns"?: [...]} with at most ${MAX_FACTS_KEYS} short strings in each list`;
  if (uprns !== undefined && !isStringList(uprns))
    return `"uprns" must be a list of at most ${MAX_FACTS_KEYS} short strings`;
  let caseQuery: CaseQuery | undefined;
  if (cases !== undefined) {
    if (isStringList(cases?.ids)) caseQuery = { ids: cases.ids };
    else if (typeof cases?.la === 'string' && typeof cases.status === 'string')
      caseQuery = { la: cases.la, status: cases.status };
    else return '"cases" must be {"ids": [...]} or {"la": "...", "status": "..."}';
  }
  return { nhsNumbers, ...(uprns ? { uprns } : {}), ...(caseQuery ? { cases: caseQuery } : {}) };
}

/** Checks an agency's answer against what was asked; throws when it does not fit. */
export function checkFactsResponse(agency: string, asked: FactsRequest, body: unknown): FactsResponse {
  const answer = body as Partial<FactsResponse> | null;
  if (
    !answer ||
    !Array.isArray(answer.facts) ||
    answer.facts.length !== asked.nhsNumbers.length ||
    answer.facts.some((f, i) => f?.nhsNumber !== asked.nhsNumbers[i])
  ) {
    throw new Error(`${agency} answered /facts with facts that do not match the children asked`);
  }
  const asking = new Set(asked.uprns ?? []);
  const flagged = Array.isArray(answer.flaggedUprns) ? answer.flaggedUprns.filter((u) => asking.has(u)) : null;
  if (!flagged) throw new Error(`${agency} answered /facts without flaggedUprns`);
  if (asked.cases && !Array.isArray(answer.cases)) throw new Error(`${agency} answered /facts without the cases asked`);
  return { agency, facts: answer.facts, flaggedUprns: flagged, ...(asked.cases ? { cases: answer.cases } : {}) };
}
