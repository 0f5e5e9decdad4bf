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
});

/**
 * Parses the gateway's environment. Agency URLs default to the supergraph's; `<AGENCY>_URL`
 * (e.g. `SOCIAL_CARE_URL`) overrides one.
 */
export function gatewayConfig(env: Record<string, string | undefined>) {
  const base = parseConfig(schema, env);
  const urlOverrides = Object.fromEntries(
    Object.entries(env)
      .filter(([key, value]) => key.endsWith('_URL') && value && /^https?:\/\//.test(value))
      .map(([key, value]) => [key.slice(0, -4).toLowerCase().replace(/_/g, '-'), value as string]),
  );
  return Object.freeze({ ...base, urlOverrides: Object.freeze(urlOverrides) });
}
