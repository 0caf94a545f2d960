/**
 * `dxlab demo`: AWS topology 2 (router -- DX device) from one command. MKA
 * secures the link, BGP reaches Established over MACsec, a ping crosses the
 * VIF, and the wire, clear and decrypted captures and the key file are
 * written to pcaps/<lab>/; then the lab is torn down (unless kept).
 *
 * The lab is named `demo`, or `demo-2` ... `demo-9` when that name is taken
 * (on a shared machine it may be someone else's): the demo tears down only
 * the lab it built itself, never one it found.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlRequest } from '../node/index.js';
import type { KayStatus } from '../mka/index.js';
import { LabError } from './errors.js';
import { labDown, labUp, type LabState } from './lab.js';
import { existingLabDir } from './state-dir.js';
import { loadTopology, type Topology } from './topology.js';

export const DEMO_TOPOLOGY = fileURLToPath(new URL('../../topologies/router-dx.yaml', import.meta.url));

export interface DemoResult {
  lab: string;
  secureMs: number;
  /** The cipher suite of the SAK the link was secured with (e.g. GCM-AES-XPN-256), '' before that. */
  cipherSuite: string;
  bgpState: string;
  pingLossPct: number;
  captures: Array<{ node: string; port: string; side: 'wire' | 'clear' | 'decrypted'; path: string }>;
  keys: string;
  /** Wireshark 4.6's MACsec SAK table written next to `keys` (empty under the XPN suites, which Wireshark cannot decrypt). */
  wiresharkKeys: string;
  leftover: string[];
  kept: boolean;
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new LabError('timeout', `${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Names the demo tries, in order, when none is given. */
export const DEMO_NAMES = ['demo', ...[2, 3, 4, 5, 6, 7, 8, 9].map((i) => `demo-${i}`)];

/**
 * Builds the demo lab under the first free name: labUp refuses a name in use
 * ('exists') before it creates anything, so trying the next name leaves the
 * lab in the way untouched.
 * @throws LabError('exists') naming the labs in the way when none is free.
 */
async function upUnderFreeName(topo: Topology, names: string[], say: (s: string) => void): Promise<LabState> {
  const inTheWay: string[] = [];
  for (const lab of names) {
    try {
      return await labUp(topo, lab, (s) => say(`  ${s}`));
    } catch (e) {
      if (!(e instanceof LabError && e.code === 'exists')) throw e;
      inTheWay.push(lab);
    }
  }
  throw new LabError(
    'exists',
    names.length === 1
      ? `a lab named '${names[0]}' exists already: give the demo another name (dxlab demo --name NAME), or remove that lab if it is yours (dxlab down ${names[0]})`
      : `labs ${inTheWay.join(', ')} exist already: give the demo a free name (dxlab demo --name NAME), or remove one that is yours (dxlab down NAME)`,
  );
}

/**
 * Runs the demo.
 * @throws LabError('badName') for a bad `lab`; 'exists' when the name (or,
 *   without one, every demo name) is taken; what labUp throws.
 */
export async function runDemo(o: { lab?: string; keep?: boolean; progress?: (s: string) => void } = {}): Promise<DemoResult> {
  const say = o.progress ?? (() => undefined);
  // A name given and taken: refused before a word of progress (existingLabDir
  // also refuses a symbolic link in its place).
  if (o.lab !== undefined && existingLabDir(o.lab)) throw new LabError('exists', `a lab named '${o.lab}' exists already: give the demo another name (dxlab demo --name NAME), or remove that lab if it is yours (dxlab down ${o.lab})`);
  const topo = loadTopology(DEMO_TOPOLOGY);
  say(`building ${topo.name}: a customer router and a DX device, MACsec on their link, VIF VLAN 100`);
  const t0 = Date.now();
  const state = await upUnderFreeName(topo, o.lab !== undefined ? [o.lab] : DEMO_NAMES, say);
  const lab = state.lab;
  if (o.lab === undefined && lab !== DEMO_NAMES[0]) say(`  lab name ${lab}: ${DEMO_NAMES.slice(0, DEMO_NAMES.indexOf(lab)).join(', ')} taken`);
  const result: DemoResult = { lab, secureMs: 0, cipherSuite: '', bgpState: 'Idle', pingLossPct: 100, captures: [], keys: '', wiresharkKeys: '', leftover: [], kept: !!o.keep };
  try {
    const router = state.nodes.find((n) => n.kind === 'router')!;
    const dx = state.nodes.find((n) => n.kind === 'dx-device')!;
    const kay = async (socket: string) => ((await controlRequest(socket, { cmd: 'status', port: 'eth1' })).result as { kay: KayStatus }).kay;
    const secured = async (socket: string) => (await kay(socket)).secured;
    await poll('MKA did not secure the link', async () => ((await secured(router.socket)) && (await secured(dx.socket)) ? true : undefined), 30_000);
    result.secureMs = Date.now() - t0;
    result.cipherSuite = (await kay(router.socket)).sak?.cipherSuite ?? '';
    say(`MKA secured the link after ${result.secureMs} ms (${result.cipherSuite}, key server: the DX device)`);
    // Every session of the VIF (IPv4, and IPv6 on a dual-stack VIF): the state of the one furthest from Established.
    const bgpOf = async () => {
      const peers = ((await controlRequest(router.socket, { cmd: 'bgp' })).result as { peers: Array<{ state: string }> }).peers;
      return peers.find((p) => p.state !== 'Established')?.state ?? peers[0]?.state;
    };
    try {
      await poll('BGP did not reach Established', async () => ((await bgpOf()) === 'Established' ? true : undefined), 60_000);
    } catch {
      /* reported through bgpState */
    }
    result.bgpState = (await bgpOf().catch(() => undefined)) ?? 'Idle';
    say(`BGP AS${topo.vifs[0]!.bgp?.customerAsn} <-> AS${topo.vifs[0]!.bgp?.amazonAsn} over MACsec: ${result.bgpState}`);
    const peer = topo.vifs[0]!.ipv4[1].split('/')[0]!;
    const ping = spawnSync('ip', ['netns', 'exec', router.netns, 'ping', '-c', '5', '-i', '0.2', '-W', '2', peer], { encoding: 'utf8' });
    const loss = /(\d+(?:\.\d+)?)% packet loss/.exec(ping.stdout);
    result.pingLossPct = loss ? Number(loss[1]) : 100;
    say(`ping ${peer} from the router: ${result.pingLossPct}% loss`);
    for (const c of topo.captures) {
      const n = state.nodes.find((x) => x.name === c.node)!;
      for (const side of ['wire', 'clear', 'decrypted'] as const) {
        const path = join(state.captureDir, `${c.node}-${c.port}-${side}.pcapng`);
        await controlRequest(n.socket, { cmd: 'capture', port: c.port, stop: path });
        result.captures.push({ node: c.node, port: c.port, side, path });
      }
      result.keys = join(state.captureDir, `${c.node}-${c.port}.keys.json`);
      result.wiresharkKeys = join(state.captureDir, `${c.node}-${c.port}.wireshark-macsec-keys.txt`);
    }
  } finally {
    if (!o.keep) {
      const down = await labDown(lab);
      result.leftover = down.leftover;
    }
  }
  return result;
}
