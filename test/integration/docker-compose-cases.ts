/**
 * More of the container lab, run by docker-lab.test.ts on its private
 * dockerd and node image (built once per run, so these add no image build to
 * CI): router-switch-dx.yaml with `--runtime docker`, and the shipped
 * docker-compose.yml under Debian's docker-compose (1.29) against that
 * engine. Each: MKA secured where the topology has MACsec, BGP Established,
 * a ping across the VIF; then its `down` leaves no container, network, veth
 * or namespace. Every docker call names the engine (-H).
 */
import { expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { docker, type PrivateDockerd } from '../../src/lab/index.js';
import { ROOT } from '../helpers/cli.js';
import { tshark } from '../helpers/tshark.js';
import { untilHolds } from '../helpers/until.js';

export interface DockerLabContext {
  engine: PrivateDockerd;
  /** The environment of a dxlab command: DXLAB_DOCKER_HOST, the test's own DXLAB_STATE_DIR. */
  env: NodeJS.ProcessEnv;
  /** The test's scratch folder. */
  dir: string;
}

const BIN = join(ROOT, 'bin', 'dxlab.js');
/**
 * The Compose clients the shipped file is run with: Debian's docker-compose
 * (1.29, from apt), and Docker's Compose plugin (`docker compose`) where
 * the machine has it (Debian 12 does not package it). Each is given the
 * engine with -H, before its subcommand.
 */
const COMPOSE_CLIENTS = [
  { name: 'docker-compose', argv: (host: string) => ['/usr/bin/docker-compose', '-H', host], present: existsSync('/usr/bin/docker-compose') },
  { name: 'docker compose (the plugin)', argv: (host: string) => ['/usr/bin/docker', '-H', host, 'compose'], present: existsSync('/usr/bin/docker') && spawnSync('/usr/bin/docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0 },
];

/** The network namespaces (net:[INODE]) some process on the machine is in. */
function namespacesInUse(): string[] {
  const out = new Set<string>();
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      out.add(readlinkSync(`/proc/${p}/ns/net`));
    } catch {
      /* gone meanwhile, or a kernel thread */
    }
  }
  return [...out];
}

/** Registers the cases in the caller's describe; `ctx` is read when they run (after its beforeAll). */
export function dockerComposeCases(ctx: () => DockerLabContext): void {
  const lab = `dks${randomBytes(3).toString('hex')}`;
  const cli = (args: string[], timeout = 180_000) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: ctx().env, encoding: 'utf8', timeout });

  it('router-switch-dx.yaml with --runtime docker: MKA secured switch to DX, ping and BGP from the router across both hops, down leaves nothing', async () => {
    const { engine } = ctx();
    const ps = () => docker(engine.host, ['ps', '-a', '--filter', `label=dxlab.lab=${lab}`, '--format', '{{.Names}}']).split('\n').filter(Boolean).sort();
    try {
      const up = cli(['up', 'topologies/router-switch-dx.yaml', '--runtime', 'docker', '--name', lab, '--no-api', '--json']);
      expect(up.status, up.stderr).toBe(0);
      const state = JSON.parse(up.stdout) as { nodes: Array<{ name: string; netns: string; runtime: string }>; links: Array<{ wires: string[] }> };
      expect(state.nodes.map((n) => `${n.name}:${n.runtime}`)).toEqual(['router:docker', 'switch:docker', 'dx:docker']);
      expect(ps()).toEqual(['dx', 'router', 'switch'].flatMap((n) => [`dxlab-${lab}-${n}`, `dxlab-${lab}-${n}-ns`]));
      type Status = { nodes: Array<{ name: string; ports?: Array<{ name: string; secured?: boolean; kind?: string }> }> };
      const status = () => JSON.parse(cli(['status', '--name', lab, '--json'], 60_000).stdout) as Status;
      const secured = (s: Status, node: string, port: string) => s.nodes.find((n) => n.name === node)?.ports?.find((p) => p.name === port)?.secured === true;
      // The topology has MACsec on switch:eth2 -- dx:eth1 only; the router's hop to the switch is plain.
      await untilHolds('MKA secured between switch and DX', () => {
        const s = status();
        return secured(s, 'switch', 'eth2') && secured(s, 'dx', 'eth1');
      }, 60_000);
      expect(secured(status(), 'router', 'eth1')).toBe(false);
      const router = state.nodes.find((n) => n.name === 'router')!;
      await untilHolds('BGP Established across the switch and the route learnt', () => /172\.31\.0\.0\/16 via 169\.254\.200\.2 .*proto bgp/.test(execFileSync('ip', ['-n', router.netns, 'route'], { encoding: 'utf8' })), 90_000);
      const ping = execFileSync('ip', ['netns', 'exec', router.netns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', '169.254.200.2'], { encoding: 'utf8' });
      expect(ping).toMatch(/3 received/);
      const down = cli(['down', lab], 120_000);
      expect(down.status, down.stderr).toBe(0);
      expect(ps()).toEqual([]);
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
      const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
      for (const l of state.links) for (const w of l.wires) expect(links).not.toContain(w);
    } finally {
      cli(['down', lab], 120_000);
      rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
    }
  }, 300_000);

  for (const client of COMPOSE_CLIENTS) {
    it.skipIf(!client.present)(`the shipped docker-compose.yml: ${client.name} up gives a secured link and Established BGP; down leaves nothing`, async () => {
      const { engine, dir } = ctx();
      // The shipped file and its configuration folder, run from a copy so that its captures (./pcaps/router-dx) land in the scratch folder.
      const work = join(dir, `compose-${client.name.split(' ').join('-').replace(/[()]/g, '')}`);
      mkdirSync(work);
      cpSync(join(ROOT, 'docker-compose.yml'), join(work, 'docker-compose.yml'));
      cpSync(join(ROOT, 'compose', 'router-dx'), join(work, 'compose', 'router-dx'), { recursive: true });
      const project = `dxc${randomBytes(3).toString('hex')}`;
      // -H names the engine, as for every docker call here; the environment has no DOCKER_HOST of its own to fall back on.
      const [bin, ...pre] = client.argv(engine.host);
      const compose = (args: string[], timeout = 180_000) => spawnSync(bin!, [...pre, '-p', project, ...args], { cwd: work, encoding: 'utf8', timeout, env: { PATH: process.env.PATH, HOME: dir } });
      const ofProject = () => docker(engine.host, ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}']).split('\n').filter(Boolean);
      const networksBefore = docker(engine.host, ['network', 'ls', '--format', '{{.Name}}']).split('\n').filter(Boolean).sort();
      try {
        const up = compose(['up', '-d']);
        expect(up.status, up.stderr).toBe(0);
        // Each service's container, by Compose's labels, once (a docker-compose run is a Python start-up: seconds on a loaded machine).
        const ids = new Map(
          docker(engine.host, ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Label "com.docker.compose.service"}} {{.ID}}'])
            .split('\n')
            .filter(Boolean)
            .map((l) => l.split(' ') as [string, string]),
        );
        expect([...ids.keys()].sort()).toEqual(['dx', 'dx-ns', 'router', 'router-ns', 'wire-1', 'wire-1-b']);
        const id = (service: string) => ids.get(service)!;
        // The wiring step ran and ended well; the nodes run.
        for (const s of ['wire-1', 'wire-1-b']) expect(docker(engine.host, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', id(s)]).trim(), s).toBe('exited 0');
        const node = (n: string, args: string[]) => JSON.parse(docker(engine.host, ['exec', id(n), '/usr/local/bin/node', '/opt/dxlab/bin/dxlab.js', 'node', ...args, '--socket', `/run/dxlab/${n}.sock`, '--json'], { timeoutMs: 30_000 })) as Record<string, unknown>;
        type NodeStatus = { ports: Array<{ secured?: boolean; wire: string }>; bgp: Array<{ state: string }> };
        // One `docker exec` per look (each starts a Node.js CLI in the container: a second or two on a loaded machine).
        await untilHolds('MKA secured and both BGP sessions (IPv4, IPv6) Established', () => {
          const s = node('router', ['status']) as NodeStatus;
          return s.ports[0]!.secured === true && s.bgp.filter((p) => p.state === 'Established').length === 2;
        }, 90_000);
        expect((node('dx', ['status']) as NodeStatus).ports[0]!.secured).toBe(true);
        // The node container has no ping; its holder's network namespace, entered from the host, is the node's.
        const holder = docker(engine.host, ['inspect', '--format', '{{.State.Pid}}', id('router-ns')]).trim();
        expect(execFileSync('nsenter', ['-t', holder, '-n', 'ping', '-c', '3', '-i', '0.2', '-W', '2', '169.254.100.2'], { encoding: 'utf8' })).toMatch(/3 received/);
        // The capture the router writes (router-dx.yaml captures router:eth1): on the wire only EAPOL and MACsec, no clear frame of the namespace's own (its wire has no IPv6 address, compose/wire.ts).
        const wire = join(work, 'pcaps', 'router-dx', 'router-eth1-wire.pcapng');
        await untilHolds('the wire capture has MACsec frames', () => tshark(wire, 'macsec', ['frame.number']).length > 0, 30_000);
        expect([...new Set(tshark(wire, undefined, ['eth.type']))].sort()).toEqual(['0x888e', '0x88e5']);
        // No key in the Compose file; the node's key file is mounted read-only.
        const binds = JSON.parse(docker(engine.host, ['inspect', '--format', '{{json .HostConfig.Binds}}', id('router')])) as string[];
        expect(binds.filter((b) => /keys\.json:/.test(b))).toEqual([`${join(work, 'compose/router-dx/keys.json')}:/etc/dxlab/keys.json:ro`]);
        const cak = (JSON.parse(readFileSync(join(work, 'compose/router-dx/keys.json'), 'utf8')) as { cas: Array<{ cak: string }> }).cas[0]!.cak;
        expect(readFileSync(join(work, 'docker-compose.yml'), 'utf8')).not.toContain(cak);
        const wires = (['router', 'dx'] as const).map((n) => (node(n, ['status']) as NodeStatus).ports[0]!.wire);
        // The holders' network namespaces (Compose names none): by inode, to look for any process still in one after down.
        const holders = ['router-ns', 'dx-ns'].map((s) => docker(engine.host, ['inspect', '--format', '{{.State.Pid}}', id(s)]).trim());
        const namespaces = holders.map((pid) => readlinkSync(`/proc/${pid}/ns/net`));

        // `up` again without `down`: Compose starts the completed wiring services again while the pair stands (compose/wire.ts takes it as made).
        const again = compose(['up', '-d']);
        expect(again.status, again.stderr).toBe(0);
        for (const s of ['wire-1', 'wire-1-b']) expect(docker(engine.host, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', id(s)]).trim(), s).toBe('exited 0');
        expect((node('router', ['status']) as NodeStatus).ports[0]!.secured).toBe(true);

        const down = compose(['down'], 120_000);
        expect(down.status, down.stderr).toBe(0);
        expect(ofProject()).toEqual([]);
        expect(docker(engine.host, ['network', 'ls', '--format', '{{.Name}}']).split('\n').filter(Boolean).sort()).toEqual(networksBefore);
        const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
        for (const w of wires) expect(links).not.toContain(w);
        // No process is left in the holders' namespaces, so the kernel freed them, and the veth with them.
        expect(namespacesInUse().filter((ns) => namespaces.includes(ns))).toEqual([]);
      } finally {
        compose(['down', '--timeout', '5'], 120_000);
      }
    }, 300_000);
  }
}
