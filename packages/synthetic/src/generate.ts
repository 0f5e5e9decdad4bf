import { nhsCheckDigit, NHS_TEST_RANGE } from '@macpt/kit';
import { generateHousehold } from './household.js';
import { addLongHistory, LONG_HISTORY_MIN_AGE } from './long-history.js';
import { shiftDays } from './random.js';
import type { Household } from './types.js';

/** The generator's version: a store seeded by an older one (the long case: 2 and 3) is seeded again. */
export const GENERATOR_VERSION = 4;

/** What a generated world is made from; the same options always give the same world. */
export interface WorldOptions {
  seed: number;
  children: number;
  /** The "today" the world's dates are relative to (YYYY-MM-DD). */
  asOf: string;
}

/**
 * How many valid NHS numbers the test range holds: one per nine-digit prefix 999000000..999999999
 * except the prefixes whose modulus-11 check digit would be 10. A world can have no more children.
 */
export const MAX_CHILDREN = 909_091;

/** The test range's valid NHS numbers, in ascending order. */
export function* nhsNumbers(): Generator<string> {
  const last = Math.floor(NHS_TEST_RANGE.last / 10);
  for (let prefix = Math.floor(NHS_TEST_RANGE.first / 10); prefix <= last; prefix++) {
    const digits = String(prefix);
    const check = nhsCheckDigit(digits);
    if (check !== null) yield `${digits}${check}`;
  }
}

/** Streams the world's households until `children` children exist; memory stays flat at any size. */
export function* generateWorld(options: WorldOptions): Generator<Household> {
  if (!Number.isInteger(options.children) || options.children < 1 || options.children > MAX_CHILDREN) {
    throw new RangeError(
      `children must be a whole number from 1 to ${MAX_CHILDREN} (the NHS test range holds no more valid numbers); got ${options.children}`,
    );
  }
  const numbers = nhsNumbers();
  const next = () => numbers.next().value as string;
  let made = 0;
  let longHistory = false;
  for (let index = 0; made < options.children; index++) {
    const household = generateHousehold(options.seed, index, options.asOf, next, options.children - made);
    made += household.children.length;
    if (!longHistory && made - household.children.length >= Math.floor(options.children * 0.9)) {
      // The first child on an open case known to all four agencies, old enough, in the world's last tenth
      // gets a ten-year history (late in the world, so the children tests find first keep their usual records).
      const child = household.children.find(
        (c) =>
          c.socialCare?.caseId &&
          c.socialCare.stage !== 'REFERRAL' &&
          c.police &&
          c.education?.schoolUrn &&
          c.sharingDecisions.length === 0 &&
          !household.confidentialBy &&
          c.dateOfBirth <= shiftDays(options.asOf, -LONG_HISTORY_MIN_AGE * 366),
      );
      if (child) {
        addLongHistory(child, household, options.asOf);
        longHistory = true;
      }
    }
    yield household;
  }
}

/** Streams the world in batches of households (e.g. one database transaction per batch). */
export function forEachBatch(options: WorldOptions, size: number, handle: (batch: Household[]) => void): void {
  let batch: Household[] = [];
  for (const household of generateWorld(options)) {
    batch.push(household);
    if (batch.length >= size) {
      handle(batch);
      batch = [];
    }
  }
  if (batch.length > 0) handle(batch);
}
