/**
 * Tearing a lab down (`dxlab down`, `dxlab link down`): what the lab's names
 * say it created, and nothing else.
 *
 * - Namespaces: `dxlab-<lab>-<node>` with a node name (NODE_NAME_RE, no dash,
 *   so a lab named `<lab>-x` keeps its own). Names in a state file are not
 *   trusted to name a namespace: the state could be stale or edited.
 * - The lab's supervisor, once the TAPs are down and before any node stops
 *   (supervisor-ref.ts: `dxlab supervise LAB --dir DIR` with DIR the lab's
 *   folder, found by its command line; the PID the state file records only
 *   when its command line is the one recorded), so that it restarts no node
 *   while they stop.
 * - Processes: node processes whose `--config` lies in the lab's state folder
 *   (a pid from a state file may belong to another process by now).
 * - Files: those LAB_FILE_RE names in the lab's own folder (state-dir.ts),
 *   then the folder if that left it empty.
 *
 * The state file is read only to say so when it is unreadable: everything
 * above comes from the naming scheme, so an empty or garbled state file (a
 * `kill -9` of an older `dxlab up`) or none at all changes nothing.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { delNetns, ip, netnsExists, processAlive, run, stopProcess, waitReaped } from './host.js';
import { labDir, netnsName } from './paths.js';
import { existingLabDir, readStateFile, removeLabFiles } from './state-dir.js';
import { NODE_NAME_RE } from './topology.js';
import { NODE_RUNTIMES } from './runtimes/index.js';
import type { PhaseTimer } from './timings.js';
import { isLabSupervisor, labSupervisors, recordedSupervisorRuns, type SupervisorEntry } from './supervisor-ref.js';

export interface DownResult {
  /** What was removed: processes and namespaces. */
  removed: string[];
  /** What is still there (normally nothing). */
  leftover: string[];
  /** What the user should know, such as a state file that could not be read. */
  notes: string[];
}

/**
 * Blocks the lab's controlled side, stops its node processes, removes its
 * namespaces (with their veths and TAPs) and its files.
 * @throws LabError('badName') for a name that is not a lab name, and
 *   LabError('unsafePath') when its state folder is a symbolic link or not a
 *   plain folder in the state root; in both cases before anything changed.
 */
export async function tearDown(lab: string, timings?: PhaseTimer): Promise<DownResult> {
  const lap = (name: string) => timings?.lap(name);
  const named = labDir(lab);
  const dir = existingLabDir(lab);
  const removed: string[] = [];
  const leftover: string[] = [];
  const notes: string[] = [];
  const st = readStateFile(lab);
  if (st.status === 'unreadable') notes.push(`the state file ${st.file} is unreadable (${st.reason}): removed what the lab's names find (namespaces dxlab-${lab}-NODE, node processes configured in ${named})`);
  const dirs = [named, ...(dir ? [dir] : [])];
  // One host's part of a lab across hosts: only its nodes' namespaces (a
  // filter over the names, so a stale or edited state file removes less,
  // never more).
  const part = st.status === 'ok' ? (st.value.host as { nodes?: unknown } | undefined) : undefined;
  const hostNodes = Array.isArray(part?.nodes) ? part.nodes.map(String) : undefined;
  const namespaces = labNamespaces(lab).filter((ns) => !hostNodes || hostNodes.some((n) => ns === netnsName(lab, n)));
  lap('state file read, namespaces listed');
  // First the TAPs down in every namespace, then the nodes. Nodes do not all
  // end at once and a stopping node sends no more MKPDUs: its peer's MKA
  // Life Time (1.5 s with --fast) can expire before the peer itself is
  // stopped (a node taking its 3 s of SIGTERM grace, or a hung one), and in
  // should_encrypt a peer that times out falls back to clear and sends
  // whatever its namespace's kernel still emits (an IPv6 router
  // solicitation). A TAP that is down takes no frame from the kernel (and
  // refuses writes with EIO), so nothing reaches a node to send in the clear.
  // Done with `ip` from outside rather than through each node's control
  // socket: it also works for a node that is hung or no longer answers, and
  // it finds every TAP in the namespace, also those no state file lists.
  const tapsDown = () => {
    for (const ns of namespaces) {
      try {
        for (const tap of tapsIn(ns)) ip('-n', ns, 'link', 'set', 'dev', tap, 'down');
      } catch (e) {
        notes.push(`could not take the TAPs of ${ns} down first: ${(e as Error).message}`);
      }
    }
  };
  tapsDown();
  lap('TAPs down');
  // Then the supervisor, before any node stops: it would restart a node of
  // `restart: always` that stops below. SIGTERM makes it stop its services
  // and exit, leaving the nodes to the order below; SIGKILL after the grace
  // if it hangs. After the TAPs, because this can take a while on a loaded
  // machine, longer than a peer's MKA Life Time.
  const recorded = st.status === 'ok' ? (st.value.supervisor as SupervisorEntry | undefined) : undefined;
  const supervisors = new Set(labSupervisors(lab, dirs));
  if (recorded && recordedSupervisorRuns(lab, dirs, recorded)) supervisors.add(recorded.pid);
  for (const pid of supervisors) {
    if (!isLabSupervisor(pid, lab, dirs)) continue;
    await stopProcess(pid);
    removed.push(`supervisor ${pid}`);
  }
  lap('supervisor stopped');
  // A node the supervisor restarted meanwhile made its TAPs anew.
  if (supervisors.size) tapsDown();
  // All at once, each with its SIGTERM grace: with the TAPs down, a node
  // that outlives its peer has nothing to send in the clear, so the order
  // does not matter, and one after the other a lab of n nodes took n times
  // the slowest exit (measured: 3 s per node for router-dx on a loaded CI
  // machine, with orphaned nodes waiting for PID 1 to reap them).
  const pids = nodeProcesses(dirs).sort((a, b) => a - b);
  await Promise.all(pids.map((pid) => stopProcess(pid)));
  for (const pid of pids) removed.push(`process ${pid}`);
  lap(`node processes stopped (${pids.length})`);
  for (const ns of namespaces) {
    try {
      if (delNetns(ns)) removed.push(`netns ${ns}`);
    } catch {
      /* reported below */
    }
    if (netnsExists(ns)) leftover.push(`netns ${ns}`);
  }
  lap(`namespaces deleted (${namespaces.length})`);
  // What a runtime made beyond namespaces and processes (the docker runtime's containers), by the lab's name.
  for (const r of NODE_RUNTIMES) {
    if (!r.removeLab) continue;
    const x = await r.removeLab(lab, dir, hostNodes);
    removed.push(...x.removed);
    leftover.push(...x.leftover);
  }
  if (NODE_RUNTIMES.some((r) => r.removeLab)) lap('runtime leftovers removed');
  for (const pid of pids) if (processAlive(pid)) leftover.push(`process ${pid}`);
  for (const pid of supervisors) if (isLabSupervisor(pid, lab, dirs)) leftover.push(`supervisor ${pid}`);
  if (dir) leftover.push(...removeLabFiles(dir));
  lap('files removed');
  // The processes stopped above have exited; orphans (the supervisor, and the
  // nodes once it is gone) wait for PID 1 to reap them, which some inits do
  // only every second or two. Waited for once, here, while the steps above
  // went on, so that when `down` returns no entry of the lab's is left in
  // the process table.
  await waitReaped([...supervisors, ...pids]);
  lap('processes reaped');
  return { removed, leftover, notes };
}

/** The lab's namespaces by name: dxlab-<lab>-<node>. */
function labNamespaces(lab: string): string[] {
  const prefix = netnsName(lab, '');
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((ns) => ns.startsWith(prefix) && NODE_NAME_RE.test(ns.slice(prefix.length)));
}

/** The TAP (and TUN) devices of a namespace. */
function tapsIn(ns: string): string[] {
  return ip('-n', ns, '-o', 'link', 'show', 'type', 'tun')
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => !!n);
}

/**
 * Node processes started for a lab: `... node --config FILE` with FILE in one
 * of `dirs` (the lab's folder as named, and as resolved).
 */
function nodeProcesses(dirs: string[]): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      const i = argv.findIndex((a, j) => a === '--config' && argv[j - 1] === 'node');
      if (i > 0 && argv[i + 1] && dirs.includes(dirname(resolve(readlinkSync(`/proc/${p}/cwd`), argv[i + 1]!)))) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}
