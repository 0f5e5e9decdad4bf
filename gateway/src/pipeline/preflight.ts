import type { Logger } from '@macpt/kit';
import { checkOperation, checkVariables, documentHash, type OperationLimits } from '../limits/operation-limits.js';
import type { TrustedManifest } from '../limits/trusted-documents.js';
import type { HttpRefusal, Stage } from './stage.js';

/** How the gateway treats operations missing from the trusted-documents manifest. */
export type TrustedMode = 'required' | 'allow';

const CHECKED_CACHE = 5_000;

/**
 * Preflight: operation limits (cheap: no validation, no planning) and trusted documents, checked on
 * exactly what Apollo Server will execute. A refusal is a 400 with a clear code, recorded like every refusal.
 */
export function usePreflight(deps: {
  limits: OperationLimits;
  manifest: TrustedManifest;
  mode: TrustedMode;
  logger: Logger;
}): Stage {
  const passed = new Map<string, ReadonlySet<string>>();
  const refuse = (code: string, message: string, extensions: Record<string, unknown>): HttpRefusal => ({
    status: 400,
    code,
    message,
    extensions,
  });
  return {
    name: 'preflight',
    async onRequest(req, body) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // Read the operation where Apollo Server reads it: the body of a POST, the query string of a GET.
      const post = req.method === 'POST';
      const b = (post ? (body ?? {}) : {}) as { query?: unknown; operationName?: unknown; variables?: unknown };
      const query = post ? b.query : url.searchParams.get('query');
      if (typeof query !== 'string') return null; // Apollo Server answers a request without a query
      const operationName = post
        ? typeof b.operationName === 'string'
          ? b.operationName
          : undefined
        : (url.searchParams.get('operationName') ?? undefined);
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
        if (deps.mode === 'required')
          return refuse(
            'TRUSTED_DOCUMENT_REQUIRED',
            'This gateway runs only registered operations; register it under gateway/operations/ (sha256 of the exact text).',
            { sha256: hash },
          );
        deps.logger.info({ sha256: hash, operationName }, 'unregistered operation (allowed: TRUSTED_DOCUMENTS=allow)');
      }
      // The document's checks hold for every operation in it, so they are remembered by the document alone.
      let declared = passed.get(hash);
      if (!declared) {
        const checked = checkOperation(query, deps.limits);
        if ('limit' in checked) {
          // Syntax errors are Apollo Server's to report (GRAPHQL_PARSE_FAILED), with its usual wording.
          if (checked.limit === 'syntax') return null;
          return refuse('OPERATION_LIMIT_EXCEEDED', checked.message, { limit: checked.limit });
        }
        if (passed.size >= CHECKED_CACHE) passed.clear();
        declared = checked.variables;
        passed.set(hash, declared);
      }
      const bad = checkVariables(variables, declared);
      return bad ? refuse('OPERATION_LIMIT_EXCEEDED', bad.message, { limit: bad.limit }) : null;
    },
  };
}
