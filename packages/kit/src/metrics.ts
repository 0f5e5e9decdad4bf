import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Route } from './http-server.js';

/**
 * A process's Prometheus registry: Node's own metrics (CPU, memory, event-loop lag, GC) labelled with
 * the process's name, plus whatever the process registers on it.
 */
export function processMetrics(process: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry, prefix: 'macpt_' });
  return registry;
}

/** `GET /metrics` in Prometheus's text format (names and counts only: never a child's data). */
export function metricsRoute(registry: Registry): Record<string, Route> {
  return {
    '/metrics': async () => ({
      status: 200,
      body: await registry.metrics(),
      headers: { 'content-type': registry.contentType },
    }),
  };
}
