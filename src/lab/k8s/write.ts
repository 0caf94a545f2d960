/**
 * Writes the manifests of k8s/manifests.ts as YAML files in a folder the
 * user names (`dxlab k8s --out DIR`), one multi-document file per step so
 * that `kubectl apply -f DIR` applies them in order. The Secrets' file is
 * mode 0600 (a key file), the others 0644. Every check runs before anything
 * is written, so a refused folder is left as it was.
 */
import { lstatSync, mkdirSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { LabError } from '../errors.js';
import { writeFileAtomic } from '../state-dir.js';
import type { K8sManifests } from './manifests.js';

const require = createRequire(import.meta.url);
/** yaml on first use: src/lab/index.ts re-exports this module, and a command that writes no YAML should not load it at start. */
const yamlStringify = (value: unknown, options: { lineWidth: number }): string => (require('yaml') as typeof import('yaml')).stringify(value, options);

/**
 * The folder `--out` names, absolute.
 * @throws LabError('unsafePath') for a path with a `..` segment or a NUL, or
 *   one that exists as something other than a plain folder (a symbolic
 *   link, a file).
 */
export function checkOutDir(dir: string): string {
  if (dir === '' || dir.includes('\0')) throw new LabError('unsafePath', '--out: give a folder');
  // `..` climbs out of wherever the user meant to write: refused rather than resolved.
  if (dir.split(/[/\\]+/).includes('..')) throw new LabError('unsafePath', `--out ${dir}: a path with '..' is refused; name the folder itself`);
  const abs = resolve(dir);
  const st = lstatIfAny(abs);
  if (st) {
    if (st.isSymbolicLink()) throw new LabError('unsafePath', `--out ${dir} is a symbolic link; name a real folder`);
    if (!st.isDirectory()) throw new LabError('unsafePath', `--out ${dir} exists and is not a folder`);
  }
  return abs;
}

/** What is at `p` itself (a link not followed), or undefined when nothing is. */
function lstatIfAny(p: string): Stats | undefined {
  return lstatSync(p, { throwIfNoEntry: false });
}

/** The YAML text of one file: its objects as documents. */
export function manifestYaml(objects: object[]): string {
  return objects.map((o) => yamlStringify(o, { lineWidth: 0 })).join('---\n');
}

/**
 * Writes `m` into `dir` (made, mode 0700, if missing).
 * @returns the files written, absolute.
 * @throws LabError('unsafePath') (checkOutDir, or a file there that is not a plain file) before anything is written.
 */
export function writeK8sManifests(m: K8sManifests, dir: string): string[] {
  const abs = checkOutDir(dir);
  const targets = m.files.map((f) => ({ ...f, path: join(abs, f.name) }));
  for (const t of targets) {
    const st = lstatIfAny(t.path);
    if (st && !st.isFile()) throw new LabError('unsafePath', `--out ${dir}: ${t.name} exists and is not a plain file`);
  }
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  for (const t of targets) writeFileAtomic(t.path, manifestYaml(t.objects), t.secret ? 0o600 : 0o644);
  return targets.map((t) => t.path);
}
