/**
 * Live VIFs and an empty key chain on real node processes (root), driven
 * through their control sockets as the AWS binding drives them (contracts
 * §2). Two namespaces joined by two veths (eth1, eth2); the DX device and the
 * router each run one node whose two MACsec ports start with no key:
 *
 * - no key: dumpcap on the wire sees no MKPDU and a should_encrypt ping
 *   crosses in clear; addKey on both ends secures eth1 and the ping crosses
 *   encrypted; removeKey of the last pair makes MKA idle again;
 * - addVif on both ends (VLAN 200 on eth1, builtin BGP, the DX side passive)
 *   carries a ping and its BGP reaches Established; moveVif to eth2 (VLAN
 *   300) keeps the TAP (same ifindex, addresses) and BGP re-establishes over
 *   eth2; with a key on eth2 its frames are encrypted there by the fast path;
 *   bad requests are refused and change nothing; removeVif removes the TAP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addNetns, addVeth, delNetns, spawnInNetns, stopProcess, waitForNode } from '../../src/lab/host.js';
import { controlRequest } from '../../src/node/index.js';
import { readCaptureFile } from '../../src/io/pcap.js';
import { isMacsecFrame } from '../../src/macsec/index.js';
import { nativeAvailable } from '../../src/io/index.js';
import type { NodeStatus, Vif } from '../helpers/node-status.js';

const isRoot = process.getuid?.() === 0;
const BIN = fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url));
const ID = randomBytes(3).toString('hex');
const NS = { dx: `nv-${ID}-dx`, rt: `nv-${ID}-rt` } as const;
const CKN = randomBytes(32).toString('hex');
const CAK = randomBytes(32).toString('hex');
const VIF = { dx: `dv${ID}`, rt: `rv${ID}` } as const;
const ADDR = { rt: '169.254.100.1', dx: '169.254.100.2' } as const;
const VIF_ADDR = { rt: '169.254.20.1', dx: '169.254.20.2' } as const;
/** How long a wait on the nodes may take: MKA's fast profile secures in about a second, BGP in a few; the machine is shared. */
const PATIENCE = 30_000;
type Side = 'dx' | 'rt';

describe.skipIf(!isRoot || !nativeAvailable())('node: an empty key chain and live VIFs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dxlab-nodevif-'));
  const sock = (n: Side) => join(dir, `${n}.sock`);
  const pids: Partial<Record<Side, number>> = {};
  const children: ChildProcess[] = [];

  const ask = async (n: Side, req: Record<string, unknown>) => (await controlRequest(sock(n), req)).result;
  const status = async (n: Side) => (await ask(n, { cmd: 'status' })) as NodeStatus;
  const refused = async (n: Side, req: Record<string, unknown>) => {
    try {
      await controlRequest(sock(n), req);
    } catch (e) {
      return { code: (e as { remoteCode?: string }).remoteCode, message: (e as Error).message };
    }
    throw new Error(`${JSON.stringify(req)} was not refused`);
  };
  const until = async (what: string, cond: () => Promise<boolean>, ms = PATIENCE) => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const ping = (to: string, count = 3) => spawnSync('ip', ['netns', 'exec', NS.rt, 'ping', '-c', String(count), '-i', '0.2', '-W', '2', to], { encoding: 'utf8', timeout: 30_000 });
  const links = (n: Side) => (JSON.parse(execFileSync('ip', ['-j', '-n', NS[n], 'link', 'show'], { encoding: 'utf8' })) as Array<{ ifname: string; ifindex: number }>).map((l) => `${l.ifname}:${l.ifindex}`).sort();
  const ifindex = (n: Side, dev: string) => (JSON.parse(execFileSync('ip', ['-j', '-n', NS[n], 'link', 'show', 'dev', dev], { encoding: 'utf8' })) as Array<{ ifindex: number }>)[0]!.ifindex;
  const addrs = (n: Side, dev: string) =>
    (JSON.parse(execFileSync('ip', ['-j', '-n', NS[n], 'addr', 'show', 'dev', dev], { encoding: 'utf8' })) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>)[0]!.addr_info.map((a) => `${a.local}/${a.prefixlen}`);

  /** Frames seen on a wire (the router's end of a veth) by dumpcap while `during` runs. */
  const capture = async (wire: string, during: () => Promise<void>): Promise<Uint8Array[]> => {
    const file = join(dir, `cap-${randomBytes(3).toString('hex')}.pcap`);
    const c = spawn('ip', ['netns', 'exec', NS.rt, 'dumpcap', '-q', '-P', '-i', wire, '-w', file, '-a', 'duration:60'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(c);
    let err = '';
    c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await until(`dumpcap on ${wire} started`, async () => /Capturing on/.test(err) || c.exitCode !== null, 15_000);
    if (c.exitCode !== null) throw new Error(`dumpcap: ${err}`);
    // dumpcap says so as it opens the interface; give it a moment to be reading before the traffic starts.
    await new Promise((r) => setTimeout(r, 500));
    await during();
    // And a moment to write what it read last: on SIGINT it stops without draining its buffer.
    await new Promise((r) => setTimeout(r, 1000));
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGINT');
    await done;
    return readCaptureFile(file).frames.map((f) => f.data);
  };
  const etherType = (f: Uint8Array) => (f[12]! << 8) | f[13]!;
  const isMkpdu = (f: Uint8Array) => etherType(f) === 0x888e;
  /** An IPv4 ICMP frame in clear: untagged, or inside one 802.1Q tag. */
  const clearIcmp = (f: Uint8Array) => (etherType(f) === 0x0800 && f[23] === 1) || (etherType(f) === 0x8100 && ((f[16]! << 8) | f[17]!) === 0x0800 && f[27] === 1);
  const vlanOf = (f: Uint8Array) => (etherType(f) === 0x8100 ? ((f[14]! << 8) | f[15]!) & 0xfff : undefined);

  const config = (n: Side) => ({
    name: n,
    kind: n === 'dx' ? 'dx-device' : 'router',
    controlSocket: sock(n),
    captureDir: dir,
    logLevel: 'warn',
    // No keyChain, no keyFile: both ports start with an empty key chain.
    ports: ['eth1', 'eth2'].map((port) => ({
      name: port,
      wire: port,
      taps: port === 'eth1' ? [{ name: `${n}0${ID}`, addresses: [`${ADDR[n]}/30`] }] : [],
      macsec: { mode: 'should_encrypt', cipherSuites: ['gcm-aes-xpn-256'], keyServerPriority: n === 'dx' ? 16 : 32, helloTimeMs: 500, lifeTimeMs: 1500 },
    })),
  });

  beforeAll(async () => {
    for (const ns of Object.values(NS)) addNetns(ns);
    for (const w of ['eth1', 'eth2']) addVeth({ ns: NS.rt, name: w, alias: `nodevif ${ID} rt ${w}` }, { ns: NS.dx, name: w, alias: `nodevif ${ID} dx ${w}` }, 1600);
    for (const n of ['dx', 'rt'] as const) {
      const file = join(dir, `${n}.json`);
      writeFileSync(file, JSON.stringify(config(n)), { mode: 0o600 });
      const log = join(dir, `${n}.log`);
      pids[n] = spawnInNetns(NS[n], [process.execPath, BIN, 'node', '--config', file], log);
      await waitForNode({ node: n, pid: pids[n]!, socket: sock(n), log });
    }
  }, 60_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const n of ['dx', 'rt'] as const) if (pids[n]) await stopProcess(pids[n]!);
    for (const ns of Object.values(NS)) delNetns(ns);
    rmSync(dir, { recursive: true, force: true });
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(ID);
  }, 60_000);

  it('no key: no MKPDU on the wire, status says no key, a should_encrypt ping crosses in clear', async () => {
    for (const n of ['dx', 'rt'] as const) {
      for (const p of (await status(n)).ports) {
        expect(p).toMatchObject({ mode: 'should_encrypt', secured: false, keyChain: [], cknInUse: null, controlledPort: 'clear' });
        expect(p.kay.notSecured?.code).toBe('noKey');
      }
    }
    const frames = await capture('eth1', async () => {
      expect(ping(ADDR.dx).stdout).toMatch(/3 received/);
      // Past three hello times of the fast profile: an MKPDU would have gone.
      await new Promise((r) => setTimeout(r, 1600));
    });
    expect(frames.filter(isMkpdu)).toEqual([]);
    expect(frames.filter(clearIcmp).length).toBeGreaterThanOrEqual(6);
    expect(frames.some((f) => isMacsecFrame(f))).toBe(false);
    const text = spawnSync(process.execPath, [BIN, 'node', 'status', '--socket', sock('dx')], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(/not secured: no key/);
  }, 60_000);

  it('addKey on both ends: secured with that CKN, the ping crosses encrypted', async () => {
    for (const n of ['dx', 'rt'] as const) expect(await ask(n, { cmd: 'addKey', port: 'eth1', ckn: CKN, cak: CAK })).toEqual({ keyChain: [CKN] });
    await until('eth1 secured on both ends', async () => (await Promise.all((['dx', 'rt'] as const).map(status))).every((s) => s.ports[0]!.secured));
    const s = await status('dx');
    expect(s.ports[0]).toMatchObject({ secured: true, keyChain: [{ ckn: CKN, inUse: true }], cknInUse: CKN, controlledPort: 'secured' });
    expect(JSON.stringify(s)).not.toContain(CAK);
    const frames = await capture('eth1', async () => {
      expect(ping(ADDR.dx).stdout).toMatch(/3 received/);
    });
    expect(frames.filter(clearIcmp)).toEqual([]);
    expect(frames.filter((f) => isMacsecFrame(f)).length).toBeGreaterThanOrEqual(6);
  }, 60_000);

  it('removeKey of the last pair: MKA idle again (no MKPDU), the ping crosses in clear', async () => {
    for (const n of ['dx', 'rt'] as const) expect(await ask(n, { cmd: 'removeKey', port: 'eth1', ckn: CKN })).toEqual({ keyChain: [] });
    for (const n of ['dx', 'rt'] as const) expect((await status(n)).ports[0]).toMatchObject({ keyChain: [], secured: false, cknInUse: null, controlledPort: 'clear' });
    const frames = await capture('eth1', async () => {
      expect(ping(ADDR.dx).stdout).toMatch(/3 received/);
      await new Promise((r) => setTimeout(r, 1600));
    });
    expect(frames.filter(isMkpdu)).toEqual([]);
    expect(frames.filter(clearIcmp).length).toBeGreaterThanOrEqual(6);
  }, 60_000);

  const vifTap = (n: Side, vlan: number) => ({
    name: VIF[n],
    vlan,
    mtu: 1500,
    addresses: [`${VIF_ADDR[n]}/30`],
    bgp: {
      localAsn: n === 'dx' ? 64512 : 65000,
      peerAsn: n === 'dx' ? 65000 : 64512,
      peerAddress: VIF_ADDR[n === 'dx' ? 'rt' : 'dx'],
      holdTimeS: 9,
      keepaliveS: 3,
      ...(n === 'dx' ? { passive: true } : { prefixes: ['198.51.100.0/24'] }),
    },
  });
  const established = async () => (await Promise.all((['dx', 'rt'] as const).map(status))).every((s) => s.vifs.find((v) => v.name.endsWith(ID) && v.vlan !== null)?.bgp[0]?.state === 'Established');
  let tapIndex = 0;

  it('addVif on both ends of eth1: a ping crosses the new VIF and its BGP reaches Established', async () => {
    // The DX side first: it is passive, the router connects to it.
    for (const n of ['dx', 'rt'] as const) expect(await ask(n, { cmd: 'addVif', port: 'eth1', tap: vifTap(n, 200) })).toEqual({ name: VIF[n] });
    expect(addrs('dx', VIF.dx)).toContain(`${VIF_ADDR.dx}/30`);
    tapIndex = ifindex('dx', VIF.dx);
    const frames = await capture('eth1', async () => {
      expect(ping(VIF_ADDR.dx).stdout).toMatch(/3 received/);
    });
    expect(frames.filter((f) => clearIcmp(f) && vlanOf(f) === 200).length).toBeGreaterThanOrEqual(6);
    await until('BGP Established over the new VIF', established);
    const v = (await status('dx')).vifs.find((x) => x.name === VIF.dx)!;
    expect(v).toMatchObject({ port: 'eth1', vlan: 200, addresses: [`${VIF_ADDR.dx}/30`], bgp: [{ peerAddress: VIF_ADDR.rt, state: 'Established' }] });
  }, 90_000);

  it('bad requests are refused naming the field; no device, VIF or session changes', async () => {
    const before = { links: links('dx'), vifs: (await status('dx')).vifs };
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ cmd: 'addVif', port: 'eth9', tap: { ...vifTap('dx', 300), name: `dx9${ID}` } }, 'unknownPort', /no port 'eth9'/],
      [{ cmd: 'addVif', port: 'eth2', tap: vifTap('dx', 300) }, 'vifExists', /tap\/name/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...vifTap('dx', 200), name: `dx8${ID}` } }, 'badRequest', /tap\/vlan: VLAN 200 has two TAPs/],
      [{ cmd: 'addVif', port: 'eth2', tap: { ...vifTap('dx', 5000), name: `dx8${ID}` } }, 'badRequest', /tap\/vlan/],
      [{ cmd: 'addVif', port: 'eth2', tap: { ...vifTap('dx', 300), name: `dx8${ID}`, bgp: { localAsn: 1, peerAsn: 2, peerAddress: 'not-an-address' } } }, 'badRequest', /tap\/bgp\/peerAddress/],
      [{ cmd: 'moveVif', name: `nope${ID}`, to: 'eth2' }, 'unknownVif', /nope/],
      [{ cmd: 'moveVif', name: VIF.dx, to: 'eth9' }, 'unknownPort', /eth9/],
      [{ cmd: 'moveVif', name: VIF.dx, to: 'eth2', vlan: 9999 }, 'badRequest', /'vlan'/],
      [{ cmd: 'removeVif', name: `nope${ID}` }, 'unknownVif', /nope/],
    ];
    for (const [req, code, message] of cases) {
      const e = await refused('dx', req);
      expect(e.code, JSON.stringify(req)).toBe(code);
      expect(e.message).toMatch(message);
    }
    expect(links('dx')).toEqual(before.links);
    expect((await status('dx')).vifs).toEqual(before.vifs);
    expect(await established()).toBe(true);
  }, 60_000);

  it('moveVif to eth2 (VLAN 300): the same TAP and addresses, BGP re-establishes over eth2', async () => {
    for (const n of ['dx', 'rt'] as const) expect(await ask(n, { cmd: 'moveVif', name: VIF[n], to: 'eth2', vlan: 300 })).toEqual({ name: VIF[n], port: 'eth2', vlan: 300 });
    expect(ifindex('dx', VIF.dx)).toBe(tapIndex);
    expect(addrs('dx', VIF.dx)).toContain(`${VIF_ADDR.dx}/30`);
    await until('BGP Established over eth2', established);
    const v = (await status('dx')).vifs.find((x) => x.name === VIF.dx)!;
    expect(v).toMatchObject({ port: 'eth2', vlan: 300, addresses: [`${VIF_ADDR.dx}/30`], bgp: [{ state: 'Established' }] });
    // eth2 has no key: its frames are clear on the wire, tagged with VLAN 300; the BGP session's (TCP 179) among them.
    const frames = await capture('eth2', async () => {
      expect(ping(VIF_ADDR.dx).stdout).toMatch(/3 received/);
      await new Promise((r) => setTimeout(r, 3500)); // a keepalive each way (every 3 s)
    });
    const tagged = frames.filter((f) => vlanOf(f) === 300);
    expect(tagged.filter(clearIcmp).length).toBeGreaterThanOrEqual(6);
    const tcp179 = tagged.filter((f) => ((f[16]! << 8) | f[17]!) === 0x0800 && f[27] === 6 && [0, 2].some((o) => ((f[38 + o]! << 8) | f[39 + o]!) === 179));
    expect(tcp179.length).toBeGreaterThan(0);
    const eth1 = await capture('eth1', async () => {
      ping(VIF_ADDR.dx, 2);
    });
    expect(eth1.filter((f) => vlanOf(f) !== undefined)).toEqual([]);
  }, 90_000);

  it('a key on eth2: the moved VIF\'s frames are encrypted there, by the fast path that took the TAP on when it came', async () => {
    for (const n of ['dx', 'rt'] as const) expect(await ask(n, { cmd: 'addKey', port: 'eth2', ckn: CKN, cak: CAK })).toEqual({ keyChain: [CKN] });
    await until('eth2 secured on both ends', async () => (await Promise.all((['dx', 'rt'] as const).map(status))).every((s) => s.ports[1]!.secured));
    const fp = async () => ((await status('rt')).ports[1] as unknown as { fastPath: { active: boolean; txFrames?: number; reason?: string } }).fastPath;
    const before = await fp();
    expect(before.active, before.reason).toBe(true);
    const frames = await capture('eth2', async () => {
      expect(ping(VIF_ADDR.dx).stdout).toMatch(/3 received/);
    });
    expect(frames.filter(clearIcmp)).toEqual([]);
    expect(frames.filter((f) => isMacsecFrame(f)).length).toBeGreaterThanOrEqual(6);
    expect((await fp()).txFrames!).toBeGreaterThanOrEqual(before.txFrames! + 3);
    expect(await established()).toBe(true);
  }, 60_000);

  it('removeVif: its BGP stops and the TAP is gone', async () => {
    for (const n of ['dx', 'rt'] as const) expect(await ask(n, { cmd: 'removeVif', name: VIF[n] })).toEqual({ name: VIF[n] });
    for (const n of ['dx', 'rt'] as const) {
      expect(spawnSync('ip', ['-n', NS[n], 'link', 'show', 'dev', VIF[n]], { encoding: 'utf8' }).status).not.toBe(0);
      const s = (await ask(n, { cmd: 'status' })) as { vifs: Vif[]; bgp?: unknown[] };
      expect(s.vifs.map((v) => v.name)).toEqual([`${n}0${ID}`]);
      expect(s.bgp).toBeUndefined();
    }
    expect((await refused('dx', { cmd: 'removeVif', name: VIF.dx })).code).toBe('unknownVif');
    expect(ping(ADDR.dx).stdout).toMatch(/3 received/);
  }, 60_000);
});
