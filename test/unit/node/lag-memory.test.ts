/**
 * Two nodes joined by a 2-member LAG on memory wires (no root): each member a
 * MACsec port with its own SCI and KaY, LACP over the members' controlled
 * ports, one TAP on the LAG's logical port. The wires' loss hook watches
 * every frame on them and cuts a member when asked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { memoryWire } from '../../../src/io/index.js';
import { LabNode, controlRequest, resolveNodeConfig, type DeviceFactory } from '../../../src/node/index.js';
import { hostTaps, lagNodeConfig } from '../../helpers/memory-lag.js';
import { tempDir } from '../../helpers/tmp.js';
import { until } from '../../helpers/until.js';

const tmp = tempDir();
const CKN = '11'.repeat(32);
const CAK = '22'.repeat(32);
const WRONG = '33'.repeat(32);

interface LagStatusView {
  lags: Array<{ name: string; logicalPortUp: boolean; ports: Array<{ name: string; mux: string; distributing: boolean; receive: string }>; members: Array<{ name: string; sci: string; controlledPort: string; mka: { secured: boolean } }> }>;
}

function config(name: string, priority: number, o: { mode?: string; caks?: [string, string]; minimumLinks?: number } = {}) {
  return lagNodeConfig(name, { priority, socket: join(tmp, `${name}-${priority}.sock`), captureDir: tmp, ckn: CKN, cak: o.caks ?? CAK, lagTaps: [{ name: `${name}-lag` }], ...(o.mode !== undefined && { mode: o.mode }), ...(o.minimumLinks !== undefined && { minimumLinks: o.minimumLinks }) });
}

function frame(src: number, dst: number, sport: number, len = 100): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + len);
  f.set([2, 0, 0, 0, 0, dst, 2, 0, 0, 0, 0, src, 0x08, 0x00]);
  f.set([0x45, 0, 0, 28 + len, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, src, 10, 0, 0, dst], 14);
  f.set([sport >> 8, sport & 0xff, 0x13, 0x89], 34);
  return f;
}

/** Two members' wires with a cut switch and a log of the EtherTypes each carried; TAP far ends held by the test. */
function bench() {
  const cut = [false, false];
  /** A cable pulled: no carrier on either end of that member's wire (and no frame through). */
  const pulled = [false, false];
  const etherTypes: Array<Set<number>> = [new Set(), new Set()];
  const wires = [0, 1].map((i) =>
    memoryWire({
      names: [`dx-w${i + 1}`, `rt-w${i + 1}`],
      macs: [Uint8Array.of(2, 0, 0, 0xd, 0, i + 1), Uint8Array.of(2, 0, 0, 0xe, 0, i + 1)],
      mtu: 1600,
      loss: (f) => {
        etherTypes[i]!.add((f[12]! << 8) | f[13]!);
        return cut[i]! || pulled[i]!;
      },
      carrier: () => !pulled[i],
    }),
  );
  const { hosts, tap } = hostTaps();
  const devices = (side: 0 | 1): DeviceFactory => ({ wire: (p) => wires[Number(p.name.slice(3)) - 1]![side], tap });
  const got = new Map<string, Uint8Array[]>();
  const listen = () => {
    for (const [name, host] of hosts) host.start((fs) => got.set(name, [...(got.get(name) ?? []), ...fs]));
  };
  return { cut, pulled, etherTypes, devices, hosts, got, listen };
}

/** The DX (priority 16) and the router (32) on one bench, stopped after the suite; start() starts both and listens on the TAPs. */
function pair(dxOpts: Parameters<typeof config>[2] = {}, rtOpts: Parameters<typeof config>[2] = dxOpts) {
  const b = bench();
  const dx = new LabNode(config('dx', 16, dxOpts), b.devices(0));
  const rt = new LabNode(config('rt', 32, rtOpts), b.devices(1));
  afterAll(async () => {
    await dx.stop();
    await rt.stop();
  });
  const start = async () => {
    await dx.start();
    await rt.start();
    b.listen();
  };
  return { b, dx, rt, start };
}

const lagOf = (n: LabNode) => (n.status() as unknown as LagStatusView).lags[0]!;
const distributing = (n: LabNode) => lagOf(n).ports.filter((p) => p.distributing).map((p) => p.name);

describe('a 2-member LAG, should_encrypt, every member secured', () => {
  const { b, dx, rt, start } = pair();

  it('forms with both members secured, each with its own SCI, and both distributing', async () => {
    await start();
    await until(() => distributing(dx).length === 2 && distributing(rt).length === 2, 15_000);
    for (const n of [dx, rt]) {
      const l = lagOf(n);
      expect(l.logicalPortUp).toBe(true);
      expect(l.members.map((m) => m.mka.secured)).toEqual([true, true]);
      expect(new Set(l.members.map((m) => m.sci)).size).toBe(2);
    }
  });

  it('LACPDUs are protected: no Slow Protocols frame in clear on either wire once secured', () => {
    for (const s of b.etherTypes) {
      expect(s.has(0x88e5)).toBe(true);
      expect(s.has(0x888e)).toBe(true);
    }
    // Before MKA secured the ports were blocked (should_encrypt waits for MKA first), so no LACPDU left in clear.
    expect(b.etherTypes.some((s) => s.has(0x8809))).toBe(false);
  });

  it('frames from the TAP cross the LAG; 64 flows use both members', async () => {
    const frames = Array.from({ length: 64 }, (_, i) => frame(2, 1, 1000 + i));
    b.hosts.get('rt-lag')!.send(frames);
    await until(() => (b.got.get('dx-lag')?.length ?? 0) >= 64);
    const st = lagOf(dx) as unknown as { counters: { rxByMember: Record<string, number> } };
    expect(st.counters.rxByMember.eth1).toBeGreaterThan(10);
    expect(st.counters.rxByMember.eth2).toBeGreaterThan(10);
  });

  it('a member cut: within the LACP timeout it stops distributing, the other carries every flow, the logical port stays up', async () => {
    b.cut[0] = true;
    await until(() => distributing(dx).join() === 'eth2' && distributing(rt).join() === 'eth2', 10_000);
    expect(lagOf(dx).logicalPortUp).toBe(true);
    const before = b.got.get('dx-lag')?.length ?? 0;
    b.hosts.get('rt-lag')!.send(Array.from({ length: 32 }, (_, i) => frame(2, 1, 2000 + i)));
    await until(() => (b.got.get('dx-lag')?.length ?? 0) >= before + 32);
    const ev = (await controlRequest(join(tmp, 'dx-16.sock'), { cmd: 'events' })).result as { events: Array<{ type: string; port: string }> };
    expect(ev.events.some((e) => e.type === 'lacp:receive' && e.port === 'eth1')).toBe(true);
    expect(ev.events.map((e) => e.type)).toContain('secured');
  });

  it('the member back: it rejoins distribution', async () => {
    b.cut[0] = false;
    await until(() => distributing(dx).length === 2 && distributing(rt).length === 2, 15_000);
  });

  it('the control socket answers lag, and an unknown LAG is refused by name', async () => {
    const r = (await controlRequest(join(tmp, 'rt-32.sock'), { cmd: 'lag' })).result as LagStatusView;
    expect(r.lags[0]!.name).toBe('lag1');
    await expect(controlRequest(join(tmp, 'rt-32.sock'), { cmd: 'lag', lag: 'nope' })).rejects.toThrow(/no LAG 'nope'/);
    expect(JSON.stringify(r)).not.toContain(CAK);
  });
});

describe('a member whose cable is pulled (no carrier on its wire)', () => {
  const { b, dx, rt, start } = pair();
  type Ev = { type: string; port: string; to?: string; reason: string };
  const events = async (sock: string) => ((await controlRequest(join(tmp, sock), { cmd: 'events' })).result as { events: Ev[] }).events;

  it('leaves distribution on both nodes by Port_Enabled (receive PORT_DISABLED), not by an LACP timeout (EXPIRED)', async () => {
    await start();
    await until(() => distributing(dx).length === 2 && distributing(rt).length === 2, 15_000);
    const since = { dx: (await events('dx-16.sock')).length, rt: (await events('rt-32.sock')).length };
    b.pulled[0] = true;
    await until(() => distributing(dx).join() === 'eth2' && distributing(rt).join() === 'eth2', 10_000);
    for (const [n, sock] of [['dx', 'dx-16.sock'], ['rt', 'rt-32.sock']] as const) {
      const rx = (await events(sock)).slice(since[n]).filter((e) => e.type === 'lacp:receive' && e.port === 'eth1');
      // 802.1AX-2014 6.4.12: not operational -> PORT_DISABLED at once; a timeout would show CURRENT -> EXPIRED first.
      expect(rx[0]?.reason, `${n}: ${JSON.stringify(rx)}`).toMatch(/-> PORT_DISABLED/);
    }
    expect((lagOf(dx) as unknown as { members: Array<{ name: string; carrier: string }> }).members.find((m) => m.name === 'eth1')!.carrier).toBe('down');
  });

  it('the cable back: the member rejoins once LACP agrees again', async () => {
    b.pulled[0] = false;
    await until(() => distributing(dx).length === 2 && distributing(rt).length === 2, 15_000);
    expect((lagOf(rt) as unknown as { members: Array<{ name: string; carrier: string }> }).members.map((m) => m.carrier)).toEqual(['up', 'up']);
  });
});

describe('must_encrypt with a wrong CAK on one member only', () => {
  const { b, dx, rt, start } = pair({ mode: 'must_encrypt' }, { mode: 'must_encrypt', caks: [CAK, WRONG] });
  it('that member stays out (blocked, no LACP), the other carries; no cleartext frame on either wire', async () => {
    await start();
    await until(() => distributing(dx).join() === 'eth1' && distributing(rt).join() === 'eth1', 15_000);
    const m = lagOf(rt).members.find((x) => x.name === 'eth2')!;
    expect(m.controlledPort).toBe('blocked');
    expect(lagOf(rt).ports.find((p) => p.name === 'eth2')!.receive).toBe('PORT_DISABLED');
    b.hosts.get('rt-lag')!.send(Array.from({ length: 32 }, (_, i) => frame(2, 1, 3000 + i)));
    await until(() => (b.got.get('dx-lag')?.length ?? 0) >= 32);
    for (const s of b.etherTypes) expect([...s].filter((t) => t !== 0x88e5 && t !== 0x888e)).toEqual([]);
  });
});

describe('minimumLinks 2', () => {
  const { b, dx, rt, start } = pair({ minimumLinks: 2 });
  it('one member cut: the logical port goes down and frames from the TAP are dropped and counted', async () => {
    await start();
    await until(() => lagOf(dx).logicalPortUp && lagOf(rt).logicalPortUp, 15_000);
    b.cut[1] = true;
    await until(() => !lagOf(rt).logicalPortUp && !lagOf(dx).logicalPortUp, 10_000);
    b.hosts.get('rt-lag')!.send([frame(2, 1, 4000)]);
    await until(() => (lagOf(rt) as unknown as { counters: { txNoMember: number } }).counters.txNoMember >= 1);
  });
});

describe('configuration of lags', () => {
  const base = (lags: unknown[], taps: unknown[] = []) => ({
    name: 'n',
    kind: 'router',
    ports: [
      { name: 'eth1', wire: 'w1', taps },
      { name: 'eth2', wire: 'w2' },
    ],
    lags,
  });
  it.each([
    [[{ name: 'l', members: ['eth1', 'eth9'] }], [], /lags\/0\/members\/1: no port named 'eth9'/],
    [[{ name: 'l', members: ['eth1'] }, { name: 'm', members: ['eth1'] }], [], /member of LAG l already/],
    [[{ name: 'l', members: ['eth1', 'eth2'] }], [{ name: 't' }], /port eth1 has TAPs/],
    [[{ name: 'l', members: ['eth1', 'eth2'], minimumLinks: 3 }], [], /minimumLinks: 3 is more than the LAG's 2 members/],
    [[{ name: 'eth1', members: ['eth2'] }], [], /names another LAG or a port/],
  ])('refused: %j', (lags, taps, re) => {
    expect(() => resolveNodeConfig(base(lags, taps), 'n.yaml')).toThrow(re);
  });
});
