import { useEffect, useState } from 'react';
import DECISIONS from '../../../gateway/operations/console-agency-sharing-decisions.graphql?raw';
import { call, type Failure } from '../api.js';
import {
  ConsoleAgencySharingDecisionsDocument,
  type ConsoleAgencySharingDecisionsQuery,
} from '../generated/operations.js';
import { DecisionsTable } from './SharingDecisions.js';
import type { Session } from './SignIn.js';

/** An IG lead's view of their agency's decisions not to share: those past their review date first. */
export function AgencyDecisions({ session, onFailure }: { session: Session; onFailure: (f: Failure) => void }) {
  const [decisions, setDecisions] = useState<ConsoleAgencySharingDecisionsQuery['agencySharingDecisions'] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void call(ConsoleAgencySharingDecisionsDocument, DECISIONS, {}, { token: session.token, purpose: 'IG_AUDIT' }).then(
      (r) => {
        if (!r.ok) return (onFailure(r.failure), setProblem(r.failure.message));
        setProblem(r.errors[0]?.message ?? null);
        setDecisions(r.data?.agencySharingDecisions ?? null);
      },
    );
  }, [session]);
  const standing = (decisions ?? []).filter((d) => d.status === 'STANDING');
  const overdue = standing.filter((d) => d.overdue);
  return (
    <section aria-labelledby="agency-decisions-title">
      <h2 className="govuk-heading-m" id="agency-decisions-title">
        Decisions not to share, {session.user.agency}
      </h2>
      {problem && <div className="govuk-inset-text">{problem}</div>}
      {decisions && (
        <>
          <p className="govuk-body">
            {standing.length} standing, <strong>{overdue.length} past their review date</strong>. Each was recorded by{' '}
            {session.user.agency}'s staff working with the child; every step is in the disclosure log.
          </p>
          {overdue.length > 0 && <DecisionsTable decisions={overdue} caption="Past their review date" showChild />}
          {standing.length > overdue.length && (
            <DecisionsTable
              decisions={standing.filter((d) => !d.overdue)}
              caption="Standing, review not yet due"
              showChild
            />
          )}
        </>
      )}
    </section>
  );
}
