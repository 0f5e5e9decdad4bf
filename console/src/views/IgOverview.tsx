import { useEffect, useState } from 'react';
import { nhsNumberProblem } from '@macpt/kit/nhs-number';
import OVERVIEW from '../../../gateway/operations/console-ig-overview.graphql?raw';
import SUBJECT_ACCESS from '../../../gateway/operations/console-subject-access.graphql?raw';
import { call, type Failure } from '../api.js';
import {
  ConsoleIgOverviewDocument,
  type ConsoleIgOverviewQuery,
  ConsoleSubjectAccessDocument,
  type ConsoleSubjectAccessQuery,
} from '../generated/operations.js';
import type { Session } from './SignIn.js';

/** The log's integrity and the anomalies waiting for IG, and a child's subject-access report with its downloads. */
export function IgOverview({ session, onFailure }: { session: Session; onFailure: (f: Failure) => void }) {
  const asking = { token: session.token, purpose: 'IG_AUDIT' };
  const [overview, setOverview] = useState<ConsoleIgOverviewQuery | null>(null);
  const [nhs, setNhs] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [report, setReport] = useState<ConsoleSubjectAccessQuery['subjectAccessReport'] | null>(null);

  useEffect(() => {
    void call(ConsoleIgOverviewDocument, OVERVIEW, {}, asking).then((r) =>
      r.ok ? setOverview(r.data) : onFailure(r.failure),
    );
  }, [session]);

  const find = async (event: React.FormEvent) => {
    event.preventDefault();
    const wrong = nhsNumberProblem(nhs.replace(/\s+/g, ''));
    if (wrong) return setProblem(`Enter a valid NHS number: ${wrong}`);
    setProblem(null);
    const result = await call(
      ConsoleSubjectAccessDocument,
      SUBJECT_ACCESS,
      { nhsNumber: nhs.replace(/\s+/g, '') },
      asking,
    );
    if (!result.ok) return (onFailure(result.failure), setProblem(result.failure.message));
    setReport(result.data?.subjectAccessReport ?? null);
  };

  // Downloads carry the same headers as every call (the page's URL never holds the NHS number); each is logged.
  const download = async (url: string, name: string) => {
    const response = await fetch(url, {
      cache: 'no-store',
      headers: {
        authorization: `Bearer ${session.token}`,
        'x-purpose-of-use': 'IG_AUDIT',
        'apollographql-client-name': 'macpt-console',
      },
    });
    if (!response.ok) return setProblem(`The download was refused (HTTP ${response.status}).`);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = name;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  const integrity = overview?.disclosureLogIntegrity;
  return (
    <>
      {integrity && (
        <section aria-labelledby="integrity">
          <h2 className="govuk-heading-m" id="integrity">
            Log integrity
          </h2>
          <dl className="govuk-summary-list">
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Chain</dt>
              <dd className="govuk-summary-list__value">
                {integrity.ok ? (
                  <strong className="govuk-tag govuk-tag--green">Whole</strong>
                ) : (
                  <strong className="govuk-tag govuk-tag--red">Broken</strong>
                )}{' '}
                {integrity.problem}
              </dd>
            </div>
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Records</dt>
              <dd className="govuk-summary-list__value">{integrity.count}</dd>
            </div>
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Head hash</dt>
              <dd className="govuk-summary-list__value govuk-!-font-size-16">
                <code>{integrity.headHash}</code>
              </dd>
            </div>
            <div className="govuk-summary-list__row">
              <dt className="govuk-summary-list__key">Durability</dt>
              <dd className="govuk-summary-list__value">{integrity.durability}</dd>
            </div>
          </dl>
        </section>
      )}
      {overview && (
        <section aria-labelledby="anomalies">
          <h2 className="govuk-heading-m" id="anomalies">
            Anomalies
          </h2>
          {overview.anomalies.length === 0 ? (
            <p className="govuk-body">None.</p>
          ) : (
            <ul className="govuk-list govuk-list--bullet">
              {overview.anomalies.map((a) => (
                <li key={a.id}>
                  {a.time}: {a.user?.id ?? 'unknown'} ({a.user?.role}), {a.outcome}
                  {a.reason ? `: ${a.reason}` : ''}
                  {a.purpose ? `, stating ${a.purpose}` : ''}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section aria-labelledby="sar">
        <h2 className="govuk-heading-m" id="sar">
          Subject-access report
        </h2>
        <form onSubmit={find} noValidate className="macpt-no-print">
          <div className={`govuk-form-group${problem ? ' govuk-form-group--error' : ''}`}>
            <label className="govuk-label" htmlFor="sar-nhs">
              NHS number of the child
            </label>
            {problem && (
              <p className="govuk-error-message" id="sar-error">
                <span className="govuk-visually-hidden">Error:</span> {problem}
              </p>
            )}
            <input
              className="govuk-input govuk-input--width-10"
              id="sar-nhs"
              inputMode="numeric"
              autoComplete="off"
              value={nhs}
              onChange={(e) => setNhs(e.target.value)}
              aria-describedby={problem ? 'sar-error' : undefined}
            />
          </div>
          <button type="submit" className="govuk-button">
            Make the report
          </button>
        </form>
        {report && (
          <>
            <p className="govuk-body">{report.count} disclosures of this child's data.</p>
            <div className="govuk-button-group">
              <button
                type="button"
                className="govuk-button govuk-button--secondary"
                onClick={() => void download(report.csvUrl, 'subject-access.csv')}
              >
                Download CSV
              </button>
              <button
                type="button"
                className="govuk-button govuk-button--secondary"
                onClick={() => void download(report.fhirUrl, 'subject-access.fhir.json')}
              >
                Download FHIR AuditEvents
              </button>
            </div>
            <ul className="govuk-list">
              {report.records.slice(0, 50).map((r) => (
                <li key={r.id}>
                  {r.time}: {r.user?.id ?? 'unknown'} ({r.user?.agency}), {r.purpose}, {r.outcome}
                  {r.breakGlass ? ', break-glass' : ''}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}
