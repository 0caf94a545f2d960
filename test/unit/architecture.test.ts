/**
 * Arrows point inward only (STYLE.md §1): cli -> offline/aws -> lab -> node;
 * node -> io, mka, bgp; mka -> macsec; all -> shared. Pure layers touch no
 * socket, file, child process, timer, wall clock or CSPRNG.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/cli.js';

const SRC = join(ROOT, 'src');
const ALLOWED: Record<string, string[]> = {
  shared: [],
  macsec: ['shared'],
  mka: ['shared', 'macsec'],
  bgp: ['shared'],
  io: ['shared', 'macsec'],
  node: ['shared', 'macsec', 'mka', 'bgp', 'io'],
  offline: ['shared', 'macsec', 'mka', 'io'],
  lab: ['shared', 'macsec', 'mka', 'bgp', 'io', 'node'],
  aws: ['shared', 'macsec', 'mka', 'io', 'node', 'lab'],
  cli: ['shared', 'macsec', 'mka', 'bgp', 'io', 'node', 'lab', 'aws', 'offline'],
};
const PURE = ['shared', 'macsec', 'mka', 'bgp'];
const IMPURE = [/from 'node:(fs|net|dgram|child_process|http|https|os)'/, /\bsetTimeout\(|\bsetInterval\(/, /\bDate\.now\(/, /\brandomBytes\(/, /\bnew Date\(\)/];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  const all = files(SRC);
  it('every layer imports only inner layers', () => {
    const bad: string[] = [];
    for (const f of all) {
      const layer = relative(SRC, f).split('/')[0]!;
      if (!(layer in ALLOWED)) {
        bad.push(`${relative(ROOT, f)}: folder '${layer}' is not a known layer`);
        continue;
      }
      for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const target = relative(SRC, join(f, '..', m[1]!)).split('/')[0]!;
        if (target !== layer && !ALLOWED[layer]!.includes(target)) bad.push(`${relative(ROOT, f)} imports ${m[1]} (${layer} -> ${target})`);
      }
    }
    expect(bad).toEqual([]);
  });
  it('pure layers do no I/O and read no clock or randomness of their own', () => {
    const bad: string[] = [];
    for (const f of all) {
      const layer = relative(SRC, f).split('/')[0]!;
      if (!PURE.includes(layer)) continue;
      const text = readFileSync(f, 'utf8');
      for (const re of IMPURE) if (re.test(text)) bad.push(`${relative(ROOT, f)}: ${re}`);
    }
    expect(bad).toEqual([]);
  });
});
