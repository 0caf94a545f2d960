/**
 * A private Docker engine: dockerd with its own data root, exec root,
 * pidfile and unix socket, all under a folder the caller names, so that it
 * shares nothing with the machine's own daemon (if any) and is removed with
 * that folder. No bridge and no iptables rules: dxlab wires its containers
 * itself with veth pairs (a Linux bridge drops EAPOL and never forwards LACP,
 * DESIGN.md), so the engine needs no network of its own and leaves the
 * host's firewall as it was.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabError } from '../errors.js';
import { processAlive, stopProcess } from '../host.js';
import { DOCKERD_BIN, docker } from './engine.js';

export interface PrivateDockerd {
  /** The folder everything lives in. */
  dir: string;
  /** DOCKER_HOST for it: unix://DIR/docker.sock */
  host: string;
  pid: number;
}

/** Where the engine of `dir` keeps what (absolute). */
export function dockerdPaths(dir: string) {
  const d = resolve(dir);
  return { dir: d, data: join(d, 'data'), exec: join(d, 'exec'), pidfile: join(d, 'dockerd.pid'), socket: join(d, 'docker.sock'), log: join(d, 'dockerd.log') };
}

/** The running engine of `dir`, if any. */
export function findDockerd(dir: string): PrivateDockerd | undefined {
  const p = dockerdPaths(dir);
  if (!existsSync(p.pidfile)) return undefined;
  const pid = Number(readFileSync(p.pidfile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid) || !isDockerdOf(pid, p.pidfile)) return undefined;
  return { dir: p.dir, host: `unix://${p.socket}`, pid };
}

/**
 * Whether `pid` is the dockerd this folder started: its command line names
 * this pidfile. A pidfile alone proves nothing (a reused PID, or a folder
 * such as /var/run whose docker.pid is the machine's own engine), and stop
 * signals that PID.
 */
function isDockerdOf(pid: number, pidfile: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = argv.indexOf('--pidfile');
    return argv[0] === DOCKERD_BIN && i > 0 && argv[i + 1] === pidfile;
  } catch {
    return false;
  }
}

/**
 * Starts dockerd on `dir` (made if missing) unless it runs there already;
 * resolves when it answers.
 * @throws LabError('process') when it exits first (with its log's end), 'timeout'.
 */
export async function startDockerd(dir: string, timeoutMs = 60_000): Promise<PrivateDockerd> {
  const running = findDockerd(dir);
  if (running) return running;
  const p = dockerdPaths(dir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  const fd = openSync(p.log, 'a', 0o600);
  let exited: string | undefined;
  try {
    const child = spawn(
      DOCKERD_BIN,
      ['--data-root', p.data, '--exec-root', p.exec, '--pidfile', p.pidfile, '-H', `unix://${p.socket}`, '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-masq=false'],
      { detached: true, stdio: ['ignore', fd, fd] },
    );
    child.once('exit', (code, signal) => (exited = signal ? `killed by ${signal}` : `exit code ${code}`));
    child.once('error', (e) => (exited = e.message));
    child.unref();
  } finally {
    closeSync(fd);
  }
  const host = `unix://${p.socket}`;
  const end = Date.now() + timeoutMs;
  const tail = () => readFileSync(p.log, 'utf8').trim().split('\n').slice(-2).join(' | ');
  for (;;) {
    if (existsSync(p.socket)) {
      try {
        docker(host, ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 5000 });
        const d = findDockerd(dir);
        if (d) return d;
      } catch {
        /* not answering yet */
      }
    }
    if (exited !== undefined) throw new LabError('process', `dockerd on ${p.dir} exited while starting (${exited}): ${tail()}`);
    if (Date.now() > end) throw new LabError('timeout', `dockerd on ${p.dir} did not answer within ${timeoutMs / 1000} s: ${tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Stops the engine of `dir` (SIGTERM, then SIGKILL after the grace): it stops
 * its containers and its containerd on the way.
 * @returns whether one ran.
 */
export async function stopDockerd(dir: string, graceMs = 20_000): Promise<boolean> {
  const d = findDockerd(dir);
  if (!d) return false;
  await stopProcess(d.pid, graceMs);
  return true;
}
