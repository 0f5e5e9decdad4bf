import { weekOf, weekTally, type FigureTableSpec, type FiguresRequest, type WeekCounts } from '@macpt/contract';
import type { SqlStore } from '@macpt/subgraph-kit';

/** The tables social care's counts fill, as the partnership figures show them (the gateway knows none). */
export const SOCIAL_CARE_FIGURE_TABLES: FigureTableSpec[] = [
  {
    name: 'activity',
    title: 'Strategy discussions, section 47 enquiries and initial conferences',
    partition: false,
    keys: ['STRATEGY_DISCUSSIONS', 'SECTION_47_ENQUIRIES', 'INITIAL_CONFERENCES'],
  },
  {
    name: 's47ToConference',
    title: 'Days from the section 47 enquiry to the initial conference',
    partition: true,
    keys: ['WITHIN_21_DAYS', '22_TO_35_DAYS', 'OVER_35_DAYS'],
  },
  {
    name: 'ageBand',
    title: 'Children discussed at strategy discussions, by age',
    partition: true,
    keys: ['0-4', '5-9', '10-15', '16-17'],
  },
  {
    name: 'sex',
    title: 'Children discussed at strategy discussions, by sex',
    partition: true,
    keys: ['FEMALE', 'MALE'],
  },
  {
    name: 'ethnicity',
    title: 'Children discussed at strategy discussions, by ethnic group (where recorded)',
    partition: true,
    keys: [],
  },
];

const AGE_BANDS = [
  [0, '0-4'],
  [5, '5-9'],
  [10, '10-15'],
  [16, '16-17'],
] as const;

/** Age in whole years on a date. */
function ageOn(dateOfBirth: string, on: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const band = (age: number) => [...AGE_BANDS].reverse().find(([from]) => age >= from)?.[1] ?? '0-4';

/** Days from a section 47 enquiry's start to the initial conference, in the bands the figures report. */
function s47Band(days: number): string {
  if (days <= 21) return 'WITHIN_21_DAYS';
  return days <= 35 ? '22_TO_35_DAYS' : 'OVER_35_DAYS';
}

type Activity = { nhs: string; date: string; dob: string; sex: string | null; ethnicity: string | null };

/**
 * Social care's counts for an LA's partnership figures, per week: strategy discussions, section 47
 * enquiries started, initial conferences and how long after the enquiry they came, and who the
 * children discussed were (age band, sex, ethnicity where recorded). Counts only.
 */
export function socialCareFigures(store: SqlStore) {
  const strategy = store.query<Activity>(
    `SELECT s.nhs_number AS nhs, s.date, c.date_of_birth AS dob, c.sex, c.ethnicity FROM sc_strategy s
     JOIN sc_child c ON c.nhs_number = s.nhs_number WHERE c.la = ? AND s.date BETWEEN ? AND ?`,
  );
  const s47 = store.query<{ date: string }>(
    `SELECT s.started_on AS date FROM sc_s47 s JOIN sc_child c ON c.nhs_number = s.nhs_number
     WHERE c.la = ? AND s.started_on BETWEEN ? AND ?`,
  );
  const conferences = store.query<{ date: string; s47: string | null }>(
    `SELECT f.date, (SELECT max(s.started_on) FROM sc_s47 s WHERE s.nhs_number = f.nhs_number AND s.started_on <= f.date) AS s47
     FROM sc_conference f JOIN sc_child c ON c.nhs_number = f.nhs_number
     WHERE c.la = ? AND f.kind = 'INITIAL' AND f.date BETWEEN ? AND ?`,
  );
  return ({ la, from, to }: FiguresRequest): WeekCounts[] => {
    const { count, weeks } = weekTally();
    const discussed = new Set<string>();
    for (const r of strategy(la, from, to)) {
      count(r.date, 'activity', 'STRATEGY_DISCUSSIONS');
      // Each child discussed counts once a week in the equality breakdown.
      const key = `${weekOf(r.date)}|${r.nhs}`;
      if (discussed.has(key)) continue;
      discussed.add(key);
      count(r.date, 'ageBand', band(ageOn(r.dob, r.date)));
      count(r.date, 'sex', r.sex ?? 'NOT_RECORDED');
      count(r.date, 'ethnicity', r.ethnicity ?? 'Not recorded');
    }
    for (const r of s47(la, from, to)) count(r.date, 'activity', 'SECTION_47_ENQUIRIES');
    for (const r of conferences(la, from, to)) {
      count(r.date, 'activity', 'INITIAL_CONFERENCES');
      if (r.s47) count(r.date, 's47ToConference', s47Band((Date.parse(r.date) - Date.parse(r.s47)) / 86_400_000));
    }
    return weeks();
  };
}
