import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { decodeJwt, importJWK, jwtVerify } from 'jose';
import { isNhsNumber, KEY_ALG, keyPaths, readPublicJwk, type Logger } from '@macpt/kit';
import { AGENCIES, LOCATION_FIELDS, type NotificationRule } from '@macpt/policies';
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
      /** The agency that runs MACPT cases (open case, named workers, LA). */
      caseAgency: () => string | undefined;
      /** Whether a standing decision of `agency` not to share withholds SAFEGUARDING information (what events carry). */
      withheldByDecision: (agency: string, facts: ChildFacts) => boolean;
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

  private async route(agency: string, event: AgencyEvent): Promise<void> {
    const rules = this.deps.rules.filter((r) => r.agency === agency && r.events.includes(event.kind));
    if (rules.length === 0) return; // nobody is told of this kind of event
    const facts = await this.deps.facts(event.nhsNumber, `event-${event.id}`);
    if (facts.unavailable.includes(agency))
      throw new NotYet(`${agency} did not answer: whether it decided not to share is not known`);
    if (this.deps.withheldByDecision(agency, facts)) {
      // The agency decided not to share this kind of information about the child: its events are not told either.
      this.deps.logger.info({ event: event.id, agency, rule: 'DECISION_NOT_TO_SHARE' }, 'event not routed');
      return;
    }
    const caseAgency = this.deps.caseAgency();
    const caseUnknown = !caseAgency || facts.unavailable.includes(caseAgency);
    for (const rule of rules) {
      const needsCase = rule.when === 'child-on-cp-plan' || rule.to.some((t) => t !== 'SCHOOL_DSL');
      if (needsCase && caseUnknown)
        throw new NotYet(`${caseAgency ?? 'the case agency'} did not answer: who to tell is not known`);
      if (rule.to.includes('SCHOOL_DSL') && facts.unavailable.includes('education'))
        throw new NotYet("education did not answer: the child's school is not known");
      if (rule.when === 'child-on-cp-plan' && facts.openCase?.stage !== 'CP_PLAN') continue;
      if (rule.when === 'child-present' && event.detail.childPresent !== true) continue;
      for (const to of this.recipients(rule, facts)) await this.deliver(agency, event, rule, to, facts);
    }
  }

  private recipients(rule: NotificationRule, facts: ChildFacts): Address[] {
    const out = new Map<string, Address>();
    const add = (a: Address) => out.set(addressKey(a), a);
    const la = facts.openCase?.la;
    for (const to of rule.to) {
      if (to === 'NAMED_WORKERS') for (const id of facts.openCase?.namedWorkers ?? []) add({ kind: 'user', id });
      if (to === 'LCPP_OF_LA' && la) add({ kind: 'role', role: 'LCPP', la });
      if (to === 'MACPT_HEALTH_OF_LA' && la) add({ kind: 'role', role: 'MACPT_HEALTH', la });
      if (to === 'SCHOOL_DSL' && facts.schoolUrn) add({ kind: 'role', role: 'SCHOOL_DSL', school: facts.schoolUrn });
    }
    return [...out.values()];
  }

  private async deliver(agency: string, event: AgencyEvent, rule: NotificationRule, to: Address, facts: ChildFacts) {
    const id = idOf(event.id, rule.id, addressKey(to));
    if (await this.deps.inbox.has(id)) return; // delivered before: the relay retried
    // Minimum necessary: the rule's fields only, and never a location, whatever the event carried.
    const fields = Object.fromEntries(
      rule.fields
        .filter((f) => !LOCATION_FIELDS.has(f) && event.detail[f] !== undefined)
        .map((f) => [f, String(event.detail[f])]),
    );
    const due = dueBy(rule, event.occurredAt);
    const draft = this.deps.draft(
      to,
      rule,
      {
        children: [
          {
            nhsNumber: event.nhsNumber,
            disclosed: { [agency]: Object.keys(fields).map((f) => `${event.kind}.${f}`) },
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
