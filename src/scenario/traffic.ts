/**
 * Measured traffic for a scenario: a counting ping from a node's namespace
 * (`ping -n -i 0.1`), whose summary gives the echoes sent, answered and lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface TrafficResult {
  kind: 'ping';
  sent: number;
  received: number;
  lost: number;
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
