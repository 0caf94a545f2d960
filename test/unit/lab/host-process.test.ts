/**
 * processAlive and stopProcess (src/lab/host.ts) with a zombie: a process
 * that has exited but whose parent has not reaped it yet, as an orphaned
 * lab supervisor or node is until PID 1 gets to it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processAlive, stopProcess, waitReaped } from '../../../src/lab/host.js';

const state = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).charAt(0);
};

/**
 * A child `sleep 0.2` of a parent that never waits for it (bash exec'd into `sleep 30`): a zombie until that
 * parent ends. The child outlives bash's exec: a `sleep 0` could end first, and bash reaped it before its exec
 * (then no /proc entry at all: seen once in CI).
 */
async function zombie(): Promise<{ pid: number; parent: ReturnType<typeof spawn> }> {
  const parent = spawn('bash', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (b: Buffer) => resolve(Number(String(b).trim()))));
  for (let i = 0; i < 200 && state(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
  return { pid, parent };
}

describe('processAlive', () => {
  it('says a running process runs', () => {
    expect(processAlive(process.pid)).toBe(true);
  });

  it('says a zombie does not run, though kill(pid, 0) still finds it', async () => {
    const { pid, parent } = await zombie();
    try {
      expect(state(pid)).toBe('Z');
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(processAlive(pid)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('waitReaped returns once the zombie is reaped (its parent killed: PID 1 reaps it, however late)', async () => {
    const { pid, parent } = await zombie();
    parent.kill('SIGKILL');
    await waitReaped([pid], 50_000);
    let gone = false;
    try {
      gone = state(pid) !== 'Z';
    } catch {
      gone = true;
    }
    expect(gone).toBe(true);
  }, 60_000);

  it('stopProcess of a zombie neither signals nor waits out a grace', async () => {
    const { pid, parent } = await zombie();
    try {
      // With a grace far beyond the test's own timeout: were the zombie taken as running, this would not end.
      await stopProcess(pid, 3_600_000);
      expect(state(pid)).toBe('Z');
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
