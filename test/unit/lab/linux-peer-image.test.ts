import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GUEST_PACKAGES, findImage, imageCacheRoot, imageInputs, imageKey, qemuArgs } from '../../../src/lab/index.js';

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
