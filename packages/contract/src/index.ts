export {
  INTERNAL_CONTEXT_ALG,
  INTERNAL_CONTEXT_HEADER,
  INTERNAL_CONTEXT_TTL_SECONDS,
  INTERNAL_ISSUER,
  signInternalContext,
  verifyInternalContext,
  type ContextKey,
  type InternalContext,
} from './internal-context.js';
export {
  checkFactsResponse,
  MAX_FACTS_KEYS,
  parseFactsRequest,
  type AgencyFacts,
  type CaseFact,
  type CaseQuery,
  type FactsRequest,
  type FactsResponse,
  type FamilyPlanFact,
  type OpenCaseFact,
} from './facts.js';
export {
  decisionTermsProblem,
  MAX_REVIEW_DAYS,
  reviewDateProblem,
  todayInEngland,
  type DecisionActor,
  type DecisionFact,
  type DecisionRequest,
  type DecisionStep,
  type StoredDecision,
} from './decisions.js';
export {
  parseFiguresRequest,
  weekOf,
  type FiguresRequest,
  type FigureTableSpec,
  type FiguresResponse,
  type WeekCounts,
  weekTally,
} from './figures.js';
export {
  checkChangesAnswer,
  EVERY_CHILD,
  MAX_CHANGES_WAIT_MS,
  parseChangesRequest,
  type FactChangesAnswer,
  type FactChangesRequest,
} from './fact-changes.js';
