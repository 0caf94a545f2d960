/**
 * AF_PACKET sockets on a veth pair between two namespaces (root only): the
 * FrameIo compliance suite, then what only a real socket does.
 */
import { readlinkSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { afPacket, IoError, type FrameIo } from '../../../src/io/index.js';
import { loadNative as native } from '../../../src/io/native.js';
import { netnsPath, type NativeFrameIo } from '../../../src/io/native-frame-io.js';
import { frameIoCompliance, Inbox, makeFrame, parseFrame, TEST_ETHERTYPE } from '../../unit/io/frame-io-compliance.js';
import { ip, isRoot, linkExists, settle, TestNet } from './test-net.js';
import { until } from '../../helpers/until.js';

const MTU = 9000;

describe.skipIf(!isRoot)('AF_PACKET over a veth pair', () => {
  const net = new TestNet();
  let nsA = '';
  let nsB = '';
  const ifA = net.ifname('v', 'a');
  const ifB = net.ifname('v', 'b');
  const openA = (o = {}): FrameIo => net.track(afPacket(ifA, { netns: nsA, ...o }));
  const openB = (o = {}): FrameIo => net.track(afPacket(ifB, { netns: nsB, ...o }));

  beforeAll(() => {
    nsA = net.netns('a');
    nsB = net.netns('b');
    ip('link', 'add', ifA, 'netns', nsA, 'mtu', String(MTU), 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB, 'mtu', String(MTU));
    ip('-n', nsA, 'link', 'set', ifA, 'up');
    ip('-n', nsB, 'link', 'set', ifB, 'up');
  });
  afterEach(() => net.closeEndpoints());
  afterAll(() => net.cleanup());

  describe('FrameIo compliance', () => {
    frameIoCompliance({ mtu: MTU, refusesOversize: true, open: () => ({ a: openA(), b: openB() }) });
  });

  for (const ring of ['v2', 'v3'] as const) {
    describe(`FrameIo compliance through PACKET_MMAP rings (TPACKET_${ring.toUpperCase()})`, () => {
      frameIoCompliance({ mtu: MTU, refusesOversize: true, open: () => ({ a: openA({ ring }), b: openB({ ring }) }) });
    });

    it(`ring ${ring}: counts frames the full receive ring could not hold in rxDropped, and says which ring it runs`, async () => {
      const a = openA({ ring });
      const b = openB({ ring });
      expect(native().info((b as NativeFrameIo).nativeHandle).ring).toBe(ring);
      // The receive ring (2048 slots with V2, 8 MiB of blocks with V3) holds
      // fewer than 12,000 frames of 1500 octets.
      const inB = await burstBeforeStart(a, b, 12_000);
      // In order, none twice.
      const seqs = inB.frames.map((f) => parseFrame(f)!.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
    });
  }

  it('ring v3: a ring whose every block came back with few frames is read once, in order', async () => {
    const a = openA({ ring: 'v3' });
    const b = openB({ ring: 'v3' });
    // One frame every 6 ms: the block timer (one jiffy) hands each block over
    // nearly empty, so all of the ring's blocks are the reader's before it starts.
    const n = 48;
    for (let i = 0; i < n; i++) {
      a.send([makeFrame(100, i, 0)]);
      await settle(6);
    }
    const inB = new Inbox();
    b.start(inB.onFrames);
    // Every frame read or counted dropped; on a loaded machine the reader may take longer than a moment.
    await until(() => inB.frames.length + b.stats().rxDropped >= n, 5000).catch(() => undefined);
    const seqs = inB.frames.map((f) => parseFrame(f)!.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(seqs.length + b.stats().rxDropped).toBe(n);
  });

  it('the addon opens without rings when its options name none', () => {
    const h = native().openPacket(ifA, { netns: netnsPath(nsA) });
    try {
      expect(native().info(h).ring).toBe('off');
    } finally {
      native().close(h);
    }
  });

  it('refuses an unknown ring version', () => {
    expect(captureError(() => afPacket(ifA, { netns: nsA, ring: 'v4' as 'v3' }))).toMatchObject({ code: 'invalidArgument' });
  });

  it('opens in another namespace and leaves the calling thread in its own', () => {
    const before = readlinkSync('/proc/thread-self/ns/net');
    const io = openA();
    expect(readlinkSync('/proc/thread-self/ns/net')).toBe(before);
    expect(linkExists(undefined, ifA)).toBe(false);
    expect(io.name).toBe(ifA);
    expect(io.kind).toBe('afPacket');
    io.close();
  });

  it('reads the MAC address the kernel gave the veth', () => {
    const io = openA();
    const shown = /link\/ether ([0-9a-f:]+)/.exec(ip('-n', nsA, 'link', 'show', 'dev', ifA))![1];
    expect(Buffer.from(io.mac()).toString('hex').match(/../g)!.join(':')).toBe(shown);
    io.close();
  });

  it('names errno, call and interface when an open fails', () => {
    const missing = net.ifname('m');
    const e1 = captureError(() => afPacket(missing, { netns: nsA }));
    expect(e1).toMatchObject({ name: 'IoError', code: 'notFound', errno: 'ENODEV', interface: missing });
    expect(e1.message).toContain(missing);
    expect(e1.message).toContain('ENODEV');
    const e2 = captureError(() => afPacket(ifA, { netns: `dxt-io-${net.tag}-none` }));
    expect(e2).toMatchObject({ code: 'notFound', errno: 'ENOENT', syscall: 'setns' });
    expect(captureError(() => afPacket('x'.repeat(16)))).toMatchObject({ code: 'invalidArgument' });
  });

  it('receives only the EtherType it is bound to', async () => {
    const a = openA();
    const b = openB({ etherType: TEST_ETHERTYPE });
    const inB = new Inbox();
    const other = makeFrame(100, 1, 0);
    other[12] = 0x88;
    other[13] = 0xb6;
    b.start(inB.onFrames);
    a.send([other, makeFrame(100, 2, 0)]);
    await inB.waitFor(1);
    await settle(20);
    expect(inB.frames.map((f) => parseFrame(f)!.seq)).toEqual([2]);
    expect(inB.other).toBe(0);
  });

  it('counts frames the socket buffer could not hold (PACKET_STATISTICS) in rxDropped', async () => {
    const a = openA();
    const b = openB({ rcvbufOctets: 64 * 1024 });
    await burstBeforeStart(a, b, 2000);
    expect(b.stats().link?.rxPackets).toBeGreaterThanOrEqual(2000);
  });

  it('reports ENETDOWN while the link is down and reads again once it is up', async () => {
    const a = openA();
    const b = openB();
    const inB = new Inbox();
    const errors: IoError[] = [];
    b.start(inB.onFrames, (e) => errors.push(e));
    ip('-n', nsB, 'link', 'set', ifB, 'down');
    for (let i = 0; i < 100 && errors.length === 0; i++) await settle(10);
    expect(errors[0]).toMatchObject({ name: 'IoError', code: 'socket', errno: 'ENETDOWN', interface: ifB });
    ip('-n', nsB, 'link', 'set', ifB, 'up');
    a.send(Array.from({ length: 10 }, (_, i) => makeFrame(100, i, 0)));
    await inB.waitFor(10);
    expect(b.stats()).toMatchObject({ rxErrors: 1, lastRxError: 'ENETDOWN' });
  });

  it('counts frames refused while the link is down in txErrors, without throwing', () => {
    const a = openA();
    ip('-n', nsA, 'link', 'set', ifA, 'down');
    try {
      expect(a.send([makeFrame(100, 0, 0), makeFrame(100, 1, 0)])).toBe(0);
      expect(a.stats()).toMatchObject({ txPackets: 0, txErrors: 2, lastTxError: 'ENETDOWN' });
    } finally {
      ip('-n', nsA, 'link', 'set', ifA, 'up');
    }
  });
});

/**
 * Sends `n` frames of 1500 octets from a to b before b starts reading; b must
 * then have received some and counted the others in rxDropped.
 */
async function burstBeforeStart(a: FrameIo, b: FrameIo, n: number): Promise<Inbox> {
  for (let i = 0; i < n; i += 500) expect(a.send(Array.from({ length: Math.min(500, n - i) }, (_, k) => makeFrame(1500, i + k, 0)))).toBe(Math.min(500, n - i));
  await settle(20);
  const inB = new Inbox();
  b.start(inB.onFrames);
  await until(() => inB.frames.length + b.stats().rxDropped >= n, 5000).catch(() => undefined);
  const s = b.stats();
  expect(s.rxDropped).toBeGreaterThan(0);
  expect(inB.frames.length + s.rxDropped).toBe(n);
  return inB;
}

function captureError(f: () => unknown): IoError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(IoError);
    return e as IoError;
  }
  throw new Error('expected an IoError');
}
