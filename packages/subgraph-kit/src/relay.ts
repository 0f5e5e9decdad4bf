import { importJWK, SignJWT, type JWK } from 'jose';
import { KEY_ALG, type Logger } from '@macpt/kit';
import { markDelivered, pendingEvents } from './outbox.js';
import type { SqlStore } from './store.js';

/**
 * Delivers the agency's outbox to the gateway's notification router, signed with the agency's events
 * key, until each event is acknowledged: nothing is lost while the router, Redis or the network is
 * down (the events wait in the outbox), and a retried event is delivered once (the router keys on its id).
 */
export function startRelay(deps: {
  agency: string;
  store: SqlStore;
  url: string;
  key: JWK;
  logger: Logger;
  intervalMs?: number;
}): { stop: () => Promise<void> } {
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const signing = importJWK(deps.key, KEY_ALG);
  const tick = async () => {
    const events = pendingEvents(deps.store, deps.agency, 100);
    if (events.length === 0) return void (failures = 0);
    const token = await new SignJWT({ agency: deps.agency, events })
      .setProtectedHeader({ alg: KEY_ALG })
      .setIssuer(`events:${deps.agency}`)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(await signing);
    try {
      const response = await fetch(deps.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: token }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json().catch(() => ({}))) as {
        acknowledged?: string[];
        error?: { message: string };
      };
      if (body.acknowledged?.length) markDelivered(deps.store, body.acknowledged);
      if (!response.ok || (body.acknowledged?.length ?? 0) < events.length) {
        failures++;
        if (failures === 1 || failures % 20 === 0)
          deps.logger.warn(
            {
              status: response.status,
              waiting: events.length - (body.acknowledged?.length ?? 0),
              why: body.error?.message,
            },
            'notification router did not take every event: they wait in the outbox and are retried',
          );
      } else failures = 0;
    } catch (error) {
      failures++;
      if (failures === 1 || failures % 20 === 0)
        deps.logger.warn(
          { err: (error as Error).message },
          'notification router unreachable: events wait in the outbox',
        );
    }
  };
  const schedule = () => {
    if (stopped) return;
    // Back off while the router is away (up to 5 s), straight back to the short interval once it answers.
    const wait = Math.min(5_000, (deps.intervalMs ?? 100) * 2 ** Math.min(failures, 5));
    timer = setTimeout(() => {
      running = tick().finally(schedule);
    }, wait);
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
