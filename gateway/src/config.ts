import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, port, z } from '@macpt/kit';

/** The gateway's validated, frozen configuration (read once, in `main.ts`). */
export type GatewayConfig = ReturnType<typeof gatewayConfig>;

const schema = z.object({
  PORT: port(4000),
  HOST: z.string().default('127.0.0.1'),
  SUPERGRAPH_FILE: z.string().default(fileURLToPath(new URL('../supergraph.graphql', import.meta.url))),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Where the embedded keys (development issuer, internal context) live. */
  DATA_DIR: z.string().default(resolve('data')),
  /** A real OIDC provider: issuer and JWKS URL. Unset: the embedded development issuer. */
  OIDC_ISSUER: z.string().optional(),
  OIDC_JWKS_URL: z.url().optional(),
  OIDC_AUDIENCE: z.string().default('macpt-gateway'),
  /** The production disclosure log (Redis Streams). Unset: the embedded append-only file. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected redis://host:port').optional(),
  DISCLOSURE_LOG_FILE: z.string().optional(),
  /** How long a response may wait for its disclosure record before it is refused (fail closed). */
  DISCLOSURE_LOG_DEADLINE_MS: z.coerce.number().int().min(50).max(1000).default(1000),
  /** The gateway's public base URL, for download links in IG reports. */
  PUBLIC_URL: z.string().optional(),
  /** The private JWK (JSON) that signs internal contexts. Unset: the embedded key pair under DATA_DIR/keys. */
  INTERNAL_CONTEXT_PRIVATE_JWK: z.string().optional(),
});

/**
 * Parses the gateway's environment. Agency URLs default to the supergraph's; `<AGENCY>_URL`
 * (e.g. `SOCIAL_CARE_URL`) overrides one.
 */
export function gatewayConfig(env: Record<string, string | undefined>) {
  const base = parseConfig(schema, env);
  if (base.NODE_ENV === 'production' && !base.OIDC_JWKS_URL) throw new Error('Invalid configuration:\n  OIDC_JWKS_URL: production needs a real OIDC provider (got none; the development issuer is for development only)');
  if ((base.OIDC_ISSUER === undefined) !== (base.OIDC_JWKS_URL === undefined)) throw new Error('Invalid configuration:\n  OIDC_ISSUER and OIDC_JWKS_URL: set both or neither');
  const urlOverrides = Object.fromEntries(
    Object.entries(env)
      .filter(([key, value]) => key.endsWith('_URL') && key !== 'PUBLIC_URL' && value && /^https?:\/\//.test(value))
      .map(([key, value]) => [key.slice(0, -4).toLowerCase().replace(/_/g, '-'), value as string]),
  );
  return Object.freeze({ ...base, urlOverrides: Object.freeze(urlOverrides) });
}
