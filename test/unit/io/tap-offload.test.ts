/**
 * The offloading TAP's frame logic in the addon (src/io/native/vnet.c),
 * called directly: TSO super-frames cut into segments with every
 * checksum completed (vnetSegment), and TCP segments coalesced into one GSO
 * write (vnetCoalesce). Checksums are checked here by an independent RFC 1071
 * sum. Needs the addon, not root.
 */
import { randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNative, nativeAvailable, type NativeAddon } from '../../../src/io/native.js';

const LE = endianness() === 'LE';
const NEEDS_CSUM = 1;
const DATA_VALID = 2;
const GSO_TCPV4 = 1;
const GSO_UDP = 3;
const GSO_TCPV6 = 4;
const GSO_ECN = 0x80;
const FIN = 0x01;
const PSH = 0x08;
const ACK = 0x10;
const CWR = 0x80;

interface VnetHeader {
  flags: number;
  gsoType: number;
  hdrLen: number;
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
}

/** struct virtio_net_hdr, legacy layout: host byte order. */
function encodeVnet(h: VnetHeader): Uint8Array {
  const b = new Uint8Array(10);
  const v = new DataView(b.buffer);
  v.setUint8(0, h.flags);
  v.setUint8(1, h.gsoType);
  v.setUint16(2, h.hdrLen, LE);
  v.setUint16(4, h.gsoSize, LE);
  v.setUint16(6, h.csumStart, LE);
  v.setUint16(8, h.csumOffset, LE);
  return b;
}

function decodeVnet(b: Uint8Array): VnetHeader {
  const v = new DataView(b.buffer, b.byteOffset, 10);
  return { flags: v.getUint8(0), gsoType: v.getUint8(1), hdrLen: v.getUint16(2, LE), gsoSize: v.getUint16(4, LE), csumStart: v.getUint16(6, LE), csumOffset: v.getUint16(8, LE) };
}

/** RFC 1071 one's complement sum of big-endian 16-bit words, not inverted. */
function sum16(b: Uint8Array, start = 0, end = b.length, acc = 0): number {
  let s = acc;
  for (let i = start; i < end; i += 2) s += (b[i]! << 8) | (i + 1 < end ? b[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

const be16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const be32 = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const put16 = (b: Uint8Array, o: number, v: number) => b.set([(v >> 8) & 0xff, v & 0xff], o);
const put32 = (b: Uint8Array, o: number, v: number) => b.set([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff], o);

/** Pseudo-header sum (RFC 793 §3.1, RFC 8200 §8.1) for `l4len` octets of protocol `proto`. */
function pseudoSum(frame: Uint8Array, l3: number, v6: boolean, proto: number, l4len: number): number {
  const p = v6 ? new Uint8Array(40) : new Uint8Array(12);
  if (v6) {
    p.set(frame.subarray(l3 + 8, l3 + 40), 0);
    put32(p, 32, l4len);
    p[39] = proto;
  } else {
    p.set(frame.subarray(l3 + 12, l3 + 20), 0);
    p[9] = proto;
    put16(p, 10, l4len);
  }
  return sum16(p);
}

/** True when the IPv4 header checksum and the TCP/UDP checksum of the frame verify. */
function checksumsOk(f: Uint8Array, l3: number, v6: boolean, proto = 6): { ip: boolean; l4: boolean } {
  const ihl = v6 ? 40 : (f[l3]! & 15) * 4;
  const ip = v6 || sum16(f, l3, l3 + ihl) === 0xffff;
  const l4 = l3 + ihl;
  return { ip, l4: sum16(f, l4, f.length, pseudoSum(f, l3, v6, proto, f.length - l4)) === 0xffff };
}

interface SuperFrame {
  frame: Uint8Array;
  header: VnetHeader;
  l3: number;
  l4: number;
  hdrs: number;
  payload: Uint8Array;
}

/**
 * A TCP super-frame as tun_put_user hands it over: one set of headers for
 * the whole payload, the TCP checksum field holding the folded pseudo-header
 * sum (CHECKSUM_PARTIAL), and the virtio header saying how to cut it.
 */
function superFrame(o: { v6?: boolean; vlan?: boolean; payload: Uint8Array; mss: number; flags?: number; seq?: number; id?: number; options?: number[] }): SuperFrame {
  const v6 = o.v6 ?? false;
  const opts = o.options ?? [1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78]; // NOP NOP timestamps
  const l3 = o.vlan ? 18 : 14;
  const ipl = v6 ? 40 : 20;
  const l4 = l3 + ipl;
  const thl = 20 + opts.length;
  const hdrs = l4 + thl;
  const f = new Uint8Array(hdrs + o.payload.length);
  f.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]);
  if (o.vlan) f.set([0x81, 0x00, 0x00, 0x64], 12);
  put16(f, l3 - 2, v6 ? 0x86dd : 0x0800);
  if (v6) {
    f[l3] = 0x60;
    put16(f, l3 + 4, f.length - l3 - 40);
    f[l3 + 6] = 6;
    f[l3 + 7] = 64;
    f.set(randomBytes(32), l3 + 8);
  } else {
    f[l3] = 0x45;
    put16(f, l3 + 2, f.length - l3);
    put16(f, l3 + 4, o.id ?? 0x1234);
    put16(f, l3 + 6, 0x4000);
    f[l3 + 8] = 64;
    f[l3 + 9] = 6;
    f.set([10, 0, 0, 1, 10, 0, 0, 2], l3 + 12);
    put16(f, l3 + 10, ~sum16(f, l3, l3 + 20) & 0xffff);
  }
  put16(f, l4, 40000);
  put16(f, l4 + 2, 5201);
  put32(f, l4 + 4, o.seq ?? 0xfffff000);
  put32(f, l4 + 8, 0x01020304);
  f[l4 + 12] = (thl / 4) << 4;
  f[l4 + 13] = o.flags ?? ACK | PSH;
  put16(f, l4 + 14, 502);
  f.set(opts, l4 + 20);
  f.set(o.payload, hdrs);
  put16(f, l4 + 16, pseudoSum(f, l3, v6, 6, f.length - l4));
  const header = {
    flags: NEEDS_CSUM,
    gsoType: v6 ? GSO_TCPV6 : GSO_TCPV4,
    hdrLen: hdrs,
    gsoSize: o.mss,
    csumStart: l4,
    csumOffset: 16,
  };
  return { frame: f, header, l3, l4, hdrs, payload: o.payload };
}

/** Checks the segments of `s` one by one; returns their payloads joined. */
function expectSegments(s: SuperFrame, segs: Uint8Array[]): Uint8Array {
  const v6 = s.header.gsoType === GSO_TCPV6;
  const mss = s.header.gsoSize;
  const n = Math.max(1, Math.ceil(s.payload.length / mss));
  expect(segs.length).toBe(n);
  const seq0 = be32(s.frame, s.l4 + 4);
  const flags0 = s.frame[s.l4 + 13]!;
  segs.forEach((g, i) => {
    const last = i === n - 1;
    expect(g.length).toBeLessThanOrEqual(s.hdrs + mss);
    expect(Buffer.from(g.subarray(0, s.l3)).equals(Buffer.from(s.frame.subarray(0, s.l3)))).toBe(true);
    if (v6) expect(be16(g, s.l3 + 4)).toBe(g.length - s.l3 - 40);
    else {
      expect(be16(g, s.l3 + 2)).toBe(g.length - s.l3);
      expect(be16(g, s.l3 + 4)).toBe((be16(s.frame, s.l3 + 4) + i) & 0xffff);
    }
    expect(be32(g, s.l4 + 4)).toBe((seq0 + i * mss) >>> 0);
    let flags = flags0;
    if (i > 0) flags &= ~CWR;
    if (!last) flags &= ~(FIN | PSH);
    expect(g[s.l4 + 13], `flags of segment ${i}`).toBe(flags);
    expect(checksumsOk(g, s.l3, v6), `checksums of segment ${i}`).toEqual({ ip: true, l4: true });
  });
  return Buffer.concat(segs.map((g) => g.subarray(s.hdrs)));
}

describe.skipIf(!nativeAvailable())('TAP offloads: segmentation and coalescing in the addon', () => {
  const native = (): NativeAddon => loadNative();

  it('cuts an IPv4 TCP super-frame into MSS-sized segments: lengths, IDs, sequence numbers, FIN/PSH on the last, checksums', () => {
    const s = superFrame({ payload: randomBytes(5000), mss: 1448, flags: ACK | PSH | FIN });
    const segs = native().vnetSegment(encodeVnet(s.header), s.frame);
    expect(segs.map((g) => g.length)).toEqual([1514, 1514, 1514, 66 + 5000 - 3 * 1448]);
    expect(Buffer.from(expectSegments(s, segs)).equals(Buffer.from(s.payload))).toBe(true);
  });

  it('cuts an IPv6 super-frame with CWR (GSO_ECN): CWR on the first segment only', () => {
    const s = superFrame({ v6: true, payload: randomBytes(9000), mss: 1428, flags: ACK | CWR });
    s.header.gsoType |= GSO_ECN;
    const segs = native().vnetSegment(encodeVnet(s.header), s.frame);
    expect(segs[0]![s.l4 + 13]).toBe(ACK | CWR);
    expect(segs[1]![s.l4 + 13]).toBe(ACK);
    expect(Buffer.from(expectSegments({ ...s, header: { ...s.header, gsoType: GSO_TCPV6 } }, segs)).equals(Buffer.from(s.payload))).toBe(true);
  });

  it('cuts a super-frame behind an 802.1Q tag', () => {
    const s = superFrame({ vlan: true, payload: randomBytes(3000), mss: 1000 });
    const segs = native().vnetSegment(encodeVnet(s.header), s.frame);
    expect(Buffer.from(expectSegments(s, segs)).equals(Buffer.from(s.payload))).toBe(true);
    expect(segs.every((g) => g[12] === 0x81 && g[15] === 0x64)).toBe(true);
  });

  it('completes a partial checksum (NEEDS_CSUM) of a single frame: UDP of odd length, TCP', () => {
    const udp = new Uint8Array(14 + 20 + 8 + 333);
    udp.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45]);
    put16(udp, 16, udp.length - 14);
    udp[22] = 64;
    udp[23] = 17;
    udp.set([192, 0, 2, 1, 192, 0, 2, 2], 26);
    put16(udp, 24, ~sum16(udp, 14, 34) & 0xffff);
    put16(udp, 34, 53);
    put16(udp, 36, 5353);
    put16(udp, 38, udp.length - 34);
    udp.set(randomBytes(333), 42);
    put16(udp, 40, pseudoSum(udp, 14, false, 17, udp.length - 34));
    const out = native().vnetSegment(encodeVnet({ flags: NEEDS_CSUM, gsoType: 0, hdrLen: 42, gsoSize: 0, csumStart: 34, csumOffset: 6 }), udp);
    expect(out.length).toBe(1);
    expect(checksumsOk(out[0]!, 14, false, 17)).toEqual({ ip: true, l4: true });
    expect(Buffer.from(out[0]!.subarray(42)).equals(Buffer.from(udp.subarray(42)))).toBe(true);

    const s = superFrame({ payload: randomBytes(700), mss: 1448 });
    const tcp = native().vnetSegment(encodeVnet({ ...s.header, gsoType: 0, gsoSize: 0 }), s.frame);
    expect(tcp.length).toBe(1);
    expect(checksumsOk(tcp[0]!, 14, false)).toEqual({ ip: true, l4: true });
  });

  it('passes other frames through unchanged', () => {
    const arp = randomBytes(42);
    const out = native().vnetSegment(new Uint8Array(10), arp);
    expect(out.map((b) => b.toString('hex'))).toEqual([arp.toString('hex')]);
  });

  it('refuses what it cannot cut: UDP GSO (EPROTO), headers beyond the frame (EINVAL)', () => {
    const s = superFrame({ payload: randomBytes(3000), mss: 1448 });
    expect(() => native().vnetSegment(encodeVnet({ ...s.header, gsoType: GSO_UDP }), s.frame)).toThrow(expect.objectContaining({ code: 'EPROTO' }));
    expect(() => native().vnetSegment(encodeVnet(s.header), s.frame.subarray(0, 40))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => native().vnetSegment(encodeVnet({ ...s.header, gsoSize: 0 }), s.frame)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => native().vnetSegment(encodeVnet({ flags: NEEDS_CSUM, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 60, csumOffset: 16 }), new Uint8Array(64))).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });

  it('coalesces the segments of one flow back into the super-frame they came from (NEEDS_CSUM, TCPV4, gso_size, csum_start, csum_offset 16)', () => {
    const s = superFrame({ payload: randomBytes(5000), mss: 1448 });
    const segs = native().vnetSegment(encodeVnet(s.header), s.frame);
    const writes = native().vnetCoalesce(segs);
    expect(writes.map((w) => w.frames)).toEqual([4]);
    const w = writes[0]!.data;
    expect(decodeVnet(w)).toEqual({ flags: NEEDS_CSUM, gsoType: GSO_TCPV4, hdrLen: 66, gsoSize: 1448, csumStart: 34, csumOffset: 16 });
    // Same bytes: IPv4 total length and checksum for the whole, the first ID,
    // PSH from the last segment, the pseudo-header sum in the TCP checksum field.
    expect(Buffer.from(w.subarray(10)).toString('hex')).toBe(Buffer.from(s.frame).toString('hex'));
  });

  it('writes anything else as single frames with DATA_VALID, and ends a run where GRO would', () => {
    const mk = (seq: number, len: number, flags = ACK, port = 5201) => {
      const s = superFrame({ payload: randomBytes(len), mss: 1448, seq, flags });
      put16(s.frame, s.l4 + 2, port);
      return native().vnetSegment(encodeVnet({ ...s.header, gsoType: 0, gsoSize: 0 }), s.frame)[0]!;
    };
    const frames = [
      mk(1000, 1448),
      mk(2448, 1448),
      mk(3896, 1448, ACK, 5202), // another flow
      mk(5344, 1448),
      mk(6892, 1448), // a gap in sequence numbers
      mk(8340, 1000),
      mk(9340, 1448), // after a short segment
      mk(10788, 1448, ACK | PSH),
      mk(12236, 1448), // after PSH
      randomBytes(60), // not TCP
      mk(13684, 1448, ACK | FIN), // FIN: never coalesced
    ];
    const writes = native().vnetCoalesce(frames);
    expect(writes.map((w) => w.frames)).toEqual([2, 1, 1, 2, 2, 1, 1, 1]);
    for (const w of writes.filter((x) => x.frames === 1)) expect(decodeVnet(w.data)).toMatchObject({ flags: DATA_VALID, gsoType: 0 });
    expect(Buffer.from(writes[1]!.data.subarray(10)).equals(Buffer.from(frames[2]!))).toBe(true);
  });

  it('property: any IPv4 or IPv6 super-frame cuts into valid segments that coalesce back into it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 48, max: 9000 }), fc.integer({ min: 0, max: 0xffffffff }), fc.boolean(), (len, mss, seq, v6) => {
        const s = superFrame({ payload: randomBytes(len), mss, seq, v6, id: seq & 0xffff });
        const segs = native().vnetSegment(encodeVnet(s.header), s.frame);
        expect(Buffer.from(expectSegments(s, segs)).equals(Buffer.from(s.payload))).toBe(true);
        if (segs.length > 1 && segs.length <= 64) {
          const writes = native().vnetCoalesce(segs);
          expect(writes.length).toBe(1);
          expect(Buffer.from(writes[0]!.data.subarray(10)).equals(Buffer.from(s.frame))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
