import { useEffect, useState } from 'react';
import WHY from '../../../gateway/operations/console-why.graphql?raw';
import { call, type Failure } from '../api.js';
import { ConsoleWhyDocument, type ConsoleWhyQuery } from '../generated/operations.js';
import { Table } from '../components/Table.js';
import type { Session } from './SignIn.js';

type WhyEntry = NonNullable<ConsoleWhyQuery['accessExplanation']>['entries'][number];

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
      <Table
        caption="What you may see, per agency and class"
        columns={[
          { key: 'agency', header: 'Agency', cell: (e: WhyEntry) => e.agency },
          { key: 'class', header: 'Class', cell: (e: WhyEntry) => e.class },
          {
            key: 'allowed',
            header: 'Shared with you',
            cell: (e: WhyEntry) =>
              e.allowed ? (
                <strong className="govuk-tag govuk-tag--green">Yes</strong>
              ) : (
                <strong className="govuk-tag govuk-tag--grey">No</strong>
              ),
          },
          { key: 'rule', header: 'Rule', cell: (e: WhyEntry) => `${e.rule}: ${e.reason}` },
          {
            key: 'basis',
            header: 'Lawful basis',
            cell: (e: WhyEntry) => e.lawfulBasis,
            className: 'govuk-!-font-size-16',
          },
        ]}
        rows={answer.entries}
        rowKey={(e) => `${e.agency}-${e.class}`}
      />
    </>
  );
}
