/**
 * The docker runtime's pure parts: what `ldd` lists goes into the node
 * image, the image's tag changes when (and only when) an input changes, the
 * node container gets NET_ADMIN and NET_RAW only with its configuration and
 * key files read-only, and `--runtime` names a runtime of the registry.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyFilesOf, nodeRunArgs, removeDockerLab } from '../../../src/lab/runtimes/docker.js';
import { nodeImageHash, nodeImageInputs, parseLdconfig, parseLdd, type NodeImageInputs } from '../../../src/lab/docker/node-image.js';
import { labDockerHost } from '../../../src/lab/docker/engine.js';
import { LabError, withDefaultRuntime, type Topology } from '../../../src/lab/index.js';
import { tempDir } from '../../helpers/tmp.js';

/** One scratch folder for the file, removed after it (tempDir registers its afterAll here, not inside a test). */
const scratch = tempDir('dxlab-docker-unit-');
let made = 0;
const sub = () => {
  const d = join(scratch, String(made++));
  mkdirSync(d);
  return d;
};

describe('node image', () => {
  it('takes every library ldd lists, and the loader, but not the vDSO', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f)',
    ].join('\n');
    expect(parseLdd(out)).toEqual(['/lib/x86_64-linux-gnu/libstdc++.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
  });

  it("finds the library the addon dlopens (intel-ipsec-mb) where the loader would, this machine's architecture first", () => {
    const out = [
      '1234 libs found in cache `/etc/ld.so.cache\'',
      '\tlibIPSec_MB.so.1 (libc6) => /lib/i386-linux-gnu/libIPSec_MB.so.1',
      '\tlibIPSec_MB.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libIPSec_MB.so.1',
      '\tlibIPSec_MB.so (libc6,x86-64) => /lib/x86_64-linux-gnu/libIPSec_MB.so',
    ].join('\n');
    expect(parseLdconfig(out, 'libIPSec_MB.so.1', 'x64')).toBe('/lib/x86_64-linux-gnu/libIPSec_MB.so.1');
    expect(parseLdconfig(out, 'libIPSec_MB.so.1', 'ia32')).toBe('/lib/i386-linux-gnu/libIPSec_MB.so.1');
    expect(parseLdconfig(out, 'libIPSec_MB.so.2', 'x64')).toBeUndefined();
  });

  it('takes intel-ipsec-mb into the image where the host has it, so that its nodes can run the ipsec-mb engine', () => {
    const lib = parseLdconfig(execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }), 'libIPSec_MB.so.1');
    const system = nodeImageInputs().system.map(([src]) => src);
    if (lib) expect(system).toContain(lib);
    else expect(system.some((p) => p.includes('libIPSec_MB'))).toBe(false);
  });

  it("its hash changes when a built file changes, and not otherwise (rebuilt only then)", () => {
    const root = sub();
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', 'a.js'), 'one');
    writeFileSync(join(root, 'package.json'), '{"version":"0.1.0"}');
    const inputs: NodeImageInputs = { system: [[process.execPath, '/usr/local/bin/node']], project: ['dist', 'package.json'], modules: ['node_modules/x'] };
    const h1 = nodeImageHash(inputs, root);
    expect(nodeImageHash(inputs, root)).toBe(h1);
    writeFileSync(join(root, 'dist', 'a.js'), 'two');
    const h2 = nodeImageHash(inputs, root);
    expect(h2).not.toBe(h1);
    writeFileSync(join(root, 'dist', 'b.js'), '');
    expect(nodeImageHash(inputs, root)).not.toBe(h2);
    expect(nodeImageHash({ ...inputs, modules: [] }, root)).not.toBe(nodeImageHash(inputs, root));
  });
});

describe('node container', () => {
  const n = { lab: 'l1', name: 'router', netns: 'dxlab-l1-router', config: '/s/l1/router.json', log: '/s/l1/router.log', socket: '/s/l1/router.run/router.sock', pid: 0 };
  const cfg = { captureDir: '/w/pcaps/l1', ports: [{ macsec: { keyFile: '/s/l1/keys.json' } }, { macsec: { keyFile: '/s/l1/keys2.json' } }, { macsec: { keyFile: '/s/l1/keys.json' } }] };

  it('finds every key file its configuration names, once', () => {
    expect(keyFilesOf(cfg).sort()).toEqual(['/s/l1/keys.json', '/s/l1/keys2.json']);
  });

  it('runs with NET_ADMIN and NET_RAW only, /dev/net/tun, in its holder\'s namespace, configuration and keys read-only', () => {
    const a = nodeRunArgs(n, cfg, keyFilesOf(cfg)).join(' ');
    expect(a).toContain('--cap-drop ALL --cap-add NET_ADMIN --cap-add NET_RAW --device /dev/net/tun');
    expect(a).not.toMatch(/--privileged|SYS_ADMIN/);
    expect(a).toContain('--network container:dxlab-l1-router-ns');
    expect(a).toContain('-v /s/l1/router.json:/s/l1/router.json:ro');
    expect(a).toContain('-v /s/l1/keys.json:/s/l1/keys.json:ro');
    expect(a).toContain('-v /s/l1/keys2.json:/s/l1/keys2.json:ro');
    // Writable: its own socket folder and the captures only, never the lab's folder (other nodes' keys).
    expect(a).toContain('-v /s/l1/router.run:/s/l1/router.run ');
    expect(a).not.toMatch(/-v \/s\/l1:/);
    expect(a).toContain('--label dxlab.lab=l1');
  });
});

describe('engine and --runtime', () => {
  it('DXLAB_DOCKER_HOST must be given, as unix:///PATH', () => {
    expect(() => labDockerHost('')).toThrow(/DXLAB_DOCKER_HOST/);
    expect(() => labDockerHost('tcp://1.2.3.4:2375')).toThrow(/unix:\/\/\/PATH/);
    expect(labDockerHost('unix:///tmp/x/docker.sock')).toBe('unix:///tmp/x/docker.sock');
  });

  it('--runtime sets the runtime of nodes that name none, and refuses an unknown one', () => {
    const topo = { name: 't', file: 't.yaml', nodes: [{ name: 'a', kind: 'router', options: {} }, { name: 'p', kind: 'linux-peer', runtime: 'qemu-vm', options: {} }], links: [], vifs: [] } as unknown as Topology;
    expect(withDefaultRuntime(topo, 'docker').nodes.map((x) => x.runtime)).toEqual(['docker', 'qemu-vm']);
    expect(() => withDefaultRuntime(topo, 'podman')).toThrow(LabError);
    expect(() => withDefaultRuntime(topo, 'podman')).toThrow(/--runtime: no node runtime 'podman'/);
  });

  it('down with no engine named says the containers were not looked for, and keeps the socket folders for a later down', async () => {
    const dir = sub();
    mkdirSync(join(dir, 'router.run'));
    writeFileSync(join(dir, 'router.run', 'router.sock'), '');
    const r = await removeDockerLab('l1', dir, '');
    expect(r.removed).toEqual([]);
    expect(r.leftover).toEqual([expect.stringMatching(/containers of lab l1 \(label dxlab\.lab=l1\): DXLAB_DOCKER_HOST is not set/)]);
    expect(existsSync(join(dir, 'router.run', 'router.sock'))).toBe(true);
    // No docker node in the lab (no socket folder): nothing to say.
    expect(await removeDockerLab('l2', sub(), '')).toEqual({ removed: [], leftover: [] });
  });
});
