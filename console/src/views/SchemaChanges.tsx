import { useCallback, useEffect, useState } from 'react';
import APPROVE from '../../../gateway/operations/console-approve-schema-change.graphql?raw';
import REJECT from '../../../gateway/operations/console-reject-schema-change.graphql?raw';
import CHANGES from '../../../gateway/operations/console-schema-changes.graphql?raw';
import { call, type Failure } from '../api.js';
import {
  ConsoleApproveSchemaChangeDocument,
  ConsoleRejectSchemaChangeDocument,
  ConsoleSchemaChangesDocument,
  type ConsoleSchemaChangesQuery,
} from '../generated/operations.js';
import { Table } from '../components/Table.js';
import type { Session } from './SignIn.js';

type Change = ConsoleSchemaChangesQuery['schemaChanges'][number];
type Impact = Change['impact'][number];

/** The agency's subgraph publications waiting for its IG lead: what each makes visible, to whom; approve or reject. */
export function SchemaChanges({ session, onFailure }: { session: Session; onFailure: (f: Failure) => void }) {
  const asking = { token: session.token, purpose: 'IG_AUDIT' };
  const [changes, setChanges] = useState<Change[] | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const load = useCallback(
    () =>
      void call(ConsoleSchemaChangesDocument, CHANGES, {}, asking).then((r) =>
        r.ok ? setChanges(r.data?.schemaChanges ?? []) : onFailure(r.failure),
      ),
    [session],
  );
  useEffect(load, [load]);

  return (
    <section aria-labelledby="schema-changes">
      <h2 className="govuk-heading-m" id="schema-changes">
        Schema changes waiting for approval
      </h2>
      {done && (
        <div className="govuk-notification-banner govuk-notification-banner--success" role="alert">
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">{done}</p>
          </div>
        </div>
      )}
      <p className="govuk-body">
        Publications of {session.user.agency}'s subgraph that would make information newly visible. Nothing in them is
        shared until you approve; your decision is recorded in the disclosure log.
      </p>
      {changes === null ? (
        <p className="govuk-body">Loading…</p>
      ) : changes.length === 0 ? (
        <p className="govuk-body">None waiting.</p>
      ) : (
        changes.map((c) => (
          <DecisionForm
            key={c.id}
            change={c}
            asking={asking}
            onFailure={onFailure}
            onDecided={(text) => {
              setDone(text);
              load();
            }}
          />
        ))
      )}
    </section>
  );
}

function DecisionForm({
  change,
  asking,
  onFailure,
  onDecided,
}: {
  change: Change;
  asking: { token: string; purpose: string };
  onFailure: (f: Failure) => void;
  onDecided: (text: string) => void;
}) {
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const decide = async (approve: boolean) => {
    if (note.trim().length < 10) return setProblem('Write a note of at least 10 characters: what you decided and why');
    const variables = { id: change.id, note: note.trim() };
    const result = approve
      ? await call(ConsoleApproveSchemaChangeDocument, APPROVE, variables, asking)
      : await call(ConsoleRejectSchemaChangeDocument, REJECT, variables, asking);
    if (!result.ok) return (onFailure(result.failure), setProblem(result.failure.message));
    if (result.errors[0]) return setProblem(result.errors[0].message);
    onDecided(approve ? 'Approved: every gateway takes it into service within seconds.' : 'Rejected: nothing changes.');
  };
  const id = `change-${change.id}`;
  return (
    <form className="govuk-!-margin-bottom-6" onSubmit={(e) => e.preventDefault()} aria-labelledby={id}>
      <h3 className="govuk-heading-s" id={id}>
        {change.agency} publication of {change.publishedAt}{' '}
        <strong className="govuk-tag govuk-tag--yellow">Pending</strong>
      </h3>
      <Table
        caption="What it changes"
        columns={[
          { key: 'field', header: 'Field', cell: (i: Impact) => <code>{i.field}</code> },
          {
            key: 'change',
            header: 'Change',
            cell: (i: Impact) =>
              i.change === 'BECOMES_VISIBLE' ? (
                <strong className="govuk-tag govuk-tag--orange">Becomes visible</strong>
              ) : (
                <strong className="govuk-tag govuk-tag--grey">Stops being visible</strong>
              ),
          },
          {
            key: 'audiences',
            header: 'To whom (role of agency: purposes)',
            className: 'govuk-!-font-size-16',
            cell: (i: Impact) => (
              <ul className="govuk-list">
                {i.audiences.map((a) => (
                  <li key={a}>{a}</li>
                ))}
              </ul>
            ),
          },
        ]}
        rows={change.impact}
        rowKey={(i) => `${i.field}-${i.change}`}
      />
      <p className="govuk-body-s">
        Schema {change.schemaHash.slice(0, 12)}…, policy file {change.policyHash.slice(0, 12)}…
      </p>
      <div className={`govuk-form-group${problem ? ' govuk-form-group--error' : ''}`}>
        <label className="govuk-label" htmlFor={`note-${change.id}`}>
          Decision note
        </label>
        {problem && (
          <p className="govuk-error-message" id={`note-error-${change.id}`}>
            <span className="govuk-visually-hidden">Error:</span> {problem}
          </p>
        )}
        <textarea
          className="govuk-textarea"
          id={`note-${change.id}`}
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          aria-describedby={problem ? `note-error-${change.id}` : undefined}
        />
      </div>
      <div className="govuk-button-group">
        <button type="button" className="govuk-button" onClick={() => void decide(true)}>
          Approve
        </button>
        <button type="button" className="govuk-button govuk-button--warning" onClick={() => void decide(false)}>
          Reject
        </button>
      </div>
    </form>
  );
}
