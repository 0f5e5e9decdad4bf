import { join } from 'node:path';
import type { GatewayGraphQLRequest } from '@apollo/server-gateway-interface';
import { codedError, ensureSecret } from '@macpt/kit';
import { INTERNAL_CONTEXT_HEADER, signInternalContext, type ContextKey, type InternalContext } from '@macpt/contract';
import type { ChildAttributes } from '@macpt/policies';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';

/**
 * Signs internal contexts, each with its agency's own secret (configured, or the embedded secrets), and
 * each for the exact body it is sent with: an agency holds only its own secret, so none can forge a
 * context for another, and a context captured on the way answers that one call only.
 */
export async function createSigner(
  config: Pick<GatewayConfig, 'DATA_DIR' | 'INTERNAL_CONTEXT_KEYS'>,
): Promise<(agency: string, context: InternalContext, body: string) => Promise<string>> {
  const keys = new Map<string, ContextKey>();
  const keyOf = (agency: string): ContextKey => {
    const known = keys.get(agency);
    if (known) return known;
    if (!/^[a-z][a-z0-9-]*$/.test(agency)) throw new Error(`no internal-context secret for "${agency}"`);
    let key: ContextKey;
    if (config.INTERNAL_CONTEXT_KEYS) {
      const secret = config.INTERNAL_CONTEXT_KEYS[agency];
      if (!secret) throw new Error(`INTERNAL_CONTEXT_KEYS has no secret for ${agency}: its requests cannot be signed`);
      key = { kid: `internal-context-${agency}`, secret: Buffer.from(secret, 'base64url') };
    } else {
      const file = ensureSecret(join(config.DATA_DIR, 'keys'), `internal-context-${agency}`);
      key = { kid: file.kid, secret: Buffer.from(file.k, 'base64url') };
    }
    keys.set(agency, key);
    return key;
  };
  return async (agency, context, body) => signInternalContext(keyOf(agency), agency, context, body);
}

/**
 * The headers of one agency request: the signed context naming the user, purpose, break-glass and
 * the relationship facts of exactly the children this request's representations name, bound to
 * `body`, the request's JSON text as it will be sent.
 */
export function agencyRequestSigner(sign: Awaited<ReturnType<typeof createSigner>>) {
  return async (
    agency: string,
    ctx: GatewayContext,
    request: GatewayGraphQLRequest,
    body: string,
  ): Promise<Record<string, string>> => {
    const representations = (request.variables?.representations ?? []) as {
      __typename?: string;
      nhsNumber?: string;
      id?: string;
    }[];
    const nhsNumbers = representations.flatMap((r) => {
      if (r.__typename === 'Child' && typeof r.nhsNumber === 'string') return [r.nhsNumber];
      // A case the directory opened: its fields are decided for its child.
      const child = typeof r.id === 'string' ? ctx.caseChildren.get(r.id) : undefined;
      return child ? [child] : [];
    });
    // Each child's facts and attributes are derived once per request (the directory has usually done so
    // before any agency is called); only children not derived yet are waited for.
    if (nhsNumbers.some((n) => !ctx.settled(n)))
      await Promise.all(nhsNumbers.map((n) => ctx.attributesOf(n).catch(() => null)));
    // An agency that did not answer this request's fact look-up is not asked again within it (the request
    // has one deadline, and that agency has already spent it): checked for every child before any is named.
    for (const n of nhsNumbers) {
      // A child whose attributes could not be derived is not settled: its facts are asked of the loader.
      const settled = ctx.settled(n);
      const facts = settled ? settled.facts : await ctx.facts.load(n).catch(() => null);
      if (facts?.unavailable.includes(agency)) {
        throw codedError(
          'AGENCY_UNAVAILABLE',
          `The ${agency} agency's service did not answer (${facts.unavailableWhy[agency] ?? 'failed'}) this request's fact look-up, so it is not asked again; ${agency}'s fields are missing from this response, not empty.`,
          { agency },
        );
      }
    }
    // A child whose facts failed is not named (the agency decides it as unrelated); one whose attributes
    // could not be derived fails the call, with that failure.
    const children = new Map<string, ChildAttributes>();
    for (const n of nhsNumbers) {
      const settled = ctx.settled(n);
      const attributes = settled ? settled.attributes : await ctx.attributesOf(n);
      if (attributes) children.set(n, attributes);
    }
    const { name: _name, ...user } = ctx.user;
    return {
      [INTERNAL_CONTEXT_HEADER]: await sign(
        agency,
        { requestId: ctx.requestId, user, purpose: ctx.purpose, breakGlass: ctx.breakGlass, children },
        body,
      ),
    };
  };
}

/** The headers of a `/facts` call: a service context signed for exactly that body, naming the requests it serves. */
export function factsHeaders(sign: Awaited<ReturnType<typeof createSigner>>) {
  return async (agency: string, requestIds: readonly string[], body: string) => ({
    [INTERNAL_CONTEXT_HEADER]: await factsContext(sign, agency, body),
    'x-request-id': requestIds.slice(0, 50).join(','),
  });
}

/**
 * The gateway's own context for one fact look-up (no user, no children), bound to the exact body it is
 * sent with: captured and replayed, it answers about those children and households only.
 */
export function factsContext(
  sign: Awaited<ReturnType<typeof createSigner>>,
  agency: string,
  body: string,
): Promise<string> {
  return sign(
    agency,
    { requestId: 'gateway-facts', user: null, purpose: null, breakGlass: false, children: new Map() },
    body,
  );
}
