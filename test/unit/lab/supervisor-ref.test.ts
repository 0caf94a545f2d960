/**
 * Telling a lab's supervisor by its command line (src/lab/supervisor-ref.ts):
 * `down`, `kill` and `restart` signal or ask a PID only while it runs
 * `... supervise LAB --dir DIR` for that lab and folder, and the PID a state
 * file records only while its command line is the one recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isLabSupervisor, labSupervisors, recordedSupervisorRuns, supervisorArgv } from '../../../src/lab/index.js';

describe('supervisor-ref', () => {
  const dir = `/tmp/dxlab-no-such-state-${process.pid}/lab1`;
  let child: ChildProcess;
  let cmdline: string[] = [];
  beforeAll(async () => {
    // A stand-in with a supervisor's command line tail: node -e ... supervise lab1 --dir DIR.
    child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'supervise', 'lab1', '--dir', dir], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (cmdline.includes('supervise')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  afterAll(() => {
    child.kill('SIGKILL');
  });

  it('its command line is node, dxlab.js, supervise LAB --dir DIR, then the extra arguments', () => {
    expect(supervisorArgv('lab1', '/run/dxlab/lab1', ['--no-api']).slice(2)).toEqual(['supervise', 'lab1', '--dir', '/run/dxlab/lab1', '--no-api']);
  });

  it("a process is the lab's supervisor only for that lab name and folder", () => {
    expect(isLabSupervisor(child.pid!, 'lab1', [dir])).toBe(true);
    expect(isLabSupervisor(child.pid!, 'lab2', [dir])).toBe(false);
    expect(isLabSupervisor(child.pid!, 'lab1', ['/run/dxlab/lab1'])).toBe(false);
    expect(isLabSupervisor(process.pid, 'lab1', [dir])).toBe(false);
    expect(isLabSupervisor(0, 'lab1', [dir])).toBe(false);
    expect(labSupervisors('lab1', [dir])).toEqual([child.pid]);
    expect(labSupervisors('lab1', ['/elsewhere'])).toEqual([]);
  });

  it('the recorded PID counts only with the recorded command line: a reused PID, or another command line, does not', () => {
    const entry = { pid: child.pid!, cmdline, socket: `${dir}/supervisor.sock`, startedAt: '2026-12-06T08:00:00.000Z' };
    expect(recordedSupervisorRuns('lab1', [dir], entry)).toBe(true);
    expect(recordedSupervisorRuns('lab1', [dir], { ...entry, cmdline: [...cmdline, '--no-api'] })).toBe(false);
    expect(recordedSupervisorRuns('lab1', [dir], { ...entry, pid: process.pid })).toBe(false);
    expect(recordedSupervisorRuns('lab1', [dir], undefined)).toBe(false);
    // A state file edited to name another process with its own command line: still not a supervisor's.
    const own = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter(Boolean);
    expect(recordedSupervisorRuns('lab1', [dir], { ...entry, pid: process.pid, cmdline: own })).toBe(false);
  });
});
