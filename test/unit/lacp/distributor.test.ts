/**
 * The Frame Distributor and Collector reference (802.1AX-2014 6.2.3, 6.2.4):
 * a flow stays on one member, 1,000 flows spread evenly, a member leaving
 * moves only its own flows.
 */
import { describe, expect, it } from 'vitest';
import { collectFrame, distributeFrame, flowHash } from '../../../src/lacp/index.js';
import { h } from '../../helpers/hex.js';

const MACS = h('020000020001' + '020000010001');

function ipv4(src: string, dst: string, proto: number, sport: number, dport: number, payload = 0, flags = 0x40): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload);
  f.set(MACS);
  f.set([0x08, 0x00], 12);
  f.set([0x45, 0, 0, 0, 0, 0, flags, 0, 64, proto], 14);
  f.set(src.split('.').map(Number), 26);
  f.set(dst.split('.').map(Number), 30);
  f.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff], 34);
  for (let i = 0; i < payload; i++) f[42 + i] = (i * 7 + payload) & 0xff;
  return f;
}

function ipv6(sport: number, dport: number, proto = 6): Uint8Array {
  const f = new Uint8Array(14 + 40 + 8);
  f.set(MACS);
  f.set([0x86, 0xdd], 12);
  f[14] = 0x60;
  f[20] = proto;
  f.set(h('20010db8000000000000000000000001'), 22);
  f.set(h('20010db8000000000000000000000002'), 38);
  f.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff], 54);
  return f;
}

function vlan(f: Uint8Array, vid: number): Uint8Array {
  const t = new Uint8Array(f.length + 4);
  t.set(f.subarray(0, 12));
  t.set([0x81, 0x00, vid >> 8, vid & 0xff], 12);
  t.set(f.subarray(12), 16);
  return t;
}

const M = ['m1', 'm2'];

describe('frame distributor', () => {
  it('every frame of a flow goes on one member, whatever its payload, length or IP ID', () => {
    for (let sport = 40000; sport < 40100; sport++) {
      const first = distributeFrame(ipv4('10.0.0.1', '10.0.0.2', 6, sport, 179), M, M);
      for (const len of [0, 1, 100, 1400]) {
        const f = ipv4('10.0.0.1', '10.0.0.2', 6, sport, 179, len);
        f[18] = len & 0xff; // IP identification differs per packet
        expect(distributeFrame(f, M, M)).toBe(first);
      }
    }
  });
  it('1,000 TCP flows spread within 10% of even over 2 members (IPv4), and so do 1,000 UDP flows over IPv6', () => {
    for (const mk of [(i: number) => ipv4('192.168.1.1', '192.168.2.1', 6, 10000 + i, 5201), (i: number) => ipv6(20000 + i, 53, 17)]) {
      const count = { m1: 0, m2: 0 };
      for (let i = 0; i < 1000; i++) count[distributeFrame(mk(i), M, M) as 'm1' | 'm2']++;
      expect(count.m1).toBeGreaterThanOrEqual(450);
      expect(count.m1).toBeLessThanOrEqual(550);
      expect(count.m1 + count.m2).toBe(1000);
    }
  });
  it('flows differing only in addresses spread too (a ping from many hosts)', () => {
    let m1 = 0;
    for (let i = 0; i < 1000; i++) if (distributeFrame(ipv4(`10.1.${i >> 8}.${i & 0xff}`, '10.9.9.9', 1, 0, 0), M, M) === 'm1') m1++;
    expect(m1).toBeGreaterThanOrEqual(450);
    expect(m1).toBeLessThanOrEqual(550);
  });
  it('the ports are part of the flow for TCP and UDP only, and not for a fragment', () => {
    expect(flowHash(ipv4('10.0.0.1', '10.0.0.2', 6, 1, 2))).not.toBe(flowHash(ipv4('10.0.0.1', '10.0.0.2', 6, 1, 3)));
    expect(flowHash(ipv4('10.0.0.1', '10.0.0.2', 47, 1, 2))).toBe(flowHash(ipv4('10.0.0.1', '10.0.0.2', 47, 1, 3)));
    // MF set: the first fragment is hashed without ports, like the later ones.
    expect(flowHash(ipv4('10.0.0.1', '10.0.0.2', 17, 1, 2, 0, 0x20))).toBe(flowHash(ipv4('10.0.0.1', '10.0.0.2', 17, 9, 9, 0, 0x20)));
  });
  it('VLAN tags are stepped over: the addresses and ports still count', () => {
    expect(flowHash(vlan(ipv4('10.0.0.1', '10.0.0.2', 6, 1, 2), 100))).not.toBe(flowHash(vlan(ipv4('10.0.0.1', '10.0.0.2', 6, 1, 3), 100)));
  });
  it('a member leaving moves only its own flows; none when no member distributes', () => {
    const M3 = ['m1', 'm2', 'm3'];
    let moved = 0;
    for (let i = 0; i < 300; i++) {
      const f = ipv4('10.0.0.1', '10.0.0.2', 6, 30000 + i, 80);
      const before = distributeFrame(f, M3, M3);
      const after = distributeFrame(f, M3, ['m1', 'm3']);
      if (before !== 'm2') expect(after).toBe(before);
      else moved++;
      expect(after).not.toBe('m2');
    }
    expect(moved).toBeGreaterThan(50);
    expect(distributeFrame(ipv4('10.0.0.1', '10.0.0.2', 6, 1, 2), M, [])).toBeUndefined();
  });
  it('short and odd frames still get a member', () => {
    for (const f of [new Uint8Array(0), new Uint8Array(13), h('ffffffffffff0200000100010806'), vlan(new Uint8Array(14), 5).subarray(0, 16)]) {
      expect(M).toContain(distributeFrame(f, M, M));
    }
  });
});

describe('frame collector', () => {
  it('passes frames from collecting members only', () => {
    expect(collectFrame('m1', ['m1'])).toBe(true);
    expect(collectFrame('m2', ['m1'])).toBe(false);
    expect(collectFrame('m1', [])).toBe(false);
  });
});
