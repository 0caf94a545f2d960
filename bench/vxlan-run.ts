/**
 * One link across VXLAN against the plain namespace lab, in the same run, on
 * this machine (root): topologies/router-dx.yaml brought up as usual (each
 * node a process in its namespace, the link a veth), and, when
 * DXLAB_DOCKER_HOST names a private engine, the same with `--runtime
 * docker` (each node in a container); then router-dx-two-hosts.yaml across
 * two namespaces playing two hosts (test/helpers/two-hosts.ts), the link a
 * kernel vxlan device at each end over a veth underlay of MTU 1586; and the
 * underlay veth alone (the kernel's figure between the two hosts), and
 * across the hosts in containers too when there is an engine. iperf3
 * TCP over the VIF, TAP MTU 1500, MACsec secured, for each, the
 * topologies' start-up captures left out. Every process
 * shares the machine's cores: these are figures for one host playing two.
 * Used by `bench:link`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostStatus, iperf3, makeTwoHosts, until, type TwoHosts } from '../test/helpers/two-hosts.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/dxlab.js');

export interface VxlanVersusPlain {
  seconds: number;
  plainGbps: number;
  /** With `--runtime docker`, when DXLAB_DOCKER_HOST was set. */
  dockerGbps?: number;
  vxlanGbps: number;
  /** Across two hosts with `--runtime docker`, when DXLAB_DOCKER_HOST was set. */
  vxlanDockerGbps?: number;
  underlayGbps: number;
}

type Status = ReturnType<typeof hostStatus>;

/**
 * A shipped topology without its `captures:` line, written to `dir`: a port
 * captured from the start writes three pcapng files per frame and leaves the
 * fast path, which would be the figure measured.
 */
function withoutCaptures(file: string, dir: string): string {
  const text = readFileSync(join(ROOT, 'topologies', file), 'utf8');
  const bare = text.replace(/^  captures: .*\n/m, '');
  if (bare === text) throw new Error(`bench/vxlan-run.ts: topologies/${file} has no captures line to leave out; update withoutCaptures`);
  const out = join(dir, file);
  writeFileSync(out, bare);
  return out;
}
const securedAndUp = (s: Status) => s.nodes.every((n) => n.running && n.ports.every((p) => p.secured) && n.bgp.every((b) => b.state === 'Established'));

/** router-dx on this host (a process or a container per node): iperf3 router -> DX device over the VIF. */
async function plain(tag: string, seconds: number, runtime: string | undefined, log: (m: string) => void): Promise<number> {
  const lab = `vxlan-${runtime ? 'd' : 'p'}-${tag}`;
  const dir = mkdtempSync(join(tmpdir(), `${lab}-`));
  const env = { ...process.env, DXLAB_STATE_DIR: dir };
  const dxlab = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 600_000 });
  try {
    const up = dxlab('up', withoutCaptures('router-dx.yaml', dir), '--name', lab, '--no-api', ...(runtime ? ['--runtime', runtime] : []));
    if (up.status !== 0) throw new Error(`dxlab up ${runtime ?? ''}: ${up.stderr}`);
    await until('secured, BGP Established', () => securedAndUp(JSON.parse(dxlab('status', '--name', lab, '--json').stdout) as Status), 60_000);
    const r = await iperf3(`dxlab-${lab}-router`, `dxlab-${lab}-dx`, '169.254.100.2', seconds);
    log(`TCP, TAP MTU 1500, router-dx on one host${runtime ? ` (--runtime ${runtime})` : ''}: ${r.gbps} Gbit/s`);
    return r.gbps;
  } finally {
    dxlab('down', lab);
    rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** router-dx-two-hosts across two namespaces playing the hosts (in containers with a runtime), and first their underlay alone. */
async function acrossHosts(tag: string, seconds: number, runtimes: Array<string | undefined>, log: (m: string) => void): Promise<{ gbps: number[]; underlayGbps: number }> {
  let t: TwoHosts | undefined;
  const labs: string[] = [];
  try {
    t = makeTwoHosts('vxlanb', tag, 1586);
    const topo = withoutCaptures('router-dx-two-hosts.yaml', t.scratch);
    const underlay = await iperf3(t.hosts.a.ns, t.hosts.b.ns, t.hosts.b.address, seconds);
    log(`TCP over the underlay veth (MTU 1586), host a -> host b: ${underlay.gbps} Gbit/s`);
    const gbps: number[] = [];
    for (const runtime of runtimes) {
      const lab = `vxlan-h${runtime ? 'd' : 'p'}-${tag}`;
      labs.push(lab);
      for (const h of ['a', 'b'] as const) {
        const up = t.dxlab(h, 'up', topo, '--on-host', h, '--name', lab, '--no-api', ...(runtime ? ['--runtime', runtime] : []));
        if (up.status !== 0) throw new Error(`dxlab up --on-host ${h}: ${up.stderr}`);
      }
      await until('secured, BGP Established on both hosts', () => securedAndUp(hostStatus(t!, 'a', lab)) && securedAndUp(hostStatus(t!, 'b', lab)), 60_000);
      const r = await iperf3(`dxlab-${lab}-router`, `dxlab-${lab}-dx`, '169.254.100.2', seconds);
      log(`TCP, TAP MTU 1500, router-dx across two hosts over VXLAN${runtime ? ` (--runtime ${runtime})` : ''}: ${r.gbps} Gbit/s`);
      gbps.push(r.gbps);
      for (const h of ['a', 'b'] as const) t.dxlab(h, 'down', lab);
    }
    return { gbps, underlayGbps: underlay.gbps };
  } finally {
    if (t) {
      for (const lab of labs) for (const h of ['a', 'b'] as const) t.dxlab(h, 'down', lab);
      t.remove();
    }
    for (const lab of labs) rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
  }
}

/** The figures above, in one run. */
export async function vxlanVersusPlain(seconds: number, log: (m: string) => void): Promise<VxlanVersusPlain> {
  const tag = Math.random().toString(16).slice(2, 8);
  const docker = process.env.DXLAB_DOCKER_HOST ? 'docker' : undefined;
  const plainGbps = await plain(tag, seconds, undefined, log);
  const dockerGbps = docker ? await plain(tag, seconds, docker, log) : undefined;
  const across = await acrossHosts(tag, seconds, [undefined, ...(docker ? [docker] : [])], log);
  return { seconds, plainGbps, ...(dockerGbps !== undefined ? { dockerGbps } : {}), vxlanGbps: across.gbps[0]!, ...(docker ? { vxlanDockerGbps: across.gbps[1]! } : {}), underlayGbps: across.underlayGbps };
}

/** Lines for the figures, each against the plain lab of the same run. */
export function vxlanLines(r: VxlanVersusPlain): string[] {
  const pct = (g: number) => `${(((g - r.plainGbps) / r.plainGbps) * 100).toFixed(0)}% against the plain lab`;
  return [
    `  plain namespace lab (veth):          ${r.plainGbps.toFixed(3)} Gbit/s`,
    ...(r.dockerGbps !== undefined ? [`  in containers (--runtime docker):   ${r.dockerGbps.toFixed(3)} Gbit/s (${pct(r.dockerGbps)})`] : ['  in containers: not run (set DXLAB_DOCKER_HOST to a private engine: dxlab docker start DIR)']),
    `  across two hosts over VXLAN:         ${r.vxlanGbps.toFixed(3)} Gbit/s (${pct(r.vxlanGbps)})`,
    ...(r.vxlanDockerGbps !== undefined ? [`  across two hosts, in containers:     ${r.vxlanDockerGbps.toFixed(3)} Gbit/s (${pct(r.vxlanDockerGbps)})`] : []),
    `  the underlay veth alone (kernel):    ${r.underlayGbps.toFixed(3)} Gbit/s`,
  ];
}
