/**
 * An image build's scratch folder is removed without reaching outside it:
 * what a killed debootstrap left mounted inside is unmounted first (a bind
 * mount of a folder outside stands for its proc, sysfs and device binds), and
 * a symbolic link inside is unlinked, not followed. Mounting needs root.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mountPoints, mountsBelow, removeBuildFolder } from '../../../src/lab/images/build-folder.js';

const isRoot = process.getuid?.() === 0;

describe('image build folder', () => {
  it('reads mount points with their octal escapes undone, and lists those below a folder deepest first', () => {
    const info = ['22 1 0:21 / /proc rw - proc proc rw', '30 1 0:30 / /tmp/b\\040x/rootfs/proc rw - proc proc rw', '31 1 0:31 / /tmp/b\\040x/rootfs/proc/sys rw - sysfs s rw', '32 1 0:32 / /tmp/b\\040xy rw - tmpfs t rw'].join('\n');
    const points = mountPoints(info);
    expect(points).toEqual(['/proc', '/tmp/b x/rootfs/proc', '/tmp/b x/rootfs/proc/sys', '/tmp/b xy']);
    expect(mountsBelow('/tmp/b x', points)).toEqual(['/tmp/b x/rootfs/proc/sys', '/tmp/b x/rootfs/proc']);
    expect(mountsBelow('/tmp/b x/', points)).toEqual(['/tmp/b x/rootfs/proc/sys', '/tmp/b x/rootfs/proc']);
  });

  describe.skipIf(!isRoot)('on this machine', () => {
    const made: string[] = [];
    afterEach(() => {
      for (const d of made.splice(0)) {
        for (const m of mountsBelow(d)) spawnSync('umount', ['-l', m]);
        rmSync(d, { recursive: true, force: true });
      }
    });

    it('unmounts what is mounted inside, then removes it; the folder mounted there and a linked folder keep their files', () => {
      const outside = mkdtempSync(join(tmpdir(), 'dxlab-bf-outside-'));
      const scratch = mkdtempSync(join(tmpdir(), 'dxlab-bf-build-'));
      made.push(scratch, outside);
      writeFileSync(join(outside, 'keep'), 'outside the build\n');
      const proc = join(scratch, 'rootfs', 'proc');
      mkdirSync(proc, { recursive: true });
      expect(spawnSync('mount', ['--bind', outside, proc]).status).toBe(0);
      symlinkSync(outside, join(scratch, 'rootfs', 'link'));
      expect(mountsBelow(scratch)).toEqual([proc]);
      removeBuildFolder(scratch);
      expect(existsSync(scratch)).toBe(false);
      expect(mountsBelow(scratch)).toEqual([]);
      expect(readFileSync(join(outside, 'keep'), 'utf8')).toBe('outside the build\n');
    });

    it('a folder that is not there is nothing to do', () => {
      expect(() => removeBuildFolder(join(tmpdir(), `dxlab-bf-none-${process.pid}-${Date.now()}`))).not.toThrow();
    });
  });
});
