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
    // One Docker engine for the run's container tests, started by the first that needs it (test/helpers/test-engine.ts).
    globalSetup: ['test/engine-setup.ts'],
  },
});
