import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.js';

// End-to-end tests start real processes: one file at a time, generous start-up time.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['**/*.test.ts'],
      exclude: ['node_modules/**'],
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 180_000,
      // A browser waits for a page to settle (the first query after start-up plans and looks facts up).
      expect: { poll: { timeout: 10_000 } },
    },
  }),
);
