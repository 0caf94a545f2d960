/**
 * Runs a shipped scenario as CI does (`dxlab scenario run NAME --no-pause
 * --json`) under a unique lab name and a private DXLAB_STATE_DIR, and
 * removes whatever is left of its lab afterwards.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './cli.js';

const BIN = fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url));

export interface ScenarioRun {
  status: number | null;
  stdout: string;
  stderr: string;
  json: { passed: boolean; lab: string; steps: Array<{ index: number; kind: string; verb: string; text: string; held?: boolean; error?: string }>; seconds?: { up: number; steps: number; down: number } } | undefined;
  seconds: number;
}

export class ScenarioRunner {
  private readonly stateDir = mkdtempSync(join(tmpdir(), 'dxlab-scen-state-'));
  private readonly env = { ...process.env, DXLAB_STATE_DIR: this.stateDir };
  private readonly labs: string[] = [];

  run(name: string, ...extra: string[]): ScenarioRun {
    const lab = `sc${randomBytes(3).toString('hex')}`;
    this.labs.push(lab);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'scenario', 'run', name, '--no-pause', '--json', '--name', lab, ...extra], { cwd: ROOT, encoding: 'utf8', env: this.env, timeout: 300_000 });
    let json: ScenarioRun['json'];
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, json, seconds: (Date.now() - t0) / 1000 };
  }

  /** `dxlab ARGS --name LAB` against a lab a run kept (--keep). */
  dxlab(lab: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [BIN, ...args, '--name', lab], { cwd: ROOT, encoding: 'utf8', env: this.env, timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** `dxlab down LAB`. */
  down(lab: string): number | null {
    return spawnSync(process.execPath, [BIN, 'down', lab], { cwd: ROOT, encoding: 'utf8', env: this.env, timeout: 60_000 }).status;
  }

  /** `dxlab down` of every lab run, for a run that was killed or failed half-way. */
  cleanUp(): void {
    // Only a lab whose folder is still there was left behind (a run takes its lab down itself).
    for (const lab of this.labs.filter((l) => existsSync(join(this.stateDir, l)))) spawnSync(process.execPath, [BIN, 'down', lab], { cwd: ROOT, env: this.env, encoding: 'utf8', timeout: 60_000 });
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/**
 * A check line with its run-dependent figures replaced: the seconds a wait
 * took and the numbers an assertion read (which vary from run to run); a
 * status field's value (a word, true/false) is kept.
 */
export function deterministic(line: string): string {
  return line
    .trim()
    .replace(/: after [0-9.]+ s.*$/, ': after … s')
    .replace(/: got -?\d.*$/, ': got …');
}

/** The check lines a guide quotes: lines starting PASS or FAIL in its code blocks. */
export function quotedChecks(guide: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const l of guide.split('\n')) {
    if (l.startsWith('```')) inBlock = !inBlock;
    else if (inBlock && /^\s*(PASS|FAIL) /.test(l)) out.push(deterministic(l));
  }
  return out;
}
