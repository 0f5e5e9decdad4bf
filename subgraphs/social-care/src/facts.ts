import type { AgencyFacts, CaseFact, CaseQuery } from '@macpt/contract';
import type { SocialCareQueries } from './store/queries.js';

/** What the gateway learns from social care before applying policy: case stage, named workers, placement flags. */
export function socialCareFacts(q: SocialCareQueries) {
  return (nhsNumbers: readonly string[]): AgencyFacts[] => {
    const children = new Map(q.children(nhsNumbers).map((r) => [r.nhsNumber, r]));
    const open = q.casesByChild(nhsNumbers).filter((c) => c.status === 'OPEN');
    const workers = q.workers(open.map((c) => c.id));
    return nhsNumbers.map((nhsNumber) => {
      const child = children.get(nhsNumber);
      const kase = open.find((c) => c.nhsNumber === nhsNumber);
      const named = kase ? workers.filter((w) => w.caseId === kase.id) : [];
      return {
        nhsNumber,
        known: child !== undefined,
        uprn: child?.uprn ?? null,
        confidentialLocation: child?.locationFlagged === 1,
        openCase: kase
          ? {
              id: kase.id,
              la: kase.localAuthority,
              stage: kase.stage,
              namedWorkers: named.map((w) => w.userId),
              namedWorkerRoles: Object.fromEntries(named.map((w) => [w.userId, w.role])),
            }
          : null,
      };
    });
  };
}

/**
 * The case facts the gateway's directory asks for before it opens `case(id)` or `cases(la)`: each case's
 * child and LA, so that who may see a case is decided from the same facts as for `child()`.
 */
export function caseFacts(q: SocialCareQueries) {
  return (query: CaseQuery): CaseFact[] => {
    const rows = 'ids' in query ? q.casesById(query.ids) : q.casesByLa(query.la, query.status);
    return rows.map((r) => ({ id: r.id, nhsNumber: r.nhsNumber, la: r.localAuthority, status: r.status }));
  };
}
