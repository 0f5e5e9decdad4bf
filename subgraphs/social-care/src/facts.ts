import type { SocialCareQueries } from './store/queries.js';

/** What the gateway learns from social care before applying policy: case stage and named workers. */
export interface SocialCareChildFacts {
  nhsNumber: string;
  known: boolean;
  la: string | null;
  confidentialLocation: boolean;
  openCase: { id: string; la: string; stage: string; namedWorkers: string[] } | null;
}

/** Social care's facts for a batch of children: three statements whatever the batch size. */
export function socialCareFacts(q: SocialCareQueries) {
  return (nhsNumbers: readonly string[]): SocialCareChildFacts[] => {
    const children = new Map(q.children(nhsNumbers).map((r) => [r.nhsNumber, r]));
    const open = q.casesByChild(nhsNumbers).filter((c) => c.status === 'OPEN');
    const workers = q.workers(open.map((c) => c.id));
    return nhsNumbers.map((nhsNumber) => {
      const child = children.get(nhsNumber);
      const kase = open.find((c) => c.nhsNumber === nhsNumber);
      return {
        nhsNumber,
        known: child !== undefined,
        la: child?.localAuthority ?? null,
        confidentialLocation: child?.confidentialLocation === 1,
        openCase: kase
          ? { id: kase.id, la: kase.localAuthority, stage: kase.stage, namedWorkers: workers.filter((w) => w.caseId === kase.id).map((w) => w.userId) }
          : null,
      };
    });
  };
}
