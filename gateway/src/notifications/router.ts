import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { decodeJwt, importJWK, jwtVerify } from 'jose';
import { isNhsNumber, KEY_ALG, keyPaths, readPublicJwk, type Logger } from '@macpt/kit';
import {
  AGENCIES,
  childAttributes,
  NOTIFICATION_PURPOSE,
  RECIPIENT_KINDS,
  recipientUser,
  type NotificationRule,
  type PolicyEngine,
  type PolicyUser,
} from '@macpt/policies';
import type { RecordDraft } from '../disclosure/record.js';
import type { ChildFacts } from '../facts/child-facts.js';
import { dueBy } from './due.js';
import { type Address, addressKey, type InboxItem, type InboxStore } from './inbox.js';

/** One event from an agency's outbox. */
interface AgencyEvent {
  id: string;
  kind: string;
  nhsNumber: string;
  occurredAt: string;
  detail: Record<string, unknown>;
}

/** Why a delivery could not be made now: the event stays unacknowledged and the relay retries it. */
class NotYet extends Error {}

/** A batch refused whole: bad signature, unknown agency, malformed. */
export class EventsRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const idOf = (...parts: string[]) => createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);

/**
 * The notification router: takes agencies' signed events, finds who the partnership's rules say is told
 * (from the same relationship facts as queries), and puts one item per recipient per event in their
 * inbox, each recorded in the disclosure log before it can be seen (no record, no delivery: the event
 * waits). An event is acknowledged to its agency only when every delivery it calls for is made.
 */
export class NotificationRouter {
  constructor(
    private readonly deps: {
      rules: readonly NotificationRule[];
      inbox: InboxStore;
      keysDir: string;
      /** The facts of a child, asked of every agency with the gateway's own service context. */
      facts: (nhsNumber: string, requestId: string) => Promise<ChildFacts>;
      /** The one policy engine: who is told what, at delivery and whenever an item is read. */
      engine: PolicyEngine;
      record: (draft: RecordDraft) => Promise<unknown>;
      draft: (address: Address, rule: NotificationRule, extra: Partial<RecordDraft>, eventId: string) => RecordDraft;
      logger: Logger;
    },
  ) {}

  /** Verifies a signed batch of events and routes each; returns the ids it acknowledges. */
  async receive(token: unknown): Promise<string[]> {
    const { agency, events } = await this.verify(token);
    // Routed side by side: their fact look-ups share the gateway's batches, their records a group commit.
    const routed = await Promise.all(
      events.map((event) =>
        this.route(agency, event).then(
          () => event.id,
          (error: Error) => {
            this.deps.logger.warn(
              { event: event.id, agency, kind: event.kind, why: error.message },
              'notification not delivered yet: the event waits at its agency',
            );
            return null;
          },
        ),
      ),
    );
    return routed.filter((id): id is string => id !== null);
  }

  private async verify(token: unknown): Promise<{ agency: string; events: AgencyEvent[] }> {
    if (typeof token !== 'string')
      throw new EventsRefused(
        400,
        'EVENTS_MALFORMED',
        'Send {"events": "<JWT signed with your agency\'s events key>"}.',
      );
    let agency: unknown;
    try {
      agency = decodeJwt(token).agency;
    } catch {
      throw new EventsRefused(400, 'EVENTS_MALFORMED', 'The events are not a signed JWT.');
    }
    if (typeof agency !== 'string' || !(AGENCIES as readonly string[]).includes(agency))
      throw new EventsRefused(403, 'UNKNOWN_AGENCY', `"${String(agency)}" is not an agency of this partnership.`);
    const { publicFile } = keyPaths(this.deps.keysDir, `events-${agency}`);
    if (!existsSync(publicFile))
      throw new EventsRefused(403, 'NO_EVENTS_KEY', `No events key is registered for ${agency}.`);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, await importJWK(readPublicJwk(publicFile), KEY_ALG), {
        issuer: `events:${agency}`,
        maxTokenAge: '2m',
        algorithms: [KEY_ALG],
      }));
    } catch {
      throw new EventsRefused(403, 'BAD_SIGNATURE', `The events are not signed with ${agency}'s events key.`);
    }
    const events = payload.events;
    const wellFormed = (e: unknown): e is AgencyEvent => {
      const x = e as AgencyEvent;
      return (
        typeof x?.id === 'string' &&
        x.id.length > 0 &&
        typeof x.kind === 'string' &&
        typeof x.nhsNumber === 'string' &&
        isNhsNumber(x.nhsNumber) &&
        !Number.isNaN(Date.parse(x.occurredAt)) &&
        typeof x.detail === 'object' &&
        x.detail !== null
      );
    };
    if (!Array.isArray(events) || !events.every(wellFormed))
      throw new EventsRefused(
        400,
        'EVENTS_MALFORMED',
        'Each event needs id, kind, a valid nhsNumber, occurredAt and detail.',
      );
    return { agency, events };
  }

  /**
   * What `user` may be told now of an item delivered earlier, from the child's current facts (a later
   * decision not to share, or a worker no longer named, hides what it carried): the fields, or null.
   */
  toldNow(user: PolicyUser, item: InboxItem, facts: ChildFacts): string[] | null {
    const rule = this.deps.rules.find((r) => r.id === item.rule);
    if (!rule) return null;
    const told = this.deps.engine.notification(
      user,
      rule,
      item.kind,
      childAttributes(user, NOTIFICATION_PURPOSE, facts),
    );
    return told.told ? told.fields.filter((f) => f in item.fields) : null;
  }

  /**
   * What the item's own address may be told now (for a delivery that leaves later, e.g. by webhook), or
   * null; throws while an agency does not answer (not known yet: the delivery waits and is tried again).
   */
  async toldToAddressNow(item: InboxItem): Promise<string[] | null> {
    const facts = await this.deps.facts(item.nhsNumber, `event-${item.eventId}`);
    if (facts.unavailable.length > 0)
      throw new NotYet(`${facts.unavailable.join(', ')} did not answer: what may be told is not known`);
    const user = recipientUser(item.to, facts.openCase);
    return user ? this.toldNow(user, item, facts) : null;
  }

  private async route(agency: string, event: AgencyEvent): Promise<void> {
    const rules = this.deps.rules.filter((r) => r.agency === agency && event.kind in r.events);
    if (rules.length === 0) return; // nobody is told of this kind of event
    const facts = await this.deps.facts(event.nhsNumber, `event-${event.id}`);
    // Who is told, and what, rests on every agency's facts (cases, rolls, flags, decisions): wait for all.
    if (facts.unavailable.length > 0)
      throw new NotYet(`${facts.unavailable.join(', ')} did not answer: who may be told what is not known`);
    for (const rule of rules) {
      if (!this.deps.engine.notificationApplies(rule, facts.openCase?.stage ?? null, event.detail)) continue;
      for (const to of this.recipients(rule, facts)) {
        const user = recipientUser(to, facts.openCase);
        const told = user
          ? this.deps.engine.notification(user, rule, event.kind, childAttributes(user, NOTIFICATION_PURPOSE, facts))
          : null;
        if (!told?.told) {
          this.deps.logger.info(
            { event: event.id, rule: rule.id, recipient: addressKey(to), why: told?.rule ?? 'RECIPIENT_UNKNOWN' },
            'recipient not told: the sharing policies withhold it',
          );
          continue;
        }
        await this.deliver(agency, event, rule, to, facts, told.fields);
      }
    }
  }

  private recipients(rule: NotificationRule, facts: ChildFacts): Address[] {
    const out = new Map<string, Address>();
    const add = (a: Address) => out.set(addressKey(a), a);
    const kase = facts.openCase;
    for (const to of rule.to) {
      const kind = RECIPIENT_KINDS[to];
      if (kind.named) {
        for (const id of kase?.namedWorkers ?? [])
          if (!kind.role || kase?.namedWorkerRoles?.[id] === kind.role) add({ kind: 'user', id });
      } else if (kind.of === 'la' && kase?.la) add({ kind: 'role', role: kind.role, la: kase.la });
      else if (kind.of === 'school' && facts.schoolUrn) add({ kind: 'role', role: kind.role, school: facts.schoolUrn });
    }
    return [...out.values()];
  }

  private async deliver(
    agency: string,
    event: AgencyEvent,
    rule: NotificationRule,
    to: Address,
    facts: ChildFacts,
    allowed: readonly string[],
  ) {
    const id = idOf(event.id, rule.id, addressKey(to));
    if (await this.deps.inbox.has(id)) return; // delivered before: the relay retried
    // Minimum necessary: the rule's fields this recipient may read only (never a location), whatever the event carried.
    const fields = Object.fromEntries(
      allowed.filter((f) => event.detail[f] !== undefined).map((f) => [f, String(event.detail[f])]),
    );
    const due = dueBy(rule, event.occurredAt);
    const draft = this.deps.draft(
      to,
      rule,
      {
        children: [
          {
            nhsNumber: event.nhsNumber,
            disclosed: {
              [agency]: [
                ...new Set([rule.events[event.kind]!, ...Object.keys(fields).map((f) => rule.fields[f]!)]),
              ].sort(),
            },
            withheld: [],
            lawfulBasis: { [agency]: rule.lawfulBasis },
          },
        ],
        agencies: [agency],
        query: { rule: rule.id, eventId: event.id, event: event.kind, recipient: addressKey(to), dueBy: due },
      },
      event.id,
    );
    try {
      await this.deps.record(draft);
    } catch {
      throw new NotYet('the disclosure log did not take the record: no record, no delivery');
    }
    const item: InboxItem = {
      id,
      eventId: event.id,
      rule: rule.id,
      ruleName: rule.name,
      agency,
      kind: event.kind,
      nhsNumber: event.nhsNumber,
      la: facts.openCase?.la ?? null,
      occurredAt: event.occurredAt,
      deliveredAt: draft.time,
      dueBy: due,
      fields,
      lawfulBasis: rule.lawfulBasis,
      to,
      recordId: draft.id,
      acknowledgedAt: null,
      acknowledgedBy: null,
    };
    await this.deps.inbox.put(item);
  }
}
