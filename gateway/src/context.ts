import type DataLoader from 'dataloader';
import type { CaseFact, CaseQuery } from '@macpt/contract';
import type { PolicyUser } from '@macpt/policies';
import type { ChildAttributes } from '@macpt/policies';
import type { StatedPurpose } from './pipeline/identify.js';
import type { ChildFacts } from './facts/child-facts.js';
import type { RateLimiter } from './limits/rate-limit.js';
import type { ChildLedger } from './disclosure/ledger.js';
import type { DisclosureSummary } from './policy/enforce.js';

/** What every part of the gateway sees about the request being served. */
export interface GatewayContext extends StatedPurpose {
  requestId: string;
  user: PolicyUser & { name: string };
  /** When this request must be answered by (epoch ms): fact look-ups and every agency fetch share it. */
  deadline: number;
  /** The `apollographql-client-name` header, for the disclosure record. */
  clientName: string | null;
  /** Facts about children, loaded once per child per request from every agency. */
  facts: DataLoader<string, ChildFacts>;
  /** Forgets the facts this gateway keeps about a child whose facts this request changed (a decision not to share). */
  forgetFacts: (nhsNumber: string) => void;
  /** A child's decision attributes for this user and purpose: derived once per child per request; null when its facts failed. */
  attributesOf: (nhsNumber: string) => Promise<ChildAttributes | null>;
  /** Asks the agency that runs MACPT cases about cases (by id, or an LA's caseload); throws when it cannot answer. */
  cases: (query: CaseQuery) => Promise<CaseFact[]>;
  /** Cases the directory opened for this request, and each one's child: agency calls about a case carry its child's facts. */
  caseChildren: Map<string, string>;
  /** Filled in by the final policy check: what this response disclosed and withheld. */
  disclosure?: DisclosureSummary;
  /** Coordinates removed before planning because this role and purpose can never see them. */
  removedBeforePlanning?: string[];
  /** Owned by the doors to a child (directory/admission.ts): what this request said about which child, for its record. */
  readonly ledger: ChildLedger;
  /** Set when a resolver wrote this request's record itself (a decision not to share): the log stage writes none. */
  recorded?: boolean;
  /** Set by the IG review API: what was asked, for the record of the IG query. */
  audit?: Record<string, unknown>;
  /** Counts this user's distinct children (bulk-export defence). */
  rateLimiter: RateLimiter;
}
