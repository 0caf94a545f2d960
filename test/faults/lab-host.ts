/**
 * A lab driven from the built dxlab for the fault, flap and scale runs
 * (bench/soak.ts, bench/scale.ts and their integration tests), and what is
 * left of it on the host: namespaces, processes, interfaces in the root
 * namespace and files in the lab's folder. Also the checks that a killed
 * process left its files whole: the state file parses, and the lab's AWS API
 * store passes SQLite's integrity check with every document parsing.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin/dxlab.js');

export interface PortStatus {
  name: string;
  mode: string | null;
  secured: boolean | null;
  /** The controlled port: `secured`, `clear` (should_encrypt's fallback, no_encrypt) or `blocked`. */
  controlledPort?: string | null;
  wireCut?: boolean;
}
export interface NodeStatus {
  name: string;
  pid: number;
  running: boolean;
  restarts?: number;
  ports: PortStatus[];
}
export interface LabStatus {
  supervisor: { pid: number; running: boolean } | null;
  services: Array<{ name: string; port: number; url: string; running: boolean }>;
  nodes: NodeStatus[];
}
export interface StateFile {
  supervisor?: { pid: number };
  services?: Array<{ name: string; port: number }>;
  nodes: Array<{ name: string; netns: string; pid: number; wires: Record<string, string>; taps: Array<{ name: string; addresses: string[] }> }>;
  links: Array<{ a: string; b: string; wires: [string, string] }>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One lab under a unique name (prefix + 6 hex digits) and a private DXLAB_STATE_DIR. */
export class FaultLab {
  readonly lab: string;
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly topoFile: string;

  constructor(prefix: string, topologyText: string, stateDir?: string) {
    this.lab = `${prefix}${randomBytes(3).toString('hex')}`;
    this.stateDir = stateDir ?? mkdtempSync(join(tmpdir(), 'dxlab-faults-'));
    this.env = { ...process.env, DXLAB_STATE_DIR: this.stateDir };
    this.topoFile = join(this.stateDir, `${this.lab}.yaml`);
    writeFileSync(this.topoFile, topologyText);
  }

  get labDir(): string {
    return join(this.stateDir, this.lab);
  }
  get statePath(): string {
    return join(this.labDir, 'state.json');
  }

  dxlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [BIN, ...args, '--name', this.lab], { cwd: ROOT, encoding: 'utf8', env: this.env, timeout: 180_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** `dxlab up` as a child process (to be killed, or awaited with `exited`). */
  spawnUp(...extra: string[]): ChildProcess {
    return spawn(process.execPath, [BIN, 'up', this.topoFile, '--name', this.lab, ...extra], { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** `dxlab up`. @throws when it fails */
  up(...extra: string[]): void {
    const r = spawnSync(process.execPath, [BIN, 'up', this.topoFile, '--name', this.lab, ...extra], { cwd: ROOT, encoding: 'utf8', env: this.env, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`dxlab up ${this.lab} exited ${r.status}: ${r.stderr}`);
  }

  status(): LabStatus {
    const r = this.dxlab('status', '--json');
    if (r.status !== 0) throw new Error(`dxlab status exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout) as LabStatus;
  }

  state(): StateFile {
    return JSON.parse(readFileSync(this.statePath, 'utf8')) as StateFile;
  }

  netns(node: string): string {
    return `dxlab-${this.lab}-${node}`;
  }

  /** Polls `probe` every 200 ms until `cond` holds; throws after `ms`. */
  async waitFor<T>(what: string, probe: () => T, cond: (x: T) => boolean, ms = 60_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      let x: T | undefined;
      try {
        x = probe();
        if (cond(x)) return x;
      } catch (e) {
        if (Date.now() > end) throw e;
      }
      if (Date.now() > end) throw new Error(`${this.lab}: ${what}: not reached: ${JSON.stringify(x).slice(0, 1500)}`);
      await sleep(200);
    }
  }

  /** Every MACsec port of every running node secured (and every node running). */
  static allSecured(s: LabStatus): boolean {
    return s.nodes.every((n) => n.running && n.ports.every((p) => p.mode === null || p.mode === 'no_encrypt' || p.secured === true));
  }

  /** `dxlab down`, then removes the scratch folder. Returns what was left on the host. */
  down(removeStateDir = true): { status: number | null; stderr: string; left: string[] } {
    const r = spawnSync(process.execPath, [BIN, 'down', this.lab], { cwd: ROOT, encoding: 'utf8', env: this.env, timeout: 180_000 });
    const left = leftovers(this.lab, this.stateDir);
    rmSync(join(ROOT, 'pcaps', this.lab), { recursive: true, force: true });
    if (removeStateDir) rmSync(this.stateDir, { recursive: true, force: true });
    return { status: r.status, stderr: r.stderr, left };
  }
}

/** PIDs and command lines of processes whose command line holds `text` (this process aside). */
export function processesMentioning(text: string): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(text)) out.push({ pid: Number(p), cmdline });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * What a lab left on the host: its namespaces (`dxlab-LAB-*`), processes
 * whose command line names its folder (nodes, supervisor) or `supervise
 * LAB`, interfaces of the root namespace whose alias names it (a veth or TAP
 * made before it moved), and anything in its folder (sockets, logs, state).
 */
export function leftovers(lab: string, stateDir: string): string[] {
  const left: string[] = [];
  const ns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`dxlab-${lab}-`));
  left.push(...ns.map((n) => `namespace ${n}`));
  const dir = join(stateDir, lab);
  for (const p of [...processesMentioning(`${dir}/`), ...processesMentioning(`supervise ${lab} `)]) left.push(`process ${p.pid}: ${p.cmdline.slice(0, 200)}`);
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  for (const l of links.split('\n')) if (l.includes(`alias dxlab ${lab} `)) left.push(`interface ${l.slice(0, 120)}`);
  if (existsSync(dir)) left.push(...readdirSync(dir).map((f) => `file ${join(dir, f)}`));
  return [...new Set(left)];
}

/** Undefined when the state file is absent or parses whole; else what is wrong with it. */
export function checkStateFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    const s = JSON.parse(text) as { lab?: unknown; nodes?: unknown };
    if (typeof s.lab !== 'string' || !Array.isArray(s.nodes)) return `${path}: parses but lacks lab or nodes`;
    return undefined;
  } catch (e) {
    return `${path}: ${(e as Error).message} (${text.length} octets)`;
  }
}

/**
 * Undefined when the API store is absent or whole: SQLite's integrity check
 * says ok and every resource's document parses. Opened read-write, as the
 * next server would, so that SQLite replays the WAL a killed writer left.
 */
export function checkApiStore(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    const ok = db.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') return `${path}: integrity_check: ${String(ok)}`;
    for (const r of db.prepare('SELECT kind, id, doc FROM resources').all() as Array<{ kind: string; id: string; doc: string }>) JSON.parse(r.doc);
    return undefined;
  } catch (e) {
    return `${path}: ${(e as Error).message}`;
  } finally {
    db?.close();
  }
}

/** Names of the resources of a kind in the API store (read after its server died). */
export function storeIds(path: string, kind: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT id, name FROM resources WHERE kind = ?').all(kind) as Array<{ id: string; name: string | null }>).map((r) => r.name ?? r.id);
  } finally {
    db.close();
  }
}

/**
 * RSS and PSS (kB) and open file descriptors of a process, or undefined when
 * it is gone. RSS counts every resident page, also the node binary's code
 * that all node processes share (about 43 MB of each node's RSS here); PSS
 * divides each shared page among its sharers, so the sum of PSS is what the
 * processes cost together (/proc/PID/smaps_rollup, Linux 4.14).
 */
export function procUsage(pid: number): { rssKb: number; pssKb: number; fds: number } | undefined {
  try {
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    const pssKb = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    return { rssKb, pssKb, fds };
  } catch {
    return undefined;
  }
}

/** A ping in a namespace that counts: started now, its summary read when stopped (SIGINT). */
export function countingPing(netns: string, address: string, intervalS = 0.2): { stop(): Promise<{ sent: number; received: number }> } {
  const p = spawn('ip', ['netns', 'exec', netns, 'ping', '-n', '-i', String(intervalS), '-W', '1', address], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<void>((r) => p.on('close', () => r()));
  return {
    async stop() {
      p.kill('SIGINT');
      await done;
      const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
      return { sent: Number(m?.[1] ?? 0), received: Number(m?.[2] ?? 0) };
    },
  };
}
