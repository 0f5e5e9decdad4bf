import { weekOf } from '@macpt/contract';

/** Partnership figures are reported per ISO week and per four-week period counted from this Monday. */
export const PERIOD_EPOCH = '2024-01-01';
const DAY = 86_400_000;
const PERIOD_DAYS = 28;
/** Most periods one request may cover: a year. */
export const MAX_PERIODS = 14;

/** A four-week reporting period: its first Monday, its weeks and its last day. */
export interface Period {
  start: string;
  end: string;
  weeks: string[];
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const at = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** The period a date falls in. */
export function periodOf(date: string): Period {
  const index = Math.floor((at(weekOf(date)) - at(PERIOD_EPOCH)) / (PERIOD_DAYS * DAY));
  const start = at(PERIOD_EPOCH) + index * PERIOD_DAYS * DAY;
  return {
    start: iso(start),
    end: iso(start + (PERIOD_DAYS - 1) * DAY),
    weeks: [0, 1, 2, 3].map((w) => iso(start + w * 7 * DAY)),
  };
}

/**
 * The whole periods covering `from`…`to`. Figures are only ever computed for whole, fixed periods, so
 * two requests with different dates see the same cells: narrowing a range cannot isolate a day.
 */
export function periodsCovering(from: string, to: string): Period[] {
  const out: Period[] = [];
  for (let p = periodOf(from); p.start <= to; p = periodOf(iso(at(p.end) + DAY))) out.push(p);
  return out;
}
