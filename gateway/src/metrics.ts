import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { CircuitBreaker } from './datasources/circuit-breaker.js';
import type { GroupCommitter } from './disclosure/group-commit.js';
import type { KeptFactsCounts } from './facts/facts-cache.js';
import { RateLimitedError } from './limits/rate-limit.js';
import type { Stage } from './pipeline/stage.js';

/**
 * The gateway's Prometheus metrics: requests by registered operation and HTTP status with their latency,
 * disclosure records by kind and outcome with the log's append latency and failures, and each agency's
 * circuit. Operation names are the registered trusted documents' (anything else counts as "other"), so
 * a client cannot grow the label set.
 */
export function gatewayMetrics(deps: {
  registry: Registry;
  breakers: Record<string, CircuitBreaker>;
  operations: ReadonlySet<string>;
}) {
  const registers = [deps.registry];
  const duration = new Histogram({
    name: 'macpt_gateway_request_duration_seconds',
    help: 'GraphQL requests by registered operation and HTTP status, seconds from start to response',
    labelNames: ['operation', 'status'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const records = new Counter({
    name: 'macpt_disclosure_records_total',
    help: 'Disclosure records written, by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const append = new Histogram({
    name: 'macpt_disclosure_log_append_seconds',
    help: 'From handing a record to the log to its acknowledgement (its batch written and made durable)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  const failures = new Counter({
    name: 'macpt_disclosure_log_failures_total',
    help: 'Records the log did not take (the response they belonged to was withheld)',
    registers,
  });
  new Gauge({
    name: 'macpt_agency_circuit_open',
    help: '1 while the circuit to an agency is open (it is not being called)',
    labelNames: ['agency'],
    registers,
    collect() {
      for (const [agency, breaker] of Object.entries(deps.breakers)) this.set({ agency }, breaker.refusal() ? 1 : 0);
    },
  });

  let feedAges: () => Record<string, number> = () => ({});
  new Gauge({
    name: 'macpt_facts_feed_age_seconds',
    help: "Per agency, seconds since its fact-change feed last answered a poll (as sent); kept facts are served only while every agency's is under FACTS_MAX_STALENESS_MS",
    labelNames: ['agency'],
    registers,
    collect() {
      for (const [agency, age] of Object.entries(feedAges())) this.set({ agency }, age);
    },
  });

  let keptFacts: (() => Readonly<KeptFactsCounts>) | null = null;
  /** A counter read from counts kept elsewhere: each scrape adds what they grew by since the last. */
  const countedElsewhere = (
    name: string,
    help: string,
    label: string,
    read: (c: KeptFactsCounts) => Record<string, number>,
  ) => {
    const seen: Record<string, number> = {};
    new Counter({
      name,
      help,
      labelNames: [label],
      registers,
      collect() {
        if (!keptFacts) return;
        for (const [value, n] of Object.entries(read(keptFacts()))) {
          this.inc({ [label]: value }, n - (seen[value] ?? 0));
          seen[value] = n;
        }
      },
    });
  };
  countedElsewhere(
    'macpt_facts_kept_lookups_total',
    "Look-ups of a child's facts in what the gateway keeps: served, not kept (asked of the agencies), or refused because an agency's change feed was past its bound",
    'outcome',
    (c) => ({ served: c.served, not_kept: c.notKept, feeds_stale: c.feedsStale }),
  );
  countedElsewhere(
    'macpt_facts_kept_dropped_total',
    'Times every kept fact was dropped: an agency failed a call, a change feed started again or named every child, or a feed failed',
    'why',
    (c) => ({ ...c.dropped }),
  );

  return {
    /** Reports what the kept facts did (served, not kept, refused; dropped and why). */
    keptFacts(counts: () => Readonly<KeptFactsCounts>): void {
      keptFacts = counts;
    },
    /** Reports each agency's feed freshness (the kept facts' watch). */
    watchFeeds(ages: () => Record<string, number>): void {
      feedAges = ages;
    },
    /** Counts every record the committer is given, and times its acknowledgement. */
    instrument(committer: GroupCommitter): void {
      const original = committer.append.bind(committer);
      committer.append = async (draft, charge) => {
        const stop = append.startTimer();
        try {
          const done = await original(draft, charge);
          records.inc({ kind: draft.kind, outcome: draft.outcome });
          return done;
        } catch (error) {
          // A request past its rate limit was not taken on purpose: not a failure of the log.
          if (!(error instanceof RateLimitedError)) failures.inc();
          throw error;
        } finally {
          stop();
        }
      };
    },
    /** A pipeline stage timing each GraphQL request. */
    stage: (): Stage => ({
      name: 'metrics',
      plugin: {
        async requestDidStart() {
          const stop = duration.startTimer();
          return {
            async willSendResponse(sent) {
              const name = sent.operationName ?? '';
              stop({
                operation: deps.operations.has(name) ? name : 'other',
                status: String(sent.response.http.status ?? 200),
              });
            },
          };
        },
      },
    }),
  };
}
