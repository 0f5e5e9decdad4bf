// The `POST /facts/changes` contract (issue #27): the gateway's poll of an agency's feed of changes to the facts
// it owns, and the agency's answer. The gateway's watch and every subgraph's feed route import it, so the two
// sides agree.

/** A change that may concern any child (a household's confidential-location flag): forget every kept fact. */
export const EVERY_CHILD = '*';

/** The longest a poll may wait at the agency for a change. */
export const MAX_CHANGES_WAIT_MS = 5_000;

/** What the gateway asks: the changes after its position in the feed's numbering, waiting up to `waitMs` for one. */
export interface FactChangesRequest {
  /** The numbering the position belongs to; null when the gateway has none yet. */
  epoch: string | null;
  /** The last change the gateway has; null when it has none yet. */
  after: number | null;
  waitMs: number;
}

/** What a gateway is told: the changes after the position it asked from, or to forget everything. */
export interface FactChangesAnswer {
  agency: string;
  /** The store's numbering: a new one means every position before it means nothing. */
  epoch: string;
  /** The last change the answer covers: ask from here next. */
  position: number;
  /** The children whose facts changed (`*`: any child). */
  subjects: string[];
  /** The position asked from is unknown here (another epoch, or trimmed): forget every kept fact. */
  reset: boolean;
  /**
   * How long after the poll reached the agency it read the feed for this answer (ms, by the agency's own
   * monotonic clock, rounded down): the answer reflects every change committed before then. So the gateway may
   * count the answer fresh from the moment it sent the poll plus this, never later than it arrived. 0 if absent.
   */
  waitedMs?: number;
  /**
   * The answer stops short of the newest change (an answer carries at most a few thousand): the gateway must not
   * count the feed any fresher for it, and asks again at once from its position.
   */
  more?: boolean;
}

/** Reads a `/facts/changes` request body, or says what was wrong with it. */
export function parseChangesRequest(body: unknown): FactChangesRequest | string {
  const { epoch, after, waitMs } = (body ?? {}) as { epoch?: unknown; after?: unknown; waitMs?: unknown };
  if (!(epoch === null || (typeof epoch === 'string' && epoch.length <= 64)))
    return `expected {"epoch": string or null, "after": a position or null, "waitMs"?: 0 to ${MAX_CHANGES_WAIT_MS}}`;
  if (!(after === null || (typeof after === 'number' && Number.isSafeInteger(after) && after >= 0)))
    return '"after" must be a position (a whole number, 0 or more) or null';
  if (waitMs !== undefined && !(typeof waitMs === 'number' && waitMs >= 0 && waitMs <= MAX_CHANGES_WAIT_MS))
    return `"waitMs" must be 0 to ${MAX_CHANGES_WAIT_MS}`;
  return { epoch, after, waitMs: (waitMs as number | undefined) ?? 0 };
}

/** Checks an agency's answer to a poll; throws when it does not fit. */
export function checkChangesAnswer(agency: string, body: unknown): FactChangesAnswer {
  const answer = body as Partial<FactChangesAnswer> | null;
  if (
    typeof answer?.epoch !== 'string' ||
    typeof answer.position !== 'number' ||
    typeof answer.reset !== 'boolean' ||
    !Array.isArray(answer.subjects) ||
    !answer.subjects.every((s) => typeof s === 'string') ||
    !(
      answer.waitedMs === undefined ||
      (typeof answer.waitedMs === 'number' && Number.isFinite(answer.waitedMs) && answer.waitedMs >= 0)
    ) ||
    !(answer.more === undefined || typeof answer.more === 'boolean')
  )
    throw new Error(`${agency} answered /facts/changes out of shape`);
  return {
    agency,
    epoch: answer.epoch,
    position: answer.position,
    subjects: answer.subjects,
    reset: answer.reset,
    waitedMs: answer.waitedMs ?? 0,
    more: answer.more ?? false,
  };
}
