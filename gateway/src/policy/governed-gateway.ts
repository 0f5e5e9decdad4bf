import { Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { codedError, type Logger } from '@macpt/kit';
import { admissionRefusal, forbidden, UNRELATED, type FieldMask, type PolicyEngine } from '@macpt/policies';
import type { GatewayContext } from '../context.js';
import { assembleChronology } from '../chronology/assemble.js';
import {
  ChronologyInputError,
  expandChronology,
  placeSources,
  type Expansion,
  type PlacedSource,
} from '../chronology/expand.js';
import { enforce, type Verdict } from './enforce.js';
import { rewriteOperation, type RewrittenOperation } from './rewrite.js';
import { childrenNamed, singleChildOf } from './single-child.js';

/** How many rewritten operations to keep (per operation, role, agency and purpose). */
const REWRITE_CACHE_SIZE = 2_000;

/**
 * Apollo Gateway with the sharing policy around it: fields a role and purpose can never see are
 * removed before planning (the plan is cached under the rewritten operation's hash), and every field
 * of the result is checked again, per child, before the response leaves.
 */
export class GovernedGateway implements GatewayInterface {
  private readonly rewrites = new Map<string, RewrittenOperation>();
  private generation = 0;
  /** The chronology's sources as the current schema and policies place them. */
  private placed: { schema: GraphQLSchema; generation: number; sources: PlacedSource[] } | null = null;

  constructor(
    private readonly inner: ApolloGateway,
    private readonly engine: PolicyEngine,
    /** Coordinates the gateway itself serves (the directory): they carry no agency data. */
    private readonly exempt: ReadonlySet<string>,
    private readonly logger: Logger,
  ) {}

  onSchemaLoadOrUpdate(callback: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]) {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  async load(options: Parameters<GatewayInterface['load']>[0]) {
    const { executor } = await this.inner.load(options);
    if (!executor) throw new Error('the gateway loaded no executor');
    return {
      executor: ((rc) => this.execute(rc as GatewayGraphQLRequestContext<GatewayContext>, executor)) as GatewayExecutor,
    };
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  /**
   * Fields a decision not to share withholds from this user, when the operation is about one child
   * only (known before planning): removed with the rest, so the holding agency is not even asked.
   */
  private async decidedNotToShare(rc: GatewayGraphQLRequestContext<GatewayContext>): Promise<string[]> {
    const nhsNumber = singleChildOf(rc.document, rc.operationName, rc.request.variables ?? {});
    if (!nhsNumber) return [];
    const attributes = await rc.context.attributesOf(nhsNumber);
    return attributes?.notShared?.length ? this.engine.coveredFields(attributes.notShared).sort() : [];
  }

  /** The operation with its chronologies expanded into the fields they read (null when it asks for none). */
  private expand(rc: GatewayGraphQLRequestContext<GatewayContext>): Expansion | null {
    if (rc.source !== undefined && !rc.source.includes('chronology')) return null;
    if (this.placed?.schema !== rc.schema || this.placed.generation !== this.engine.generation)
      this.placed = {
        schema: rc.schema,
        generation: this.engine.generation,
        sources: placeSources(rc.schema, this.engine.chronologySources()),
      };
    return expandChronology(rc.schema, rc.document, rc.request.variables ?? {}, this.placed.sources);
  }

  private rewrite(
    schema: GraphQLSchema,
    document: DocumentNode,
    rc: GatewayGraphQLRequestContext<GatewayContext>,
    decided: readonly string[],
    expansion: Expansion | null,
  ): RewrittenOperation {
    const { user, purpose } = rc.context;
    // A publication that took effect swaps the engine's policies: rewrites made under the old ones go.
    if (this.generation !== this.engine.generation) {
      this.rewrites.clear();
      this.generation = this.engine.generation;
    }
    // The key names everything the rewrite depends on: one persona's (or one child's) plan never serves another.
    const key = `${rc.queryHash}|${expansion?.signature ?? ''}|${rc.operationName ?? ''}|${user.role}|${user.agency}|${purpose}|${decided.join(',')}`;
    let rewritten = this.rewrites.get(key);
    if (!rewritten) {
      const withheld = new Set(decided);
      rewritten = rewriteOperation(
        schema,
        document,
        (c) =>
          !this.exempt.has(c) &&
          !c.startsWith('Query.') &&
          (withheld.has(c) || this.engine.neverVisible(user, purpose, c)),
        this.engine.childLinks(),
        expansion !== null,
      );
      if (this.rewrites.size >= REWRITE_CACHE_SIZE) this.rewrites.delete(this.rewrites.keys().next().value as string);
      this.rewrites.set(key, rewritten);
    }
    return rewritten;
  }

  private async execute(rc: GatewayGraphQLRequestContext<GatewayContext>, executor: GatewayExecutor) {
    const ctx = rc.context;
    // Break-glass is for one child: an operation naming more is refused whole, before anything is asked.
    if (ctx.breakGlass) {
      const named = childrenNamed(rc.document, rc.operationName, rc.request.variables ?? {});
      if (admissionRefusal(ctx.user, ctx.purpose, { moreThanOneChild: named > 1 }) === 'BREAK_GLASS_ONE_CHILD')
        return {
          errors: [
            codedError(
              'BREAK_GLASS_ONE_CHILD',
              'EMERGENCY (break-glass) opens one child at a time: name one child by NHS number (not a caseload or a list). This attempt is recorded for IG review.',
              {},
              { refusesRequest: true },
            ),
          ],
        };
    }
    // A chronology is read as the fields its entries come from: they are planned, decided and recorded as such.
    let expansion: Expansion | null;
    try {
      expansion = this.expand(rc);
    } catch (error) {
      if (!(error instanceof ChronologyInputError)) throw error;
      return { errors: [codedError('BAD_USER_INPUT', error.message)] };
    }
    const document = expansion?.document ?? rc.document;
    // Cached per operation, role, agency and purpose: no per-request walk of the document.
    const rewritten = this.rewrite(rc.schema, document, rc, await this.decidedNotToShare(rc), expansion);
    if (rewritten.usesReservedAlias) {
      return { errors: [codedError('BAD_USER_INPUT', 'Aliases starting with "_macpt" are reserved by the gateway.')] };
    }
    ctx.removedBeforePlanning = rewritten.removed;
    const planned = {
      ...rc,
      document: rewritten.document,
      queryHash: rewritten.queryHash,
    } as GatewayGraphQLRequestContext;
    const result = await executor(planned);

    // Each child's decisions as one mask, shared by every child of the same shape (decided once per shape). The
    // children in the result were nearly always derived already (their agencies' calls were signed with them):
    // read as settled, with no walk to find them first. A check that meets a child not derived yet is not the
    // answer: it is made again once that child is (the child decided meanwhile as unrelated, for the walk only).
    const masks = new Map<string, FieldMask>();
    const pending = new Set<string>();
    let unrelated: FieldMask | undefined;
    const unrelatedMask = () => (unrelated ??= this.engine.mask(ctx.user, ctx.purpose, UNRELATED));
    const maskOf = (child: string): FieldMask => {
      let mask = masks.get(child);
      if (mask) return mask;
      const attributes = ctx.settled(child)?.attributes;
      if (attributes === undefined) {
        pending.add(child);
        return unrelatedMask();
      }
      mask = attributes ? this.engine.mask(ctx.user, ctx.purpose, attributes) : unrelatedMask();
      masks.set(child, mask);
      return mask;
    };
    const decide = (coordinate: string, child: string | null): Verdict => {
      if (this.exempt.has(coordinate)) return 'exempt';
      if (coordinate.startsWith('Query.')) return this.engine.decideEntry(ctx.user, ctx.purpose, coordinate);
      return (child ? maskOf(child) : unrelatedMask()).decide(coordinate);
    };
    const input = {
      schema: rc.schema,
      document,
      operationName: rc.operationName,
      variables: rc.request.variables ?? {},
      childLinks: this.engine.childLinks(),
      decide,
      withheldError: forbidden,
    };
    let checked = enforce(input, result.data, result.errors ?? []);
    // Until a check meets no child it had to decide unknown: a field let through now may hold another child (a
    // case's child) the check before did not reach. Each round only adds children, so it ends.
    while (pending.size > 0) {
      const waited = [...pending];
      pending.clear();
      await Promise.all(waited.map((n) => ctx.attributesOf(n)));
      checked = enforce(input, result.data, result.errors ?? []);
    }
    for (const leak of checked.summary.caught)
      this.logger.error(
        { requestId: ctx.requestId, ...leak },
        'an agency released a field its policy forbids; withheld by the final check',
      );
    ctx.disclosure = checked.summary;
    let data = checked.data as Record<string, unknown> | null;
    let unsorted = [...(result.errors ?? []).filter(checked.keep), ...checked.added];
    if (expansion) {
      const fragments = Object.fromEntries(
        rc.document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
      );
      ({ data, errors: unsorted } = assembleChronology(
        rc.schema,
        expansion.sites,
        fragments,
        rc.request.variables ?? {},
        data,
        unsorted,
      ) as { data: Record<string, unknown> | null; errors: typeof unsorted });
    }
    const errors = unsorted.sort(
      (a, b) =>
        JSON.stringify(a.path ?? []).localeCompare(JSON.stringify(b.path ?? [])) || a.message.localeCompare(b.message),
    );
    const { errors: _unchecked, ...rest } = result;
    return { ...rest, data, ...(errors.length > 0 ? { errors } : {}) };
  }
}
