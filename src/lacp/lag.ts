/**
 * A Link Aggregation Group of one system: its Aggregation Ports with their
 * LACP machines (./port.ts), one Aggregator, the Selection Logic (IEEE
 * 802.1AX-2014 6.4.14), the Marker Responder (6.5.4.2) and the logical port
 * that is up while at least `minimumLinks` members distribute (AWS Direct
 * Connect's LAG attribute; directconnect-api.md V16, default 0).
 *
 * Pure and time-driven like the KaY (STYLE §4): each entry point takes `now`
 * (monotonic ms) and an input and returns the Slow Protocols frames to send
 * per port, the events, and `nextDeadline`. After each input every machine of
 * every port is evaluated until none moves (802.1AX-2014 6.4.3: a state
 * diagram's transitions are taken as soon as their conditions hold).
 *
 * One Aggregator per Lag, the one the node's logical port sits on: a port
 * joins it only when both ends are aggregatable, its Actor key is the LAG's
 * key, and its partner is the system and key the Aggregator already has
 * (selection by aggregation key, 6.4.14.1 a-d); otherwise it stays
 * UNSELECTED (docs/lacp-decisions.md §4). Past `maxLinks` a port is STANDBY.
 *
 * @example
 * const lag = new Lag({ system: mac, key: 1, ports: [{ name: 'a', mac: macA, portNumber: 1 }, { name: 'b', mac: macB, portNumber: 2 }] });
 * let out = lag.start(now);
 * out = lag.setPortEnabled(now, 'a', true);
 * out = lag.receive(now, 'a', frame);   // a Slow Protocols frame from member a
 * out = lag.tick(out.nextDeadline);
 * for (const t of out.transmit) send(t.port, t.frame);
 * lag.distributing();                   // the members the distributor may use
 */
import { bytesEqual, macToString } from '../shared/bytes.js';
import { DEFAULT_PRIORITY, STATE, SUBTYPE } from './constants.js';
import { LacpError } from './errors.js';
import { decodeLacpdu, slowProtocolSubtype, type Lacpdu, type PortInformation } from './lacpdu.js';
import { decodeMarkerPdu, markerResponse } from './marker.js';
import { AggregationPort, type LacpMachine, type LacpPortCounters, type MuxState, type PeriodicState, type PortContext, type RxState, type Selected } from './port.js';
import { hasBit, stateFlags, stateLetters } from './state.js';

/** One member as configured. */
export interface LagPortConfig {
  /** The member's name in the node (its port name). */
  name: string;
  /** The member's own MAC, the source of its LACPDUs (802.1AX-2014 6.2.11.2). */
  mac: Uint8Array;
  /** Port Number, distinct and non-zero within the system (6.3.4). */
  portNumber: number;
  /** @default 32768 */
  portPriority?: number;
}

export interface LagConfig {
  /** System ID (a MAC address of the system, 6.3.2). */
  system: Uint8Array;
  /** @default 32768 */
  systemPriority?: number;
  /** The aggregation key of every member (Actor_Admin_Port_Key, 6.3.5), 1..65535. */
  key: number;
  /** LACP_Activity: active ports send on their own, passive ones only answer an active partner (6.4.2.3 m). @default 'active' */
  mode?: 'active' | 'passive';
  /**
   * LACP_Timeout asked of the partner: `fast` = LACPDUs every second and a
   * 3 s timeout, `slow` = every 30 s and 90 s (6.4.4). @default 'fast'
   */
  rate?: 'fast' | 'slow';
  /** Members that must distribute for the logical port to be up; 0 (AWS's default) means one. @default 0 */
  minimumLinks?: number;
  /** Members that may be SELECTED at once; the rest are STANDBY. @default the number of ports */
  maxLinks?: number;
  /** CollectorMaxDelay, tens of microseconds (6.4.2.3 x). @default 0 */
  collectorMaxDelay?: number;
  ports: LagPortConfig[];
}

export type LacpEventType = 'receive' | 'periodic' | 'mux' | 'selection' | 'logicalPortUp' | 'logicalPortDown' | 'markerAnswered';

/** One entry of the LAG's timeline, on the same clock as the KaY's events. */
export interface LacpEvent {
  at: number;
  type: LacpEventType;
  /** The member concerned, when one is. */
  port?: string;
  from?: string;
  to?: string;
  reason: string;
}

/** What one call asks the node to do. */
export interface LacpOutput {
  /** Slow Protocols frames to send, each on its member. */
  transmit: Array<{ port: string; frame: Uint8Array }>;
  events: LacpEvent[];
  /** When to call {@link Lag.tick} next at the latest (ms); Infinity when nothing waits. */
  nextDeadline: number;
}

/** One member in `dxlab show lag` and `--json`. */
export interface LagPortStatus {
  name: string;
  portNumber: number;
  portEnabled: boolean;
  lacpEnabled: boolean;
  receive: RxState;
  periodic: PeriodicState;
  mux: MuxState;
  selected: Selected;
  actorState: number;
  /** Actor state as letters ATGSCDFE (see stateLetters). */
  actorStateLetters: string;
  actorFlags: string[];
  partner: { system: string; systemPriority: number; key: number; port: number; portPriority: number; state: number; stateLetters: string; flags: string[] };
  collecting: boolean;
  distributing: boolean;
  counters: LacpPortCounters;
}

export interface LagStatus {
  system: string;
  systemPriority: number;
  key: number;
  mode: 'active' | 'passive';
  rate: 'fast' | 'slow';
  minimumLinks: number;
  logicalPortUp: boolean;
  /** The partner system the Aggregator is bound to, if any. */
  partnerSystem?: string;
  partnerKey?: number;
  ports: LagPortStatus[];
}

/** A hook for tests and traces: every transition any machine takes. */
export interface LagComponents {
  onTransition?(t: { at: number; port: string; machine: LacpMachine; from: string; to: string; reason: string }): void;
}

const MAX_ROUNDS = 64;

function checkU16(v: number, field: string, min = 0): void {
  if (!Number.isInteger(v) || v < min || v > 0xffff) throw new LacpError('invalidConfig', `${field}: ${v} is not an integer in ${min}..65535`);
}

export class Lag {
  readonly system: Uint8Array;
  readonly systemPriority: number;
  readonly key: number;
  readonly mode: 'active' | 'passive';
  readonly rate: 'fast' | 'slow';
  readonly collectorMaxDelay: number;
  minimumLinks: number;
  readonly maxLinks: number;
  private readonly ports: AggregationPort[];
  private logicalUp = false;
  private events: LacpEvent[] = [];
  private transmitQueue: Array<{ port: string; frame: Uint8Array }> = [];
  private retryAt = Infinity;

  /** @throws LacpError('invalidConfig') naming the field. */
  constructor(
    config: LagConfig,
    private readonly components: LagComponents = {},
  ) {
    if (config.system.length !== 6) throw new LacpError('invalidConfig', `system: ${config.system.length} octets, a MAC address has 6`);
    checkU16(config.key, 'key', 1);
    checkU16(config.systemPriority ?? DEFAULT_PRIORITY, 'systemPriority');
    if (config.mode !== undefined && config.mode !== 'active' && config.mode !== 'passive') throw new LacpError('invalidConfig', `mode: '${String(config.mode)}' is not active or passive`);
    if (config.rate !== undefined && config.rate !== 'fast' && config.rate !== 'slow') throw new LacpError('invalidConfig', `rate: '${String(config.rate)}' is not fast or slow`);
    if (config.ports.length === 0) throw new LacpError('invalidConfig', 'ports: a LAG needs at least one member');
    const numbers = new Set<number>();
    const names = new Set<string>();
    for (const p of config.ports) {
      checkU16(p.portNumber, `ports.${p.name}.portNumber`, 1);
      checkU16(p.portPriority ?? DEFAULT_PRIORITY, `ports.${p.name}.portPriority`);
      if (p.mac.length !== 6) throw new LacpError('invalidConfig', `ports.${p.name}.mac: ${p.mac.length} octets, a MAC address has 6`);
      if (numbers.has(p.portNumber)) throw new LacpError('invalidConfig', `ports.${p.name}.portNumber: ${p.portNumber} is used by another member`);
      if (names.has(p.name)) throw new LacpError('invalidConfig', `ports: member name '${p.name}' given twice`);
      numbers.add(p.portNumber);
      names.add(p.name);
    }
    const minimumLinks = config.minimumLinks ?? 0;
    if (!Number.isInteger(minimumLinks) || minimumLinks < 0 || minimumLinks > config.ports.length) {
      throw new LacpError('invalidConfig', `minimumLinks: ${minimumLinks} is not an integer in 0..${config.ports.length} (the members)`);
    }
    const maxLinks = config.maxLinks ?? config.ports.length;
    if (!Number.isInteger(maxLinks) || maxLinks < 1) throw new LacpError('invalidConfig', `maxLinks: ${maxLinks} is not a positive integer`);
    this.system = config.system.slice();
    this.systemPriority = config.systemPriority ?? DEFAULT_PRIORITY;
    this.key = config.key;
    this.mode = config.mode ?? 'active';
    this.rate = config.rate ?? 'fast';
    this.collectorMaxDelay = config.collectorMaxDelay ?? 0;
    this.minimumLinks = minimumLinks;
    this.maxLinks = maxLinks;
    const fast = this.rate === 'fast';
    // Actor_Admin_Port_State: Activity per mode, Timeout per rate, Aggregatable.
    const adminState = (this.mode === 'active' ? STATE.lacpActivity : 0) | (fast ? STATE.lacpTimeout : 0) | STATE.aggregation;
    // Partner_Admin_Port_State: nothing known of a partner, except that with
    // the fast rate a defaulted port keeps sending every second, so a member
    // whose wire comes back is heard within a second (docs/lacp-decisions.md §3).
    const partnerAdminState = fast ? STATE.lacpTimeout : 0;
    this.ports = config.ports.map((p) => new AggregationPort({ name: p.name, mac: p.mac.slice(), portNumber: p.portNumber, portPriority: p.portPriority ?? DEFAULT_PRIORITY }, this.key, adminState, partnerAdminState));
  }

  /** BEGIN for every port; ports start disabled until {@link setPortEnabled}. */
  start(now: number): LacpOutput {
    for (const p of this.ports) p.begin(this.context(now));
    return this.run(now);
  }

  /** The evaluation with no input: timers that expired take their transitions. */
  tick(now: number): LacpOutput {
    return this.run(now);
  }

  /**
   * Port_Enabled of a member: its MAC operational (in dxlab: the wire up and,
   * under MACsec, the controlled port enabled).
   * @throws LacpError('invalidConfig') for an unknown member.
   */
  setPortEnabled(now: number, name: string, enabled: boolean): LacpOutput {
    this.port(name).portEnabled = enabled;
    return this.run(now);
  }

  /**
   * LACP_Enabled of a member (802.1AX-2014 6.4.8). The Receive machine reads
   * it only on leaving PORT_DISABLED (figure 6-18), as a change of duplex
   * comes with the link going down and up: an enabled port is cycled
   * through Port_Enabled false and true for the change to apply.
   * @throws LacpError('invalidConfig') for an unknown member.
   */
  setLacpEnabled(now: number, name: string, enabled: boolean): LacpOutput {
    const p = this.port(name);
    p.lacpEnabled = enabled;
    if (!p.portEnabled) return this.run(now);
    p.portEnabled = false;
    const a = this.run(now);
    p.portEnabled = true;
    const b = this.run(now);
    return { transmit: [...a.transmit, ...b.transmit], events: [...a.events, ...b.events], nextDeadline: b.nextDeadline };
  }

  /** Changes minimumLinks (UpdateLag). @throws LacpError('invalidConfig') when out of 0..members. */
  setMinimumLinks(now: number, n: number): LacpOutput {
    if (!Number.isInteger(n) || n < 0 || n > this.ports.length) throw new LacpError('invalidConfig', `minimumLinks: ${n} is not an integer in 0..${this.ports.length} (the members)`);
    this.minimumLinks = n;
    return this.run(now);
  }

  /**
   * A Slow Protocols frame received on a member. LACPDUs drive the machines;
   * a Marker PDU is answered on the same member; anything else is counted
   * (unknownRx, illegalRx) and dropped. Never throws for frame content.
   * @throws LacpError('invalidConfig') for an unknown member.
   */
  receive(now: number, name: string, frame: Uint8Array): LacpOutput {
    const port = this.port(name);
    const subtype = slowProtocolSubtype(frame);
    if (subtype === SUBTYPE.lacp) {
      let pdu: Lacpdu;
      try {
        pdu = decodeLacpdu(frame);
      } catch (e) {
        if (!(e instanceof LacpError)) throw e;
        port.counters.illegalRx++;
        return this.run(now);
      }
      port.counters.lacpdusRx++;
      // port_moved (6.4.8): this PDU's actor is the recorded partner of
      // another port that is down, so that port must forget it.
      for (const q of this.ports) {
        if (q !== port && q.rx === 'PORT_DISABLED' && q.partner.port === pdu.actor.port && bytesEqual(q.partner.system, pdu.actor.system)) q.portMoved = true;
      }
      return this.run(now, { port, pdu });
    }
    if (subtype === SUBTYPE.marker) {
      try {
        const m = decodeMarkerPdu(frame);
        if (m.kind === 'response') port.counters.markerResponsePdusRx++;
        else {
          port.counters.markerPdusRx++;
          const reply = port.portEnabled ? markerResponse(m, port.mac) : undefined;
          if (reply) {
            port.counters.markerResponsePdusTx++;
            this.transmitQueue.push({ port: port.name, frame: reply });
            this.emit({ at: now, type: 'markerAnswered', port: port.name, reason: `Marker from ${macToString(m.requesterSystem)} port ${m.requesterPort}, transaction ${m.requesterTransactionId}` });
          }
        }
      } catch (e) {
        if (!(e instanceof LacpError)) throw e;
        port.counters.illegalRx++;
      }
      return this.run(now);
    }
    port.counters.unknownRx++;
    return this.run(now);
  }

  /** Names of every member, in configuration order (the distributor's first choice). */
  members(): string[] {
    return this.ports.map((p) => p.name);
  }

  /** Names of the members in DISTRIBUTING while the logical port is up: the distributor's choice (802.1AX-2014 6.2.4). */
  distributing(): string[] {
    return this.logicalUp ? this.ports.filter((p) => hasBit(p.actorState, STATE.distributing)).map((p) => p.name) : [];
  }

  /** Names of the members whose collector is enabled while the logical port is up (802.1AX-2014 6.2.3). */
  collecting(): string[] {
    return this.logicalUp ? this.ports.filter((p) => hasBit(p.actorState, STATE.collecting)).map((p) => p.name) : [];
  }

  get logicalPortUp(): boolean {
    return this.logicalUp;
  }

  status(): LagStatus {
    const agg = this.aggregatorPartner();
    return {
      system: macToString(this.system),
      systemPriority: this.systemPriority,
      key: this.key,
      mode: this.mode,
      rate: this.rate,
      minimumLinks: this.minimumLinks,
      logicalPortUp: this.logicalUp,
      ...(agg ? { partnerSystem: macToString(agg.system), partnerKey: agg.key } : {}),
      ports: this.ports.map((p) => ({
        name: p.name,
        portNumber: p.portNumber,
        portEnabled: p.portEnabled,
        lacpEnabled: p.lacpEnabled,
        receive: p.rx,
        periodic: p.periodic,
        mux: p.mux,
        selected: p.selected,
        actorState: p.actorState,
        actorStateLetters: stateLetters(p.actorState),
        actorFlags: stateFlags(p.actorState),
        partner: {
          system: macToString(p.partner.system),
          systemPriority: p.partner.systemPriority,
          key: p.partner.key,
          port: p.partner.port,
          portPriority: p.partner.portPriority,
          state: p.partner.state,
          stateLetters: stateLetters(p.partner.state),
          flags: stateFlags(p.partner.state),
        },
        collecting: hasBit(p.actorState, STATE.collecting),
        distributing: hasBit(p.actorState, STATE.distributing),
        counters: { ...p.counters },
      })),
    };
  }

  private port(name: string): AggregationPort {
    const p = this.ports.find((q) => q.name === name);
    if (!p) throw new LacpError('invalidConfig', `no member '${name}' in this LAG (members: ${this.ports.map((q) => q.name).join(', ')})`);
    return p;
  }

  private emit(e: LacpEvent): void {
    this.events.push(e);
  }

  private context(now: number): PortContext {
    return {
      now,
      system: this.system,
      systemPriority: this.systemPriority,
      collectorMaxDelay: this.collectorMaxDelay,
      ready: this.ready(),
      transition: (port, machine, from, to, reason) => {
        this.components.onTransition?.({ at: now, port: port.name, machine, from, to, reason });
        // The periodic machine cycles every period and CURRENT is re-entered on
        // each LACPDU: not changes a trainer needs on the timeline.
        if (machine === 'periodic' && (to === 'PERIODIC_TX' || from === 'PERIODIC_TX')) return;
        if (from === to) return;
        this.emit({ at: now, type: machine, port: port.name, from, to, reason });
      },
    };
  }

  /** Ready (6.4.8): every port SELECTED and WAITING for the Aggregator has Ready_N. */
  private ready(): boolean {
    return this.ports.every((p) => !(p.selected === 'SELECTED' && p.mux === 'WAITING') || p.readyN);
  }

  /** The partner (system priority, system, key) the Aggregator is bound to: that of any port selected or attached. */
  private aggregatorPartner(): PortInformation | undefined {
    return this.ports.find((p) => p.selected !== 'UNSELECTED' || p.mux !== 'DETACHED')?.partner;
  }

  /**
   * The Selection Logic (6.4.14) for one Aggregator: an UNSELECTED port that
   * is detached and has partner information joins when both ends are
   * aggregatable, the keys match, the partner is not this system (a loop) and
   * is the Aggregator's partner; STANDBY beyond maxLinks. A STANDBY port is
   * SELECTED once a place frees.
   */
  private select(now: number): boolean {
    let moved = false;
    const selectedCount = (): number => this.ports.filter((p) => p.selected === 'SELECTED').length;
    const byPriority = [...this.ports].sort((a, b) => a.portPriority - b.portPriority || a.portNumber - b.portNumber);
    for (const p of byPriority) {
      if (p.selected === 'STANDBY' && selectedCount() < this.maxLinks) {
        this.setSelected(now, p, 'SELECTED', 'a place in the aggregator is free');
        moved = true;
      }
    }
    for (const p of byPriority) {
      if (p.selected !== 'UNSELECTED' || p.mux !== 'DETACHED') continue;
      if (!p.portEnabled || !p.lacpEnabled || (p.rx !== 'CURRENT' && p.rx !== 'EXPIRED' && p.rx !== 'DEFAULTED')) continue;
      if (!hasBit(p.actorState, STATE.aggregation) || !hasBit(p.partner.state, STATE.aggregation)) continue;
      if (p.actorKey !== this.key || p.partner.key === 0 || p.partner.system.every((b) => b === 0)) continue;
      if (bytesEqual(p.partner.system, this.system)) continue;
      const agg = this.aggregatorPartner();
      if (agg && (!bytesEqual(agg.system, p.partner.system) || agg.systemPriority !== p.partner.systemPriority || agg.key !== p.partner.key)) continue;
      const to = selectedCount() < this.maxLinks ? 'SELECTED' : 'STANDBY';
      this.setSelected(now, p, to, to === 'SELECTED' ? `partner ${macToString(p.partner.system)} key ${p.partner.key}` : `more than ${this.maxLinks} members`);
      moved = true;
    }
    return moved;
  }

  private setSelected(now: number, p: AggregationPort, to: Selected, reason: string): void {
    const from = p.selected;
    p.selected = to;
    this.components.onTransition?.({ at: now, port: p.name, machine: 'selection', from, to, reason });
    this.emit({ at: now, type: 'selection', port: p.name, from, to, reason });
  }

  private run(now: number, input?: { port: AggregationPort; pdu: Lacpdu }): LacpOutput {
    let pending = input;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let moved = false;
      for (const p of this.ports) {
        const selectedBefore = p.selected;
        const r = p.stepRx(this.context(now), pending?.port === p ? pending.pdu : undefined);
        if (r.consumed) pending = undefined;
        if (p.selected !== selectedBefore) {
          this.components.onTransition?.({ at: now, port: p.name, machine: 'selection', from: selectedBefore, to: p.selected, reason: `receive machine ${p.rx}` });
          this.emit({ at: now, type: 'selection', port: p.name, from: selectedBefore, to: p.selected, reason: `receive machine ${p.rx}` });
        }
        moved = r.moved || moved;
        moved = p.stepPeriodic(this.context(now)) || moved;
      }
      moved = this.select(now) || moved;
      for (const p of this.ports) moved = p.stepMux(this.context(now)) || moved;
      if (!moved) break;
    }
    // A PDU no state took (port disabled, LACP disabled) is dropped.
    this.retryAt = Infinity;
    for (const p of this.ports) {
      const t = p.transmit(this.context(now));
      if (t.frame) this.transmitQueue.push({ port: p.name, frame: t.frame });
      if (t.retryAt !== undefined) this.retryAt = Math.min(this.retryAt, t.retryAt);
    }
    this.updateLogicalPort(now);
    const out: LacpOutput = { transmit: this.transmitQueue, events: this.events, nextDeadline: Math.min(this.retryAt, ...this.ports.map((p) => p.nextDeadline())) };
    this.transmitQueue = [];
    this.events = [];
    return out;
  }

  private updateLogicalPort(now: number): void {
    const n = this.ports.filter((p) => hasBit(p.actorState, STATE.distributing)).length;
    const need = Math.max(1, this.minimumLinks);
    const up = n >= need;
    if (up === this.logicalUp) return;
    this.logicalUp = up;
    this.emit({ at: now, type: up ? 'logicalPortUp' : 'logicalPortDown', reason: `${n} member(s) distributing, minimumLinks ${this.minimumLinks} (needs ${need})` });
  }
}
