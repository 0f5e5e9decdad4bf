import { useId, useMemo, useState } from 'react';
import type { ConsoleChildQuery } from '../generated/operations.js';
import { Table } from '../components/Table.js';
import { agencyName } from '../rules.js';
import { z } from 'zod';
import { describedBy, Field, problemsOf, useGovForm } from '../form.js';
import { ErrorSummary } from './ErrorSummary.js';

type Chronology = NonNullable<NonNullable<ConsoleChildQuery['child']>['chronology']>;
type Entry = Chronology['entries'][number];
type Kind = ConsoleChildQuery['chronologyKinds'][number];

/** GOV.UK tag colours, given to agencies in the order the gateway lists them (no agency is named here). */
const TAG_COLOURS = ['blue', 'green', 'purple', 'orange', 'turquoise', 'pink', 'yellow', 'red'];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (value: string) =>
  DATE.test(value) &&
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
  new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;

/** A date range as typed: each side blank or a real date (YYYY-MM-DD), and To not before From. */
export const rangeSchema = z.object({ from: z.string(), to: z.string() }).superRefine(({ from, to }, ctx) => {
  const f = from.trim();
  const t = to.trim();
  if (f && !validDate(f))
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'From must be a real date, for example 2024-03-27' });
  if (t && !validDate(t))
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'To must be a real date, for example 2024-03-27' });
  if (f && t && validDate(f) && validDate(t) && f > t)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'To must be the same as or after From' });
});
type Range = z.infer<typeof rangeSchema>;

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
  const form = useGovForm<Range>(rangeSchema, { from: '', to: '' });
  const { errors } = form.formState;
  const [range, setRange] = useState<Range>({ from: '', to: '' });
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
  const apply = form.handleSubmit((v) => setRange({ from: v.from.trim(), to: v.to.trim() }));
  const problems = problemsOf(errors, [
    ['from', ids.from],
    ['to', ids.to],
  ]);
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
            <Field
              key={side}
              id={ids[side]}
              label={side === 'from' ? 'From' : 'To'}
              hint="YYYY-MM-DD, for example 2024-03-27"
              error={errors[side]?.message}
            >
              <input
                className={`govuk-input govuk-input--width-10${errors[side] ? ' govuk-input--error' : ''}`}
                id={ids[side]}
                type="text"
                inputMode="numeric"
                spellCheck={false}
                aria-describedby={describedBy(ids[side], true, errors[side]?.message)}
                {...form.register(side)}
              />
            </Field>
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
      <Table
        caption={
          entries.length === chronology.entries.length
            ? `${entries.length} events`
            : `${entries.length} of ${chronology.entries.length} events shown by the filters`
        }
        columns={[
          { key: 'date', header: 'Date', cell: (e: Entry) => e.date, className: 'macpt-nowrap' },
          {
            key: 'agency',
            header: 'Agency',
            cell: (e: Entry) => (
              <strong className={`govuk-tag govuk-tag--${colour(e.agency)}`}>{agencyName(e.agency)}</strong>
            ),
          },
          { key: 'title', header: 'Event', cell: (e: Entry) => e.title },
          { key: 'detail', header: 'Detail', cell: (e: Entry) => e.detail ?? '' },
        ]}
        rows={entries}
        rowKey={(e, i) => `${e.date}-${e.kind}-${i}`}
        empty="No events you may see match these filters."
      />
    </section>
  );
}
