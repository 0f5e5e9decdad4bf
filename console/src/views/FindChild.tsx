import { useState } from 'react';
import { z } from 'zod';
import { describedBy, Field, problemsOf, useGovForm } from '../form.js';
import { ErrorSummary } from './ErrorSummary.js';
import { nhsNumberProblem } from '@macpt/kit/nhs-number';
import CHILD from '../../../gateway/operations/console-child.graphql?raw';
import { call, type Answer, type Failure } from '../api.js';
import { ConsoleChildDocument, type ConsoleChildQuery } from '../generated/operations.js';
import { ChildView } from './ChildView.js';
import type { Session } from './SignIn.js';

import { purposeLabel } from '../purposes.js';
import { childRecordPurposes, isBreakGlass, MIN_JUSTIFICATION } from '../rules.js';

/** What the find form holds, and its checks: every problem at once, for the error summary. */
export const findSchema = (purposes: readonly string[]) =>
  z.object({ nhs: z.string(), purpose: z.string(), justification: z.string() }).superRefine((v, ctx) => {
    const problem = nhsNumberProblem(v.nhs.replace(/\s+/g, ''));
    if (problem) ctx.addIssue({ code: 'custom', path: ['nhs'], message: `Enter a valid NHS number: ${problem}` });
    if (!purposes.includes(v.purpose))
      ctx.addIssue({ code: 'custom', path: ['purpose'], message: 'Select the purpose of use your work supports' });
    if (isBreakGlass(v.purpose) && v.justification.trim().length < MIN_JUSTIFICATION)
      ctx.addIssue({
        code: 'custom',
        path: ['justification'],
        message: `Say why, in at least ${MIN_JUSTIFICATION} characters: break-glass is reviewed by information governance`,
      });
  });
type FindValues = z.infer<ReturnType<typeof findSchema>>;
const FIELDS = [
  ['nhs', 'nhs'],
  ['purpose', 'purpose'],
  ['justification', 'justification'],
] as const;

/** Find a child by NHS number for a stated purpose, then show what each agency may share. */
export function FindChild({ session, onFailure }: { session: Session; onFailure: (f: Failure) => void }) {
  const purposes = childRecordPurposes(session.user.role);
  const form = useGovForm<FindValues>(findSchema(purposes), { nhs: '', purpose: '', justification: '' });
  const { errors } = form.formState;
  const [failure, setFailure] = useState<Failure | null>(null);
  const [answer, setAnswer] = useState<{
    asked: { nhs: string; purpose: string; justification?: string };
    result: Answer<ConsoleChildQuery> & { ok: true };
  } | null>(null);
  const [busy, setBusy] = useState(false);
  const [changed, setChanged] = useState<string | null>(null);

  const typed = form.watch('nhs').replace(/\s+/g, '');
  const purpose = form.watch('purpose');
  const live = typed.length >= 10 && !errors.nhs ? nhsNumberProblem(typed) : null;

  const [lastAsked, setLastAsked] = useState<{ nhs: string; purpose: string; justification?: string } | null>(null);
  const ask = async (asked: { nhs: string; purpose: string; justification?: string }) => {
    setLastAsked(asked);
    setFailure(null);
    setBusy(true);
    // Whatever was on screen goes before anything new is asked.
    setAnswer(null);
    const result = await call(
      ConsoleChildDocument,
      CHILD,
      { nhsNumber: asked.nhs },
      {
        token: session.token,
        purpose: asked.purpose,
        ...(asked.justification ? { justification: asked.justification } : {}),
      },
    );
    // The answer's arrival, for measuring how long the child view takes to render (the browser tests read it).
    performance.mark('macpt:answer');
    setBusy(false);
    if (!result.ok) {
      onFailure(result.failure);
      if (result.failure.kind === 'bad-request' && result.failure.code === 'JUSTIFICATION_REQUIRED')
        form.setError('justification', { message: result.failure.message });
      else if (result.failure.kind === 'bad-request' && result.failure.code === 'PURPOSE_OF_USE_REQUIRED')
        form.setError('purpose', { message: result.failure.message });
      else setFailure(result.failure);
      return;
    }
    setAnswer({ asked, result });
  };
  const find = form.handleSubmit((v) => {
    setChanged(null);
    return ask({
      nhs: v.nhs.replace(/\s+/g, ''),
      purpose: v.purpose,
      ...(isBreakGlass(v.purpose) ? { justification: v.justification.trim() } : {}),
    });
  });

  const list = problemsOf(errors, FIELDS);
  return (
    <>
      <form onSubmit={find} noValidate className="macpt-no-print">
        <h1 className="govuk-heading-l">Find a child</h1>
        {list.length > 0 && <ErrorSummary problems={list} />}
        <Field
          id="nhs"
          label="NHS number"
          hint="10 digits, for example 999 000 0018"
          error={errors.nhs?.message ?? (live ? `Enter a valid NHS number: ${live}` : undefined)}
        >
          <input
            className={`govuk-input govuk-input--width-10${errors.nhs || live ? ' govuk-input--error' : ''}`}
            id="nhs"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            aria-describedby={describedBy('nhs', true, errors.nhs?.message ?? live ?? undefined)}
            {...form.register('nhs')}
          />
        </Field>
        <Field id="purpose" label="Purpose of use" error={errors.purpose?.message}>
          <select
            className={`govuk-select${errors.purpose ? ' govuk-select--error' : ''}`}
            id="purpose"
            aria-describedby={describedBy('purpose', false, errors.purpose?.message)}
            {...form.register('purpose')}
          >
            <option value="">Choose a purpose</option>
            {purposes.map((value) => (
              <option key={value} value={value}>
                {purposeLabel(value)}
              </option>
            ))}
          </select>
        </Field>
        {isBreakGlass(purpose) && (
          <>
            <div className="govuk-warning-text">
              <span className="govuk-warning-text__icon" aria-hidden="true">
                !
              </span>
              <strong className="govuk-warning-text__text">
                <span className="govuk-visually-hidden">Warning</span>
                Break-glass is recorded and every use is reviewed by information governance. It shows identity and
                safeguarding information only.
              </strong>
            </div>
            <Field
              id="justification"
              label="Justification"
              hint={`Why you need this now, at least ${MIN_JUSTIFICATION} characters`}
              error={errors.justification?.message}
            >
              <textarea
                className={`govuk-textarea${errors.justification ? ' govuk-textarea--error' : ''}`}
                id="justification"
                rows={3}
                aria-describedby={describedBy('justification', true, errors.justification?.message)}
                {...form.register('justification')}
              />
            </Field>
          </>
        )}
        <button type="submit" className="govuk-button" disabled={busy}>
          Find
        </button>
      </form>
      {failure && (
        <div className="govuk-notification-banner" role="alert" aria-labelledby="failure-title">
          <div className="govuk-notification-banner__header">
            <h2 className="govuk-notification-banner__title" id="failure-title">
              Nothing shown
            </h2>
          </div>
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">
              {failure.kind === 'rate-limited'
                ? `Too many requests: try again in ${failure.retryAfterSeconds} s.`
                : failure.message}
            </p>
            {failure.kind === 'network' && (
              <button
                type="button"
                className="govuk-button govuk-button--secondary"
                onClick={() => void (lastAsked ? ask(lastAsked) : find())}
              >
                Try again
              </button>
            )}
          </div>
        </div>
      )}
      {answer && (
        <ChildView
          session={session}
          asked={answer.asked}
          data={answer.result.data}
          errors={answer.result.errors}
          onFailure={onFailure}
          message={changed}
          onChanged={(message) => {
            setChanged(message);
            void ask(answer.asked);
          }}
        />
      )}
    </>
  );
}
