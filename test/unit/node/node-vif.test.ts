/**
 * Live VIFs and an empty key chain on the memory wire (no root), through the
 * control socket as the AWS binding drives them (contracts §2): a MACsec port
 * with no key sends no MKPDU and its mode alone decides what passes; addKey
 * starts MKA, removeKey of the last pair makes it idle again; addVif makes a
 * TAP on its VLAN with its BGP session(s) as the configuration would,
 * moveVif takes the same TAP to another port and restarts its BGP there,
 * removeVif closes it; bad requests are refused naming the field, changing
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { memoryWire, type FrameIo } from '../../../src/io/index.js';
import { LabNode, controlRequest, type DeviceFactory } from '../../../src/node/index.js';
import type { BgpConfig } from '../../../src/node/config.js';
import type { BgpPeerStatus, BgpSpeaker } from '../../../src/node/bgp/index.js';
import { isMacsecFrame } from '../../../src/macsec/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { memoryNodeConfig } from '../../helpers/memory-node.js';
import { until } from '../../helpers/until.js';
import { ROOT } from '../../helpers/cli.js';
import type { NodeStatus } from '../../helpers/node-status.js';

const tmp = tempDir();
const CKN = '5a'.repeat(32);
const CAK = 'c3'.repeat(32);
const EAPOL = 0x888e;

function nodeConfig(name: 'dx' | 'rt', priority: number) {
  return memoryNodeConfig(name, tmp, {
    // No keyChain, no keyFile: both ports start with an empty key chain.
    ports: ['eth1', 'eth2'].map((port) => ({
      name: port,
      wire: `${name}-${port}`,
      taps: port === 'eth1' ? [{ name: `${name}-t0`, addresses: [name === 'dx' ? '169.254.9.2/30' : '169.254.9.1/30'] }] : [],
      macsec: { keyServerPriority: priority, helloTimeMs: 200, lifeTimeMs: 600 },
    })),
  });
}

class FakeSpeaker implements BgpSpeaker {
  state: BgpPeerStatus['state'] = 'Idle';
  stopped = false;
  constructor(
    readonly tap: string,
    readonly config: BgpConfig,
    private readonly fail: boolean,
  ) {}
  async start(): Promise<void> {
    if (this.fail) throw new Error('speaker cannot start: no socket');
    this.state = 'Established';
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.state = 'Idle';
  }
  status(): BgpPeerStatus {
    const c = this.config;
    return {
      tap: this.tap,
      speaker: 'builtin',
      localAsn: c.localAsn,
      peerAsn: c.peerAsn,
      localAddress: c.localAddress,
      peerAddress: c.peerAddress,
      state: this.state,
      uptimeS: null,
      prefixes: { received: { ipv4: 0, ipv6: 0 }, advertised: { ipv4: 0, ipv6: 0 } },
      holdTimeS: c.holdTimeS,
      connectRetryS: c.connectRetryS,
      keepaliveS: c.keepaliveS,
      md5: c.md5Key !== undefined,
      passive: c.passive,
      lastError: null,
    };
  }
}

/** Wires the nodes' eth1 together and their eth2 together; each TAP is a memory wire whose far end the test holds. */
function lab() {
  const [dx1, rt1] = memoryWire({ names: ['dx-eth1', 'rt-eth1'], mtu: 1600 });
  const [dx2, rt2] = memoryWire({ names: ['dx-eth2', 'rt-eth2'], mtu: 1600 });
  const wires: Record<string, FrameIo> = { 'dx-eth1': dx1, 'rt-eth1': rt1, 'dx-eth2': dx2, 'rt-eth2': rt2 };
  const hosts = new Map<string, FrameIo>();
  const opened: string[] = [];
  const closed: string[] = [];
  const speakers: FakeSpeaker[] = [];
  const failSpeakerOn = new Set<string>();
  const devices: DeviceFactory = {
    wire: (p) => wires[p.wire]!,
    tap: (t) => {
      const [ours, host] = memoryWire({ names: [t.name, `${t.name}-host`], mtu: t.mtu });
      hosts.set(t.name, host);
      opened.push(t.name);
      const close = ours.close.bind(ours);
      ours.close = () => {
        closed.push(t.name);
        close();
      };
      return ours;
    },
  };
  const speakerFactory = (tap: string, config: BgpConfig) => {
    const s = new FakeSpeaker(tap, config, failSpeakerOn.has(tap));
    speakers.push(s);
    return s;
  };
  const dx = new LabNode(nodeConfig('dx', 16), devices, undefined, speakerFactory);
  const rt = new LabNode(nodeConfig('rt', 32), devices, undefined, speakerFactory);
  return { dx, rt, wires, hosts, opened, closed, speakers, failSpeakerOn };
}

function frame(src: number, dst: number, len: number, fill: number): Uint8Array {
  const f = new Uint8Array(14 + len).fill(fill);
  f.set([2, 0, 0, 0, 0, dst, 2, 0, 0, 0, 0, src, 0x08, 0x00]);
  return f;
}

const sockOf = (n: 'dx' | 'rt') => join(tmp, `${n}.sock`);
const status = async (n: 'dx' | 'rt') => (await controlRequest(sockOf(n), { cmd: 'status' })).result as NodeStatus;
/** The error a request is answered with. */
async function refused(n: 'dx' | 'rt', req: Record<string, unknown>): Promise<{ code: string; message: string }> {
  try {
    await controlRequest(sockOf(n), req);
  } catch (e) {
    return { code: (e as { remoteCode: string }).remoteCode, message: (e as Error).message };
  }
  throw new Error(`${JSON.stringify(req)} was not refused`);
}

const vifTap = (name: string, vlan: number, address: string, peer: string, asn: number, peerAsn: number, extra: Record<string, unknown> = {}) => ({
  name,
  vlan,
  mtu: 1500,
  addresses: [address],
  bgp: { localAsn: asn, peerAsn, peerAddress: peer, md5Key: 'not-a-secret-here', ...extra },
});

describe('a MACsec port with an empty key chain, then live VIFs', () => {
  const l = lab();
  const got = new Map<string, Uint8Array[]>();
  const listen = (tap: string) => l.hosts.get(tap)!.start((fs) => got.set(tap, [...(got.get(tap) ?? []), ...fs]));
  /** Frames the wire of a node's port saw leave (we tap the far end's receive side through the io stats). */
  const wireTx = (n: LabNode, port: string) => n.ports.find((p) => p.name === port)!.ioStats().wire.txPackets;
  const onWire: Uint8Array[] = [];

  beforeAll(async () => {
    // Every frame rt's eth1 sends, as the wire carries it.
    const w = l.wires['rt-eth1']!;
    const send = w.send.bind(w);
    w.send = (frames) => {
      onWire.push(...frames);
      return send(frames);
    };
    await l.dx.start();
    await l.rt.start();
    for (const t of ['dx-t0', 'rt-t0']) listen(t);
  });
  afterAll(async () => {
    await l.dx.stop();
    await l.rt.stop();
  });

  it('no key: no MKPDU sent, status says no key (keyChain [], not secured), should_encrypt passes clear', async () => {
    await new Promise((r) => setTimeout(r, 700)); // more than three hello times: an MKPDU would have gone
    for (const n of ['dx', 'rt'] as const) {
      const s = await status(n);
      for (const p of s.ports) {
        expect(p).toMatchObject({ mode: 'should_encrypt', secured: false, keyChain: [], cknInUse: null, controlledPort: 'clear' });
        expect(p.kay.notSecured?.code).toBe('noKey');
        expect(p.kay.notSecured?.reason).toMatch(/^no key/);
        expect(p.kay.counters.outMkpdu).toBe(0);
      }
    }
    expect(onWire.filter((f) => f[12] === EAPOL >> 8 && f[13] === (EAPOL & 0xff))).toEqual([]);
    l.hosts.get('rt-t0')!.send([frame(2, 1, 100, 0xaa)]);
    await until(() => (got.get('dx-t0')?.length ?? 0) >= 1);
    expect(onWire.some((f) => isMacsecFrame(f))).toBe(false);
  });

  it('must_encrypt with no key passes nothing', async () => {
    await controlRequest(sockOf('rt'), { cmd: 'setMode', port: 'eth1', mode: 'must_encrypt' });
    const before = got.get('dx-t0')?.length ?? 0;
    l.hosts.get('rt-t0')!.send([frame(2, 1, 100, 0xab)]);
    await until(() => l.rt.ports[0]!.counters.txBlocked >= 1);
    expect(got.get('dx-t0')?.length ?? 0).toBe(before);
    await controlRequest(sockOf('rt'), { cmd: 'setMode', port: 'eth1', mode: 'should_encrypt' });
  });

  it('addKey on both ends starts MKA: secured with that CKN in use, frames encrypted', async () => {
    for (const n of ['dx', 'rt'] as const) {
      const r = await controlRequest(sockOf(n), { cmd: 'addKey', port: 'eth1', ckn: CKN, cak: CAK });
      expect(r.result).toEqual({ keyChain: [CKN] });
    }
    const secured = async () => (await Promise.all((['dx', 'rt'] as const).map(status))).every((s) => s.ports[0]!.secured);
    const end = Date.now() + 10_000;
    while (!(await secured())) {
      if (Date.now() > end) throw new Error('not secured');
      await new Promise((r) => setTimeout(r, 50));
    }
    const s = await status('dx');
    expect(s.ports[0]).toMatchObject({ secured: true, keyChain: [{ ckn: CKN, inUse: true }], cknInUse: CKN, controlledPort: 'secured' });
    expect(JSON.stringify(s)).not.toContain(CAK);
    // eth2 still has no key.
    expect(s.ports[1]).toMatchObject({ keyChain: [], secured: false });
    const n = onWire.length;
    l.hosts.get('rt-t0')!.send([frame(2, 1, 100, 0xac)]);
    await until(() => got.get('dx-t0')!.some((f) => f[20] === 0xac));
    expect(onWire.slice(n).some((f) => isMacsecFrame(f))).toBe(true);
  });

  it('removeKey of the last pair: keyChain [], MKA idle again, clear', async () => {
    for (const n of ['dx', 'rt'] as const) {
      const r = await controlRequest(sockOf(n), { cmd: 'removeKey', port: 'eth1', ckn: CKN });
      expect(r.result).toEqual({ keyChain: [] });
    }
    const s = await status('rt');
    expect(s.ports[0]).toMatchObject({ keyChain: [], secured: false, cknInUse: null, controlledPort: 'clear' });
    expect(s.ports[0]!.kay.notSecured?.code).toBe('noKey');
    const sent = l.rt.ports[0]!.counters.txMkpdu;
    await new Promise((r) => setTimeout(r, 700));
    expect(l.rt.ports[0]!.counters.txMkpdu).toBe(sent);
    const n = onWire.length;
    l.hosts.get('rt-t0')!.send([frame(2, 1, 100, 0xad)]);
    await until(() => got.get('dx-t0')!.some((f) => f[20] === 0xad));
    expect(onWire.slice(n).some((f) => isMacsecFrame(f))).toBe(false);
  });

  it('addVif on both ends: a TAP on its VLAN of eth1, its addresses and BGP session (the configuration\'s resolution)', async () => {
    const a = await controlRequest(sockOf('dx'), { cmd: 'addVif', port: 'eth1', tap: vifTap('dx-v200', 200, '169.254.20.2/30', '169.254.20.1', 64512, 65000, { passive: true }) });
    expect(a.result).toEqual({ name: 'dx-v200' });
    await controlRequest(sockOf('rt'), { cmd: 'addVif', port: 'eth1', tap: vifTap('rt-v200', 200, '169.254.20.1/30', '169.254.20.2', 65000, 64512) });
    const sp = l.speakers.find((s) => s.tap === 'dx-v200')!;
    expect(sp.config).toMatchObject({ localAsn: 64512, peerAsn: 65000, peerAddress: '169.254.20.1', localAddress: '169.254.20.2', routerId: '169.254.20.2', holdTimeS: 90, keepaliveS: 30, passive: true });
    expect(sp.config.md5Key?.length).toBe('not-a-secret-here'.length);
    const s = await status('dx');
    expect(s.vifs).toEqual([
      { name: 'dx-t0', port: 'eth1', vlan: null, mtu: 1500, mac: null, addresses: ['169.254.9.2/30'], bgp: [] },
      {
        name: 'dx-v200',
        port: 'eth1',
        vlan: 200,
        mtu: 1500,
        mac: null,
        addresses: ['169.254.20.2/30'],
        bgp: [{ localAddress: '169.254.20.2', peerAddress: '169.254.20.1', localAsn: 64512, peerAsn: 65000, state: 'Established' }],
      },
    ]);
    expect(JSON.stringify(s)).not.toContain('not-a-secret-here');
    for (const t of ['dx-v200', 'rt-v200']) listen(t);
    const n = onWire.length;
    l.hosts.get('rt-v200')!.send([frame(2, 1, 100, 0xb0)]);
    await until(() => (got.get('dx-v200')?.length ?? 0) >= 1);
    expect(got.get('dx-v200')![0]![20]).toBe(0xb0);
    // Tagged with VLAN 200 on the wire, on no other TAP.
    const tagged = onWire.slice(n).find((f) => f[12] === 0x81 && f[13] === 0x00)!;
    expect(((tagged[14]! << 8) | tagged[15]!) & 0xfff).toBe(200);
    expect(got.get('dx-t0')!.some((f) => f[20] === 0xb0)).toBe(false);
  });

  it('bad addVif requests are refused naming the field; nothing is made', async () => {
    const opened = l.opened.length;
    const before = await status('dx');
    const good = vifTap('dx-v300', 300, '169.254.30.2/30', '169.254.30.1', 64512, 65000);
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ cmd: 'addVif', port: 'eth9', tap: good }, 'unknownPort', /no port 'eth9'/],
      [{ cmd: 'addVif', tap: good }, 'badRequest', /'port'/],
      [{ cmd: 'addVif', port: 'eth1' }, 'badRequest', /'tap' must be an object/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...good, name: 'dx-v200' } }, 'vifExists', /tap\/name: a TAP named 'dx-v200' runs already/],
      [{ cmd: 'addVif', port: 'eth2', tap: { ...good, name: 'dx-t0' } }, 'vifExists', /dx-t0/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...good, vlan: 200 } }, 'badRequest', /tap\/vlan: VLAN 200 has two TAPs on this port/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...good, vlan: undefined } }, 'badRequest', /tap\/vlan: a port has at most one untagged TAP/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...good, vlan: 5000 } }, 'badRequest', /tap\/vlan: must be <= 4094/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...good, name: 'a-name-far-too-long' } }, 'badRequest', /tap\/name: must match pattern/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...good, colour: 'red' } }, 'badRequest', /tap: unknown field 'colour'/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...good, bgp: { ...good.bgp, peerAddress: '169.254.300.1' } } }, 'badRequest', /tap\/bgp\/peerAddress/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...good, bgp: { ...good.bgp, keepaliveS: 60 } } }, 'badRequest', /tap\/bgp\/keepaliveS/],
      [{ cmd: 'addVif', port: 'eth1', tap: { ...good, name: 'dx-eth2' } }, 'badRequest', /tap\/name: 'dx-eth2' is the wire of port eth2/],
    ];
    for (const [req, code, message] of cases) {
      const e = await refused('dx', req);
      expect(e.code, JSON.stringify(req)).toBe(code);
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain('not-a-secret-here');
    }
    expect(l.opened.length).toBe(opened);
    expect((await status('dx')).vifs).toEqual(before.vifs);
  });

  it('a VIF whose BGP cannot start is removed again (no half-made TAP)', async () => {
    l.failSpeakerOn.add('dx-v400');
    const e = await refused('dx', { cmd: 'addVif', port: 'eth2', tap: vifTap('dx-v400', 400, '169.254.40.2/30', '169.254.40.1', 64512, 65000) });
    expect(e.message).toMatch(/speaker cannot start/);
    expect(l.closed).toContain('dx-v400');
    expect((await status('dx')).vifs.map((v) => v.name)).toEqual(['dx-t0', 'dx-v200']);
    expect(l.dx.speakers.map((s) => s.tap)).toEqual(['dx-v200']);
  });

  it('moveVif to eth2 on another VLAN: the same TAP (addresses kept), BGP restarted over eth2, frames cross eth2', async () => {
    const opened = l.opened.length;
    const old = l.speakers.filter((s) => s.tap === 'dx-v200' || s.tap === 'rt-v200');
    for (const n of ['dx', 'rt'] as const) {
      const r = await controlRequest(sockOf(n), { cmd: 'moveVif', name: `${n}-v200`, to: 'eth2', vlan: 300 });
      expect(r.result).toEqual({ name: `${n}-v200`, port: 'eth2', vlan: 300 });
    }
    expect(l.opened.length).toBe(opened);
    expect(old.every((s) => s.stopped)).toBe(true);
    const fresh = l.dx.speakers.find((s) => s.tap === 'dx-v200') as FakeSpeaker;
    expect(old).not.toContain(fresh);
    expect(fresh.state).toBe('Established');
    const v = (await status('dx')).vifs.find((x) => x.name === 'dx-v200')!;
    expect(v).toMatchObject({ port: 'eth2', vlan: 300, addresses: ['169.254.20.2/30'], bgp: [{ peerAddress: '169.254.20.1', state: 'Established' }] });
    const eth1 = wireTx(l.rt, 'eth1');
    const eth2 = wireTx(l.rt, 'eth2');
    const before = got.get('dx-v200')!.length;
    l.hosts.get('rt-v200')!.send([frame(2, 1, 100, 0xb1)]);
    await until(() => got.get('dx-v200')!.length > before);
    expect(got.get('dx-v200')!.at(-1)![20]).toBe(0xb1);
    expect(wireTx(l.rt, 'eth2')).toBe(eth2 + 1);
    expect(wireTx(l.rt, 'eth1')).toBe(eth1);
  });

  it('bad moveVif requests are refused naming the field; nothing moves', async () => {
    const before = await status('dx');
    const stops = l.speakers.filter((s) => s.stopped).length;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ cmd: 'moveVif', name: 'dx-nope', to: 'eth1' }, 'unknownVif', /no VIF \(TAP\) 'dx-nope'/],
      [{ cmd: 'moveVif', name: 'dx-v200', to: 'eth7' }, 'unknownPort', /no port 'eth7'/],
      [{ cmd: 'moveVif', name: 'dx-v200', to: 'eth1', vlan: 0 }, 'badRequest', /'vlan' must be an integer from 1 to 4094/],
      [{ cmd: 'moveVif', name: 'dx-v200', to: 'eth1', vlan: '300' }, 'badRequest', /'vlan'/],
      [{ cmd: 'moveVif', name: 'dx-t0', to: 'eth2', vlan: 300 }, 'badRequest', /port eth2 has TAP dx-v200 on VLAN 300 already/],
      [{ cmd: 'moveVif', name: 'dx-v200' }, 'badRequest', /'to'/],
      [{ cmd: 'removeVif', name: 'dx-nope' }, 'unknownVif', /dx-nope/],
      [{ cmd: 'removeVif' }, 'badRequest', /'name'/],
    ];
    for (const [req, code, message] of cases) {
      const e = await refused('dx', req);
      expect(e.code, JSON.stringify(req)).toBe(code);
      expect(e.message).toMatch(message);
    }
    expect((await status('dx')).vifs).toEqual(before.vifs);
    expect(l.speakers.filter((s) => s.stopped).length).toBe(stops);
  });

  it('removeVif stops its BGP and closes the TAP', async () => {
    const sp = l.dx.speakers.find((s) => s.tap === 'dx-v200') as FakeSpeaker;
    const r = await controlRequest(sockOf('dx'), { cmd: 'removeVif', name: 'dx-v200' });
    expect(r.result).toEqual({ name: 'dx-v200' });
    expect(sp.stopped).toBe(true);
    expect(l.closed).toContain('dx-v200');
    expect(l.dx.speakers).toEqual([]);
    expect((await status('dx')).vifs.map((v) => v.name)).toEqual(['dx-t0']);
    expect((await refused('dx', { cmd: 'removeVif', name: 'dx-v200' })).code).toBe('unknownVif');
  });

  it('dxlab node vif add|move|remove send the same commands (the TAP from stdin), and exit 2 on a refused one', async () => {
    // Asynchronously: the node answering lives in this process.
    const run = (args: string[], input?: string) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const c = execFile(process.execPath, [join(ROOT, 'bin/dxlab.js'), 'node', 'vif', ...args, '--socket', sockOf('rt')], { encoding: 'utf8' }, (e, stdout, stderr) =>
          resolve({ status: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
        if (input !== undefined) c.stdin!.end(input);
      });
    const tap = JSON.stringify(vifTap('rt-v500', 500, '169.254.50.1/30', '169.254.50.2', 65000, 64512));
    const add = await run(['add', '--port', 'eth2', '--tap', '-', '--json'], tap);
    expect(add.stderr).toBe('');
    expect(JSON.parse(add.stdout)).toEqual({ name: 'rt-v500' });
    expect((await status('rt')).vifs.find((v) => v.name === 'rt-v500')).toMatchObject({ port: 'eth2', vlan: 500 });
    expect(await run(['move', '--name', 'rt-v500', '--to', 'eth1', '--vlan', '501'])).toMatchObject({ status: 0, stdout: 'vif rt-v500 now on eth1 vlan 501\n' });
    expect(await run(['remove', '--name', 'rt-v500'])).toMatchObject({ status: 0, stdout: 'vif rt-v500 removed\n' });
    const gone = await run(['remove', '--name', 'rt-v500']);
    expect(gone.status).toBe(2);
    expect(gone.stderr).toMatch(/no VIF \(TAP\) 'rt-v500'/);
    expect((await run(['add', '--port', 'eth2', '--tap', '{not json'])).status).toBe(2);
  });
});
