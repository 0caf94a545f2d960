/**
 * A lab's state folder (src/lab/state-dir.ts), without root: state files are
 * written atomically (a writer killed with SIGKILL at any instant leaves the
 * old or the new file, never a truncated one), an empty or garbled state file
 * reads as 'unreadable' instead of throwing, a state folder that is a
 * symbolic link is refused, and removal takes only the files a lab makes.
 * Everything happens under a scratch folder the test creates
 * (DXLAB_STATE_DIR points there).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../../../src/lab/index.js';
import { claimLabDir, existingLabDir, listLabs, readStateFile, removeLabFiles, writeFileAtomic, writeStateFile } from '../../../src/lab/state-dir.js';
import { ROOT } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

const scratch = tempDir('dxlab-state-dir-');
let root: string;
let victim: string;
let n = 0;
const saved = process.env.DXLAB_STATE_DIR;

beforeEach(() => {
  n += 1;
  root = join(scratch, `root${n}`);
  victim = join(scratch, `victim${n}`);
  mkdirSync(root);
  mkdirSync(victim);
  // What a lab's folder would hold: a removal that followed a link would take these.
  for (const f of ['keep.txt', 'state.json', 'rt.json', 'rt.log']) writeFileSync(join(victim, f), 'must survive\n');
  process.env.DXLAB_STATE_DIR = root;
});
afterEach(() => {
  if (saved === undefined) delete process.env.DXLAB_STATE_DIR;
  else process.env.DXLAB_STATE_DIR = saved;
});

function victimIntact(): void {
  expect(readdirSync(victim).sort()).toEqual(['keep.txt', 'rt.json', 'rt.log', 'state.json']);
  for (const f of readdirSync(victim)) expect(readFileSync(join(victim, f), 'utf8')).toBe('must survive\n');
}

function labError(fn: () => unknown): LabError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return e as LabError;
  }
  throw new Error('no error');
}

describe('writeFileAtomic', () => {
  it('writes the content with the mode asked for and leaves no temporary file', () => {
    claimLabDir('a');
    writeFileAtomic(join(root, 'a', 'rt.json'), '{"x":1}\n', 0o600);
    writeStateFile('a', { lab: 'a' });
    expect(readFileSync(join(root, 'a', 'rt.json'), 'utf8')).toBe('{"x":1}\n');
    expect(statSync(join(root, 'a', 'rt.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(root, 'a')).sort()).toEqual(['rt.json', 'state.json']);
  });

  it('a writer killed with SIGKILL at any instant leaves a whole state file, never an empty or cut one', async () => {
    claimLabDir('k');
    const file = join(root, 'k', 'state.json');
    // A state of about 1 MB, rewritten as fast as possible: a plain
    // writeFileSync truncates it first, so most kills land in a cut file.
    const child = `
      const { writeFileAtomic } = await import(${JSON.stringify(join(ROOT, 'dist/lab/state-dir.js'))});
      const nodes = Array.from({ length: 4000 }, (_, i) => ({ name: 'n' + i, socket: '/run/dxlab/k/n' + i + '.sock', taps: [] }));
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) writeFileAtomic(${JSON.stringify(file)}, JSON.stringify({ lab: 'k', i, nodes }, null, 2) + '\\n');
    `;
    for (let round = 0; round < 8; round++) {
      const p = spawn(process.execPath, ['--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => p.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 120));
      p.kill('SIGKILL');
      await new Promise((r) => p.once('exit', r));
      if (!existsSync(file)) continue;
      const r = readStateFile('k');
      expect(r.status, r.status === 'unreadable' ? r.reason : '').toBe('ok');
    }
    // The temporary files a kill leaves are ones removal knows.
    expect(removeLabFiles(join(root, 'k'))).toEqual([]);
    expect(existsSync(join(root, 'k'))).toBe(false);
  }, 60_000);
});

describe('readStateFile', () => {
  it('missing, empty, garbage, not an object, fine', () => {
    expect(readStateFile('m')).toEqual({ status: 'missing' });
    claimLabDir('m');
    expect(readStateFile('m')).toEqual({ status: 'missing' });
    const f = join(root, 'm', 'state.json');
    writeFileSync(f, '');
    expect(readStateFile('m')).toMatchObject({ status: 'unreadable', reason: 'empty' });
    writeFileSync(f, '{"lab": "m", "nodes": [');
    expect(readStateFile('m')).toMatchObject({ status: 'unreadable', reason: expect.stringMatching(/^not JSON/) });
    writeFileSync(f, '[1]');
    expect(readStateFile('m')).toMatchObject({ status: 'unreadable', reason: 'not a JSON object' });
    writeFileSync(f, '{"lab": "m"}');
    expect(readStateFile('m')).toMatchObject({ status: 'ok', value: { lab: 'm' } });
  });
});

describe('the lab folder is a plain folder inside the state root', () => {
  it('a name that is not a lab name never becomes a path', () => {
    for (const bad of ['..', '.', '../x', `../${victim.split('/').pop()}`, '../../tmp', victim, 'a/b', 'A', '-x', '', 'x'.repeat(25), 'a\0b']) {
      expect(labError(() => existingLabDir(bad)).code).toBe('badName');
      expect(labError(() => readStateFile(bad)).code).toBe('badName');
      expect(labError(() => claimLabDir(bad)).code).toBe('badName');
    }
    victimIntact();
  });

  it('a symbolic link in the state root is refused, for reading and for claiming', () => {
    symlinkSync(victim, join(root, 'evil'));
    const e = labError(() => existingLabDir('evil'));
    expect(e.code).toBe('unsafePath');
    expect(e.message).toContain('symbolic link');
    expect(labError(() => readStateFile('evil')).code).toBe('unsafePath');
    expect(labError(() => claimLabDir('evil')).code).toBe('exists');
    expect(listLabs()).toEqual([]);
    victimIntact();
  });

  it('a file in place of the folder is refused', () => {
    writeFileSync(join(root, 'f'), 'x');
    expect(labError(() => existingLabDir('f')).code).toBe('unsafePath');
  });

  it('claiming a folder that exists fails: two labs never share one', () => {
    claimLabDir('c');
    expect(labError(() => claimLabDir('c')).code).toBe('exists');
  });
});

describe('removeLabFiles', () => {
  it('removes the files a lab makes, and the folder when nothing else is there', () => {
    const dir = claimLabDir('r');
    for (const f of ['state.json', 'router.json', 'router.log', 'router.sock', 'dx.keys.json', '.state.json.123.ab12cd34.tmp', '.dx.json.9.00ff00ff.tmp']) writeFileSync(join(dir, f), '');
    expect(removeLabFiles(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it("keeps what a lab does not make, and the folder with it; a symbolic link is removed, not followed", () => {
    const dir = claimLabDir('s');
    writeFileSync(join(dir, 'state.json'), '');
    writeFileSync(join(dir, 'Notes.TXT'), 'mine');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'rt.json'), 'mine');
    symlinkSync(victim, join(dir, 'rt.log'));
    const left = removeLabFiles(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/Notes\.TXT, sub/);
    expect(readdirSync(dir).sort()).toEqual(['Notes.TXT', 'sub']);
    expect(readFileSync(join(dir, 'sub', 'rt.json'), 'utf8')).toBe('mine');
    victimIntact();
  });
});
