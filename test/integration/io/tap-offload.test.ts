/**
 * TAP offloads end to end (root): two namespaces, each with an offloading
 * TAP, bridged by this process the way a node bridges TAP and wire. A Node
 * TCP client in one namespace sends 20 MB to a server in the other (`ip netns
 * exec`); every frame the bridge carries is checked on the way: never longer
 * than MTU + 14, IPv4 header and TCP/UDP checksums correct. The server's
 * sha256 must equal the client's, and the counters must show that the
 * kernel really handed over super-frames and that coalesced GSO frames went
 * back in, for IPv4 and IPv6 alike.
 */
import type { ChildProcess } from 'node:child_process';
import { CLIENT, nodeIn, SERVER } from '../../helpers/sha-transfer.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tap } from '../../../src/io/index.js';
import { NativeFrameIo } from '../../../src/io/native-frame-io.js';
import { ip, isRoot, TestNet } from './test-net.js';

const OCTETS = 20 * 1024 * 1024;

/** RFC 1071 sum of big-endian 16-bit words, folded, not inverted. */
function sum16(b: Uint8Array, start: number, end: number, acc = 0): number {
  let s = acc;
  for (let i = start; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if ((end - start) & 1) s += b[end - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

interface Check {
  frames: number;
  tcp: number;
  longest: number;
  bad: string[];
}

/** Checks one frame's length and checksums; notes what is wrong in `c.bad`. */
function checkFrame(f: Uint8Array, mtu: number, c: Check): void {
  c.frames++;
  c.longest = Math.max(c.longest, f.length);
  if (f.length > mtu + 14) c.bad.push(`frame of ${f.length} octets > MTU ${mtu} + 14`);
  const type = (f[12]! << 8) | f[13]!;
  let l3 = 14;
  let l4: number;
  let proto: number;
  let pseudo: number;
  if (type === 0x0800) {
    const ihl = (f[l3]! & 15) * 4;
    if (sum16(f, l3, l3 + ihl) !== 0xffff) c.bad.push('IPv4 header checksum');
    if (((f[l3 + 6]! << 8) | f[l3 + 7]!) & 0x3fff) return; // a fragment
    proto = f[l3 + 9]!;
    l4 = l3 + ihl;
    const len = ((f[l3 + 2]! << 8) | f[l3 + 3]!) - ihl;
    if (l3 + ihl + len !== f.length && f.length > 60) c.bad.push(`IPv4 total length ${len + ihl} for a frame of ${f.length}`);
    pseudo = sum16(f, l3 + 12, l3 + 20, proto + len);
  } else if (type === 0x86dd) {
    l3 = 14;
    proto = f[l3 + 6]!;
    l4 = l3 + 40;
    const len = (f[l3 + 4]! << 8) | f[l3 + 5]!;
    if (l4 + len !== f.length) c.bad.push(`IPv6 payload length ${len} for a frame of ${f.length}`);
    pseudo = sum16(f, l3 + 8, l3 + 40, proto + len);
  } else return;
  if (proto !== 6 && proto !== 17) return;
  const end = type === 0x0800 ? l3 + ((f[l3 + 2]! << 8) | f[l3 + 3]!) : f.length;
  if (proto === 6) c.tcp++;
  if (proto === 17 && f[l4 + 6] === 0 && f[l4 + 7] === 0 && type === 0x0800) return; // no UDP checksum
  if (sum16(f, l4, end, pseudo) !== 0xffff) c.bad.push(`${proto === 6 ? 'TCP' : 'UDP'} checksum (frame of ${f.length})`);
}

describe.skipIf(!isRoot)('TAP offloads: TCP through two offloading TAPs bridged by this process', () => {
  const net = new TestNet();
  const children: ChildProcess[] = [];
  let nsA = '';
  let nsB = '';

  beforeAll(() => {
    nsA = net.netns('a');
    nsB = net.netns('b');
    // IPv6 back on, for the TSO6 transfer.
    for (const ns of [nsA, nsB]) for (const key of ['all', 'default']) ip('netns', 'exec', ns, 'sysctl', '-qw', `net.ipv6.conf.${key}.disable_ipv6=0`);
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    net.closeEndpoints();
  });
  afterAll(() => net.cleanup());

  for (const [mtu, family] of [
    [1500, 4],
    [9000, 4],
    [1500, 6],
  ] as const) {
    it(`IPv${family}, MTU ${mtu}: 20 MB arrive intact, every segment at most MTU + 14 with correct checksums, super-frames segmented and coalesced`, async () => {
      const suffix = `${mtu === 1500 ? 's' : 'j'}${family}`;
      const [tapA, tapB] = [net.ifname('o', `${suffix}a`.slice(0, 3)), net.ifname('o', `${suffix}b`.slice(0, 3))];
      const a = net.track(tap(tapA, { netns: nsA, offload: true }));
      const b = net.track(tap(tapB, { netns: nsB, offload: true }));
      const addr = family === 4 ? ['10.77.0.1/24', '10.77.0.2/24'] : ['fd77::1/64', 'fd77::2/64'];
      ip('-n', nsA, 'link', 'set', tapA, 'address', '02:77:00:00:00:01', 'mtu', String(mtu), 'up');
      ip('-n', nsB, 'link', 'set', tapB, 'address', '02:77:00:00:00:02', 'mtu', String(mtu), 'up');
      ip('-n', nsA, 'addr', 'add', addr[0]!, 'dev', tapA, ...(family === 6 ? ['nodad'] : []));
      ip('-n', nsB, 'addr', 'add', addr[1]!, 'dev', tapB, ...(family === 6 ? ['nodad'] : []));
      const check: Check = { frames: 0, tcp: 0, longest: 0, bad: [] };
      a.start((frames) => {
        for (const f of frames) checkFrame(f, mtu, check);
        b.send(frames);
      });
      b.start((frames) => {
        for (const f of frames) checkFrame(f, mtu, check);
        a.send(frames);
      });
      const server = addr[1]!.split('/')[0]!;
      const port = String(20000 + Math.floor(Math.random() * 20000));
      let ready!: () => void;
      const listening = new Promise<void>((r) => (ready = r));
      const served = nodeIn(nsB, SERVER, [server, port], children, () => ready());
      await listening;
      const out = JSON.parse(await nodeIn(nsA, CLIENT, [server, port, String(OCTETS)], children)) as { sent: string; reply: { n: number; sha256: string } };
      await served;
      expect(out.reply.n).toBe(OCTETS);
      expect(out.reply.sha256).toBe(out.sent);
      expect(check.bad.slice(0, 5)).toEqual([]);
      expect(check.tcp).toBeGreaterThan(OCTETS / (mtu + 14));
      expect(check.longest).toBe(mtu + 14);
      const offA = (a as NativeFrameIo).offloadStats()!;
      const offB = (b as NativeFrameIo).offloadStats()!;
      // The client's kernel handed over TSO super-frames; the server's took coalesced GSO frames.
      expect(offA.rxSuperFrames).toBeGreaterThan(0);
      expect(offA.rxSegments).toBeGreaterThan(offA.rxSuperFrames);
      expect(offB.txGsoFrames).toBeGreaterThan(0);
      expect(offA.rxErrors + offB.rxErrors).toBe(0);
      expect(a.stats()).toMatchObject({ rxErrors: 0, txErrors: 0, txDropped: 0 });
      expect(b.stats()).toMatchObject({ rxErrors: 0, txErrors: 0, txDropped: 0 });
    }, 60_000);
  }
});
