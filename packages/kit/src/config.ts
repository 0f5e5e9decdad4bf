import { z } from 'zod';

/**
 * Parses environment variables against a zod schema into a frozen, typed object. The error lists
 * every bad variable with what was expected and what was got, so a misconfigured start fails once.
 */
export function parseConfig<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined>,
): Readonly<z.infer<T>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      return `  ${key}: ${issue.message} (got ${JSON.stringify(env[key])})`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}

/**
 * Refuses protections switched `off` outside a benchmark: each named switch may be `off` only with
 * NODE_ENV=benchmark, so no deployment can run unchecked by a mistyped variable.
 */
export function requireBenchmarkFor(switches: Record<string, string>, nodeEnv: string): void {
  const off = Object.entries(switches)
    .filter(([, value]) => value === 'off')
    .map(([name]) => name);
  if (off.length > 0 && nodeEnv !== 'benchmark') {
    throw new Error(
      `Invalid configuration:\n  ${off.join(' / ')}: "off" is for benchmarks only and needs NODE_ENV=benchmark (got NODE_ENV=${JSON.stringify(nodeEnv)})`,
    );
  }
}

/** A TCP port from an env string. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export { z };
