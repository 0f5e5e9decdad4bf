import { useState } from 'react';
import { ErrorSummary } from './ErrorSummary.js';
import { nhsNumberProblem } from '@macpt/kit/nhs-number';
import CHILD from '../../../gateway/operations/console-child.graphql?raw';
import { call, type Answer, type Failure } from '../api.js';
import { ConsoleChildDocument, type ConsoleChildQuery } from '../generated/operations.js';
import { ChildView } from './ChildView.js';
import type { Session } from './SignIn.js';

const PURPOSES: [string, string][] = [
  ['STRATEGY_DISCUSSION', 'Strategy discussion'],
  ['SECTION_47_ENQUIRY', 'Section 47 enquiry'],
  ['CHILD_PROTECTION_CONFERENCE', 'Child protection conference'],
  ['CP_PLAN_REVIEW', 'Child protection plan review'],
  ['MASH_TRIAGE', 'MASH triage'],
  ['EMERGENCY', 'Emergency (break-glass)'],
];
const MIN_JUSTIFICATION = 20;

type Problems = Partial<Record<'nhs' | 'purpose' | 'justification', string>>;

/** Find a child by NHS number for a stated purpose, then show what each agency may share. */
export function FindChild({ session, onFailure }: { session: Session; onFailure: (f: Failure) => void }) {
  const [nhs, setNhs] = useState('');
  const [purpose, setPurpose] = useState('');
  const [justification, setJustification] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [failure, setFailure] = useState<Failure | null>(null);
  const [answer, setAnswer] = useState<{
    asked: { nhs: string; purpose: string; justification?: string };
    result: Answer<ConsoleChildQuery> & { ok: true };
  } | null>(null);
  const [busy, setBusy] = useState(false);
  const [changed, setChanged] = useState<string | null>(null);

  const typed = nhs.replace(/\s+/g, '');
  const live = typed.length >= 10 ? nhsNumberProblem(typed) : null;

  const find = async (event?: React.FormEvent) => {
    event?.preventDefault();
    const found: Problems = {};
    const problem = nhsNumberProblem(typed);
    if (problem) found.nhs = `Enter a valid NHS number: ${problem}`;
    if (!purpose) found.purpose = 'Select the purpose of use your work supports';
    if (purpose === 'EMERGENCY' && justification.trim().length < MIN_JUSTIFICATION)
      found.justification = `Say why, in at least ${MIN_JUSTIFICATION} characters: break-glass is reviewed by information governance`;
    setProblems(found);
    setFailure(null);
    if (event) setChanged(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const asked = { nhs: typed, purpose, ...(purpose === 'EMERGENCY' ? { justification: justification.trim() } : {}) };
    // Whatever was on screen goes before anything new is asked.
    setAnswer(null);
    const result = await call(
      ConsoleChildDocument,
      CHILD,
      { nhsNumber: typed },
      { token: session.token, purpose, ...(asked.justification ? { justification: asked.justification } : {}) },
    );
    // The answer's arrival, for measuring how long the child view takes to render (the browser tests read it).
    performance.mark('macpt:answer');
    setBusy(false);
    if (!result.ok) {
      onFailure(result.failure);
      if (result.failure.kind === 'bad-request' && result.failure.code === 'JUSTIFICATION_REQUIRED')
        setProblems({ justification: result.failure.message });
      else if (result.failure.kind === 'bad-request' && result.failure.code === 'PURPOSE_OF_USE_REQUIRED')
        setProblems({ purpose: result.failure.message });
      else setFailure(result.failure);
      return;
    }
    setAnswer({ asked, result });
  };

  const list = Object.entries(problems) as [keyof Problems, string][];
  return (
    <>
      <form onSubmit={find} noValidate className="macpt-no-print">
        <h1 className="govuk-heading-l">Find a child</h1>
        {list.length > 0 && <ErrorSummary problems={list} />}
        <div className={`govuk-form-group${problems.nhs || live ? ' govuk-form-group--error' : ''}`}>
          <label className="govuk-label govuk-label--s" htmlFor="nhs">
            NHS number
          </label>
          <div className="govuk-hint" id="nhs-hint">
            10 digits, for example 999 000 0018
          </div>
          {(problems.nhs || live) && (
            <p className="govuk-error-message" id="nhs-error">
              <span className="govuk-visually-hidden">Error:</span>{' '}
              {problems.nhs ?? `Enter a valid NHS number: ${live}`}
            </p>
          )}
          <input
            className={`govuk-input govuk-input--width-10${problems.nhs || live ? ' govuk-input--error' : ''}`}
            id="nhs"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`nhs-hint${problems.nhs || live ? ' nhs-error' : ''}`}
            value={nhs}
            onChange={(e) => setNhs(e.target.value)}
          />
        </div>
        <div className={`govuk-form-group${problems.purpose ? ' govuk-form-group--error' : ''}`}>
          <label className="govuk-label govuk-label--s" htmlFor="purpose">
            Purpose of use
          </label>
          {problems.purpose && (
            <p className="govuk-error-message" id="purpose-error">
              <span className="govuk-visually-hidden">Error:</span> {problems.purpose}
            </p>
          )}
          <select
            className={`govuk-select${problems.purpose ? ' govuk-select--error' : ''}`}
            id="purpose"
            value={purpose}
            onChange={(e) => setPurpose(e.target.value)}
            aria-describedby={problems.purpose ? 'purpose-error' : undefined}
          >
            <option value="">Choose a purpose</option>
            {PURPOSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {purpose === 'EMERGENCY' && (
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
            <div className={`govuk-form-group${problems.justification ? ' govuk-form-group--error' : ''}`}>
              <label className="govuk-label govuk-label--s" htmlFor="justification">
                Justification
              </label>
              <div className="govuk-hint" id="justification-hint">
                Why you need this now, at least {MIN_JUSTIFICATION} characters
              </div>
              {problems.justification && (
                <p className="govuk-error-message" id="justification-error">
                  <span className="govuk-visually-hidden">Error:</span> {problems.justification}
                </p>
              )}
              <textarea
                className={`govuk-textarea${problems.justification ? ' govuk-textarea--error' : ''}`}
                id="justification"
                rows={3}
                value={justification}
                onChange={(e) => setJustification(e.target.value)}
                aria-describedby={`justification-hint${problems.justification ? ' justification-error' : ''}`}
              />
            </div>
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
              <button type="button" className="govuk-button govuk-button--secondary" onClick={() => void find()}>
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
            void find();
          }}
        />
      )}
    </>
  );
}
