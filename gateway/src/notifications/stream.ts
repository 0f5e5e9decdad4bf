import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayContext } from '../context.js';
import { addressesOf, addressKey, type InboxItem, type InboxStore } from './inbox.js';
import type { NotificationRouter } from './router.js';

/** How often an idle stream says it is still there (proxies close silent connections). */
const KEEP_ALIVE_MS = 25_000;

/**
 * `GET /notifications/stream`: Server-Sent Events telling a signed-in reader that an item has arrived
 * in their inbox (its id, rule and title only: what it says is read through the API, where it was
 * recorded when delivered). Authenticated, purpose-checked, and its opening recorded and charged to the
 * user's rate limits like any request (429 past a limit, 503 when the log cannot be written).
 */
export function notificationStream(deps: {
  inbox: InboxStore;
  router: Pick<NotificationRouter, 'toldNow'>;
  context: (req: IncomingMessage) => Promise<GatewayContext>;
  /** Records the stream's opening, charged to the user's limits; rejects past a limit or when the log cannot be written. */
  recordOpening: (ctx: GatewayContext) => Promise<void>;
}): Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  return {
    '/notifications/stream': async (req, res) => {
      let ctx: GatewayContext;
      try {
        ctx = await deps.context(req);
        await deps.recordOpening(ctx);
      } catch (error) {
        const e = error as { message: string; extensions?: { code?: string; http?: { status?: number } } };
        res
          .writeHead(e.extensions?.http?.status ?? 401, {
            'content-type': 'application/json',
            'cache-control': 'no-store',
          })
          .end(JSON.stringify({ errors: [{ message: e.message, extensions: { code: e.extensions?.code } }] }));
        return;
      }
      const mine = new Set(
        addressesOf({ id: ctx.user.id, role: ctx.user.role, la: ctx.user.la, school: ctx.user.school ?? null }),
      );
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      const send = async (item: InboxItem) => {
        if (!mine.has(addressKey(item.to))) return;
        // Decided again for this reader, with the child's facts now: an item they may not read is not announced.
        // The stream outlives its request: its loader must not serve facts it looked up earlier.
        const facts = await ctx.facts
          .clear(item.nhsNumber)
          .load(item.nhsNumber)
          .catch(() => null);
        if (!facts || facts.unavailable.length > 0 || !deps.router.toldNow(ctx.user, item, facts)) return;
        const summary = { id: item.id, rule: item.rule, title: item.ruleName, deliveredAt: item.deliveredAt };
        res.write(`event: notification\nid: ${item.id}\ndata: ${JSON.stringify(summary)}\n\n`);
      };
      const announce = (item: InboxItem) => void send(item);
      deps.inbox.arrivals.on('item', announce);
      const beat = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      req.on('close', () => {
        deps.inbox.arrivals.off('item', announce);
        clearInterval(beat);
      });
    },
  };
}
