import { createHmac } from 'node:crypto';
import type { Logger } from '@macpt/kit';
import type { RecordDraft } from '../disclosure/record.js';
import type { Delivery, InboxItem, InboxStore } from './inbox.js';

/** An agency's own system that takes some rules' notifications. */
export interface Webhook {
  name: string;
  agency: string;
  url: string;
  secret: string;
  rules: string[];
}

/** The signature a receiver checks: HMAC-SHA256 of the exact body with the shared secret. */
export const webhookSignature = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Most deliveries of one webhook a tick takes up. */
const BATCH = 100;
/** How long an attempt may hold a delivery: past the POST's own 10 s, the facts' and the record's deadlines. */
const LEASE_MS = 60_000;

/** When to try again after `attempts` failures: 1 s doubling to 5 min. */
const nextAttempt = (attempts: number, now = Date.now()) => now + Math.min(300_000, 1_000 * 2 ** (attempts - 1));

/**
 * Sends each notification under a webhook's rules to the agency's own system once per event: recorded in
 * the disclosure log first, POSTed with an HMAC signature and an idempotency key, retried with backoff
 * (1 s doubling to 5 min) until the receiver answers 2xx. The work comes from the inbox's own pending
 * set (queued with each item, kept in the inbox's store), so each tick reads what is due, never the
 * inbox's history, and a restarted gateway carries on where it stopped; one gateway at a time attempts
 * a delivery; the idempotency key lets the receiver drop a repeat.
 */
export function startWebhooks(deps: {
  webhooks: readonly Webhook[];
  inbox: Pick<InboxStore, 'arrivals' | 'deliveries'>;
  /** What the item's address may be told now (decided again as it leaves), or null: then it does not leave. */
  toldNow: (item: InboxItem) => Promise<string[] | null>;
  record: (draft: RecordDraft) => Promise<unknown>;
  draft: (webhook: Webhook, item: InboxItem, fields: string[]) => RecordDraft;
  logger: Logger;
  scanMs?: number;
  leaseMs?: number;
}): { stop: () => Promise<void>; tick: () => Promise<void> } {
  const queue = deps.inbox.deliveries;
  const byName = new Map(deps.webhooks.map((w) => [w.name, w]));
  /** Recorded by this gateway, not yet accepted: a retry here is not recorded again. */
  const recorded = new Set<string>();
  const busy = new Set<string>();
  /** Attempts under way: stopping waits for them, so none is left sent but not marked sent. */
  const attempts = new Set<Promise<void>>();

  const post = async (w: Webhook, item: InboxItem, key: string, told: string[]) => {
    const fields = Object.fromEntries(told.map((f) => [f, item.fields[f]]));
    const body = JSON.stringify({
      idempotencyKey: key,
      rule: item.rule,
      title: item.ruleName,
      agency: item.agency,
      event: item.kind,
      nhsNumber: item.nhsNumber,
      occurredAt: item.occurredAt,
      dueBy: item.dueBy,
      fields,
      lawfulBasis: item.lawfulBasis,
    });
    const response = await fetch(w.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        'x-macpt-signature': webhookSignature(w.secret, body),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  };

  const settle = async (key: string) => {
    await queue.settle(key, Date.now());
    recorded.delete(key);
  };

  const attempt = async ({ key, webhook, item }: Delivery) => {
    const w = byName.get(webhook);
    if (!w || busy.has(key)) return;
    busy.add(key);
    try {
      if (!(await queue.claim(key, Date.now(), deps.leaseMs ?? LEASE_MS))) return;
      try {
        // Checked once claimed: another gateway may have delivered it since it was seen as due.
        if (await queue.wasSent(key)) return await settle(key);
        if (!item) {
          deps.logger.warn({ webhook: w.name, key }, 'webhook delivery dropped: its item has left the inbox');
          return await settle(key);
        }
        // Decided again as it leaves: a later decision not to share, or a worker no longer named, stops it.
        const told = await deps.toldNow(item);
        if (!told) {
          deps.logger.info(
            { webhook: w.name, key },
            'webhook delivery withheld: the sharing policies no longer allow it',
          );
          return await settle(key);
        }
        if (!recorded.has(key)) {
          await deps.record(deps.draft(w, item, told)); // no record, no delivery: it waits for the next attempt
          recorded.add(key);
        }
        await post(w, item, key, told);
        await settle(key);
      } catch (error) {
        const count = await queue.retry(key, (n) => nextAttempt(n)).catch(() => 0);
        if (count <= 1 || count % 10 === 0)
          deps.logger.warn(
            { webhook: w.name, key, attempt: count, why: (error as Error).message },
            'webhook not delivered; retrying',
          );
      }
    } catch {
      // The store did not answer the claim: the delivery stays due, for the next tick.
    } finally {
      busy.delete(key);
    }
  };

  let ticking = false;
  let again = false;
  /** Takes up the deliveries due now (each attempted on its own; the tick does not wait for them). */
  const tick = async () => {
    if (ticking) {
      again = true;
      return;
    }
    ticking = true;
    try {
      do {
        again = false;
        for (const delivery of await queue.due(Date.now(), BATCH)) {
          const running = attempt(delivery);
          attempts.add(running);
          void running.finally(() => attempts.delete(running));
        }
      } while (again);
    } catch {
      // The store did not answer: the next tick tries again.
    } finally {
      ticking = false;
    }
  };
  // An arrival, at this gateway or another, is taken up at once; retries, and whatever a restart interrupted, by the tick.
  const kick = () => void tick();
  deps.inbox.arrivals.on('item', kick);
  const scan = setInterval(kick, deps.scanMs ?? 1_000);
  scan.unref();
  return {
    tick,
    stop: async () => {
      clearInterval(scan);
      deps.inbox.arrivals.off('item', kick);
      await Promise.allSettled([...attempts]);
    },
  };
}
