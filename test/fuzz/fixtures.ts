/**
 * Inputs that once crashed, hung or miscounted, kept under
 * test/fixtures/malformed/<target>/ (named by their SHA-256) and replayed by
 * the unit suite forever after.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import type { Finding } from './target.js';

export const MALFORMED_DIR = join(ROOT, 'test', 'fixtures', 'malformed');

/** Writes a finding's input; @returns its path. */
export function saveFinding(target: string, f: Finding): string {
  const dir = join(MALFORMED_DIR, target);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash('sha256').update(f.input).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(file, f.input);
  return file;
}

/** The saved inputs of a target, by file name. */
export function savedInputs(target: string): Array<[string, Uint8Array]> {
  const dir = join(MALFORMED_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]);
}
