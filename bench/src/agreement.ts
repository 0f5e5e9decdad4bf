import { request } from 'undici';
import type { Contender } from './contenders.js';
import type { MixRequest, Operation } from './requests.js';

interface Answer {
  data?: unknown;
  errors?: { extensions?: { code?: string } }[];
}

async function ask(c: Contender, op: Operation, r: MixRequest): Promise<Answer> {
  const response = await request(c.url, { method: 'POST', headers: r.headers, body: c.body(op, r) });
  const text = await response.body.text();
  if (response.statusCode !== 200)
    throw new Error(`${c.id}) ${c.label} answered ${op} with HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Answer;
}

/**
 * Before anything is timed, every contender answers the same requests, and the answers must agree:
 * the ungoverned gateways (ours with policies off, stock Apollo, both Hive modes) return identical data
 * with no errors, and our governed modes return identical data to each other with policy refusals as
 * their only errors (subject-access reports read each gateway's own log, so only their errors are
 * checked). A contender that is fast because it answers wrongly fails the run here.
 */
export async function checkAgreement(contenders: Contender[], op: Operation, samples: MixRequest[]): Promise<void> {
  const groups = [
    ['c', 'd', 'e1', 'e2'],
    ['a', 'b', 'g'],
  ];
  for (const r of samples) {
    for (const ids of groups) {
      const members = contenders.filter((c) => ids.includes(c.id) && c.supports(op));
      let reference: { id: string; data: string } | null = null;
      for (const c of members) {
        const answer = await ask(c, op, r);
        const unexpected = (answer.errors ?? []).filter(
          (e) => !(ids.includes('a') && e.extensions?.code === 'FORBIDDEN_BY_POLICY'),
        );
        if (unexpected.length > 0)
          throw new Error(
            `${c.id}) ${c.label}: ${op} answered with errors ${JSON.stringify(unexpected).slice(0, 300)}`,
          );
        const data = JSON.stringify(answer.data);
        if (data === undefined || data === 'null') throw new Error(`${c.id}) ${c.label}: ${op} answered no data`);
        // A subject-access report reads each gateway's own log, which differ: only errors are checked.
        if (op !== 'SubjectAccessReport' && reference && reference.data !== data)
          throw new Error(`${c.id}) ${c.label} and ${reference.id}) disagree on ${op}`);
        reference ??= { id: c.id, data };
      }
    }
  }
}
