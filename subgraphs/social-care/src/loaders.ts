import DataLoader from 'dataloader';
import { codedError } from '@macpt/kit';
import { listLoader, oneByKey, rowLoader } from '@macpt/subgraph-kit';
import type { CaseRow, SocialCareQueries } from './store/queries.js';

/** Social care's per-request DataLoaders: one SQL statement per table per batch of children. */
export function createLoaders(q: SocialCareQueries) {
  const byChild = <Row extends { nhsNumber: string }>(run: (keys: readonly string[]) => Row[]) =>
    listLoader(run, (r) => r.nhsNumber);
  return {
    // A child social care has never worked with has no row: null, not an error.
    record: rowLoader(q.children, (r) => r.nhsNumber),
    casesByChild: byChild(q.casesByChild),
    caseById: new DataLoader<string, CaseRow>(async (keys) =>
      oneByKey(keys, q.casesById(keys), (r) => r.id).map(
        (row, i) => row ?? codedError('NOT_FOUND', `No MACPT case has id ${JSON.stringify(keys[i])}`),
      ),
    ),
    workers: listLoader(q.workers, (r) => r.caseId),
    referrals: byChild(q.referrals),
    strategy: byChild(q.strategy),
    s47: byChild(q.s47),
    conferences: byChild(q.conferences),
    cpPlan: rowLoader(q.cpPlans, (r) => r.nhsNumber),
    caseNotes: byChild(q.caseNotes),
  };
}

export type SocialCareLoaders = ReturnType<typeof createLoaders>;
