/**
 * The docker runtime (root, CI): a private dockerd of the test's own (its
 * data root, exec root, pidfile and socket in a scratch folder, no bridge,
 * no iptables), the node image built there once and found again, and
 * router-dx.yaml with `--runtime docker`: each node in a container with
 * NET_ADMIN and NET_RAW only, MKA secured, BGP Established, ping across the
 * VIF, the wire capture readable, a node killed and restarted; then a kill -9 of the supervisor and of
 * the containers' clients, and `dxlab down` leaves no container, veth or
 * namespace. Nothing here talks to the machine's own Docker daemon, if any:
 * every call names the engine (-H, DXLAB_DOCKER_HOST). Then, on the same
 * engine and image, router-switch-dx.yaml with `--runtime docker` and the
 * shipped docker-compose.yml (docker-compose-cases.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker } from '../../src/lab/index.js';
import { releaseTestEngine, testEngine, type TestEngine } from '../helpers/test-engine.js';
import { nativeGcmEngines } from '../../src/io/index.js';
import { ROOT } from '../helpers/cli.js';
import { tshark } from '../helpers/tshark.js';
import { untilHolds } from '../helpers/until.js';
import { dockerComposeCases } from './docker-compose-cases.js';

const isRoot = process.getuid?.() === 0;
const hasDocker = existsSync('/usr/bin/docker') && existsSync('/usr/sbin/dockerd');
const BIN = join(ROOT, 'bin', 'dxlab.js');

describe.skipIf(!isRoot || !hasDocker)('docker runtime', () => {
  const lab = `dk${randomBytes(3).toString('hex')}`;
  let dir = '';
  let engine: TestEngine;
  let env: NodeJS.ProcessEnv = {};
  // The image build and the lab's start take tens of seconds on a loaded 2-core machine: bounded loosely.
  const cli = (args: string[], timeout = 180_000) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout });
  const ps = () => docker(engine.host, ['ps', '-a', '--filter', `label=dxlab.lab=${lab}`, '--format', '{{.Names}}']).split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dxlab-docker-'));
    engine = await testEngine(dir);
    env = { ...process.env, DXLAB_DOCKER_HOST: engine.host, DXLAB_STATE_DIR: join(dir, 'state') };
  }, 360_000);

  afterAll(async () => {
    if (engine) cli(['down', lab]);
    // The engine stops its containers and unmounts their layers; only then is its folder removed.
    await releaseTestEngine(engine);
    if (dir) rmSync(dir, { recursive: true, force: true });
    rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
  }, 120_000);

  it('the engine is private: its data root in its own folder, no bridge network', () => {
    expect(docker(engine.host, ['info', '--format', '{{.DockerRootDir}}']).trim()).toBe(join(engine.dir, 'data'));
    expect(readFileSync(join(engine.dir, 'dockerd.pid'), 'utf8').trim()).toBe(String(engine.pid));
    expect(docker(engine.host, ['network', 'ls', '--format', '{{.Name}}']).split('\n')).not.toContain('bridge');
  });

  it('dxlab image build node builds the image once, with no registry, and it runs dxlab node with NET_ADMIN and NET_RAW only', () => {
    const first = cli(['image', 'build', 'node']);
    expect(first.status, first.stderr).toBe(0);
    // On the run's shared engine (test/helpers/test-engine.ts) the image is built before the first file asks.
    const tag = (engine.shared ? /^(dxlab-node:\d+\.\d+\.\d+-[0-9a-f]{12}) \(built already/ : /^(dxlab-node:\d+\.\d+\.\d+-[0-9a-f]{12}) \(built,/).exec(first.stdout)?.[1];
    expect(tag, first.stdout).toBeDefined();
    if (!engine.shared) expect(first.stderr).toMatch(/docker import/);
    const again = cli(['image', 'build', 'node']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${tag} (built already`);
    const help = execFileSync('/usr/bin/docker', ['-H', engine.host, 'run', '--rm', '--network', 'none', '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--device', '/dev/net/tun', tag!, 'node', '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/run one lab device/);
  }, 240_000);

  it('router-dx.yaml with --runtime docker: containers, MKA secured, BGP Established, ping, a readable capture', async () => {
    const up = cli(['up', 'topologies/router-dx.yaml', '--runtime', 'docker', '--name', lab, '--no-api', '--json']);
    expect(up.status, up.stderr).toBe(0);
    const state = JSON.parse(up.stdout) as { nodes: Array<{ name: string; netns: string; runtime: string }>; captureDir: string };
    expect(state.nodes.map((n) => n.runtime)).toEqual(['docker', 'docker']);
    expect(ps()).toEqual([`dxlab-${lab}-dx`, `dxlab-${lab}-dx-ns`, `dxlab-${lab}-router`, `dxlab-${lab}-router-ns`]);
    const hc = JSON.parse(docker(engine.host, ['inspect', '--format', '{{json .HostConfig}}', `dxlab-${lab}-router`])) as { Privileged: boolean; CapAdd: string[]; CapDrop: string[]; Binds: string[] };
    expect(hc.Privileged).toBe(false);
    expect([...hc.CapAdd].sort()).toEqual(['NET_ADMIN', 'NET_RAW']);
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.Binds.filter((b) => /\/(router\.json|keys\.json):/.test(b)).every((b) => b.endsWith(':ro'))).toBe(true);
    expect(hc.Binds.filter((b) => /\/(router\.json|keys\.json):/.test(b))).toHaveLength(2);

    const status = () => JSON.parse(cli(['status', '--name', lab, '--json'], 60_000).stdout) as { nodes: Array<{ ports?: Array<{ secured?: boolean }> }> };
    await untilHolds('MKA secured', () => status().nodes.every((n) => n.ports?.length === 1 && n.ports[0]!.secured === true), 60_000);
    const router = state.nodes.find((n) => n.name === 'router')!;
    await untilHolds('BGP Established and the route learnt', () => /172\.31\.0\.0\/16 via .* proto bgp/.test(execFileSync('ip', ['-n', router.netns, 'route'], { encoding: 'utf8' })), 90_000);
    const ping = execFileSync('ip', ['netns', 'exec', router.netns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', '169.254.100.2'], { encoding: 'utf8' });
    expect(ping).toMatch(/3 received/);
    // The image holds the library the addon dlopens (intel-ipsec-mb) where this machine has it: a container's node runs the engine `native` picks here.
    const shown = JSON.parse(cli(['show', 'macsec', 'router', '--name', lab, '--json'], 60_000).stdout) as { ports: Array<{ crypto?: string }> };
    expect(shown.ports[0]!.crypto).toBe(nativeGcmEngines()[0]!.name);
    // `dxlab exec` runs in the node's namespace, the container's.
    const ex = cli(['exec', '--name', lab, 'router', '--', 'ip', '-br', 'link'], 60_000);
    expect(ex.status, ex.stderr).toBe(0);
    expect(ex.stdout).toMatch(/dxt\w+/);
    // The wire capture the node wrote from inside its container: MACsec and EAPOL frames, tshark reads it.
    const wire = join(state.captureDir, 'router-eth1-wire.pcapng');
    await untilHolds('the capture has MACsec frames', () => tshark(wire, 'macsec', ['frame.number']).length > 0, 30_000);
    expect(tshark(wire, 'eapol', ['frame.number']).length).toBeGreaterThan(0);
    // `dxlab capture --out -`: the node writes a FIFO it can open (in the capture folder, mounted) that the CLI copies to stdout.
    const streamed = join(dir, 'streamed.pcapng');
    const cap = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" capture --name ${lab} dx eth1 --wire --duration 2 --out - > "${streamed}"`], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(cap.status, cap.stderr).toBe(0);
    expect(tshark(streamed, 'eapol', ['frame.number']).length).toBeGreaterThan(0);
    // A file outside that folder the container could not write: refused, by name.
    const outside = cli(['capture', '--name', lab, 'dx', 'eth1', '--wire', '--duration', '1', '--out', join(dir, 'x.pcapng')], 60_000);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toMatch(/--out: node dx runs in a container/);
    expect(existsSync(join(dir, 'x.pcapng'))).toBe(false);
    // kill and restart through the supervisor: a new container under the same name, secured again.
    const killed = cli(['kill', '--name', lab, 'router'], 60_000);
    expect(killed.status, killed.stderr).toBe(0);
    await untilHolds('the router container gone', () => !ps().includes(`dxlab-${lab}-router`), 30_000);
    const restarted = cli(['restart', '--name', lab, 'router'], 120_000);
    expect(restarted.status, restarted.stderr).toBe(0);
    expect(ps()).toContain(`dxlab-${lab}-router`);
    await untilHolds('MKA secured again', () => status().nodes.every((n) => n.ports?.length === 1 && n.ports[0]!.secured === true), 60_000);
  }, 300_000);

  it('after a kill -9 of the supervisor and the clients, down removes every container, veth and namespace', () => {
    const st = JSON.parse(readFileSync(join(dir, 'state', lab, 'state.json'), 'utf8')) as { supervisor?: { pid: number }; nodes: Array<{ pid: number }>; links: Array<{ wires: string[] }> };
    for (const pid of [st.supervisor!.pid, ...st.nodes.map((n) => n.pid)]) process.kill(pid, 'SIGKILL');
    expect(ps()).toHaveLength(4);
    const down = cli(['down', lab], 120_000);
    expect(down.status, down.stderr).toBe(0);
    expect(ps()).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
    const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
    for (const l of st.links) for (const w of l.wires) expect(links).not.toContain(w);
    expect(existsSync(join(dir, 'state', lab))).toBe(false);
  }, 180_000);

  dockerComposeCases(() => ({ engine, env, dir }));
});
