import { useMemo, useState } from 'react';
import CASELOAD from '../../../gateway/operations/console-caseload.graphql?raw';
import CHILD from '../../../gateway/operations/console-child.graphql?raw';
import { type ApiError, call, type Failure } from '../api.js';
import {
  ConsoleCaseloadDocument,
  type ConsoleCaseloadQuery,
  ConsoleChildDocument,
  type ConsoleChildQuery,
} from '../generated/operations.js';
import { Table } from '../components/Table.js';
import { purposeLabel } from '../purposes.js';
import { CHILD_SECTIONS, childRecordPurposes } from '../rules.js';
import { ChildView } from './ChildView.js';
import type { Session } from './SignIn.js';

type Row = {
  id: string;
  name: string;
  nhs: string;
  stage: string | null;
  workers: string;
  plan: string | null;
  daysOpen: number | null;
};
type SortKey = 'name' | 'stage' | 'workers' | 'plan' | 'daysOpen';
const SORTABLE: readonly SortKey[] = ['name', 'stage', 'workers', 'plan', 'daysOpen'];
/** The purposes a caseload is listed for (of those the role may state: no section 47 enquiry, no break-glass). */
const CASELOAD_PURPOSES = ['STRATEGY_DISCUSSION', 'CHILD_PROTECTION_CONFERENCE', 'CP_PLAN_REVIEW', 'MASH_TRIAGE'];

/** The child's name as the first agency record on the case's child gives it (whichever agency runs cases). */
const nameOf = (child: unknown): string | null => {
  for (const { field } of CHILD_SECTIONS) {
    const record = (child as Record<string, { name?: unknown } | null> | null)?.[field];
    if (typeof record?.name === 'string') return record.name;
  }
  return null;
};

const days = (from: string | null | undefined) =>
  from ? Math.floor((Date.now() - Date.parse(from)) / 86_400_000) : null;

/** An LA's open MACPT cases, for its MACPT members: sortable and filterable; each child opens in the child view. */
export function Caseload({ session, onFailure }: { session: Session; onFailure: (f: Failure) => void }) {
  const [purpose, setPurpose] = useState('STRATEGY_DISCUSSION');
  const [cases, setCases] = useState<ConsoleCaseloadQuery['cases'] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [sort, setSort] = useState<{ by: SortKey; up: boolean }>({ by: 'daysOpen', up: false });
  const [stage, setStage] = useState('');
  const [worker, setWorker] = useState('');
  const [open, setOpen] = useState<{ nhs: string; data: ConsoleChildQuery | null; errors: ApiError[] } | null>(null);
  const [changed, setChanged] = useState<string | null>(null);

  const load = async (event: React.FormEvent) => {
    event.preventDefault();
    setOpen(null);
    const result = await call(
      ConsoleCaseloadDocument,
      CASELOAD,
      { la: session.user.la as never },
      { token: session.token, purpose },
    );
    if (!result.ok) return (onFailure(result.failure), setProblem(result.failure.message));
    setProblem(result.errors.find((e) => e.path?.length === 1)?.message ?? null);
    setCases(result.data?.cases ?? []);
  };

  const rows: Row[] = useMemo(
    () =>
      (cases ?? []).flatMap((c) =>
        c
          ? [
              {
                id: c.id,
                nhs: c.child?.nhsNumber ?? '',
                name: nameOf(c.child) ?? '(withheld)',
                stage: c.stage ?? null,
                workers: (c.namedWorkers ?? []).map((w) => w?.name ?? '').join(', '),
                plan: c.cpPlan?.category ?? null,
                daysOpen: days(c.openedOn),
              },
            ]
          : [],
      ),
    [cases],
  );
  const shown = rows
    .filter((r) => (!stage || r.stage === stage) && (!worker || r.workers.toLowerCase().includes(worker.toLowerCase())))
    .sort((a, b) => {
      const x = a[sort.by] ?? '';
      const y = b[sort.by] ?? '';
      return (x < y ? -1 : x > y ? 1 : 0) * (sort.up ? 1 : -1);
    });

  const view = async (nhs: string) => {
    const result = await call(ConsoleChildDocument, CHILD, { nhsNumber: nhs }, { token: session.token, purpose });
    if (!result.ok) return (onFailure(result.failure), setProblem(result.failure.message));
    setOpen({ nhs, data: result.data, errors: result.errors });
  };

  return (
    <>
      <h1 className="govuk-heading-l">Caseload, {session.user.la}</h1>
      <form onSubmit={load} className="macpt-no-print">
        <div className="govuk-form-group">
          <label className="govuk-label govuk-label--s" htmlFor="caseload-purpose">
            Purpose of use
          </label>
          <select
            className="govuk-select"
            id="caseload-purpose"
            value={purpose}
            onChange={(e) => setPurpose(e.target.value)}
          >
            {CASELOAD_PURPOSES.filter((p) => childRecordPurposes(session.user.role).includes(p)).map((p) => (
              <option key={p} value={p}>
                {purposeLabel(p)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="govuk-button">
          Show open cases
        </button>
      </form>
      {problem && (
        <div className="govuk-inset-text" role="alert">
          {problem}
        </div>
      )}
      {cases && (
        <>
          <div className="macpt-filters macpt-no-print">
            <div className="govuk-form-group">
              <label className="govuk-label" htmlFor="filter-stage">
                Stage
              </label>
              <select
                className="govuk-select"
                id="filter-stage"
                value={stage}
                onChange={(e) => setStage(e.target.value)}
              >
                <option value="">Any stage</option>
                {['REFERRAL', 'STRATEGY_DISCUSSION', 'SECTION_47', 'CONFERENCE', 'CP_PLAN'].map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
            <div className="govuk-form-group">
              <label className="govuk-label" htmlFor="filter-worker">
                Named worker
              </label>
              <input
                className="govuk-input"
                id="filter-worker"
                autoComplete="off"
                value={worker}
                onChange={(e) => setWorker(e.target.value)}
              />
            </div>
          </div>
          <Table
            caption={`${shown.length} of ${rows.length} open cases`}
            columns={[
              { key: 'name', header: 'Child', cell: (r: Row) => r.name },
              {
                key: 'stage',
                header: 'Stage',
                cell: (r: Row) => r.stage ?? <span className="macpt-withheld">Withheld</span>,
              },
              {
                key: 'workers',
                header: 'Named workers',
                cell: (r: Row) => r.workers,
                className: 'govuk-!-font-size-16',
              },
              { key: 'plan', header: 'Plan category', cell: (r: Row) => r.plan ?? '—' },
              { key: 'daysOpen', header: 'Days open', cell: (r: Row) => r.daysOpen ?? '—', numeric: true },
              {
                key: 'actions',
                header: <span className="govuk-visually-hidden">Actions</span>,
                cell: (r: Row) => (
                  <button
                    type="button"
                    className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                    onClick={() => {
                      setChanged(null);
                      void view(r.nhs);
                    }}
                  >
                    View<span className="govuk-visually-hidden"> {r.name}</span>
                  </button>
                ),
              },
            ]}
            rows={shown}
            rowKey={(r) => r.id}
            sorting={{
              ...sort,
              sortable: SORTABLE,
              onSort: (by) => setSort({ by: by as SortKey, up: sort.by === by ? !sort.up : true }),
            }}
          />
        </>
      )}
      {open && (
        <ChildView
          session={session}
          asked={{ nhs: open.nhs, purpose }}
          data={open.data}
          errors={open.errors}
          onFailure={onFailure}
          message={changed}
          onChanged={(message) => {
            setChanged(message);
            void view(open.nhs);
          }}
        />
      )}
    </>
  );
}
