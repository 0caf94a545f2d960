/**
 * Where a capture file may go: checked by the CLI before it asks the node,
 * and again by the node before it creates anything, with fs/promises only, so
 * that no path a user types can stall the node's event loop.
 *
 * Why the node does not call mkdir with `recursive: true`: Node 20's
 * recursive mkdir (sync and async alike) reads ENOENT as "the parent is
 * missing", creates the parent (EEXIST, taken as success) and tries again.
 * procfs answers ENOENT to a mkdir of a name that cannot exist there, so
 * `/proc/nope/x` loops forever at 100% CPU (seen with dxlab and reported for
 * other programs, e.g. github.com/Kewton/CommandMate issue 1774). Here each
 * missing directory is made once, outermost first, and a failure is final.
 *
 * @example
 * const { path } = await checkCapturePath(resolve(process.cwd(), out), '--out'); // CLI: nothing created
 * const file = await prepareCapturePath(path); // node: missing directories made
 */
import { constants } from 'node:fs';
import { access, mkdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { NodeError } from './errors.js';

/** Kernel pseudo file systems: a file there is not a file, and writing one can do anything. */
const PSEUDO_FS_ROOTS = ['/proc', '/sys', '/dev'];

export interface CapturePathCheck {
  /** The normalized absolute path. */
  path: string;
  /** Directories that do not exist yet, outermost first. */
  missing: string[];
}

function pseudoRoot(p: string): string | undefined {
  return PSEUDO_FS_ROOTS.find((r) => p === r || p.startsWith(r + sep));
}

/** The real path, or the path itself when it cannot be resolved (the checks that follow report why). */
async function real(p: string): Promise<string> {
  return realpath(p).catch(() => p);
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function refuse(field: string, path: string, why: string): NodeError {
  return new NodeError('badRequest', `${field} ${path}: ${why}`);
}

/**
 * Checks that a capture can be written at `path` without changing anything:
 * absolute, outside /proc, /sys and /dev (also through symbolic links), a
 * regular file or a FIFO when it exists, and its nearest existing ancestor a writable directory.
 * @param field what the caller calls the path in its errors ('path', '--out').
 * @throws NodeError('badRequest') naming the field, the path and the reason.
 */
export async function checkCapturePath(path: string, field = 'path'): Promise<CapturePathCheck> {
  if (typeof path !== 'string' || path.length === 0) throw new NodeError('badRequest', `'${field}' must be a non-empty string`);
  if (!isAbsolute(path)) throw refuse(field, path, "must be an absolute path (a node's working directory is not the client's)");
  if (path.endsWith(sep)) throw refuse(field, path, 'names a directory: give a file name');
  const full = resolve(path);
  const inPseudo = (p: string) => {
    const root = pseudoRoot(p);
    if (root) throw refuse(field, path, `is under ${root}, a kernel pseudo file system: write captures to a regular directory`);
  };
  inPseudo(full);
  // The file itself, when it exists: a regular file (possibly through a link) is overwritten, nothing else is.
  const self = await stat(full).catch((e: unknown) => e as NodeJS.ErrnoException);
  if (!(self instanceof Error)) {
    inPseudo(await real(full));
    if (self.isDirectory()) throw refuse(field, path, 'is a directory: give a file name');
    // A FIFO is a stream's way in (`dxlab capture --out -`, or tshark reading a named pipe).
    if (!self.isFile() && !self.isFIFO()) throw refuse(field, path, 'exists and is neither a regular file nor a FIFO');
    await access(full, constants.W_OK).catch((e: unknown) => {
      throw refuse(field, path, `is not writable (${errnoOf(e)})`);
    });
    return { path: full, missing: [] };
  }
  if (self.code !== 'ENOENT' && self.code !== 'ENOTDIR') throw refuse(field, path, `cannot be checked (${self.code})`);
  return { path: full, missing: await missingParents(full, field, path) };
}

/**
 * The directories above `full` that do not exist yet, outermost first; the
 * nearest one that exists must be a writable directory outside the pseudo
 * file systems.
 */
async function missingParents(full: string, field: string, path: string): Promise<string[]> {
  const missing: string[] = [];
  let dir = dirname(full);
  for (;;) {
    const st = await stat(dir).catch((e: unknown) => e as NodeJS.ErrnoException);
    if (!(st instanceof Error)) {
      if (!st.isDirectory()) throw refuse(field, path, `${dir} is not a directory`);
      break;
    }
    if (st.code !== 'ENOENT' && st.code !== 'ENOTDIR') throw refuse(field, path, `cannot check ${dir} (${st.code})`);
    missing.unshift(dir);
    dir = dirname(dir);
  }
  const root = pseudoRoot(await real(dir));
  if (root) throw refuse(field, path, `is under ${root}, a kernel pseudo file system`);
  await access(dir, constants.W_OK | constants.X_OK).catch((e: unknown) => {
    throw refuse(field, path, `directory ${dir} is not writable (${errnoOf(e)})`);
  });
  return missing;
}

/** Makes directories one by one (never a recursive mkdir: see the top of this file). */
async function makeDirs(dirs: string[], what: string): Promise<void> {
  for (const d of dirs) {
    try {
      await mkdir(d);
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw new NodeError('capture', `cannot create directory ${d} for ${what}: ${errnoOf(e)}`, { cause: e });
      // Made meanwhile, or a dangling symbolic link: only a directory will do.
      const st = await stat(d).catch(() => undefined);
      if (!st?.isDirectory()) throw new NodeError('capture', `cannot create directory ${d} for ${what}: it exists and is not a directory`);
    }
  }
}

/**
 * The folder of a file the node makes that is not a capture (its control
 * socket): outside the pseudo file systems, made one level at a time.
 * @throws NodeError('badRequest') naming the field; NodeError('capture') when a directory cannot be made.
 */
export async function prepareParentDir(path: string, field: string): Promise<string> {
  const full = resolve(path);
  const root = pseudoRoot(full);
  if (root) throw refuse(field, path, `is under ${root}, a kernel pseudo file system`);
  await makeDirs(await missingParents(full, field, path), path);
  return full;
}

/**
 * {@link checkCapturePath}, then makes the missing directories one by one.
 * @returns the normalized absolute path, ready to be opened.
 * @throws NodeError('badRequest') for a path refused; NodeError('capture') when a directory cannot be made.
 */
export async function prepareCapturePath(path: string, field = 'path'): Promise<string> {
  const c = await checkCapturePath(path, field);
  await makeDirs(c.missing, `capture ${c.path}`);
  return c.path;
}
