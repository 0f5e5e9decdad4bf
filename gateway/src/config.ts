import { DEFAULT_RETENTION_MS } from './notifications/inbox.js';
import { redisAddress } from './redis-connection.js';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, port, requireBenchmarkFor, z } from '@macpt/kit';
import { AGENCIES } from '@macpt/policies';

/** The gateway's validated, frozen configuration (read once, in `main.ts`). */
export type GatewayConfig = ReturnType<typeof gatewayConfig>;

/** A variable holding JSON that `shape` checks; a bad one is refused naming what was expected and each problem. */
function jsonVariable<T extends z.ZodType>(shape: T, expected: string) {
  return z.string().transform((text, ctx): z.infer<T> => {
    let value: unknown = null;
    try {
      value = JSON.parse(text);
    } catch {
      // not JSON: reported as the shape's first problem below
    }
    const parsed = shape.safeParse(value);
    if (!parsed.success) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${expected}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      });
      return z.NEVER;
    }
    return parsed.data;
  });
}

/** A duration such as `90s`, `12h`, `400d` or `6y` (a year is 365 days), as milliseconds. */
function duration() {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, y: 365 * 86_400_000 };
  return z
    .string()
    .regex(/^\d+(ms|s|m|h|d|y)$/, 'expected a number and a unit: ms, s, m, h, d or y (e.g. 6y, 400d)')
    .transform((text) => {
      const [, n, unit] = /^(\d+)(ms|s|m|h|d|y)$/.exec(text)!;
      return Number(n) * units[unit!]!;
    });
}

const schema = z.object({
  PORT: port(4000),
  HOST: z.string().default('127.0.0.1'),
  SUPERGRAPH_FILE: z.string().default(fileURLToPath(new URL('../supergraph.graphql', import.meta.url))),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
  /** One deadline per request across its fact look-ups and agency fetches. Default: the longest agency timeout. */
  REQUEST_DEADLINE_MS: z.coerce.number().int().min(50).max(60_000).optional(),
  NODE_ENV: z.enum(['development', 'production', 'test', 'benchmark']).default('development'),
  /** `off` runs a plain federated gateway (no policy layers, no signing): benchmarks only (NODE_ENV=benchmark). */
  POLICY_ENFORCEMENT: z.enum(['on', 'off']).default('on'),
  /** `off` writes no disclosure records: benchmarks only (NODE_ENV=benchmark). */
  DISCLOSURE_LOG: z.enum(['on', 'off']).default('on'),
  /** Where the embedded keys (development issuer, internal context) live. */
  DATA_DIR: z.string().default(resolve('data')),
  /** A real OIDC provider: issuer and JWKS URL. Unset: the embedded development issuer. */
  OIDC_ISSUER: z.string().optional(),
  OIDC_JWKS_URL: z.url().optional(),
  OIDC_AUDIENCE: z.string().default('macpt-gateway'),
  /**
   * The console's client at the OIDC provider (a public client: authorization code with PKCE, no secret).
   * Unset with a real provider: the console cannot sign anyone in and says so.
   */
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** The scopes the console asks for (the provider may need one naming this API to issue its access token). */
  OIDC_SCOPE: z.string().default('openid profile'),
  /** The production disclosure log (Redis Streams). Unset: the embedded append-only file. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected redis://host:port')
    .optional(),
  /** Redis through Sentinel instead: `host:port,host:port` of the Sentinels, and the name of the primary they watch. */
  REDIS_SENTINELS: z
    .string()
    .regex(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, 'expected host:port,host:port')
    .optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[\w.-]+$/)
    .default('macpt'),
  /** A Redis Cluster instead: `host:port,host:port` of some of its nodes (the rest are discovered). */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, 'expected host:port,host:port')
    .optional(),
  /**
   * Replicas that must hold each batch of disclosure records (Redis WAIT, or WAITAOF where the server has it)
   * before any of its responses is released; 0: the primary alone. Within DISCLOSURE_LOG_REPLICA_TIMEOUT_MS, or 503.
   */
  DISCLOSURE_LOG_MIN_REPLICAS: z.coerce.number().int().min(0).max(10).default(0),
  DISCLOSURE_LOG_REPLICA_TIMEOUT_MS: z.coerce.number().int().min(10).max(5_000).default(500),
  DISCLOSURE_LOG_FILE: z.string().optional(),
  /**
   * The archive tier: `postgres://…` for PostgreSQL, or the path of an SQLite file. Unset:
   * DATA_DIR/disclosure-archive.sqlite. Sealed segments move here; only then do they leave Redis.
   */
  DISCLOSURE_ARCHIVE_URL: z.string().min(1).optional(),
  /** The most records Redis keeps: past it, archived segments leave it, oldest first. */
  DISCLOSURE_LOG_HOT_RECORDS: z.coerce.number().int().min(1).default(100_000),
  /** The hard cap: past it appends are refused (503) while the archive takes no segments; a record is never dropped. */
  DISCLOSURE_LOG_HOT_MAX: z.coerce.number().int().min(1).default(1_000_000),
  /** A segment is sealed at this many records, or when its oldest is DISCLOSURE_LOG_SEAL_MS old. */
  DISCLOSURE_LOG_SEGMENT_RECORDS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  DISCLOSURE_LOG_SEAL_MS: z.coerce.number().int().min(10).default(60_000),
  /** How often each gateway's mover looks for records to seal, move, trim and expire. */
  DISCLOSURE_LOG_MOVE_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  /** How long records are kept (`400d`, `6y`, `12h`…); whole segments past it leave the archive. Unset: kept for good. */
  DISCLOSURE_LOG_RETENTION: duration().optional(),
  /** The mover's Redis connection, as a user allowed the trim (the gateway's own user is not). Unset: REDIS_URL. */
  DISCLOSURE_LOG_TRIM_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected redis://host:port')
    .optional(),
  /**
   * The longest an agency's complete facts about a child (relationship, case stage, flags, decisions) are
   * kept, however fresh the agencies' change feeds say they are. 0: asked on every request.
   */
  FACTS_MAX_AGE_MS: z.coerce.number().int().min(0).max(3_600_000).default(600_000),
  /**
   * The bound within which a change at an agency (a named worker removed, a household flagged
   * confidential, a decision not to share) reaches every decision: kept facts are served only while every
   * agency's change feed answered a poll sent less than this long ago (its heartbeat); else every request
   * asks every agency again, and an agency that answers neither counts as not answering.
   */
  FACTS_MAX_STALENESS_MS: z.coerce.number().int().min(200).max(30_000).default(2_000),
  /** How long a response may wait for its disclosure record before it is refused (fail closed). */
  DISCLOSURE_LOG_DEADLINE_MS: z.coerce.number().int().min(50).max(1000).default(1000),
  /** The gateway's public base URL, for download links in IG reports. */
  PUBLIC_URL: z.string().optional(),
  /** Operation limits, checked before validation and planning. */
  MAX_DOCUMENT_BYTES: z.coerce.number().int().positive().default(16_384),
  MAX_TOKENS: z.coerce.number().int().positive().default(4_000),
  MAX_DEPTH: z.coerce.number().int().positive().default(10),
  MAX_ALIASES: z.coerce.number().int().nonnegative().default(15),
  MAX_ROOT_FIELDS: z.coerce.number().int().positive().default(5),
  /** `required`: only operations registered in the manifest run. Default: `allow` (logged) in development, `required` in production. */
  TRUSTED_DOCUMENTS: z.enum(['required', 'allow']).optional(),
  TRUSTED_DOCUMENTS_FILE: z.string().default(fileURLToPath(new URL('../trusted-documents.json', import.meta.url))),
  RATE_LIMIT_REQUESTS_PER_MINUTE: z.coerce.number().int().positive().default(300),
  RATE_LIMIT_CHILDREN_PER_HOUR: z.coerce.number().int().positive().default(1_500),
  /** Consecutive failures that open an agency's circuit, and how long it stays open. */
  CIRCUIT_BREAKER_FAILURES: z.coerce.number().int().positive().default(5),
  CIRCUIT_BREAKER_OPEN_MS: z.coerce.number().int().positive().default(5_000),
  /** On SIGTERM, how long requests in flight may take to finish (with their records) before the rest are cut. */
  /** The built console, served at `/` from this origin. */
  CONSOLE_DIR: z.string().default(fileURLToPath(new URL('../../console/dist', import.meta.url))),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** Where the agencies' publishing public keys are (`publish-<agency>.public.json`). Unset: DATA_DIR/keys. */
  PUBLISH_KEYS_DIR: z.string().optional(),
  /** How often each gateway looks for a new publication in the registry. */
  REGISTRY_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /**
   * How long a notification item stays in the inbox once acknowledged; one never acknowledged expires
   * this long past its due time (it is on the overdue list until then). Then it leaves the inbox; its
   * disclosure record keeps the facts. At least a minute, at most ten years; 30 days unless set.
   */
  NOTIFICATION_ITEM_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(3650 * 86_400_000)
    .default(DEFAULT_RETENTION_MS),
  /**
   * Webhooks to agencies' own systems (JSON): `[{"name","agency","url","secret","rules":[rule ids]}]`.
   * Each notification under those rules is POSTed once per event, HMAC-signed, retried with backoff.
   */
  NOTIFICATION_WEBHOOKS: jsonVariable(
    z.array(
      z.strictObject({
        name: z.string().regex(/^[a-z0-9-]+$/),
        agency: z.enum(AGENCIES),
        url: z.url(),
        secret: z.string().min(32, 'at least 32 characters'),
        rules: z.array(z.string()).min(1),
      }),
    ),
    'a JSON list of webhooks',
  ).optional(),
  /**
   * Each agency's internal-context secret, JSON `{"<agency>": "<base64url, at least 32 bytes>"}`. Unset:
   * the embedded secrets under DATA_DIR/keys (`internal-context-<agency>.secret.json`, made on first use).
   */
  INTERNAL_CONTEXT_KEYS: jsonVariable(
    z.record(
      z.string().regex(/^[a-z][a-z0-9-]*$/),
      z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/)
        .refine((k) => Buffer.from(k, 'base64url').length >= 32, 'a secret of at least 32 bytes'),
    ),
    '{"<agency>": "<base64url secret of at least 32 bytes>"}',
  ).optional(),
});

/**
 * Parses the gateway's environment. Agency URLs default to the supergraph's; `<AGENCY>_URL`
 * (e.g. `SOCIAL_CARE_URL`) overrides one.
 */
export function gatewayConfig(env: Record<string, string | undefined>) {
  const base = parseConfig(schema, env);
  requireBenchmarkFor(
    { POLICY_ENFORCEMENT: base.POLICY_ENFORCEMENT, DISCLOSURE_LOG: base.DISCLOSURE_LOG },
    base.NODE_ENV,
  );
  if (base.NODE_ENV === 'production' && !base.OIDC_JWKS_URL)
    throw new Error(
      'Invalid configuration:\n  OIDC_JWKS_URL: production needs a real OIDC provider (got none; the development issuer is for development only)',
    );
  if (base.DISCLOSURE_LOG_HOT_MAX < base.DISCLOSURE_LOG_HOT_RECORDS + base.DISCLOSURE_LOG_SEGMENT_RECORDS)
    throw new Error(
      `Invalid configuration:\n  DISCLOSURE_LOG_HOT_MAX: must leave room for a segment above DISCLOSURE_LOG_HOT_RECORDS (${base.DISCLOSURE_LOG_HOT_RECORDS} + ${base.DISCLOSURE_LOG_SEGMENT_RECORDS}), got ${base.DISCLOSURE_LOG_HOT_MAX}`,
    );
  if ((base.OIDC_ISSUER === undefined) !== (base.OIDC_JWKS_URL === undefined))
    throw new Error('Invalid configuration:\n  OIDC_ISSUER and OIDC_JWKS_URL: set both or neither');
  if (base.OIDC_CLIENT_ID && !/^https?:\/\/[^/]/.test(base.OIDC_ISSUER ?? ''))
    throw new Error(
      'Invalid configuration:\n  OIDC_ISSUER: the console signs in at the issuer, so with OIDC_CLIENT_ID it must be the issuer URL (https://…)',
    );
  const timeoutOverrides = Object.fromEntries(
    Object.entries(env)
      .filter(
        ([key, value]) => key.endsWith('_TIMEOUT_MS') && key !== 'SUBGRAPH_TIMEOUT_MS' && /^\d+$/.test(value ?? ''),
      )
      .map(([key, value]) => [key.slice(0, -11).toLowerCase().replace(/_/g, '-'), Number(value)]),
  );
  const urlOverrides = Object.fromEntries(
    Object.entries(env)
      .filter(([key, value]) => key.endsWith('_URL') && key !== 'PUBLIC_URL' && value && /^https?:\/\//.test(value))
      .map(([key, value]) => [key.slice(0, -4).toLowerCase().replace(/_/g, '-'), value as string]),
  );
  const trustedDocuments = base.TRUSTED_DOCUMENTS ?? (base.NODE_ENV === 'production' ? 'required' : 'allow');
  return Object.freeze({
    ...base,
    // One address for every Redis client: the server, the Sentinels that name the primary, or the Cluster.
    REDIS_URL: redisAddress(base),
    trustedDocuments,
    urlOverrides: Object.freeze(urlOverrides),
    timeoutOverrides: Object.freeze(timeoutOverrides),
  });
}
