/**
 * The live link (root): two namespaces, a veth, a node process in each with
 * its TAP. MKA secures; ARP, ping and TCP cross through MACsec; a VLAN TAP
 * reaches its peer's TAP on the same VLAN only; the wire carries nothing but
 * MACsec and MKPDUs; the wire capture decrypts offline to the cleartext
 * capture; a killed node is noticed (its peer times out), and re-secures when
 * restarted. Tear-down puts no cleartext frame on the wire, also when one
 * node outlives its peer long enough to fall back to clear. Everything is
 * removed afterwards, also when a test fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { linkDown, linkUp, type LinkState } from '../../src/lab/index.js';
import { controlRequest } from '../../src/node/index.js';
import { afPacket, nativeAvailable, readCaptureFile, type FrameIo } from '../../src/io/index.js';
import { isMacsecFrame } from '../../src/macsec/index.js';
import type { KayStatus } from '../../src/mka/index.js';
import { dxlab, dxlabJson } from '../helpers/cli.js';
import { tshark, tsharkProblems } from '../helpers/tshark.js';
import { shaTransfer } from '../helpers/sha-transfer.js';

const isRoot = process.getuid?.() === 0;
const LAB = `t-${randomBytes(3).toString('hex')}`;
// How long a wait on the nodes may take before the test gives up. On an idle
// machine MKA secures, or notices a dead peer, within Life Time plus a hello
// (1.5 s + 0.5 s with `fast`); that bound is the KaY's own, checked on its
// injected clock in the unit tests (test/unit/mka/kay-two.test.ts). Here two
// node processes share a loaded machine with other tests, so the wait is
// bounded loosely and the test asserts the order of events.
const PATIENCE = 20_000;

async function kay(socket: string): Promise<KayStatus> {
  return ((await controlRequest(socket, { cmd: 'status', port: 'eth1' })).result as { kay: KayStatus }).kay;
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await cond()) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function inNs(ns: string, ...cmd: string[]) {
  return spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 30_000 });
}

describe.skipIf(!isRoot)('two nodes on a veth between two namespaces', () => {
  let lab: LinkState;
  let rt: LinkState['nodes'][number];
  let dx: LinkState['nodes'][number];
  const CKN = randomBytes(32).toString('hex');
  const CAK = randomBytes(32).toString('hex');

  beforeAll(async () => {
    lab = await linkUp({
      name: LAB,
      fast: true,
      ckn: CKN,
      cak: CAK,
      capture: true,
      logLevel: 'warn',
      vlans: [{ vlan: 100 }, { vlan: 200, dxVlan: 300 }],
    });
    rt = lab.nodes.find((n) => n.node === 'rt')!;
    dx = lab.nodes.find((n) => n.node === 'dx')!;
  }, 60_000);

  afterAll(async () => {
    const r = await linkDown(LAB);
    rmSync(lab?.captureDir ?? join('pcaps', LAB), { recursive: true, force: true });
    expect(r.leftover).toEqual([]);
    const ns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(ns).not.toContain(LAB);
    for (const n of lab?.nodes ?? []) expect(spawnSync('kill', ['-0', String(n.pid)]).status).not.toBe(0);
  }, 60_000);

  it('MKA secures: peer live, SAK installed, then secured', async () => {
    await until(async () => (await kay(rt.socket)).secured && (await kay(dx.socket)).secured, PATIENCE);
    for (const n of [rt, dx]) {
      const types = ((await controlRequest(n.socket, { cmd: 'events', port: 'eth1' })).result as { events: Array<{ type: string }> }).events.map((e) => e.type);
      const at = (t: string) => types.indexOf(t);
      expect(at('peerLive'), `${n.node}: ${types.join(' ')}`).toBeGreaterThanOrEqual(0);
      expect(at('sakInstalled'), `${n.node}: ${types.join(' ')}`).toBeGreaterThan(at('peerLive'));
      expect(at('secured'), `${n.node}: ${types.join(' ')}`).toBeGreaterThan(at('sakInstalled'));
      // Secured at the first try: no peer lost on the way.
      expect(types, n.node).not.toContain('peerTimedOut');
    }
    const s = await kay(rt.socket);
    expect(s.sak?.cipherSuite).toBe('GCM-AES-XPN-256');
    expect(s.participants[0]!.keyServer?.self).toBe(false);
  });

  it('ARP resolves and ping passes through MACsec', () => {
    const p = inNs(rt.netns, 'ping', '-c', '5', '-i', '0.2', '-W', '2', '169.254.100.2');
    expect(p.stdout).toMatch(/5 received, 0% packet loss/);
    const neigh = inNs(rt.netns, 'ip', 'neigh', 'show', '169.254.100.2');
    expect(neigh.stdout).toMatch(/lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2}/);
  });

  // A throughput figure belongs in `npm run bench:link`; here a fixed amount
  // of data must cross intact, however long a loaded machine takes.
  it('a TCP transfer of 16 MiB arrives intact', async () => {
    const children: ChildProcess[] = [];
    try {
      // Port 5201 (iperf3's): the capture checks below leave its random payload to tshark's heuristics.
      const r = await shaTransfer(rt.netns, dx.netns, '169.254.100.2', 5201, 16 * 1024 * 1024, children);
      expect(r.reply.n).toBe(16 * 1024 * 1024);
      expect(r.reply.sha256).toBe(r.sent);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }
  }, 120_000);

  it('a VLAN TAP reaches its peer on the same VLAN only', async () => {
    expect(inNs(rt.netns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', '169.254.101.2').stdout).toMatch(/3 received/);
    const before = ((await controlRequest(dx.socket, { cmd: 'counters', port: 'eth1' })).result as { port: { rxNoTap: number } }).port.rxNoTap;
    // 169.254.102.0/30 is VLAN 200 on the router and VLAN 300 on the DX device.
    expect(inNs(rt.netns, 'ping', '-c', '2', '-i', '0.2', '-W', '1', '169.254.102.2').stdout).toMatch(/0 received/);
    const after = ((await controlRequest(dx.socket, { cmd: 'counters', port: 'eth1' })).result as { port: { rxNoTap: number } }).port.rxNoTap;
    expect(after).toBeGreaterThan(before);
  });

  it('the wire carries only MACsec and MKPDUs, and decrypts offline to the cleartext capture', async () => {
    for (const n of [rt, dx]) {
      for (const side of ['wire', 'clear', 'decrypted']) {
        const path = join(lab.captureDir, `${n.node}-eth1-${side}.pcapng`);
        expect((await controlRequest(n.socket, { cmd: 'capture', port: 'eth1', stop: path })).result).toMatchObject({ stopped: true });
      }
    }
    const wire = join(lab.captureDir, 'rt-eth1-wire.pcapng');
    const clear = join(lab.captureDir, 'rt-eth1-clear.pcapng');
    expect(tshark(wire, '!(eth.type == 0x88e5 || eth.type == 0x888e)', ['frame.number'])).toEqual([]);
    // tshark reads every capture the nodes wrote: no malformed frame, no expert error.
    // The transfer's payload (TCP 5201) is random octets that tshark's heuristic dissectors
    // (Thrift and the like) sometimes take for a protocol and then call malformed.
    for (const side of ['wire', 'clear', 'decrypted']) expect(tsharkProblems(join(lab.captureDir, `rt-eth1-${side}.pcapng`), 'tcp.port == 5201'), side).toEqual([]);
    expect(tshark(wire, 'eth.type == 0x88e5', ['frame.number']).length).toBeGreaterThan(10);
    const out = join(lab.captureDir, 'offline.pcap');
    const r = dxlabJson<{ decrypted: number; icvFailed: number; noKey: number; saks: number }>('pcap', 'decrypt', wire, '--out', out, '--ckn', CKN, '--cak', CAK);
    expect(r.icvFailed + r.noKey).toBe(0);
    expect(r.saks).toBeGreaterThanOrEqual(1);
    const fromWire = readCaptureFile(out).frames.filter((f) => !(f.data[12] === 0x88 && f.data[13] === 0x8e)).map((f) => Buffer.from(f.data).toString('hex'));
    const fromClear = readCaptureFile(clear).frames.map((f) => Buffer.from(f.data).toString('hex'));
    expect(fromWire.length).toBe(r.decrypted);
    expect(fromWire.sort()).toEqual(fromClear.sort());
    expect(readCaptureFile(wire).frames.filter((f) => isMacsecFrame(f.data)).length).toBe(r.decrypted);
    // The key export of the same port decrypts it too.
    expect(existsSync(join(lab.captureDir, 'rt-eth1.keys.json'))).toBe(true);
  });

  it('the control socket and dxlab node commands report, and refuse a bad request', async () => {
    const st = dxlab('node', 'status', '--socket', rt.socket);
    expect(st.status).toBe(0);
    expect(st.stdout).toMatch(/SECURED/);
    expect(st.stdout).not.toContain(CAK);
    const ev = dxlabJson<Array<{ type: string }>>('node', 'events', '--socket', rt.socket);
    expect(ev.map((e) => e.type)).toEqual(expect.arrayContaining(['peerLive', 'sakInstalled', 'sakInUse', 'secured']));
    const bad = dxlab('node', 'key', 'add', '--socket', rt.socket, '--ckn', 'zz', '--cak', CAK);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/not hexadecimal/);
  });

  it('a node killed with SIGKILL is noticed (peer timed out): should_encrypt falls back to clear; restarted, it re-secures', async () => {
    process.kill(dx.pid, 'SIGKILL');
    await until(async () => (await kay(rt.socket)).controlledPort === 'clear', PATIENCE);
    const s = await kay(rt.socket);
    expect(s.secured).toBe(false);
    const ev = dxlabJson<Array<{ type: string }>>('node', 'events', '--socket', rt.socket);
    expect(ev.map((e) => e.type)).toEqual(expect.arrayContaining(['peerTimedOut', 'fallbackToClear']));
    // Restart the DX device with the same configuration.
    const { spawnInNetns } = await import('../../src/lab/host.js');
    dx.pid = spawnInNetns(dx.netns, [process.execPath, join(process.cwd(), 'bin/dxlab.js'), 'node', '--config', dx.config], dx.log);
    await until(async () => {
      try {
        return (await kay(dx.socket)).secured && (await kay(rt.socket)).secured;
      } catch {
        return false;
      }
    }, 15_000);
    expect(inNs(rt.netns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', '169.254.100.2').stdout).toMatch(/3 received/);
  });

  it('must_encrypt: when the peer dies, traffic stops', async () => {
    for (const n of [rt, dx]) await controlRequest(n.socket, { cmd: 'setMode', port: 'eth1', mode: 'must_encrypt' });
    expect((await kay(rt.socket)).controlledPort).toBe('secured');
    process.kill(dx.pid, 'SIGKILL');
    await until(async () => (await kay(rt.socket)).controlledPort === 'blocked', PATIENCE);
    const before = ((await controlRequest(rt.socket, { cmd: 'counters', port: 'eth1' })).result as { port: { txBlocked: number } }).port.txBlocked;
    inNs(rt.netns, 'ping', '-c', '2', '-i', '0.2', '-W', '1', '169.254.100.2');
    const after = ((await controlRequest(rt.socket, { cmd: 'counters', port: 'eth1' })).result as { port: { txBlocked: number } }).port.txBlocked;
    expect(after).toBeGreaterThan(before);
  });
});

describe.skipIf(!isRoot || !nativeAvailable())('tear-down puts nothing in the clear on the wire', () => {
  const NAME = `td-${randomBytes(3).toString('hex')}`;
  afterAll(async () => {
    const r = await linkDown(NAME);
    expect(r.leftover).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${NAME}-`);
  }, 60_000);

  it('link down with a hung node: down ends with nothing left, and the wire carries only MACsec and EAPOL while the peer may fall back to clear', async () => {
    const up = dxlab('link', 'up', NAME, '--fast', '--json');
    expect(up.status, up.stderr).toBe(0);
    const state = JSON.parse(up.stdout) as LinkState;
    await until(async () => {
      try {
        return (await kay(state.nodes[0]!.socket)).secured && (await kay(state.nodes[1]!.socket)).secured;
      } catch {
        return false;
      }
    }, 15_000);
    // One node hangs (SIGSTOP): it sends no more MKPDUs, and down waits its
    // 3 s of SIGTERM grace before SIGKILL. Down takes every TAP down first,
    // then stops the nodes together (src/lab/teardown.ts), so the other node
    // usually exits before its MKA Life Time (1.5 s) runs out; when it
    // outlives it, it falls back to clear (should_encrypt) while its
    // namespace's kernel keeps sending (a ping every 0.2 s, besides IPv6
    // router solicitations), and only the TAPs being down keeps those frames
    // off the wire. Either way the wire must carry nothing in the clear.
    const [hung, other] = [...state.nodes].sort((a, b) => a.pid - b.pid) as [LinkState['nodes'][number], LinkState['nodes'][number]];
    spawn('ip', ['netns', 'exec', other.netns, 'ping', '-i', '0.2', hung.address.split('/')[0]!], { detached: true, stdio: 'ignore' }).unref();
    // The wire, seen from this process: an AF_PACKET socket on each wire veth,
    // opened in that node's namespace, sees what the other end sent. This
    // process lives outside the namespaces, so down, which kills every
    // process inside them, does not stop the observation.
    const seen: string[] = [];
    const observers: FrameIo[] = state.nodes.map((n) => afPacket(n.wire, { netns: n.netns }));
    try {
      for (const o of observers) o.start((frames) => frames.forEach((f) => seen.push(Buffer.from(f.subarray(12, 14)).toString('hex'))), () => undefined);
      await new Promise((r) => setTimeout(r, 500));
      let fellBack = false;
      const watch = (async () => {
        for (;;) {
          try {
            if ((await kay(other.socket)).controlledPort === 'clear') return (fellBack = true);
          } catch {
            return false; // stopped
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      process.kill(hung.pid, 'SIGSTOP');
      // In this process, so that down starts at once (a command's start-up
      // under load could outlast Life Time, and the fallback would come
      // before down does).
      const r = await linkDown(NAME);
      await watch;
      expect(r.leftover).toEqual([]);
      // Since the nodes stop together the fallback is no longer forced; say whether this run saw it.
      console.log(`link down with a hung node: the other node ${fellBack ? 'fell back to clear during down' : 'stopped before its Life Time ran out'}`);
    } finally {
      // The sockets hold the namespaces (and their veths) until closed.
      for (const o of observers) o.close();
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.filter((t) => t !== '88e5' && t !== '888e'))).toEqual(new Set());
  }, 90_000);
});
