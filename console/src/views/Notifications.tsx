import { useCallback, useEffect, useState } from 'react';
import ACKNOWLEDGE from '../../../gateway/operations/console-acknowledge.graphql?raw';
import NOTIFICATIONS from '../../../gateway/operations/console-notifications.graphql?raw';
import { call, type Failure } from '../api.js';
import {
  ConsoleAcknowledgeDocument,
  ConsoleNotificationsDocument,
  type ConsoleNotificationsQuery,
} from '../generated/operations.js';
import { opensChildRecords } from '../rules.js';
import { INBOX_PURPOSE, useNotificationStream } from '../stream.js';
import type { Session } from './SignIn.js';

type Inbox = ConsoleNotificationsQuery['notifications'];

/** A field's name as a person reads it (`injuryCode` → "Injury code"). */
const label = (name: string) => {
  const words = name.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * The signed-in reader's inbox (none for an IG lead), reloaded when the stream tells of an arrival and
 * after an acknowledgement; forgotten at sign-out.
 */
export function useInbox(session: Session | null, onFailure: (f: Failure) => void) {
  const [inbox, setInbox] = useState<Inbox | null>(null);
  const reader = session && opensChildRecords(session.user.role) ? session : null;
  const reload = useCallback(() => {
    if (!reader) return setInbox(null);
    void call(ConsoleNotificationsDocument, NOTIFICATIONS, {}, { token: reader.token, purpose: INBOX_PURPOSE }).then(
      (r) => (r.ok ? setInbox(r.data?.notifications ?? null) : onFailure(r.failure)),
    );
  }, [reader, onFailure]);
  useEffect(reload, [reload]);
  useNotificationStream(reader?.token ?? null, reload);
  return { inbox, reload };
}

/** The inbox: what the partnership's rules told this reader, newest first, each to be marked read. */
export function Notifications({
  session,
  inbox,
  reload,
  onFailure,
}: {
  session: Session;
  inbox: Inbox | null;
  reload: () => void;
  onFailure: (f: Failure) => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const acknowledge = async (id: string) => {
    const r = await call(
      ConsoleAcknowledgeDocument,
      ACKNOWLEDGE,
      { id },
      { token: session.token, purpose: INBOX_PURPOSE },
    );
    if (!r.ok) return (onFailure(r.failure), setProblem(r.failure.message));
    if (r.errors[0]) return setProblem(r.errors[0].message);
    reload();
  };
  if (!inbox) return <p className="govuk-body">Loading…</p>;
  return (
    <>
      <h1 className="govuk-heading-l">Notifications</h1>
      <p className="govuk-body">
        {inbox.unread === 0 ? 'Nothing unread.' : `${inbox.unread} unread.`} New ones appear here as they arrive.
      </p>
      {problem && <p className="govuk-error-message">{problem}</p>}
      {inbox.items.length === 0 && <p className="govuk-body">No notifications.</p>}
      {inbox.items.map((n) => (
        <section key={n.id} className="govuk-!-margin-bottom-6" aria-labelledby={`n-${n.id}`}>
          <h2 className="govuk-heading-s" id={`n-${n.id}`}>
            {n.title}{' '}
            {n.acknowledgedAt ? (
              <strong className="govuk-tag govuk-tag--grey">Read</strong>
            ) : n.overdue ? (
              <strong className="govuk-tag govuk-tag--red">Overdue</strong>
            ) : (
              <strong className="govuk-tag govuk-tag--blue">New</strong>
            )}
          </h2>
          <dl className="govuk-summary-list govuk-summary-list--no-border">
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">NHS number</dt>
              <dd className="govuk-summary-list__value">{n.nhsNumber}</dd>
            </div>
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">From</dt>
              <dd className="govuk-summary-list__value">
                {n.agency} ({n.event}), {n.occurredAt.slice(0, 16).replace('T', ' ')}
              </dd>
            </div>
            {n.fields.map((f) => (
              <div className="govuk-summary-list__row" key={f.name}>
                <dt className="govuk-summary-list__key">{label(f.name)}</dt>
                <dd className="govuk-summary-list__value">{f.value}</dd>
              </div>
            ))}
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Due by</dt>
              <dd className="govuk-summary-list__value">
                {new Date(n.dueBy).toLocaleString('en-GB', { timeZone: 'Europe/London' })}
              </dd>
            </div>
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Lawful basis</dt>
              <dd className="govuk-summary-list__value govuk-!-font-size-16">{n.lawfulBasis}</dd>
            </div>
          </dl>
          {!n.acknowledgedAt && (
            <button
              type="button"
              className="govuk-button govuk-button--secondary"
              onClick={() => void acknowledge(n.id)}
            >
              Mark as read<span className="govuk-visually-hidden">: {n.title}</span>
            </button>
          )}
        </section>
      ))}
    </>
  );
}
