/**
 * A lab from a topology: a namespace and a node process per node, a veth per
 * link, TAPs per VIF (each on its 802.1Q VLAN) with the VIF's addresses and
 * BGP session. Everything it creates is recorded in the lab's state file as
 * it is created (written atomically, state-dir.ts), and named after the lab,
 * so that `down` removes all of it, also after a crash or a kill -9 of dxlab
 * itself: it finds the namespaces by their name (dxlab-<lab>-*) and the
 * processes by their configuration path (teardown.ts).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from './errors.js';
import { NODE_PROCESS_FLAGS, addNetns, addVeth, netnsExists, spawnInNetns, waitForNode } from './host.js';
import { checkLabName, ifName, labDir, netnsName, stableMac } from './paths.js';
import { claimLabDir, currentOwner, readStateFile, writeFileAtomic, writeStateFile, type LabOwner } from './state-dir.js';
import { tearDown, type DownResult } from './teardown.js';
import type { Topology, TopoLink } from './topology.js';

export const BIN = resolve(fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url)));
/** SecTAG with SCI + ICV, and one 802.1Q tag. */
const WIRE_EXTRA = 32 + 4;

export interface LabNodeState {
  name: string;
  kind: string;
  netns: string;
  pid: number;
  socket: string;
  config: string;
  log: string;
  /** port name -> wire interface */
  wires: Record<string, string>;
  /** TAP name -> { port, vif, vlan, addresses } */
  taps: Array<{ name: string; port: string; vif: string; vlan: number; addresses: string[] }>;
  /** When `dxlab kill` killed it (node-control.ts); gone after `dxlab restart`. */
  killedAt?: string;
  /** Ports whose wire `dxlab wire cut` took down (node-control.ts). */
  wiresCut?: string[];
}

export interface LabState {
  lab: string;
  kind: 'topology';
  /** Who started it, from which checkout: `down` without a name checks it. */
  owner: LabOwner;
  topology: string;
  createdAt: string;
  captureDir: string;
  nodes: LabNodeState[];
  links: Array<{ index: number; a: string; b: string; wires: [string, string]; macsec: boolean }>;
}

/**
 * The state of a lab built from a topology.
 * @returns undefined when there is no such lab, or it is a link (link.ts).
 * @throws LabError('badName'), 'unsafePath' (state-dir.ts), 'stateUnreadable'
 *   when its state file is empty or not JSON.
 */
export function readLabState(lab: string): LabState | undefined {
  const r = readStateFile(lab);
  if (r.status === 'missing') return undefined;
  if (r.status === 'unreadable') throw new LabError('stateUnreadable', `lab ${lab}: its state file ${r.file} is unreadable (${r.reason}); dxlab down ${lab} removes the lab by its names`);
  return r.value.kind === 'topology' ? (r.value as unknown as LabState) : undefined;
}

export interface UpProgress {
  (step: string): void;
}

/**
 * Builds the lab and starts its nodes; resolves when every node answers.
 * @throws LabError; what was created is removed again.
 */
export async function labUp(topo: Topology, lab: string, progress: UpProgress = () => undefined): Promise<LabState> {
  checkLabName(lab);
  if (topo.nodes.some((n) => netnsExists(netnsName(lab, n.name)))) {
    throw new LabError('exists', `a lab named '${lab}' exists already: dxlab down ${lab}`);
  }
  claimLabDir(lab);
  const dir = labDir(lab);
  const state: LabState = { lab, kind: 'topology', owner: currentOwner(), topology: resolve(topo.file), createdAt: new Date().toISOString(), captureDir: resolve('pcaps', lab), nodes: [], links: [] };
  const save = () => writeStateFile(lab, state);
  save();
  try {
    topo.nodes.forEach((n) => {
      const ns = netnsName(lab, n.name);
      progress(`namespace ${ns}`);
      addNetns(ns);
      state.nodes.push({ name: n.name, kind: n.kind, netns: ns, pid: 0, socket: join(dir, `${n.name}.sock`), config: join(dir, `${n.name}.json`), log: join(dir, `${n.name}.log`), wires: {}, taps: [] });
      save();
    });
    const node = (name: string) => state.nodes.find((n) => n.name === name)!;
    for (const l of topo.links) {
      const wires: [string, string] = [ifName(lab, 'dxl', `${l.index}a`), ifName(lab, 'dxl', `${l.index}b`)];
      const mtu = l.mtu ?? Math.max(1500, ...topo.vifs.map((v) => v.mtu)) + WIRE_EXTRA;
      progress(`link ${l.a.node}:${l.a.port} -- ${l.b.node}:${l.b.port}${l.macsec ? ' (MACsec)' : ''}`);
      addVeth(
        { ns: node(l.a.node).netns, name: wires[0], alias: `dxlab ${lab} ${l.a.node}:${l.a.port}` },
        { ns: node(l.b.node).netns, name: wires[1], alias: `dxlab ${lab} ${l.b.node}:${l.b.port}` },
        mtu,
      );
      node(l.a.node).wires[l.a.port] = wires[0];
      node(l.b.node).wires[l.b.port] = wires[1];
      state.links.push({ index: l.index, a: `${l.a.node}:${l.a.port}`, b: `${l.b.node}:${l.b.port}`, wires, macsec: !!l.macsec });
      save();
    }
    for (const n of state.nodes) {
      writeFileAtomic(n.config, JSON.stringify(nodeConfig(topo, lab, n, state), null, 2) + '\n', 0o600);
      save();
    }
    for (const n of state.nodes) {
      progress(`node ${n.name} (${n.kind})`);
      n.pid = spawnInNetns(n.netns, [process.execPath, ...NODE_PROCESS_FLAGS, BIN, 'node', '--config', n.config], n.log);
      save();
    }
    await Promise.all(state.nodes.map((n) => waitForNode({ node: n.name, pid: n.pid, socket: n.socket, log: n.log })));
    return state;
  } catch (e) {
    await labDown(lab).catch(() => undefined);
    throw e;
  }
}

/** The node configuration (src/node/config.schema.json) of one lab node. */
function nodeConfig(topo: Topology, lab: string, n: LabNodeState, state: LabState): Record<string, unknown> {
  const tnode = topo.nodes.find((x) => x.name === n.name)!;
  const links = topo.links.filter((l) => l.a.node === n.name || l.b.node === n.name);
  const ports = links.map((l: TopoLink) => {
    const port = l.a.node === n.name ? l.a.port : l.b.port;
    const taps: Array<Record<string, unknown>> = [];
    if (n.kind !== 'switch') {
      for (const [vi, v] of topo.vifs.entries()) {
        const side = v.ends.findIndex((e) => e.node === n.name && e.port === port);
        if (side < 0) continue;
        const name = ifName(lab, 'dxt', `${n.name[0]}${state.nodes.indexOf(n)}${vi}`);
        const addresses = [v.ipv4[side]!, ...(v.ipv6 ? [v.ipv6[side]!] : [])];
        const tap: Record<string, unknown> = { name, vlan: v.vlan, mtu: v.mtu, mac: stableMac(lab, `${n.name}/${v.name}`), alias: `dxlab ${lab} ${n.name}:${port} vif ${v.name}`, addresses };
        if (v.bgp) {
          const b = v.bgp;
          const customer = side === 0;
          const prefixes = customer ? b.customerPrefixes : b.amazonPrefixes;
          const session = (family: 'ipv4' | 'ipv6') => {
            const addrs = family === 'ipv4' ? v.ipv4 : v.ipv6!;
            return {
              speaker: b.speaker[n.name] ?? 'builtin',
              localAsn: customer ? b.customerAsn : b.amazonAsn,
              peerAsn: customer ? b.amazonAsn : b.customerAsn,
              peerAddress: addrs[1 - side]!.split('/')[0],
              localAddress: addrs[side]!.split('/')[0],
              holdTimeS: 90,
              keepaliveS: 30,
              ...(b.md5Key ? { md5Key: b.md5Key } : {}),
              prefixes: prefixes.filter((p) => p.includes(':') === (family === 'ipv6')),
              // AWS's side waits for the customer router to connect.
              passive: !customer,
            };
          };
          // A dual-stack VIF has two sessions, one per family, as AWS runs them.
          tap.bgp = v.ipv6 ? [session('ipv4'), session('ipv6')] : session('ipv4');
        }
        taps.push(tap);
        n.taps.push({ name, port, vif: v.name, vlan: v.vlan, addresses });
      }
    }
    const captured = topo.captures.some((c) => c.node === n.name && c.port === port);
    return {
      name: port,
      wire: n.wires[port],
      taps,
      ...(l.macsec
        ? {
            macsec: {
              mode: l.macsec.mode,
              cipherSuites: l.macsec.cipherSuites,
              keyChain: l.macsec.keyChain,
              ...(l.macsec.keyServerPriority[n.name] !== undefined ? { keyServerPriority: l.macsec.keyServerPriority[n.name] } : {}),
              ...pick(l.macsec, ['helloTimeMs', 'lifeTimeMs', 'includeSci', 'replayWindow', 'pnThreshold', 'sakRekeyIntervalS', 'eapolDestination', 'eapolEtherType', 'clearTextEtherTypes']),
            },
          }
        : {}),
      capture: captured ? { wire: true, clear: true, decrypted: true, keys: true } : {},
    };
  });
  return {
    name: n.name,
    kind: n.kind,
    controlSocket: n.socket,
    logLevel: tnode.logLevel ?? 'info',
    captureDir: state.captureDir,
    ...(n.kind === 'switch' ? { bridge: ports.map((p) => p.name) } : {}),
    ports,
  };
}

function pick<T extends object>(o: T, keys: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => keys.includes(k) && v !== undefined)) as Partial<T>;
}

/**
 * Stops the nodes and removes the namespaces (with their veths and TAPs) and
 * the lab's files: what its names say it created (teardown.ts), with or
 * without a readable state file. Its TAPs go down before any node stops, so
 * that no node falls back to clear while its peer stops.
 * @returns what was removed, what is still there (normally nothing), notes.
 * @throws LabError('badName', 'unsafePath') before anything changed.
 */
export async function labDown(lab: string): Promise<DownResult> {
  return tearDown(lab);
}
