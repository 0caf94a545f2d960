/**
 * Mutation fuzz of the KaY's receive path: 100 000 mutated MKPDUs (seeds: the
 * wpa_supplicant MKPDUs of mka-cak256.pcap and MKPDUs our own KaYs sent while
 * securing and rekeying) go into a running KaY. Nothing throws, and each one
 * moves exactly one error counter (a mutated MKPDU can never pass the ICV; an
 * appended tail is Ethernet padding, and the MN then is a replay). A further
 * 20 000 mutations are re-sealed with the right ICK so that they reach the
 * participant: nothing throws, each is counted in inMkpdu.
 */
import { describe, expect, it } from 'vitest';
import { KaY, mkpduIcv, mkpduLayout, deriveIck, type KayCounters } from '../../../src/mka/index.js';
import { seededOctets } from '../../helpers/random.js';
import { CAK, CKN, cfg } from './fixtures.js';
import { MKPDU_ERROR_COUNTERS, mkpduSeeds } from '../../fuzz/targets/kay.js';

const errors = (c: KayCounters) => MKPDU_ERROR_COUNTERS.reduce((n, k) => n + c[k], 0);
const seeds = mkpduSeeds;

function mutate(f: Uint8Array, rnd: () => number): Uint8Array {
  const kind = Math.floor(rnd() * 6);
  const pick = () => Math.floor(rnd() * f.length);
  switch (kind) {
    case 0: {
      const g = f.slice();
      const n = 1 + Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) g[pick()]! ^= 1 << Math.floor(rnd() * 8);
      return g;
    }
    case 1: {
      const g = f.slice();
      const i = pick();
      g[i] = (g[i]! + 1 + Math.floor(rnd() * 255)) & 0xff;
      return g;
    }
    case 2:
      return f.slice(0, pick());
    case 3: {
      const g = new Uint8Array(f.length + 1 + Math.floor(rnd() * 8));
      g.set(f);
      for (let i = f.length; i < g.length; i++) g[i] = Math.floor(rnd() * 256);
      return g;
    }
    case 4: {
      // a length field: EAPOL body length or a parameter set's
      const g = f.slice();
      const at = [16, 17, 20, 21, 18 + 64, 18 + 65, 18 + 82, 18 + 83][Math.floor(rnd() * 8)]!;
      if (at < g.length) g[at] = (g[at]! + 1 + Math.floor(rnd() * 255)) & 0xff;
      else g[pick()]! ^= 0x80;
      return g;
    }
    default: {
      const i = pick();
      const g = new Uint8Array(f.length + 4);
      g.set(f.subarray(0, i));
      g.set([rnd() * 256, rnd() * 256, rnd() * 256, rnd() * 256].map(Math.floor), i);
      g.set(f.subarray(i), i + 4);
      return g;
    }
  }
}

describe('MKPDU receive-path fuzz', () => {
  const base = seeds();
  const rand = seededOctets(12345);
  const rnd = () => {
    const b = rand(4);
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
  };

  function target(): KaY {
    const k = new KaY(cfg(0x0200000000090001n), { random: seededOctets(77) });
    k.start(0);
    // learn the seeds' peers first, so that mutations also meet known MIs
    for (const f of base) k.receive(1, f);
    return k;
  }

  it('100 000 mutated MKPDUs: nothing throws, each moves exactly one error counter', () => {
    const k = target();
    let now = 2;
    const changed = [];
    for (let i = 0; i < 100_000; i++) {
      const f = base[i % base.length]!;
      const g = mutate(f, rnd);
      const before = { ...k.counters };
      k.receive(now, g);
      if (i % 1000 === 0) k.tick((now += 10));
      expect(k.counters.inMkpdu).toBe(before.inMkpdu + 1);
      const moved = errors(k.counters) - errors(before);
      if (moved !== 1) changed.push({ i, moved });
    }
    expect(changed).toEqual([]);
    expect(k.counters.inMkpduIcvVerificationErrors).toBeGreaterThan(10_000);
    expect(k.counters.inMkpduValidationErrors).toBeGreaterThan(10_000);
  });

  it('20 000 mutated MKPDUs re-sealed with the ICK reach the participant: nothing throws', () => {
    const ick = deriveIck(CAK, CKN);
    const k = target();
    let now = 2;
    for (let i = 0; i < 20_000; i++) {
      const g = mutate(base[i % base.length]!, rnd);
      try {
        const { icvOffset } = mkpduLayout(g);
        if (icvOffset + 16 <= g.length) g.set(mkpduIcv(ick, g.subarray(0, icvOffset)), icvOffset);
      } catch {
        // not even an MKPDU header: goes in as it is
      }
      const before = k.counters.inMkpdu;
      k.receive((now += 1), g);
      if (i % 100 === 0) k.tick(now);
      expect(k.counters.inMkpdu).toBe(before + 1);
    }
    expect(k.status().counters.inMkpdu).toBeGreaterThan(20_000);
  });
});
