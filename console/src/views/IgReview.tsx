import { useCallback, useEffect, useState } from 'react';
import BREAK_GLASS from '../../../gateway/operations/console-break-glass.graphql?raw';
import DISCLOSURES from '../../../gateway/operations/console-disclosures.graphql?raw';
import REVIEW from '../../../gateway/operations/console-review.graphql?raw';
import { call, type Failure } from '../api.js';
import {
  ConsoleBreakGlassDocument,
  type ConsoleBreakGlassQuery,
  ConsoleDisclosuresDocument,
  type ConsoleDisclosuresQuery,
  type DisclosureFilter,
  ConsoleReviewDocument,
} from '../generated/operations.js';
import { Table } from '../components/Table.js';
import { AgencyDecisions } from './AgencyDecisions.js';
import { IgOverview } from './IgOverview.js';
import { SchemaChanges } from './SchemaChanges.js';
import type { Session } from './SignIn.js';

type RecordRow = ConsoleDisclosuresQuery['disclosures']['records'][number];
const FILTERS: [keyof DisclosureFilter, string][] = [
  ['nhsNumber', 'NHS number'],
  ['userId', 'User'],
  ['agency', 'Agency'],
  ['purpose', 'Purpose'],
  ['outcome', 'Outcome'],
  ['from', 'From (ISO time)'],
  ['to', 'To (ISO time)'],
];

/** IG review: the disclosure log with every filter the API has, a record's detail, and the break-glass queue. */
export function IgReview({ session, onFailure }: { session: Session; onFailure: (f: Failure) => void }) {
  const asking = { token: session.token, purpose: 'IG_AUDIT' };
  const [filter, setFilter] = useState<Record<string, string>>({});
  const [breakGlassOnly, setBreakGlassOnly] = useState(false);
  const [page, setPage] = useState<ConsoleDisclosuresQuery['disclosures'] | null>(null);
  const [after, setAfter] = useState<string[]>([]);
  const [open, setOpen] = useState<RecordRow | null>(null);
  const [queue, setQueue] = useState<ConsoleBreakGlassQuery['breakGlassReviews']>([]);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(
    async (cursor: string | null) => {
      const f: DisclosureFilter = Object.fromEntries(
        Object.entries(filter)
          .filter(([, v]) => v.trim())
          .map(([k, v]) => [k, v.trim()]),
      );
      if (breakGlassOnly) f.breakGlass = true;
      const result = await call(ConsoleDisclosuresDocument, DISCLOSURES, { filter: f, after: cursor }, asking);
      if (!result.ok) return (onFailure(result.failure), setProblem(result.failure.message));
      setProblem(result.errors[0]?.message ?? null);
      setPage(result.data?.disclosures ?? null);
    },
    [filter, breakGlassOnly, session],
  );

  const loadQueue = useCallback(async () => {
    const result = await call(ConsoleBreakGlassDocument, BREAK_GLASS, {}, asking);
    if (result.ok) setQueue(result.data?.breakGlassReviews ?? []);
    else onFailure(result.failure);
  }, [session]);

  useEffect(() => {
    void load(null);
    void loadQueue();
  }, [session]);

  return (
    <>
      <h1 className="govuk-heading-l">Disclosure log</h1>
      <form
        className="macpt-no-print"
        onSubmit={(e) => {
          e.preventDefault();
          setAfter([]);
          void load(null);
        }}
      >
        <div className="macpt-filters">
          {FILTERS.map(([key, text]) => (
            <div key={key} className="govuk-form-group">
              <label className="govuk-label" htmlFor={`f-${key}`}>
                {text}
              </label>
              <input
                className="govuk-input"
                id={`f-${key}`}
                autoComplete="off"
                value={filter[key] ?? ''}
                onChange={(e) => setFilter({ ...filter, [key]: e.target.value })}
              />
            </div>
          ))}
        </div>
        <div className="govuk-checkboxes govuk-checkboxes--small govuk-!-margin-bottom-4">
          <div className="govuk-checkboxes__item">
            <input
              className="govuk-checkboxes__input"
              id="f-breakGlass"
              type="checkbox"
              checked={breakGlassOnly}
              onChange={(e) => setBreakGlassOnly(e.target.checked)}
            />
            <label className="govuk-label govuk-checkboxes__label" htmlFor="f-breakGlass">
              Break-glass only
            </label>
          </div>
        </div>
        <button type="submit" className="govuk-button">
          Search the log
        </button>
      </form>
      {problem && (
        <div className="govuk-inset-text" role="alert">
          {problem}
        </div>
      )}
      {page && (
        <Table
          caption="Records, newest first"
          columns={[
            { key: 'time', header: 'Time', cell: (r: RecordRow) => r.time, className: 'govuk-!-font-size-16' },
            {
              key: 'user',
              header: 'User',
              className: 'govuk-!-font-size-16',
              cell: (r: RecordRow) => (r.user ? `${r.user.id} (${r.user.role}, ${r.user.agency})` : 'unauthenticated'),
            },
            {
              key: 'purpose',
              header: 'Purpose',
              className: 'govuk-!-font-size-16',
              cell: (r: RecordRow) => (
                <>
                  {r.purpose ?? '—'}
                  {r.breakGlass && (
                    <strong className="govuk-tag govuk-tag--red govuk-!-margin-left-1">Break-glass</strong>
                  )}
                </>
              ),
            },
            {
              key: 'outcome',
              header: 'Outcome',
              className: 'govuk-!-font-size-16',
              cell: (r: RecordRow) => `${r.outcome}${r.reason ? ` (${r.reason})` : ''}`,
            },
            {
              key: 'children',
              header: 'Children',
              className: 'govuk-!-font-size-16',
              cell: (r: RecordRow) => r.children.length,
            },
            {
              key: 'details',
              header: '',
              cell: (r: RecordRow) => (
                <button
                  type="button"
                  className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                  onClick={() => setOpen(r)}
                >
                  Details<span className="govuk-visually-hidden"> of the record at {r.time}</span>
                </button>
              ),
            },
          ]}
          rows={page.records}
          rowKey={(r) => r.id}
        />
      )}
      {page && (
        <div className="govuk-button-group macpt-no-print">
          {after.length > 0 && (
            <button
              type="button"
              className="govuk-button govuk-button--secondary"
              onClick={() => {
                const back = after.slice(0, -1);
                setAfter(back);
                void load(back.at(-1) ?? null);
              }}
            >
              Newer records
            </button>
          )}
          {page.hasNextPage && page.endCursor && (
            <button
              type="button"
              className="govuk-button govuk-button--secondary"
              onClick={() => {
                setAfter([...after, page.endCursor!]);
                void load(page.endCursor!);
              }}
            >
              Older records
            </button>
          )}
        </div>
      )}
      {open && (
        <section aria-labelledby="record-title">
          <h2 className="govuk-heading-m" id="record-title">
            Record {open.id}
          </h2>
          <dl className="govuk-summary-list">
            {[
              ['Time', open.time],
              ['Kind', open.kind],
              [
                'User',
                open.user
                  ? `${open.user.id}, ${open.user.role}, ${open.user.agency}${open.user.la ? `, ${open.user.la}` : ''}`
                  : 'unauthenticated',
              ],
              ['Purpose', open.purpose ?? '—'],
              ['Justification', open.justification ?? '—'],
              ['Outcome', `${open.outcome}${open.reason ? ` (${open.reason})` : ''}`],
            ].map(([k, v]) => (
              <div key={k} className="govuk-summary-list__row">
                <dt className="govuk-summary-list__key">{k}</dt>
                <dd className="govuk-summary-list__value">{v}</dd>
              </div>
            ))}
          </dl>
          {open.children.map((c) => (
            <div key={c.nhsNumber}>
              <h3 className="govuk-heading-s">Child {c.nhsNumber}</h3>
              <ul className="govuk-list govuk-list--bullet">
                {c.disclosed.map((d) => (
                  <li key={d.agency}>
                    Disclosed by {d.agency}: {d.fields.join(', ')}
                  </li>
                ))}
                {c.withheld.map((w) => (
                  <li key={w.field}>
                    Withheld {w.field} ({w.agency}): {w.rule}, {w.class}
                  </li>
                ))}
                {c.lawfulBasis.map((l) => (
                  <li key={l.agency}>
                    Lawful basis, {l.agency}: {l.basis}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}
      <IgOverview session={session} onFailure={onFailure} />
      <SchemaChanges session={session} onFailure={onFailure} />
      <AgencyDecisions session={session} onFailure={onFailure} />
      <h2 className="govuk-heading-m">Break-glass waiting for review</h2>
      {queue.length === 0 ? (
        <p className="govuk-body">None waiting.</p>
      ) : (
        queue.map((item) => (
          <ReviewForm key={item.record.id} item={item} onReviewed={loadQueue} asking={asking} onFailure={onFailure} />
        ))
      )}
    </>
  );
}

function ReviewForm({
  item,
  onReviewed,
  asking,
  onFailure,
}: {
  item: ConsoleBreakGlassQuery['breakGlassReviews'][number];
  onReviewed: () => void;
  asking: { token: string; purpose: string };
  onFailure: (f: Failure) => void;
}) {
  const [outcome, setOutcome] = useState<'APPROPRIATE' | 'INAPPROPRIATE' | 'ESCALATED' | ''>('');
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const id = item.record.id;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!outcome || note.trim().length < 10)
      return setProblem('Choose an outcome and write a note of at least 10 characters');
    const result = await call(ConsoleReviewDocument, REVIEW, { id, outcome, note: note.trim() }, asking);
    if (!result.ok) return (onFailure(result.failure), setProblem(result.failure.message));
    if (result.errors[0]) return setProblem(result.errors[0].message);
    onReviewed();
  };
  return (
    <form className="govuk-!-margin-bottom-6" onSubmit={submit} aria-labelledby={`bg-${id}`}>
      <h3 className="govuk-heading-s" id={`bg-${id}`}>
        {item.record.user?.id} at {item.record.time}: “{item.record.justification}”
      </h3>
      {problem && <p className="govuk-error-message">{problem}</p>}
      <fieldset className="govuk-fieldset">
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Outcome</legend>
        <div className="govuk-radios govuk-radios--small govuk-radios--inline">
          {(['APPROPRIATE', 'INAPPROPRIATE', 'ESCALATED'] as const).map((o) => (
            <div key={o} className="govuk-radios__item">
              <input
                className="govuk-radios__input"
                id={`o-${id}-${o}`}
                type="radio"
                name={`o-${id}`}
                checked={outcome === o}
                onChange={() => setOutcome(o)}
              />
              <label className="govuk-label govuk-radios__label" htmlFor={`o-${id}-${o}`}>
                {o.charAt(0) + o.slice(1).toLowerCase()}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      <div className="govuk-form-group">
        <label className="govuk-label" htmlFor={`n-${id}`}>
          Review note
        </label>
        <textarea
          className="govuk-textarea"
          id={`n-${id}`}
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </div>
      <button type="submit" className="govuk-button">
        Record review
      </button>
    </form>
  );
}
