import { useEffect, useState } from 'react';
import type { ApiError, Failure } from '../api.js';
import type { ConsoleChildQuery } from '../generated/operations.js';
import { ChronologyPanel } from './Chronology.js';
import { DecisionsTable, OwnDecisions, type DecisionRow } from './SharingDecisions.js';
import type { Session } from './SignIn.js';
import { Why } from './Why.js';
import { Table } from '../components/Table.js';
import { CHILD_SECTIONS, recordOf } from '../rules.js';

const label = (key: string) =>
  key
    .replace(/([A-Z])/g, ' $1')
    .replace(/^./, (c) => c.toUpperCase())
    .replace(/\bCp\b/, 'CP')
    .replace(/\bAe\b/, 'A&E');
const at = (errors: ApiError[], path: (string | number)[]) =>
  errors.find((e) => JSON.stringify(e.path) === JSON.stringify(path));

/** A withheld field, shown as withheld with its rule and class: never as blank, never as "none". */
function Withheld({ error }: { error: ApiError }) {
  const { rule, class: cls, agency } = error.extensions ?? {};
  return (
    <span className="macpt-withheld">
      <strong className="govuk-tag govuk-tag--grey">Withheld</strong> by {agency} policy: {String(rule)} ({String(cls)})
      <span className="govuk-visually-hidden">. {error.message}</span>
    </span>
  );
}

/** A field's value as read: a list of records as a table (captioned for screen readers), a record as lines. */
function Value({ value, caption }: { value: unknown; caption: string }) {
  if (value === null || value === undefined) return <span className="macpt-withheld">Not recorded</span>;
  if (typeof value === 'boolean') return <>{value ? 'Yes' : 'No'}</>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <>None</>;
    if (typeof value[0] !== 'object') return <>{value.join(', ')}</>;
    const columns = Object.keys(value[0] as object);
    return (
      <Table
        caption={caption}
        captionSize="hidden"
        className="govuk-!-margin-bottom-0"
        columns={columns.map((c) => ({
          key: c,
          header: label(c),
          headerClassName: 'govuk-!-font-size-16',
          className: 'govuk-!-font-size-16',
          cell: (row: unknown) => <Value value={(row as Record<string, unknown>)[c]} caption={label(c)} />,
        }))}
        rows={value}
        rowKey={(_, i) => String(i)}
      />
    );
  }
  if (typeof value === 'object')
    return (
      <>
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <span key={k} className="govuk-!-display-block">
            {label(k)}: <Value value={v} caption={label(k)} />
          </span>
        ))}
      </>
    );
  return <>{String(value)}</>;
}

/** One agency's panel: its fields, each shown, withheld, or missing because the agency did not answer. */
function Section({
  title,
  agency,
  path,
  value,
  errors,
}: {
  title: string;
  agency: string;
  path: (string | number)[];
  value: unknown;
  errors: ApiError[];
}) {
  const unavailable = errors.find((e) => e.extensions?.code === 'AGENCY_UNAVAILABLE' && e.extensions.agency === agency);
  const withheld = at(errors, path);
  let body: React.ReactNode;
  if (unavailable && (value === null || value === undefined)) {
    body = (
      <div className="govuk-inset-text">
        <strong>{agency} did not answer — its information is missing, not empty.</strong> {unavailable.message}
      </div>
    );
  } else if (withheld?.extensions?.code === 'FORBIDDEN_BY_POLICY') {
    body = (
      <p className="govuk-body">
        <Withheld error={withheld} />
      </p>
    );
  } else if (value === null || value === undefined) {
    body = <p className="govuk-body">{title} holds no record of this child.</p>;
  } else if (Array.isArray(value)) {
    body = (
      <div className="govuk-body">
        <Value value={value} caption={title} />
      </div>
    );
  } else {
    const fields = Object.entries(value as Record<string, unknown>);
    body = (
      <dl className="govuk-summary-list">
        {fields.map(([key, v]) => {
          const error = at(errors, [...path, key]);
          return (
            <div key={key} className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">{label(key)}</dt>
              <dd className="govuk-summary-list__value">
                {error?.extensions?.code === 'FORBIDDEN_BY_POLICY' ? (
                  <Withheld error={error} />
                ) : (
                  <Value value={v} caption={label(key)} />
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    );
  }
  return (
    <section aria-labelledby={`panel-${path.join('-')}`}>
      <h2 className="govuk-heading-m" id={`panel-${path.join('-')}`}>
        {title}
      </h2>
      {body}
    </section>
  );
}

/** Decisions not to share: that they exist (others'), and the user's own agency's to keep, withdraw or record. */
function Decisions({
  session,
  asked,
  child,
  decisions,
  errors,
  onChanged,
  onFailure,
}: {
  session: Session;
  asked: { nhs: string; purpose: string };
  child: Record<string, unknown>;
  decisions: DecisionRow[] | null;
  errors: ApiError[];
  onChanged: (message: string) => void;
  onFailure: (f: Failure) => void;
}) {
  const failed = at(errors, ['sharingDecisions']);
  const mine = (decisions ?? []).filter((d) => d.agency === session.user.agency);
  const others = (decisions ?? []).filter((d) => d.agency !== session.user.agency);
  const ownKey = recordOf(session.user.agency)?.field;
  const own = ownKey ? child[ownKey] : null;
  const fields =
    own && typeof own === 'object' && !Array.isArray(own)
      ? Object.keys(own).filter((k) => !['name', 'dateOfBirth', 'nhsNumber'].includes(k))
      : [];
  return (
    <section aria-labelledby="decisions-title">
      <h2 className="govuk-heading-m" id="decisions-title">
        Decisions not to share
      </h2>
      {failed ? (
        <div className="govuk-inset-text">
          <strong>Decisions cannot be listed just now.</strong> {failed.message}
        </div>
      ) : others.length > 0 ? (
        <DecisionsTable
          decisions={others}
          caption="Other agencies have decided not to share some information they hold (what it is stays with them)"
        />
      ) : (
        <p className="govuk-body">
          No decision by another agency not to share information about this child is shown to you.
        </p>
      )}
      {!failed && fields.length > 0 && asked.purpose !== 'EMERGENCY' && (
        <OwnDecisions
          session={session}
          purpose={asked.purpose}
          nhsNumber={asked.nhs}
          decisions={mine}
          fields={fields}
          onChanged={onChanged}
          onFailure={onFailure}
        />
      )}
    </section>
  );
}

/** The child view: one panel per agency, stamped (for printing) with who asked, when and why. */
export function ChildView({
  session,
  asked,
  data,
  errors,
  onFailure,
  onChanged,
  message,
}: {
  session: Session;
  asked: { nhs: string; purpose: string; justification?: string };
  data: ConsoleChildQuery | null;
  errors: ApiError[];
  onFailure: (f: Failure) => void;
  /** A decision not to share was recorded or reviewed here: the view is asked again. */
  onChanged: (message: string) => void;
  /** What the last change did, shown as a success banner. */
  message: string | null;
}) {
  useEffect(() => {
    performance.mark('macpt:rendered');
  }, []);
  const [why, setWhy] = useState(false);
  const [printedAt] = useState(() => new Date().toLocaleString('en-GB'));
  const child = data?.child as Record<string, unknown> | null | undefined;
  const refused = at(errors, ['child']);
  return (
    <div className="govuk-!-margin-top-6">
      {!child ? (
        <div className="govuk-inset-text" role="status">
          <h2 className="govuk-heading-m">No record you may see</h2>
          <p className="govuk-body">{refused?.message ?? 'Nothing was returned.'}</p>
        </div>
      ) : (
        <>
          <span className="govuk-caption-l">NHS number {asked.nhs}</span>
          <h1 className="govuk-heading-l">What each agency shares for this purpose</h1>
          <p className="govuk-body-s">
            Purpose of use: {asked.purpose}. Printed by {session.user.name} ({session.user.id}) on {printedAt}. Every
            disclosure on this page is recorded.
          </p>
          {message && (
            <div
              className="govuk-notification-banner govuk-notification-banner--success"
              role="alert"
              aria-labelledby="changed-title"
            >
              <div className="govuk-notification-banner__header">
                <h2 className="govuk-notification-banner__title" id="changed-title">
                  Success
                </h2>
              </div>
              <div className="govuk-notification-banner__content">
                <p className="govuk-notification-banner__heading">{message}</p>
              </div>
            </div>
          )}
          <div className="macpt-panels">
            {CHILD_SECTIONS.filter((s) => s.field in child).map(({ field, title, agency }) => (
              <Section
                key={field}
                title={title}
                agency={agency}
                path={['child', field]}
                value={child[field]}
                errors={errors}
              />
            ))}
          </div>
          <ChronologyPanel chronology={data?.child?.chronology ?? null} kinds={data?.chronologyKinds ?? []} />
          <Decisions
            session={session}
            asked={asked}
            child={child}
            decisions={data?.sharingDecisions ?? null}
            errors={errors}
            onChanged={onChanged}
            onFailure={onFailure}
          />
        </>
      )}
      <div className="macpt-why macpt-no-print">
        {child && (
          <button type="button" className="govuk-button govuk-!-margin-right-2" onClick={() => window.print()}>
            Print (conference pack)
          </button>
        )}
        <button
          type="button"
          className="govuk-button govuk-button--secondary"
          aria-expanded={why}
          onClick={() => setWhy(!why)}
        >
          Why? What I may see, and the rule for each
        </button>
        {why && <Why session={session} asked={asked} onFailure={onFailure} />}
      </div>
    </div>
  );
}
