import { join } from 'node:path';
import { healthEvents } from '@macpt/health/events';
import { SqlStore } from '@macpt/subgraph-kit';
import { generateWorld, type WorldOptions } from '@macpt/synthetic';

/** What the notification phase measured: event → inbox latency under the query mix, and a burst's rate. */
export interface NotificationFigures {
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  burst: { events: number; seconds: number; perSecond: number };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** CP-plan children health knows, with their LA (the LCPP of the LA is told of their A&E attendances). */
function childrenOnPlan(world: WorldOptions, wanted: number): { nhs: string; la: string }[] {
  const out: { nhs: string; la: string }[] = [];
  for (const household of generateWorld(world)) {
    for (const c of household.children)
      if (c.socialCare?.stage === 'CP_PLAN' && c.health) out.push({ nhs: c.nhsNumber, la: household.la });
    if (out.length >= wanted) break;
  }
  return out;
}

/**
 * A&E attendances of children on a plan, written into health's store (record and outbox event in one
 * transaction, as health's system would), delivered by health's relay to the governed gateway's router,
 * while `underLoad` runs the query mix; then a burst with nothing else running. Latency is each item's
 * `deliveredAt` (recorded in the log, in the inbox) minus its event's `occurredAt` (committed at health).
 */
export async function measureNotifications(opts: {
  gatewayUrl: string;
  dataDir: string;
  world: WorldOptions;
  tokenFor: (persona: string) => Promise<string>;
  underLoad: () => Promise<unknown>;
  events: number;
  perSecond: number;
}): Promise<NotificationFigures> {
  const store = new SqlStore(join(opts.dataDir, 'health.db'));
  store.db.pragma('busy_timeout = 5000');
  const targets = childrenOnPlan(opts.world, 50);
  if (targets.length === 0) throw new Error('no child on a CP plan known to health in this world');
  const emit = (n: number) =>
    healthEvents['ae-attendance']!(store, targets[n % targets.length]!.nhs, new Date().toISOString());
  const las = [...new Set(targets.map((t) => t.la))];

  const inboxes = async () => {
    const items = new Map<string, { occurredAt: string; deliveredAt: string }>();
    for (const la of las) {
      const token = await opts.tokenFor(`lcpp-${la.toLowerCase()}`);
      const response = await fetch(opts.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-purpose-of-use': 'CP_PLAN_REVIEW',
        },
        body: JSON.stringify({ query: '{ notifications(first: 200) { items { id occurredAt deliveredAt } } }' }),
      });
      const body = (await response.json()) as {
        data?: { notifications: { items: { id: string; occurredAt: string; deliveredAt: string }[] } };
      };
      for (const i of body.data?.notifications.items ?? []) items.set(i.id, i);
    }
    return items;
  };
  const waitFor = async (count: number, before: Set<string>) => {
    const until = Date.now() + 60_000;
    for (;;) {
      const fresh = [...(await inboxes())].filter(([id]) => !before.has(id)).map(([, i]) => i);
      if (fresh.length >= count || Date.now() > until) return fresh;
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  try {
    const seen = new Set((await inboxes()).keys());
    const load = opts.underLoad();
    for (let n = 0; n < opts.events; n++) {
      emit(n);
      await new Promise((r) => setTimeout(r, 1000 / opts.perSecond));
    }
    await load;
    const delivered = await waitFor(opts.events, seen);
    const latencies = delivered.map((i) => Date.parse(i.deliveredAt) - Date.parse(i.occurredAt)).sort((a, b) => a - b);

    const before = new Set((await inboxes()).keys());
    const burst = Math.min(150, opts.events * 2);
    for (let n = 0; n < burst; n++) emit(n);
    const burstItems = await waitFor(burst, before);
    const first = Math.min(...burstItems.map((i) => Date.parse(i.occurredAt)));
    const last = Math.max(...burstItems.map((i) => Date.parse(i.deliveredAt)));
    const seconds = (last - first) / 1000;
    return {
      events: latencies.length,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.at(-1) ?? 0,
      burst: { events: burstItems.length, seconds, perSecond: burstItems.length / seconds },
    };
  } finally {
    store.close();
  }
}
