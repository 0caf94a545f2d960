/**
 * Frames per second through an AF_PACKET socket on a veth pair, batched
 * (sendmmsg / recvmmsg, 64 frames per call) against one frame per call, at 64
 * and 1500 octets. Needs root; builds two namespaces with a veth between them
 * and removes them at the end. Not a test: it prints figures.
 *
 *   node --import tsx bench/io.ts [seconds per case, default 2]
 *
 * The receiver runs in a child process (the same script, role "rx") so that
 * sender and receiver each have a core, as two lab nodes do.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afPacket } from '../src/io/index.js';

const ETHERTYPE = 0x88b5; // IEEE 802 local experimental

interface RxResult {
  frames: number;
  bytes: number;
  drops: number;
  /** CPU time of the receiving process while frames arrived (user, system), microseconds. */
  userUs: number;
  systemUs: number;
}

async function rxRole(netns: string, ifname: string, batch: number, delivery: 'batch' | 'perFrame'): Promise<void> {
  const io = afPacket(ifname, { netns, etherType: ETHERTYPE, batch, delivery });
  let frames = 0;
  let bytes = 0;
  let cpu0: NodeJS.CpuUsage | undefined;
  io.start((batchFrames) => {
    cpu0 ??= process.cpuUsage();
    frames += batchFrames.length;
    for (const f of batchFrames) bytes += f.length;
  });
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'stop') break;
  }
  process.stdin.destroy();
  const cpu = process.cpuUsage(cpu0);
  const result: RxResult = { frames, bytes, drops: io.stats().rxDropped, userUs: cpu.user, systemUs: cpu.system };
  io.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

interface Case {
  size: number;
  txBatch: number;
  rxBatch: number;
  delivery: 'batch' | 'perFrame';
  label: string;
}

async function runCase(c: Case, seconds: number, nsA: string, nsB: string, ifA: string, ifB: string): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, script, 'rx', nsB, ifB, String(c.rxBatch), c.delivery], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = await lines.next();
  if (ready.value !== 'ready') throw new Error(`receiver did not start: ${String(ready.value)}`);

  const tx = afPacket(ifA, { netns: nsA, etherType: ETHERTYPE });
  const frame = new Uint8Array(c.size);
  frame.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, ETHERTYPE >> 8, ETHERTYPE & 0xff]);
  const batch = Array.from({ length: c.txBatch }, () => frame);
  const single = [frame];
  let sent = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    if (c.txBatch === 1) for (let i = 0; i < 64; i++) sent += tx.send(single);
    else sent += tx.send(batch);
  }
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const txStats = tx.stats();
  tx.close();
  await new Promise((r) => setTimeout(r, 300));
  child.stdin!.write('stop\n');
  const res = JSON.parse(String((await lines.next()).value)) as RxResult;
  await new Promise((r) => child.once('exit', r));
  const fmt = (n: number) => `${(n / elapsed / 1e6).toFixed(3)} M/s`;
  console.log(
    [
      c.label.padEnd(44),
      `${String(c.size).padStart(5)} B`,
      `sent ${fmt(sent).padStart(11)}`,
      `received ${fmt(res.frames).padStart(11)}`,
      `(${((res.frames * c.size * 8) / elapsed / 1e9).toFixed(2)} Gbit/s)`,
      `receiver CPU ${((res.userUs + res.systemUs) * 1000 / Math.max(res.frames, 1)).toFixed(0)} ns/frame (user ${((res.userUs * 1000) / Math.max(res.frames, 1)).toFixed(0)})`,
      `socket drops ${res.drops}`,
      `tx refused ${txStats.txDropped + txStats.txErrors}`,
    ].join('  '),
  );
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('bench/io.ts needs root (network namespaces, AF_PACKET)');
    process.exitCode = 1;
    return;
  }
  const seconds = Number(process.argv[2] ?? 2);
  const tag = randomBytes(3).toString('hex');
  const nsA = `dxbench-${tag}-a`;
  const nsB = `dxbench-${tag}-b`;
  const ifA = `dxb${tag}a`;
  const ifB = `dxb${tag}b`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'inherit' });
  const cleanup = () => {
    for (const ns of [nsA, nsB]) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // not created
      }
    }
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    ip('netns', 'add', nsA);
    ip('netns', 'add', nsB);
    ip('link', 'add', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB);
    for (const [ns, dev] of [[nsA, ifA], [nsB, ifB]] as const) {
      execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    console.log(`AF_PACKET over veth, ${seconds} s per case; receiver in its own process`);
    for (const size of [64, 1500]) {
      await runCase({ size, txBatch: 1, rxBatch: 1, delivery: 'batch', label: 'one by one (send 1/call, recv 1/callback)' }, seconds, nsA, nsB, ifA, ifB);
      await runCase({ size, txBatch: 64, rxBatch: 64, delivery: 'batch', label: 'batches of 64, one Buffer + lengths' }, seconds, nsA, nsB, ifA, ifB);
      await runCase({ size, txBatch: 64, rxBatch: 64, delivery: 'perFrame', label: 'batches of 64, one Buffer per frame' }, seconds, nsA, nsB, ifA, ifB);
    }
  } finally {
    cleanup();
  }
}

if (process.argv[2] === 'rx') {
  await rxRole(process.argv[3]!, process.argv[4]!, Number(process.argv[5]), process.argv[6] as 'batch' | 'perFrame');
} else {
  await main();
}
