/**
 * A 2-member LAG against a single link, in the same run, on this machine
 * (root): topologies/lag-router-dx.yaml, and the same two nodes joined by one
 * link with the same MACsec block; iperf3 TCP with 4 parallel streams (`-P
 * 4`: one flow stays on one member, so a single stream could never use both)
 * over the VIF, TAP MTU 1500. Both nodes and iperf3 share the machine's
 * cores: on two cores the CPU, not the members, is the limit. Both run the
 * addon's fast path (the LAG's distributor and collector in C,
 * src/io/native/lag.c); the LAG's figures say how many frames it carried and
 * how many it left to JavaScript. Used by `bench:lag` and `bench:link`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/dxlab.js');

export interface LagVersusSingle {
  seconds: number;
  parallel: number;
  mtu: number;
  singleLinkGbps: number;
  lagGbps: number;
  /** Frames the router sent on each member. */
  lagFramesByMember: Record<string, number>;
  /** The router's LAG fast path: frames it sent through a member, and those it left to JavaScript. */
  lagFastPath: { active: boolean; txFrames: number; txToJs: number };
}

/** The LAG topology, and the same with one link in place of the LAG. */
function topologies(): { lag: string; single: string } {
  const lag = readFileSync(join(ROOT, 'topologies/lag-router-dx.yaml'), 'utf8');
  const single = lag
    .replace(/  lags:\n    - name: lag1\n      members:\n        - \[router:eth1, dx:eth1\]\n        - \[router:eth2, dx:eth2\]\n      minimumLinks: 0\n      lacp: \{ mode: active, rate: fast \}\n/, '  links:\n    - endpoints: [router:eth1, dx:eth1]\n')
    .replace('[router:lag1, dx:lag1]', '[router:eth1, dx:eth1]');
  if (single === lag || !single.includes('  links:\n')) throw new Error('bench/lag-run.ts: topologies/lag-router-dx.yaml changed shape; update the single-link rewrite');
  return { lag, single };
}

/** Runs the single link, then the LAG, `seconds` of iperf3 -P 4 each. */
export async function lagVersusSingle(seconds: number, log: (m: string) => void): Promise<LagVersusSingle> {
  const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-bench-lag-'));
  const env = { ...process.env, DXLAB_STATE_DIR: stateDir };
  const dxlab = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 120_000 });

  async function run(kind: 'lag' | 'single', text: string): Promise<{ gbps: number; members?: Record<string, number>; fastPath?: LagVersusSingle['lagFastPath'] }> {
    const lab = `b${kind[0]}${randomBytes(2).toString('hex')}`;
    const file = join(stateDir, `${kind}.yaml`);
    writeFileSync(file, text);
    const up = dxlab('up', file, '--name', lab);
    if (up.status !== 0) throw new Error(`dxlab up ${kind}: ${up.stderr}`);
    try {
      const st = JSON.parse(readFileSync(join(stateDir, lab, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; netns: string; socket: string }> };
      const ns = (n: string) => st.nodes.find((x) => x.name === n)!.netns;
      // Ready: BGP Established (the VIF carries traffic) and, for the LAG, both members distributing.
      const end = Date.now() + 60_000;
      for (;;) {
        const s = JSON.parse(dxlab('status', '--name', lab, '--json').stdout) as { nodes: Array<{ bgp: Array<{ state: string }>; lags?: Array<{ distributing: string[] }> }> };
        if (s.nodes.every((n) => n.bgp[0]?.state === 'Established' && (kind === 'single' || n.lags?.[0]?.distributing.length === 2))) break;
        if (Date.now() > end) throw new Error(`${kind}: not ready within 60 s`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const server = spawnSync('ip', ['netns', 'exec', ns('dx'), 'iperf3', '-s', '-D', '-1', '-B', '169.254.100.2'], { encoding: 'utf8' });
      if (server.status !== 0) throw new Error(`iperf3 -s: ${server.stderr}`);
      await new Promise((r) => setTimeout(r, 500));
      const c = spawnSync('ip', ['netns', 'exec', ns('router'), 'iperf3', '-c', '169.254.100.2', '-P', '4', '-t', String(seconds), '-J'], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
      if (c.status !== 0) throw new Error(`iperf3 -c (${kind}): ${c.stderr || c.stdout.slice(0, 300)}`);
      const r = JSON.parse(c.stdout) as { end: { sum_received: { bits_per_second: number } } };
      const gbps = Math.round(r.end.sum_received.bits_per_second / 1e7) / 100;
      if (kind === 'single') return { gbps };
      const l = JSON.parse(dxlab('show', 'lag', 'router', '--name', lab, '--json').stdout) as {
        lags: Array<{ counters: { txByMember: Record<string, number> }; fastPath: { active: boolean; txFrames?: number; txToJs?: number } }>;
      };
      const fp = l.lags[0]!.fastPath;
      return { gbps, members: l.lags[0]!.counters.txByMember, fastPath: { active: fp.active, txFrames: fp.txFrames ?? 0, txToJs: fp.txToJs ?? 0 } };
    } finally {
      dxlab('down', lab);
    }
  }

  try {
    const t = topologies();
    log(`single link, iperf3 -P 4, ${seconds} s ...`);
    const single = await run('single', t.single);
    log(`2-member LAG, iperf3 -P 4, ${seconds} s ...`);
    const lag = await run('lag', t.lag);
    return { seconds, parallel: 4, mtu: 1500, singleLinkGbps: single.gbps, lagGbps: lag.gbps, lagFramesByMember: lag.members!, lagFastPath: lag.fastPath! };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The two lines a report prints. */
export function lagLines(r: LagVersusSingle): string[] {
  return [
    `  single link (fast path)              ${r.singleLinkGbps.toFixed(2)} Gbit/s`,
    `  2-member LAG (distributor in C)      ${r.lagGbps.toFixed(2)} Gbit/s   frames sent per member: ${Object.entries(r.lagFramesByMember).map(([k, v]) => `${k} ${v}`).join(', ')}; fast path ${r.lagFastPath.txFrames}, JavaScript ${r.lagFastPath.txToJs}`,
  ];
}
