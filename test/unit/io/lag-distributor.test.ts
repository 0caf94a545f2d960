/**
 * The addon's LAG distributor (src/io/native/lag.c) against the TypeScript
 * reference (src/lacp/distributor.ts): the same flow hash for every frame
 * and the same member for every set of distributing members, on crafted
 * frames (IPv4 and IPv6, TCP, UDP, ICMP, VLAN and QinQ tags, fragments,
 * truncated headers) and on random ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../../src/io/native.js';
import { distributeFrame, flowHash } from '../../../src/lacp/index.js';

const native = loadNative();

function ip4(proto: number, flags: number, ihl = 5): Uint8Array {
  const f = new Uint8Array(14 + ihl * 4 + 8 + 10);
  for (let i = 0; i < f.length; i++) f[i] = (i * 37 + proto) & 0xff;
  f.set([0x08, 0x00], 12);
  f[14] = 0x40 | ihl;
  f[20] = flags;
  f[21] = 0;
  f[23] = proto;
  return f;
}
function ip6(next: number): Uint8Array {
  const f = new Uint8Array(14 + 40 + 8 + 6);
  for (let i = 0; i < f.length; i++) f[i] = (i * 53 + next) & 0xff;
  f.set([0x86, 0xdd], 12);
  f[20] = next;
  return f;
}
function tagged(f: Uint8Array, tpid: number): Uint8Array {
  const t = new Uint8Array(f.length + 4);
  t.set(f.subarray(0, 12));
  t.set([tpid >> 8, tpid & 0xff, 0, 100], 12);
  t.set(f.subarray(12), 16);
  return t;
}

const crafted: Uint8Array[] = [];
for (const proto of [6, 17, 1, 47]) for (const flags of [0, 0x40, 0x20, 0x01]) crafted.push(ip4(proto, flags), ip4(proto, flags, 6), tagged(ip4(proto, flags), 0x8100), tagged(tagged(ip4(proto, flags), 0x8100), 0x88a8));
for (const next of [6, 17, 58, 0]) crafted.push(ip6(next), tagged(ip6(next), 0x8100));
const truncated = crafted.flatMap((f) => [0, 5, 12, 13, 14, 20, 33, 34, 37, 38, 53, 54, 57].map((n) => f.subarray(0, Math.min(n, f.length))));

/** The TS choice as the addon's index, members m0..m(n-1), mask bit i = m_i distributing. */
function tsChoose(frame: Uint8Array, n: number, mask: number): number {
  const members = Array.from({ length: n }, (_, i) => i);
  const d = members.filter((i) => (mask >>> i) & 1);
  return distributeFrame(frame, members, d) ?? -1;
}

describe('LAG distributor: addon = TypeScript reference', () => {
  it('the same flow hash for crafted and truncated frames', () => {
    for (const f of [...crafted, ...truncated]) expect(native.lagFlowHash(f)).toBe(flowHash(f));
  });
  it('the same member for every distributing set of 1 to 4 members', () => {
    for (const f of crafted) {
      for (let n = 1; n <= 4; n++) for (let mask = 0; mask < 1 << n; mask++) expect([n, mask, native.lagChoose(f, n, mask)]).toEqual([n, mask, tsChoose(f, n, mask)]);
    }
  });
  it('the same hash and member on random frames (random EtherType, IPv4 or IPv6 with a random header)', () => {
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc.tuple(fc.constantFrom(0x0800, 0x86dd, 0x8100), fc.uint8Array({ minLength: 20, maxLength: 100 })).map(([t, body]) => {
        const f = new Uint8Array(14 + body.length);
        f[12] = t >> 8;
        f[13] = t & 0xff;
        f.set(body, 14);
        if (t === 0x0800) f[14] = 0x45;
        return f;
      }),
    );
    fc.assert(
      fc.property(frame, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 255 }), (f, n, mask) => {
        expect(native.lagFlowHash(f)).toBe(flowHash(f));
        expect(native.lagChoose(f, n, mask)).toBe(tsChoose(f, n, mask & ((1 << n) - 1)));
      }),
      { numRuns: 2000 },
    );
  });
  it('bad arguments are refused naming them', () => {
    expect(() => native.lagChoose(new Uint8Array(14), 0, 1)).toThrow(/members must be 1 to 32/);
    expect(() => native.lagFlowHash('x' as unknown as Uint8Array)).toThrow(/frame must be a Uint8Array/);
  });
});
