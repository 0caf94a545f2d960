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
export const SCENARIOS_2 = ['peer-failure', 'mtu-too-small', 'cipher-mismatch', 'sci-not-sent', 'ckn-cak-length', 'provider-eats-eapol', 'downgrade-attack', 'replay-and-tamper', 'lag-member-failure', 'topology-1'];

/** Runs `name` and checks it; with `kept`, the run keeps its lab (--keep) and `kept` looks at it before it goes. */
function checkScenario(name: string, kept?: (lab: string) => void): void {
  const r = runner.run(name, ...(kept ? ['--keep'] : []));
  // The figure for the issue's CI budget, on stderr of the test run, with where it went.
  const t = r.json?.seconds;
  process.stderr.write(`scenario ${name}: ${r.seconds.toFixed(1)} s${t ? ` (up ${t.up} s, steps ${t.steps} s, down ${t.down} s)` : ''}\n`);
  const failed = (r.json?.steps ?? []).filter((s) => s.held === false || s.error).map((s) => s.text);
  expect(failed, r.stderr).toEqual([]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.json!.passed).toBe(true);
  expect(r.json!.steps.filter((s) => s.held === true).length).toBeGreaterThan(0);
  if (kept) {
    expect(r.stderr).toContain(`lab ${r.json!.lab} kept`);
    kept(r.json!.lab);
    expect(runner.down(r.json!.lab)).toBe(0);
  }
  // The lab is taken down at the end (by the run, or by the down above).
  expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${r.json!.lab}-`);
  // The guide quotes what the run prints.
  const printed = new Set(r.json!.steps.filter((s) => s.held !== undefined).map((s) => deterministic(s.text)));
  const quoted = quotedChecks(readFileSync(join(ROOT, 'lab', name, 'README.md'), 'utf8'));
  expect(quoted.length).toBeGreaterThan(0);
  expect(quoted.filter((q) => !printed.has(q))).toEqual([]);
}

const CAK = '8899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677';

/** dxlab config on the kept lab: the router configuration that matches dx eth1, its CAK only on request. */
function configOfKeptLab(lab: string): void {
  const plain = runner.dxlab(lab, 'config', 'dx', 'eth1', '--vendor', 'junos');
  expect(plain.status, plain.stderr).toBe(0);
  expect(plain.stdout).toContain('ckn 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0;');
  expect(plain.stdout).toContain('should-secure;');
  expect(plain.stdout).toContain('key-server-priority 32;');
  expect(plain.stdout + plain.stderr).not.toContain(CAK);
  expect(plain.stdout).toMatch(/--show-keys/);
  const keys = runner.dxlab(lab, 'config', 'dx', 'eth1', '--vendor', 'eos', '--show-keys');
  expect(keys.status, keys.stderr).toBe(0);
  expect(keys.stdout).toContain(`key 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 0 ${CAK}`);
  const json = runner.dxlab(lab, 'config', 'dx', 'eth1', '--vendor', 'junos', '--json');
  expect(json.stdout).not.toContain(CAK);
}

const LAG_CAK = '7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e';

/** dxlab config on the kept LAG lab, asked for the LAG's name: the aggregate with the same MACsec on each member. */
function configOfKeptLag(lab: string): void {
  const junos = runner.dxlab(lab, 'config', 'dx', 'lag1', '--vendor', 'junos');
  expect(junos.status, junos.stderr).toBe(0);
  expect(junos.stdout.split('802.3ad ae0;').length - 1).toBe(2);
  expect(junos.stdout.split('connectivity-association DXLAB-CA;').length - 1).toBe(2);
  // The scenario left both members in must_encrypt.
  expect(junos.stdout).not.toContain('should-secure;');
  expect(junos.stdout).toMatch(/Lab LAG lag1: 2 members \(eth1 SCI [0-9a-f]{16}, eth2 SCI [0-9a-f]{16}\)/);
  expect(junos.stdout + junos.stderr).not.toContain(LAG_CAK);
  // The other vendors' aggregates: test/unit/scenario/vendor-config.test.ts (one CLI call here, for CI's time).
}

describe('scenarios: encryption modes', () => {
  for (const name of SCENARIOS_1) it(name, () => checkScenario(name, name === 'should-encrypt-fallback' ? configOfKeptLab : undefined), 300_000);
});

describe('scenarios: failures', () => {
  for (const name of SCENARIOS_2) it(name, () => checkScenario(name, name === 'lag-member-failure' ? configOfKeptLag : undefined), 300_000);
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
    for (const n of [...SCENARIOS_1, ...SCENARIOS_2]) expect(names).toContain(n);
  });
});
