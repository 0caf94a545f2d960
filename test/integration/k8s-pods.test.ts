/**
 * `dxlab k8s` run for real, without a cluster (root, CI): the Pod specs it
 * generates for router-dx.yaml (image, command, args, capabilities, the
 * ConfigMap and the Secret as mounted files, /dev/net/tun) run under a
 * private dockerd of the test's own, each pod a holder container and its
 * containers in the holder's namespace, each meshnet link a veth pair
 * between the pods' namespaces under the manifest's interface names, as
 * meshnet wires two pods on one host (test/helpers/pod-docker.ts). MKA
 * secures the link, BGP is Established, a ping crosses the VIF; then
 * everything is removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { docker } from '../../src/lab/index.js';
import { releaseTestEngine, testEngine, type TestEngine } from '../helpers/test-engine.js';
import { controlRequest } from '../../src/node/index.js';
import { ROOT } from '../helpers/cli.js';
import { removePods, runPods, type RunningPod } from '../helpers/pod-docker.js';

const isRoot = process.getuid?.() === 0;
const hasDocker = existsSync('/usr/bin/docker') && existsSync('/usr/sbin/dockerd');
const BIN = join(ROOT, 'bin', 'dxlab.js');

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms${last ? ` (last: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!isRoot || !hasDocker)('dxlab k8s: the generated pods under Docker, wired as meshnet wires them', () => {
  const hex = randomBytes(3).toString('hex');
  const lab = `k8s${hex}`;
  const label = `dxlab.k8stest=${lab}`;
  const prefix = `dxlab-k8s${hex}`;
  let dir = '';
  let engine: TestEngine | undefined;
  let env: NodeJS.ProcessEnv = {};
  let pods: RunningPod[] = [];
  const cli = (args: string[], timeout = 180_000) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dxlab-k8s-pods-'));
    engine = await testEngine(dir);
    env = { ...process.env, DXLAB_DOCKER_HOST: engine.host, DXLAB_STATE_DIR: join(dir, 'state') };
  }, 360_000);

  afterAll(async () => {
    if (engine) removePods(engine.host, label, ['router', 'dx'].map((n) => `${prefix}-${n}`), `k8s${hex}`);
    await releaseTestEngine(engine);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('router-dx.yaml: MKA secured and BGP Established between the two pods; then nothing is left', async () => {
    const built = cli(['image', 'build', 'node']);
    expect(built.status, built.stderr).toBe(0);
    const tag = /^(dxlab-node:\S+) \(built/.exec(built.stdout)?.[1];
    expect(tag, built.stdout).toBeDefined();
    const out = join(dir, 'manifests');
    const gen = cli(['k8s', 'topologies/router-dx.yaml', '--name', lab, '--image', tag!, '--out', out]);
    expect(gen.status, gen.stderr).toBe(0);
    const objects = readdirSync(out).sort().flatMap((f) => parseAllDocuments(readFileSync(join(out, f), 'utf8')).map((d) => d.toJS()));
    pods = await runPods(objects, { host: engine!.host, label, prefix, dir: join(dir, 'pods'), vethPrefix: `k8s${hex}` });
    expect(pods.map((p) => p.name)).toEqual(['router', 'dx']);

    // The node containers: NET_ADMIN and NET_RAW only, not privileged, the keys a read-only mount.
    const hc = JSON.parse(docker(engine!.host, ['inspect', '--format', '{{json .HostConfig}}', `${prefix}-router-node`])) as { Privileged: boolean; CapAdd: string[]; Binds: string[] };
    expect(hc.Privileged).toBe(false);
    expect([...hc.CapAdd].sort()).toEqual(['NET_ADMIN', 'NET_RAW']);
    expect(hc.Binds.filter((b) => b.endsWith(':/etc/dxlab/keys:ro'))).toHaveLength(1);
    // The init container set the wire's MTU to what `dxlab up` gives a veth.
    const router = pods.find((p) => p.name === 'router')!;
    expect(execFileSync('ip', ['-n', router.netns, '-o', 'link', 'show', 'eth1'], { encoding: 'utf8' })).toMatch(/mtu 1536/);

    // Each node answers on its control socket, in the pod's `run` emptyDir.
    const status = async (p: RunningPod) => (await controlRequest(join(p.volumes.run!, `${p.name}.sock`), { cmd: 'status' }, undefined, { timeoutMs: 5000 })).result as { ports: Array<{ secured?: boolean }>; vifs: Array<{ bgp: Array<{ state: string }> }> };
    await until('MKA secured on both pods', async () => ((await Promise.all(pods.map(status))).every((s) => s.ports[0]?.secured === true) ? true : undefined), 60_000);
    const states = await until(
      'BGP Established on both sessions of both pods',
      async () => {
        const s = (await Promise.all(pods.map(status))).flatMap((x) => x.vifs.flatMap((v) => v.bgp.map((b) => b.state)));
        return s.length === 4 && s.every((x) => x === 'Established') ? s : undefined;
      },
      90_000,
    );
    expect(states).toEqual(['Established', 'Established', 'Established', 'Established']);
    // The DX side's UPDATE follows Established: its route reaches the router's table a moment later.
    await until('the route learnt from the DX device', async () => (/172\.31\.0\.0\/16 via .* proto bgp/.test(execFileSync('ip', ['-n', router.netns, 'route'], { encoding: 'utf8' })) ? true : undefined), 30_000);
    const ping = execFileSync('ip', ['netns', 'exec', router.netns, 'ping', '-c', '2', '-i', '0.2', '-W', '2', '169.254.100.2'], { encoding: 'utf8' });
    expect(ping).toMatch(/2 received/);

    removePods(engine!.host, label, pods.map((p) => p.netns));
    expect(docker(engine!.host, ['ps', '-aq', '--filter', `label=${label}`]).trim()).toBe('');
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(prefix);
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain(`k8s${hex}`);
  }, 300_000);
});
