import { codedError } from '@macpt/kit';
import {
  entryRefusal,
  NOTIFICATION_PURPOSE,
  overdueListRefusal,
  type NotificationRule,
  type PolicyEngine,
} from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import { admitChild, refusedAt } from '../directory/admission.js';
import type { ChildFacts } from '../facts/child-facts.js';
import { addressesOf, addressKey, type InboxItem, type InboxStore } from './inbox.js';
import type { NotificationRouter } from './router.js';

const MAX_PAGE = 200;

/** What the inbox resolvers need. */
export interface NotificationDeps {
  inbox: InboxStore;
  router: Pick<NotificationRouter, 'toldNow'>;
  engine: PolicyEngine;
  rules: readonly NotificationRule[];
  /** Writes the request's record before it acts, charged to the user's limits; rejects (RATE_LIMITED, or the log down) and nothing is done. */
  recordBeforeActing: (ctx: GatewayContext, operation: string) => Promise<void>;
}

/** GraphQL shape of an inbox item, carrying only `fields` of what it holds. */
function present(item: InboxItem, fields: readonly string[], now: number) {
  return {
    ...item,
    title: item.ruleName,
    event: item.kind,
    overdue: !item.acknowledgedAt && Date.parse(item.dueBy) < now,
    fields: fields.map((name) => ({ name, value: item.fields[name]! })),
    recipient: addressKey(item.to),
  };
}

const readerOf = (ctx: GatewayContext) => ({
  id: ctx.user.id,
  role: ctx.user.role,
  la: ctx.user.la,
  school: ctx.user.school ?? null,
});

/** The children's facts of a list of items, one look-up per child (null where it failed). */
async function factsOf(ctx: GatewayContext, items: readonly InboxItem[]): Promise<Map<string, ChildFacts | null>> {
  const nhsNumbers = [...new Set(items.map((i) => i.nhsNumber))];
  const facts = await ctx.facts.loadMany(nhsNumbers);
  return new Map(nhsNumbers.map((n, i) => [n, facts[i] instanceof Error ? null : (facts[i] as ChildFacts)]));
}

/**
 * Resolvers of the inbox: each reader sees the items addressed to them, each decided again as it is read
 * (by the same engine, with the child's current facts: a later decision not to share, or a worker no
 * longer named, hides what it carried), let in through the one door to a child and recorded.
 */
export function notificationResolvers(deps: NotificationDeps) {
  const { inbox, router, engine } = deps;

  /** The reader's items they may still be told of, with what each may still carry. */
  const readable = async (ctx: GatewayContext, items: readonly InboxItem[]) => {
    // Whoever may open no child records for the purpose they state (an IG lead, IG_AUDIT) reads no inbox.
    const refusal = entryRefusal(ctx.user, ctx.purpose);
    if (refusal) throw refusedAt(refusal);
    const facts = await factsOf(ctx, items);
    const out: { item: InboxItem; fields: string[] }[] = [];
    for (const item of items) {
      const f = facts.get(item.nhsNumber);
      const fields = f && f.unavailable.length === 0 ? router.toldNow(ctx.user, item, f) : null;
      if (fields) out.push({ item, fields });
    }
    return out;
  };

  /** Lets the children of the items shown in, counted and recorded with what each item told. */
  const shown = async (ctx: GatewayContext, list: readonly { item: InboxItem; fields: string[] }[]) => {
    const kept: { item: InboxItem; fields: string[] }[] = [];
    for (const entry of list) {
      const admitted = await admitChild(ctx, entry.item.nhsNumber, { purpose: NOTIFICATION_PURPOSE });
      if (admitted instanceof Error) continue;
      const rule = deps.rules.find((r) => r.id === entry.item.rule);
      const subject = rule?.events[entry.item.kind];
      ctx.ledger.tell(entry.item.nhsNumber, entry.item.agency, [
        ...(subject ? [subject] : []),
        ...entry.fields.map((f) => rule?.fields[f] ?? f),
      ]);
      kept.push(entry);
    }
    return kept;
  };

  return {
    Query: {
      notifications: async (
        _: unknown,
        args: { first?: number | null; after?: string | null; unreadOnly?: boolean | null },
        ctx: GatewayContext,
      ) => {
        const first = Math.min(Math.max(args.first ?? 50, 1), MAX_PAGE);
        const all = await readable(ctx, await inbox.forReader(readerOf(ctx)));
        const listed = args.unreadOnly ? all.filter((e) => !e.item.acknowledgedAt) : all;
        const start = args.after ? listed.findIndex((e) => e.item.id === args.after) + 1 : 0;
        if (args.after && start === 0)
          throw codedError('BAD_USER_INPUT', 'after: no such cursor in your notifications.');
        const page = await shown(ctx, listed.slice(start, start + first));
        const now = Date.now();
        return {
          items: page.map((e) => present(e.item, e.fields, now)),
          unread: all.filter((e) => !e.item.acknowledgedAt).length,
          endCursor: page.at(-1)?.item.id ?? null,
          hasNextPage: start + first < listed.length,
        };
      },
      overdueNotifications: async (_: unknown, _args: unknown, ctx: GatewayContext) => {
        const refusal = overdueListRefusal(ctx.user, ctx.purpose);
        if (refusal) throw refusedAt(refusal);
        const now = Date.now();
        // Read from the index of what is outstanding (not acknowledged) about the LA's children, earliest due first.
        const late = ctx.user.la ? await inbox.overdue(ctx.user.la, now) : [];
        const out = [];
        // That an item about a child is late says the child had such an event: decided as that field would be.
        for (const item of late) {
          const subject = deps.rules.find((r) => r.id === item.rule)?.events[item.kind];
          const admitted = subject ? await admitChild(ctx, item.nhsNumber) : null;
          if (!admitted || admitted instanceof Error) continue;
          if (!engine.decide(ctx.user, ctx.purpose, subject!, admitted.attributes).allowed) continue;
          ctx.ledger.tell(item.nhsNumber, item.agency, [subject!]);
          // That an item is late, to whom and under which rule; what it says stays with its recipient.
          out.push(present(item, [], now));
        }
        return out;
      },
    },
    Mutation: {
      acknowledgeNotification: async (_: unknown, args: { id: string }, ctx: GatewayContext) => {
        const item = await inbox.get(args.id);
        const mine = item && addressesOf(readerOf(ctx)).includes(addressKey(item.to));
        // Someone else's notification, or one the reader may no longer be told of, answers as one that does not exist.
        const [told] = mine ? await shown(ctx, await readable(ctx, [item])) : [];
        if (!told) throw codedError('NOT_FOUND', `You have no notification with id ${JSON.stringify(args.id)}.`);
        // On the record, and within the user's limits, before anything changes.
        await deps.recordBeforeActing(ctx, 'acknowledgeNotification');
        const acknowledged = await inbox.acknowledge(told.item.id, ctx.user.id, new Date().toISOString());
        return present(acknowledged!, told.fields, Date.now());
      },
    },
  };
}
