/**
 * Measured traffic for a scenario: a counting ping from a node's namespace
 * (`ping -n -i 0.1`), whose summary gives the echoes sent, answered and lost;
 * or a TCP stream (iperf3, a server in one end's namespace, the client in the
 * other's), whose report gives the octets sent and received, the time no
 * octet could be written (a stall: the path lost, TCP retransmitting) and
 * whether the connection lived to its end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { TCP_INTERVAL_S, TCP_WRITE_OCTETS } from './constants.js';

/** A ping's figures are echoes; a TCP stream's are octets. */
export type TrafficResult =
  | { kind: 'ping'; sent: number; received: number; lost: number }
  | { kind: 'tcp'; sent: number; received: number; lost: number; stalledS: number; survived: boolean; error?: string };

export interface TrafficRun {
  stop(): Promise<TrafficResult>;
  /** Ends it without a result (a scenario that stops early). */
  abort(): void;
}

/** The summary line of iputils ping: "20 packets transmitted, 18 received, ...". */
export function parsePingSummary(out: string): { sent: number; received: number } | undefined {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
  return m ? { sent: Number(m[1]), received: Number(m[2]) } : undefined;
}

function collect(p: ChildProcess): { text: () => string; done: Promise<void> } {
  let out = '';
  p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<void>((resolve) => p.once('close', () => resolve()));
  return { text: () => out, done };
}

/** A counting ping from namespace `ns` to `address`. */
export function startPing(ns: string, address: string, o: { intervalMs: number; size?: number; count?: number }): TrafficRun {
  const args = ['netns', 'exec', ns, 'ping', '-n', '-i', String(o.intervalMs / 1000), '-W', '1', ...(o.count !== undefined ? ['-c', String(o.count)] : []), ...(o.size !== undefined ? ['-s', String(o.size), '-M', 'dont'] : []), address];
  const p = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const c = collect(p);
  let ended = false;
  void c.done.then(() => (ended = true));
  return {
    async stop() {
      // With a count, ping ends by itself once the last echo is answered or its wait (-W 1) is over, so
      // no echo in flight is counted lost; without one, SIGINT ends it and the echo in flight, if any, is.
      if (o.count !== undefined) {
        const bound = setTimeout(() => p.kill('SIGINT'), o.count * o.intervalMs + 30_000);
        await c.done;
        clearTimeout(bound);
      } else if (!ended) p.kill('SIGINT');
      await c.done;
      const s = parsePingSummary(c.text());
      if (!s) throw new Error(`ping ${address} from ${ns} printed no summary: ${c.text().trim().split('\n').slice(-2).join(' / ') || 'nothing'}`);
      return { kind: 'ping', sent: s.sent, received: s.received, lost: s.sent - s.received };
    },
    abort: () => void p.kill('SIGKILL'),
  };
}

/** What a TCP stream's iperf3 client report (--json) says. */
export function parseIperfReport(json: string, exitCode: number | null): Extract<TrafficResult, { kind: 'tcp' }> {
  let d: any;
  try {
    d = JSON.parse(json);
  } catch {
    return { kind: 'tcp', sent: 0, received: 0, lost: 0, stalledS: 0, survived: false, error: `iperf3 printed no report (exit ${exitCode}): ${json.trim().split('\n').slice(-1)[0] || 'nothing'}` };
  }
  const sent = Number(d?.end?.sum_sent?.bytes ?? 0);
  const received = Number(d?.end?.sum_received?.bytes ?? 0);
  // The sender's intervals: one in which nothing could be written is one in which the window stayed full (nothing acknowledged).
  const intervals = (d?.intervals ?? []) as Array<{ sum?: { bytes?: number; seconds?: number } }>;
  const stalledS = intervals.filter((i) => (i.sum?.bytes ?? 0) === 0).reduce((t, i) => t + (i.sum?.seconds ?? TCP_INTERVAL_S), 0);
  const error = typeof d?.error === 'string' ? d.error : exitCode !== 0 ? `iperf3 exited ${exitCode}` : undefined;
  return { kind: 'tcp', sent, received, lost: Math.max(0, sent - received), stalledS: Math.round(stalledS * 10) / 10, survived: error === undefined && received > 0, ...(error !== undefined ? { error } : {}) };
}

/**
 * A TCP stream of `seconds` from namespace `fromNs` to `address` in `toNs`: an iperf3 server there for
 * this one test (-1), the client here at `rateMbps`. traffic-stop waits for its end.
 */
export async function startTcp(fromNs: string, toNs: string, address: string, o: { seconds: number; rateMbps: number; port: number }): Promise<TrafficRun> {
  const server = spawn('ip', ['netns', 'exec', toNs, 'iperf3', '-s', '-1', '--forceflush', '-B', address, '-p', String(o.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const s = collect(server);
  // The client may connect once the server listens (it says so on its first line; --forceflush: at once, though its stdout is a pipe).
  await new Promise<void>((resolve, reject) => {
    const bound = setTimeout(() => {
      server.kill('SIGKILL');
      reject(new Error(`iperf3 server in ${toNs} did not listen within 10 s: ${s.text().trim() || 'nothing printed'}`));
    }, 10_000);
    const check = () => {
      if (/listening/i.test(s.text())) {
        clearTimeout(bound);
        resolve();
      }
    };
    server.stdout?.on('data', check);
    void s.done.then(() => {
      clearTimeout(bound);
      reject(new Error(`iperf3 server in ${toNs} ended: ${s.text().trim() || 'nothing printed'}`));
    });
  });
  const client = spawn('ip', ['netns', 'exec', fromNs, 'iperf3', '-c', address, '-p', String(o.port), '-t', String(o.seconds), '-b', `${o.rateMbps}M`, '-l', String(TCP_WRITE_OCTETS), '-i', String(TCP_INTERVAL_S), '--connect-timeout', '5000', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  client.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => client.once('close', (code) => resolve(code)));
  return {
    async stop() {
      // A stream whose path never comes back would wait for TCP to give up (minutes): bound it loosely past its length.
      const bound = setTimeout(() => client.kill('SIGINT'), (o.seconds + 30) * 1000);
      const code = await exited;
      clearTimeout(bound);
      server.kill('SIGTERM');
      await s.done;
      return parseIperfReport(out, code);
    },
    abort: () => {
      client.kill('SIGKILL');
      server.kill('SIGKILL');
    },
  };
}
