/**
 * The guided scenarios (lab/, issue 18), each run as CI runs it: `dxlab
 * scenario run NAME --no-pause --json` must exit 0 with every check held;
 * the check lines its guide quotes must be those the run prints (the
 * deterministic part: the check and any word it read, not the seconds or
 * counts); and the lab is gone afterwards. Also: a bad scenario file is a
 * usage error naming the line and field, before any lab exists.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, dxlab } from '../helpers/cli.js';
import { ScenarioRunner, deterministic, quotedChecks } from '../helpers/scenario-run.js';

const runner = new ScenarioRunner();
afterAll(() => runner.cleanUp(), 300_000);

export const SCENARIOS_1 = ['should-encrypt-fallback', 'must-encrypt-down', 'no-encrypt', 'mode-mismatch', 'key-rollover', 'sak-rekey'];

function checkScenario(name: string): void {
  const r = runner.run(name);
  // The figure for the CI budget, on stderr of the test run.
  process.stderr.write(`scenario ${name}: ${r.seconds.toFixed(1)} s\n`);
  const failed = (r.json?.steps ?? []).filter((s) => s.held === false || s.error).map((s) => s.text);
  expect(failed, r.stderr).toEqual([]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.json!.passed).toBe(true);
  expect(r.json!.steps.filter((s) => s.held === true).length).toBeGreaterThan(0);
  // The lab is taken down at the end.
  expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${r.json!.lab}-`);
  // The guide quotes what the run prints.
  const printed = new Set(r.json!.steps.filter((s) => s.held !== undefined).map((s) => deterministic(s.text)));
  const quoted = quotedChecks(readFileSync(join(ROOT, 'lab', name, 'README.md'), 'utf8'));
  expect(quoted.length).toBeGreaterThan(0);
  expect(quoted.filter((q) => !printed.has(q))).toEqual([]);
}

describe('scenarios: encryption modes', () => {
  for (const name of SCENARIOS_1) it(name, () => checkScenario(name), 300_000);
});

describe('scenario files', () => {
  it('a bad file: exit 2, the file, line and field named, no lab made', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dxlab-scen-bad-'));
    try {
      writeFileSync(join(dir, 'scenario.yaml'), 'name: bad\ntitle: t\nminutes: 1\nteaches: t\ntopology: x.yaml\nsteps:\n  - do: explode\n');
      const r = dxlab('scenario', 'run', dir, '--no-pause', '--name', 'scbadfile');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/scenario\.yaml:7: steps\.0\.do: must be one of "set"/);
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain('dxlab-scbadfile-');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scenario list names every shipped scenario', () => {
    const r = dxlab('scenario', 'list', '--json');
    expect(r.status).toBe(0);
    const names = (JSON.parse(r.stdout) as Array<{ name: string }>).map((s) => s.name);
    for (const n of SCENARIOS_1) expect(names).toContain(n);
  });
});
