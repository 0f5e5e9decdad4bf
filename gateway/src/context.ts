import type DataLoader from 'dataloader';
import type { CaseFact, CaseQuery } from '@macpt/contract';
import type { PolicyUser } from '@macpt/policies';
import type { ChildAttributes } from '@macpt/policies';
import type { StatedPurpose } from './pipeline/identify.js';
import type { ChildFacts } from './facts/child-facts.js';
import type { ChildLedger } from './disclosure/ledger.js';
import type { DisclosureSummary } from './policy/enforce.js';

// The request's context, typed by who adds each part: the pipeline itself (RequestBase), then each
// context step in order (identify, rate limit, facts), then the parts written while the request runs,
// each with one owner, read by the disclosure log when the response leaves (RequestOutcome).

/** What the pipeline knows of a request before any step: its id, client and deadline, and its ledgers. */
export interface RequestBase {
  requestId: string;
  /** The `apollographql-client-name` header, for the disclosure record. */
  clientName: string | null;
  /** When this request must be answered by (epoch ms): fact look-ups and every agency fetch share it. */
  deadline: number;
  /** Cases the directory opened for this request, and each one's child: agency calls about a case carry its child's facts. */
  caseChildren: Map<string, string>;
  /** Owned by the doors to a child (directory/admission.ts): what this request said about which child, for its record. */
  readonly ledger: ChildLedger;
}

/** Added by the identify step (pipeline/identify.ts): who asks, and why. */
export interface Identified extends StatedPurpose {
  user: PolicyUser & { name: string };
}

/** Added by the rate limit step (pipeline/rate-limit.ts): nothing; it refuses users known past their limit. */
export type Limited = Record<never, never>;

/** Added by the facts step (pipeline/facts.ts). */
export interface WithFacts {
  /** Facts about children, loaded once per child per request from the agencies that own them. */
  facts: DataLoader<string, ChildFacts>;
  /** Forgets the facts this gateway keeps about a child whose facts this request changed (a decision not to share). */
  forgetFacts: (nhsNumber: string) => void;
  /** A child's decision attributes for this user and purpose: derived once per child per request; null when its facts failed. */
  attributesOf: (nhsNumber: string) => Promise<ChildAttributes | null>;
  /**
   * A child's facts (null when they failed) and attributes, once derived for this request (undefined until
   * then): read without waiting by the agency calls' signer and the final check.
   */
  settled: (nhsNumber: string) => { facts: ChildFacts | null; attributes: ChildAttributes | null } | undefined;
  /** Asks the agency that runs MACPT cases about cases (by id, or an LA's caseload); throws when it cannot answer. */
  cases: (query: CaseQuery) => Promise<CaseFact[]>;
}

/** Written while the request runs, each by the one owner named, and read by the disclosure log stage. */
export interface RequestOutcome {
  /** Owner: the final policy check (policy/governed-gateway.ts): what this response disclosed and withheld. */
  disclosure?: DisclosureSummary;
  /** Owner: the rewrite before planning (policy/governed-gateway.ts): coordinates this role and purpose can never see. */
  removedBeforePlanning?: string[];
  /** Owner: the resolvers that write this request's record themselves, before they act (decisions not to share, legal holds). */
  recorded?: boolean;
  /** Owner: the IG resolvers (audit/, figures/, sharing/): what was asked, for the record of the IG query. */
  audit?: Record<string, unknown>;
}

/** What every part of the gateway sees about the request being served, once every context step has run. */
export type GatewayContext = RequestBase & Identified & Limited & WithFacts & RequestOutcome;
