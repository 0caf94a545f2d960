/**
 * Measured traffic for a scenario: a counting ping from a node's namespace
 * (`ping -n -i 0.1`), stopped with SIGINT so that it prints its summary,
 * from which the frames sent, answered and lost are read; or a TCP stream
 * (iperf3, its server started in the receiving node's namespace) that reports
 * the octets it carried and the segments TCP had to send again.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface TrafficResult {
  kind: 'ping' | 'tcp';
  sent: number;
  received: number;
  lost: number;
  /** tcp: the octets the stream carried; retransmits: the segments TCP sent again. */
  bytes?: number;
  retransmits?: number;
}

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

/**
 * A TCP stream (iperf3) from namespace `ns` to `address`, whose server runs in
 * `serverNs`; `lost` is the segments TCP retransmitted (what the wire lost),
 * `bytes` what the receiver got.
 */
export function startTcp(ns: string, serverNs: string, address: string, port: number): TrafficRun {
  const server = spawn('ip', ['netns', 'exec', serverNs, 'iperf3', '-s', '-1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let client: ChildProcess | undefined;
  let c: ReturnType<typeof collect> | undefined;
  // The server needs a moment to listen; iperf3's client retries nothing, so it starts once the server says it listens.
  const ready = new Promise<void>((resolve) => {
    let said = '';
    server.stdout?.on('data', (d: Buffer) => {
      said += d.toString();
      if (/listening/i.test(said)) resolve();
    });
    setTimeout(resolve, 2000);
  }).then(() => {
    client = spawn('ip', ['netns', 'exec', ns, 'iperf3', '-c', address, '-p', String(port), '-t', '600', '-b', '20M', '-J'], { stdio: ['ignore', 'pipe', 'pipe'] });
    c = collect(client);
  });
  return {
    async stop() {
      await ready;
      client!.kill('SIGINT');
      await c!.done;
      server.kill('SIGKILL');
      const text = c!.text();
      let j: any;
      try {
        j = JSON.parse(text.slice(text.indexOf('{')));
      } catch {
        throw new Error(`iperf3 to ${address} printed no result: ${text.trim().slice(-200) || 'nothing'}`);
      }
      const sum = j.end?.sum_sent ?? {};
      const rcv = j.end?.sum_received ?? {};
      const retransmits = Number(sum.retransmits ?? 0);
      return { kind: 'tcp', sent: Number(sum.bytes ?? 0), received: Number(rcv.bytes ?? 0), lost: retransmits, bytes: Number(rcv.bytes ?? 0), retransmits };
    },
    abort: () => {
      client?.kill('SIGKILL');
      server.kill('SIGKILL');
    },
  };
}
