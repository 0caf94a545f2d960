/**
 * Mutation fuzzing of the receive path: every mutated frame ends in exactly
 * one verdict and one packet counter, and nothing throws. The longer run is
 * `npm run fuzz -- --target secy` (test/fuzz/).
 */
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES } from '../../../src/macsec/index.js';
import { ethFrame, pair, rxPacketTotal } from '../../helpers/secy.js';
import { mutateFrame } from '../../helpers/mutate.js';
import { seededRandom } from '../../helpers/random.js';

const FRAMES = 100_000;

describe('SecY receive fuzz', () => {
  it(`${FRAMES} mutated frames: no throw, one counter each`, { timeout: 1_800_000 }, () => {
    const rand = seededRandom(0x5ec7);
    let done = 0;
    const perSuite = Math.ceil(FRAMES / CIPHER_SUITES.length);
    for (const suite of CIPHER_SUITES) {
      for (const mode of ['strict', 'check', 'disabled'] as const) {
        const { tx, rx } = pair({ suite, rx: { validateFrames: mode, replayWindow: 16 } });
        const seeds: Uint8Array[] = [];
        for (const len of [0, 6, 28, 46, 100, 1500]) {
          for (const encrypt of [true, false]) {
            tx.configure({ confidentiality: encrypt });
            const p = tx.protect(ethFrame(len));
            if (p.ok) seeds.push(p.frame);
          }
        }
        seeds.push(ethFrame(60, 0x888e));
        const n = Math.ceil(perSuite / 3);
        for (let i = 0; i < n; i++) {
          const before = rxPacketTotal(rx.snapshot());
          const m = mutateFrame(seeds[Math.floor(rand() * seeds.length)]!, rand);
          const r = rx.validate(m);
          expect(typeof r.verdict).toBe('string');
          const after = rxPacketTotal(rx.snapshot());
          if (after !== before + 1) throw new Error(`frame ${Buffer.from(m).toString('hex')} moved ${after - before} counters`);
          done++;
        }
      }
    }
    expect(done).toBeGreaterThanOrEqual(FRAMES);
  });
});
