/**
 * Captures from the command line on a live lab (root): two nodes (router,
 * DX device) in namespaces, MKA with the fast profile, brought up by
 * `dxlab up` from a topology the test writes, under a private state folder
 * and a unique name. `dxlab capture` and `dxlab status` are the lab verbs, so
 * this is a topology lab, not a `dxlab link` (whose nodes those verbs do not
 * see); `dxlab node capture --socket` runs against the same nodes.
 *
 * A path under /proc is refused at once and the node goes on answering with
 * its peer still secured (it used to spin in Node's recursive mkdir while the
 * peer fell back to clear); a capture without --duration runs until SIGINT
 * or SIGTERM and leaves a complete file tshark reads (it used to exit at
 * once and leave the capture running); --stop ends captures from another
 * shell; status lists running captures; a relative --out lands in the
 * folder the user typed it in. Everything is removed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlRequest, type CaptureInfo } from '../../src/node/index.js';
import type { KayStatus } from '../../src/mka/index.js';
import { readCaptureFile } from '../../src/io/pcap.js';
import { tempDir } from '../helpers/tmp.js';
import { tshark, tsharkProblems } from '../helpers/tshark.js';

const isRoot = process.getuid?.() === 0;
const BIN = fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url));
const LAB = `cap-${randomBytes(3).toString('hex')}`;
/** MKA Life Time of the fast profile. */
const LIFE_MS = 1500;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(!isRoot)('captures from the command line on a live lab', () => {
  const work = tempDir('dxlab-capture-');
  // The nodes run in `work` (where `up` ran); the user types commands in `user`.
  const user = join(work, 'user');
  const env = { ...process.env, DXLAB_STATE_DIR: join(work, 'state') };
  const children: ChildProcess[] = [];
  let router: { socket: string };
  let dx: { socket: string };

  /** The built dxlab, in `cwd`, with the lab's private state folder. */
  function dxlab(args: string[], cwd = user): Run {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** dxlab in the background; `exited` resolves with its status. */
  function background(args: string[]) {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: user, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(c);
    const out = { stdout: '', stderr: '' };
    c.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const exited = new Promise<number | null>((r) => c.on('exit', (code) => r(code)));
    return { c, out, exited };
  }

  async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const kay = async (socket: string) => ((await controlRequest(socket, { cmd: 'status', port: 'eth1' })).result as { kay: KayStatus }).kay;
  const captures = async () => ((await controlRequest(router.socket, { cmd: 'status', port: 'eth1' })).result as { captures: CaptureInfo[] }).captures;
  const trouble = async () =>
    ((await controlRequest(dx.socket, { cmd: 'events', port: 'eth1' })).result as { events: Array<{ type: string }> }).events.filter((e) => e.type === 'fallbackToClear' || e.type === 'peerTimedOut').length;

  beforeAll(async () => {
    mkdirSync(user);
    writeFileSync(
      join(work, 'lab.yaml'),
      [
        `name: ${LAB}`,
        'topology:',
        '  defaults:',
        '    macsec:',
        '      mode: should_encrypt',
        '      profile: fast',
        `      keyChain: [{ ckn: ${randomBytes(32).toString('hex')}, cak: ${randomBytes(32).toString('hex')} }]`,
        '      keyServerPriority: { dx: 16, router: 32 }',
        '  nodes:',
        '    router: { kind: router }',
        '    dx: { kind: dx-device }',
        '  links:',
        '    - endpoints: [router:eth1, dx:eth1]',
        '      macsec: true',
        '',
      ].join('\n'),
    );
    const up = dxlab(['up', 'lab.yaml', '--name', LAB, '--json'], work);
    expect(up.status, up.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(work, 'state', LAB, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; socket: string }> };
    router = state.nodes.find((n) => n.name === 'router')!;
    dx = state.nodes.find((n) => n.name === 'dx')!;
    await until('MKA secured', async () => (await kay(router.socket)).secured && (await kay(dx.socket)).secured);
  }, 90_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    const down = dxlab(['down', LAB], work);
    expect(down.status, down.stderr).toBe(0);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${LAB}-`);
  }, 60_000);

  it('a path under /proc is refused at once, by the CLI and by the node; the node answers on and its peer stays secured', async () => {
    const before = await trouble();
    // Bounded only by spawnSync's 60 s: before the fix this never returned.
    const r = dxlab(['capture', 'router', 'eth1', '--name', LAB, '--wire', '--out', '/proc/nope/x.pcapng', '--duration', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('dxlab: --out /proc/nope/x.pcapng: is under /proc, a kernel pseudo file system: write captures to a regular directory');
    // Straight to the node, past the CLI's check.
    await expect(controlRequest(router.socket, { cmd: 'capture', port: 'eth1', side: 'wire', path: '/proc/nope/x.pcapng' })).rejects.toThrow(/path \/proc\/nope\/x\.pcapng: is under \/proc/);
    // Twice MKA Life Time: a node stuck in a loop would have lost its peer by now.
    await new Promise((res) => setTimeout(res, 2 * LIFE_MS));
    expect((await kay(router.socket)).secured).toBe(true);
    expect((await kay(dx.socket)).secured).toBe(true);
    expect(await trouble()).toBe(before);
    expect(await captures()).toEqual([]);
  });

  it('without --duration a capture runs until SIGINT, is listed by status meanwhile, and leaves a complete file where the user typed it', async () => {
    const bg = background(['capture', 'router', 'eth1', '--name', LAB, '--wire', '--out', 'rel/sigint.pcapng']);
    const path = join(user, 'rel/sigint.pcapng');
    await until('the capture runs', async () => bg.out.stderr.includes('Ctrl-C to stop') && ((await captures())[0]?.frames ?? 0) >= 4);
    // Still there after several MKA hellos: it used to exit 0.3 s after starting.
    expect(bg.c.exitCode).toBe(null);
    expect(bg.out.stderr).toContain(`to ${path}; Ctrl-C to stop`);
    const st = JSON.parse(dxlab(['status', '--name', LAB, '--json']).stdout) as { nodes: Array<{ name: string; ports: Array<{ name: string; captures: CaptureInfo[] }> }> };
    const listed = st.nodes.find((n) => n.name === 'router')!.ports.find((p) => p.name === 'eth1')!.captures;
    expect(listed.map((c) => [c.side, c.path])).toEqual([['wire', path]]);
    expect(st.nodes.find((n) => n.name === 'dx')!.ports[0]!.captures).toEqual([]);
    expect(dxlab(['status', '--name', LAB]).stdout).toMatch(new RegExp(`capturing router eth1 \\(wire\\) to ${path}, \\d+ frames`));
    bg.c.kill('SIGINT');
    expect(await bg.exited).toBe(0);
    expect(bg.out.stdout.trim()).toBe(path);
    // Resolved in the user's folder, not in the node's.
    expect(existsSync(join(work, 'rel/sigint.pcapng'))).toBe(false);
    expect(await captures()).toEqual([]);
    const frames = readCaptureFile(path).frames;
    expect(frames.length).toBeGreaterThanOrEqual(4);
    expect(tsharkProblems(path)).toEqual([]);
    expect(tshark(path, 'eapol', ['frame.number'])).toHaveLength(tshark(path, undefined, ['frame.number']).length);
  });

  it('dxlab node capture: SIGTERM stops it the same way, and a relative --out lands where it was typed', async () => {
    const bg = background(['node', 'capture', '--socket', router.socket, '--port', 'eth1', '--side', 'decrypted', '--out', 'term.pcapng']);
    const path = join(user, 'term.pcapng');
    await until('the capture runs', async () => (await captures()).some((c) => c.path === path && c.frames >= 2));
    expect(dxlab(['node', 'status', '--socket', router.socket]).stdout).toMatch(new RegExp(`capturing decrypted to ${path}, \\d+ frames`));
    bg.c.kill('SIGTERM');
    expect(await bg.exited).toBe(0);
    expect(await captures()).toEqual([]);
    expect(readCaptureFile(path).frames.length).toBeGreaterThanOrEqual(2);
    expect(tsharkProblems(path)).toEqual([]);
  });

  it('--stop from another shell ends the capture, and the capturing command then ends by itself', async () => {
    const bg = background(['capture', 'router', 'eth1', '--name', LAB, '--clear', '--out', 'stopped.pcapng', '--json']);
    const path = join(user, 'stopped.pcapng');
    await until('the capture runs', async () => (await captures()).some((c) => c.path === path));
    const wrong = dxlab(['capture', 'router', 'eth1', '--name', LAB, '--stop', 'other.pcapng']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain(`--stop ${join(user, 'other.pcapng')}: no such capture on router eth1 (running: ${path})`);
    const stop = dxlab(['capture', 'router', 'eth1', '--name', LAB, '--stop']);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout.trim()).toBe(path);
    expect(await bg.exited).toBe(0);
    expect(JSON.parse(bg.out.stdout)).toMatchObject({ node: 'router', port: 'eth1', side: 'clear', path, ended: 'stopped' });
    expect(await captures()).toEqual([]);
    expect(readCaptureFile(path).format).toBe('pcapng');
    const again = dxlab(['capture', 'router', 'eth1', '--name', LAB, '--stop']);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('no capture was running on router eth1');
  });

  it('with --duration it ends by itself; a relative --out again lands in the user\'s folder', async () => {
    const r = dxlab(['capture', 'dx', 'eth1', '--name', LAB, '--wire', '--out', 'sub/short.pcapng', '--duration', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const path = join(user, 'sub/short.pcapng');
    expect(JSON.parse(r.stdout)).toMatchObject({ node: 'dx', path, ended: 'duration' });
    expect(readCaptureFile(path).frames.length).toBeGreaterThan(0);
    expect(tsharkProblems(path)).toEqual([]);
  });
});
