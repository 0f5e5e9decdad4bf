import { useId, useMemo, useState } from 'react';
import type { ConsoleChildQuery } from '../generated/operations.js';
import { ErrorSummary } from './ErrorSummary.js';

type Chronology = NonNullable<NonNullable<ConsoleChildQuery['child']>['chronology']>;
type Entry = Chronology['entries'][number];
type Kind = ConsoleChildQuery['chronologyKinds'][number];

/** GOV.UK tag colours, given to agencies in the order the gateway lists them (no agency is named here). */
const TAG_COLOURS = ['blue', 'green', 'purple', 'orange', 'turquoise', 'pink', 'yellow', 'red'];

/** An agency's id as words: `social-care` → `Social care`. */
export const agencyName = (agency: string) => {
  const words = agency.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (value: string) =>
  DATE.test(value) &&
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
  new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;

/** The filters a practitioner sets: the problems of a date range, by field id, or null when it is sound. */
export function rangeProblems(from: string, to: string, ids: { from: string; to: string }): [string, string][] {
  const problems: [string, string][] = [];
  if (from && !validDate(from)) problems.push([ids.from, 'From must be a real date, for example 2024-03-27']);
  if (to && !validDate(to)) problems.push([ids.to, 'To must be a real date, for example 2024-03-27']);
  if (problems.length === 0 && from && to && from > to) problems.push([ids.to, 'To must be the same as or after From']);
  return problems;
}

/** The entries the filters keep (the chronology was disclosed whole: filtering asks nothing more). */
export function filterEntries(
  entries: readonly Entry[],
  filter: { agencies: ReadonlySet<string>; kind: string; from: string; to: string },
): Entry[] {
  return entries.filter(
    (e) =>
      filter.agencies.has(e.agency) &&
      (!filter.kind || e.kind === filter.kind) &&
      (!filter.from || e.date >= filter.from) &&
      (!filter.to || e.date <= filter.to),
  );
}

/**
 * The multi-agency chronology on the child view: every dated event you may see, from every agency, newest
 * first, each agency a tag; what is withheld said as the fields would say it. Filters by agency, kind and
 * dates; it prints with the conference pack (the filters do not).
 */
export function ChronologyPanel({ chronology, kinds }: { chronology: Chronology | null; kinds: readonly Kind[] }) {
  const id = useId().replace(/:/g, '');
  const ids = { from: `${id}-from`, to: `${id}-to` };
  const agencies = useMemo(
    () => [...new Set([...kinds.map((k) => k.agency), ...(chronology?.entries.map((e) => e.agency) ?? [])])],
    [kinds, chronology],
  );
  const colour = (agency: string) => TAG_COLOURS[Math.max(0, agencies.indexOf(agency)) % TAG_COLOURS.length];
  const [shownAgencies, setShownAgencies] = useState<Set<string>>(() => new Set(agencies));
  const [kind, setKind] = useState('');
  const [draft, setDraft] = useState({ from: '', to: '' });
  const [range, setRange] = useState({ from: '', to: '' });
  const [problems, setProblems] = useState<[string, string][]>([]);
  if (!chronology)
    return (
      <section aria-labelledby={`${id}-title`} className="macpt-chronology">
        <h2 className="govuk-heading-m" id={`${id}-title`}>
          Chronology
        </h2>
        <p className="govuk-body">The chronology could not be shown.</p>
      </section>
    );
  const entries = filterEntries(chronology.entries, { agencies: shownAgencies, kind, ...range });
  const apply = (event: React.FormEvent) => {
    event.preventDefault();
    const found = rangeProblems(draft.from.trim(), draft.to.trim(), ids);
    setProblems(found);
    if (found.length === 0) setRange({ from: draft.from.trim(), to: draft.to.trim() });
  };
  const problemOf = (field: string) => problems.find(([f]) => f === field)?.[1];
  return (
    <section aria-labelledby={`${id}-title`} className="macpt-chronology">
      <h2 className="govuk-heading-m" id={`${id}-title`}>
        Chronology
      </h2>
      <p className="govuk-body-s">
        Every dated event you may see for this purpose, from every agency, newest first. It is drawn from the same
        fields as the panels above and recorded as them.
      </p>
      <form className="macpt-no-print" onSubmit={apply} noValidate>
        {problems.length > 0 && <ErrorSummary problems={problems} />}
        <div className="govuk-form-group">
          <fieldset className="govuk-fieldset">
            <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Agencies</legend>
            <div className="govuk-checkboxes govuk-checkboxes--small govuk-checkboxes--inline">
              {agencies.map((agency) => (
                <div className="govuk-checkboxes__item" key={agency}>
                  <input
                    className="govuk-checkboxes__input"
                    id={`${id}-agency-${agency}`}
                    type="checkbox"
                    checked={shownAgencies.has(agency)}
                    onChange={(e) => {
                      const next = new Set(shownAgencies);
                      if (e.target.checked) next.add(agency);
                      else next.delete(agency);
                      setShownAgencies(next);
                    }}
                  />
                  <label className="govuk-label govuk-checkboxes__label" htmlFor={`${id}-agency-${agency}`}>
                    {agencyName(agency)}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        <div className="govuk-form-group">
          <label className="govuk-label govuk-label--s" htmlFor={`${id}-kind`}>
            Kind of event
          </label>
          <select className="govuk-select" id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">All kinds</option>
            {kinds
              .filter((k) => shownAgencies.has(k.agency))
              .map((k) => (
                <option key={`${k.agency}-${k.kind}`} value={k.kind}>
                  {k.label} ({agencyName(k.agency)})
                </option>
              ))}
          </select>
        </div>
        <div className="macpt-date-range">
          {(['from', 'to'] as const).map((side) => (
            <div className={`govuk-form-group${problemOf(ids[side]) ? ' govuk-form-group--error' : ''}`} key={side}>
              <label className="govuk-label govuk-label--s" htmlFor={ids[side]}>
                {side === 'from' ? 'From' : 'To'}
              </label>
              <div className="govuk-hint" id={`${ids[side]}-hint`}>
                YYYY-MM-DD, for example 2024-03-27
              </div>
              {problemOf(ids[side]) && (
                <p className="govuk-error-message" id={`${ids[side]}-error`}>
                  <span className="govuk-visually-hidden">Error:</span> {problemOf(ids[side])}
                </p>
              )}
              <input
                className={`govuk-input govuk-input--width-10${problemOf(ids[side]) ? ' govuk-input--error' : ''}`}
                id={ids[side]}
                type="text"
                inputMode="numeric"
                spellCheck={false}
                aria-describedby={`${ids[side]}-hint${problemOf(ids[side]) ? ` ${ids[side]}-error` : ''}`}
                value={draft[side]}
                onChange={(e) => setDraft({ ...draft, [side]: e.target.value })}
              />
            </div>
          ))}
          <button type="submit" className="govuk-button govuk-button--secondary">
            Apply dates
          </button>
        </div>
      </form>
      {chronology.withheld.length > 0 && (
        <div className="govuk-inset-text">
          <p className="govuk-body govuk-!-font-weight-bold">Not on this chronology</p>
          <ul className="govuk-list govuk-list--bullet">
            {chronology.withheld.map((n) => (
              <li key={`${n.kind}-${n.field}-${n.code}-${n.rule}`}>
                {kinds.find((k) => k.kind === n.kind && k.agency === n.agency)?.label ?? n.kind} ({n.field}):{' '}
                {n.code === 'FORBIDDEN_BY_POLICY' ? (
                  <>
                    <strong className="govuk-tag govuk-tag--grey">Withheld</strong> {n.message}
                  </>
                ) : (
                  <>
                    <strong className="govuk-tag govuk-tag--red">Not answered</strong> {n.message}
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      <table className="govuk-table">
        <caption className="govuk-table__caption govuk-table__caption--s">
          {entries.length === chronology.entries.length
            ? `${entries.length} events`
            : `${entries.length} of ${chronology.entries.length} events shown by the filters`}
        </caption>
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            <th scope="col" className="govuk-table__header">
              Date
            </th>
            <th scope="col" className="govuk-table__header">
              Agency
            </th>
            <th scope="col" className="govuk-table__header">
              Event
            </th>
            <th scope="col" className="govuk-table__header">
              Detail
            </th>
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {entries.length === 0 ? (
            <tr className="govuk-table__row">
              <td className="govuk-table__cell" colSpan={4}>
                No events you may see match these filters.
              </td>
            </tr>
          ) : (
            entries.map((e, i) => (
              <tr className="govuk-table__row" key={`${e.date}-${e.kind}-${i}`}>
                <td className="govuk-table__cell macpt-nowrap">{e.date}</td>
                <td className="govuk-table__cell">
                  <strong className={`govuk-tag govuk-tag--${colour(e.agency)}`}>{agencyName(e.agency)}</strong>
                </td>
                <td className="govuk-table__cell">{e.title}</td>
                <td className="govuk-table__cell">{e.detail ?? ''}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}
