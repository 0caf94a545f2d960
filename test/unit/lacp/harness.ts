/**
 * Two or more Lags on in-memory member wires with a manual clock, for the
 * LACP machine tests: the frames a Lag sends on a member are delivered to
 * whatever member that wire ends at, unless the wire is down or muted in
 * that direction.
 */
import { Lag, decodeLacpdu, slowProtocolSubtype, SUBTYPE, type LacpEvent, type LagComponents, type LagConfig, type Lacpdu } from '../../../src/lacp/index.js';

export const mac = (last: number, sys = 0): Uint8Array => Uint8Array.from([0x02, 0, 0, sys, 0, last]);

/** A Lag with members m1..mN, system 02:00:00:SYS:00:00, member MACs 02:00:00:SYS:00:0i. */
export function lagConfig(sys: number, members: number, over: Partial<LagConfig> = {}): LagConfig {
  return {
    system: mac(0, sys),
    key: 1,
    ports: Array.from({ length: members }, (_, i) => ({ name: `m${i + 1}`, mac: mac(i + 1, sys), portNumber: i + 1 })),
    ...over,
  };
}

export interface Transition {
  at: number;
  lag: string;
  port: string;
  machine: string;
  from: string;
  to: string;
}

export interface Sent {
  at: number;
  lag: string;
  port: string;
  frame: Uint8Array;
}

type End = { lag: string; port: string };

export class Bench {
  now = 0;
  readonly lags = new Map<string, Lag>();
  readonly transitions: Transition[] = [];
  readonly events: Array<LacpEvent & { lag: string }> = [];
  readonly sent: Sent[] = [];
  private deadlines = new Map<string, number>();
  /** wire key `lag/port` -> the other end */
  private wires = new Map<string, End>();
  /** directions that drop frames: `lag/port` of the sender */
  readonly muted = new Set<string>();
  private queue: Array<{ to: End; frame: Uint8Array }> = [];

  add(name: string, config: LagConfig, components: LagComponents = {}): Lag {
    const lag = new Lag(config, {
      onTransition: (t) => {
        this.transitions.push({ at: t.at, lag: name, port: t.port, machine: t.machine, from: t.from, to: t.to });
        components.onTransition?.(t);
      },
    });
    this.lags.set(name, lag);
    this.absorb(name, lag.start(this.now));
    return lag;
  }

  lag(name: string): Lag {
    return this.lags.get(name)!;
  }

  /** Connects two members and enables both ports (the wire comes up). */
  connect(a: string, b: string): void {
    const [la, pa] = a.split('/') as [string, string];
    const [lb, pb] = b.split('/') as [string, string];
    this.wires.set(a, { lag: lb, port: pb });
    this.wires.set(b, { lag: la, port: pa });
    this.setEnabled(a, true);
    this.setEnabled(b, true);
  }

  /** Removes a wire without touching Port_Enabled (a cable moved elsewhere). */
  unplug(a: string): void {
    const other = this.wires.get(a);
    this.wires.delete(a);
    if (other) this.wires.delete(`${other.lag}/${other.port}`);
  }

  setEnabled(end: string, on: boolean): void {
    const [l, p] = end.split('/') as [string, string];
    this.absorb(l, this.lag(l).setPortEnabled(this.now, p, on));
    this.flush();
  }

  /** Cuts or restores a wire: both ends lose or regain Port_Enabled at once. */
  cut(end: string, down: boolean): void {
    const other = this.wires.get(end)!;
    this.setEnabled(end, !down);
    this.setEnabled(`${other.lag}/${other.port}`, !down);
  }

  deliver(to: End, frame: Uint8Array): void {
    this.absorb(to.lag, this.lag(to.lag).receive(this.now, to.port, frame));
    this.flush();
  }

  absorb(name: string, out: { transmit: Array<{ port: string; frame: Uint8Array }>; events: LacpEvent[]; nextDeadline: number }): void {
    for (const e of out.events) this.events.push({ ...e, lag: name });
    this.deadlines.set(name, out.nextDeadline);
    for (const t of out.transmit) {
      this.sent.push({ at: this.now, lag: name, port: t.port, frame: t.frame });
      const key = `${name}/${t.port}`;
      const to = this.wires.get(key);
      if (to && !this.muted.has(key)) this.queue.push({ to, frame: t.frame });
    }
  }

  flush(): void {
    for (let n = 0; this.queue.length > 0; n++) {
      if (n > 10_000) throw new Error('frames ping-pong without end');
      const { to, frame } = this.queue.shift()!;
      this.absorb(to.lag, this.lag(to.lag).receive(this.now, to.port, frame));
    }
  }

  /** Runs the clock forward by `ms`, ticking each Lag at its deadlines. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = Math.min(...this.deadlines.values());
      if (next > end) break;
      this.now = Math.max(this.now, next);
      for (const [name, lag] of this.lags) if ((this.deadlines.get(name) ?? Infinity) <= this.now) this.absorb(name, lag.tick(this.now));
      this.flush();
    }
    this.now = end;
  }

  /** `machine:from->to` of every transition taken so far. */
  transitionSet(): Set<string> {
    return new Set(this.transitions.map((t) => `${t.machine}:${t.from}->${t.to}`));
  }

  /** The LACPDUs a lag sent on a member, decoded, from time `since`. */
  lacpdus(lag: string, port: string, since = 0): Array<Lacpdu & { at: number }> {
    return this.sent.filter((s) => s.lag === lag && s.port === port && s.at >= since && slowProtocolSubtype(s.frame) === SUBTYPE.lacp).map((s) => ({ ...decodeLacpdu(s.frame), at: s.at }));
  }

  port(lag: string, port: string) {
    return this.lag(lag).status().ports.find((p) => p.name === port)!;
  }
}
