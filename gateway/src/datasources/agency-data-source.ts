import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Pool } from 'undici';
import { codedError, withTraceContext } from '@macpt/kit';
import type { GatewayContext } from '../context.js';
import type { CircuitBreaker } from './circuit-breaker.js';

/** Options for {@link AgencyDataSource}. */
export interface AgencyDataSourceOptions {
  /** The agency's subgraph name in the supergraph. */
  name: string;
  url: string;
  /** Per-request deadline towards this agency. */
  timeoutMs: number;
  /** Adds the headers the gateway alone sets (the signed internal context), bound to `body`, the JSON text sent. */
  signRequest?: (
    agency: string,
    context: GatewayContext,
    request: GatewayGraphQLRequest,
    body: string,
  ) => Promise<Record<string, string>>;
  /** Shared with the facts client: stops hammering an agency that keeps failing. */
  breaker?: CircuitBreaker;
}

/**
 * The gateway's connection to one agency's subgraph: a keep-alive undici pool in place of the
 * default fetch stack, a deadline per request, and failures reported as AGENCY_UNAVAILABLE naming
 * the agency — never mistaken for "no data".
 */
export class AgencyDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(private readonly options: AgencyDataSourceOptions) {
    const url = new URL(options.url);
    this.path = url.pathname + url.search;
    this.pool = new Pool(url.origin, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  /** Sends one fetch of the query plan. Client headers are never forwarded: the gateway sets all of them. */
  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    // Only query-plan fetches reach agencies: the supergraph is static, so no schema loads or health checks.
    if (!('incomingRequestContext' in options))
      throw new Error(`${this.options.name}: only query-plan fetches are sent to agencies`);
    const { request, context } = options;
    // The trace goes on to the agency (W3C traceparent), beside the request id.
    const headers = withTraceContext({ 'content-type': 'application/json', 'x-request-id': context.requestId });
    // Serialised once: the context is signed for exactly these bytes, and these bytes are sent.
    const body = JSON.stringify({
      query: request.query,
      variables: request.variables,
      operationName: request.operationName,
    });
    if (this.options.signRequest)
      Object.assign(headers, await this.options.signRequest(this.options.name, context, request, body));
    // What is left of the request's one deadline (its fact look-ups already spent some of it).
    const timeoutMs = Math.min(this.options.timeoutMs, context.deadline - Date.now());
    if (timeoutMs <= 0) throw this.unavailable("timed out: the request's deadline passed before it could be asked");
    // Asked last, just before the call: a half-open circuit's one trial must end in succeeded() or failed().
    const open = this.options.breaker?.refusal();
    if (open) throw this.unavailable(open);
    let status: number;
    let text: string;
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw this.failure(describeFailure(error));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.failure(`answered HTTP ${status} with a body that is not JSON`);
    }
    if (status >= 400 && !(isObject(parsed) && ('data' in parsed || 'errors' in parsed)))
      throw this.failure(`answered HTTP ${status}`);
    if (status === 401) throw this.failure("refused the gateway's signed context (HTTP 401)");
    if (!isObject(parsed) || !('data' in parsed || 'errors' in parsed))
      throw this.failure('answered with a body that is not a GraphQL response');
    this.options.breaker?.succeeded();
    return parsed as GatewayGraphQLResponse;
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  private failure(reason: string) {
    this.options.breaker?.failed();
    return this.unavailable(reason);
  }

  private unavailable(reason: string) {
    const agency = this.options.name;
    return codedError(
      'AGENCY_UNAVAILABLE',
      `The ${agency} agency's service did not answer (${reason}); ${agency}'s fields are missing from this response, not empty.`,
      { agency },
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A transport failure in words a practitioner's error can carry (no internals). */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || (error as Error).name === 'TimeoutError')
    return 'timed out';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  return code ?? 'request failed';
}
