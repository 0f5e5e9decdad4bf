import { Pool } from 'undici';
import type { CircuitBreaker } from '../datasources/circuit-breaker.js';

/** One agency's answer about one child (the `POST /facts` contract every subgraph implements). */
export interface AgencyFacts {
  nhsNumber: string;
  known: boolean;
  confidentialLocation: boolean;
  /** From the agency that runs MACPT cases (social care). */
  openCase?: { id: string; la: string; stage: string; namedWorkers: string[] } | null;
  /** From the agency that holds school rolls (education). */
  schoolUrn?: string | null;
}

/** Fetches facts about children from every agency's `POST /facts`, over keep-alive pools. */
export class FactsClient {
  private readonly pools: Map<string, { pool: Pool; origin: string }>;

  constructor(agencyUrls: Record<string, string>, private readonly timeoutOf: (agency: string) => number, private readonly breakers: Record<string, CircuitBreaker> = {}) {
    this.pools = new Map(
      Object.entries(agencyUrls).map(([agency, url]) => {
        const origin = new URL(url).origin;
        return [agency, { pool: new Pool(origin, { connections: 16, keepAliveTimeout: 30_000 }), origin }];
      }),
    );
  }

  get agencies(): string[] {
    return [...this.pools.keys()];
  }

  /** One agency's facts for a batch of children, in the order asked. Throws when the agency cannot answer. */
  async fetch(agency: string, nhsNumbers: readonly string[], headers: Record<string, string>): Promise<AgencyFacts[]> {
    const entry = this.pools.get(agency);
    if (!entry) throw new Error(`no agency named ${agency}`);
    const breaker = this.breakers[agency];
    const open = breaker?.refusal();
    if (open) throw new Error(`${agency}: ${open}`);
    try {
      const facts = await this.request(entry.pool, agency, nhsNumbers, headers);
      breaker?.succeeded();
      return facts;
    } catch (error) {
      breaker?.failed();
      throw error;
    }
  }

  private async request(pool: Pool, agency: string, nhsNumbers: readonly string[], headers: Record<string, string>): Promise<AgencyFacts[]> {
    const timeoutMs = this.timeoutOf(agency);
    const response = await pool.request({
      path: '/facts',
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ nhsNumbers }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.body.json()) as { facts?: AgencyFacts[] };
    if (response.statusCode !== 200 || !Array.isArray(body.facts) || body.facts.length !== nhsNumbers.length) {
      throw new Error(`${agency} answered /facts with HTTP ${response.statusCode}`);
    }
    return body.facts;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.pool.close()));
  }
}
