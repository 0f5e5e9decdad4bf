import { z } from 'zod';

/**
 * Parses environment variables against a zod schema into a frozen, typed object. The error lists
 * every bad variable with what was expected and what was got, so a misconfigured start fails once.
 */
export function parseConfig<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): Readonly<z.infer<T>> {
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

/** A TCP port from an env string. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export { z };
