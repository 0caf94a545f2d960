/**
 * The lean entry (src/cli/entry.ts): the node process and the supervisor as
 * dxlab starts them skip main.ts (yargs and every verb); any other spelling
 * goes to main.ts. The node process run through bin/dxlab.js (built dist/)
 * says a bad configuration as main.ts does, and loads no yargs.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { leanCommand } from '../../../src/cli/entry.js';
import { tempDir } from '../../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../../bin/dxlab.js', import.meta.url));
const scratch = tempDir('dxlab-entry-');

describe('leanCommand', () => {
  it('takes the command lines dxlab starts itself', () => {
    expect(leanCommand(['node', '--config', '/run/dxlab/x/rt.json'])).toEqual({ verb: 'node', config: '/run/dxlab/x/rt.json' });
    expect(leanCommand(['supervise', 'lab1', '--dir', '/run/dxlab/lab1'])).toEqual({ verb: 'supervise', lab: 'lab1', dir: '/run/dxlab/lab1', api: true, serviceModules: [] });
    expect(leanCommand(['supervise', 'lab1', '--dir', '/d', '--no-api', '--service-module', 'a.mjs', '--service-module', 'b.mjs'])).toEqual({
      verb: 'supervise',
      lab: 'lab1',
      dir: '/d',
      api: false,
      serviceModules: ['a.mjs', 'b.mjs'],
    });
    // `dxlab up --ui`: the supervisor also serves the web view.
    expect(leanCommand(['supervise', 'lab1', '--dir', '/d', '--ui'])).toEqual({ verb: 'supervise', lab: 'lab1', dir: '/d', api: true, ui: true, serviceModules: [] });
  });

  it.each([
    [['node']],
    [['node', '--config']],
    [['node', '--config=x.json']],
    [['node', '--config', 'x.json', '--debug']],
    [['node', '--config', 'x.json', '--crypto', 'node']],
    [['node', 'status', '--socket', 'x.sock']],
    [['node', '--help']],
    [['supervise', 'lab1']],
    [['supervise', '--dir', '/d']],
    [['supervise', 'lab1', '--dir', '/d', '--dir', '/e']],
    [['supervise', 'lab1', '--dir', '/d', '--help']],
    [['supervise', 'lab1', '--dir']],
    [['up', 'topologies/router-dx.yaml']],
    [[]],
  ])('leaves %j to main.ts', (argv) => {
    expect(leanCommand(argv)).toBeUndefined();
  });
});

describe('bin/dxlab.js node --config (the lean path)', () => {
  it('a configuration that is not JSON: one line naming --config, exit 2, as main.ts says it; yargs never loaded', () => {
    const cfg = join(scratch, 'bad.json');
    writeFileSync(cfg, '{ not json');
    // A CommonJS preload that reports every module named yargs that is required (main.ts requires yargs' CommonJS build).
    const hook = join(scratch, 'hook.cjs');
    writeFileSync(hook, "const M = require('module'); const load = M._load; M._load = function (r, ...a) { if (/^yargs/.test(r)) process.stderr.write('LOADED ' + r + '\\n'); return load.call(this, r, ...a); };\n");
    const lean = spawnSync(process.execPath, ['--require', hook, BIN, 'node', '--config', cfg], { encoding: 'utf8' });
    expect(lean.status, lean.stderr).toBe(2);
    expect(lean.stderr).not.toContain('LOADED');
    const lines = lean.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dxlab: --config /);
    // The same configuration through main.ts (`--config=FILE` is not the lean form): the same line, and yargs loaded.
    const full = spawnSync(process.execPath, ['--require', hook, BIN, 'node', `--config=${cfg}`], { encoding: 'utf8' });
    expect(full.status, full.stderr).toBe(2);
    expect(full.stderr).toContain('LOADED yargs');
    expect(full.stderr.split('\n').filter((l) => l.startsWith('dxlab:'))).toEqual(lines);
  });
});
