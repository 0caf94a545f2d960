/**
 * `npm run -s bench:lag [-- --json] [-- --seconds N]`: a 2-member LAG
 * against a single link, in the same run, on this machine (root).
 * topologies/lag-router-dx.yaml, and the same two nodes joined by one link
 * with the same MACsec block; iperf3 TCP with 4 parallel streams (`-P 4`:
 * one flow stays on one member, so a single stream could never use both)
 * over the VIF, TAP MTU 1500. Both nodes and iperf3 share the machine's
 * cores: on two cores the CPU, not the members, is the limit, and a LAG
 * member runs the frame distributor in JavaScript without the addon's fast
 * path, which the single link (with no capture running) uses.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin/dxlab.js');
const json = process.argv.includes('--json');
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 10;
const log = (m: string) => process.stderr.write(m + '\n');

const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-bench-lag-'));
const env = { ...process.env, DXLAB_STATE_DIR: stateDir };
const dxlab = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 120_000 });

/** The LAG topology, and the same with one link in place of the LAG. */
function topologies(): { lag: string; single: string } {
  const lag = readFileSync(join(ROOT, 'topologies/lag-router-dx.yaml'), 'utf8');
  const single = lag
    .replace(/  lags:\n    - name: lag1\n      members:\n        - \[router:eth1, dx:eth1\]\n        - \[router:eth2, dx:eth2\]\n      minimumLinks: 0\n      lacp: \{ mode: active, rate: fast \}\n/, '  links:\n    - endpoints: [router:eth1, dx:eth1]\n')
    .replace('[router:lag1, dx:lag1]', '[router:eth1, dx:eth1]');
  if (single === lag || !single.includes('  links:\n')) throw new Error('bench/lag.ts: topologies/lag-router-dx.yaml changed shape; update the single-link rewrite');
  return { lag, single };
}

async function run(kind: 'lag' | 'single', text: string): Promise<{ gbps: number; members?: Record<string, number> }> {
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
    const c = spawnSync('ip', ['netns', 'exec', ns('router'), 'iperf3', '-c', '169.254.100.2', '-P', '4', '-t', String(SECONDS), '-J'], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 });
    if (c.status !== 0) throw new Error(`iperf3 -c (${kind}): ${c.stderr || c.stdout.slice(0, 300)}`);
    const r = JSON.parse(c.stdout) as { end: { sum_received: { bits_per_second: number } } };
    const gbps = Math.round(r.end.sum_received.bits_per_second / 1e7) / 100;
    if (kind === 'single') return { gbps };
    const l = JSON.parse(dxlab('show', 'lag', 'router', '--name', lab, '--json').stdout) as { lags: Array<{ counters: { txByMember: Record<string, number> } }> };
    return { gbps, members: l.lags[0]!.counters.txByMember };
  } finally {
    dxlab('down', lab);
  }
}

try {
  const t = topologies();
  log(`single link, iperf3 -P 4, ${SECONDS} s ...`);
  const single = await run('single', t.single);
  log(`2-member LAG, iperf3 -P 4, ${SECONDS} s ...`);
  const lag = await run('lag', t.lag);
  const out = { seconds: SECONDS, parallel: 4, mtu: 1500, singleLinkGbps: single.gbps, lagGbps: lag.gbps, lagFramesByMember: lag.members };
  if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else {
    process.stdout.write(`TCP, iperf3 -P 4, TAP MTU 1500, ${SECONDS} s (both nodes and iperf3 on this machine's cores)\n`);
    process.stdout.write(`  single link (fast path)            ${single.gbps.toFixed(2)} Gbit/s\n`);
    process.stdout.write(`  2-member LAG (distributor in JS)   ${lag.gbps.toFixed(2)} Gbit/s   frames sent per member: ${Object.entries(lag.members ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  }
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}
