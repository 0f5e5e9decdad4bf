import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Shared by every workspace's vitest.config.ts. Workspace packages are linked, so vitest would
 * bundle their `dist/` and resolve `graphql` to its ESM build while Apollo's CommonJS code loads the
 * CommonJS build: two copies of graphql. Pinning the one path keeps a single copy, as in production.
 */
export default defineConfig({
  resolve: { alias: { graphql: require.resolve('graphql') } },
  test: { testTimeout: 30_000 },
});
