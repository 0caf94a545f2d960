import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // npm test runs test/integration in a second pass (npm run test:integration):
    // two files at a time (--maxWorkers 2; they mostly wait on MKA timers, BGP
    // and lab up/down, and each uses its own lab names and state dir), then the
    // files that must have the machine alone (scale, linux-peer VMs) one by one.
    // The longest files start first (test/sequencer.ts), also in a fresh clone.
    sequence: { sequencer: LongestFirstSequencer },
    // Vitest 4 runs at most availableParallelism() - 1 files at a time in `vitest run`
    // (resolveMaxWorkers in node_modules/vitest/dist/chunks/cli-api.*.js; its docs say
    // all of it): one at a time on CI's 2 cores, where the unit suite then ran one file
    // after another for 354 s with a core idle (2026-12-07, no two files' times
    // overlapped). At least two; --maxWorkers and --no-file-parallelism still decide.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // One Docker engine for the run's container tests, started by the first that needs it (test/helpers/test-engine.ts).
    globalSetup: ['test/engine-setup.ts'],
  },
});
