import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '@macpt/kit';
import type { PolicyUser } from '@macpt/policies';
import type { Refusal } from '../request-context.js';
import { checkOperation, checkVariables, documentHash, type OperationLimits } from './operation-limits.js';
import type { TrustedManifest } from './trusted-documents.js';

/** How the gateway treats operations missing from the trusted-documents manifest. */
export type TrustedMode = 'required' | 'allow';

const CHECKED_CACHE = 5_000;

/**
 * The first thing every GraphQL request meets: operation limits (cheap: no validation, no planning)
 * and trusted documents. A refusal is a 400 with a clear code, recorded like every refusal.
 */
export function createPreflight(deps: {
  limits: OperationLimits;
  manifest: TrustedManifest;
  mode: TrustedMode;
  logger: Logger;
  /** Best effort: who sent it, for the refusal's record. */
  identify: (authorization: string | undefined) => Promise<(PolicyUser & { name: string }) | null>;
  onRefused: (refusal: Refusal) => Promise<void>;
}) {
  const passed = new Map<string, ReadonlySet<string>>();
  const refuse = async (req: IncomingMessage, code: string, message: string, extensions: Record<string, unknown>) => {
    const requestId = randomUUID();
    const purpose = req.headers['x-purpose-of-use'];
    const client = req.headers['apollographql-client-name'];
    await deps.onRefused({ requestId, code, user: await deps.identify(req.headers.authorization).catch(() => null), purpose: typeof purpose === 'string' ? purpose.slice(0, 40) : null, clientName: typeof client === 'string' ? client.slice(0, 100) : null });
    return { status: 400, body: { errors: [{ message, extensions: { code, ...extensions } }] }, headers: { 'x-request-id': requestId } };
  };
  return async (req: IncomingMessage, body: unknown) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/graphql' && url.pathname !== '/') return null;
    // Read the operation where Apollo Server reads it: the body of a POST, the query string of a GET.
    const post = req.method === 'POST';
    const b = (post ? body ?? {} : {}) as { query?: unknown; operationName?: unknown; variables?: unknown };
    const query = post ? b.query : url.searchParams.get('query');
    if (typeof query !== 'string') return null; // Apollo Server answers a request without a query
    const operationName = post ? (typeof b.operationName === 'string' ? b.operationName : undefined) : url.searchParams.get('operationName') ?? undefined;
    let variables: unknown = b.variables;
    if (!post && url.searchParams.has('variables')) {
      try {
        variables = JSON.parse(url.searchParams.get('variables')!);
      } catch {
        return null; // Apollo Server reports malformed variables
      }
    }
    const hash = documentHash(query);
    if (!deps.manifest[hash]) {
      if (deps.mode === 'required') return refuse(req, 'TRUSTED_DOCUMENT_REQUIRED', 'This gateway runs only registered operations; register it under gateway/operations/ (sha256 of the exact text).', { sha256: hash });
      deps.logger.info({ sha256: hash, operationName }, 'unregistered operation (allowed: TRUSTED_DOCUMENTS=allow)');
    }
    // The document's checks hold for every operation in it, so they are remembered by the document alone.
    let declared = passed.get(hash);
    if (!declared) {
      const checked = checkOperation(query, deps.limits);
      if ('limit' in checked) {
        // Syntax errors are Apollo Server's to report (GRAPHQL_PARSE_FAILED), with its usual wording.
        if (checked.limit === 'syntax') return null;
        return refuse(req, 'OPERATION_LIMIT_EXCEEDED', checked.message, { limit: checked.limit });
      }
      if (passed.size >= CHECKED_CACHE) passed.clear();
      declared = checked.variables;
      passed.set(hash, declared);
    }
    const bad = checkVariables(variables, declared);
    if (bad) return refuse(req, 'OPERATION_LIMIT_EXCEEDED', bad.message, { limit: bad.limit });
    return null;
  };
}
