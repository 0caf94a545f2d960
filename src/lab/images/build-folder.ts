/**
 * Removing an image build's scratch folder without reaching outside it.
 *
 * debootstrap mounts proc and sysfs in its target (and, in a container, binds
 * device files into it) and unmounts them when it ends; killed half-way, it
 * leaves them mounted. A recursive delete of the scratch folder would then walk
 * into whatever is mounted there. So: unmount everything mounted at or below
 * the folder first (deepest first), refuse if anything stays mounted, and only
 * then delete; symbolic links inside are unlinked, never followed (fs.rm).
 */
import { readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve, sep } from 'node:path';
import { LabError } from '../errors.js';

/** Mount points listed in /proc/self/mountinfo (field 5, octal escapes undone). */
export function mountPoints(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  return mountinfo
    .split('\n')
    .filter(Boolean)
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** Mount points at or below `dir`, deepest first. */
export function mountsBelow(dir: string, points = mountPoints()): string[] {
  const d = resolve(dir);
  return [...new Set(points.filter((p) => p === d || p.startsWith(d + sep)))].sort((a, b) => b.length - a.length);
}

/**
 * Unmounts what is mounted inside `dir`, then deletes it.
 * @throws LabError('host') naming what stays mounted; nothing is deleted then.
 */
export function removeBuildFolder(dir: string): void {
  for (const m of mountsBelow(dir)) {
    if (spawnSync('umount', [m]).status !== 0) spawnSync('umount', ['-l', m]);
  }
  const left = mountsBelow(dir);
  if (left.length) throw new LabError('host', `${dir} still has ${left.join(', ')} mounted; not removing it: unmount them and remove it yourself`);
  rmSync(dir, { recursive: true, force: true });
}
