/**
 * TCP MD5 sockets (src/io/native/tcp-md5.c): a failed system call surfaces as
 * an IoError whose errno is the errno's own name, for every errno (the C
 * side names them through sys.c dxio_errno_name; it once knew ten names and
 * called every other errno EIO). Needs the addon, not root: the namespace
 * path fails before anything is entered.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IoError, nativeAvailable } from '../../../src/io/index.js';
import { openTcpSocket } from '../../../src/io/tcp-md5.js';

const scratch = mkdtempSync(join(tmpdir(), 'dxlab-tcp-md5-'));
const file = join(scratch, 'not-a-directory');
writeFileSync(file, '');

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function openError(netns: string): IoError {
  try {
    openTcpSocket({ address: '127.0.0.1', netns });
  } catch (e) {
    return e as IoError;
  }
  throw new Error(`openTcpSocket in ${netns} did not fail`);
}

describe.skipIf(!nativeAvailable())('TCP MD5 socket errors', () => {
  it.each([
    ['ENOTDIR', () => join(file, 'x')],
    ['ENAMETOOLONG', () => join(scratch, 'n'.repeat(300))],
  ] as const)('a namespace path failing with %s names that errno', (name, path) => {
    const e = openError(path());
    expect(e).toBeInstanceOf(IoError);
    expect(e.code).toBe('socket');
    expect(e.errno).toBe(name);
    expect(e.syscall).toBe('setns');
    const cause = e.cause as { code?: string; errno?: number };
    expect(cause.code).toBe(name);
    expect(cause.errno).toBe(constants.errno[name]);
  });
});
