import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GUEST_PACKAGES, buildImage, buildsInProgress, findImage, imageCacheRoot, imageInputs, imageKey, qemuArgs } from '../../../src/lab/index.js';

describe('linux-peer image', () => {
  const saved = process.env.DXLAB_IMAGE_CACHE;
  afterEach(() => {
    if (saved === undefined) delete process.env.DXLAB_IMAGE_CACHE;
    else process.env.DXLAB_IMAGE_CACHE = saved;
  });

  it('is keyed by every input of the builder', () => {
    const base = imageInputs();
    const k = imageKey(base);
    expect(k).toMatch(/^[0-9a-f]{16}$/);
    expect(imageKey({ ...base })).toBe(k);
    expect(imageKey({ ...base, packages: [...base.packages, 'curl'] })).not.toBe(k);
    expect(imageKey({ ...base, init: base.init + '\n' })).not.toBe(k);
    expect(imageKey({ ...base, builder: base.builder + 1 })).not.toBe(k);
  });

  it('holds what the peer runs', () => {
    for (const p of ['linux-image-amd64', 'wpasupplicant', 'iproute2', 'bird2', 'tcpdump', 'iperf3', 'iputils-ping']) expect(GUEST_PACKAGES).toContain(p);
  });

  it('lives outside the clone, DXLAB_IMAGE_CACHE overriding /var/cache/dxlab/images', () => {
    delete process.env.DXLAB_IMAGE_CACHE;
    expect(imageCacheRoot()).toBe('/var/cache/dxlab/images');
    const dir = mkdtempSync(join(tmpdir(), 'dxlab-img-'));
    try {
      process.env.DXLAB_IMAGE_CACHE = dir;
      expect(imageCacheRoot()).toBe(dir);
      expect(findImage()).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a build waits for another live process building the same image and takes its result; a dead one is not waited for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dxlab-img-'));
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      process.env.DXLAB_IMAGE_CACHE = dir;
      const final = join(dir, `linux-peer-${imageKey(imageInputs())}`);
      // A scratch folder of a process that is gone (PID 2^22 + 1 is above Linux's pid_max limit): not a build in progress.
      mkdirSync(`${final}.build-4194305`);
      expect(buildsInProgress(final)).toEqual([]);
      const work = `${final}.build-${other.pid}`;
      mkdirSync(work);
      expect(buildsInProgress(final)).toEqual([other.pid]);
      const lines: string[] = [];
      const built = buildImage((l) => lines.push(l));
      // The other process finishes as buildImage does: the image complete in its scratch folder, renamed into place.
      await new Promise((r) => setTimeout(r, 300));
      expect(lines).toEqual([`image linux-peer: process ${other.pid} is building it; waiting for it`]);
      writeFileSync(join(work, 'image.json'), JSON.stringify({ release: '6.1.0-test-amd64' }));
      renameSync(work, final);
      other.kill('SIGKILL');
      const img = await built;
      expect(img).toMatchObject({ dir: final, release: '6.1.0-test-amd64' });
      expect(lines.at(-1)).toBe(`image linux-peer: built by process ${other.pid} in ${final}`);
    } finally {
      other.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('boots under TCG straight from the kernel, the shared disk never written', () => {
    const a = qemuArgs({ dir: '/i', kernel: '/i/vmlinuz', initrd: '/i/initrd.img', disk: '/i/root.ext4', release: 'x' }, { extra: ['-netdev', 'tap,id=n0'] });
    expect(a.join(' ')).toContain('accel=tcg');
    expect(a[a.indexOf('-kernel') + 1]).toBe('/i/vmlinuz');
    expect(a[a.indexOf('-initrd') + 1]).toBe('/i/initrd.img');
    expect(a[a.indexOf('-drive') + 1]).toContain('snapshot=on');
    expect(a[a.indexOf('-append') + 1]).toContain('console=ttyS0');
    expect(a.slice(-2)).toEqual(['-netdev', 'tap,id=n0']);
  });
});
