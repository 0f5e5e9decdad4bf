import { useEffect, useState } from 'react';
import WHY from '../../../gateway/operations/console-why.graphql?raw';
import { call, type Failure } from '../api.js';
import { ConsoleWhyDocument, type ConsoleWhyQuery } from '../generated/operations.js';
import type { Session } from './SignIn.js';

/** `accessExplanation`: per agency and class, whether this user may see it for this purpose, the rule, and the lawful basis. */
export function Why({
  session,
  asked,
  onFailure,
}: {
  session: Session;
  asked: { nhs: string; purpose: string; justification?: string };
  onFailure: (f: Failure) => void;
}) {
  const [answer, setAnswer] = useState<ConsoleWhyQuery['accessExplanation'] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void call(
      ConsoleWhyDocument,
      WHY,
      { nhsNumber: asked.nhs },
      {
        token: session.token,
        purpose: asked.purpose,
        ...(asked.justification ? { justification: asked.justification } : {}),
      },
    ).then((result) => {
      if (!result.ok) {
        onFailure(result.failure);
        return setProblem(result.failure.message);
      }
      setAnswer(result.data?.accessExplanation ?? null);
      if (result.errors[0]) setProblem(result.errors[0].message);
    });
  }, [session, asked, onFailure]);
  if (problem) return <p className="govuk-body">{problem}</p>;
  if (!answer) return <p className="govuk-body">Loading…</p>;
  return (
    <>
      <p className="govuk-body">
        Your relationship with this child: <strong>{answer.relationship}</strong>.{' '}
        {answer.purposeSupported === null
          ? ''
          : answer.purposeSupported
            ? 'The case supports this purpose.'
            : 'The case does not support this purpose: identity only.'}
        {answer.breakGlass ? ' Break-glass: recorded and reviewed by information governance.' : ''}
      </p>
      <table className="govuk-table">
        <caption className="govuk-table__caption govuk-table__caption--s">
          What you may see, per agency and class
        </caption>
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            {['Agency', 'Class', 'Shared with you', 'Rule', 'Lawful basis'].map((h) => (
              <th key={h} scope="col" className="govuk-table__header">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {answer.entries.map((e) => (
            <tr key={`${e.agency}-${e.class}`} className="govuk-table__row">
              <td className="govuk-table__cell">{e.agency}</td>
              <td className="govuk-table__cell">{e.class}</td>
              <td className="govuk-table__cell">
                {e.allowed ? (
                  <strong className="govuk-tag govuk-tag--green">Yes</strong>
                ) : (
                  <strong className="govuk-tag govuk-tag--grey">No</strong>
                )}
              </td>
              <td className="govuk-table__cell">
                {e.rule}: {e.reason}
              </td>
              <td className="govuk-table__cell govuk-!-font-size-16">{e.lawfulBasis}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
