/**
 * Every fuzz target (test/fuzz/) for 20,000 inputs (DXLAB_FUZZ_COUNT for
 * another count): every input ends in a named outcome, the outcomes add up
 * to the inputs, no crash, hang (over 100 ms of CPU for one input) or
 * miscount; and the fuzz reaches past the front door (more than one
 * outcome). Then every input kept under test/fixtures/malformed/<target>/
 * is replayed: each must now end in a named outcome. `npm run fuzz` runs a
 * million per target.
 */
import { describe, expect, it } from 'vitest';
import { FUZZ_TARGETS, feedOne, runTarget, savedInputs } from '../../fuzz/index.js';

const COUNT = Number(process.env.DXLAB_FUZZ_COUNT ?? 20_000);

describe('fuzz targets', () => {
  for (const t of FUZZ_TARGETS) {
    it(`${t.name}: ${COUNT} inputs, each a named outcome, no crash, hang or miscount`, { timeout: 600_000 }, async () => {
      const r = await runTarget(t, COUNT, 0xf022);
      expect(r.findings.map((f) => `${f.kind} at ${f.index}: ${f.detail.slice(0, 400)}`)).toEqual([]);
      expect(Object.values(r.outcomes).reduce((a, b) => a + b, 0)).toBe(COUNT);
      expect(Object.keys(r.outcomes).length, JSON.stringify(r.outcomes)).toBeGreaterThan(1);
    });

    const saved = savedInputs(t.name);
    if (saved.length) it(`${t.name}: the ${saved.length} kept inputs of test/fixtures/malformed/${t.name}/ end in a named outcome`, async () => {
      const session = await t.setup();
      try {
        for (const [file, input] of saved) {
          const r = await feedOne(session, input);
          expect('outcome' in r ? r.outcome : `${r.kind}: ${r.detail}`, file).not.toMatch(/^(crash|miscount):/);
          expect(r.cpuMs, file).toBeLessThan(1000);
        }
      } finally {
        await session.close?.();
      }
    });
  }
});
