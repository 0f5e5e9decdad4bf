import { withTraceContext } from '@macpt/kit';
import { Pool } from 'undici';
import {
  checkChangesAnswer,
  checkFactsResponse,
  type FactChangesAnswer,
  type FactChangesRequest,
  type FactsRequest,
  type FactsResponse,
} from '@macpt/contract';
import { describeFailure } from '../datasources/agency-data-source.js';
import type { CircuitBreaker } from '../datasources/circuit-breaker.js';

export type { AgencyFacts } from '@macpt/contract';

/** Fetches facts about children from every agency's `POST /facts`, over keep-alive pools. */
export class FactsClient {
  private readonly pools: Map<string, { pool: Pool; origin: string }>;

  constructor(
    agencyUrls: Record<string, string>,
    private readonly timeoutOf: (agency: string) => number,
    private readonly breakers: Record<string, CircuitBreaker> = {},
  ) {
    this.pools = new Map(
      Object.entries(agencyUrls).map(([agency, url]) => {
        const origin = new URL(url).origin;
        return [agency, { pool: new Pool(origin, { connections: 16, keepAliveTimeout: 30_000 }), origin }];
      }),
    );
  }

  /** The longest any fact look-up may take: the slowest agency's timeout. */
  get longestTimeoutMs(): number {
    return Math.max(...this.agencies.map((a) => this.timeoutOf(a)));
  }

  get agencies(): string[] {
    return [...this.pools.keys()];
  }

  /** One agency's facts for a batch of children (and households), in the order asked. Throws when the agency cannot answer. */
  /** `headersFor` gets the exact body sent, so the context it signs can be bound to it. */
  async fetch(
    agency: string,
    asked: FactsRequest,
    headersFor: (body: string) => Promise<Record<string, string>>,
    until = Number.POSITIVE_INFINITY,
  ): Promise<FactsResponse> {
    const entry = this.pools.get(agency);
    if (!entry) throw new Error(`no agency named ${agency}`);
    const timeoutMs = Math.min(this.timeoutOf(agency), until - Date.now());
    if (timeoutMs <= 0) throw new Error('timed out before it could be asked');
    const breaker = this.breakers[agency];
    const open = breaker?.refusal();
    if (open) throw new Error(open);
    try {
      const body = JSON.stringify(asked);
      const facts = checkFactsResponse(
        agency,
        asked,
        await this.post(entry.pool, '/facts', body, await headersFor(body), timeoutMs),
      );
      breaker?.succeeded();
      return facts;
    } catch (error) {
      breaker?.failed();
      throw error;
    }
  }

  /** POSTs JSON to one of an agency's own routes and reads its JSON answer; throws, in words, when it cannot. */
  private async post(
    pool: Pool,
    path: string,
    sent: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<unknown> {
    let response;
    let text: string;
    try {
      response = await pool.request({
        path,
        method: 'POST',
        headers: withTraceContext({ 'content-type': 'application/json', ...headers }),
        body: sent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.body.text();
    } catch (error) {
      throw new Error(describeFailure(error));
    }
    if (response.statusCode !== 200) throw new Error(`answered HTTP ${response.statusCode}`);
    try {
      return JSON.parse(text);
    } catch {
      throw new Error('answered with a body that is not JSON');
    }
  }

  /**
   * One poll of an agency's fact-change feed (`POST /facts/changes`): answered when something changed, or
   * after `waitMs` (a heartbeat). Throws when the agency cannot answer, or answers out of shape.
   */
  async changes(
    agency: string,
    asked: FactChangesRequest,
    headersFor: (body: string) => Promise<Record<string, string>>,
  ): Promise<FactChangesAnswer> {
    const entry = this.pools.get(agency);
    if (!entry) throw new Error(`no agency named ${agency}`);
    const sent = JSON.stringify(asked);
    const body = await this.post(
      entry.pool,
      '/facts/changes',
      sent,
      await headersFor(sent),
      asked.waitMs + this.timeoutOf(agency),
    );
    return checkChangesAnswer(agency, body);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.pool.close()));
  }
}
