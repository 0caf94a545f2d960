/**
 * TAP devices (root only). The compliance pair is the TAP's fd on one side
 * and an AF_PACKET socket on the TAP interface on the other: what the fd
 * writes, the kernel receives on the interface; what the socket sends on the
 * interface, the kernel queues for the fd.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { afPacket, IoError, tap, type FrameIo } from '../../../src/io/index.js';
import { frameIoCompliance, Inbox, makeFrame, parseFrame } from '../../unit/io/frame-io-compliance.js';
import { ip, isRoot, linkExists, linkInfo, settle, TestNet } from './test-net.js';

const MTU = 9000;

describe.skipIf(!isRoot)('TAP device', () => {
  const net = new TestNet();
  let ns = '';
  const tapName = net.ifname('t', 'p');
  const openTap = (o = {}): FrameIo => net.track(tap(tapName, { netns: ns, ...o }));
  const openSocket = (): FrameIo => net.track(afPacket(tapName, { netns: ns }));

  beforeAll(() => {
    ns = net.netns('t');
    // Persistent, so that it outlives each test's endpoint.
    ip('-n', ns, 'tuntap', 'add', 'dev', tapName, 'mode', 'tap');
    ip('-n', ns, 'link', 'set', tapName, 'mtu', String(MTU), 'up');
  });
  afterEach(() => net.closeEndpoints());
  afterAll(() => net.cleanup());

  describe('FrameIo compliance (TAP fd <-> AF_PACKET on the TAP)', () => {
    frameIoCompliance({ mtu: MTU, refusesOversize: false, open: () => ({ a: openTap(), b: openSocket() }) });
  });

  it('sets txqueuelen to 10000 and shows carrier once attached', () => {
    const t = openTap();
    const info = linkInfo(ns, tapName);
    expect(info.txqlen).toBe(10000);
    expect(info.flags).toContain('LOWER_UP');
    expect(t.kind).toBe('tap');
    t.close();
    expect(linkInfo(ns, tapName).flags).not.toContain('LOWER_UP');
  });

  it('creates a TAP that did not exist and removes it on close', () => {
    const name = net.ifname('t', 'n');
    expect(linkExists(ns, name)).toBe(false);
    const t = net.track(tap(name, { netns: ns }));
    expect(t.name).toBe(name);
    expect(linkExists(ns, name)).toBe(true);
    expect(linkExists(undefined, name)).toBe(false);
    t.close();
    expect(linkExists(ns, name)).toBe(false);
  });

  it('a TAP held by another endpoint is busy', () => {
    openTap();
    let err: unknown;
    try {
      tap(tapName, { netns: ns });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IoError);
    expect(err).toMatchObject({ code: 'busy', errno: 'EBUSY', syscall: 'TUNSETIFF', interface: tapName });
  });

  it("counts the kernel's drops when the TAP queue overflows (tx_dropped) in rxDropped", async () => {
    const t = openTap({ txqueuelen: 100 });
    const s = openSocket();
    expect(linkInfo(ns, tapName).txqlen).toBe(100);
    expect(s.send(Array.from({ length: 300 }, (_, i) => makeFrame(200, i, 1)))).toBe(300);
    const inT = new Inbox();
    t.start(inT.onFrames);
    await inT.waitFor(100);
    await settle(20);
    expect(inT.frames.map((f) => parseFrame(f)!.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(t.stats().rxDropped).toBe(200);
    expect(t.stats().link?.txDropped).toBe(200);
  });

  it('counts writes refused while the TAP is down (EIO) in txErrors, without throwing', () => {
    const t = openTap();
    ip('-n', ns, 'link', 'set', tapName, 'down');
    try {
      expect(t.send([makeFrame(100, 0, 0), makeFrame(100, 1, 0)])).toBe(0);
      expect(t.stats()).toMatchObject({ txPackets: 0, txErrors: 2, lastTxError: 'EIO' });
    } finally {
      ip('-n', ns, 'link', 'set', tapName, 'up');
    }
  });
});
