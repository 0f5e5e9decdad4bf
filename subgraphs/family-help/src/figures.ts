import { weekTally, type FigureTableSpec, type FiguresRequest, type WeekCounts } from '@macpt/contract';
import type { SqlStore } from '@macpt/subgraph-kit';

/** The tables Family Help's counts fill, as the partnership figures show them (the gateway knows none). */
export const FAMILY_HELP_FIGURE_TABLES: FigureTableSpec[] = [
  {
    name: 'familyHelpWork',
    title: 'Family Help: plans started and early help assessments (families)',
    partition: false,
    keys: ['PLANS_STARTED', 'EARLY_HELP_ASSESSMENTS'],
  },
  {
    name: 'familyHelpSteps',
    title: "Family Help: families stepped up to children's social care, or down from it",
    partition: true,
    keys: ['STEP_UP', 'STEP_DOWN'],
  },
];

/** Family Help's counts for an LA's partnership figures, per week, by family (counts only). */
export function familyHelpFigures(store: SqlStore) {
  const plans = store.query<{ date: string }>(
    'SELECT plan_start AS date FROM fh_family WHERE la = ? AND plan_start BETWEEN ? AND ?',
  );
  const assessments = store.query<{ date: string }>(
    `SELECT a.date FROM fh_assessment a JOIN fh_family f ON f.family_id = a.family_id
     WHERE f.la = ? AND a.date BETWEEN ? AND ?`,
  );
  const steps = store.query<{ date: string; direction: string }>(
    `SELECT t.date, t.direction FROM fh_transition t JOIN fh_family f ON f.family_id = t.family_id
     WHERE f.la = ? AND t.date BETWEEN ? AND ?`,
  );
  return ({ la, from, to }: FiguresRequest): WeekCounts[] => {
    const { count, weeks } = weekTally();
    for (const r of plans(la, from, to)) count(r.date, 'familyHelpWork', 'PLANS_STARTED');
    for (const r of assessments(la, from, to)) count(r.date, 'familyHelpWork', 'EARLY_HELP_ASSESSMENTS');
    for (const r of steps(la, from, to)) count(r.date, 'familyHelpSteps', r.direction);
    return weeks();
  };
}
