/**
 * A lab for one integration test file, driven as a user drives it, from the
 * built dxlab: a unique name, a private DXLAB_STATE_DIR, a scratch folder
 * (topology text, captures); `down` removes all of it (call it in afterAll).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './cli.js';

export const BIN = fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url));

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface PortJson {
  name: string;
  kind: string;
  mode: string | null;
  secured: boolean | null;
  controlledPort: string | null;
}
export interface StatusJson {
  nodes: Array<{ name: string; kind: string; running: boolean; error?: string; ports: PortJson[] }>;
}

export class LabSession {
  readonly lab: string;
  readonly stateDir = mkdtempSync(join(tmpdir(), 'dxlab-state-'));
  /** A scratch folder of the test's own (topology text, captures), removed by `down`. */
  readonly scratch = mkdtempSync(join(tmpdir(), 'dxlab-scratch-'));
  /** Where `up` writes the topology text it is given. */
  readonly topologyFile = join(this.scratch, 'topology.yaml');
  readonly env: NodeJS.ProcessEnv;
  /** The lab's state file (`dxlab up` writes it). */
  readonly statePath: string;
  private readonly timeoutMs: number;

  /** @param timeoutMs how long one `dxlab` command may take (a restart through the supervisor waits for MKA) */
  constructor(prefix: string, options: { timeoutMs?: number } = {}) {
    this.lab = `${prefix}${randomBytes(3).toString('hex')}`;
    this.env = { ...process.env, DXLAB_STATE_DIR: this.stateDir };
    this.statePath = join(this.stateDir, this.lab, 'state.json');
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Runs `dxlab ARGS --name LAB`. */
  dxlab(...args: string[]): RunResult {
    return this.run(...args, '--name', this.lab);
  }

  /** Runs `dxlab ARGS` with the lab's environment, no `--name` added. */
  run(...args: string[]): RunResult {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: this.env, timeout: this.timeoutMs });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  json<T>(...args: string[]): T {
    const r = this.dxlab(...args, '--json');
    if (r.status !== 0) throw new Error(`dxlab ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** `dxlab up` of a topology given as text. @throws when it fails */
  up(topologyText: string, ...options: string[]): RunResult {
    writeFileSync(this.topologyFile, topologyText);
    return this.upFile(this.topologyFile, ...options);
  }

  /** `dxlab up FILE --name LAB [options]`; its output. @throws when it fails */
  upFile(file: string, ...options: string[]): RunResult {
    const r = spawnSync(process.execPath, [BIN, 'up', file, '--name', this.lab, ...options], { cwd: ROOT, encoding: 'utf8', env: this.env, timeout: 90_000 });
    if (r.status !== 0) throw new Error(`dxlab up exited ${r.status}: ${r.stderr}`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** The lab's state file as `dxlab up` wrote it. */
  state<T = { nodes: Array<{ name: string; netns: string; socket: string; config: string; wires: Record<string, string> }> }>(): T {
    return JSON.parse(readFileSync(this.statePath, 'utf8')) as T;
  }

  /** A node's namespace, from the state file. */
  netns(node: string): string {
    return this.state().nodes.find((n) => n.name === node)!.netns;
  }

  status(): StatusJson {
    return this.json<StatusJson>('status');
  }

  port(s: StatusJson, node: string): PortJson | undefined {
    return s.nodes.find((n) => n.name === node)?.ports[0];
  }

  /** Polls `probe` until `cond` holds. Loose bound: the machine is shared, and MKA's fast profile needs a second or two. */
  async waitFor<T>(what: string, probe: () => T, cond: (x: T) => boolean, ms = 60_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const x = probe();
      if (cond(x)) return x;
      if (Date.now() > end) throw new Error(`${what}: not reached: ${JSON.stringify(x).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  secured(...nodes: string[]): (s: StatusJson) => boolean {
    return (s) => nodes.every((n) => this.port(s, n)?.secured === true);
  }

  /** Runs a command in a node's namespace; its status and output. */
  exec(node: string, ...argv: string[]): { status: number | null; stdout: string } {
    const r = spawnSync('ip', ['netns', 'exec', `dxlab-${this.lab}-${node}`, ...argv], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout };
  }

  /** A node's own status answer (`dxlab node status --socket S --json`), its socket from the state file. */
  nodeStatus<T>(node: string): T {
    const socket = this.state<{ nodes: Array<{ name: string; socket: string }> }>().nodes.find((n) => n.name === node)!.socket;
    const r = spawnSync(process.execPath, [BIN, 'node', 'status', '--socket', socket, '--json'], { encoding: 'utf8', env: this.env });
    return JSON.parse(r.stdout) as T;
  }

  /** Writes a key (hex) into a file of the scratch folder, readable by root only, as `--cak-file` wants; its path. */
  keyFile(name: string, hex: string): string {
    const f = join(this.scratch, name);
    writeFileSync(f, hex + '\n', { mode: 0o600 });
    return f;
  }

  /** Pings `address` `count` times from a node's namespace (5 a second, 1 s wait); how many went and came back. */
  ping(node: string, address: string, count: number): Promise<{ transmitted: number; received: number }> {
    return new Promise((resolve) => {
      const p = spawn('ip', ['netns', 'exec', `dxlab-${this.lab}-${node}`, 'ping', '-i', '0.2', '-W', '1', '-c', String(count), address], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.once('exit', () => {
        const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
        resolve({ transmitted: Number(m?.[1] ?? 0), received: Number(m?.[2] ?? 0) });
      });
    });
  }

  /**
   * Removes the lab and its scratch folders; the namespaces must be gone.
   * @param mayBeDown a test already took the lab down: `dxlab down`'s status is not checked
   */
  down(options: { mayBeDown?: boolean } = {}): void {
    const r = spawnSync(process.execPath, [BIN, 'down', this.lab], { cwd: ROOT, encoding: 'utf8', env: this.env, timeout: 60_000 });
    rmSync(join(ROOT, 'pcaps', this.lab), { recursive: true, force: true });
    rmSync(this.stateDir, { recursive: true, force: true });
    rmSync(this.scratch, { recursive: true, force: true });
    if (r.status !== 0 && !options.mayBeDown) throw new Error(`dxlab down exited ${r.status}: ${r.stderr}`);
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    if (left.includes(`dxlab-${this.lab}-`)) throw new Error(`namespaces of ${this.lab} left: ${left}`);
  }
}

/** The sum of one receive counter over a node's MACsec port's receive SCs (`show counters --json`). */
export function rxScSum(counters: { ports: Array<{ secy?: { rxScs: Array<Record<string, unknown>> } }> }, name: string): number {
  return (counters.ports[0]?.secy?.rxScs ?? []).reduce((n, sc) => n + Number(sc[name] ?? 0), 0);
}

/** One SecY-level receive counter (`show counters --json`). */
export function secyCounter(counters: { ports: Array<{ secy?: { secy: Record<string, unknown> } }> }, name: string): number {
  return Number(counters.ports[0]?.secy?.secy[name] ?? 0);
}
