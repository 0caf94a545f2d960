/**
 * Two hosts on one machine (root): two network namespaces joined by a veth
 * underlay with the addresses topologies/router-dx-two-hosts.yaml names
 * (192.0.2.1 on host a, 192.0.2.2 on host b), each with its own dxlab
 * state folder, and `dxlab` run in a host's network namespace as on that host.
 * Used by test/integration/two-hosts.test.ts and bench/vxlan-run.ts.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/dxlab.js');

export type HostName = 'a' | 'b';

export interface TwoHosts {
  /** A name unique to this pair, in its namespaces, veths and folder. */
  tag: string;
  hosts: Record<HostName, { ns: string; veth: string; address: string; stateDir: string }>;
  /** Where a test may put files; removed with the hosts. */
  scratch: string;
  /** `dxlab ARGS` inside host h's namespace, with its state folder, from the checkout. */
  dxlab(h: HostName, ...args: string[]): SpawnSyncReturns<string>;
  /** Removes both namespaces (their underlay veth with them) and the scratch folder. */
  remove(): void;
}

/**
 * Makes the two hosts, their underlay up with `underlayMtu`.
 * @param prefix names' prefix (namespaces `PREFIX-ha-TAG`, veths `PREFIXTAGa`: at most 15 characters)
 */
export function makeTwoHosts(prefix: string, tag: string, underlayMtu: number): TwoHosts {
  const scratch = mkdtempSync(join(tmpdir(), `${prefix}-${tag}-`));
  const host = (h: HostName, address: string) => ({ ns: `${prefix}-h${h}-${tag}`, veth: `${prefix.slice(0, 4)}${tag}${h}`, address, stateDir: join(scratch, h) });
  const hosts = { a: host('a', '192.0.2.1'), b: host('b', '192.0.2.2') };
  const t: TwoHosts = {
    tag,
    hosts,
    scratch,
    // nsenter --net, not `ip netns exec`: that one runs its command in a
    // mount namespace of its own whose mounts do not propagate back, so the
    // namespaces `up` makes there (`ip netns add`: a bind mount under
    // /run/netns) would be empty files to every later command.
    dxlab: (h, ...args) => spawnSync('nsenter', [`--net=/run/netns/${hosts[h].ns}`, '--', process.execPath, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000, env: { ...process.env, DXLAB_STATE_DIR: hosts[h].stateDir } }),
    remove: () => {
      for (const h of ['a', 'b'] as const) spawnSync('ip', ['netns', 'del', hosts[h].ns]);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  try {
    for (const h of ['a', 'b'] as const) {
      execFileSync('ip', ['netns', 'add', hosts[h].ns]);
      execFileSync('ip', ['-n', hosts[h].ns, 'link', 'set', 'lo', 'up']);
    }
    execFileSync('ip', ['link', 'add', hosts.a.veth, 'netns', hosts.a.ns, 'mtu', String(underlayMtu), 'type', 'veth', 'peer', 'name', hosts.b.veth, 'netns', hosts.b.ns, 'mtu', String(underlayMtu)]);
    for (const h of ['a', 'b'] as const) {
      execFileSync('ip', ['-n', hosts[h].ns, 'addr', 'add', `${hosts[h].address}/24`, 'dev', hosts[h].veth]);
      execFileSync('ip', ['-n', hosts[h].ns, 'link', 'set', hosts[h].veth, 'up']);
    }
  } catch (e) {
    t.remove();
    throw e;
  }
  return t;
}

/** `dxlab status --json` of a lab on host h. */
export function hostStatus(t: TwoHosts, h: HostName, lab: string): { host?: { name: string; tunnels: Array<{ vni: number; remote: string }> }; nodes: Array<{ name: string; running: boolean; ports: Array<{ secured?: boolean | null }>; bgp: Array<{ state: string }> }> } {
  const r = t.dxlab(h, 'status', '--name', lab, '--json');
  if (r.status !== 0) throw new Error(`dxlab status on host ${h}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** iperf3 TCP for `seconds` from one namespace to an address served in another. @returns Gbit/s received and octets */
export async function iperf3(clientNs: string, serverNs: string, address: string, seconds: number): Promise<{ gbps: number; bytes: number }> {
  const server = spawnSync('ip', ['netns', 'exec', serverNs, 'iperf3', '-s', '-1', '-D', '-B', address], { encoding: 'utf8' });
  if (server.status !== 0) throw new Error(`iperf3 server in ${serverNs}: ${server.stderr}`);
  for (let i = 0; i < 25; i++) {
    const c = spawnSync('ip', ['netns', 'exec', clientNs, 'iperf3', '-c', address, '-t', String(seconds), '-J'], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
    if (c.status === 0) {
      const r = JSON.parse(c.stdout) as { end: { sum_received: { bytes: number; bits_per_second: number } } };
      return { gbps: +(r.end.sum_received.bits_per_second / 1e9).toFixed(3), bytes: r.end.sum_received.bytes };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`iperf3 from ${clientNs} could not connect to ${address}`);
}

/** Polls `cond` every 200 ms until it holds. @throws naming `what` after `ms` */
export async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
