// The `POST /decisions` contract: how the gateway asks the agency that holds some information to record,
// keep (review or extend) or withdraw a decision not to share it, or to list its decisions. The agency
// stores its decisions and enforces them itself; the gateway records each step in the hash chain first.
import { isNhsNumber } from '@macpt/kit';
import { CLASSES, SHARING_DECISION_REASONS, type DataClass, type SharingDecisionReason } from '@macpt/policies';

/** Who took a step on a decision. */
export interface DecisionActor {
  id: string;
  name: string;
  role: string;
}

/** A standing decision, as the holding agency reports it in `/facts`: enough to enforce it and to say it exists. */
export interface DecisionFact {
  id: string;
  fields: string[];
  classes: DataClass[];
  reason: SharingDecisionReason;
  /** The free text of an `OTHER` reason: shown to the holding agency's own staff only. */
  reasonText: string | null;
  decidedBy: DecisionActor;
  decidedAt: string;
  reviewBy: string;
}

/** One step in a decision's life: recorded, kept at review (perhaps with a new review date), withdrawn. */
export interface DecisionStep {
  action: 'RECORDED' | 'KEPT' | 'WITHDRAWN';
  by: DecisionActor;
  at: string;
  note: string | null;
  reviewBy: string | null;
  /** The disclosure-log record of this step. */
  recordId: string | null;
}

/** A decision as the holding agency stores it. */
export interface StoredDecision extends DecisionFact {
  agency: string;
  nhsNumber: string;
  status: 'STANDING' | 'WITHDRAWN';
  history: DecisionStep[];
}

/** What the gateway asks of the holding agency. */
export type DecisionRequest =
  | {
      action: 'record';
      id: string;
      nhsNumber: string;
      fields: string[];
      classes: DataClass[];
      reason: SharingDecisionReason;
      reasonText: string | null;
      reviewBy: string;
      by: DecisionActor;
      at: string;
      recordId: string;
    }
  | {
      action: 'keep' | 'withdraw';
      id: string;
      nhsNumber: string;
      reviewBy: string | null;
      note: string | null;
      by: DecisionActor;
      at: string;
      recordId: string;
    }
  | { action: 'list' };

/** Most fields one decision may name. */
const MAX_FIELDS = 100;
/** Furthest ahead a review may be set: decisions are reviewed at least yearly. */
export const MAX_REVIEW_DAYS = 366;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Why a review date is unacceptable (not a date, not after `today`, more than a year ahead), or null. */
export function reviewDateProblem(reviewBy: unknown, today: string): string | null {
  if (typeof reviewBy !== 'string' || !DATE.test(reviewBy) || Number.isNaN(Date.parse(reviewBy)))
    return `reviewBy must be a date as YYYY-MM-DD, got ${JSON.stringify(reviewBy)}`;
  if (reviewBy <= today) return `reviewBy must be after today (${today}), got ${reviewBy}`;
  const latest = new Date(Date.parse(today) + MAX_REVIEW_DAYS * 86_400_000).toISOString().slice(0, 10);
  if (reviewBy > latest) return `reviewBy must be within a year (by ${latest}): decisions are reviewed at least yearly`;
  return null;
}

/**
 * Why a new decision's terms are unacceptable, or null. `ownerOf` names the agency that publishes a
 * field (the policies in force): a decision covers the deciding agency's own fields only.
 */
export function decisionTermsProblem(
  terms: {
    nhsNumber: unknown;
    fields?: unknown;
    classes?: unknown;
    reason: unknown;
    reasonText?: unknown;
    reviewBy: unknown;
  },
  agency: string,
  ownerOf: (coordinate: string) => string | undefined,
  today: string,
): string | null {
  if (typeof terms.nhsNumber !== 'string' || !isNhsNumber(terms.nhsNumber))
    return `nhsNumber must be a valid 10-digit NHS number, got ${JSON.stringify(terms.nhsNumber)}`;
  const fields = terms.fields ?? [];
  const classes = terms.classes ?? [];
  if (!Array.isArray(fields) || fields.length > MAX_FIELDS || !fields.every((f) => typeof f === 'string'))
    return `fields must be a list of at most ${MAX_FIELDS} Type.field coordinates`;
  if (!Array.isArray(classes) || !classes.every((c) => (CLASSES as readonly unknown[]).includes(c)))
    return `classes must be some of ${CLASSES.join(', ')}`;
  if (fields.length === 0 && classes.length === 0)
    return 'a decision must name the fields or classes it covers: name at least one';
  const notOwn = fields.filter((f) => f === 'Child.nhsNumber' || ownerOf(f) !== agency);
  if (notOwn.length > 0)
    return `a decision covers ${agency}'s own published fields only (Child.nhsNumber is shared); not ${notOwn.join(', ')}`;
  if (!(SHARING_DECISION_REASONS as readonly unknown[]).includes(terms.reason))
    return `reason must be one of ${SHARING_DECISION_REASONS.join(', ')}, got ${JSON.stringify(terms.reason)}`;
  const text = typeof terms.reasonText === 'string' ? terms.reasonText.trim() : '';
  if (terms.reason === 'OTHER' && text.length < 20)
    return 'a reason of OTHER needs reasonText: at least 20 characters saying why';
  if (text.length > 2000) return 'reasonText must be at most 2000 characters';
  return reviewDateProblem(terms.reviewBy, today);
}

/** Today's date in England (review dates are calendar dates there). */
export function todayInEngland(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(now);
}
