/**
 * An in-memory lab for KaY tests: KaYs on a shared wire (every MKPDU reaches
 * every other node after `latencyMs`), a simulated clock, and a small SecY
 * model that applies the KaY's commands and carries data frames (AN, PN and
 * the key's identity, no real crypto) so that tests can count lost frames.
 * Deterministic: randomness comes from a seeded generator.
 */
import { toHex } from '../../src/shared/bytes.js';
import { seededOctets } from './random.js';
import { KaY } from '../../src/mka/kay.js';
import type { ControlledPortState, KayConfig, KayEvent, KayOutput, SecYCommand, SecYSettings } from '../../src/mka/types.js';
import type { Sci } from '../../src/macsec/sci.js';

interface SimSa {
  key: string;
  nextPn: bigint;
  lowestPn: bigint;
  enabled: boolean;
  ssci?: number;
  salt?: string;
}

/** A data frame on the simulated wire. */
export interface DataFrame {
  from: string;
  sci: Sci;
  protected: boolean;
  an: number;
  pn: bigint;
  key: string;
  ssci?: number;
  salt?: string;
}

/** Just enough SecY to check what the KaY asks for. */
export class SimSecY {
  txSas = new Map<number, SimSa>();
  encodingAn?: number;
  rxScs = new Map<Sci, Map<number, SimSa>>();
  port: ControlledPortState = 'blocked';
  settings?: SecYSettings;
  log: SecYCommand[] = [];
  /** PN step per frame sent (tests jump PNs to reach the exhaustion threshold). */
  pnJump = 1n;

  apply(c: SecYCommand): void {
    this.log.push(c);
    switch (c.op) {
      case 'configure':
        this.settings = { ...c };
        break;
      case 'createTxSa':
        if (this.txSas.has(c.an)) throw new Error(`createTxSa: AN ${c.an} exists`);
        this.txSas.set(c.an, { key: toHex(c.sak.expose()), nextPn: c.nextPn, lowestPn: 1n, enabled: false, ...(c.ssci !== undefined ? { ssci: c.ssci } : {}), ...(c.salt ? { salt: toHex(c.salt) } : {}) });
        break;
      case 'enableTxSa': {
        const sa = this.txSas.get(c.an);
        if (!sa) throw new Error(`enableTxSa: no AN ${c.an}`);
        sa.enabled = true;
        this.encodingAn = c.an;
        break;
      }
      case 'deleteTxSa':
        this.txSas.delete(c.an);
        if (this.encodingAn === c.an) this.encodingAn = undefined;
        break;
      case 'createRxSc':
        if (this.rxScs.has(c.sci)) throw new Error('createRxSc: exists');
        this.rxScs.set(c.sci, new Map());
        break;
      case 'deleteRxSc':
        if (this.rxScs.get(c.sci)?.size) throw new Error('deleteRxSc: SAs remain');
        this.rxScs.delete(c.sci);
        break;
      case 'createRxSa': {
        const sc = this.rxScs.get(c.sci);
        if (!sc) throw new Error('createRxSa: no SC');
        if (sc.has(c.an)) throw new Error(`createRxSa: AN ${c.an} exists`);
        sc.set(c.an, { key: toHex(c.sak.expose()), nextPn: 1n, lowestPn: c.lowestPn, enabled: false, ...(c.ssci !== undefined ? { ssci: c.ssci } : {}), ...(c.salt ? { salt: toHex(c.salt) } : {}) });
        break;
      }
      case 'enableRxSa': {
        const sa = this.rxScs.get(c.sci)?.get(c.an);
        if (!sa) throw new Error('enableRxSa: no SA');
        sa.enabled = true;
        break;
      }
      case 'deleteRxSa':
        if (!this.rxScs.get(c.sci)?.delete(c.an)) throw new Error('deleteRxSa: no SA');
        break;
      case 'setLowestPn': {
        const sa = this.rxScs.get(c.sci)?.get(c.an);
        if (sa && c.pn > sa.lowestPn) sa.lowestPn = c.pn;
        break;
      }
      case 'setControlledPort':
        this.port = c.state;
        break;
    }
  }

  /** Frame to send, or undefined when the port passes nothing. */
  send(from: string, sci: Sci): DataFrame | undefined {
    if (this.port === 'blocked') return undefined;
    if (this.port === 'clear' || this.settings?.protectFrames === false) return { from, sci, protected: false, an: 0, pn: 0n, key: '' };
    const an = this.encodingAn;
    const sa = an === undefined ? undefined : this.txSas.get(an);
    if (an === undefined || !sa) return undefined;
    const pn = sa.nextPn;
    sa.nextPn += this.pnJump;
    return { from, sci, protected: true, an, pn, key: sa.key, ...(sa.ssci !== undefined ? { ssci: sa.ssci } : {}), ...(sa.salt ? { salt: sa.salt } : {}) };
  }

  /** Verdict on a received data frame. */
  receive(f: DataFrame): 'ok' | 'blocked' | 'notValid' | 'noSa' | 'late' | 'clearRefused' {
    if (this.port === 'blocked') return 'blocked';
    if (!f.protected) return this.settings?.validateFrames === 'strict' && this.port === 'secured' ? 'clearRefused' : 'ok';
    const sa = this.rxScs.get(f.sci)?.get(f.an);
    if (!sa || !sa.enabled) return 'noSa';
    if (sa.key !== f.key || sa.ssci !== f.ssci || sa.salt !== f.salt) return 'notValid';
    if (f.pn < sa.lowestPn) return 'late';
    return 'ok';
  }
}

export interface LabNode {
  name: string;
  kay: KaY;
  secy: SimSecY;
  events: KayEvent[];
  mkpdusSent: Array<{ at: number; frame: Uint8Array }>;
  deadline: number;
  /** Frames from this node are dropped when false (a silent peer). */
  up: boolean;
  received: Record<string, number>;
  sent: number;
}

export class MkaLab {
  now = 0;
  latencyMs = 1;
  nodes: LabNode[] = [];
  private queue: Array<{ at: number; to: LabNode; frame: Uint8Array }> = [];
  /** Deliver MKPDUs from `from` to `to`? (partition tests) */
  link: (from: LabNode, to: LabNode) => boolean = () => true;
  /** Rewrites every MKPDU a node sends before it reaches the wire (scripted, misbehaving peers). */
  rewrite?: (from: LabNode, frame: Uint8Array) => Uint8Array;
  /** When set, every node sends one data frame to the others this often. */
  trafficEveryMs?: number;
  private nextTrafficAt = 0;

  add(name: string, config: KayConfig, seed: number): LabNode {
    const node: LabNode = {
      name,
      kay: new KaY(config, { random: seededOctets(seed) }),
      secy: new SimSecY(),
      events: [],
      mkpdusSent: [],
      deadline: Infinity,
      up: true,
      received: {},
      sent: 0,
    };
    this.nodes.push(node);
    return node;
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  start(name: string): void {
    const n = this.node(name);
    this.apply(n, n.kay.start(this.now));
  }

  /** Restarts a node's KaY from scratch (new MI), keeping its SecY model fresh too. */
  restart(name: string, config: KayConfig, seed: number): void {
    const n = this.node(name);
    n.kay = new KaY(config, { random: seededOctets(seed) });
    n.secy = new SimSecY();
    this.apply(n, n.kay.start(this.now));
  }

  apply(n: LabNode, out: KayOutput): void {
    for (const c of out.commands) n.secy.apply(c);
    n.events.push(...out.events);
    n.deadline = out.nextDeadline;
    for (const sent of out.mkpdus) {
      const f = this.rewrite ? this.rewrite(n, sent) : sent;
      n.mkpdusSent.push({ at: this.now, frame: f });
      if (!n.up) continue;
      for (const to of this.nodes) if (to !== n && this.link(n, to)) this.queue.push({ at: this.now + this.latencyMs, to, frame: f });
    }
  }

  /** Injects a raw frame into a node at the current time. */
  inject(name: string, frame: Uint8Array): KayOutput {
    const n = this.node(name);
    const out = n.kay.receive(this.now, frame);
    this.apply(n, out);
    return out;
  }

  private reportPns(n: LabNode): void {
    const tx = [...n.secy.txSas.entries()].map(([an, sa]) => ({ an, nextPn: sa.nextPn }));
    this.apply(n, n.kay.reportPn(this.now, { txNextPn: tx }));
  }

  private traffic(): void {
    for (const from of this.nodes) {
      if (!from.up) continue;
      for (const to of this.nodes) {
        if (to === from || !to.up) continue;
        const f = from.secy.send(from.name, from.kay.config.sci);
        if (!f) continue;
        from.sent++;
        const v = to.secy.receive(f);
        to.received[v] = (to.received[v] ?? 0) + 1;
      }
    }
  }

  /** Runs the simulation until `until` (ms). */
  runUntil(until: number): void {
    for (;;) {
      let t = Infinity;
      for (const q of this.queue) t = Math.min(t, q.at);
      for (const n of this.nodes) t = Math.min(t, n.deadline);
      if (this.trafficEveryMs !== undefined) t = Math.min(t, this.nextTrafficAt);
      if (t > until) break;
      this.now = Math.max(this.now, t);
      const due = this.queue.filter((q) => q.at <= this.now);
      this.queue = this.queue.filter((q) => q.at > this.now);
      for (const q of due) this.apply(q.to, q.to.kay.receive(this.now, q.frame));
      if (this.trafficEveryMs !== undefined && this.nextTrafficAt <= this.now) {
        this.traffic();
        this.nextTrafficAt = this.now + this.trafficEveryMs;
      }
      for (const n of this.nodes) {
        if (n.deadline <= this.now) {
          this.reportPns(n);
          this.apply(n, n.kay.tick(this.now));
        }
      }
    }
    this.now = until;
  }

  /** Advances by `ms`. */
  advance(ms: number): void {
    this.runUntil(this.now + ms);
  }
}
