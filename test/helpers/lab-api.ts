/**
 * A lab for the AWS API's unit tests, with no namespace or node process: a
 * lab state of a router and a dx-device (dx:eth1 on a MACsec link with CKN1,
 * dx:eth2 free, `connection: none`), the DX node's configuration and key
 * file in the lab's folder, a fake DX control socket (fake-node.ts) and
 * wires held in memory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLabApi, type DxQuotas, type LabPort, type RunningLabApi, type WireControl } from '../../src/aws/index.js';
import type { LabState } from '../../src/lab/index.js';
import { fakeNode, type FakeNode } from './fake-node.js';
import { CAK1, CKN1 } from './aws.js';

/** Wires held in memory: each port's carrier, and every change asked of them. */
export function fakeWires(): WireControl & { carriers: Map<string, 'up' | 'down'>; calls: string[] } {
  const carriers = new Map<string, 'up' | 'down'>();
  const calls: string[] = [];
  return {
    carriers,
    calls,
    carrier: async (p: LabPort) => carriers.get(p.id) ?? 'up',
    set: async (p: LabPort, c: 'up' | 'down') => {
      calls.push(`${p.id} ${c}`);
      carriers.set(p.id, c);
    },
  };
}

export interface FakeLab {
  labDir: string;
  state: LabState;
  node: FakeNode;
  wires: ReturnType<typeof fakeWires>;
  logs: string[];
  start(options?: { quotas?: Partial<DxQuotas> }): Promise<RunningLabApi>;
}

/** A lab of a router and a dx-device: dx:eth1 on a MACsec link with CKN1, dx:eth2 free (`connection: none`). */
export async function fakeLab(labDir: string, name: string): Promise<FakeLab> {
  mkdirSync(labDir, { recursive: true });
  writeFileSync(join(labDir, 'keys.json'), JSON.stringify({ version: 1, cas: [{ ckn: CKN1, cak: CAK1 }], saks: [] }), { mode: 0o600 });
  const dxConfig = {
    name: 'dx',
    kind: 'dx-device',
    ports: [
      { name: 'eth1', wire: 'w1', taps: [], macsec: { mode: 'should_encrypt', cipherSuites: ['gcm-aes-xpn-256', 'gcm-aes-256'], keyFile: join(labDir, 'keys.json') } },
      { name: 'eth2', wire: 'w2', taps: [], macsec: { mode: 'should_encrypt', cipherSuites: ['gcm-aes-xpn-256', 'gcm-aes-256'] } },
    ],
  };
  writeFileSync(join(labDir, 'dx.json'), JSON.stringify(dxConfig));
  const socket = join(labDir, 'dx.sock');
  const node = await fakeNode(socket, {
    eth1: { mode: 'should_encrypt', keyChain: [CKN1], secured: true, inUse: CKN1 },
    eth2: { mode: 'should_encrypt', keyChain: [], secured: false },
  });
  return assemble(labDir, name, node, socket, [], [
    { index: 0, a: 'router:eth1', b: 'dx:eth1', wires: ['r1', 'w1'], macsec: true },
    { index: 1, a: 'router:eth2', b: 'dx:eth2', wires: ['r2', 'w2'], macsec: true, connection: 'none' },
  ]);
}


/**
 * A lab of a router and a dx-device joined by a 2-member LAG `lag1`
 * (dx:eth1 and dx:eth2, the LAG's key CKN1 in both members' chains,
 * should_encrypt, minimumLinks 0) with one VIF over the LAG (VLAN 100, TAP
 * `dxv1`), as `dxlab up topologies/lag-router-dx.yaml` writes it.
 */
export async function fakeLagLab(labDir: string, name: string): Promise<FakeLab> {
  mkdirSync(labDir, { recursive: true });
  writeFileSync(join(labDir, 'keys.json'), JSON.stringify({ version: 1, cas: [{ ckn: CKN1, cak: CAK1 }], saks: [] }), { mode: 0o600 });
  const macsec = { mode: 'should_encrypt', cipherSuites: ['gcm-aes-xpn-256', 'gcm-aes-256'], keyFile: join(labDir, 'keys.json') };
  const vifTap = { name: 'dxv1', vlan: 100, mtu: 1500, addresses: ['169.254.100.2/30'], bgp: { localAsn: 64512, peerAsn: 65000, peerAddress: '169.254.100.1', localAddress: '169.254.100.2' } };
  const dxConfig = {
    name: 'dx',
    kind: 'dx-device',
    ports: [
      { name: 'eth1', wire: 'w1', taps: [], macsec },
      { name: 'eth2', wire: 'w2', taps: [], macsec },
    ],
    lags: [{ name: 'lag1', members: ['eth1', 'eth2'], minimumLinks: 0, mode: 'active', rate: 'fast', taps: [vifTap] }],
  };
  writeFileSync(join(labDir, 'dx.json'), JSON.stringify(dxConfig));
  const socket = join(labDir, 'dx.sock');
  const node = await fakeNode(
    socket,
    {
      eth1: { mode: 'should_encrypt', keyChain: [CKN1], secured: true, inUse: CKN1 },
      eth2: { mode: 'should_encrypt', keyChain: [CKN1], secured: true, inUse: CKN1 },
    },
    { lag1: { members: ['eth1', 'eth2'], minimumLinks: 0, logicalPortUp: true, out: new Set() } },
  );
  return assemble(labDir, name, node, socket, [{ name: 'dxv1', port: 'lag1', vif: 'private-vif', vlan: 100, addresses: ['169.254.100.2/30'] }], [
    { index: 0, a: 'router:eth1', b: 'dx:eth1', wires: ['r1', 'w1'], macsec: true, type: 'lag' },
    { index: 1, a: 'router:eth2', b: 'dx:eth2', wires: ['r2', 'w2'], macsec: true, type: 'lag' },
  ]);
}

/**
 * A lab of a router and a dx-device with `seeded + free` ports, eth1 up:
 * the first `seeded` on links (each starts as a connection: no MACsec, to
 * keep it short), the rest free (`connection: none`). More ports at one
 * location than Direct Connect's default quota of 10.
 */
export async function fakeWideLab(labDir: string, name: string, seeded: number, free: number): Promise<FakeLab> {
  mkdirSync(labDir, { recursive: true });
  const names = Array.from({ length: seeded + free }, (_, i) => `eth${i + 1}`);
  writeFileSync(join(labDir, 'dx.json'), JSON.stringify({ name: 'dx', kind: 'dx-device', ports: names.map((n, i) => ({ name: n, wire: `w${i + 1}`, taps: [] })) }));
  const socket = join(labDir, 'dx.sock');
  const node = await fakeNode(socket, Object.fromEntries(names.map((n) => [n, { mode: 'no_encrypt', keyChain: [], secured: false }])));
  const links = names.map((n, i) => ({ index: i, a: `router:${n}`, b: `dx:${n}`, wires: [`r${i + 1}`, `w${i + 1}`] as [string, string], macsec: false, ...(i >= seeded && { connection: 'none' as const }) }));
  return assemble(labDir, name, node, socket, [], links, names);
}

/**
 * The lab state the labs share (a router and a dx-device, each on wires
 * eth1 and eth2 unless `portNames` says otherwise), the dx-device's TAPs and
 * the links being what differs, and the FakeLab around it.
 */
function assemble(labDir: string, name: string, node: FakeNode, socket: string, dxTaps: LabState['nodes'][number]['taps'], links: LabState['links'], portNames = ['eth1', 'eth2']): FakeLab {
  const wiresOf = (prefix: string) => Object.fromEntries(portNames.map((n, i) => [n, `${prefix}${i + 1}`]));
  const state: LabState = {
    lab: name,
    kind: 'topology',
    owner: { uid: 0, checkout: '/x' },
    topology: '/x/t.yaml',
    createdAt: '2026-01-01T00:00:00.000Z',
    captureDir: '/x/pcaps',
    nodes: [
      { name: 'router', kind: 'router', netns: 'ns-r', pid: 1, socket: join(labDir, 'router.sock'), config: join(labDir, 'router.json'), log: '', wires: wiresOf('r'), taps: [] },
      { name: 'dx', kind: 'dx-device', netns: 'ns-d', pid: 2, socket, config: join(labDir, 'dx.json'), log: '', wires: wiresOf('w'), taps: dxTaps, options: { speed: '10G' } },
    ],
    links,
  };
  const wires = fakeWires();
  const logs: string[] = [];
  return {
    labDir,
    state,
    node,
    wires,
    logs,
    start: (options = {}) => startLabApi({ lab: state.lab, labDir, host: '127.0.0.1', port: 0, state: () => state, log: (line) => logs.push(line) }, { pollMs: 60_000, wires, timings: { vifPendingMs: 0 }, ...options }),
  };
}

/** Something a test started and must close: an API or a fake node. */
export type Closable = { stop(): Promise<void> } | FakeNode;

/** Closes what a test started, newest first, emptying the list. */
export async function closeAll(open: Closable[]): Promise<void> {
  for (const x of open.splice(0).reverse()) await ('stop' in x ? x.stop() : x.close());
}

export interface UpLab {
  l: FakeLab;
  api: RunningLabApi;
  /** A Direct Connect call that throws AWS's error code and message when it fails. */
  dx: <T = Record<string, any>>(op: string, body?: unknown) => Promise<T>;
  call: (op: string, body?: unknown) => Promise<any>;
}

/** Starts the API over a fake lab, its node and API pushed on `open` for closeAll. */
export async function upLab(l: FakeLab, open: Closable[], options: { quotas?: Partial<DxQuotas> } = {}): Promise<UpLab> {
  open.push(l.node);
  const api = await l.start(options);
  open.push(api);
  const call = (op: string, body: unknown = {}) => api.server.service.call({ service: 'directconnect', operation: op, body });
  const dx = async (op: string, body: unknown = {}) => {
    const r = await call(op, body);
    if (!r.ok) throw new Error(`${op}: ${r.error.code}: ${r.error.message}`);
    return r.output as any;
  };
  return { l, api, dx, call };
}
