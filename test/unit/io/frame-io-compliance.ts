/**
 * One FrameIo compliance suite for every implementation (STYLE.md §8, as
 * libp2p's interface-compliance-tests run on every muxer): the memory wire
 * (test/unit/io/memory-wire.test.ts), AF_PACKET over a veth pair and a TAP
 * device (test/integration/io/*.test.ts).
 *
 * A target opens a fresh connected pair per test. Every frame of the suite
 * carries EtherType 0x88B5 (IEEE 802 local experimental) and a tag unique to
 * the run, so frames the kernel sends on its own (IPv6 neighbour discovery
 * and the like) are told apart and ignored.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import type { FrameIo } from '../../../src/io/index.js';

export interface FrameIoPair {
  a: FrameIo;
  b: FrameIo;
}

export interface ComplianceTarget {
  /** MTU of both ends: frames of up to mtu + 14 octets cross. */
  mtu: number;
  /** Opens a fresh connected pair; the suite closes it after each test. */
  open(): Promise<FrameIoPair> | FrameIoPair;
  /**
   * The sending end refuses frames longer than MTU + 14 (packet_snd, and the
   * memory wire after it). A TAP fd accepts them.
   */
  refusesOversize: boolean;
}

export const TEST_ETHERTYPE = 0x88b5;
const RUN = randomBytes(4);
const HEADER = 9; // run tag (4), sender (1), sequence number (4)

/**
 * A frame of `size` octets from end `from` (0 = a, 1 = b), numbered `seq`,
 * optionally with an 802.1Q tag, its payload a pseudo-random pattern of
 * (from, seq) so that every octet is checked.
 */
export function makeFrame(size: number, seq: number, from: 0 | 1, tagged = false): Uint8Array {
  const f = new Uint8Array(size);
  f.set([0x02, 0xdd, 0, 0, 0, from === 0 ? 2 : 1, 0x02, 0x5e, 0, 0, 0, from === 0 ? 1 : 2]);
  let o = 12;
  if (tagged) {
    f.set([0x81, 0x00, (seq >> 8) & 0x0f, seq & 0xff], 12);
    o = 16;
  }
  f[o] = TEST_ETHERTYPE >> 8;
  f[o + 1] = TEST_ETHERTYPE & 0xff;
  o += 2;
  f.set(RUN, o);
  f[o + 4] = from;
  new DataView(f.buffer).setUint32(o + 5, seq);
  let x = (seq * 2654435761 + from + 1) >>> 0 || 1;
  for (let i = o + HEADER; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    f[i] = x & 0xff;
  }
  return f;
}

/** (from, seq) of a frame of this run, or undefined for anything else. */
export function parseFrame(f: Uint8Array): { from: number; seq: number } | undefined {
  if (f.length < 16) return undefined;
  let o = 12;
  if (f[12] === 0x81 && f[13] === 0x00) o = 16;
  if (f.length < o + 2 + HEADER || f[o] !== TEST_ETHERTYPE >> 8 || f[o + 1] !== (TEST_ETHERTYPE & 0xff)) return undefined;
  o += 2;
  for (let i = 0; i < 4; i++) if (f[o + i] !== RUN[i]) return undefined;
  return { from: f[o + 4]!, seq: new DataView(f.buffer, f.byteOffset).getUint32(o + 5) };
}

/** Collects the frames of this run an endpoint receives. */
export class Inbox {
  readonly frames: Uint8Array[] = [];
  /** Size of every batch delivered (all frames, ours or not). */
  readonly batches: number[] = [];
  other = 0;
  private waiter: (() => void) | undefined;

  readonly onFrames = (frames: Uint8Array[]): void => {
    expect(Array.isArray(frames)).toBe(true);
    this.batches.push(frames.length);
    for (const f of frames) {
      if (parseFrame(f)) this.frames.push(f);
      else this.other++;
    }
    this.waiter?.();
  };

  /** Resolves when `n` frames of this run arrived; rejects after `ms` saying how many did. */
  waitFor(n: number, ms = 10_000): Promise<void> {
    if (this.frames.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`waited ${ms} ms for ${n} frames, got ${this.frames.length}`));
      }, ms);
      this.waiter = () => {
        if (this.frames.length >= n) {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        }
      };
    });
  }
}

/** Sizes 60..max spread over n frames, both ends included. */
export function sizes(n: number, max: number): number[] {
  return Array.from({ length: n }, (_, i) => 60 + Math.floor((i * (max - 60)) / (n - 1)));
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Defines the suite's tests in the calling describe block. */
export function frameIoCompliance(target: ComplianceTarget): void {
  const open: FrameIo[] = [];
  const pair = async (): Promise<FrameIoPair> => {
    const p = await target.open();
    open.push(p.a, p.b);
    return p;
  };
  afterEach(() => {
    for (const io of open.splice(0)) io.close();
  });
  const maxFrame = target.mtu + 14;

  it('exchanges 1000 frames of 60..MTU+14 octets each way, in batches, every octet intact and in order', async () => {
    const { a, b } = await pair();
    const inA = new Inbox();
    const inB = new Inbox();
    a.start(inA.onFrames);
    b.start(inB.onFrames);
    const n = 1000;
    const fromA = sizes(n, maxFrame).map((s, i) => makeFrame(s, i, 0, i % 10 === 5));
    const fromB = sizes(n, maxFrame)
      .reverse()
      .map((s, i) => makeFrame(s, i, 1, i % 10 === 5));
    expect(a.send(fromA)).toBe(n);
    expect(b.send(fromB)).toBe(n);
    await Promise.all([inA.waitFor(n), inB.waitFor(n)]);
    expect(inB.frames.length).toBe(n);
    expect(inA.frames.length).toBe(n);
    for (let i = 0; i < n; i++) {
      expect(Buffer.from(inB.frames[i]!).equals(Buffer.from(fromA[i]!)), `frame ${i} a -> b`).toBe(true);
      expect(Buffer.from(inA.frames[i]!).equals(Buffer.from(fromB[i]!)), `frame ${i} b -> a`).toBe(true);
    }
    // Whole batches per callback, not one frame per call.
    expect(Math.max(...inB.batches)).toBeGreaterThan(1);
    expect(inB.batches.length).toBeLessThan(n);
  });

  it('delivers 802.1Q-tagged frames with the tag in place', async () => {
    // On a veth the receive path moves the tag into packet metadata
    // (skb_vlan_untag); a plain AF_PACKET socket would read the frame without it.
    const { a, b } = await pair();
    const inA = new Inbox();
    const inB = new Inbox();
    a.start(inA.onFrames);
    b.start(inB.onFrames);
    const fromA = [makeFrame(64, 0x123, 0, true), makeFrame(maxFrame, 0x456, 0, true)];
    const fromB = [makeFrame(1000, 0x789, 1, true)];
    a.send(fromA);
    b.send(fromB);
    await Promise.all([inB.waitFor(2), inA.waitFor(1)]);
    expect(inB.frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(fromA.map((f) => Buffer.from(f).toString('hex')));
    expect(Buffer.from(inA.frames[0]!).equals(Buffer.from(fromB[0]!))).toBe(true);
    expect(Array.from(inB.frames[0]!.subarray(12, 16))).toEqual([0x81, 0x00, 0x01, 0x23]);
  });

  it('does not hand an endpoint the frames it sent itself', async () => {
    const { a, b } = await pair();
    const inA = new Inbox();
    const inB = new Inbox();
    a.start(inA.onFrames);
    b.start(inB.onFrames);
    a.send(Array.from({ length: 200 }, (_, i) => makeFrame(100, i, 0)));
    await inB.waitFor(200);
    // A marker back from b: anything a saw of its own frames came before it.
    b.send([makeFrame(64, 9999, 1)]);
    await inA.waitFor(1);
    await settle(20);
    expect(inA.frames.map((f) => parseFrame(f))).toEqual([{ from: 1, seq: 9999 }]);
    expect(inB.frames.every((f) => parseFrame(f)!.from === 0)).toBe(true);
  });

  it('counts frames and octets sent and received, and no drops', async () => {
    const { a, b } = await pair();
    const inB = new Inbox();
    b.start(inB.onFrames);
    a.start(() => {});
    const frames = sizes(300, maxFrame).map((s, i) => makeFrame(s, i, 0));
    const octets = frames.reduce((t, f) => t + f.length, 0);
    a.send(frames);
    await inB.waitFor(300);
    const sa = a.stats();
    const sb = b.stats();
    expect(sa).toMatchObject({ txPackets: 300, txBytes: octets, txDropped: 0, txErrors: 0 });
    expect(sb.rxPackets).toBe(300 + inB.other);
    expect(sb.rxBytes).toBeGreaterThanOrEqual(octets);
    expect(sb).toMatchObject({ rxDropped: 0, rxTruncated: 0, rxErrors: 0 });
  });

  it('keeps frames that arrive before start and delivers them after', async () => {
    const { a, b } = await pair();
    a.send(Array.from({ length: 20 }, (_, i) => makeFrame(200, i, 0)));
    await settle(50);
    const inB = new Inbox();
    b.start(inB.onFrames);
    await inB.waitFor(20);
    expect(inB.frames.map((f) => parseFrame(f)!.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('stop halts delivery and start resumes it', async () => {
    const { a, b } = await pair();
    const inB = new Inbox();
    b.start(inB.onFrames);
    expect(b.isStarted()).toBe(true);
    b.stop();
    expect(b.isStarted()).toBe(false);
    a.send(Array.from({ length: 10 }, (_, i) => makeFrame(80, i, 0)));
    await settle(50);
    expect(inB.frames.length).toBe(0);
    b.start(inB.onFrames);
    await inB.waitFor(10);
    expect(inB.frames.length).toBe(10);
  });

  it('copies: the sender may reuse its buffer at once, and a batch survives the next one', async () => {
    const { a, b } = await pair();
    const inB = new Inbox();
    b.start(inB.onFrames);
    const buf = makeFrame(500, 1, 0);
    const original = buf.slice();
    a.send([buf]);
    buf.fill(0xee);
    await inB.waitFor(1);
    const first = inB.frames[0]!;
    expect(Buffer.from(first).equals(Buffer.from(original))).toBe(true);
    a.send([makeFrame(500, 2, 0)]);
    await inB.waitFor(2);
    expect(Buffer.from(first).equals(Buffer.from(original))).toBe(true);
  });

  if (target.refusesOversize) it('refuses a frame longer than MTU + 14 as txErrors (EMSGSIZE) and sends the rest', async () => {
    const { a, b } = await pair();
    const inB = new Inbox();
    b.start(inB.onFrames);
    const sent = a.send([makeFrame(100, 0, 0), makeFrame(maxFrame + 1, 1, 0), makeFrame(100, 2, 0)]);
    expect(sent).toBe(2);
    await inB.waitFor(2);
    expect(inB.frames.map((f) => parseFrame(f)!.seq)).toEqual([0, 2]);
    expect(a.stats()).toMatchObject({ txPackets: 2, txErrors: 1, lastTxError: 'EMSGSIZE' });
  });

  it('reads its MAC address and MTU', async () => {
    const { a, b } = await pair();
    for (const io of [a, b]) {
      expect(io.mac()).toBeInstanceOf(Uint8Array);
      expect(io.mac().length).toBe(6);
      expect(io.mtu()).toBe(target.mtu);
      expect(typeof io.name).toBe('string');
    }
  });

  it('start twice, and use after close, throw IoErrors; close is idempotent', async () => {
    const { a } = await pair();
    a.start(() => {});
    expect(() => a.start(() => {})).toThrow(expect.objectContaining({ name: 'IoError', code: 'alreadyStarted' }));
    a.close();
    a.close();
    expect(a.isClosed()).toBe(true);
    expect(a.isStarted()).toBe(false);
    expect(() => a.send([makeFrame(60, 0, 0)])).toThrow(expect.objectContaining({ name: 'IoError', code: 'closed' }));
    expect(() => a.start(() => {})).toThrow(expect.objectContaining({ name: 'IoError', code: 'closed' }));
    expect(() => a.mtu()).toThrow(expect.objectContaining({ name: 'IoError', code: 'closed' }));
    expect(() => a.stop()).not.toThrow();
    expect(a.stats().txPackets).toBe(0);
  });

  it('rejects a send that is not an array of Uint8Array', async () => {
    const { a } = await pair();
    expect(() => a.send(['nope'] as unknown as Uint8Array[])).toThrow(expect.objectContaining({ name: 'IoError', code: 'invalidArgument' }));
  });
}
