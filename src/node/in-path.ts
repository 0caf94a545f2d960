/**
 * An in-path node's forwarder (a provider or an attacker, placed in a link
 * with the topology's `via:`): two wires, each an AF_PACKET socket on a veth
 * as a switch port has, and every frame from one handed to the node's
 * behaviour ({@link ProviderPath} or {@link Attacker}), which drops it or
 * says when it goes out of the other wire. Frames held back wait in a
 * {@link DelayLine} per direction; this class holds the one timer that
 * empties them.
 */
import type { FrameIoStats } from '../io/index.js';
import { Attacker, type AttackRequest, type AttackResult } from './attacker.js';
import type { CaptureSide } from './capture.js';
import { DelayLine } from './delay-line.js';
import { NodeError } from './errors.js';
import { Port } from './port.js';
import { REORDER_HOLD_MAX_MS, checkProviderKnob, ProviderPath, type ForwardDecision, type ProviderKnob, type ProviderSettings } from './provider.js';

/** A wire of an in-path node: frames from it go to the forwarder; frames from the forwarder go out on it. */
export class InPathPort extends Port {
  onFrames: (frames: Uint8Array[]) => void = () => undefined;

  override get kind(): 'inPath' {
    return 'inPath';
  }

  protected override fromWire(frames: Uint8Array[]): void {
    if (this.capturing) {
      const t = this.deps.wallNs();
      for (const f of frames) this.capture('wire', f, t);
    }
    this.onFrames(frames);
  }

  /** Sends frames out on the wire (captured as they go). */
  transmit(frames: Uint8Array[]): void {
    if (this.capturing) {
      const t = this.deps.wallNs();
      for (const f of frames) this.capture('wire' as CaptureSide, f, t);
    }
    if (frames.length) this.deps.wire.send(frames);
  }
}

export interface InPathBehaviour {
  decide(from: 0 | 1, frame: Uint8Array, nowMs: number): ForwardDecision;
}

export class InPath {
  private readonly lines: [DelayLine, DelayLine] = [new DelayLine(REORDER_HOLD_MAX_MS), new DelayLine(REORDER_HOLD_MAX_MS)];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Frames dropped per reason, per arrival port (the attacker's; the provider keeps its own). */
  readonly dropped: [Record<string, number>, Record<string, number>] = [{}, {}];
  readonly forwarded: [number, number] = [0, 0];

  constructor(
    readonly ports: [InPathPort, InPathPort],
    /** The node each port faces (a link end or another in-path node). */
    readonly peers: [string, string],
    readonly behaviour: ProviderPath | Attacker,
    private readonly now: () => number,
  ) {
    ports[0].onFrames = (frames) => this.fromPort(0, frames);
    ports[1].onFrames = (frames) => this.fromPort(1, frames);
  }

  private fromPort(from: 0 | 1, frames: Uint8Array[]): void {
    const to = (1 - from) as 0 | 1;
    const now = this.now();
    const line = this.lines[to];
    const direct: Uint8Array[] = [];
    for (const f of frames) {
      const d = this.behaviour.decide(from, f, now);
      if ('drop' in d) {
        this.dropped[from][d.drop] = (this.dropped[from][d.drop] ?? 0) + 1;
        continue;
      }
      this.forwarded[from]++;
      // Straight out when nothing waits and nothing is asked for: the common case costs no timer.
      if (!d.hold && d.dueMs <= now && line.size === 0) direct.push(d.frame);
      else line.push(d.frame, d.dueMs, d.hold);
    }
    if (direct.length) this.ports[to].transmit(direct);
    if (line.size) this.flush();
  }

  /** Sends what is due on both lines and sets the timer for the next. */
  private flush(): void {
    const now = this.now();
    for (const to of [0, 1] as const) {
      const due = this.lines[to].takeDue(now);
      if (due.length) this.ports[to].transmit(due);
    }
    const next = Math.min(this.lines[0].nextDueMs() ?? Infinity, this.lines[1].nextDueMs() ?? Infinity);
    if (next === Infinity) return;
    if (this.timer && next >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.flush();
    }, Math.max(0, next - now));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lines[0].clear();
    this.lines[1].clear();
  }

  /** The port index facing `node`. @throws NodeError('badRequest') naming the neighbours. */
  sideOf(node: string): 0 | 1 {
    const i = this.peers.indexOf(node);
    if (i < 0) throw new NodeError('badRequest', `'from' must name a neighbour of this node: ${this.peers.join(' or ')}, got '${node}'`);
    return i as 0 | 1;
  }

  /**
   * `dxlab set` on a provider: one knob, live.
   * @throws NodeError('badRequest') naming the knob; nothing changes then.
   */
  setProviderKnob(knob: string, value: unknown): { knob: string; from: unknown; to: unknown } {
    const p = this.behaviour;
    if (!(p instanceof ProviderPath)) throw new NodeError('badRequest', 'this node is not a provider');
    const r = checkProviderKnob(knob, value);
    if ('error' in r) throw new NodeError('badRequest', r.error);
    const from = p.settings[knob as ProviderKnob] ?? null;
    p.settings = { ...p.settings, [knob]: r.value } as ProviderSettings;
    if (r.value === undefined) delete p.settings[knob as 'mtu' | 'sVlan'];
    return { knob, from, to: r.value ?? null };
  }

  /**
   * `dxlab attack`: runs an action; injected frames go out at once.
   * @throws NodeError('badRequest') when this node is not an attacker.
   */
  attack(req: AttackRequest): AttackResult {
    const a = this.behaviour;
    if (!(a instanceof Attacker)) throw new NodeError('badRequest', 'this node is not an attacker');
    const { result, send } = a.run(req, this.now());
    for (const to of [0, 1] as const) {
      const frames = send.filter((s) => s.to === to).map((s) => s.frame);
      if (frames.length) this.ports[to].transmit(frames);
    }
    return result;
  }

  status(): Record<string, unknown> {
    const b = this.behaviour;
    return {
      role: b instanceof ProviderPath ? 'provider' : 'attacker',
      ports: this.ports.map((p, i) => ({ name: p.name, faces: this.peers[i] })),
      ...(b instanceof ProviderPath ? { provider: { ...b.settings, roles: b.roles } } : { attacker: b.status() }),
    };
  }

  /** Per direction: what arrived on a port and what became of it. */
  counters(): Record<string, unknown> {
    const b = this.behaviour;
    const dir = (from: 0 | 1) => `${this.peers[from]} -> ${this.peers[1 - from]}`;
    return Object.fromEntries(
      ([0, 1] as const).map((from) => [
        dir(from),
        b instanceof ProviderPath ? { ...b.counters[from] } : { forwarded: this.forwarded[from], dropped: this.dropped[from], waiting: this.lines[1 - from]!.size },
      ]),
    );
  }

  ioStats(): FrameIoStats[] {
    return this.ports.map((p) => p.ioStats().wire);
  }
}
