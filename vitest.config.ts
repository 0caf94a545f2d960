import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // npm test runs test/integration in a second pass with --no-file-parallelism:
    // its timing assertions (MKA within Life Time) want the cores to themselves.
  },
});
