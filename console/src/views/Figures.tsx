import { useEffect, useState } from 'react';
import { Table } from '../components/Table.js';
import { ErrorSummary } from './ErrorSummary.js';
import FIGURES from '../../../gateway/operations/console-figures.graphql?raw';
import { call, type Failure } from '../api.js';
import { ConsoleFiguresDocument, type ConsoleFiguresQuery } from '../generated/operations.js';
import type { Session } from './SignIn.js';

type Figures = ConsoleFiguresQuery['partnershipFigures'];
type FigureTable = Figures['tables'][number];
type Row = FigureTable['rows'][number];

const SPANS: [periods: number, text: string][] = [
  [1, 'This period (4 weeks)'],
  [3, 'Last 3 periods (12 weeks)'],
  [6, 'Last 6 periods (24 weeks)'],
  [13, 'Last 13 periods (a year)'],
];

/** A key as words: STRATEGY_DISCUSSIONS → "Strategy discussions". */
const words = (key: string) =>
  key === 'TOTAL'
    ? 'Total'
    : key
        .replace(/_/g, ' ')
        .toLowerCase()
        .replace(/^./, (c) => c.toUpperCase())
        .replace(/\bcp\b/, 'CP');
const when = (iso: string) =>
  new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });

/** One table: a bar per row (the total of what is shown), then the weekly figures behind it. */
function FiguresTable({ table, figures }: { table: FigureTable; figures: Figures }) {
  const rowName = (r: Row) => (table.name === 'requests' || table.name === 'ethnicity' ? r.key : words(r.key));
  const rows = table.rows.filter((r) => r.key !== 'TOTAL');
  const total = table.rows.find((r) => r.key === 'TOTAL');
  const max = Math.max(1, ...rows.map((r) => r.total));
  const weeks = figures.periods.flatMap((p) => p.weeks);
  return (
    <section aria-labelledby={`table-${table.name}`} className="govuk-!-margin-bottom-8">
      <h2 className="govuk-heading-m" id={`table-${table.name}`}>
        {table.title}
      </h2>
      <p className="govuk-body-s">
        From {table.source}.
        {total
          ? ` Total shown: ${total.total}${total.suppressedPeriods ? ` (and ${total.suppressedPeriods} period${total.suppressedPeriods > 1 ? 's' : ''} under 5)` : ''}.`
          : ''}
      </p>
      {rows.length === 0 ? (
        <p className="govuk-body">None in these weeks.</p>
      ) : (
        <Table
          className="macpt-chart"
          caption={`${table.title}: totals of the figures shown`}
          captionSize="hidden"
          columns={[
            {
              key: 'name',
              header: table.name === 'requests' ? 'Agency · purpose' : 'Category',
              rowHeader: true,
              cell: rowName,
            },
            {
              key: 'shown',
              header: 'Shown',
              numeric: true,
              cell: (r: Row) => (
                <>
                  {r.total}
                  {r.suppressedPeriods > 0 && <span className="govuk-body-s"> + {r.suppressedPeriods} × &lt;5</span>}
                </>
              ),
            },
            {
              key: 'chart',
              header: <span className="govuk-visually-hidden">Chart</span>,
              headerClassName: 'macpt-chart__bar-cell',
              className: 'macpt-chart__bar-cell',
              cell: (r: Row) => (
                <span aria-hidden="true">
                  <span className="macpt-chart__bar" style={{ width: `${(85 * r.total) / max}%` }} />
                  {r.suppressedPeriods > 0 && <span className="macpt-chart__bar macpt-chart__bar--small" />}
                </span>
              ),
            },
          ]}
          rows={rows}
          rowKey={(r) => r.key}
        />
      )}
      {rows.length > 0 && (
        <details className="govuk-details">
          <summary className="govuk-details__summary">
            <span className="govuk-details__summary-text">Weekly figures</span>
          </summary>
          <div className="govuk-details__text macpt-scroll">
            <Table
              className="govuk-!-font-size-16"
              caption={`${table.title}, week by week (weeks starting)`}
              columns={[
                { key: 'name', header: 'Category', rowHeader: true, cell: rowName },
                ...weeks.map((w, i) => ({ key: w, header: when(w), numeric: true, cell: (r: Row) => r.weeks[i] })),
              ]}
              rows={table.rows}
              rowKey={(r) => r.key}
            />
          </div>
        </details>
      )}
    </section>
  );
}

/**
 * Partnership figures for the user's own LA: counts only, small numbers suppressed by the gateway, over
 * whole four-week periods. For the LCPP and the safeguarding partnership board.
 */
export function FiguresPage({ session, onFailure }: { session: Session; onFailure: (f: Failure) => void }) {
  const [span, setSpan] = useState(3);
  const [figures, setFigures] = useState<Figures | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // Figures open no child record: the purpose stated is oversight of the partnership's work (IG_AUDIT).
  const asking = { token: session.token, purpose: 'IG_AUDIT' };
  const la = session.user.la ?? '';
  const to = new Date().toISOString().slice(0, 10);
  // A date in the period `span - 1` periods back: the gateway widens it to whole periods, so `span` of them.
  const from = new Date(Date.now() - (span - 1) * 28 * 86_400_000).toISOString().slice(0, 10);

  useEffect(() => {
    setFigures(null);
    void call(ConsoleFiguresDocument, FIGURES, { la, from, to }, asking).then((r) => {
      if (!r.ok) return (onFailure(r.failure), setProblem(r.failure.message));
      setProblem(r.errors[0]?.message ?? null);
      setFigures(r.data?.partnershipFigures ?? null);
    });
  }, [session, span]);

  const download = async () => {
    const response = await fetch(`/figures.csv?la=${encodeURIComponent(la)}&from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${session.token}`, 'x-purpose-of-use': asking.purpose },
      cache: 'no-store',
    });
    if (!response.ok) return setProblem(`The download was refused (HTTP ${response.status}).`);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = `partnership-figures-${la.toLowerCase()}-${from}-${to}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <>
      <span className="govuk-caption-l">{la}</span>
      <h1 className="govuk-heading-l">Partnership figures</h1>
      <p className="govuk-body">
        Counts for the local authority's multi-agency child protection work, from social care's records, the disclosure
        log and notifications. No child is named. Counts of 1 to 4 are shown as “&lt;5”, and another count beside each
        is held back too, so none can be worked out; totals add up only what is shown. Your viewing is recorded.
      </p>
      <div className="govuk-form-group macpt-no-print">
        <label className="govuk-label govuk-label--s" htmlFor="span">
          Weeks
        </label>
        <select className="govuk-select" id="span" value={span} onChange={(e) => setSpan(Number(e.target.value))}>
          {SPANS.map(([n, text]) => (
            <option key={n} value={n}>
              {text}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="govuk-button govuk-button--secondary govuk-!-margin-left-2 govuk-!-margin-bottom-0"
          onClick={() => void download()}
        >
          Download CSV
        </button>
      </div>
      {problem && <ErrorSummary problems={problem} />}
      {figures && (
        <>
          <p className="govuk-body-s">
            {when(figures.from)} {figures.from.slice(0, 4)} to {when(figures.to)} {figures.to.slice(0, 4)}:{' '}
            {figures.periods.length} four-week period{figures.periods.length > 1 ? 's' : ''}.
          </p>
          {figures.unavailable.length > 0 && (
            <div className="govuk-warning-text">
              <span className="govuk-warning-text__icon" aria-hidden="true">
                !
              </span>
              <strong className="govuk-warning-text__text">
                <span className="govuk-visually-hidden">Warning</span>
                {figures.unavailable.join(', ')} did not answer: its figures are missing, not zero.
              </strong>
            </div>
          )}
          {figures.tables.map((t) => (
            <FiguresTable key={t.name} table={t} figures={figures} />
          ))}
        </>
      )}
    </>
  );
}
