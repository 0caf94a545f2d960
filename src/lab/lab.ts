/**
 * The lab runtime, the one both `dxlab up` and the `dxlab link` shorthand
 * (link.ts, a generated two-node topology) run: a node per topology node, in
 * its runtime (runtimes/, a process in a namespace today), with the
 * configuration its kind generates (kinds/); a wire per link, of its link
 * type (links/, a veth today); TAPs per VIF (each on its 802.1Q VLAN, or
 * untagged) with the VIF's addresses and BGP session; the links' CKN/CAK
 * pairs in root-only key files (`keys.json`, `keys2.json`, ...) that the node
 * configurations reference, so that no state file or node config holds a CAK;
 * then the lab's supervisor (supervisor-process.ts), a process of its own
 * that starts the nodes, restarts them by their policy and hosts the lab's
 * services. Everything it creates is recorded in the lab's state file as
 * it is created (written atomically, state-dir.ts), and named after the lab,
 * so that `down` removes all of it, also after a crash or a kill -9 of dxlab
 * itself: it finds the namespaces by their name (dxlab-<lab>-*) and the
 * processes by their configuration path (teardown.ts).
 */
import { BGP_CONNECT_RETRY_S, BGP_HOLD_TIME_S, BGP_KEEPALIVE_S } from '../node/index.js';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serializeKeyFile } from '../shared/key-file.js';
import { BASE_MTU, WIRE_EXTRA } from './constants.js';
import type { CryptoChoice } from '../io/index.js';
import { LabError } from './errors.js';
import { netnsExists } from './host.js';
import { DEFAULT_DX_SPEED, dxCipherSuites, nodeKind, type DxSpeed } from './kinds/index.js';
import { linkType } from './links/index.js';
import { addVxlanEnd, underlayInterface } from './links/vxlan.js';
import { hostPart, underlayFamily, underlayMtuWarning, type VxlanTunnel } from './hosts.js';
import { checkLabName, ifName, labDir, netnsName, stableMac, wireMac } from './paths.js';
import { nodeRuntime } from './runtimes/index.js';
import { claimLabDir, currentOwner, readStateFile, writeFileAtomic, writeStateFile, type LabOwner } from './state-dir.js';
import { tearDown, type DownResult } from './teardown.js';
import type { LabServiceEntry } from './services.js';
import type { NodeExit, RestartPolicy } from './supervisor.js';
import { SUPERVISOR_LOG, askSupervisor, supervisorArgv, supervisorSocket, type SupervisorEntry } from './supervisor-ref.js';
import type { PhaseTimer, PhaseTiming } from './timings.js';
import { imageCannotRun } from './docker/node-image.js';
import type { Endpoint, Topology, TopoLink, TopoStaticSa } from './topology.js';

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
  /** TAP name -> { port, vif, vlan (none: untagged), addresses } */
  taps: Array<{ name: string; port: string; vif: string; vlan?: number; addresses: string[] }>;
  /** Its node runtime (runtimes/). */
  runtime?: string;
  /** What `status` says about its kind (kinds/*.ts statusNote), if anything. */
  note?: string;
  /** The fields its kind declares, as the topology gave them (a dx-device's speed and location, read by the AWS API). */
  options?: Record<string, unknown>;
  /** When `dxlab kill` killed it (node-control.ts); gone after `dxlab restart`. */
  killedAt?: string;
  /** Ports whose wire `dxlab wire cut` took down (node-control.ts). */
  wiresCut?: string[];
  /** Its topology's `restart:` policy (supervisor.ts); absent: never. */
  restart?: RestartPolicy;
  /** How its last process ended, as the supervisor saw it. */
  exited?: NodeExit;
  /** Automatic restarts by the supervisor under its policy. */
  restarts?: number;
  /** When the supervisor restarts it next (it exited and its policy says so). */
  restartAt?: string;
}

export interface LabState {
  lab: string;
  /** 'link': built by the `dxlab link` shorthand (link.ts), which adds its own fields. */
  kind: 'topology' | 'link';
  /** Who started it, from which checkout: `down` without a name checks it. */
  owner: LabOwner;
  topology: string;
  createdAt: string;
  captureDir: string;
  nodes: LabNodeState[];
  /** `wires`: the veth ends of a and b; with `via`, one wire per hop in `segments`, a's side first. */
  links: Array<{ index: number; a: string; b: string; wires: [string, string]; macsec: boolean; type?: string; connection?: 'none'; via?: string[]; segments?: Array<{ ends: [string, string]; wires: [string, string] }>; vxlan?: VxlanTunnel }>;
  /**
   * This host's part of a lab across hosts (`up --on-host`): the host and
   * its nodes. `down` then removes only these nodes' namespaces, so that
   * two hosts' parts on one machine (two namespaces playing the hosts, as
   * the tests do) leave each other alone.
   */
  host?: { name: string; nodes: string[] };
  /** The root-only key files (mode 0600) the node configs reference: the only place a CAK is. */
  keyFiles?: string[];
  /** The lab's supervisor process (supervisor-process.ts), which starts and watches the nodes and hosts the services. */
  supervisor?: SupervisorEntry;
  /** The services running for the lab (services.ts): the supervisor's, and any other process's that hosts one. */
  services?: LabServiceEntry[];
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
  return r.value.kind === 'topology' || r.value.kind === 'link' ? (r.value as unknown as LabState) : undefined;
}

/**
 * Changes a lab's state file: read afresh, changed by `change`, written
 * atomically. Several processes write it (the supervisor, `dxlab wire`, a
 * service's host), each its own fields, so each change starts from what is
 * on disk rather than from a copy read earlier.
 * @returns the new state, or undefined when the lab has no state file.
 */
export function updateLabState(lab: string, change: (s: LabState) => void): LabState | undefined {
  const s = readLabState(lab);
  if (!s) return undefined;
  change(s);
  writeStateFile(lab, s);
  return s;
}

export interface UpProgress {
  (step: string): void;
}

/** Choices for every node of the lab, written into their configurations. */
export interface LabUpOptions {
  /** The GCM engine of every node (`dxlab up --crypto`). @default native where the addon loads */
  crypto?: CryptoChoice;
  /** What kind of lab the state file records (`dxlab link up` builds a 'link'). @default 'topology' */
  kind?: LabState['kind'];
  /** What the state names as the lab's topology, for a topology with no file. @default the topology file */
  topologyLabel?: string;
  /** More arguments of the supervisor's command line (`dxlab supervise`), such as `--no-api`. */
  supervisorArgs?: string[];
  /** How long the supervisor has to start every node and service. @default 60000 plus 2000 per node */
  readyTimeoutMs?: number;
  /** Records how long each step took (`dxlab up --timings`), the supervisor's own steps included. */
  timings?: PhaseTimer;
  /** The host whose part of a lab across hosts to bring up (`dxlab up --on-host`, hosts.ts); needed when the topology names hosts. */
  onHost?: string;
  /** Gets what the user should know that does not stop `up` (an underlay MTU short of what a tunnel needs). */
  warn?: (line: string) => void;
}

/**
 * Builds the lab and starts its supervisor (supervisor-process.ts, a process
 * of its own that outlives the caller), which starts the nodes and the
 * lab's services; resolves when every node answers and every service runs.
 * @returns the lab's state as the supervisor recorded it (pids, services).
 * @throws LabError; what was created is removed again.
 */
export async function labUp(whole: Topology, lab: string, progress: UpProgress = () => undefined, o: LabUpOptions = {}): Promise<LabState> {
  checkLabName(lab);
  // On one host of several, its part: its nodes, the links with an end here (hosts.ts).
  const part = hostPart(whole, lab, o.onHost);
  const topo: Topology = part ? { ...whole, nodes: whole.nodes.filter((n) => part.nodes.has(n.name)), links: part.links.map((x) => x.link) } : whole;
  const tunnelOf = new Map((part?.links ?? []).filter((x) => x.tunnel).map((x) => [x.link.index, x.tunnel!]));
  for (const l of topo.links) {
    const t = tunnelOf.get(l.index);
    if (!t) continue;
    // Before anything exists: the underlay address must be this host's; a short MTU is worth a warning.
    const u = whole.hosts![part!.host]!.underlay;
    const iface = underlayInterface(u.address, u.interface, `topology.hosts.${part!.host}.underlay`);
    const w = underlayMtuWarning(`${l.a.node}:${l.a.port} -- ${l.b.node}:${l.b.port}`, iface.name, iface.mtu, wireMtu(topo, l), underlayFamily(u.address));
    if (w) o.warn?.(w);
  }
  if (topo.nodes.some((n) => netnsExists(netnsName(lab, n.name)))) {
    throw new LabError('exists', `a lab named '${lab}' exists already: dxlab down ${lab}`);
  }
  for (const n of topo.nodes) {
    const why = nodeRuntime(n.runtime).name === 'docker' ? imageCannotRun(topo, n.name) : undefined;
    if (why) throw new LabError('topology', `${topo.file}: ${why}`);
  }
  // What the nodes' runtimes need first (a VM image, built on first use: minutes), before anything of the lab exists.
  const runtimes = [...new Set(topo.nodes.map((n) => nodeRuntime(n.runtime)))];
  for (const r of runtimes) await r.prepare?.(progress);
  const lap = (name: string) => o.timings?.lap(name);
  lap('checks and runtimes prepared');
  claimLabDir(lab);
  const dir = labDir(lab);
  const state: LabState = { lab, kind: o.kind ?? 'topology', owner: currentOwner(), topology: o.topologyLabel ?? resolve(topo.file), createdAt: new Date().toISOString(), captureDir: resolve('pcaps', lab), nodes: [], links: [], keyFiles: [], ...(part ? { host: { name: part.host, nodes: [...part.nodes] } } : {}) };
  const save = () => writeStateFile(lab, state);
  save();
  writeFileAtomic(labTopologyFile(lab), JSON.stringify(topologyWithoutKeys(whole), null, 2) + '\n', 0o644);
  const runtimeNode = (n: LabNodeState) => ({ ...n, lab });
  try {
    for (const n of topo.nodes) {
      const runtime = nodeRuntime(n.runtime);
      const note = nodeKind(n.kind).statusNote?.(n);
      const s: LabNodeState = { name: n.name, kind: n.kind, netns: netnsName(lab, n.name), pid: 0, socket: runtime.socketPath?.(dir, n.name) ?? join(dir, `${n.name}.sock`), config: join(dir, `${n.name}.json`), log: join(dir, `${n.name}.log`), wires: {}, taps: [], runtime: runtime.name, ...(note ? { note } : {}), ...(n.restart && n.restart !== 'never' ? { restart: n.restart } : {}), ...(n.options && Object.keys(n.options).length ? { options: n.options } : {}) };
      progress(`namespace ${s.netns}`);
      runtime.create(runtimeNode(s));
      state.nodes.push(s);
      save();
    }
    lap(`namespaces (${state.nodes.length})`);
    const node = (name: string) => state.nodes.find((n) => n.name === name)!;
    for (const l of topo.links) {
      const wires: [string, string] = [ifName(lab, 'dxl', `${l.index}a`), ifName(lab, 'dxl', `${l.index}b`)];
      const mtu = wireMtu(topo, l);
      const tunnel = tunnelOf.get(l.index);
      if (tunnel) {
        // A link between hosts: this host's end only, the other host makes its own.
        const [end, wire] = part!.nodes.has(l.a.node) ? [l.a, wires[0]] : [l.b, wires[1]];
        progress(`link ${l.a.node}:${l.a.port} -- ${l.b.node}:${l.b.port} to host ${tunnel.remoteHost}: VXLAN VNI ${tunnel.vni}, ${tunnel.local} -> ${tunnel.remote}${l.macsec ? ' (MACsec)' : ''}`);
        addVxlanEnd({ ns: node(end.node).netns, name: wire, alias: `dxlab ${lab} ${end.node}:${end.port}`, mac: wireMac(lab, wire) }, tunnel, mtu);
        node(end.node).wires[end.port] = wire;
        state.links.push({ index: l.index, a: `${l.a.node}:${l.a.port}`, b: `${l.b.node}:${l.b.port}`, wires, macsec: !!l.macsec, type: 'vxlan', ...(l.connection ? { connection: l.connection } : {}), vxlan: tunnel });
        save();
        continue;
      }
      const type = linkType(l.type);
      const via = l.via ?? [];
      progress(`link ${l.a.node}:${l.a.port} -- ${l.b.node}:${l.b.port}${via.length ? ` via ${via.join(', ')}` : ''}${l.macsec ? ' (MACsec)' : ''}`);
      // a -- v1 -- ... -- vk -- b: one wire per hop; each in-path node's eth1 faces a's side, eth2 b's side.
      const segments = inPathSegments(lab, l);
      for (const seg of segments) {
        type.create(
          { ns: node(seg.ends[0].node).netns, name: seg.wires[0], alias: `dxlab ${lab} ${seg.ends[0].node}:${seg.ends[0].port}`, mac: wireMac(lab, seg.wires[0]) },
          { ns: node(seg.ends[1].node).netns, name: seg.wires[1], alias: `dxlab ${lab} ${seg.ends[1].node}:${seg.ends[1].port}`, mac: wireMac(lab, seg.wires[1]) },
          mtu,
        );
        node(seg.ends[0].node).wires[seg.ends[0].port] = seg.wires[0];
        node(seg.ends[1].node).wires[seg.ends[1].port] = seg.wires[1];
      }
      state.links.push({
        index: l.index,
        a: `${l.a.node}:${l.a.port}`,
        b: `${l.b.node}:${l.b.port}`,
        wires,
        macsec: !!l.macsec,
        type: type.name,
        ...(l.connection ? { connection: l.connection } : {}),
        ...(via.length ? { via, segments: segments.map((g) => ({ ends: g.ends.map((e) => `${e.node}:${e.port}`) as [string, string], wires: g.wires })) } : {}),
      });
      save();
    }
    lap(`links (${state.links.length})`);
    const keyFileOf = writeKeyFiles(topo, dir, state);
    save();
    for (const n of state.nodes) {
      writeFileAtomic(n.config, JSON.stringify(nodeConfig(topo, lab, n, state, keyFileOf, o), null, 2) + '\n', 0o600);
      save();
    }
    lap('key files and node configurations');
    for (const n of state.nodes) progress(`node ${n.name} (${n.kind})`);
    // From here on the supervisor writes the state file; this process only reads it.
    // 60 s (or a slow runtime's own, e.g. a VM's boot), and 2 s more per node: the supervisor starts a few nodes at a time (Supervisor.startAll), so a large lab takes longer.
    const baseReadyMs = Math.max(60_000, ...runtimes.map((r) => r.readyTimeoutMs ?? 0));
    await startSupervisor(lab, dir, o.supervisorArgs ?? [], o.readyTimeoutMs ?? baseReadyMs + 2_000 * state.nodes.length, o.timings);
    return readLabState(lab) ?? state;
  } catch (e) {
    await labDown(lab).catch(() => undefined);
    throw e;
  }
}

/** The lab's topology as it was resolved at `up`, without key material: what `graph --name` draws, also for a link lab, which has no topology file. */
export function labTopologyFile(lab: string): string {
  return join(labDir(lab), 'topology.json');
}

/** The topology of a running lab (labTopologyFile), or undefined when it has none (a lab from before it was written). */
export function readLabTopology(lab: string): Topology | undefined {
  const file = labTopologyFile(lab);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Topology) : undefined;
}

/** A topology with every CAK, static SAK and BGP TCP MD5 key left out (the CKNs stay: they name the keys). */
export function topologyWithoutKeys(topo: Topology): Topology {
  return {
    ...topo,
    links: topo.links.map((l) =>
      l.macsec
        ? {
            ...l,
            macsec: {
              ...l.macsec,
              keyChain: l.macsec.keyChain.map((k) => ({ ckn: k.ckn, cak: '' })),
              ...(l.macsec.staticSas ? { staticSas: { ...l.macsec.staticSas, sas: l.macsec.staticSas.sas.map((sa) => ({ ...sa, key: '' })) as [TopoStaticSa, TopoStaticSa] } } : {}),
            },
          }
        : l,
    ),
    vifs: topo.vifs.map((v) => (v.bgp?.md5Key ? { ...v, bgp: { ...v.bgp, md5Key: '(set)' } } : v)),
  };
}

/**
 * Starts the lab's supervisor, detached in a session of its own so that it
 * outlives this process, with stdout and stderr to `supervisor.log`; waits
 * until it says every node answers and every service runs.
 * @throws LabError('process') when it fails or exits first (with what its
 *   log says), 'timeout'.
 */
async function startSupervisor(lab: string, dir: string, extra: string[], timeoutMs: number, timings?: PhaseTimer): Promise<void> {
  const argv = supervisorArgv(lab, dir, extra);
  const logFile = join(dir, SUPERVISOR_LOG);
  const fd = openSync(logFile, 'a', 0o600);
  let exited: string | undefined;
  try {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
    child.once('exit', (code, signal) => (exited = signal ? `killed by ${signal}` : `exit code ${code}`));
    child.once('error', (e) => (exited = e.message));
    child.unref();
  } finally {
    closeSync(fd);
  }
  const socket = supervisorSocket(dir);
  const end = Date.now() + timeoutMs;
  const logTail = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ') : '');
  let answered = false;
  for (;;) {
    const st = (await askSupervisor(socket, { cmd: 'status' }, 2000).catch(() => undefined)) as { phase?: string; error?: string; timings?: PhaseTiming[] } | undefined;
    if (st && !answered) {
      answered = true;
      timings?.lap('supervisor process started, answering on its socket');
    }
    if (st?.phase === 'running') {
      timings?.lap('nodes and services started (as seen from here)');
      // The supervisor's own measure of each step, for what happened inside the lap above.
      for (const t of st.timings ?? []) timings?.add(`  supervisor: ${t.phase}`, t.ms);
      return;
    }
    if (st?.phase === 'failed') throw new LabError('process', `lab ${lab}: ${st.error ?? 'the supervisor failed'}`);
    if (exited !== undefined) throw new LabError('process', `lab ${lab}: its supervisor exited while starting (${exited}): ${logTail()}`);
    if (Date.now() > end) throw new LabError('timeout', `lab ${lab}: its supervisor did not report every node and service running within ${timeoutMs / 1000} s: ${logTail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * One root-only key file (mode 0600) per distinct key chain of the links:
 * `keys.json`, then `keys2.json`, ... in the lab's folder.
 * @returns the key file of each MACsec link, by link index
 */
function writeKeyFiles(topo: Topology, dir: string, state: LabState): Map<number, string> {
  const plan = keyFilePlan(topo);
  for (const f of plan.files) {
    const file = join(dir, f.name);
    writeFileAtomic(file, serializeKeyFile({ version: 1, cas: f.cas, saks: [] }), 0o600);
    state.keyFiles!.push(file);
  }
  return new Map([...plan.of].map(([index, name]) => [index, join(dir, name)]));
}

/**
 * The key files a topology needs, one per distinct key chain of its MACsec
 * links (`keys.json`, `keys2.json`, ...), and which file each link uses.
 * Pure: the lab writes them in its folder, `dxlab compose` beside its file.
 */
export function keyFilePlan(topo: Topology): { files: Array<{ name: string; cas: Array<{ ckn: string; cak: string }> }>; of: Map<number, string> } {
  const files: Array<{ name: string; cas: Array<{ ckn: string; cak: string }>; id: string }> = [];
  const of = new Map<number, string>();
  for (const l of topo.links) {
    // A link with static SAs has no key chain: its keys go in its ends' configurations (0600).
    if (!l.macsec || l.macsec.staticSas) continue;
    const cas = l.macsec.keyChain.map((k) => ({ ckn: k.ckn.toLowerCase(), cak: k.cak.toLowerCase() }));
    const id = JSON.stringify(cas);
    let f = files.find((x) => x.id === id);
    if (!f) {
      f = { name: files.length ? `keys${files.length + 1}.json` : 'keys.json', cas, id };
      files.push(f);
    }
    of.set(l.index, f.name);
  }
  return { files: files.map(({ name, cas }) => ({ name, cas })), of };
}

/** A link's wire MTU: the topology's, or room for the largest VIF's frames plus MACsec and a VLAN tag. */
export function wireMtu(topo: Topology, l: TopoLink): number {
  return l.mtu ?? Math.max(BASE_MTU, ...topo.vifs.map((v) => v.mtu)) + WIRE_EXTRA;
}

/** An in-path node's port towards a's side of its link, and towards b's. */
export const IN_PATH_PORTS = ['eth1', 'eth2'] as const;

/** The hops of a link, a's side first: a -- v1, v1 -- v2, ..., vk -- b, each with its two ends and wire names. */
export function inPathSegments(lab: string, l: TopoLink): Array<{ ends: [Endpoint, Endpoint]; wires: [string, string] }> {
  const via = l.via ?? [];
  const chain = [l.a, ...via.map((v) => ({ node: v, port: '' })), l.b];
  return chain.slice(1).map((right, j) => {
    const left = chain[j]!;
    const ends: [Endpoint, Endpoint] = [j === 0 ? left : { node: left.node, port: IN_PATH_PORTS[1] }, j === via.length ? right : { node: right.node, port: IN_PATH_PORTS[0] }];
    const wires: [string, string] = [ifName(lab, 'dxl', j === 0 ? `${l.index}a` : `${l.index}s${j}l`), ifName(lab, 'dxl', j === via.length ? `${l.index}b` : `${l.index}s${j}r`)];
    return { ends, wires };
  });
}

/** An in-path node's forwarding section: its two ports, the node each faces, and whether that is a customer (an MKA peer) or more of the path. */
function inPathConfig(topo: Topology, n: LabNodeState, extra: Record<string, unknown>): Record<string, unknown> {
  const l = topo.links.find((x) => (x.via ?? []).includes(n.name))!;
  const via = l.via!;
  const j = via.indexOf(n.name);
  const left = j === 0 ? l.a.node : via[j - 1]!;
  const right = j === via.length - 1 ? l.b.node : via[j + 1]!;
  return { inPath: { ports: [...IN_PATH_PORTS], peers: [left, right], roles: [j === 0 ? 'customer' : 'network', j === via.length - 1 ? 'customer' : 'network'], ...extra } };
}

/**
 * The node configuration (src/node/config.schema.json) of one lab node:
 * pure, from the node's wires (n.wires), socket and the lab's capture
 * folder and node order (state), so that `dxlab k8s` (k8s/manifests.ts)
 * gives a pod what `up` gives a namespace. Records the node's TAPs in
 * n.taps. Also what `dxlab compose` writes (compose/), with the paths the
 * node has in its container.
 */
export function nodeConfig(topo: Topology, lab: string, n: LabNodeState, state: LabState, keyFileOf: Map<number, string>, options: LabUpOptions): Record<string, unknown> {
  const tnode = topo.nodes.find((x) => x.name === n.name)!;
  const kind = nodeKind(tnode.kind);
  const links = topo.links.filter((l) => l.a.node === n.name || l.b.node === n.name);
  // What every node's configuration opens with, whatever its kind.
  const head = { name: n.name, kind: kind.nodeKind, controlSocket: n.socket, logLevel: tnode.logLevel ?? 'info', captureDir: state.captureDir };
  if (kind.inPath) {
    return {
      ...head,
      ports: IN_PATH_PORTS.map((p) => ({ name: p, wire: n.wires[p], taps: [] })),
      ...inPathConfig(topo, n, kind.nodeConfig?.(tnode, [...IN_PATH_PORTS]) ?? {}),
    };
  }
  // The TAPs of the VIFs that end on a port (or on a LAG's logical port) of this node.
  const vifTaps = (port: string): Array<Record<string, unknown>> => {
    const taps: Array<Record<string, unknown>> = [];
    if (!kind.transit) {
      for (const [vi, v] of topo.vifs.entries()) {
        const side = v.ends.findIndex((e) => e.node === n.name && e.port === port);
        if (side < 0 || (v.only && v.only !== (side === 0 ? 'customer' : 'aws'))) continue;
        const name = ifName(lab, 'dxt', `${n.name[0]}${state.nodes.indexOf(n)}${vi}`);
        const addresses = [v.ipv4[side]!, ...(v.ipv6 ? [v.ipv6[side]!] : [])];
        const vlan = v.vlans ? v.vlans[side] : v.vlan;
        const tap: Record<string, unknown> = { name, ...(vlan !== undefined ? { vlan } : {}), mtu: v.mtu, mac: stableMac(lab, `${n.name}/${v.name}`), alias: `dxlab ${lab} ${n.name}:${port} vif ${v.name}`, addresses };
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
              holdTimeS: b.holdTimeS ?? BGP_HOLD_TIME_S,
              keepaliveS: b.keepaliveS ?? BGP_KEEPALIVE_S,
              connectRetryS: b.connectRetryS ?? BGP_CONNECT_RETRY_S,
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
        n.taps.push({ name, port, vif: v.name, ...(vlan !== undefined ? { vlan } : {}), addresses });
      }
    }
    return taps;
  };
  const ports = links.map((l: TopoLink) => {
    const port = l.a.node === n.name ? l.a.port : l.b.port;
    const taps = vifTaps(port);
    const captured = topo.captures.some((c) => c.node === n.name && c.port === port);
    // A free DX port (connection: none): MACsec with an empty key chain, as AWS's port waits for AssociateMacSecKey.
    const freeDxPort = l.connection === 'none' && kind.vifEnd === 'aws';
    return {
      name: port,
      wire: n.wires[port],
      taps,
      ...(freeDxPort
        ? {
            macsec: {
              mode: 'should_encrypt',
              cipherSuites: dxCipherSuites(((tnode.options?.speed as DxSpeed | undefined) ?? DEFAULT_DX_SPEED)),
              ...(l.macsec?.keyServerPriority[n.name] !== undefined ? { keyServerPriority: l.macsec.keyServerPriority[n.name] } : {}),
              ...(l.macsec ? pick(l.macsec, ['helloTimeMs', 'lifeTimeMs']) : {}),
            },
          }
        : l.macsec?.staticSas
        ? { macsec: { mode: l.macsec.mode, staticSas: staticSasOfEnd(lab, l, n.name, state) } }
        : l.macsec
        ? {
            macsec: {
              mode: l.macsec.mode,
              cipherSuites: l.macsec.cipherSuites,
              keyFile: keyFileOf.get(l.index),
              ...(l.macsec.keyServerPriority[n.name] !== undefined ? { keyServerPriority: l.macsec.keyServerPriority[n.name] } : {}),
              ...pick(l.macsec, ['helloTimeMs', 'lifeTimeMs', 'includeSci', 'replayWindow', 'pnThreshold', 'sakRekeyIntervalS', 'eapolDestination', 'eapolEtherType', 'clearTextEtherTypes', 'confidentialityOffset']),
            },
          }
        : {}),
      capture: captured ? { wire: true, clear: true, decrypted: true, keys: true } : {},
    };
  });
  // Each LAG of this node: its members, LACP settings and the TAPs of the VIFs over it (lags.ts).
  const lags = (topo.lags ?? [])
    .filter((l) => l.nodes.includes(n.name))
    .map((l) => ({ name: l.name, members: l.ports[n.name]!, minimumLinks: l.minimumLinks, mode: l.lacp.mode, rate: l.lacp.rate, taps: vifTaps(l.name) }));
  return {
    ...head,
    ...(kind.nodeConfig?.(tnode, [...ports.filter((_p, i) => links[i]!.lag === undefined).map((p) => p.name), ...lags.map((l) => l.name)]) ?? {}),
    ports,
    ...(lags.length ? { lags } : {}),
    ...(options.crypto ? { crypto: options.crypto } : {}),
  };
}

/**
 * One end's `macsec.staticSas` (node configuration): its own transmit SA,
 * the other end's as its receive SA, and the other end's SCI: that end's
 * wire MAC (wireMac) and port 1, as our nodes and the linux-peer's kernel
 * take it.
 */
function staticSasOfEnd(lab: string, l: TopoLink, me: string, state: LabState): Record<string, unknown> {
  const s = l.macsec!.staticSas!;
  const mine = l.a.node === me ? 0 : 1;
  const peer = mine === 0 ? l.b : l.a;
  // The peer on another host has its wire there: its name is the one this host would give it.
  const peerWire = state.nodes.find((x) => x.name === peer.node)?.wires[peer.port] ?? ifName(lab, 'dxl', `${l.index}${mine === 0 ? 'b' : 'a'}`);
  return { cipherSuite: s.cipherSuite, peerSci: `${wireMac(lab, peerWire)}/1`, tx: s.sas[mine], rx: [s.sas[1 - mine]] };
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
export async function labDown(lab: string, o: { timings?: PhaseTimer } = {}): Promise<DownResult> {
  return tearDown(lab, o.timings);
}
