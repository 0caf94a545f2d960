/**
 * `npm run -s bench:link [-- --json] [-- --seconds N] [-- --rounds N]`: the live link on this
 * machine (root). For TAP MTU 1500 and 9001 it runs iperf3 TCP through
 * MACsec on each of the addon's GCM engines that runs here (crypto
 * `ipsec-mb`, where intel-ipsec-mb loads, and `openssl`) and on node:crypto
 * (`node`) (DXLAB_CRYPTO handed to the node processes, checked in their
 * status), through the same node path with MACsec off (`none`: no_encrypt,
 * the I/O ceiling) and through a plain veth between the same namespaces (the
 * kernel's figure), and prints each figure beside those two of the same run;
 * then 64-octet frames/s pushed into the router's TAP and
 * counted out of the DX device's TAP; the MKA time to secured (default and
 * fast profile); each node's RSS and CPU during TCP at MTU 1500 on the
 * default engine (`native`: the fastest that loads). The addon's engines run
 * with its fast path (checked in the nodes' status); `rings` repeats native TCP with the wire sockets on
 * PACKET_MMAP rings (TPACKET_V2, TPACKET_V3); `lag` puts a 2-member LAG
 * against a single link with iperf3 -P 4 (bench/lag-run.ts: one flow stays
 * on one member, so a LAG needs several); `vxlan` puts router-dx across two
 * hosts (two namespaces, the link in VXLAN) against router-dx on one host,
 * and in containers when DXLAB_DOCKER_HOST names a private engine
 * (bench/vxlan-run.ts). The experiments of issue 23 (EXPERIMENTS: a node
 * variable each, on the fastest engine) run when BENCH_VARIANTS names them.
 * Every TCP run records the load, the CPU of the nodes and of iperf3 and
 * the ping under load, and both nodes' stage times (bench/stages.ts) before
 * and after it. Every TCP figure comes with the
 * average ping round trip of the idle link before it; with `--rounds N` the
 * TCP runs repeat N times, in turn, and each figure is the median (`runs`
 * lists them all).
 *
 * Both nodes, iperf3 and the generator share the machine's cores, so every
 * figure is for the whole path on one host.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { linkDown, linkUp, type LinkState } from '../src/lab/index.js';
import { controlRequest } from '../src/node/index.js';
import { afPacket, nativeGcmEngines, type NativeGcmEngineName } from '../src/io/index.js';
import type { KayStatus } from '../src/mka/index.js';
import { lagLines, lagVersusSingle, type LagVersusSingle } from './lag-run.js';
import { vxlanLines, vxlanVersusPlain, type VxlanVersusPlain } from './vxlan-run.js';
import { stageLines, stageSnapshot, StageTables, type StageTable } from './stages.js';

/**
 * The data-path experiments of issue 23 (README, "The live link"), each the
 * fastest engine with one node variable set; run only when BENCH_VARIANTS
 * names them (or `experiments` for all).
 */
const EXPERIMENTS: Record<string, Record<string, string>> = {
  batch16: { DXLAB_BATCH: '16' },
  batch256: { DXLAB_BATCH: '256' },
  busy50: { DXLAB_BUSY_POLL_US: '50' },
  busy200: { DXLAB_BUSY_POLL_US: '200' },
  // Busy-polling that serves both directions: the wire and the TAPs spun on together.
  busywire: { DXLAB_BUSY_POLL_US: '50', DXLAB_SERVE_ORDER: 'wire' },
  sobusy50: { DXLAB_SO_BUSY_POLL: '50' },
  wirefirst: { DXLAB_SERVE_ORDER: 'wire' },
  tapfirst: { DXLAB_SERVE_ORDER: 'tap' },
};
const EXPERIMENT_VARS = [...new Set(Object.values(EXPERIMENTS).flatMap((e) => Object.keys(e)))];

const json = process.argv.includes('--json');
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 10;
const roundsArg = process.argv.indexOf('--rounds');
/** TCP figures are the median of this many rounds (the machine is shared and noisy). */
const ROUNDS = roundsArg > 0 ? Math.max(1, Number(process.argv[roundsArg + 1])) : 1;
const log = (m: string) => process.stderr.write(m + '\n');
const CLK_TCK = 100;

function inNs(ns: string, ...cmd: string[]) {
  return spawnSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 });
}

async function secured(lab: LinkState): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const all = await Promise.all(
      lab.nodes.map(async (n) => {
        try {
          return ((await controlRequest(n.socket, { cmd: 'status', port: 'eth1' })).result as { kay: KayStatus }).kay.secured;
        } catch {
          return false;
        }
      }),
    );
    if (all.every(Boolean)) return Math.round(performance.now() - t0);
    if (performance.now() - t0 > 30_000) throw new Error('not secured within 30 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The addon's engines here, the one `crypto: native` runs first. */
const ENGINES: NativeGcmEngineName[] = nativeGcmEngines().map((e) => e.name);
const FASTEST: NativeGcmEngineName | 'node' = ENGINES[0] ?? 'node';

/** Both nodes' MACsec ports run the GCM engine asked for, the addon's with the fast path (their status says). */
async function expectCrypto(lab: LinkState, crypto: NativeGcmEngineName | 'node'): Promise<void> {
  for (const n of lab.nodes) {
    const status = (await controlRequest(n.socket, { cmd: 'status', port: 'eth1' })).result as { crypto?: string; fastPath?: { active: boolean } };
    if (status.crypto !== crypto) throw new Error(`node ${n.node} runs crypto ${status.crypto ?? '?'}, not ${crypto}`);
    if ((status.fastPath?.active ?? false) !== (crypto !== 'node')) throw new Error(`node ${n.node}: fast path ${status.fastPath?.active ? 'on' : 'off'} with crypto ${crypto}`);
  }
}

/** One entry per key: the median Gbit/s and round trip of its rounds, and every round's Gbit/s when there were several. */
function medianOf<T extends { gbps: number; rttMs: number }>(xs: T[], key: (x: T) => string): Array<T & { runs?: number[] }> {
  const groups = new Map<string, T[]>();
  for (const x of xs) groups.set(key(x), [...(groups.get(key(x)) ?? []), x]);
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : +((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2).toFixed(3);
  };
  return [...groups.values()].map((g) => ({
    ...g[0]!,
    gbps: median(g.map((x) => x.gbps)),
    rttMs: median(g.map((x) => x.rttMs)),
    ...(g.length > 1 ? { runs: g.map((x) => x.gbps) } : {}),
  }));
}

/** Average round trip of 20 pings 50 ms apart, in ms (the link at rest). */
function pingRtt(ns: string, address: string): number {
  const p = inNs(ns, 'ping', '-q', '-c', '20', '-i', '0.05', '-W', '2', address);
  const m = /= [\d.]+\/([\d.]+)\//.exec(p.stdout);
  return m ? Number(m[1]) : NaN;
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** iperf3's Gbit/s and the CPU its two ends used (% of one core: iperf3's own host_total and remote_total). */
interface IperfResult {
  gbps: number;
  cpu: { client: number; server: number };
}

function iperfRun(clientNs: string, serverNs: string, address: string): IperfResult {
  const srv = inNs(serverNs, 'iperf3', '-s', '-1', '-D', '-B', address);
  if (srv.status !== 0) throw new Error(`iperf3 server: ${srv.stderr}`);
  for (let i = 0; i < 50; i++) {
    const c = inNs(clientNs, 'iperf3', '-c', address, '-t', String(SECONDS), '-J');
    if (c.status === 0) {
      const r = JSON.parse(c.stdout) as { end: { sum_received: { bits_per_second: number }; cpu_utilization_percent?: { host_total: number; remote_total: number } } };
      const u = r.end.cpu_utilization_percent;
      return { gbps: +(r.end.sum_received.bits_per_second / 1e9).toFixed(3), cpu: { client: Math.round(u?.host_total ?? NaN), server: Math.round(u?.remote_total ?? NaN) } };
    }
    execFileSync('sleep', ['0.1']);
  }
  throw new Error('iperf3 client could not connect');
}

function iperf(clientNs: string, serverNs: string, address: string): number {
  return iperfRun(clientNs, serverNs, address).gbps;
}

/**
 * Pings through the link while iperf3 runs (5 a second): the round trip
 * under load, and the replies lost, say whether a node starves the other
 * (a busy-polling node keeps a core). Resolves when the ping ends.
 */
function pingUnderLoad(ns: string, address: string, seconds: number): Promise<{ avgMs: number; maxMs: number; lost: number }> {
  const count = Math.max(1, Math.floor(seconds * 5) - 2);
  const p = spawn('ip', ['netns', 'exec', ns, 'ping', '-q', '-c', String(count), '-i', '0.2', '-W', '1', address], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    p.on('close', () => {
      const rtt = /= [\d.]+\/([\d.]+)\/([\d.]+)\//.exec(out);
      const rx = /(\d+) received/.exec(out);
      resolve({ avgMs: rtt ? Number(rtt[1]) : NaN, maxMs: rtt ? Number(rtt[2]) : NaN, lost: count - (rx ? Number(rx[1]) : 0) });
    }),
  );
}

function tapReceived(ns: string, tap: string): number {
  const j = JSON.parse(execFileSync('ip', ['-n', ns, '-j', '-s', 'link', 'show', 'dev', tap], { encoding: 'utf8' })) as Array<{ stats64: { rx: { packets: number } } }>;
  // Frames the node writes into its TAP are what the TAP interface receives.
  return j[0]!.stats64.rx.packets;
}

/** 64-octet frames pushed into the router's TAP for `seconds`; frames/s out of the DX device's TAP. */
async function fps64(lab: LinkState, seconds: number): Promise<number> {
  const rt = lab.nodes.find((n) => n.node === 'rt')!;
  const dx = lab.nodes.find((n) => n.node === 'dx')!;
  const gen = afPacket(rt.tap, { netns: rt.netns, promiscuous: false });
  const frame = new Uint8Array(64);
  frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x99, 0x88, 0xb5]); // local experimental EtherType
  const batch = Array.from({ length: 64 }, () => frame);
  const before = tapReceived(dx.netns, dx.tap);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    gen.send(batch);
    // Let the node processes have the cores now and then.
    if (Math.random() < 0.02) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = tapReceived(dx.netns, dx.tap);
  gen.close();
  return Math.round((after - before) / seconds);
}

interface RunCost {
  mtu: number;
  variant: string;
  round: number;
  gbps: number;
  load1: number;
  cpuPct: { rt: number; dx: number; iperfClient: number; iperfServer: number };
  pingUnderLoad: { avgMs: number; maxMs: number; lost: number };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:link needs root (namespaces, veths, TAPs)');
  const tag = randomBytes(2).toString('hex');
  const result = {
    tcp: [] as Array<{ mtu: number; crypto: string; gbps: number; rttMs: number }>,
    rings: [] as Array<{ mtu: number; ring: string; gbps: number; rttMs: number }>,
    /** The experiments: gbps, idle ping, and what each run cost the machine (node and iperf3 CPU, ping under load). */
    experiments: [] as Array<{ mtu: number; variant: string; gbps: number; rttMs: number }>,
    /** Per run of every variant: load average at its start, CPU of each node and of iperf3's ends, ping under load. */
    runs: [] as RunCost[],
    stages: [] as StageTable[],
    loadAtStart: loadavg().map((x) => +x.toFixed(2)),
    kernel: [] as Array<{ mtu: number; gbps: number; rttMs: number }>,
    fps64: [] as Array<{ crypto: string; fps: number }>,
    secureMs: { default: 0, fast: 0 },
    rssMB: {} as Record<string, number>,
    cpuPct: {} as Record<string, number>,
    lag: undefined as LagVersusSingle | undefined,
    vxlan: undefined as VxlanVersusPlain | undefined,
  };
  // BENCH_VARIANTS=native,none (an engine, native for the fastest, none, a ring name, lag or vxlan) measures only those;
  // the MKA times with any link variant, not with lag or vxlan alone (they bring up labs of their own).
  const only = process.env.BENCH_VARIANTS?.split(',');
  const linkVariants = !only || only.some((v) => v !== 'lag' && v !== 'vxlan');
  for (const profile of linkVariants ? (['default', 'fast'] as const) : []) {
    const name = `bs-${profile}-${tag}`;
    try {
      const lab = await linkUp({ name, fast: profile === 'fast', logLevel: 'warn' });
      result.secureMs[profile] = await secured(lab);
    } finally {
      await linkDown(name);
    }
  }
  if (linkVariants) log(`secured after ${result.secureMs.default} ms (default), ${result.secureMs.fast} ms (fast)`);
  const variants: Array<{ crypto: NativeGcmEngineName | 'node' | 'none'; ring: 'off' | 'v2' | 'v3'; experiment?: string }> = [
    ...ENGINES.map((crypto) => ({ crypto, ring: 'off' as const })),
    { crypto: 'node', ring: 'off' },
    { crypto: 'none', ring: 'off' },
    { crypto: FASTEST, ring: 'v2' },
    { crypto: FASTEST, ring: 'v3' },
    ...Object.keys(EXPERIMENTS).map((experiment) => ({ crypto: FASTEST, ring: 'off' as const, experiment })),
  ];
  const chosen = variants.filter((v) =>
    v.experiment
      ? only?.includes(v.experiment) || only?.includes('experiments')
      : !only || (v.ring === 'off' ? only.includes(v.crypto) || (only.includes('native') && v.crypto === FASTEST) : only.includes(v.ring)),
  );
  const stages = new StageTables();
  for (let round = 0; round < ROUNDS; round++) {
    for (const mtu of [1500, 9001]) {
      for (const { crypto, ring, experiment } of chosen) {
        const label = experiment ?? (ring !== 'off' ? `${crypto} ring ${ring}` : crypto);
        const name = `b${mtu}${crypto === 'none' ? 'x' : crypto.slice(0, 2)}${experiment ? experiment.slice(0, 2) + experiment.slice(-2) : ring}${round}-${tag}`;
        try {
          // The node processes inherit the environment: DXLAB_CRYPTO picks their
          // GCM engine, DXLAB_PACKET_RING how their wire sockets read and write,
          // an experiment's variable how they serve their handles.
          process.env.DXLAB_CRYPTO = crypto === 'none' ? 'native' : crypto;
          process.env.DXLAB_PACKET_RING = ring;
          for (const v of EXPERIMENT_VARS) delete process.env[v];
          Object.assign(process.env, experiment ? EXPERIMENTS[experiment] : {});
          const lab = await linkUp({ name, mtu, fast: true, mode: crypto === 'none' ? 'no_encrypt' : 'should_encrypt', logLevel: 'warn' });
          await secured(lab).catch(() => 0);
          if (crypto !== 'none') await expectCrypto(lab, crypto);
          if (crypto === 'none') await new Promise((r) => setTimeout(r, 2000)); // should not matter: no_encrypt is clear at once
          const [rt, dx] = [lab.nodes.find((n) => n.node === 'rt')!, lab.nodes.find((n) => n.node === 'dx')!];
          const rttMs = pingRtt(rt.netns, '169.254.100.2');
          const sockets = [rt.socket, dx.socket];
          const load1 = +loadavg()[0]!.toFixed(2);
          const before = crypto === 'node' ? undefined : await stageSnapshot(sockets);
          const t0 = { rt: cpuTicks(rt.pid), dx: cpuTicks(dx.pid), at: performance.now() };
          const pinging = pingUnderLoad(rt.netns, '169.254.100.2', SECONDS);
          const ip = iperfRun(rt.netns, dx.netns, '169.254.100.2');
          const gbps = ip.gbps;
          const dt = (performance.now() - t0.at) / 1000;
          const cpu = { rt: Math.round(((cpuTicks(rt.pid) - t0.rt) / CLK_TCK / dt) * 100), dx: Math.round(((cpuTicks(dx.pid) - t0.dx) / CLK_TCK / dt) * 100) };
          if (before) stages.add(mtu, label, before, await stageSnapshot(sockets));
          const underLoad = await pinging;
          result.runs.push({ mtu, variant: label, round, gbps, load1, cpuPct: { ...cpu, iperfClient: ip.cpu.client, iperfServer: ip.cpu.server }, pingUnderLoad: underLoad });
          const cost = `load ${load1}, CPU rt ${cpu.rt}% dx ${cpu.dx}% iperf3 ${ip.cpu.client}%/${ip.cpu.server}%, ping under load ${underLoad.avgMs} ms (max ${underLoad.maxMs}, ${underLoad.lost} lost)`;
          if (experiment) {
            result.experiments.push({ mtu, variant: experiment, gbps, rttMs });
            log(`TCP MTU ${mtu} crypto ${crypto}, ${experiment} (${Object.entries(EXPERIMENTS[experiment]!).map(([k, v]) => `${k}=${v}`).join(' ')}): ${gbps} Gbit/s, ping ${rttMs} ms; ${cost}`);
            continue;
          }
          if (ring !== 'off') {
            result.rings.push({ mtu, ring, gbps, rttMs });
            log(`TCP MTU ${mtu} crypto ${crypto}, PACKET_MMAP ring ${ring}: ${gbps} Gbit/s, ping ${rttMs} ms; ${cost}`);
            continue;
          }
          result.tcp.push({ mtu, crypto, gbps, rttMs });
          log(`TCP MTU ${mtu} crypto ${crypto}: ${gbps} Gbit/s, ping ${rttMs} ms; ${cost}`);
          if (round > 0) continue;
          if (mtu === 1500 && crypto === FASTEST) {
            result.cpuPct = cpu;
            result.rssMB = { rt: rssMB(rt.pid), dx: rssMB(dx.pid) };
          }
          if (mtu === 1500) {
            const fps = await fps64(lab, Math.min(SECONDS, 5));
            result.fps64.push({ crypto, fps });
            log(`64-octet frames, crypto ${crypto}: ${fps} frames/s`);
          }
          if (mtu === 9001 && crypto === 'none' && round === 0) {
            // The kernel's figure: a plain veth between the same namespaces.
            for (const m of [1500, 9001]) {
              const a = `dxk${tag}a`;
              const b = `dxk${tag}b`;
              execFileSync('ip', ['link', 'add', a, 'netns', rt.netns, 'mtu', String(m), 'type', 'veth', 'peer', 'name', b, 'netns', dx.netns, 'mtu', String(m)]);
              execFileSync('ip', ['-n', rt.netns, 'addr', 'add', '10.254.0.1/30', 'dev', a]);
              execFileSync('ip', ['-n', dx.netns, 'addr', 'add', '10.254.0.2/30', 'dev', b]);
              execFileSync('ip', ['-n', rt.netns, 'link', 'set', a, 'up']);
              execFileSync('ip', ['-n', dx.netns, 'link', 'set', b, 'up']);
              const rtt = pingRtt(rt.netns, '10.254.0.2');
              const g = iperf(rt.netns, dx.netns, '10.254.0.2');
              result.kernel.push({ mtu: m, gbps: g, rttMs: rtt });
              log(`TCP MTU ${m} plain veth: ${g} Gbit/s`);
              execFileSync('ip', ['-n', rt.netns, 'link', 'del', a]);
            }
          }
        } finally {
          await linkDown(name);
        }
      }
    }
  }
  for (const v of EXPERIMENT_VARS) delete process.env[v];
  result.stages = stages.tables();
  if (!only || only.includes('lag')) {
    // A LAG against a single link in the same run (native, fast path), once: its own two labs.
    process.env.DXLAB_CRYPTO = 'native';
    process.env.DXLAB_PACKET_RING = 'off';
    result.lag = await lagVersusSingle(SECONDS, log);
    log(`LAG: single link ${result.lag.singleLinkGbps} Gbit/s, 2-member LAG ${result.lag.lagGbps} Gbit/s (iperf3 -P 4)`);
  }
  if (!only || only.includes('vxlan')) {
    // One link across VXLAN against the plain lab (and in containers), once: labs of their own.
    process.env.DXLAB_CRYPTO = 'native';
    process.env.DXLAB_PACKET_RING = 'off';
    result.vxlan = await vxlanVersusPlain(SECONDS, log);
  }
  result.tcp = medianOf(result.tcp, (x) => `${x.mtu} ${x.crypto}`);
  result.rings = medianOf(result.rings, (x) => `${x.mtu} ${x.ring}`);
  result.experiments = medianOf(result.experiments, (x) => `${x.mtu} ${x.variant}`);
  if (json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  if (linkVariants) console.log(`MKA time to secured: ${result.secureMs.default} ms (hello 2 s, life 6 s), ${result.secureMs.fast} ms (hello 0.5 s, life 1.5 s)`);
  for (const mtu of [1500, 9001]) {
    const k = result.kernel.find((x) => x.mtu === mtu)?.gbps;
    const none = result.tcp.find((x) => x.mtu === mtu && x.crypto === 'none')?.gbps;
    // Each figure beside the no-crypto path and the plain veth of the same run: how far below the ceiling it is.
    const beside = (g: number) => (none ? `${(((g - none) / none) * 100).toFixed(0)}% against no crypto ${none.toFixed(3)}, ` : '') + `plain veth: ${k ?? '-'} Gbit/s`;
    for (const t of result.tcp.filter((x) => x.mtu === mtu)) console.log(`TCP, TAP MTU ${mtu}, crypto ${t.crypto.padEnd(8)}: ${t.gbps.toFixed(3)} Gbit/s, ping ${t.rttMs} ms (${t.crypto === 'none' ? `plain veth: ${k ?? '-'} Gbit/s` : beside(t.gbps)})`);
    for (const r of result.rings.filter((x) => x.mtu === mtu)) console.log(`TCP, TAP MTU ${mtu}, crypto ${FASTEST}, ring ${r.ring}: ${r.gbps.toFixed(3)} Gbit/s, ping ${r.rttMs} ms`);
    const native = result.tcp.find((x) => x.mtu === mtu && x.crypto === FASTEST)?.gbps;
    for (const e of result.experiments.filter((x) => x.mtu === mtu)) {
      const vs = native ? ` (${(((e.gbps - native) / native) * 100).toFixed(0)}% against ${FASTEST} without it)` : '';
      console.log(`TCP, TAP MTU ${mtu}, crypto ${FASTEST}, ${e.variant}: ${e.gbps.toFixed(3)} Gbit/s, ping ${e.rttMs} ms${vs}`);
    }
  }
  console.log(`load average at the start: ${result.loadAtStart.join(', ')}`);
  for (const r of result.runs)
    console.log(
      `run ${r.round} MTU ${r.mtu} ${r.variant}: ${r.gbps} Gbit/s, load ${r.load1}, CPU rt ${r.cpuPct.rt}% dx ${r.cpuPct.dx}% iperf3 ${r.cpuPct.iperfClient}%/${r.cpuPct.iperfServer}%, ping under load ${r.pingUnderLoad.avgMs} ms (max ${r.pingUnderLoad.maxMs}, ${r.pingUnderLoad.lost} lost)`,
    );
  for (const t of result.stages) for (const l of stageLines(t)) console.log(l);
  const none64 = result.fps64.find((f) => f.crypto === 'none')?.fps;
  for (const f of result.fps64) console.log(`64-octet frames, crypto ${f.crypto.padEnd(8)}: ${f.fps} frames/s${none64 && f.crypto !== 'none' ? ` (${(((f.fps - none64) / none64) * 100).toFixed(0)}% against no crypto)` : ''}`);
  if (result.lag) {
    console.log(`TCP, iperf3 -P 4, TAP MTU 1500, a LAG against a single link:`);
    for (const l of lagLines(result.lag)) console.log(l);
  }
  if (result.vxlan) {
    console.log(`TCP, TAP MTU 1500, router-dx (dxlab up, crypto native), one link:`);
    for (const l of vxlanLines(result.vxlan)) console.log(l);
  }
  if (Object.keys(result.rssMB).length) console.log(`RSS: ${Object.entries(result.rssMB).map(([n, v]) => `${n} ${v} MB`).join(', ')}; CPU during TCP at MTU 1500, crypto ${FASTEST}: ${Object.entries(result.cpuPct).map(([n, v]) => `${n} ${v}%`).join(', ')}`);
}

main().catch((e) => {
  process.stderr.write(`bench:link: ${(e as Error).message}\n`);
  process.exit(1);
});
