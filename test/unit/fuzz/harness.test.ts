/**
 * The harness's hang rule: an input over 100 ms of CPU is fed again, and it
 * is a hang only when every feed took that long (process.cpuUsage counts the
 * garbage collector's threads too, so one slow feed may be a collection).
 * The feeds made to measure again are not counted among the outcomes.
 */
import { describe, expect, it } from 'vitest';
import { HANG_CPU_MS, runTarget, type FuzzTarget } from '../../fuzz/target.js';

/** Burns about `ms` of CPU on this thread. */
function burn(ms: number): void {
  const end = process.cpuUsage().user / 1000 + ms;
  while (process.cpuUsage().user / 1000 < end) { /* spin */ }
}

/** A target of one seed whose feeds burn the CPU `cost(feedNumber)` says. */
function target(cost: (feed: number) => number): FuzzTarget & { feeds: () => number } {
  let feeds = 0;
  return {
    name: 'burner',
    about: 'test',
    seeds: () => [new Uint8Array([1])],
    mutate: (seed) => seed,
    setup: () => ({ feed: () => { burn(cost(feeds++)); return feeds % 2 ? 'odd' : 'even'; } }),
    feeds: () => feeds,
  };
}

describe('fuzz harness: hangs', () => {
  it('a single slow feed (a collection in the middle of it) is not a hang, and the measuring feeds are not outcomes', async () => {
    const t = target((n) => (n === 1 ? HANG_CPU_MS + 30 : 0));
    const r = await runTarget(t, 3);
    expect(r.findings).toEqual([]);
    expect(Object.values(r.outcomes).reduce((a, b) => a + b, 0)).toBe(3);
    expect(t.feeds()).toBe(4);
    expect(r.maxCpuMs).toBeLessThan(HANG_CPU_MS);
  });

  it('an input slow on every feed is a hang, with the least CPU it took', async () => {
    const t = target(() => HANG_CPU_MS + 30);
    const r = await runTarget(t, 1);
    expect(r.findings.map((f) => f.kind)).toEqual(['hang']);
    expect(r.findings[0]!.detail).toMatch(/ms of CPU \(the least of 3 feeds\)/);
    expect(r.maxCpuMs).toBeGreaterThan(HANG_CPU_MS);
    expect(t.feeds()).toBe(3);
  });
});

describe('fuzz harness: the slowest inputs (--slowest N)', () => {
  it('reports the N inputs that took the most CPU, most first, with their positions; none unless asked', async () => {
    // Each seed burns the milliseconds its octet says; the seeds are fed first, as they are.
    const costs = [0, 60, 0, 25, 0];
    const burner: FuzzTarget = { name: 'burner', about: 'test', seeds: () => costs.map((c) => new Uint8Array([c])), mutate: (s) => s, setup: () => ({ feed: (input) => (burn(input[0]!), 'burnt') }) };
    // A first run takes the module's warm-up (compilation, a collection) on its first feed.
    await runTarget(burner, costs.length);
    const r = await runTarget(burner, costs.length, 1, { slowest: 2 });
    expect(r.slowest.map((s) => s.index)).toEqual([1, 3]);
    expect(r.slowest.map((s) => [...s.input])).toEqual([[60], [25]]);
    expect(r.slowest[0]!.cpuMs).toBe(r.maxCpuMs);
    expect((await runTarget(burner, costs.length)).slowest).toEqual([]);
  });
});
