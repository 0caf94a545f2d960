/**
 * Three rounds of the fault soak (root; `npm run soak` runs 20): kill -9 of
 * `dxlab up` while it builds, of a node under a ping, and of the lab's
 * supervisor under writes to its AWS API, at random moments
 * (test/faults/soak.ts). After each the lab recovers by itself or `dxlab
 * down` leaves nothing; the state file and the API store are whole.
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../faults/soak.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('fault soak, 3 rounds', () => {
  it('every kill is recovered from or cleaned up, nothing half-written, nothing left', async () => {
    const results = await runSoak({ rounds: 3, log: (l) => process.stderr.write(`soak: ${l}\n`) });
    expect(results.map((r) => r.fault)).toEqual(['up', 'node', 'supervisor', 'up', 'node', 'supervisor', 'up', 'node', 'supervisor']);
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
    for (const r of results.filter((x) => x.fault === 'node')) {
      expect(r.resecureMs).toBeDefined();
      // The ping ran across the kill and got replies (before it, after it, or both).
      expect(r.ping!.received).toBeGreaterThan(0);
    }
    for (const r of results.filter((x) => x.fault === 'supervisor')) expect(r.api!.stored).toBe(r.api!.answered);
  }, 900_000);
});
