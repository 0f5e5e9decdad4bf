import { codedError, isNhsNumber } from '@macpt/kit';
import type { GatewayContext } from '../context.js';
import type { DisclosureRecord } from '../disclosure/record.js';
import type { DisclosureArchive } from '../disclosure/archive/archive.js';
import { headConsistency, NotSealed, recordProof } from '../disclosure/proofs.js';
import type { DisclosureStore, RecordFilter } from '../disclosure/store.js';
import { SubmissionRefused } from '../registry/signature.js';
import type { SchemaRegistry } from '../registry/service.js';
import type { Decision, Publication } from '../registry/store.js';
import { requireIgLead, visibleTo } from './access.js';

/** What the audit resolvers need from the gateway. */
export interface AuditDeps {
  store: DisclosureStore;
  /** Appends a review record (fail-closed, like every record). */
  appendReview: (
    ctx: GatewayContext,
    review: { recordId: string; outcome: string; note: string },
  ) => Promise<DisclosureRecord>;
  /** The gateway's public base URL, for download links. */
  baseUrl: string;
  /** The schema registry, for an IG lead's decisions on the agency's publications. */
  registry?: SchemaRegistry;
  /** Appends the record of an IG action before it is done (fail closed: it throws when the log cannot take it). */
  appendAction: (ctx: GatewayContext, operation: string, query: Record<string, unknown>) => Promise<unknown>;
  /** The log's archive tier: proofs and legal holds. */
  archive?: DisclosureArchive;
}

/** GraphQL shape of a publication and its decision. */
function presentChange(c: { publication: Publication; decision: Decision | null; status: string }) {
  const p = c.publication;
  return {
    id: p.id,
    agency: p.agency,
    status: c.status,
    publishedAt: p.publishedAt,
    schemaHash: p.schemaHash,
    policyHash: p.policyHash,
    recordId: p.recordId,
    impact: p.impact.map((i) => {
      const byRole = new Map<string, string[]>();
      for (const a of i.to) {
        const key = `${a.role} of ${a.agency}`;
        byRole.set(key, [...(byRole.get(key) ?? []), a.purpose]);
      }
      return {
        field: i.field,
        change: i.change,
        audiences: [...byRole].map(([who, ps]) => `${who}: ${ps.join(', ')}`),
      };
    }),
    decision: c.decision ? { ...c.decision, by: `${c.decision.by.name} (${c.decision.by.id})` } : null,
  };
}

const MAX_PAGE = 200;
/** Break-glass records read at a time while the review queue is gathered. */
const REVIEW_PAGE = 200;
const MAX_REPORT = 10_000;

/** GraphQL shape of a stored record. */
function present(r: DisclosureRecord) {
  return {
    ...r,
    operationName: r.operation.name,
    operationHash: r.operation.hash,
    caseIds: Array.isArray(r.query?.caseIds) ? r.query.caseIds : [],
    children: r.children.map((c) => ({
      nhsNumber: c.nhsNumber,
      disclosed: Object.entries(c.disclosed).map(([agency, fields]) => ({ agency, fields })),
      withheld: c.withheld,
      lawfulBasis: Object.entries(c.lawfulBasis).map(([agency, basis]) => ({ agency, basis })),
    })),
  };
}

/** A break-glass use IG reviews: any record of a request stated EMERGENCY (a refusal too), never a review itself. */
const awaitsReview = (r: DisclosureRecord): boolean => r.breakGlass && r.kind !== 'BREAK_GLASS_REVIEW';

/** Whether a record belongs in a subject-access report the caller may receive (the IG queries are not disclosures of the child). */
const ofSubject = (ctx: GatewayContext, r: DisclosureRecord): boolean => r.kind !== 'IG_QUERY' && visibleTo(ctx, r);

/** A report is about its subject alone: a caseload's record also names other children, whose entries are not the subject's to receive. */
const aboutSubject = (r: DisclosureRecord, nhsNumber: string): DisclosureRecord => ({
  ...r,
  children: r.children.filter((c) => c.nhsNumber === nhsNumber),
});

/** Every record of a child visible to the caller, newest first (up to {@link MAX_REPORT}). */
export async function subjectRecords(
  store: DisclosureStore,
  ctx: GatewayContext,
  nhsNumber: string,
): Promise<DisclosureRecord[]> {
  return (await store.query({ nhsNumber }, MAX_REPORT))
    .filter((r) => ofSubject(ctx, r))
    .map((r) => aboutSubject(r, nhsNumber));
}

/** The `seq` a cursor this API returned names. */
function cursorOf(after: string | null | undefined): number | undefined {
  if (!after) return undefined;
  const before = Number(Buffer.from(after, 'base64url').toString());
  if (!Number.isInteger(before)) throw codedError('BAD_USER_INPUT', 'after: not a cursor this API returned.');
  return before;
}

/** One page of records matching `filter`, newest first, keeping those `keep` allows: read in chunks from the indexes until the page is full or the log ends. */
async function pageOf(
  store: DisclosureStore,
  filter: RecordFilter,
  first: number,
  before: number | undefined,
  keep: (r: DisclosureRecord) => boolean,
) {
  const page: DisclosureRecord[] = [];
  let cursor = before;
  for (;;) {
    const chunk = await store.query(filter, first + 1, cursor);
    for (const r of chunk) if (keep(r) && page.length <= first) page.push(r);
    if (page.length > first || chunk.length < first + 1) break;
    cursor = chunk[chunk.length - 1]!.seq;
  }
  const records = page.slice(0, first);
  const last = records.at(-1);
  return {
    records,
    hasNextPage: page.length > first,
    endCursor: last ? Buffer.from(String(last.seq)).toString('base64url') : null,
  };
}

/** Resolvers of the IG review API. */
export function auditResolvers(deps: AuditDeps) {
  const note = (ctx: GatewayContext, query: Record<string, unknown>) => {
    ctx.audit = query;
  };
  /** Writes this request's record now, before the action it records: the log stage then writes none. */
  const recordFirst = async (ctx: GatewayContext, operation: string, query: Record<string, unknown>) => {
    note(ctx, { operation, ...query });
    await deps.appendAction(ctx, operation, { operation, ...query });
    ctx.recorded = true;
  };
  const archiveOf = () => {
    if (!deps.archive) throw codedError('NOT_SEALED', 'This gateway has no disclosure archive.');
    return deps.archive;
  };
  const sealed = <T>(work: Promise<T>): Promise<T> =>
    work.catch((error: Error) => {
      throw error instanceof NotSealed ? codedError('NOT_SEALED', `${error.message}.`) : error;
    });
  const holdArgs = (args: { nhsNumber: string; reason: string }) => {
    if (!isNhsNumber(args.nhsNumber))
      throw codedError('BAD_USER_INPUT', `nhsNumber: not a valid NHS number: ${JSON.stringify(args.nhsNumber)}.`);
    if (args.reason.trim().length < 10)
      throw codedError('BAD_USER_INPUT', 'reason: say why (at least 10 characters), e.g. the review or proceedings.');
    return { nhsNumber: args.nhsNumber, reason: args.reason.trim() };
  };
  const registryOf = () => {
    if (!deps.registry) throw codedError('NOT_FOUND', 'This gateway has no schema registry.');
    return deps.registry;
  };
  const decideChange = async (
    ctx: GatewayContext,
    args: { id: string; note: string },
    decision: 'APPROVED' | 'REJECTED',
  ) => {
    requireIgLead(ctx);
    if (args.note.trim().length < 10)
      throw codedError('BAD_USER_INPUT', 'note: say what was reviewed and decided (at least 10 characters).');
    note(ctx, {
      operation: decision === 'APPROVED' ? 'approveSchemaChange' : 'rejectSchemaChange',
      publicationId: args.id,
    });
    try {
      const done = await registryOf().decide({ id: args.id, decision, note: args.note.trim(), by: ctx.user });
      return presentChange({ ...done, status: decision });
    } catch (error) {
      if (!(error instanceof SubmissionRefused)) throw error;
      throw codedError(
        error.code === 'NOT_FOUND'
          ? 'NOT_FOUND'
          : error.status === 503
            ? 'DISCLOSURE_LOG_UNAVAILABLE'
            : 'SCHEMA_CHANGE_CONFLICT',
        error.message,
      );
    }
  };
  return {
    Query: {
      schemaChanges: async (_: unknown, args: { status?: string | null }, ctx: GatewayContext) => {
        requireIgLead(ctx);
        note(ctx, { operation: 'schemaChanges', status: args.status ?? 'PENDING' });
        const changes = await registryOf().changes(ctx.user.agency, (args.status ?? 'PENDING') as 'ALL');
        return changes.map(presentChange);
      },
      disclosures: async (
        _: unknown,
        args: { filter?: RecordFilter | null; first?: number; after?: string | null },
        ctx: GatewayContext,
      ) => {
        requireIgLead(ctx);
        const first = Math.min(Math.max(args.first ?? 50, 1), MAX_PAGE);
        const before = cursorOf(args.after);
        const filter = Object.fromEntries(
          Object.entries(args.filter ?? {}).filter(([, v]) => v !== null && v !== undefined),
        ) as RecordFilter;
        note(ctx, {
          operation: 'disclosures',
          ...filter,
          ...(filter.nhsNumber ? { nhsNumber: filter.nhsNumber } : {}),
        });
        const { records, hasNextPage, endCursor } = await pageOf(deps.store, filter, first, before, (r) =>
          visibleTo(ctx, r),
        );
        return { records: records.map(present), hasNextPage, endCursor };
      },
      subjectAccessReport: async (
        _: unknown,
        args: { nhsNumber: string; first?: number | null; after?: string | null },
        ctx: GatewayContext,
      ) => {
        requireIgLead(ctx);
        if (!isNhsNumber(args.nhsNumber)) throw codedError('BAD_USER_INPUT', 'nhsNumber: not a valid NHS number.');
        const before = cursorOf(args.after);
        note(ctx, {
          operation: 'subjectAccessReport',
          nhsNumber: args.nhsNumber,
          ...(args.first ? { first: args.first } : {}),
          ...(args.after ? { after: args.after } : {}),
        });
        const q = `nhsNumber=${args.nhsNumber}`;
        const links = {
          nhsNumber: args.nhsNumber,
          csvUrl: `${deps.baseUrl}/audit/subject-access.csv?${q}`,
          fhirUrl: `${deps.baseUrl}/audit/subject-access.fhir.json?${q}`,
        };
        // The whole report (up to its cap) when no page is asked for; its count is read only when selected.
        const whole = () => subjectRecords(deps.store, ctx, args.nhsNumber);
        if (!args.first && !args.after) {
          const records = await whole();
          return {
            ...links,
            count: records.length,
            records: records.map(present),
            hasNextPage: false,
            endCursor: null,
          };
        }
        const first = Math.min(Math.max(args.first ?? 50, 1), MAX_PAGE);
        const page = await pageOf(deps.store, { nhsNumber: args.nhsNumber }, first, before, (r) => ofSubject(ctx, r));
        return {
          ...links,
          count: async () => (await whole()).length,
          records: page.records.map((r) => present(aboutSubject(r, args.nhsNumber))),
          hasNextPage: page.hasNextPage,
          endCursor: page.endCursor,
        };
      },
      disclosureLogIntegrity: async (_: unknown, __: unknown, ctx: GatewayContext) => {
        requireIgLead(ctx);
        note(ctx, { operation: 'disclosureLogIntegrity' });
        return { ...(await deps.store.verify()), store: deps.store.kind, durability: await deps.store.durability() };
      },
      disclosureProof: async (_: unknown, args: { id: string }, ctx: GatewayContext) => {
        requireIgLead(ctx);
        note(ctx, { operation: 'disclosureProof', recordId: args.id });
        const record = await deps.store.get(args.id);
        if (!record || !visibleTo(ctx, record))
          throw codedError('NOT_FOUND', `No record you may review has id ${JSON.stringify(args.id)}.`);
        return sealed(recordProof(archiveOf(), record.seq));
      },
      disclosureLogConsistency: async (_: unknown, args: { from: number; to: number }, ctx: GatewayContext) => {
        requireIgLead(ctx);
        note(ctx, { operation: 'disclosureLogConsistency', from: args.from, to: args.to });
        return sealed(headConsistency(archiveOf(), args.from, args.to));
      },
      legalHolds: async (_: unknown, __: unknown, ctx: GatewayContext) => {
        requireIgLead(ctx);
        note(ctx, { operation: 'legalHolds' });
        return archiveOf().holds();
      },
      breakGlassReviews: async (
        _: unknown,
        args: { status: 'PENDING' | 'REVIEWED' | 'ALL'; first?: number },
        ctx: GatewayContext,
      ) => {
        requireIgLead(ctx);
        note(ctx, { operation: 'breakGlassReviews', status: args.status });
        // Every request made under EMERGENCY waits here, including those that disclosed nothing or were refused,
        // however long ago: break-glass records are read newest first, page by page, and each one's review
        // looked up under it, so the cost follows the break-glass records read, not the log's length.
        const wanted = Math.min(args.first ?? 100, MAX_PAGE);
        const out: { record: ReturnType<typeof present>; status: string; review: ReturnType<typeof present> | null }[] =
          [];
        for (let before = Number.MAX_SAFE_INTEGER; out.length < wanted; ) {
          const page = await deps.store.query({ breakGlass: true }, REVIEW_PAGE, before);
          const uses = page.filter((r) => awaitsReview(r) && visibleTo(ctx, r));
          const reviews = await Promise.all(uses.map((r) => deps.store.query({ reviewOf: r.id }, 1)));
          uses.forEach((r, i) => {
            const review = reviews[i]![0];
            const status = review ? 'REVIEWED' : 'PENDING';
            if (out.length < wanted && (args.status === 'ALL' || args.status === status))
              out.push({ record: present(r), status, review: review ? present(review) : null });
          });
          if (page.length < REVIEW_PAGE) break;
          before = page[page.length - 1]!.seq;
        }
        return out;
      },
      anomalies: async (_: unknown, args: { first?: number }, ctx: GatewayContext) => {
        requireIgLead(ctx);
        note(ctx, { operation: 'anomalies' });
        // Bulk look-ups stopped by the rate limits, and break-glass stated by someone who may not break glass.
        const records = [
          ...(await deps.store.query({ outcome: 'RATE_LIMITED' }, 2_000)),
          ...(await deps.store.query({ outcome: 'BREAK_GLASS_REFUSED' }, 2_000)),
        ].sort((a, b) => b.seq - a.seq);
        return records
          .filter((r) => visibleTo(ctx, r))
          .slice(0, Math.min(args.first ?? 50, MAX_PAGE))
          .map(present);
      },
    },
    Mutation: {
      placeLegalHold: async (_: unknown, args: { nhsNumber: string; reason: string }, ctx: GatewayContext) => {
        requireIgLead(ctx);
        const { nhsNumber, reason } = holdArgs(args);
        const archive = archiveOf();
        // On the record before it is placed: a log that cannot take the record places no hold.
        await recordFirst(ctx, 'placeLegalHold', { nhsNumber, reason });
        const hold = { nhsNumber, reason, by: ctx.user.id, at: new Date().toISOString() };
        await archive.hold(hold);
        return hold;
      },
      liftLegalHold: async (_: unknown, args: { nhsNumber: string; reason: string }, ctx: GatewayContext) => {
        requireIgLead(ctx);
        const { nhsNumber, reason } = holdArgs(args);
        const archive = archiveOf();
        if (!(await archive.holds()).some((h) => h.nhsNumber === nhsNumber)) {
          note(ctx, { operation: 'liftLegalHold', nhsNumber, reason });
          throw codedError('NOT_FOUND', `No legal hold is in force for ${nhsNumber}.`);
        }
        await recordFirst(ctx, 'liftLegalHold', { nhsNumber, reason });
        await archive.release(nhsNumber);
        return true;
      },
      approveSchemaChange: (_: unknown, args: { id: string; note: string }, ctx: GatewayContext) =>
        decideChange(ctx, args, 'APPROVED'),
      rejectSchemaChange: (_: unknown, args: { id: string; note: string }, ctx: GatewayContext) =>
        decideChange(ctx, args, 'REJECTED'),
      reviewBreakGlass: async (
        _: unknown,
        args: { id: string; outcome: string; note: string },
        ctx: GatewayContext,
      ) => {
        requireIgLead(ctx);
        const record = await deps.store.get(args.id);
        if (!record || !awaitsReview(record) || !visibleTo(ctx, record))
          throw codedError('NOT_FOUND', `No break-glass record you may review has id ${JSON.stringify(args.id)}.`);
        if (args.note.trim().length < 10)
          throw codedError('BAD_USER_INPUT', 'note: say what was reviewed and decided (at least 10 characters).');
        note(ctx, { operation: 'reviewBreakGlass', recordId: args.id, outcome: args.outcome });
        const review = await deps.appendReview(ctx, {
          recordId: args.id,
          outcome: args.outcome,
          note: args.note.trim(),
        });
        return { record: present(record), status: 'REVIEWED', review: present(review) };
      },
    },
  };
}
