/**
 * What a lab's supervisor does with its nodes, without I/O: it starts each
 * node's process (so it is their parent and reaps them), notices each exit,
 * restarts a node whose restart policy says so after a growing delay, and
 * kills or restarts a node when asked (`dxlab kill`, `dxlab restart`).
 * Processes, time and readiness come in through SupervisorDeps, so that
 * tests drive exits and restart delays on a manual clock; the process side
 * (supervisor-process.ts) gives it real children and the lab's state file.
 *
 * Restart policies, as Docker's (Engine API, RestartPolicy): `never` (the
 * default), `always` (whatever the exit), `on-failure` (an exit code other
 * than 0, or death by a signal). A node stopped on purpose (`dxlab kill`,
 * `dxlab restart`, the supervisor stopping) is not restarted by its policy,
 * as Docker restarts no container the user stopped. The delay before an
 * automatic restart doubles with each exit in a row (RESTART_BACKOFF: 1 s,
 * 2 s, 4 s ... up to 30 s; Docker doubles from 100 ms, but a node killed at
 * once again would only make its peers' MKA churn); a node that ran
 * RESTART_BACKOFF.resetAfterMs before it exited starts again from the first
 * delay.
 */
import { LabError } from './errors.js';

export const RESTART_POLICIES = ['never', 'always', 'on-failure'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

export const RESTART_BACKOFF = { firstMs: 1000, maxMs: 30_000, resetAfterMs: 10_000 } as const;

/** How a node's process ended: its exit code, or the signal that killed it. */
export interface NodeExit {
  code: number | null;
  signal: string | null;
  /** ISO 8601. */
  at: string;
}

/** Whether a node that ended so is started again under its policy. */
export function shouldRestart(policy: RestartPolicy, exit: { code: number | null; signal: string | null }): boolean {
  if (policy === 'always') return true;
  if (policy === 'on-failure') return exit.signal !== null || exit.code !== 0;
  return false;
}

/** The delay before the n-th automatic restart in a row (n from 1). */
export function restartDelayMs(n: number): number {
  return Math.min(RESTART_BACKOFF.maxMs, RESTART_BACKOFF.firstMs * 2 ** Math.max(0, Math.min(n - 1, 30)));
}

export interface SupervisorClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

/** A node's process as the spawner started it. */
export interface ChildHandle {
  readonly pid: number;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface SupervisorDeps {
  clock: SupervisorClock;
  /** Starts the node's process; `onExit` is called once, when it has ended and been reaped. */
  spawn(node: string, onExit: (code: number | null, signal: string | null) => void): ChildHandle;
  /** Resolves when the node answers on its control socket; rejects when it does not. */
  ready(node: string, pid: number): Promise<void>;
  log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
  /** What is known of a node changed (started, exited, restarts): persist it. */
  changed(view: SupervisedNodeView): void;
  /** SIGTERM, then SIGKILL after this long, when a node is stopped. @default 3000 */
  stopGraceMs?: number;
  /** Nodes starting at once in startAll (the next when one answers). @default every node */
  startConcurrency?: number;
}

/** A node as the supervisor knows it (its `status`, and the lab's state file). */
export interface SupervisedNodeView {
  name: string;
  restart: RestartPolicy;
  /** Its process, or of the last one (0: never started). */
  pid: number;
  running: boolean;
  /** Automatic restarts under its policy (not those asked for with `dxlab restart`). */
  restarts: number;
  /** How its last process ended, when one did. */
  exited?: NodeExit;
  /** When `dxlab kill` killed it. */
  killedAt?: string;
  /** When the next automatic restart is due. */
  restartAt?: string;
}

interface Entry {
  name: string;
  policy: RestartPolicy;
  child?: ChildHandle;
  pid: number;
  startedAt: number;
  restarts: number;
  inARow: number;
  exited?: NodeExit;
  killedAt?: string;
  timer?: unknown;
  restartAt?: number;
  /** The exit to come was asked for (kill, restart, stop): no restart by policy. */
  expectExit: boolean;
  waiters: Array<() => void>;
}

export class Supervisor {
  private readonly nodes = new Map<string, Entry>();
  private stopping = false;

  constructor(
    nodes: ReadonlyArray<{ name: string; restart?: RestartPolicy }>,
    private readonly deps: SupervisorDeps,
  ) {
    for (const n of nodes) this.nodes.set(n.name, { name: n.name, policy: n.restart ?? 'never', pid: 0, startedAt: 0, restarts: 0, inARow: 0, expectExit: false, waiters: [] });
  }

  /**
   * Starts every node; resolves when all answer. At most `startConcurrency`
   * nodes are starting at once, the next one launched as soon as one answers:
   * a node process spends its first second or so of CPU loading its modules,
   * so 64 launched together on two cores each took longer than the time a
   * node is given to answer (found by bench:scale), while in a pool each
   * node's time runs only against a few others.
   * @throws the first node's failure to answer
   */
  async startAll(): Promise<void> {
    const queue = [...this.nodes.values()];
    const width = Math.max(1, Math.min(queue.length, this.deps.startConcurrency ?? queue.length));
    const worker = async () => {
      for (let e = queue.shift(); e !== undefined && !this.stopping; e = queue.shift()) {
        this.launch(e);
        await this.deps.ready(e.name, e.pid);
      }
    };
    await Promise.all(Array.from({ length: width }, worker));
  }

  view(name: string): SupervisedNodeView {
    const e = this.entry(name);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      name: e.name,
      restart: e.policy,
      pid: e.pid,
      running: e.child !== undefined,
      restarts: e.restarts,
      ...(e.exited ? { exited: e.exited } : {}),
      ...(e.killedAt ? { killedAt: e.killedAt } : {}),
      ...(e.restartAt !== undefined ? { restartAt: iso(e.restartAt) } : {}),
    };
  }

  views(): SupervisedNodeView[] {
    return [...this.nodes.keys()].map((n) => this.view(n));
  }

  has(name: string): boolean {
    return this.nodes.has(name);
  }

  /**
   * SIGKILL to the node, for fault exercises; it is not restarted by its
   * policy (a restart asked for with restartNode brings it back).
   */
  async killNode(name: string): Promise<{ node: string; pids: number[]; killed: boolean }> {
    const e = this.entry(name);
    this.cancelRestart(e);
    const child = e.child;
    if (child) {
      e.expectExit = true;
      const gone = this.exitOf(e);
      child.kill('SIGKILL');
      await gone;
    }
    e.killedAt = this.isoNow();
    this.deps.log('info', 'node killed', { node: name, ...(child ? { pid: child.pid } : { running: false }) });
    this.deps.changed(this.view(name));
    return { node: name, pids: child ? [child.pid] : [], killed: child !== undefined };
  }

  /** Stops the node when it runs (SIGTERM, SIGKILL after the grace) and starts it again; resolves when it answers. */
  async restartNode(name: string): Promise<{ node: string; stoppedPids: number[]; pid: number }> {
    const e = this.entry(name);
    this.cancelRestart(e);
    const stoppedPids = e.child ? [e.child.pid] : [];
    await this.stopChild(e);
    this.deps.log('info', 'node restart asked', { node: name, ...(stoppedPids.length ? { stoppedPid: stoppedPids[0] } : {}) });
    this.launch(e);
    await this.deps.ready(name, e.pid);
    return { node: name, stoppedPids, pid: e.pid };
  }

  /** No more restarts: pending ones are cancelled; running nodes are left running (down stops them). */
  stop(): void {
    this.stopping = true;
    for (const e of this.nodes.values()) this.cancelRestart(e);
  }

  private entry(name: string): Entry {
    const e = this.nodes.get(name);
    if (!e) throw new LabError('notFound', `no node '${name}' (nodes: ${[...this.nodes.keys()].join(', ')})`);
    return e;
  }

  private isoNow(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  private launch(e: Entry): void {
    const child: ChildHandle = this.deps.spawn(e.name, (code, signal) => this.onExit(e, child, code, signal));
    e.child = child;
    e.pid = child.pid;
    e.startedAt = this.deps.clock.now();
    delete e.killedAt;
    this.deps.log('info', 'node started', { node: e.name, pid: child.pid, ...(e.restarts ? { restarts: e.restarts } : {}) });
    this.deps.changed(this.view(e.name));
  }

  private exitOf(e: Entry): Promise<void> {
    return new Promise((r) => e.waiters.push(r));
  }

  private async stopChild(e: Entry): Promise<void> {
    const child = e.child;
    if (!child) return;
    e.expectExit = true;
    const gone = this.exitOf(e);
    child.kill('SIGTERM');
    const timer = this.deps.clock.setTimeout(() => {
      if (e.child === child) child.kill('SIGKILL');
    }, this.deps.stopGraceMs ?? 3000);
    await gone;
    this.deps.clock.clearTimeout(timer);
  }

  private cancelRestart(e: Entry): void {
    if (e.timer !== undefined) this.deps.clock.clearTimeout(e.timer);
    e.timer = undefined;
    e.restartAt = undefined;
  }

  private onExit(e: Entry, child: ChildHandle, code: number | null, signal: string | null): void {
    if (e.child !== child) return;
    e.child = undefined;
    e.exited = { code, signal, at: this.isoNow() };
    const ranMs = this.deps.clock.now() - e.startedAt;
    const waiters = e.waiters.splice(0);
    const expected = e.expectExit;
    e.expectExit = false;
    this.deps.log(expected ? 'info' : 'warn', 'node exited', { node: e.name, pid: child.pid, code, signal, ...(expected ? { asked: true } : {}) });
    if (!expected && !this.stopping && shouldRestart(e.policy, { code, signal })) {
      if (ranMs >= RESTART_BACKOFF.resetAfterMs) e.inARow = 0;
      e.inARow++;
      const delay = restartDelayMs(e.inARow);
      e.restartAt = this.deps.clock.now() + delay;
      this.deps.log('info', 'node restart scheduled', { node: e.name, policy: e.policy, delayMs: delay, inARow: e.inARow });
      e.timer = this.deps.clock.setTimeout(() => this.autoRestart(e), delay);
    }
    this.deps.changed(this.view(e.name));
    for (const w of waiters) w();
  }

  private autoRestart(e: Entry): void {
    e.timer = undefined;
    e.restartAt = undefined;
    if (this.stopping || e.child) return;
    e.restarts++;
    this.launch(e);
    const pid = e.pid;
    this.deps.ready(e.name, pid).then(
      () => this.deps.log('info', 'node answers', { node: e.name, pid }),
      (err: Error) => this.deps.log('warn', 'node did not answer after its restart', { node: e.name, pid, error: err.message }),
    );
  }
}
