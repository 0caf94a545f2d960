/**
 * Controls on a running lab's nodes and wires (`dxlab restart`, `kill`,
 * `wire cut|restore`), each recorded in the lab's state file (written
 * atomically, state-dir.ts).
 *
 * A node's processes are found by their command line, never taken from the
 * state file's PID: a process is signalled only while /proc/PID/cmdline
 * names the node's configuration (`... node --config FILE`, the rule
 * teardown.ts applies to `down`). After the node died, its PID may belong to
 * any other process, which must never be signalled.
 *
 * While the lab's supervisor runs, `kill` and `restart` go through it
 * (supervisor-process.ts): it started the node, so it is the one to signal
 * and reap it, and the one that must not restart a node killed on purpose.
 * Without it (stopped, crashed) they act here, as before.
 */
import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { LabError } from './errors.js';
import { ip, processAlive, stopProcess } from './host.js';
import { readLabState, updateLabState, type LabNodeState, type LabState } from './lab.js';
import { nodeRuntime } from './runtimes/index.js';
import { labDir } from './paths.js';
import { writeStateFile } from './state-dir.js';
import { askSupervisor, recordedSupervisorRuns } from './supervisor-ref.js';

/**
 * Whether `pid` is the node process configured by `config`: its argv holds
 * `node --config FILE` with FILE (taken from the process's working
 * directory) the same path.
 */
export function isLabNodeProcess(pid: number, config: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = argv.findIndex((a, j) => a === '--config' && argv[j - 1] === 'node');
    return i > 0 && argv[i + 1] !== undefined && resolve(readlinkSync(`/proc/${pid}/cwd`), argv[i + 1]!) === resolve(config);
  } catch {
    return false;
  }
}

/**
 * Every running process of the node configured by `config`, found by its
 * command line (the state file's PID is only a hint: it may be stale, or
 * another process's by now).
 */
export function nodeProcessesOf(config: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .map(Number)
    .filter((pid) => isLabNodeProcess(pid, config))
    .sort((a, b) => a - b);
}

/** The socket of the lab's supervisor when the one the state records still runs (its command line checked). */
function supervisorOf(lab: string, state: LabState): string | undefined {
  const dir = labDir(lab);
  return recordedSupervisorRuns(lab, [dir, realpathSync(dir)], state.supervisor) ? state.supervisor!.socket : undefined;
}

function labAndNode(lab: string, node: string): { state: LabState; n: LabNodeState } {
  const state = readLabState(lab);
  if (!state) throw new LabError('notFound', `no lab named '${lab}'`);
  const n = state.nodes.find((x) => x.name === node);
  if (!n) throw new LabError('notFound', `no node '${node}' in lab ${lab} (nodes: ${state.nodes.map((x) => x.name).join(', ')})`);
  return { state, n };
}

export interface KillResult {
  node: string;
  /** The processes killed: none when the node was not running (killed already, or its recorded PID is another process's now). */
  pids: number[];
  killed: boolean;
}

/**
 * SIGKILL to a node, for fault exercises: no MKPDU says goodbye, the peer
 * finds out when its MKA Life Time runs out. The state file records it.
 * @throws LabError('notFound')
 */
export async function killNode(lab: string, node: string): Promise<KillResult> {
  const { state, n } = labAndNode(lab, node);
  const via = (await askSupervisor(supervisorOf(lab, state), { cmd: 'killNode', node })) as KillResult | undefined;
  if (via) return via;
  const pids = nodeProcessesOf(n.config);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
  while (pids.some((pid) => processAlive(pid) && isLabNodeProcess(pid, n.config))) await new Promise((r) => setTimeout(r, 20));
  n.killedAt = new Date().toISOString();
  writeStateFile(lab, state);
  return { node, pids, killed: pids.length > 0 };
}

export interface RestartResult {
  node: string;
  /** The processes of the node that were running, stopped with SIGTERM. */
  stoppedPids: number[];
  pid: number;
}

/**
 * Stops a node (SIGTERM, its KaYs stop cleanly) when its process runs, and
 * starts it again with the same configuration in its namespace; resolves once
 * it answers on its control socket.
 * @throws LabError('notFound'), 'process' or 'timeout' (from waitForNode).
 */
export async function restartNode(lab: string, node: string): Promise<RestartResult> {
  const { state, n } = labAndNode(lab, node);
  // A node's start and first answer take a few seconds on a loaded machine; the supervisor answers after that.
  const via = (await askSupervisor(supervisorOf(lab, state), { cmd: 'restartNode', node }, 60_000)) as RestartResult | undefined;
  if (via) return via;
  const stoppedPids = nodeProcessesOf(n.config);
  for (const pid of stoppedPids) if (isLabNodeProcess(pid, n.config)) await stopProcess(pid);
  // Started again by the runtime that started it (runtimes/), as labUp did.
  const runtime = nodeRuntime(n.runtime);
  const rn = { lab, name: n.name, netns: n.netns, config: n.config, log: n.log, socket: n.socket, pid: 0 };
  n.pid = runtime.start(rn);
  delete n.killedAt;
  writeStateFile(lab, state);
  await runtime.ready({ ...rn, pid: n.pid });
  return { node, stoppedPids, pid: n.pid };
}

export interface WireResult {
  node: string;
  port: string;
  /** The veth end of that port, in the node's namespace. */
  wire: string;
  netns: string;
  carrier: 'down' | 'up';
}

/**
 * `dxlab wire cut|restore NODE:PORT`: the wire veth of that end down, so that
 * both ends lose their carrier, as a pulled cable would; restore brings both
 * ends of the link up (a cut made from the other end is undone too). The
 * nodes keep running: MKA times out after its Life Time and the ports block
 * (must_encrypt) or fall back to clear (should_encrypt); once restored, MKA
 * secures the link again. The state file marks both ends of a cut link.
 * @throws LabError('notFound') for a node or port the lab does not have, 'host' when ip fails.
 */
export function setWireCarrier(lab: string, node: string, port: string, carrier: 'down' | 'up'): WireResult {
  const { state, n } = labAndNode(lab, node);
  const wire = n.wires[port];
  if (wire === undefined) throw new LabError('notFound', `no port '${port}' on node ${node} of lab ${lab} (ports with a wire: ${Object.keys(n.wires).join(', ') || 'none'})`);
  const link = state.links.find((l) => l.a === `${node}:${port}` || l.b === `${node}:${port}`);
  const ends = (link ? [link.a, link.b] : [`${node}:${port}`]).map((e) => {
    const [name, p] = e.split(':') as [string, string];
    return { node: state.nodes.find((x) => x.name === name), port: p };
  });
  if (carrier === 'down') ip('-n', n.netns, 'link', 'set', 'dev', wire, 'down');
  else for (const e of ends) if (e.node?.wires[e.port]) ip('-n', e.node.netns, 'link', 'set', 'dev', e.node.wires[e.port]!, 'up');
  // Marked on the state as it is on disk now: the supervisor may have written it since it was read above.
  updateLabState(lab, (fresh) => {
    for (const e of ends) {
      const fn = e.node && fresh.nodes.find((x) => x.name === e.node!.name);
      if (!fn) continue;
      const cut = new Set(fn.wiresCut ?? []);
      if (carrier === 'down') cut.add(e.port);
      else cut.delete(e.port);
      if (cut.size) fn.wiresCut = [...cut].sort();
      else delete fn.wiresCut;
    }
  });
  return { node, port, wire, netns: n.netns, carrier };
}
