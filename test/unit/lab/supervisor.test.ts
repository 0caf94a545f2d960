/**
 * The lab supervisor's logic (src/lab/supervisor.ts) on a manual clock with
 * a fake spawner: restart policies, the restart backoff and its reset,
 * `kill` and `restart` asked for, stop; then the real spawner's children are
 * reaped (no zombie after SIGKILL).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { RESTART_BACKOFF, Supervisor, restartDelayMs, shouldRestart, type ChildHandle, type SupervisedNodeView, type SupervisorDeps } from '../../../src/lab/index.js';

/** A manual clock: timers fire when advance() passes them. */
class ManualClock {
  t = 1_700_000_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.length;
  }
}

/** A fake process table: each spawn is a child that ends when the test says so, or when signalled. */
class FakeProcs {
  private pid = 1000;
  readonly live = new Map<number, { node: string; onExit: (code: number | null, signal: string | null) => void }>();
  readonly signals: Array<[number, string]> = [];
  readonly spawned: Array<[string, number]> = [];
  /** Signals that end a child at once (SIGTERM can be ignored, as a hung node does). */
  obey = new Set(['SIGTERM', 'SIGKILL']);
  spawn = (node: string, onExit: (code: number | null, signal: string | null) => void): ChildHandle => {
    const pid = ++this.pid;
    this.live.set(pid, { node, onExit });
    this.spawned.push([node, pid]);
    return {
      pid,
      kill: (signal) => {
        this.signals.push([pid, signal]);
        if (this.obey.has(signal)) this.exit(pid, null, signal);
      },
    };
  };
  exit(pid: number, code: number | null, signal: string | null): void {
    const c = this.live.get(pid);
    if (!c) return;
    this.live.delete(pid);
    c.onExit(code, signal);
  }
  pidOf(node: string): number {
    return [...this.live].find(([, c]) => c.node === node)![0];
  }
}

function rig(nodes: Array<{ name: string; restart?: 'never' | 'always' | 'on-failure' }>) {
  const clock = new ManualClock();
  const procs = new FakeProcs();
  const logs: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const saved: SupervisedNodeView[] = [];
  const deps: SupervisorDeps = {
    clock,
    spawn: procs.spawn,
    ready: async () => undefined,
    log: (level, msg, fields) => logs.push({ level, msg, ...(fields ? { fields } : {}) }),
    changed: (v) => saved.push(v),
  };
  const sup = new Supervisor(nodes, deps);
  return { clock, procs, logs, saved, sup };
}

describe('restart policy and backoff', () => {
  it('always restarts whatever the exit; on-failure on a code other than 0 or a signal; never does not', () => {
    for (const exit of [{ code: 0, signal: null }, { code: 1, signal: null }, { code: null, signal: 'SIGKILL' }]) {
      expect(shouldRestart('always', exit)).toBe(true);
      expect(shouldRestart('never', exit)).toBe(false);
    }
    expect(shouldRestart('on-failure', { code: 0, signal: null })).toBe(false);
    expect(shouldRestart('on-failure', { code: 2, signal: null })).toBe(true);
    expect(shouldRestart('on-failure', { code: null, signal: 'SIGSEGV' })).toBe(true);
  });

  it('the delay doubles from the first and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(restartDelayMs(1)).toBe(RESTART_BACKOFF.firstMs);
  });
});

describe('Supervisor', () => {
  it('starts every node and reports pids; a node of restart: always comes back after the delay, counted', async () => {
    const { sup, procs, clock, saved } = rig([{ name: 'dx', restart: 'always' }, { name: 'router' }]);
    await sup.startAll();
    const dx1 = procs.pidOf('dx');
    expect(sup.view('dx')).toMatchObject({ pid: dx1, running: true, restarts: 0, restart: 'always' });
    procs.exit(dx1, null, 'SIGKILL');
    const down = sup.view('dx');
    expect(down).toMatchObject({ running: false, exited: { code: null, signal: 'SIGKILL' }, restartAt: new Date(clock.t + 1000).toISOString() });
    expect(saved.at(-1)).toEqual(down);
    clock.advance(999);
    expect(sup.view('dx').running).toBe(false);
    clock.advance(1);
    const dx2 = procs.pidOf('dx');
    expect(dx2).not.toBe(dx1);
    expect(sup.view('dx')).toMatchObject({ pid: dx2, running: true, restarts: 1 });
    expect(sup.view('dx').restartAt).toBeUndefined();
  });

  it('exits in a row wait 1, 2, 4 s ...; a node that ran long enough starts again from the first delay', async () => {
    const { sup, procs, clock } = rig([{ name: 'dx', restart: 'always' }]);
    await sup.startAll();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      procs.exit(procs.pidOf('dx'), 1, null);
      const due = Date.parse(sup.view('dx').restartAt!) - clock.t;
      delays.push(due);
      clock.advance(due);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    clock.advance(RESTART_BACKOFF.resetAfterMs);
    procs.exit(procs.pidOf('dx'), 1, null);
    expect(Date.parse(sup.view('dx').restartAt!) - clock.t).toBe(1000);
    expect(sup.view('dx').restarts).toBe(4);
  });

  it('a node without a policy stays down, and says how it ended; on-failure leaves a clean exit alone', async () => {
    const { sup, procs, clock } = rig([{ name: 'router' }, { name: 'sw', restart: 'on-failure' }]);
    await sup.startAll();
    procs.exit(procs.pidOf('router'), null, 'SIGKILL');
    procs.exit(procs.pidOf('sw'), 0, null);
    clock.advance(120_000);
    expect(sup.view('router')).toMatchObject({ running: false, restarts: 0, exited: { code: null, signal: 'SIGKILL', at: expect.any(String) } });
    expect(sup.view('sw')).toMatchObject({ running: false, restarts: 0, exited: { code: 0, signal: null } });
    expect(clock.pending).toBe(0);
  });

  it('kill: SIGKILL to the node, no restart by its policy, recorded; restart brings it back', async () => {
    const { sup, procs, clock } = rig([{ name: 'dx', restart: 'always' }]);
    await sup.startAll();
    const pid = procs.pidOf('dx');
    const k = await sup.killNode('dx');
    expect(k).toEqual({ node: 'dx', pids: [pid], killed: true });
    expect(procs.signals).toEqual([[pid, 'SIGKILL']]);
    clock.advance(60_000);
    expect(sup.view('dx')).toMatchObject({ running: false, restarts: 0, killedAt: expect.any(String) });
    expect(await sup.killNode('dx')).toEqual({ node: 'dx', pids: [], killed: false });
    const r = await sup.restartNode('dx');
    expect(r.stoppedPids).toEqual([]);
    expect(sup.view('dx')).toMatchObject({ pid: r.pid, running: true });
    expect(sup.view('dx').killedAt).toBeUndefined();
  });

  it('restart: SIGTERM, then SIGKILL after the grace when the node hangs; not counted as an automatic restart', async () => {
    const { sup, procs, clock } = rig([{ name: 'dx', restart: 'always' }]);
    await sup.startAll();
    const pid = procs.pidOf('dx');
    procs.obey = new Set(['SIGKILL']);
    const p = sup.restartNode('dx');
    expect(procs.signals).toEqual([[pid, 'SIGTERM']]);
    clock.advance(3000);
    const r = await p;
    expect(procs.signals).toEqual([
      [pid, 'SIGTERM'],
      [pid, 'SIGKILL'],
    ]);
    expect(r).toMatchObject({ node: 'dx', stoppedPids: [pid] });
    expect(r.pid).not.toBe(pid);
    expect(sup.view('dx').restarts).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('a pending restart is cancelled by stop, and no exit after stop is restarted', async () => {
    const { sup, procs, clock } = rig([{ name: 'a', restart: 'always' }, { name: 'b', restart: 'always' }]);
    await sup.startAll();
    procs.exit(procs.pidOf('a'), 1, null);
    expect(clock.pending).toBe(1);
    sup.stop();
    expect(clock.pending).toBe(0);
    procs.exit(procs.pidOf('b'), null, 'SIGTERM');
    clock.advance(60_000);
    expect(procs.live.size).toBe(0);
    expect(procs.spawned.length).toBe(2);
  });

  it('an unknown node is refused naming the nodes', async () => {
    const { sup } = rig([{ name: 'dx' }]);
    await expect(sup.killNode('nope')).rejects.toThrow(/no node 'nope' \(nodes: dx\)/);
  });
});

describe('real children', () => {
  it('a child SIGKILLed from outside is reaped (no zombie) and its exit reported with the signal; restart: always starts a new one', async () => {
    const { spawn } = await import('node:child_process');
    const views: SupervisedNodeView[] = [];
    const sup = new Supervisor([{ name: 'n', restart: 'always' }], {
      clock: { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout) },
      spawn: (_node, onExit) => {
        const child = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
        child.once('exit', (code, signal) => onExit(code, signal));
        return { pid: child.pid!, kill: (sig) => child.kill(sig) };
      },
      ready: async () => undefined,
      log: () => undefined,
      changed: (v) => views.push(v),
    });
    const stateOf = (pid: number) => {
      try {
        return /State:\s+(\S)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      } catch {
        return undefined;
      }
    };
    try {
      await sup.startAll();
      const first = sup.view('n').pid;
      process.kill(first, 'SIGKILL');
      const until = async (cond: () => boolean) => {
        for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
      };
      await until(() => views.some((v) => v.exited?.signal === 'SIGKILL'));
      expect(sup.view('n').exited).toMatchObject({ code: null, signal: 'SIGKILL' });
      // Waited for on SIGCHLD before it was reported: gone from /proc, not a zombie (State Z).
      expect(stateOf(first)).toBeUndefined();
      // The first delay is 1 s; bounded loosely at 5 s for a loaded machine.
      await until(() => sup.view('n').running);
      expect(sup.view('n')).toMatchObject({ running: true, restarts: 1 });
      expect(sup.view('n').pid).not.toBe(first);
    } finally {
      sup.stop();
      if (sup.view('n').running) process.kill(sup.view('n').pid, 'SIGKILL');
    }
  }, 15_000);
});

describe('Supervisor.startAll with startConcurrency', () => {
  it('starts at most that many nodes at once, the next as soon as one answers, and resolves when all answer', async () => {
    const procs = new FakeProcs();
    const pending = new Map<string, () => void>();
    const deps: SupervisorDeps = {
      clock: new ManualClock(),
      spawn: procs.spawn,
      ready: (node) => new Promise<void>((r) => pending.set(node, r)),
      log: () => undefined,
      changed: () => undefined,
      startConcurrency: 2,
    };
    const names = ['r0', 'd0', 'r1', 'd1', 'r2'];
    const sup = new Supervisor(
      names.map((name) => ({ name })),
      deps,
    );
    let done = false;
    const all = sup.startAll().then(() => (done = true));
    const started = () => names.filter((n) => sup.view(n).running);
    const answer = async (node: string) => {
      pending.get(node)!();
      pending.delete(node);
      await new Promise((r) => setImmediate(r));
    };
    expect(started()).toEqual(['r0', 'd0']);
    await answer('d0');
    expect(started()).toEqual(['r0', 'd0', 'r1']);
    await answer('r0');
    expect(started()).toEqual(['r0', 'd0', 'r1', 'd1']);
    await answer('r1');
    await answer('d1');
    expect(started()).toEqual(names);
    expect(done).toBe(false);
    await answer('r2');
    await all;
    expect(done).toBe(true);
  });
});
