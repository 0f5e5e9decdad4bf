import { processMetrics } from '@macpt/kit';
import { Gauge, type Registry } from 'prom-client';
import type { SqlStore } from './store.js';

/** An agency process's metrics: Node's own, and the events waiting in its outbox (the relay's backlog). */
export function subgraphMetrics(agency: string, store: SqlStore): Registry {
  const registry = processMetrics(agency);
  const pending = store.db.prepare('SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL');
  new Gauge({
    name: 'macpt_outbox_pending',
    help: 'Events recorded by the agency and not yet acknowledged by the gateway',
    registers: [registry],
    collect() {
      this.set((pending.get() as { n: number }).n);
    },
  });
  return registry;
}
