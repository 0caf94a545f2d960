import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests build namespaces; they run one file at a time so that
    // two files never contend for the same host resources.
    fileParallelism: true,
  },
});
