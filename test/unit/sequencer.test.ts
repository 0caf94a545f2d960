/** The test files' start order (test/sequencer.ts): longest first, from vitest's cache, the table or the default. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_S, DURATIONS_S, expectedMs, longestFirst } from '../sequencer.js';

describe('test file order', () => {
  it('a fresh clone (no cache) starts the long small files first: scenarios before a larger, shorter file', () => {
    const files = ['test/integration/io/tap.test.ts', 'test/integration/node-vif.test.ts', 'test/integration/soak.test.ts', 'test/integration/scenarios.test.ts', 'test/unit/mka/kay.test.ts'];
    const order = longestFirst(files, (f) => expectedMs(f, undefined));
    expect(order).toEqual(['test/integration/scenarios.test.ts', 'test/integration/soak.test.ts', 'test/integration/node-vif.test.ts', 'test/unit/mka/kay.test.ts', 'test/integration/io/tap.test.ts']);
  });

  it("the cache's figure wins over the table; a file in neither weighs the default", () => {
    expect(expectedMs('test/integration/scenarios.test.ts', 5_000)).toBe(5_000);
    expect(expectedMs('test/integration/scenarios.test.ts', undefined)).toBe(DURATIONS_S['test/integration/scenarios.test.ts']! * 1000);
    expect(expectedMs('test/integration/new.test.ts', undefined)).toBe(DEFAULT_S * 1000);
  });

  it('equal weights keep the order they came in', () => {
    expect(longestFirst(['c', 'a', 'b'], () => 1)).toEqual(['c', 'a', 'b']);
  });
});
