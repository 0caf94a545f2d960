/**
 * `dxlab scenario run` on a terminal: under a real pseudo-terminal (util-linux
 * `script`, which gives the command a pty and copies our stdin into it) and
 * without --no-pause, the run stops at its first explanation showing the
 * step's text and the commands a student can type, runs nothing further
 * until Enter, then goes on; without a terminal it does not wait, even with
 * its stdin open and silent. A two-node scenario in a scratch folder, a
 * unique lab name and a private DXLAB_STATE_DIR; the lab is taken down
 * whatever happens.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../helpers/cli.js';

const BIN = fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-pause-state-'));
const dir = mkdtempSync(join(tmpdir(), 'dxlab-pause-scen-'));
const env = { ...process.env, DXLAB_STATE_DIR: stateDir };
const labs: string[] = [];

writeFileSync(
  join(dir, 'topology.yaml'),
  `name: pause-test
topology:
  defaults:
    macsec:
      mode: should_encrypt
      profile: fast
      keyChain:
        - ckn: 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
          cak: 8899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677
      keyServerPriority: { dx: 16, router: 32 }
  nodes:
    router: { kind: router }
    dx: { kind: dx-device }
  links:
    - endpoints: [router:eth1, dx:eth1]
      macsec: true
`,
);
// The wait is on the router and the check on dx: dx, the key server, transmits with a new SAK first and the
// router once its next MKPDU says so, so a secured router means a secured dx, not the other way round.
writeFileSync(
  join(dir, 'scenario.yaml'),
  `name: pause-test
title: pauses on a terminal
minutes: 1
teaches: the pause
topology: topology.yaml
steps:
  - say: |
      First explanation: the link secures.
    try: [dxlab status, dxlab show mka dx]
  - wait: status
    node: router
    port: eth1
    field: secured
    equals: true
  - say: Second explanation.
  - expect: status
    node: dx
    port: eth1
    field: secured
    equals: true
`,
);

afterAll(() => {
  for (const lab of labs.filter((l) => existsSync(join(stateDir, l)))) spawnSync(process.execPath, [BIN, 'down', lab], { cwd: ROOT, env, timeout: 60_000 });
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

function labName(): string {
  const lab = `sp${randomBytes(3).toString('hex')}`;
  labs.push(lab);
  return lab;
}

/** Resolves when `text()` matches `re`, rejects after `ms` with what was printed. */
async function until(text: () => string, re: RegExp, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!re.test(text())) {
    if (Date.now() - t0 > ms) throw new Error(`not printed within ${ms / 1000} s: ${re}\n--- printed:\n${text()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scenario run: the pause', () => {
  it('on a terminal: stops at the explanation with the commands to type, runs nothing until Enter, then goes on', async () => {
    const lab = labName();
    const cmd = [process.execPath, BIN, 'scenario', 'run', dir, '--name', lab].map((w) => `'${w}'`).join(' ');
    // script -q (no banner) -f (flush) -e (its exit status is the command's) -c CMD, the typescript to /dev/null.
    const p = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => p.once('close', (code) => resolve(code)));
    try {
      await until(() => out, /\[Enter\] to go on/, 90_000);
      expect(out).toContain('First explanation: the link secures.');
      expect(out).toContain('Look for yourself:');
      // --name given: the commands carry it, so that a student's typing reaches this lab.
      expect(out).toContain(`dxlab status --name ${lab}`);
      expect(out).toContain(`dxlab show mka dx --name ${lab}`);
      // Paused: the wait after the explanation has not run. Loosely bounded: the secured link would
      // print its PASS line within a fraction of a second if the run went on.
      await new Promise((r) => setTimeout(r, 2000));
      expect(out).not.toMatch(/PASS wait status/);
      expect(out.match(/\[Enter\] to go on/g)).toHaveLength(1);
      p.stdin.write('\r');
      await until(() => out, /Second explanation\.[\s\S]*\[Enter\] to go on/, 60_000);
      expect(out).toMatch(/PASS wait status router eth1 secured = true/);
      expect(out).not.toMatch(/PASS expect status dx/);
      p.stdin.write('\r');
      expect(await exited).toBe(0);
      expect(out).toMatch(/PASS expect status dx eth1 secured = true/);
      expect(out).toMatch(/2 of 2 checks held/);
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL');
    }
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(`dxlab-${lab}-`);
  }, 180_000);

  it('without a terminal: does not wait, though stdin stays open and nothing is typed', async () => {
    const lab = labName();
    const p = spawn(process.execPath, [BIN, 'scenario', 'run', dir, '--name', lab], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // A run that waited for Enter would never end: bound it well past a run's length, and fail.
    const bound = setTimeout(() => p.kill('SIGKILL'), 150_000);
    const code = await new Promise<number | null>((resolve) => p.once('close', (c) => resolve(c)));
    clearTimeout(bound);
    expect(code, out).toBe(0);
    expect(out).toContain('First explanation: the link secures.');
    expect(out).not.toContain('[Enter] to go on');
    expect(out).toMatch(/2 of 2 checks held/);
    p.stdin.destroy();
  }, 180_000);
});
