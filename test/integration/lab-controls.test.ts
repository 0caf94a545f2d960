/**
 * Live controls on a running lab (root): router-dx with a wire MTU of its own
 * and a private DXLAB_STATE_DIR, driven as a user drives it, from the built
 * dxlab. `set` changes MACsec knobs live or by a KaY restart (and refuses a
 * bad value, changing nothing); `kill` and `restart` take a node away and
 * back (the link secures again); `wire cut` makes MKA time out and `wire
 * restore` secures the link again; `capture --out -` is a pcapng stream that
 * tshark reads from stdin; a PID in the state file that is not the node's is
 * never signalled, by `kill`, `restart` or `down`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { BIN, LabSession } from '../helpers/lab-session.js';

const isRoot = process.getuid?.() === 0;
const WIRE_MTU = 1400;

interface StatusJson {
  nodes: Array<{ name: string; pid: number; running: boolean; error?: string; ports: Array<{ name: string; secured: boolean | null; wireCut?: true }> }>;
}

describe.skipIf(!isRoot)('live controls: router-dx', () => {
  const session = new LabSession('c');
  const { lab, env, statePath } = session;
  const sleepers: ChildProcess[] = [];
  const dxlab = (...args: string[]) => session.dxlab(...args);
  const json = <T>(...args: string[]) => session.json<T>(...args);
  const status = () => json<StatusJson>('status');
  const port = (s: StatusJson, node: string) => s.nodes.find((n) => n.name === node)!.ports[0];
  /** Polls status until `cond` holds; the bound is loose (MKA's fast profile secures in about a second; the machine is shared). */
  const waitFor = (what: string, cond: (s: StatusJson) => boolean, ms = 60_000) => session.waitFor(what, status, cond, ms);
  const bothSecured = (s: StatusJson) => s.nodes.every((n) => n.running && n.ports.every((p) => p.secured === true));
  const editState = (f: (st: { nodes: Array<{ name: string; pid: number; killedAt?: string }> }) => void) => {
    const st = JSON.parse(readFileSync(statePath, 'utf8'));
    f(st);
    writeFileSync(statePath, JSON.stringify(st));
  };
  const sleeper = () => {
    const p = spawn('sleep', ['600'], { stdio: 'ignore' });
    sleepers.push(p);
    return p.pid!;
  };
  /** Running, not a zombie: a killed node whose parent (the exited `dxlab up`) is gone waits for init to reap it. */
  const alive = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    // router-dx with an MTU on its link, smaller than the VIF's 1500 + 36: a lab may show a too-small MTU.
    const text = readFileSync(join(ROOT, 'topologies/router-dx.yaml'), 'utf8').replace('      macsec: true\n', `      macsec: true\n      mtu: ${WIRE_MTU}\n`);
    expect(text).toContain(`mtu: ${WIRE_MTU}`);
    session.up(text);
    await waitFor('secured after up', bothSecured);
  }, 120_000);

  afterAll(() => {
    for (const p of sleepers) p.kill('SIGKILL');
    // The last test takes the lab down itself.
    session.down({ mayBeDown: true });
  }, 60_000);

  it("the link's veth has the topology's MTU", () => {
    const st = JSON.parse(readFileSync(statePath, 'utf8')) as { nodes: Array<{ name: string; netns: string; wires: Record<string, string> }> };
    for (const n of st.nodes) expect(execFileSync('ip', ['-n', n.netns, 'link', 'show', n.wires.eth1!], { encoding: 'utf8' })).toContain(`mtu ${WIRE_MTU} `);
  });

  it('set: a SecY knob live, an MKA knob by a KaY restart that secures again, a bad value refused naming the knob', async () => {
    expect(json('set', 'router', 'eth1', 'replayWindow', '64')).toEqual({ knob: 'replayWindow', from: null, to: 64, applied: 'live' });
    const line = dxlab('set', 'router', 'eth1', 'validateFrames', 'check');
    expect([line.status, line.stdout]).toEqual([0, 'router eth1: validateFrames default -> check (applied live)\n']);
    const bad = dxlab('set', 'router', 'eth1', 'replayWindow', '-1');
    expect([bad.status, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toMatch(/^dxlab: replayWindow: must be >= 0/);
    const unknown = dxlab('set', 'router', 'eth1', 'windowSize', '1');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown knob 'windowSize'/);
    // Nothing changed: the next set starts from 64.
    expect(json('set', 'router', 'eth1', 'replayWindow', '0')).toMatchObject({ from: 64, to: 0 });
    expect(json('set', 'router', 'eth1', 'keyServerPriority', '100')).toEqual({ knob: 'keyServerPriority', from: 32, to: 100, applied: 'kayRestart' });
    await waitFor('secured after a KaY restart', bothSecured);
    // The mode form of before still works.
    expect(dxlab('set', 'router', 'eth1', 'mode', 'must_encrypt').stdout).toBe('router eth1: mode should_encrypt -> must_encrypt\n');
  }, 90_000);

  it('kill: the node is not running and the state says why; restart brings it back and the link secures again', async () => {
    const before = port(status(), 'dx');
    expect(before?.secured).toBe(true);
    const k = json<{ node: string; pids: number[]; killed: boolean }>('kill', 'dx');
    expect(k.killed).toBe(true);
    for (const pid of k.pids) expect(alive(pid)).toBe(false);
    const s = status();
    const dx = s.nodes.find((n) => n.name === 'dx')!;
    expect(dx.running).toBe(false);
    expect(dx.error).toMatch(/killed by dxlab kill/);
    // The router's MKA Life Time runs out: no peer.
    await waitFor('router unsecured after the kill', (x) => port(x, 'router')?.secured === false);
    const r = json<{ pid: number; stoppedPids: number[] }>('restart', 'dx');
    expect(r.stoppedPids).toEqual([]);
    expect(alive(r.pid)).toBe(true);
    await waitFor('secured after restart', bothSecured);
  }, 120_000);

  it('wire cut: MKA times out on both ends and status says the wire is cut; restore: secured again', async () => {
    const cut = json<{ carrier: string; wire: string }>('wire', 'cut', 'router:eth1');
    expect(cut.carrier).toBe('down');
    const s = await waitFor('unsecured after the cut', (x) => port(x, 'router')?.secured === false && port(x, 'dx')?.secured === false);
    expect(port(s, 'router')?.wireCut).toBe(true);
    expect(port(s, 'dx')?.wireCut).toBe(true);
    expect(dxlab('status').stdout).toMatch(/router\s+router\s+\d+\s+eth1\s+must_encrypt\s+\S+.*, wire cut\n/);
    const bad = dxlab('wire', 'cut', 'router');
    expect(bad.status).toBe(2);
    expect(json<{ carrier: string }>('wire', 'restore', 'router:eth1').carrier).toBe('up');
    const back = await waitFor('secured after restore', bothSecured);
    expect(port(back, 'router')?.wireCut).toBeUndefined();
  }, 120_000);

  it('capture --out -: a pcapng stream that tshark reads from stdin, with the MKPDUs', () => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} capture router eth1 --wire --out - --duration 3 --name ${lab} | tshark -r - -T fields -e frame.protocols; echo "status $\{PIPESTATUS[*]}"`;
    const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1), r.stderr).toBe('status 0 0');
    // The fast profile's Hello Time is 500 ms: a few MKPDUs each way in 3 s.
    expect(lines.filter((l) => l.includes('eapol')).length).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toMatch(/frames \(duration\)/);
    // The FIFO's capture is gone from the node once the stream ended.
    expect(dxlab('status').stdout).not.toContain('dxlab-stream-');
    // A reader that stops early (| head): the next MKPDU meets EPIPE, and the capture is stopped in the node.
    const head = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} capture router eth1 --wire --out - --name ${lab} | head -c 100 | wc -c; echo "status $\{PIPESTATUS[*]}"`], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    expect(head.stdout, head.stderr).toBe('100\nstatus 0 0 0\n');
    expect(head.stderr).toMatch(/\(the reader went away\)/);
    expect(dxlab('status').stdout).not.toContain('dxlab-stream-');
  }, 60_000);

  it('a PID in the state file that is not the node is never signalled: kill, restart and down find the node by its command line', async () => {
    const other = sleeper();
    editState((st) => {
      for (const n of st.nodes) n.pid = other;
    });
    const k = json<{ pids: number[]; killed: boolean }>('kill', 'dx');
    expect(k.killed).toBe(true);
    expect(k.pids).not.toContain(other);
    expect(alive(other)).toBe(true);
    editState((st) => {
      for (const n of st.nodes) n.pid = other;
    });
    const r = json<{ pid: number; stoppedPids: number[] }>('restart', 'router');
    expect(r.stoppedPids).not.toContain(other);
    expect(r.stoppedPids.length).toBe(1);
    expect(alive(other)).toBe(true);
    editState((st) => {
      for (const n of st.nodes) n.pid = other;
    });
    const down = session.run('down', lab);
    expect(down.status, down.stderr).toBe(0);
    expect(down.stdout).not.toContain(`process ${other}`);
    expect(alive(other)).toBe(true);
  }, 90_000);
});
