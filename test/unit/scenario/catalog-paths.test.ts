/**
 * `dxlab scenario run NAME|PATH` takes a name or a path from the user: a
 * name is a folder of lab/, anything else a path that is only read. Aimed at
 * '../..', an absolute path, a symlink to a scratch folder and /proc, it
 * finds no scenario, says so, and changes nothing in the folders it was
 * pointed at.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../../src/scenario/catalog.js';

describe('loadScenario with names and paths a user may type', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'dxlab-scenario-paths-'));
  const root = join(scratch, 'lab');
  const target = join(scratch, 'target');
  mkdirSync(root);
  mkdirSync(target);
  writeFileSync(join(target, 'keep.txt'), 'x');
  symlinkSync(target, join(root, 'linked'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([['../..'], [target], [join(root, 'linked')], ['linked'], ['/proc'], ['/proc/self/scenario.yaml'], [join(root, '..', '..')]])('%s: no scenario there, refused by name, nothing changed', (arg) => {
    expect(() => loadScenario(arg, root)).toThrow(expect.objectContaining({ code: 'notFound' }));
    expect(readdirSync(target)).toEqual(['keep.txt']);
    expect(readdirSync(root)).toEqual(['linked']);
  });
});
