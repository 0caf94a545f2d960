/**
 * Where a capture may be written (no root needed): kernel pseudo file
 * systems, relative paths, directories and odd files are refused with the
 * path and the reason, and nothing is created; missing directories under a
 * real one are made one by one, and a path that cannot be made fails at once
 * instead of looping (Node 20's recursive mkdir spins forever under /proc).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeError, checkCapturePath, prepareCapturePath } from '../../../src/node/index.js';
import { CaptureFile } from '../../../src/node/capture.js';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();

async function refused(p: Promise<unknown>): Promise<NodeError> {
  try {
    await p;
  } catch (e) {
    return e as NodeError;
  }
  throw new Error('not refused');
}

describe('checkCapturePath', () => {
  mkdirSync(join(tmp, 'dir'));
  writeFileSync(join(tmp, 'file'), 'x');
  symlinkSync('/proc', join(tmp, 'to-proc'));
  symlinkSync('/dev/null', join(tmp, 'to-null'));
  execFileSync('mkfifo', [join(tmp, 'fifo')]);

  const cases: Array<[string, string, RegExp]> = [
    ['under /proc', '/proc/nope/x.pcapng', /--out \/proc\/nope\/x\.pcapng: is under \/proc, a kernel pseudo file system/],
    ['/proc itself', '/proc', /is under \/proc/],
    ['under /sys', '/sys/kernel/x.pcapng', /is under \/sys/],
    ['under /dev', '/dev/x.pcapng', /is under \/dev/],
    ['relative', 'pcaps/x.pcapng', /--out pcaps\/x\.pcapng: must be an absolute path/],
    ['empty', '', /'--out' must be a non-empty string/],
    ['through a link to /proc', join(tmp, 'to-proc/nope/x.pcapng'), /is under \/proc/],
    ['a link to /dev/null', join(tmp, 'to-null'), /is under \/dev/],
    ['a directory', join(tmp, 'dir'), /is a directory: give a file name/],
    ['a trailing slash', join(tmp, 'new') + '/', /names a directory/],
    ['a file as a directory', join(tmp, 'file/x.pcapng'), /file is not a directory/],
  ];
  for (const [name, path, msg] of cases) {
    it(`refuses ${name}, naming the path, and creates nothing`, async () => {
      const before = readdirSync(tmp).sort();
      const e = await refused(checkCapturePath(path, '--out'));
      expect(e).toBeInstanceOf(NodeError);
      expect(e.code).toBe('badRequest');
      expect(e.message).toMatch(msg);
      // prepare refuses the same way, before making anything.
      const e2 = await refused(prepareCapturePath(path, '--out'));
      expect(e2.message).toBe(e.message);
      expect(readdirSync(tmp).sort()).toEqual(before);
    });
  }

  it('accepts an existing regular file and a path whose directories are missing, creating nothing itself', async () => {
    expect(await checkCapturePath(join(tmp, 'file'))).toEqual({ path: join(tmp, 'file'), missing: [] });
    const p = join(tmp, 'a/b/c.pcapng');
    expect(await checkCapturePath(join(tmp, 'a/./b/../b/c.pcapng'))).toEqual({ path: p, missing: [join(tmp, 'a'), join(tmp, 'a/b')] });
    expect(existsSync(join(tmp, 'a'))).toBe(false);
  });
});

describe('prepareCapturePath', () => {
  it('makes the missing directories, outermost first, and returns the absolute path', async () => {
    const p = join(tmp, 'p/q/r/x.pcapng');
    expect(await prepareCapturePath(p)).toBe(p);
    expect(statSync(join(tmp, 'p/q/r')).isDirectory()).toBe(true);
    expect(existsSync(p)).toBe(false);
    // Again: everything exists now.
    expect(await prepareCapturePath(p)).toBe(p);
  });

  it('a dangling link on the way fails at once with NodeError capture, naming the directory', async () => {
    symlinkSync(join(tmp, 'nowhere'), join(tmp, 'dangling'));
    const e = await refused(prepareCapturePath(join(tmp, 'dangling/sub/x.pcapng')));
    expect(e).toBeInstanceOf(NodeError);
    expect(e.code).toBe('capture');
    expect(e.message).toMatch(/cannot create directory .*dangling .*: it exists and is not a directory/);
  });
});

describe('a FIFO (dxlab capture --out -)', () => {
  it('is a place a capture may go', async () => {
    expect((await checkCapturePath(join(tmp, 'fifo'), '--out')).path).toBe(join(tmp, 'fifo'));
  });
  it('with nobody reading it, is refused at once instead of holding a thread of the pool', async () => {
    const e = await refused(CaptureFile.create(join(tmp, 'fifo'), 'wire', 'w0', 'test'));
    expect(e).toBeInstanceOf(NodeError);
    expect(e.message).toMatch(/FIFO .*fifo: nobody reads it/);
  });
  it('with a reader, gets the pcapng section header first', async () => {
    const fd = openSync(join(tmp, 'fifo'), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const c = await CaptureFile.create(join(tmp, 'fifo'), 'wire', 'w0', 'test');
      await c.close();
      const b = Buffer.alloc(4);
      expect(readSync(fd, b)).toBe(4);
      // Section Header Block type (pcapng, RFC draft-ietf-opsawg-pcapng 4.1).
      expect(b.toString('hex')).toBe('0a0d0d0a');
    } finally {
      closeSync(fd);
    }
  });
});
