import { createHash, randomUUID } from 'node:crypto';
import { parseAgencyPolicy } from '@macpt/policies';
import type { RecordDraft } from '../disclosure/record.js';
import type { Composer } from './composer.js';
import { type AgencySubgraph, type CheckReport, type FieldImpact, type Operation, type OwnSubgraph } from './checks.js';
import { SubmissionRefused, verifySubmission } from './signature.js';
import { RegistryConflict, type Decision, type Publication, type RegistryEvent, type RegistryStore } from './store.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The registry's history folded: what is in force per agency, and what waits for an IG lead. */
export interface RegistryState {
  /** Events read: an append must find the store still this long. */
  length: number;
  /** Per agency, the publication in force (absent: the deployment's bundled subgraph). */
  active: Map<string, Publication>;
  publications: Publication[];
  decisions: Map<string, Decision>;
}

export function fold(events: readonly RegistryEvent[]): RegistryState {
  const state: RegistryState = { length: events.length, active: new Map(), publications: [], decisions: new Map() };
  const byId = new Map<string, Publication>();
  for (const event of events) {
    if (event.type === 'PUBLISHED') {
      state.publications.push(event.publication);
      byId.set(event.publication.id, event.publication);
      if (event.publication.status === 'ACTIVE') state.active.set(event.publication.agency, event.publication);
    } else {
      state.decisions.set(event.decision.publicationId, event.decision);
      const publication = byId.get(event.decision.publicationId);
      if (publication && event.decision.decision === 'APPROVED') state.active.set(publication.agency, publication);
    }
  }
  return state;
}

/** One line per field whose visibility changes, for the chain record and the terminal. */
export function impactLines(impact: readonly FieldImpact[]): string[] {
  return impact.map((i) => {
    const roles = [...new Set(i.to.map((a) => a.role))].join(', ');
    return `${i.change === 'BECOMES_VISIBLE' ? '+' : '-'} ${i.field} (${i.change === 'BECOMES_VISIBLE' ? 'becomes visible to' : 'stops being visible to'} ${roles}; ${i.to.length} role, agency and purpose combinations)`;
  });
}

/** Where a change stands for the IG API. */
export type ChangeStatus = 'ACTIVE' | 'PENDING' | 'APPROVED' | 'REJECTED';

export interface RegistryDeps {
  store: RegistryStore;
  /** The gateway's own subgraphs, composed with every agency. */
  own: readonly OwnSubgraph[];
  /** The deployment's bundled agency subgraphs: in force for an agency until it first publishes. */
  bundled: readonly AgencySubgraph[];
  /** The registered trusted documents, which a publication may not break. */
  operations: readonly Operation[];
  /** Composes and checks off the event loop. */
  composer: Composer;
  /** Where the agencies' publishing public keys are. */
  keysDir: string;
  /** Told of a stored publication whose signature does not verify (it is ignored). */
  onForged?: (publication: Publication) => void;
  /** Appends a record to the disclosure log's chain (fail closed: a change not recorded is not made). */
  record: (draft: RecordDraft) => Promise<unknown>;
  /** A draft for a record, from the request facts of whoever acts. */
  draft: (outcome: RecordDraft['outcome'], extra: Partial<RecordDraft>, actor: RecordDraft['user']) => RecordDraft;
}

/**
 * The schema registry: agencies publish their subgraph's schema and policy file, signed; what passes the
 * checks takes effect at once, unless it makes a field newly visible to anyone, when it waits for an IG
 * lead of that agency. Every publication and decision is a record in the disclosure log's chain first.
 */
export class SchemaRegistry {
  constructor(private readonly deps: RegistryDeps) {}

  /**
   * The registry's history, folded. A publication whose signature does not verify with its agency's key
   * (written into the store by anything but this registry) is left out, and said so in the log.
   */
  async state(): Promise<RegistryState> {
    let events: RegistryEvent[];
    try {
      events = await this.deps.store.events();
    } catch (error) {
      throw new SubmissionRefused(
        503,
        'REGISTRY_UNAVAILABLE',
        `The schema registry (${this.deps.store.kind}) did not answer: nothing was changed (${(error as Error).message}).`,
      );
    }
    const genuine = await Promise.all(
      events.map((e) => (e.type === 'PUBLISHED' ? this.signedByItsAgency(e.publication) : true)),
    );
    return { ...fold(events.filter((_, i) => genuine[i])), length: events.length };
  }

  private async signedByItsAgency(p: Publication): Promise<boolean> {
    try {
      const signed = await verifySubmission(p.signature, this.deps.keysDir, new Date(p.publishedAt));
      if (signed.agency === p.agency && signed.sdl === p.sdl && signed.policy === p.policyText && signed.url === p.url)
        return true;
    } catch {
      // falls through: not genuine
    }
    this.deps.onForged?.(p);
    return false;
  }

  /** The agency subgraphs in force: each agency's active publication, or its bundled subgraph. */
  inForce(state: RegistryState): AgencySubgraph[] {
    return this.deps.bundled.map((b) => {
      const p = state.active.get(b.agency);
      return p ? { agency: p.agency, url: p.url, sdl: p.sdl, policy: parseAgencyPolicy(p.policyText, p.agency) } : b;
    });
  }

  /** Per agency, the publication in force (null: the bundled subgraph, never published) and its hashes. */
  async inForceSummary() {
    const state = await this.state();
    return this.deps.bundled.map((b) => {
      const p = state.active.get(b.agency);
      return {
        agency: b.agency,
        publicationId: p?.id ?? null,
        publishedAt: p?.publishedAt ?? null,
        schemaHash: p?.schemaHash ?? createHash('sha256').update(b.sdl).digest('hex'),
        pending: state.publications.filter(
          (x) => x.agency === b.agency && x.status === 'PENDING' && !state.decisions.has(x.id),
        ).length,
      };
    });
  }

  /** The supergraph of what is in force, or composition's errors. */
  composeInForce(state: RegistryState) {
    return this.deps.composer.compose(this.deps.own, this.inForce(state));
  }

  private check(state: RegistryState, submission: { agency: string; url: string; sdl: string; policy: string }) {
    return this.deps.composer.check({
      agency: submission.agency,
      url: submission.url,
      sdl: submission.sdl,
      policyText: submission.policy,
      published: this.inForce(state),
      own: this.deps.own,
      operations: this.deps.operations,
      hashes: { schemaHash: sha256(submission.sdl), policyHash: sha256(submission.policy) },
    });
  }

  /** A signed dry run: the report a publication would get, changing nothing. */
  async checkSigned(token: unknown): Promise<CheckReport> {
    const submission = await verifySubmission(token, this.deps.keysDir);
    const { supergraphSdl: _, ...report } = await this.check(await this.state(), submission);
    return report;
  }

  /** Publishes a signed submission: checked, recorded in the chain, then stored (ACTIVE or PENDING). */
  async publish(
    token: unknown,
  ): Promise<{ publication: Omit<Publication, 'sdl' | 'policyText'>; report: CheckReport }> {
    const submission = await verifySubmission(token, this.deps.keysDir);
    const state = await this.state();
    const { supergraphSdl: _, ...report } = await this.check(state, submission);
    if (!report.ok)
      throw Object.assign(new SubmissionRefused(422, 'CHECKS_FAILED', 'The publication fails its checks.'), { report });
    const status = report.widens ? 'PENDING' : 'ACTIVE';
    const id = randomUUID();
    const draft = this.deps.draft(
      status === 'ACTIVE' ? 'PUBLISHED' : 'PENDING_APPROVAL',
      {
        agencies: [submission.agency],
        schemaChange: {
          publicationId: id,
          agency: submission.agency,
          schemaHash: report.schemaHash,
          policyHash: report.policyHash,
          status,
          impact: impactLines(report.impact),
        },
      },
      { id: `publisher:${submission.agency}`, role: 'PUBLISHER', agency: submission.agency, la: null },
    );
    await this.recordOrRefuse(draft);
    const publication: Publication = {
      id,
      agency: submission.agency,
      url: submission.url,
      sdl: submission.sdl,
      policyText: submission.policy,
      schemaHash: report.schemaHash,
      policyHash: report.policyHash,
      signature: token as string,
      impact: report.impact,
      status,
      base: state.active.get(submission.agency)?.id ?? null,
      publishedAt: draft.time,
      recordId: draft.id,
    };
    await this.append({ type: 'PUBLISHED', publication }, state.length, draft);
    const { sdl: _s, policyText: _p, ...summary } = publication;
    return { publication: summary, report };
  }

  /** An IG lead of the publishing agency approves or rejects a pending change: recorded, then stored. */
  async decide(input: {
    id: string;
    decision: 'APPROVED' | 'REJECTED';
    note: string;
    by: { id: string; name: string; role: string; agency: string; la: string | null };
  }): Promise<{ publication: Publication; decision: Decision }> {
    const state = await this.state();
    const publication = state.publications.find((p) => p.id === input.id && p.agency === input.by.agency);
    if (!publication || publication.status !== 'PENDING')
      throw new SubmissionRefused(
        404,
        'NOT_FOUND',
        `No pending schema change of ${input.by.agency} has id ${JSON.stringify(input.id)}.`,
      );
    if (state.decisions.has(publication.id))
      throw new SubmissionRefused(
        409,
        'ALREADY_DECIDED',
        `This schema change was already ${state.decisions.get(publication.id)!.decision.toLowerCase()}.`,
      );
    if (input.decision === 'APPROVED') {
      if ((state.active.get(publication.agency)?.id ?? null) !== publication.base)
        throw new SubmissionRefused(
          409,
          'SUPERSEDED',
          `${publication.agency} has published since this change was checked: it must be published again to be approved.`,
        );
      const { supergraphSdl: _, ...report } = await this.check(state, {
        agency: publication.agency,
        url: publication.url,
        sdl: publication.sdl,
        policy: publication.policyText,
      });
      if (!report.ok)
        throw new SubmissionRefused(
          409,
          'CHECKS_FAILED',
          `The change no longer passes its checks against what is in force: ${report.problems.map((p) => p.message).join('; ')}`,
        );
    }
    const draft = this.deps.draft(
      input.decision,
      {
        agencies: [publication.agency],
        schemaChange: {
          publicationId: publication.id,
          agency: publication.agency,
          schemaHash: publication.schemaHash,
          policyHash: publication.policyHash,
          status: input.decision,
          impact: impactLines(publication.impact),
          note: input.note,
        },
      },
      { id: input.by.id, role: input.by.role, agency: input.by.agency, la: input.by.la },
    );
    await this.recordOrRefuse(draft);
    const decision: Decision = {
      publicationId: publication.id,
      decision: input.decision,
      by: { id: input.by.id, name: input.by.name },
      note: input.note,
      at: draft.time,
      recordId: draft.id,
    };
    await this.append({ type: 'DECIDED', decision }, state.length, draft);
    return { publication, decision };
  }

  /** The agency's schema changes, newest first, with where each stands. */
  async changes(agency: string, status: ChangeStatus | 'ALL' = 'ALL') {
    const state = await this.state();
    return state.publications
      .filter((p) => p.agency === agency)
      .map((p) => {
        const decision = state.decisions.get(p.id) ?? null;
        const standing: ChangeStatus = decision ? decision.decision : p.status;
        return { publication: p, decision, status: standing };
      })
      .filter((c) => status === 'ALL' || c.status === status)
      .reverse();
  }

  private async recordOrRefuse(draft: RecordDraft) {
    try {
      await this.deps.record(draft);
    } catch {
      throw new SubmissionRefused(
        503,
        'DISCLOSURE_LOG_UNAVAILABLE',
        'The schema change could not be recorded in the disclosure log, so it was not made. Try again shortly.',
      );
    }
  }

  /**
   * Stores the event whose record `recorded` is already in the chain. If the store refuses it, a second
   * record says the change was not made, so the chain never claims a publication the registry lacks.
   */
  private async append(event: RegistryEvent, expected: number, recorded: RecordDraft) {
    try {
      await this.deps.store.append(event, expected);
    } catch (error) {
      const why = error instanceof RegistryConflict ? 'REGISTRY_CONFLICT' : 'REGISTRY_UNAVAILABLE';
      await this.deps
        .record(
          this.deps.draft(
            'NOT_STORED',
            {
              agencies: recorded.agencies,
              reason: why,
              ...(recorded.schemaChange ? { schemaChange: recorded.schemaChange } : {}),
            },
            recorded.user,
          ),
        )
        .catch(() => undefined);
      if (error instanceof RegistryConflict)
        throw new SubmissionRefused(
          409,
          'REGISTRY_CONFLICT',
          'Another publication or decision landed while this one was checked: nothing was changed; check and publish again.',
        );
      throw new SubmissionRefused(
        503,
        'REGISTRY_UNAVAILABLE',
        'The schema registry did not answer: nothing was changed.',
      );
    }
  }
}
