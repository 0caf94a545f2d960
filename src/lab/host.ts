/**
 * Host resources of a lab: namespaces, veths, processes. Each command names
 * what failed; removal is best effort and reports what is still there.
 */
import { execFileSync, spawn } from 'node:child_process';
import { openSync, closeSync, existsSync, readFileSync } from 'node:fs';
import { controlRequest } from '../node/index.js';
import { LabError } from './errors.js';

export function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new LabError('host', `${cmd} ${args.join(' ')}: ${(err.stderr ?? '').trim() || err.message}`, { cause: e });
  }
}

export function ip(...args: string[]): string {
  return run('ip', args);
}

export function netnsExists(name: string): boolean {
  return run('ip', ['netns', 'list']).split('\n').some((l) => l.split(' ')[0] === name);
}

export function addNetns(name: string): void {
  ip('netns', 'add', name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
}

/**
 * Deletes a namespace (and with it every interface inside); true when it
 * existed. Processes still running in it (an iperf3 server whose client never
 * came, a command started with `dxlab exec`) are killed first: deleting the
 * name would leave them running in an unnamed namespace.
 */
export function delNetns(name: string): boolean {
  if (!netnsExists(name)) return false;
  for (const pid of run('ip', ['netns', 'pids', name]).split('\n').filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
  ip('netns', 'del', name);
  return true;
}

/** A veth pair between two namespaces, with MTU and an alias naming each end. */
export function addVeth(a: { ns: string; name: string; alias: string; mac?: string }, b: { ns: string; name: string; alias: string; mac?: string }, mtu: number): void {
  const address = (e: { mac?: string }) => (e.mac ? ['address', e.mac] : []);
  ip('link', 'add', a.name, 'netns', a.ns, 'mtu', String(mtu), ...address(a), 'type', 'veth', 'peer', 'name', b.name, 'netns', b.ns, 'mtu', String(mtu), ...address(b));
  for (const end of [a, b]) {
    ip('-n', end.ns, 'link', 'set', 'dev', end.name, 'alias', end.alias);
    // The wire is the uncontrolled port, the node's alone: the namespace's
    // own IPv6 (router and neighbour solicitations, MLD) must not send clear
    // frames on it, and its IPv4 must not answer ARP on it. Linux answers an
    // ARP request for any of its addresses on any interface (arp_ignore 0), so
    // in clear modes the peer would learn the wire veth's MAC for the TAP's
    // address and its frames would reach this kernel past the node. IFF_NOARP
    // makes arp_rcv drop every ARP frame on the wire.
    run('ip', ['netns', 'exec', end.ns, 'sysctl', '-qw', `net.ipv6.conf.${end.name}.disable_ipv6=1`]);
    ip('-n', end.ns, 'link', 'set', 'dev', end.name, 'arp', 'off', 'up');
  }
}

/**
 * V8 flags of a node process. A 1 MiB young generation (semi-space) keeps the
 * per-frame garbage in the CPU's cache and collects it early: measured with
 * iperf3 through a link at MTU 1500, each node's RSS went from 100-120 MB to
 * 71-77 MB with throughput equal or better (2.0-2.2 Gbit/s against 1.6).
 */
export const NODE_PROCESS_FLAGS = ['--max-semi-space-size=1'];

/** Starts `argv` inside a namespace, detached, with stdout and stderr to `logFile`. */
export function spawnInNetns(ns: string, argv: string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (child.pid === undefined) throw new LabError('process', `could not start ${argv.join(' ')} in ${ns}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts `argv` inside a namespace as a child of this process (the lab's
 * supervisor), in a session of its own, with stdout and stderr to `logFile`.
 * `onExit` is called once the child has ended and been reaped (Node.js waits
 * for its children on SIGCHLD), so a killed node never stays a zombie.
 * @throws LabError('process') when it could not be started.
 */
export function spawnChildInNetns(ns: string, argv: string[], logFile: string, onExit: (code: number | null, signal: string | null) => void): { pid: number; kill(signal: 'SIGTERM' | 'SIGKILL'): void } {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new LabError('process', `could not start ${argv.join(' ')} in ${ns}`);
    child.once('exit', (code, signal) => onExit(code, signal));
    // An error after the start (a failed kill) must not throw in the supervisor; the exit still comes.
    child.on('error', () => undefined);
    const pid = child.pid;
    return {
      pid,
      kill: (signal) => {
        try {
          child.kill(signal);
        } catch {
          /* gone meanwhile */
        }
      },
    };
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the process runs. A zombie (it has exited and waits for its parent
 * to reap it) does not: an orphan, such as a lab's supervisor once `dxlab up`
 * has exited, or a node once its supervisor has, is reaped by PID 1, and some
 * inits reap only every second or two (measured: 1.7 s on the CI machine),
 * which `down` would otherwise wait out for each process it stops.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !isZombie(pid);
}

/**
 * Waits, at most `timeoutMs`, until none of `pids` is a zombie any more
 * (reaped by its parent or PID 1): once, at the end of `down`, for every
 * process it stopped together, rather than once per process as each stop
 * used to. A PID that is gone, or taken by a new process, is not waited for.
 */
export async function waitReaped(pids: readonly number[], timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (pids.some((pid) => isZombie(pid)) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

/** Whether /proc/PID/stat says Z (zombie) or X (dead); the state is the field after the command name in parentheses, proc(5). */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
    return state === 'Z' || state === 'X';
  } catch {
    return false; // gone between the two looks (the next look says so), or /proc unreadable: taken as running
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(pid: number, graceMs = 3000): Promise<void> {
  if (!processAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const end = Date.now() + graceMs;
  while (processAlive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  if (processAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
    while (processAlive(pid)) await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until a node process answers on its control socket.
 * @throws LabError('process') when it exits first (with the end of its log), 'timeout'.
 */
export async function waitForNode(n: { node: string; pid: number; socket: string; log: string }, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await controlRequest(n.socket, { cmd: 'status' });
      return;
    } catch (e) {
      if (!processAlive(n.pid)) {
        const log = existsSync(n.log) ? readFileSync(n.log, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
        throw new LabError('process', `node ${n.node} exited while starting: ${log}`, { cause: e });
      }
      if (Date.now() > end) throw new LabError('timeout', `node ${n.node} did not answer on ${n.socket} within ${timeoutMs} ms`, { cause: e });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
