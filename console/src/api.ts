import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** What went wrong with a call, in the words the screen shows. */
export type Failure =
  | { kind: 'signed-out'; message: string }
  | { kind: 'bad-request'; code: string; message: string }
  | { kind: 'rate-limited'; message: string; retryAfterSeconds: number }
  | { kind: 'log-unavailable'; message: string }
  | { kind: 'network'; message: string }
  | { kind: 'server'; message: string };

/** A GraphQL error as the gateway sends it. */
export interface ApiError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; rule?: string; agency?: string; class?: string; [key: string]: unknown };
}

/** What a call returns: data with errors at their paths, or a failure of the whole call. */
export type Answer<T> = { ok: true; data: T | null; errors: ApiError[] } | { ok: false; failure: Failure };

/** The headers every call carries: the token (kept in memory only), the purpose, break-glass justification. */
export interface Asking {
  token: string;
  purpose: string;
  justification?: string;
}

/**
 * Sends one registered operation, exactly as registered (its text is the trusted document), to the gateway's
 * own origin. `_document` carries the result and variable types generated from the gateway's schema.
 */
export async function call<TData, TVariables>(
  _document: TypedDocumentNode<TData, TVariables>,
  text: string,
  variables: TVariables,
  asking: Asking,
): Promise<Answer<TData>> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      cache: 'no-store',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${asking.token}`,
        'x-purpose-of-use': asking.purpose,
        ...(asking.justification ? { 'x-justification': asking.justification } : {}),
        'apollographql-client-name': 'macpt-console',
      },
      body: JSON.stringify({ query: text, variables }),
    });
  } catch {
    return { ok: false, failure: { kind: 'network', message: 'The gateway could not be reached.' } };
  }
  const body = (await response.json().catch(() => ({}))) as { data?: TData | null; errors?: ApiError[] };
  const first = body.errors?.[0];
  const code = first?.extensions?.code ?? '';
  if (response.status === 401)
    return { ok: false, failure: { kind: 'signed-out', message: first?.message ?? 'Your sign-in has ended.' } };
  if (response.status === 429)
    return {
      ok: false,
      failure: {
        kind: 'rate-limited',
        message: first?.message ?? 'Too many requests.',
        retryAfterSeconds: Number(first?.extensions?.retryAfterSeconds ?? 60),
      },
    };
  if (code === 'DISCLOSURE_LOG_UNAVAILABLE')
    return {
      ok: false,
      failure: {
        kind: 'log-unavailable',
        message:
          'Nothing is shown: the disclosure log is unavailable, so no child information can be released. Try again shortly.',
      },
    };
  if (response.status >= 400 && response.status < 500)
    return { ok: false, failure: { kind: 'bad-request', code, message: first?.message ?? 'The request was refused.' } };
  if (response.status >= 500)
    return { ok: false, failure: { kind: 'server', message: first?.message ?? 'The gateway could not answer.' } };
  return { ok: true, data: body.data ?? null, errors: body.errors ?? [] };
}
