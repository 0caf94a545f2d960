/**
 * The lab's supervisor (root). From the built dxlab, with a private
 * DXLAB_STATE_DIR: `up` leaves a supervisor recorded with its PID and command
 * line, the parent of the nodes; a node with `restart: always` killed with
 * SIGKILL comes back and MKA secures again, counted in `status`; a node
 * without a policy stays down, `status` says how it ended, and it is no
 * zombie; `dxlab kill` and `dxlab restart` go through the supervisor; `down`
 * stops it and leaves no process. In-process (labUp, as the other tests use
 * it): two labs side by side host a small HTTP service on two different
 * ports; a supervisor killed with SIGKILL still lets `down` remove its lab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, loadTopology, type LabState } from '../../src/lab/index.js';
import { controlRequest } from '../../src/node/index.js';
import { ROOT } from '../helpers/cli.js';
import { BIN, LabSession } from '../helpers/lab-session.js';

const isRoot = process.getuid?.() === 0;

interface NodeJson {
  name: string;
  pid: number;
  running: boolean;
  error?: string;
  restart?: string;
  restarts?: number;
  exited?: { code: number | null; signal: string | null; at: string };
  ports: Array<{ name: string; secured: boolean | null }>;
}
interface StatusJson {
  supervisor: { pid: number; running: boolean; startedAt: string; socket: string; log: string } | null;
  services: Array<{ name: string; port: number; url: string; pid: number; running: boolean }>;
  nodes: NodeJson[];
}

/** The process's state letter from /proc (R, S, Z ...), or undefined when there is no such process. */
function procState(pid: number): string | undefined {
  try {
    return /State:\s+(\S)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
function parentOf(pid: number): number | undefined {
  try {
    return Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}
/** PIDs of processes whose command line mentions `text` (this process aside). */
function processesMentioning(text: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text)) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!isRoot)('the lab supervisor: restarts, reaping, kill and restart through it, down', () => {
  const session = new LabSession('s', { timeoutMs: 90_000 });
  const { lab, env, stateDir, statePath } = session;
  const readState = () => session.state<LabState>();
  const dxlab = (...args: string[]) => session.dxlab(...args);
  const json = <T>(...args: string[]) => session.json<T>(...args);
  const status = () => json<StatusJson>('status');
  const node = (s: StatusJson, name: string) => s.nodes.find((n) => n.name === name)!;
  /** Polls status until `cond` holds; the bound is loose (the fast MKA profile secures in about a second; the machine is shared). */
  const waitFor = (what: string, cond: (s: StatusJson) => boolean, ms = 60_000) => session.waitFor(what, status, cond, ms);
  const secured = (s: StatusJson, name: string) => node(s, name).running && node(s, name).ports.every((p) => p.secured === true);
  const bothSecured = (s: StatusJson) => secured(s, 'router') && secured(s, 'dx');
  let supervisorPid = 0;

  beforeAll(async () => {
    const text = readFileSync(join(ROOT, 'topologies/router-dx.yaml'), 'utf8').replace('    dx: { kind: dx-device }\n', '    dx: { kind: dx-device, restart: always }\n');
    expect(text).toContain('restart: always');
    const up = session.up(text, '--no-api');
    expect(up.stdout).toMatch(/^supervisor pid \d+$/m);
    await waitFor('secured after up', bothSecured);
  }, 120_000);

  afterAll(() => {
    // Normally down has run in the last test; this cleans up after a failure.
    session.down({ mayBeDown: true });
  }, 60_000);

  it('up leaves a supervisor: recorded with its pid, command line and socket, the parent of every node, no key in its answers', async () => {
    const st = readState();
    const sv = st.supervisor!;
    supervisorPid = sv.pid;
    expect(readFileSync(`/proc/${sv.pid}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual(sv.cmdline);
    expect(sv.cmdline.slice(2, 6)).toEqual(['supervise', lab, '--dir', join(stateDir, lab)]);
    expect(sv.cmdline).toContain('--no-api');
    expect(sv.socket).toBe(join(stateDir, lab, 'supervisor.sock'));
    expect(Number.isNaN(Date.parse(sv.startedAt))).toBe(false);
    for (const n of st.nodes) expect(parentOf(n.pid)).toBe(sv.pid);
    expect(st.nodes.find((n) => n.name === 'dx')!.restart).toBe('always');
    expect(st.nodes.find((n) => n.name === 'router')!.restart).toBeUndefined();
    const s = status();
    expect(s.supervisor).toMatchObject({ pid: sv.pid, running: true });
    expect(s.services).toEqual([]);
    const text = dxlab('status').stdout;
    expect(text).toContain(`supervisor: pid ${sv.pid}, since ${sv.startedAt}`);
    expect(text).toMatch(/\nservices: none\n/);
    // Its own socket: status with the nodes; no CAK of the topology in any answer.
    const answer = (await controlRequest(sv.socket, { cmd: 'status' })).result as { phase: string; nodes: Array<{ name: string; pid: number; running: boolean }> };
    expect(answer.phase).toBe('running');
    expect(answer.nodes.map((n) => [n.name, n.running])).toEqual([
      ['router', true],
      ['dx', true],
    ]);
    const cak = /cak: ([0-9a-f]{64})/.exec(readFileSync(session.topologyFile, 'utf8'))![1]!;
    expect(JSON.stringify(answer)).not.toContain(cak);
    expect(readFileSync(join(stateDir, lab, 'supervisor.log'), 'utf8')).not.toContain(cak);
    await expect(controlRequest(sv.socket, { cmd: 'killNode', node: 'nope' })).rejects.toThrow(/no node 'nope'/);
    await expect(controlRequest(sv.socket, { cmd: 'fly' })).rejects.toThrow(/unknown cmd 'fly'/);
  });

  it('kill -9 of the node with restart: always: it comes back, MKA secures again, status counts the restart', async () => {
    const old = node(status(), 'dx').pid;
    process.kill(old, 'SIGKILL');
    const s = await waitFor('dx back and secured', (x) => node(x, 'dx').pid !== old && bothSecured(x));
    expect(node(s, 'dx')).toMatchObject({ restart: 'always', restarts: 1, exited: { code: null, signal: 'SIGKILL' } });
    expect(procState(old)).toBeUndefined();
    expect(parentOf(node(s, 'dx').pid)).toBe(supervisorPid);
    expect(dxlab('status').stdout).toMatch(/\nrestarts: dx 1 \(restart: always; last exit killed by SIGKILL at \S+\)\n/);
    const log = readFileSync(join(stateDir, lab, 'supervisor.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { component: string; msg: string; node?: string; signal?: string });
    expect(log.find((l) => l.msg === 'node exited' && l.node === 'dx')).toMatchObject({ component: 'supervisor', signal: 'SIGKILL' });
    expect(log.filter((l) => l.msg === 'node started' && l.node === 'dx')).toHaveLength(2);
  }, 90_000);

  it('kill -9 of a node without a policy: it stays down, status says how it ended, no zombie; dxlab restart brings it back as the supervisor\'s child', async () => {
    const old = node(status(), 'router').pid;
    process.kill(old, 'SIGKILL');
    const s = await waitFor('router seen exited', (x) => !node(x, 'router').running && node(x, 'router').exited?.signal === 'SIGKILL');
    expect(node(s, 'router').error).toMatch(/^exited: killed by SIGKILL at \S+; restart: never, dxlab restart router brings it back$/);
    expect(procState(old)).toBeUndefined();
    // Longer than the first restart delay (1 s): still down.
    await sleep(2500);
    const later = status();
    expect(node(later, 'router').running).toBe(false);
    expect(node(later, 'router').restarts).toBeUndefined();
    expect(dxlab('status').stdout).toMatch(/\nrouter\s+router\s+\d+\s+-\s+-\s+not running \(exited: killed by SIGKILL at /);
    // A router started by hand meanwhile (not the supervisor's child): restart stops it too, so that one router runs.
    const st = readState().nodes.find((n) => n.name === 'router')!;
    // setsid -f: its parent exits at once, as a shell's would.
    spawnSync('setsid', ['-f', 'ip', 'netns', 'exec', st.netns, process.execPath, BIN, 'node', '--config', st.config], { stdio: 'ignore', env });
    await waitFor('the router started by hand answers', (x) => node(x, 'router').running);
    const stray = processesMentioning(st.config).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--config'));
    expect(stray).toHaveLength(1);
    const r = json<{ pid: number; stoppedPids: number[] }>('restart', 'router');
    expect(r.stoppedPids).toEqual(stray);
    expect(procState(stray[0]!) ?? 'gone').toMatch(/^(gone|Z)$/);
    expect(parentOf(r.pid)).toBe(supervisorPid);
    await waitFor('secured after restart', bothSecured);
  }, 90_000);

  it('dxlab kill goes through the supervisor: the node of restart: always is not restarted; dxlab restart stops and starts it', async () => {
    const before = node(status(), 'dx').pid;
    const k = json<{ pids: number[]; killed: boolean }>('kill', 'dx');
    expect(k).toMatchObject({ pids: [before], killed: true });
    expect(procState(before)).toBeUndefined();
    await sleep(2500);
    const s = status();
    expect(node(s, 'dx').running).toBe(false);
    expect(node(s, 'dx').error).toMatch(/killed by dxlab kill/);
    expect(node(s, 'dx').restarts).toBe(1);
    const r = json<{ pid: number; stoppedPids: number[] }>('restart', 'dx');
    expect(r.stoppedPids).toEqual([]);
    await waitFor('secured after restart', bothSecured);
    // A running node: stopped (SIGTERM) and started again by the supervisor.
    const again = json<{ pid: number; stoppedPids: number[] }>('restart', 'dx');
    expect(again.stoppedPids).toEqual([r.pid]);
    expect(procState(r.pid)).toBeUndefined();
    expect(parentOf(again.pid)).toBe(supervisorPid);
    await waitFor('secured after the second restart', bothSecured);
  }, 120_000);

  it('down stops the supervisor before any node and leaves no process of the lab; a PID the state file names for it that is not it is never signalled', () => {
    const nodes = status().nodes.map((n) => n.pid);
    const other = spawn('sleep', ['600'], { stdio: 'ignore' });
    const st = JSON.parse(readFileSync(statePath, 'utf8')) as LabState;
    st.supervisor!.pid = other.pid!;
    writeFileSync(statePath, JSON.stringify(st));
    const down = session.run('down', lab, '--json');
    expect(down.status, down.stderr).toBe(0);
    const r = JSON.parse(down.stdout) as { removed: string[]; leftover: string[] };
    expect(r.removed[0]).toBe(`supervisor ${supervisorPid}`);
    expect(r.leftover).toEqual([]);
    expect(procState(supervisorPid)).toBeUndefined();
    for (const pid of nodes) expect(procState(pid)).toBeUndefined();
    expect(processesMentioning(join(stateDir, lab))).toEqual([]);
    expect(existsSync(join(stateDir, lab))).toBe(false);
    expect(procState(other.pid!)).toMatch(/^[RS]$/);
    other.kill('SIGKILL');
  }, 60_000);
});

describe.skipIf(!isRoot)('lab services: two labs side by side, each hosting a service on a port of its own', () => {
  const names = [`v${randomBytes(3).toString('hex')}`, `w${randomBytes(3).toString('hex')}`];
  const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-svc-'));
  const moduleDir = mkdtempSync(join(tmpdir(), 'dxlab-svc-mod-'));
  const serviceModule = join(moduleDir, 'hello-service.mjs');
  // A high base port, different per run, so that parallel runs of this file rarely meet.
  const basePort = 20000 + Math.floor(Math.random() * 20000);
  const savedStateDir = process.env.DXLAB_STATE_DIR;
  const states: LabState[] = [];

  beforeAll(async () => {
    // A service as the lab services contract defines it: an HTTP server that says which lab it serves.
    writeFileSync(
      serviceModule,
      `import { createServer } from 'node:http';
export default {
  name: 'hello',
  basePort: ${basePort},
  async start(ctx) {
    const s = createServer((_req, res) => res.end(JSON.stringify({ lab: ctx.lab, nodes: ctx.state().nodes.length })));
    await new Promise((resolve, reject) => { s.once('error', reject); s.listen(ctx.port, ctx.host, resolve); });
    ctx.log('hello listening');
    return { url: 'http://' + ctx.host + ':' + ctx.port + '/', stop: () => new Promise((r) => s.close(() => r())) };
  },
};
`,
    );
    process.env.DXLAB_STATE_DIR = stateDir;
    const topo = loadTopology(join(ROOT, 'topologies/router-dx.yaml'));
    states.push(...(await Promise.all(names.map((n) => labUp(topo, n, undefined, { supervisorArgs: ['--no-api', '--service-module', serviceModule] })))));
  }, 120_000);

  afterAll(async () => {
    for (const n of names) {
      await labDown(n).catch(() => undefined);
      rmSync(join(ROOT, 'pcaps', n), { recursive: true, force: true });
    }
    if (savedStateDir === undefined) delete process.env.DXLAB_STATE_DIR;
    else process.env.DXLAB_STATE_DIR = savedStateDir;
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(moduleDir, { recursive: true, force: true });
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const n of names) expect(left).not.toContain(`dxlab-${n}-`);
  }, 60_000);

  it('each lab has its service on a port of its own from the base port, recorded in its state, answering, shown by status', async () => {
    const entries = states.map((s) => s.services!);
    for (const [i, e] of entries.entries()) {
      expect(e).toHaveLength(1);
      expect(e[0]).toMatchObject({ name: 'hello', pid: states[i]!.supervisor!.pid });
      expect(e[0]!.url).toBe(`http://127.0.0.1:${e[0]!.port}/`);
      expect(e[0]!.port).toBeGreaterThanOrEqual(basePort);
      expect(await (await fetch(e[0]!.url)).json()).toEqual({ lab: names[i], nodes: 2 });
    }
    expect(entries[0]![0]!.port).not.toBe(entries[1]![0]!.port);
    const r = spawnSync(process.execPath, [BIN, 'status', '--name', names[1]!, '--json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DXLAB_STATE_DIR: stateDir }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as StatusJson;
    expect(s.services).toEqual([{ ...entries[1]![0]!, running: true }]);
    expect(s.supervisor).toMatchObject({ pid: states[1]!.supervisor!.pid, running: true });
    const text = spawnSync(process.execPath, [BIN, 'status', '--name', names[1]!], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DXLAB_STATE_DIR: stateDir }, timeout: 60_000 }).stdout;
    expect(text).toMatch(new RegExp(`\\nservices\\nname\\s+port\\s+url\\nhello\\s+${entries[1]![0]!.port}\\s+http://127\\.0\\.0\\.1:${entries[1]![0]!.port}/\\n`));
    expect(readFileSync(join(stateDir, names[1]!, 'supervisor.log'), 'utf8')).toMatch(/"msg":"service running","service":"hello"/);
  });

  it('a supervisor killed with SIGKILL: down still removes its lab by names; the other lab\'s down leaves no supervisor behind', async () => {
    const [a, b] = states as [LabState, LabState];
    process.kill(a.supervisor!.pid, 'SIGKILL');
    for (let i = 0; i < 100 && procState(a.supervisor!.pid) !== undefined; i++) await sleep(50);
    const r = await labDown(a.lab);
    expect(r.leftover).toEqual([]);
    expect(r.removed.some((x) => x.startsWith('supervisor'))).toBe(false);
    for (const n of a.nodes) expect(procState(n.pid)).toBeUndefined();
    expect(processesMentioning(join(stateDir, a.lab))).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${a.lab}-`);
    // Its service went with its process: the port is free again. The other lab's still answers.
    await expect(fetch(a.services![0]!.url)).rejects.toThrow();
    expect((await fetch(b.services![0]!.url)).ok).toBe(true);
    const rb = await labDown(b.lab);
    expect(rb.leftover).toEqual([]);
    expect(rb.removed[0]).toBe(`supervisor ${b.supervisor!.pid}`);
    expect(procState(b.supervisor!.pid)).toBeUndefined();
    expect(processesMentioning(join(stateDir, b.lab))).toEqual([]);
  }, 60_000);
});
