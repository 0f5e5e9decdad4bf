import { createHmac } from 'node:crypto';
import type { Logger } from '@macpt/kit';
import type { RecordDraft } from '../disclosure/record.js';
import type { InboxItem, InboxStore } from './inbox.js';

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

/**
 * Sends each notification under a webhook's rules to the agency's own system once per event: recorded in
 * the disclosure log first, POSTed with an HMAC signature and an idempotency key, retried with backoff
 * (1 s doubling to 5 min) until the receiver answers 2xx. What is sent is kept with the inbox, so a
 * restarted gateway carries on where it stopped; the idempotency key lets the receiver drop a repeat.
 */
export function startWebhooks(deps: {
  webhooks: readonly Webhook[];
  inbox: InboxStore;
  /** What the item's address may be told now (decided again as it leaves), or null: then it does not leave. */
  toldNow: (item: InboxItem) => Promise<string[] | null>;
  record: (draft: RecordDraft) => Promise<unknown>;
  draft: (webhook: Webhook, item: InboxItem, fields: string[]) => RecordDraft;
  logger: Logger;
  scanMs?: number;
}): { stop: () => void } {
  const recorded = new Set<string>();
  const attempts = new Map<string, { count: number; next: number }>();
  const busy = new Set<string>();
  const keyOf = (w: Webhook, item: InboxItem) => `${w.name}|${item.eventId}|${item.rule}`;

  const send = async (w: Webhook, item: InboxItem) => {
    const key = keyOf(w, item);
    const due = attempts.get(key);
    if (busy.has(key) || (due && due.next > Date.now()) || (await deps.inbox.wasSent(key))) return;
    busy.add(key);
    try {
      // Decided again as it leaves: a later decision not to share, or a worker no longer named, stops it.
      const told = await deps.toldNow(item);
      if (!told) {
        await deps.inbox.markSent(key);
        deps.logger.info(
          { webhook: w.name, key },
          'webhook delivery withheld: the sharing policies no longer allow it',
        );
        return;
      }
      if (!recorded.has(key)) {
        await deps.record(deps.draft(w, item, told)); // no record, no delivery: it waits for the next scan
        recorded.add(key);
      }
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
      await deps.inbox.markSent(key);
      attempts.delete(key);
    } catch (error) {
      const count = (due?.count ?? 0) + 1;
      attempts.set(key, { count, next: Date.now() + Math.min(300_000, 1_000 * 2 ** (count - 1)) });
      if (count === 1 || count % 10 === 0)
        deps.logger.warn(
          { webhook: w.name, key, attempt: count, why: (error as Error).message },
          'webhook not delivered; retrying',
        );
    } finally {
      busy.delete(key);
    }
  };

  const offer = (item: InboxItem) => {
    for (const w of deps.webhooks) if (w.rules.includes(item.rule)) void send(w, item);
  };
  deps.inbox.arrivals.on('item', offer);
  // Retries, and whatever a restart interrupted: everything under a webhook's rules not yet accepted.
  const scan = setInterval(() => {
    void deps.inbox.all().then(
      (items) => items.forEach(offer),
      () => undefined,
    );
  }, deps.scanMs ?? 1_000);
  scan.unref();
  return {
    stop: () => {
      clearInterval(scan);
      deps.inbox.arrivals.off('item', offer);
    },
  };
}
