/**
 * A lab from a topology: a namespace and a node process per node, a veth per
 * link, TAPs per VIF (each on its 802.1Q VLAN) with the VIF's addresses and
 * BGP session. Everything it creates is recorded in the lab's state file as
 * it is created, so that `down` removes all of it, also after a crash or a
 * kill -9 of dxlab itself; without a state file, `down` still finds the
 * namespaces by their name (dxlab-<lab>-*) and the processes by their
 * configuration path.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from './errors.js';
import { NODE_PROCESS_FLAGS, addNetns, addVeth, delNetns, netnsExists, processAlive, run, spawnInNetns, stopProcess, waitForNode } from './host.js';
import { LAB_NAME_RE, ifName, labDir, netnsName, stableMac, stateFile } from './paths.js';
import type { Topology, TopoLink } from './topology.js';

const BIN = resolve(fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url)));
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
}

export interface LabState {
  lab: string;
  kind: 'topology';
  topology: string;
  createdAt: string;
  captureDir: string;
  nodes: LabNodeState[];
  links: Array<{ index: number; a: string; b: string; wires: [string, string]; macsec: boolean }>;
}

export function readLabState(lab: string): LabState | undefined {
  const f = stateFile(lab);
  if (!existsSync(f)) return undefined;
  const s = JSON.parse(readFileSync(f, 'utf8')) as LabState | { kind: string };
  return s.kind === 'topology' ? (s as LabState) : undefined;
}

/** Every lab with a state file. */
export function listLabs(): string[] {
  const root = resolve(stateFile('x'), '../..');
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((d) => existsSync(join(root, d, 'state.json')));
}

export interface UpProgress {
  (step: string): void;
}

/**
 * Builds the lab and starts its nodes; resolves when every node answers.
 * @throws LabError; what was created is removed again.
 */
export async function labUp(topo: Topology, lab: string, progress: UpProgress = () => undefined): Promise<LabState> {
  if (!LAB_NAME_RE.test(lab)) throw new LabError('badName', `lab name '${lab}': use 1 to 24 lower-case letters, digits and dashes`);
  if (existsSync(stateFile(lab)) || topo.nodes.some((n) => netnsExists(netnsName(lab, n.name)))) {
    throw new LabError('exists', `a lab named '${lab}' exists already: dxlab down ${lab}`);
  }
  const dir = labDir(lab);
  mkdirSync(dir, { recursive: true });
  const state: LabState = { lab, kind: 'topology', topology: resolve(topo.file), createdAt: new Date().toISOString(), captureDir: resolve('pcaps', lab), nodes: [], links: [] };
  const save = () => writeFileSync(stateFile(lab), JSON.stringify(state, null, 2) + '\n');
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
      const mtu = Math.max(1500, ...topo.vifs.map((v) => v.mtu)) + WIRE_EXTRA;
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
      writeFileSync(n.config, JSON.stringify(nodeConfig(topo, lab, n, state), null, 2) + '\n', { mode: 0o600 });
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
 * the state folder. Works from the state file, and without one from the
 * names: namespaces dxlab-<lab>-*, node processes whose configuration lies
 * in the lab's state folder.
 * @returns what was removed and what is still there (normally nothing).
 */
export async function labDown(lab: string): Promise<{ removed: string[]; leftover: string[] }> {
  const state = readLabState(lab);
  const removed: string[] = [];
  const leftover: string[] = [];
  const dir = labDir(lab);
  const pids = new Set<number>((state?.nodes ?? []).map((n) => n.pid).filter((p) => p > 0));
  for (const pid of findProcesses(dir)) pids.add(pid);
  for (const pid of pids) {
    if (processAlive(pid)) {
      await stopProcess(pid);
      removed.push(`process ${pid}`);
    }
  }
  const prefix = netnsName(lab, '');
  const namespaces = new Set<string>((state?.nodes ?? []).map((n) => n.netns));
  for (const line of run('ip', ['netns', 'list']).split('\n')) {
    const ns = line.split(' ')[0]!;
    // dxlab-<lab>-<node>, where node names have no dash: the lab's own, not those of a lab named <lab>-x.
    if (ns.startsWith(prefix) && !ns.slice(prefix.length).includes('-')) namespaces.add(ns);
  }
  for (const ns of namespaces) {
    try {
      if (delNetns(ns)) removed.push(`netns ${ns}`);
    } catch {
      /* reported below */
    }
    if (netnsExists(ns)) leftover.push(`netns ${ns}`);
  }
  for (const pid of pids) if (processAlive(pid)) leftover.push(`process ${pid}`);
  rmSync(dir, { recursive: true, force: true });
  return { removed, leftover };
}

/** Node processes started for a lab: their command line names a config in its folder. */
function findProcesses(dir: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes(`${dir}/`) && cmd.includes('node\0--config')) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}
