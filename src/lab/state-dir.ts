/**
 * A lab's state folder on disk (`<state root>/<lab>/`): claiming it for a new
 * lab, writing its files atomically, reading its state file, and removing
 * only what a lab puts there.
 *
 * Nothing here follows a lab's folder anywhere else: the folder must be a
 * plain folder directly inside the (real) state root. A symbolic link in its
 * place, which could lead to any folder of the machine, is refused before
 * anything is read, stopped or removed. Removal is never recursive: the files
 * named by LAB_FILE_RE (paths.ts) are unlinked one by one (a symbolic link
 * among them is unlinked, not followed), then the folder if it is empty.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, realpathSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LabError } from './errors.js';
import { CHECKOUT, LAB_FILE_RE, LAB_NAME_RE, labDir, stateRoot } from './paths.js';

/** Who started a lab: recorded in its state file at `up` and `link up`. */
export interface LabOwner {
  uid: number;
  /** The dxlab checkout it was started from (paths.ts CHECKOUT). */
  checkout: string;
}

export function currentOwner(): LabOwner {
  return { uid: process.getuid?.() ?? -1, checkout: CHECKOUT };
}

/** What a lab's state file holds, as far as it can be read. */
export type StateRead = { status: 'missing' } | { status: 'unreadable'; file: string; reason: string } | { status: 'ok'; file: string; value: Record<string, unknown> };

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/**
 * The lab's state folder, as a real path, when it exists.
 * @returns undefined when there is no folder of that name.
 * @throws LabError('badName') for a name that is not a lab name;
 *   LabError('unsafePath') when the name is a symbolic link or anything but
 *   a folder directly inside the state root.
 */
export function existingLabDir(lab: string): string | undefined {
  const dir = labDir(lab);
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw new LabError('host', `${dir}: ${(e as Error).message}`, { cause: e });
  }
  if (st.isSymbolicLink()) {
    throw new LabError('unsafePath', `${dir} is a symbolic link (to ${readlinkSync(dir)}), not a lab's state folder: dxlab touches nothing through it; remove the link yourself`);
  }
  if (!st.isDirectory()) throw new LabError('unsafePath', `${dir} is not a folder, so not a lab's state folder: dxlab touches nothing there`);
  const real = realpathSync(dir);
  if (real !== join(realpathSync(stateRoot()), lab)) throw new LabError('unsafePath', `${dir} resolves to ${real}, outside the state root ${stateRoot()}: dxlab touches nothing there`);
  return real;
}

/**
 * Creates the folder of a new lab. mkdir without `recursive` fails when the
 * folder exists, so of two `up` racing for one name exactly one gets it, and
 * the other's clean-up never removes what the first built.
 * @throws LabError('exists') when the folder exists already; 'badName'; 'host'.
 */
export function claimLabDir(lab: string): string {
  const dir = labDir(lab);
  try {
    mkdirSync(stateRoot(), { recursive: true });
    mkdirSync(dir);
  } catch (e) {
    if (errno(e) === 'EEXIST') throw new LabError('exists', `a lab named '${lab}' exists already (${dir}): dxlab down ${lab}`, { cause: e });
    throw new LabError('host', `cannot create ${dir}: ${(e as Error).message}`, { cause: e });
  }
  return existingLabDir(lab)!;
}

/**
 * Writes a file so that a reader, or a `kill -9` at any instant, sees either
 * the old content or the new, never a truncated file: a temporary file in the
 * same folder (so that rename stays within one file system, where POSIX
 * rename(2) replaces the target atomically), written and fsync'ed, then
 * renamed over the target, then the folder fsync'ed so that the rename itself
 * is on disk.
 * @throws Error from the file system; the temporary file is removed.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const data = Buffer.from(text, 'utf8');
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or renamed already */
    }
    throw e;
  }
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** Writes a lab's state file atomically (writeFileAtomic). */
export function writeStateFile(lab: string, state: object): void {
  writeFileAtomic(join(labDir(lab), 'state.json'), JSON.stringify(state, null, 2) + '\n');
}

/**
 * Reads a lab's state file. An empty or garbled file (a `dxlab up` killed
 * while an older dxlab wrote it) is 'unreadable', not an exception: `down`
 * then works from the naming scheme.
 * @throws LabError('badName', 'unsafePath') as existingLabDir.
 */
export function readStateFile(lab: string): StateRead {
  const dir = existingLabDir(lab);
  if (!dir) return { status: 'missing' };
  const file = join(dir, 'state.json');
  let text: string;
  try {
    if (lstatSync(file).isSymbolicLink()) return { status: 'unreadable', file, reason: 'a symbolic link' };
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT') return { status: 'missing' };
    return { status: 'unreadable', file, reason: errno(e) ?? (e as Error).message };
  }
  if (text.trim() === '') return { status: 'unreadable', file, reason: 'empty' };
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { status: 'unreadable', file, reason: 'not a JSON object' };
    return { status: 'ok', file, value: value as Record<string, unknown> };
  } catch (e) {
    return { status: 'unreadable', file, reason: `not JSON: ${(e as Error).message}` };
  }
}

/** The owner recorded in a state, when it records one. */
export function ownerOf(state: Record<string, unknown>): LabOwner | undefined {
  const o = state.owner as Partial<LabOwner> | undefined;
  return typeof o?.uid === 'number' && typeof o.checkout === 'string' ? { uid: o.uid, checkout: o.checkout } : undefined;
}

/** Every lab with a state folder holding a state file (readable or not). */
export function listLabs(): string[] {
  const root = stateRoot();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names.filter((d) => {
    if (!LAB_NAME_RE.test(d)) return false;
    try {
      return lstatSync(join(root, d)).isDirectory() && lstatSync(join(root, d, 'state.json')).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Removes what a lab keeps in its state folder: the files LAB_FILE_RE names
 * (unlinked, never followed), then the folder when nothing else is left.
 * @returns what stays, with the reason (normally nothing).
 */
export function removeLabFiles(dir: string): string[] {
  const foreign: string[] = [];
  const failed: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    try {
      if (lstatSync(p).isDirectory() || !LAB_FILE_RE.test(name)) foreign.push(name);
      else unlinkSync(p);
    } catch (e) {
      if (errno(e) !== 'ENOENT') failed.push(`${p} (${errno(e) ?? (e as Error).message})`);
    }
  }
  if (foreign.length) failed.push(`folder ${dir} (it holds ${foreign.join(', ')}, which dxlab does not make: look, and remove it yourself)`);
  if (failed.length) return failed;
  try {
    rmdirSync(dir);
  } catch (e) {
    if (errno(e) !== 'ENOENT') return [`folder ${dir} (${errno(e) ?? (e as Error).message})`];
  }
  return [];
}
