import { codedError } from '@macpt/kit';
import type { GatewayContext } from '../context.js';
import { addressesOf, addressKey, type InboxItem, type InboxStore } from './inbox.js';

const MAX_PAGE = 200;

/** GraphQL shape of an inbox item. */
function present(item: InboxItem, now: number) {
  return {
    ...item,
    title: item.ruleName,
    event: item.kind,
    overdue: !item.acknowledgedAt && Date.parse(item.dueBy) < now,
    fields: Object.entries(item.fields).map(([name, value]) => ({ name, value })),
    recipient: addressKey(item.to),
  };
}

const readerOf = (ctx: GatewayContext) => ({
  id: ctx.user.id,
  role: ctx.user.role,
  la: ctx.user.la,
  school: ctx.user.school ?? null,
});

/** Resolvers of the inbox: each reader sees the items addressed to them, and nothing else. */
export function notificationResolvers(inbox: InboxStore) {
  return {
    Query: {
      notifications: async (
        _: unknown,
        args: { first?: number | null; after?: string | null; unreadOnly?: boolean | null },
        ctx: GatewayContext,
      ) => {
        const first = Math.min(Math.max(args.first ?? 50, 1), MAX_PAGE);
        const all = await inbox.forReader(readerOf(ctx));
        const listed = args.unreadOnly ? all.filter((i) => !i.acknowledgedAt) : all;
        const start = args.after ? listed.findIndex((i) => i.id === args.after) + 1 : 0;
        if (args.after && start === 0)
          throw codedError('BAD_USER_INPUT', 'after: no such cursor in your notifications.');
        const page = listed.slice(start, start + first);
        const now = Date.now();
        return {
          items: page.map((i) => present(i, now)),
          unread: all.filter((i) => !i.acknowledgedAt).length,
          endCursor: page.at(-1)?.id ?? null,
          hasNextPage: start + first < listed.length,
        };
      },
      overdueNotifications: async (_: unknown, _args: unknown, ctx: GatewayContext) => {
        if (ctx.user.role !== 'LCPP' || !ctx.user.la)
          throw codedError('BAD_USER_INPUT', "overdueNotifications: for an LA's LCPP only.");
        const now = Date.now();
        return (
          (await inbox.all())
            .filter((i) => i.la === ctx.user.la && !i.acknowledgedAt && Date.parse(i.dueBy) < now)
            .sort((a, b) => a.dueBy.localeCompare(b.dueBy))
            // That an item is late, to whom and under which rule; what it says stays with its recipient.
            .map((i) => ({ ...present(i, now), fields: [] }))
        );
      },
    },
    Mutation: {
      acknowledgeNotification: async (_: unknown, args: { id: string }, ctx: GatewayContext) => {
        const item = await inbox.get(args.id);
        // Someone else's notification answers as one that does not exist.
        if (!item || !addressesOf(readerOf(ctx)).includes(addressKey(item.to)))
          throw codedError('NOT_FOUND', `You have no notification with id ${JSON.stringify(args.id)}.`);
        return present((await inbox.acknowledge(item.id, ctx.user.id, new Date().toISOString()))!, Date.now());
      },
    },
  };
}
