/**
 * A lab's supervisor as others see it (`up`, `down`, `status`, `kill`,
 * `restart`): its command line, how to tell that a PID is it, and how to
 * ask it something on its control socket (`supervisor.sock` in the lab's
 * folder, JSON lines as a node's).
 *
 * A PID is taken for the lab's supervisor only while /proc/PID/cmdline is
 * `... dxlab.js supervise LAB --dir DIR` with DIR the lab's folder (and, for
 * the PID the state file records, exactly the command line it records): a
 * PID from a state file may belong to any process by now.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NodeError, controlRequest } from '../node/index.js';
import { NODE_BIN } from './constants.js';
import { LabError } from './errors.js';

export const SUPERVISOR_SOCKET = 'supervisor.sock';
export const SUPERVISOR_LOG = 'supervisor.log';

/** The supervisor as the lab's state file records it. */
export interface SupervisorEntry {
  pid: number;
  /** Its argv, as /proc/PID/cmdline has it. */
  cmdline: string[];
  socket: string;
  startedAt: string;
}

/** The supervisor's command line: `node bin/dxlab.js supervise LAB --dir DIR [extra...]`. */
export function supervisorArgv(lab: string, dir: string, extra: readonly string[] = []): string[] {
  return [process.execPath, NODE_BIN, 'supervise', lab, '--dir', dir, ...extra];
}

export function supervisorSocket(dir: string): string {
  return join(dir, SUPERVISOR_SOCKET);
}

function cmdlineOf(pid: number): string[] | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    return argv;
  } catch {
    return undefined;
  }
}

/** Whether `argv` is a supervisor of `lab` whose folder is one of `dirs`. */
function supervises(argv: string[] | undefined, lab: string, dirs: readonly string[]): boolean {
  if (!argv) return false;
  const i = argv.indexOf('supervise');
  const d = argv.indexOf('--dir', i);
  return i > 0 && argv[i + 1] === lab && d > i && argv[d + 1] !== undefined && dirs.includes(resolve(argv[d + 1]!));
}

/** Whether `pid` is a supervisor of `lab` (its folder one of `dirs`, as named and as resolved). */
export function isLabSupervisor(pid: number, lab: string, dirs: readonly string[]): boolean {
  return Number.isInteger(pid) && pid > 0 && supervises(cmdlineOf(pid), lab, dirs);
}

/** Whether the supervisor a state file records still runs: its PID's command line is the one recorded, and a supervisor's of that lab. */
export function recordedSupervisorRuns(lab: string, dirs: readonly string[], entry: SupervisorEntry | undefined): boolean {
  if (!entry || !Array.isArray(entry.cmdline)) return false;
  const argv = cmdlineOf(entry.pid);
  return argv !== undefined && argv.length === entry.cmdline.length && argv.every((a, i) => a === entry.cmdline[i]) && supervises(argv, lab, dirs);
}

/** Every running supervisor of the lab, found by its command line (none, normally one). */
export function labSupervisors(lab: string, dirs: readonly string[]): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .map(Number)
    .filter((pid) => isLabSupervisor(pid, lab, dirs))
    .sort((a, b) => a - b);
}

/**
 * Asks the lab's supervisor.
 * @returns its result, or undefined when no supervisor answers on the socket
 *   (none was started, it was stopped or it crashed): the caller does without.
 * @throws LabError('notFound' | 'process') for the supervisor's refusal, with
 *   its message; LabError('timeout') when it does not answer in time.
 */
export async function askSupervisor(socket: string | undefined, req: Record<string, unknown>, timeoutMs = 5000): Promise<unknown> {
  if (!socket) return undefined;
  try {
    return (await controlRequest(socket, req, undefined, { timeoutMs })).result;
  } catch (e) {
    if (e instanceof NodeError && e.code === 'device') return undefined;
    if (e instanceof NodeError && e.code === 'timeout') throw new LabError('timeout', `the lab's supervisor did not answer on ${socket} within ${timeoutMs / 1000} s`, { cause: e });
    const remote = (e as { remoteCode?: string }).remoteCode;
    throw new LabError(remote === 'notFound' ? 'notFound' : 'process', `the lab's supervisor: ${(e as Error).message}`, { cause: e });
  }
}
