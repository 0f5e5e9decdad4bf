import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signDevToken } from '@macpt/gateway/dev-issuer';
import { REPO_ROOT } from '@macpt/dev';
import { generateWorld, hasLongHistory, type WorldOptions } from '@macpt/synthetic';

/** The query mix: the registered dashboard operations (gateway/operations/). */
export const OPERATIONS = ['ChildView', 'Chronology', 'Caseload', 'ConferencePack', 'SubjectAccessReport'] as const;
export type Operation = (typeof OPERATIONS)[number];

const FILES: Record<Operation, string> = {
  ChildView: 'child-view',
  Chronology: 'chronology',
  Caseload: 'caseload',
  ConferencePack: 'conference-pack',
  SubjectAccessReport: 'subject-access-report',
};

/** Each operation's exact registered text. */
export const OPERATION_TEXT = Object.fromEntries(
  OPERATIONS.map((op) => [op, readFileSync(join(REPO_ROOT, 'gateway', 'operations', `${FILES[op]}.graphql`), 'utf8')]),
) as Record<Operation, string>;

/** How many orders of each local authority's caseload the mix holds. */
const CASELOAD_ORDERS = 16;

/** One request of the mix: who asks, why, about which children. */
export interface MixRequest {
  headers: Record<string, string>;
  nhsNumbers: string[];
}

const PURPOSE: Record<string, string> = {
  STRATEGY_DISCUSSION: 'STRATEGY_DISCUSSION',
  SECTION_47: 'SECTION_47_ENQUIRY',
  CONFERENCE: 'CHILD_PROTECTION_CONFERENCE',
  CP_PLAN: 'CP_PLAN_REVIEW',
};

/**
 * Builds varied requests per operation from the seeded world: named workers asking about their own
 * cases with the purpose the case supports (personas and tokens rotate), LCPPs' caseloads (up to
 * `caseloadCap` children), conference packs, and IG leads' subject-access reports.
 */
export async function buildMix(
  world: WorldOptions,
  dataDir: string,
  limit = 400,
  caseloadCap = 500,
): Promise<Record<Operation, MixRequest[]> & { caseloadSize: number; caseloadSizes: number[] }> {
  const tokens = new Map<string, string>();
  const token = async (id: string, role: string, agency: string, la: string | null) => {
    if (!tokens.has(id))
      tokens.set(id, await signDevToken(dataDir, { sub: id, name: id, role, agency, la }, { ttl: '12h' }));
    return tokens.get(id)!;
  };
  const roleOf = (id: string): [string, string] =>
    id.startsWith('lcpp-')
      ? ['LCPP', 'social-care']
      : id.startsWith('sw-')
        ? ['SOCIAL_WORKER', 'social-care']
        : id.startsWith('police-')
          ? ['MACPT_POLICE', 'police']
          : id.startsWith('health-')
            ? ['MACPT_HEALTH', 'health']
            : ['MACPT_EDUCATION', 'education'];
  const cases: { nhs: string; la: string; stage: string; workers: string[] }[] = [];
  /** The world's long case: ten years of events from every agency (its chronology is the one measured). */
  let long: (typeof cases)[number] | null = null;
  for (const household of generateWorld(world)) {
    for (const c of household.children)
      if (hasLongHistory(c))
        long = { nhs: c.nhsNumber, la: household.la, stage: c.socialCare!.stage!, workers: c.socialCare!.namedWorkers };
    for (const c of household.children)
      if (c.socialCare?.caseId && c.socialCare.stage !== 'REFERRAL')
        cases.push({
          nhs: c.nhsNumber,
          la: household.la,
          stage: c.socialCare.stage!,
          workers: c.socialCare.namedWorkers,
        });
  }
  const h = (t: string, purpose: string) => ({
    authorization: `Bearer ${t}`,
    'x-purpose-of-use': purpose,
    'content-type': 'application/json',
  });
  const childView: MixRequest[] = [];
  for (const [i, c] of cases.slice(0, limit).entries()) {
    const worker = c.workers[i % c.workers.length]!;
    const [role, agency] = roleOf(worker);
    childView.push({ headers: h(await token(worker, role, agency, c.la), PURPOSE[c.stage]!), nhsNumbers: [c.nhs] });
  }
  // The long case's chronology, asked by each worker named on it in turn, with the purpose its case supports.
  const chronology: MixRequest[] = [];
  if (long && PURPOSE[long.stage])
    for (const worker of long.workers) {
      const [role, agency] = roleOf(worker);
      chronology.push({
        headers: h(await token(worker, role, agency, long.la), PURPOSE[long.stage]!),
        nhsNumbers: [long.nhs],
      });
    }
  // Each local authority's caseload in several orders (each from a different child on), interleaved: as many
  // children and the same work a request, but no two requests of the mix alike. With a handful of identical
  // requests, gateways that merge identical subgraph calls in flight at once (Hive Gateway does, by default)
  // would be measured on a coincidence real traffic rarely offers.
  const orders: MixRequest[][] = [];
  const caseloadSizes: number[] = [];
  for (const la of ['LEICESTER', 'LEICESTERSHIRE', 'RUTLAND']) {
    const mine = cases
      .filter((c) => c.la === la)
      .map((c) => c.nhs)
      .slice(0, caseloadCap);
    if (mine.length === 0) continue;
    caseloadSizes.push(mine.length);
    const headers = h(await token(`lcpp-${la.toLowerCase()}`, 'LCPP', 'social-care', la), 'STRATEGY_DISCUSSION');
    orders.push(
      Array.from({ length: Math.min(CASELOAD_ORDERS, mine.length) }, (_, from) => ({
        headers,
        nhsNumbers: [...mine.slice(from), ...mine.slice(0, from)],
      })),
    );
  }
  const caseload: MixRequest[] = [];
  for (let k = 0; k < CASELOAD_ORDERS; k++) for (const la of orders) if (la[k]) caseload.push(la[k]!);
  const caseloadSize = Math.max(0, ...caseloadSizes);
  const conference = cases.filter((c) => c.stage === 'CONFERENCE' || c.stage === 'CP_PLAN').slice(0, limit);
  const conferencePack: MixRequest[] = [];
  for (const c of conference)
    conferencePack.push({
      headers: h(await token(`lcpp-${c.la.toLowerCase()}`, 'LCPP', 'social-care', c.la), 'CHILD_PROTECTION_CONFERENCE'),
      nhsNumbers: [c.nhs],
    });
  const ig: MixRequest[] = [];
  for (const [i, c] of cases.slice(0, limit).entries()) {
    const agency = ['social-care', 'health', 'police', 'education'][i % 4]!;
    ig.push({ headers: h(await token(`ig-${agency}`, 'IG_LEAD', agency, null), 'IG_AUDIT'), nhsNumbers: [c.nhs] });
  }
  return {
    ChildView: childView,
    Chronology: chronology,
    Caseload: caseload,
    ConferencePack: conferencePack,
    SubjectAccessReport: ig,
    caseloadSize,
    caseloadSizes,
  };
}

/** The GraphQL body of a request of the mix. */
export function graphqlBody(op: Operation, r: MixRequest): string {
  const variables = op === 'Caseload' ? { nhsNumbers: r.nhsNumbers } : { nhsNumber: r.nhsNumbers[0] };
  return JSON.stringify({ query: OPERATION_TEXT[op], operationName: op, variables });
}
