/**
 * `dxlab docker stop DIR` signals only the dockerd that DIR's own start
 * made: a pidfile naming another process (a reused PID, a folder such as
 * /var/run, '../..', a symlink to a scratch folder, /proc) stops nothing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerdPaths, findDockerd, stopDockerd } from '../../../src/lab/docker/daemon.js';
import { processAlive } from '../../../src/lab/host.js';

describe('a private dockerd found by its folder', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'dxlab-dockerd-'));
  const other = spawn('sleep', ['60'], { stdio: 'ignore' });
  afterAll(() => {
    other.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  });

  it("a pidfile naming a process that is not this folder's dockerd is not an engine, and stop signals nothing", async () => {
    const dir = join(scratch, 'engine');
    const p = dockerdPaths(dir);
    mkdirSync(p.dir, { recursive: true });
    writeFileSync(p.pidfile, `${other.pid}\n`);
    symlinkSync(dir, join(scratch, 'link'));
    for (const d of [dir, join(scratch, 'link'), join(dir, '..', '..'), '/proc', scratch]) {
      expect(findDockerd(d)).toBeUndefined();
      expect(await stopDockerd(d, 100)).toBe(false);
    }
    expect(processAlive(other.pid!)).toBe(true);
  });
});
