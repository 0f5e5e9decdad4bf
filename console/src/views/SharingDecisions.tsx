import { useState } from 'react';
import { z } from 'zod';
import { problemsOf, useGovForm } from '../form.js';
import { ErrorSummary } from './ErrorSummary.js';
import RECORD from '../../../gateway/operations/console-record-sharing-decision.graphql?raw';
import REVIEW from '../../../gateway/operations/console-review-sharing-decision.graphql?raw';
import { call, type Failure } from '../api.js';
import {
  ConsoleRecordSharingDecisionDocument,
  ConsoleReviewSharingDecisionDocument,
  type SharingDecisionReason,
} from '../generated/operations.js';
import { Table } from '../components/Table.js';
import { recordOf } from '../rules.js';
import type { Session } from './SignIn.js';

/** The reasons, in the words a practitioner would use. */
export const REASONS: [SharingDecisionReason, string][] = [
  ['PREJUDICE_TO_CRIMINAL_INVESTIGATION', 'Sharing would prejudice a criminal investigation'],
  ['MORE_DETRIMENTAL_TO_CHILD', 'Sharing would be more detrimental to the child than not sharing'],
  ['THIRD_PARTY_CONFIDENTIALITY', 'Third-party confidentiality'],
  ['CONSENT_REFUSED_NO_OVERRIDING_GROUND', 'Consent refused, with no overriding ground to share'],
  ['OTHER', 'Other (say why)'],
];
export const reasonLabel = (r: string) => REASONS.find(([k]) => k === r)?.[1] ?? r;

/** A decision as the console lists it. */
export interface DecisionRow {
  id: string;
  agency?: string;
  nhsNumber?: string;
  /** Null (withheld) for everyone outside the holding agency, as are `decidedAt`, `fields` and `classes`. */
  reason: string | null;
  reasonText: string | null;
  decidedBy: { name: string; role: string };
  decidedAt: string | null;
  reviewBy: string;
  overdue: boolean;
  status?: string;
  fields: string[] | null;
  classes: string[] | null;
}

const day = (iso: string) =>
  new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
/** `PoliceRecord.missingEpisodes` → "Missing episodes". */
const fieldWords = (f: string) =>
  (f.split('.')[1] ?? f)
    .replace(/([A-Z])/g, ' $1')
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());
const covers = (d: DecisionRow) =>
  d.fields === null && d.classes === null
    ? `Held by ${d.agency}: ask ${d.decidedBy.name}`
    : [...(d.fields ?? []).map(fieldWords), ...(d.classes ?? []).map((c) => `everything classed ${c}`)].join(', ');

/** Decisions not to share, as a GOV.UK table: who decided, when, why, what it covers, when it is reviewed. */
export function DecisionsTable({
  decisions,
  caption,
  showChild = false,
  actions,
}: {
  decisions: DecisionRow[];
  caption: string;
  showChild?: boolean;
  actions?: (d: DecisionRow) => React.ReactNode;
}) {
  return (
    <Table
      caption={caption}
      columns={[
        ...(showChild ? [{ key: 'nhs', header: 'NHS number', cell: (d: DecisionRow) => d.nhsNumber }] : []),
        { key: 'agency', header: 'Agency', cell: (d: DecisionRow) => d.agency },
        {
          key: 'reason',
          header: 'Reason',
          cell: (d: DecisionRow) => (
            <>
              {d.reason ? (
                reasonLabel(d.reason)
              ) : (
                <span className="govuk-hint govuk-!-margin-bottom-0">Not shared</span>
              )}
              {d.reasonText && (
                <span className="govuk-!-display-block govuk-body-s govuk-!-margin-bottom-0">{d.reasonText}</span>
              )}
            </>
          ),
        },
        { key: 'covers', header: 'Covers', cell: (d: DecisionRow) => covers(d) },
        {
          key: 'decided',
          header: 'Decided',
          cell: (d: DecisionRow) => (
            <>
              {d.decidedAt ? `${day(d.decidedAt)} by ` : 'By '}
              {d.decidedBy.name} ({d.decidedBy.role})
            </>
          ),
        },
        {
          key: 'review',
          header: 'Review by',
          cell: (d: DecisionRow) => (
            <>
              {day(d.reviewBy)}{' '}
              {d.status === 'WITHDRAWN' ? (
                <strong className="govuk-tag govuk-tag--grey">Withdrawn</strong>
              ) : d.overdue ? (
                <strong className="govuk-tag govuk-tag--red">Review overdue</strong>
              ) : null}
            </>
          ),
        },
        ...(actions
          ? [
              {
                key: 'actions',
                header: <span className="govuk-visually-hidden">Actions</span>,
                cell: (d: DecisionRow) => actions(d),
              },
            ]
          : []),
      ]}
      rows={decisions}
      rowKey={(d) => d.id}
    />
  );
}

/** The review date typed in the GOV.UK date pattern, as YYYY-MM-DD, or null when it is not a date. */
export function dateOf(d: string, m: string, y: string): string | null {
  if (!/^\d{1,2}$/.test(d.trim()) || !/^\d{1,2}$/.test(m.trim()) || !/^\d{4}$/.test(y.trim())) return null;
  const iso = `${y.trim()}-${m.trim().padStart(2, '0')}-${d.trim().padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== iso ? null : iso;
}

/** A group of checkboxes' values (a lone box reads as its value or false). */
const checked = z.preprocess(
  (v) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []),
  z.array(z.string()),
) as unknown as z.ZodArray<z.ZodString>;

/** The decision form's values and checks (`today` as YYYY-MM-DD): every problem at once, for the error summary. */
export const decisionSchema = (today: string) =>
  z
    .object({
      fields: checked,
      classes: checked,
      reason: z.string().nullable(),
      reasonText: z.string(),
      d: z.string(),
      m: z.string(),
      y: z.string(),
      covers: z.string().optional(),
      reviewBy: z.string().optional(),
    })
    .superRefine((v, ctx) => {
      const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (v.fields.length === 0 && v.classes.length === 0)
        problem('covers', 'Select the information the decision covers');
      if (!v.reason) problem('reason', 'Select the reason for not sharing');
      if (v.reason === 'OTHER' && v.reasonText.trim().length < 20)
        problem('reasonText', 'Say why, in at least 20 characters');
      const reviewBy = dateOf(v.d, v.m, v.y);
      if (!reviewBy) problem('reviewBy', 'Enter a real review date, for example 27 3 2027');
      else if (reviewBy <= today) problem('reviewBy', 'The review date must be in the future');
    });
type DecisionValues = z.infer<ReturnType<typeof decisionSchema>>;
const FORM_FIELDS = [
  ['covers', 'covers'],
  ['reason', 'reason'],
  ['reasonText', 'reasonText'],
  ['reviewBy', 'reviewBy'],
] as const;

/**
 * The holding agency's decisions on the child view: what stands, keep or withdraw at review, and the form
 * to record a new one (its own information only). Each step is recorded before it takes effect.
 */
export function OwnDecisions({
  session,
  purpose,
  nhsNumber,
  decisions,
  fields,
  onChanged,
  onFailure,
}: {
  session: Session;
  purpose: string;
  nhsNumber: string;
  decisions: DecisionRow[];
  /** The agency's own fields on this child's record (from its panel). */
  fields: string[];
  onChanged: (message: string) => void;
  onFailure: (f: Failure) => void;
}) {
  const [open, setOpen] = useState(false);
  const form = useGovForm<DecisionValues>(decisionSchema(new Date().toISOString().slice(0, 10)), {
    fields: [],
    classes: [],
    reason: '',
    reasonText: '',
    d: '',
    m: '',
    y: '',
  });
  const problems = form.formState.errors;
  const reason = form.watch('reason');
  const [busy, setBusy] = useState(false);
  const asking = { token: session.token, purpose };
  // A decision names `Type.field` of the agency's own record (generated from policies/ and the schema).
  const type = recordOf(session.user.agency)?.type ?? '';

  const submit = form.handleSubmit(async (v) => {
    const reviewBy = dateOf(v.d, v.m, v.y);
    setBusy(true);
    const result = await call(
      ConsoleRecordSharingDecisionDocument,
      RECORD,
      {
        input: {
          nhsNumber,
          fields: v.fields.map((f) => `${type}.${f}`),
          classes: v.classes as never,
          reason: v.reason as SharingDecisionReason,
          reasonText: v.reasonText.trim() || null,
          reviewBy: reviewBy!,
        },
      },
      asking,
    );
    setBusy(false);
    if (!result.ok) return (onFailure(result.failure), form.setError('covers', { message: result.failure.message }));
    const refused = result.errors[0];
    if (refused)
      return form.setError(refused.extensions?.code === 'BAD_USER_INPUT' ? 'reviewBy' : 'covers', {
        message: refused.message,
      });
    setOpen(false);
    onChanged(
      `Decision recorded: ${session.user.agency}'s chosen information about this child is no longer shared outside it.`,
    );
  });

  const review = async (d: DecisionRow, outcome: 'KEEP' | 'WITHDRAW') => {
    const next = new Date(Date.now() + 28 * 86_400_000).toISOString().slice(0, 10);
    const result = await call(
      ConsoleReviewSharingDecisionDocument,
      REVIEW,
      { id: d.id, nhsNumber, outcome, reviewBy: outcome === 'KEEP' ? next : null, note: null },
      asking,
    );
    if (!result.ok) return onFailure(result.failure);
    if (result.errors[0]) return onChanged(`Not changed: ${result.errors[0].message}`);
    onChanged(
      outcome === 'KEEP'
        ? `Decision kept; next review by ${day(next)}.`
        : 'Decision withdrawn: the information is shared again as the policies allow.',
    );
  };

  const list = problemsOf(problems, FORM_FIELDS);
  type Key = (typeof FORM_FIELDS)[number][0];
  const group = (key: Key) => `govuk-form-group${problems[key] ? ' govuk-form-group--error' : ''}`;
  const error = (key: Key) =>
    problems[key] && (
      <p className="govuk-error-message" id={`${key}-error`}>
        <span className="govuk-visually-hidden">Error:</span> {problems[key]?.message}
      </p>
    );
  return (
    <div className="macpt-no-print">
      {decisions.length > 0 && (
        <DecisionsTable
          decisions={decisions}
          caption={`${session.user.agency}'s decisions about this child`}
          actions={(d) => (
            <div className="govuk-button-group govuk-!-margin-bottom-0">
              <button
                type="button"
                className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                onClick={() => void review(d, 'KEEP')}
              >
                Keep 4 more weeks
              </button>
              <button
                type="button"
                className="govuk-button govuk-button--warning govuk-!-margin-bottom-0"
                onClick={() => void review(d, 'WITHDRAW')}
              >
                Withdraw
              </button>
            </div>
          )}
        />
      )}
      {!open ? (
        <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setOpen(true)}>
          Record a decision not to share
        </button>
      ) : (
        <form onSubmit={submit} noValidate aria-labelledby="decision-title">
          <h3 className="govuk-heading-s" id="decision-title">
            Record a decision not to share {session.user.agency}'s information
          </h3>
          {list.length > 0 && <ErrorSummary problems={list} />}
          <div className={group('covers')}>
            <fieldset
              className="govuk-fieldset"
              aria-describedby={`covers-hint${problems.covers ? ' covers-error' : ''}`}
            >
              <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">What the decision covers</legend>
              <div className="govuk-hint" id="covers-hint">
                Withheld from everyone outside {session.user.agency}. They see that a decision exists, who made it and
                why, not what it covers.
              </div>
              {error('covers')}
              <div className="govuk-checkboxes govuk-checkboxes--small" id="covers">
                {fields.map((f) => (
                  <div key={f} className="govuk-checkboxes__item">
                    <input
                      className="govuk-checkboxes__input"
                      id={`cover-${f}`}
                      type="checkbox"
                      value={f}
                      {...form.register('fields')}
                    />
                    <label className="govuk-label govuk-checkboxes__label" htmlFor={`cover-${f}`}>
                      {fieldWords(f)}
                    </label>
                  </div>
                ))}
                {['SAFEGUARDING', 'SENSITIVE'].map((c) => (
                  <div key={c} className="govuk-checkboxes__item">
                    <input
                      className="govuk-checkboxes__input"
                      id={`class-${c}`}
                      type="checkbox"
                      value={c}
                      {...form.register('classes')}
                    />
                    <label className="govuk-label govuk-checkboxes__label" htmlFor={`class-${c}`}>
                      Everything {session.user.agency} holds classed {c}
                    </label>
                  </div>
                ))}
              </div>
            </fieldset>
          </div>
          <div className={group('reason')}>
            <fieldset className="govuk-fieldset">
              <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Reason</legend>
              {error('reason')}
              <div className="govuk-radios govuk-radios--small" id="reason">
                {REASONS.map(([value, text]) => (
                  <div key={value} className="govuk-radios__item">
                    <input
                      className="govuk-radios__input"
                      id={`reason-${value}`}
                      type="radio"
                      value={value}
                      {...form.register('reason')}
                    />
                    <label className="govuk-label govuk-radios__label" htmlFor={`reason-${value}`}>
                      {text}
                    </label>
                  </div>
                ))}
              </div>
            </fieldset>
          </div>
          <div className={group('reasonText')}>
            <label className="govuk-label govuk-label--s" htmlFor="reasonText">
              Why{reason === 'OTHER' ? '' : ' (optional)'}
            </label>
            <div className="govuk-hint" id="reasonText-hint">
              Seen by {session.user.agency}'s own staff only
            </div>
            {error('reasonText')}
            <textarea
              className="govuk-textarea"
              id="reasonText"
              rows={3}
              aria-describedby={`reasonText-hint${problems.reasonText ? ' reasonText-error' : ''}`}
              {...form.register('reasonText')}
            />
          </div>
          <div className={group('reviewBy')}>
            <fieldset
              className="govuk-fieldset"
              role="group"
              aria-describedby={`reviewBy-hint${problems.reviewBy ? ' reviewBy-error' : ''}`}
            >
              <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Review by</legend>
              <div className="govuk-hint" id="reviewBy-hint">
                Within a year, for example 27 3 2027
              </div>
              {error('reviewBy')}
              <div className="govuk-date-input" id="reviewBy">
                {(
                  [
                    ['d', 'Day', 2],
                    ['m', 'Month', 2],
                    ['y', 'Year', 4],
                  ] as const
                ).map(([k, text, width]) => (
                  <div key={k} className="govuk-date-input__item">
                    <div className="govuk-form-group">
                      <label className="govuk-label govuk-date-input__label" htmlFor={`reviewBy-${k}`}>
                        {text}
                      </label>
                      <input
                        className={`govuk-input govuk-date-input__input govuk-input--width-${width}`}
                        id={`reviewBy-${k}`}
                        inputMode="numeric"
                        {...form.register(k)}
                      />
                    </div>
                  </div>
                ))}
              </div>
            </fieldset>
          </div>
          <div className="govuk-button-group">
            <button type="submit" className="govuk-button" disabled={busy}>
              Record decision
            </button>
            <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
