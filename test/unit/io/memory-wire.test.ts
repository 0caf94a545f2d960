import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryWire, IoError } from '../../../src/io/index.js';
import { frameIoCompliance, Inbox, makeFrame, parseFrame } from './frame-io-compliance.js';

describe('memory wire: FrameIo compliance', () => {
  frameIoCompliance({ mtu: 9000, refusesOversize: true, open: () => {
    const [a, b] = memoryWire({ mtu: 9000 });
    return { a, b };
  } });
});

describe('memory wire', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never delivers inside send, and delivers one turn later as one batch', async () => {
    const [a, b] = memoryWire();
    const inB = new Inbox();
    b.start(inB.onFrames);
    a.send([makeFrame(60, 0, 0)]);
    a.send([makeFrame(60, 1, 0), makeFrame(60, 2, 0)]);
    expect(inB.frames.length).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(inB.batches).toEqual([3]);
  });

  it('hands over at most `batch` frames per call', async () => {
    const [a, b] = memoryWire({ batch: 4 });
    const inB = new Inbox();
    b.start(inB.onFrames);
    a.send(Array.from({ length: 10 }, (_, i) => makeFrame(60, i, 0)));
    await inB.waitFor(10);
    expect(inB.batches).toEqual([4, 4, 2]);
  });

  it('loss drops the frames it chooses, on the wire', async () => {
    const [a, b] = memoryWire({ loss: (f, from) => from === 'mem0' && parseFrame(f)!.seq % 2 === 1 });
    const inA = new Inbox();
    const inB = new Inbox();
    a.start(inA.onFrames);
    b.start(inB.onFrames);
    expect(a.send(Array.from({ length: 6 }, (_, i) => makeFrame(60, i, 0)))).toBe(6);
    b.send([makeFrame(60, 1, 1)]);
    await inA.waitFor(1);
    await inB.waitFor(3);
    expect(inB.frames.map((f) => parseFrame(f)!.seq)).toEqual([0, 2, 4]);
    expect(a.stats().txPackets).toBe(6);
    expect(b.stats().rxPackets).toBe(3);
  });

  it('reorder rearranges a batch in flight (and may duplicate)', async () => {
    const [a, b] = memoryWire({ reorder: (frames) => [...frames.reverse(), frames[0]!] });
    const inB = new Inbox();
    b.start(inB.onFrames);
    a.send([0, 1, 2].map((i) => makeFrame(60, i, 0)));
    await inB.waitFor(4);
    expect(inB.frames.map((f) => parseFrame(f)!.seq)).toEqual([2, 1, 0, 2]);
  });

  it('delayMs holds frames back', async () => {
    vi.useFakeTimers();
    const [a, b] = memoryWire({ delayMs: (f) => (parseFrame(f)!.seq === 0 ? 100 : 0) });
    const inB = new Inbox();
    b.start(inB.onFrames);
    a.send([0, 1].map((i) => makeFrame(60, i, 0)));
    await vi.advanceTimersByTimeAsync(1);
    expect(inB.frames.map((f) => parseFrame(f)!.seq)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(99);
    expect(inB.frames.map((f) => parseFrame(f)!.seq)).toEqual([1, 0]);
  });

  it('a stopped endpoint queues up to queueFrames and counts the rest in rxDropped', async () => {
    const [a, b] = memoryWire({ queueFrames: 5 });
    a.send(Array.from({ length: 8 }, (_, i) => makeFrame(60, i, 0)));
    await new Promise((r) => setImmediate(r));
    expect(b.stats().rxDropped).toBe(3);
    const inB = new Inbox();
    b.start(inB.onFrames);
    await inB.waitFor(5);
    expect(inB.frames.map((f) => parseFrame(f)!.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  it('allows 4 more octets for an 802.1Q-tagged frame, as packet_snd does', () => {
    const [a] = memoryWire({ mtu: 1500 });
    expect(a.send([makeFrame(1518, 0, 0, true), makeFrame(1518, 1, 0, false), new Uint8Array(10)])).toBe(1);
    expect(a.stats()).toMatchObject({ txPackets: 1, txErrors: 2, lastTxError: 'EINVAL' });
  });

  it('frames to a closed endpoint are lost', async () => {
    const [a, b] = memoryWire();
    b.close();
    expect(a.send([makeFrame(60, 0, 0)])).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(b.stats().rxPackets).toBe(0);
  });

  it('rejects bad options with IoError invalidArgument', () => {
    expect(() => memoryWire({ mtu: 10 })).toThrow(IoError);
    expect(() => memoryWire({ batch: 0 })).toThrow(expect.objectContaining({ code: 'invalidArgument' }));
    expect(() => memoryWire({ macs: [new Uint8Array(5), new Uint8Array(6)] })).toThrow(expect.objectContaining({ code: 'invalidArgument' }));
  });

  it('uses the names and MAC addresses given', () => {
    const [a, b] = memoryWire({ names: ['dx', 'router'], macs: [Uint8Array.of(2, 1, 1, 1, 1, 1), Uint8Array.of(2, 2, 2, 2, 2, 2)] });
    expect([a.name, b.name, a.kind]).toEqual(['dx', 'router', 'memory']);
    expect(Array.from(b.mac())).toEqual([2, 2, 2, 2, 2, 2]);
  });
});
