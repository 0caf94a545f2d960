/**
 * Two KaYs with real SecYs on a simulated clock, recording every frame on the
 * wire (MKPDUs and protected data frames) with its time: a capture of a whole
 * MKA session made by dxlab's own KaY and SecY, for offline tools to read.
 */
import { KaY, type KayConfig } from '../../src/mka/index.js';
import { SecY, sciMac } from '../../src/macsec/index.js';
import { applySecYCommand } from '../../src/node/secy-commands.js';
import type { CapturedFrame } from '../../src/io/pcap.js';
import { seededOctets } from './random.js';

export interface SessionNode {
  kay: KaY;
  secy: SecY;
}

export class KaySession {
  now = 0;
  readonly wire: CapturedFrame[] = [];
  readonly nodes: SessionNode[];
  private queue: Array<{ at: number; to: number; frame: Uint8Array }> = [];
  private deadlines: number[] = [];

  constructor(configs: KayConfig[], readonly t0Ns = 1_767_225_600_000_000_000n) {
    this.nodes = configs.map((c, i) => ({ kay: new KaY(c, { random: seededOctets(100 + i) }), secy: new SecY({ txSci: c.sci }) }));
    this.deadlines = this.nodes.map(() => 0);
    this.nodes.forEach((n, i) => this.handle(i, n.kay.start(this.now)));
  }

  private record(frame: Uint8Array): void {
    this.wire.push({ timeNs: this.t0Ns + BigInt(this.now) * 1_000_000n, data: frame, origLength: frame.length, interfaceId: 0 });
  }

  private handle(i: number, out: ReturnType<KaY['tick']>): void {
    const n = this.nodes[i]!;
    for (const c of out.commands) applySecYCommand(n.secy, c);
    for (const m of out.mkpdus) {
      this.record(m);
      this.nodes.forEach((_, j) => j !== i && this.queue.push({ at: this.now + 1, to: j, frame: m }));
    }
    this.deadlines[i] = out.nextDeadline;
  }

  /** Advances the clock in 1 ms steps, delivering MKPDUs and running ticks. */
  advance(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now++;
      const due = this.queue.filter((q) => q.at <= this.now);
      this.queue = this.queue.filter((q) => q.at > this.now);
      for (const q of due) this.handle(q.to, this.nodes[q.to]!.kay.receive(this.now, q.frame));
      this.nodes.forEach((n, i) => {
        if (this.deadlines[i]! <= this.now) this.handle(i, n.kay.tick(this.now));
      });
    }
  }

  /** Node `i` sends a frame to node `j` through its SecY; returns whether j accepted it. */
  send(i: number, j: number, payload: Uint8Array): boolean {
    const from = this.nodes[i]!;
    const to = this.nodes[j]!;
    const frame = new Uint8Array(14 + payload.length);
    frame.set(sciMac(to.kay.config.sci), 0);
    frame.set(sciMac(from.kay.config.sci), 6);
    frame.set([0x08, 0x00], 12);
    frame.set(payload, 14);
    const p = from.secy.protect(frame);
    if (!p.ok) return false;
    this.record(p.frame);
    return to.secy.validate(p.frame).verdict === 'inPktsOK';
  }

  requestRekey(i: number): void {
    this.handle(i, this.nodes[i]!.kay.requestRekey(this.now));
  }
}
