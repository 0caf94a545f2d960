/**
 * A LAG's logical port in the node: the VIF TAPs sit on it, its member ports
 * (each a MACsec port with its own SecY, KaY and SCI, or a plain port) carry
 * its frames, and the pure LACP layer (src/lacp) decides which members
 * collect and distribute. The kernel here has no bonding driver, so the node
 * aggregates itself.
 *
 * LACPDUs and Marker PDUs travel on each member's controlled port: sent
 * through the member's SecY (so protected when MKA has secured it) and handed
 * up from it after validation. A member whose controlled port is blocked
 * (must_encrypt with MKA failed) has Port_Enabled false for LACP
 * (802.1AX-2014 6.4.8): it sends and hears no LACPDU and leaves the bundle.
 *
 * Frames from the TAPs go to the member the Frame Distributor picks among the
 * distributing members (a flow hash, src/lacp/distributor.ts); frames from a
 * member reach the TAPs only when its collector is enabled. The distributor
 * runs here per frame in JavaScript; the members' fast path is off.
 */
import { Lag, distributeFrame, collectFrame, ETHERTYPE_SLOW_PROTOCOLS, LacpError, type LacpEvent, type LacpOutput, type LagStatus } from '../lacp/index.js';
import type { TapConfig } from './config.js';
import { NodeError } from './errors.js';
import type { Logger } from './logger.js';
import { deliverToTaps, type BridgePeer, type Port, type TapBinding } from './port.js';
import { addVlanTag } from './vlan.js';

/** A LAG as the node configuration gives it (config.ts). */
export interface LagNodeConfig {
  name: string;
  /** Member port names, in port-number order (member i has LACP Port Number i + 1). */
  members: string[];
  /** @default 1 */
  key: number;
  /** @default 'active' */
  mode: 'active' | 'passive';
  /** @default 'fast' */
  rate: 'fast' | 'slow';
  /** AWS's minimumLinks. @default 0 */
  minimumLinks: number;
  taps: TapConfig[];
}

/** One LACP event on the node's timeline, beside the KaY's PortEvents. */
export interface LagEvent extends Omit<LacpEvent, 'type'> {
  type: `lacp:${LacpEvent['type']}`;
  lag: string;
  /** The member (port) concerned, or the LAG's name for the logical port. */
  port: string;
  time: string;
}

export interface LagPortCounters {
  /** Frames from the TAPs with no distributing member (the logical port down). */
  txNoMember: number;
  /** Frames from a member whose collector is disabled. */
  rxNotCollecting: number;
  /** Frames for a VLAN (or untagged) with no TAP on the LAG. */
  rxNoTap: number;
  /** Frames sent on each member, and received from each (collected). */
  txByMember: Record<string, number>;
  rxByMember: Record<string, number>;
}

export interface LagPortDeps {
  taps: TapBinding[];
  now(): number;
  log: Logger;
  onEvent(e: LagEvent): void;
}

const MAX_EVENTS = 2000;

export class LagPort {
  readonly name: string;
  readonly lag: Lag;
  readonly events: LagEvent[] = [];
  readonly counters: LagPortCounters;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  /** Other ports (or LAGs) of a switch's bridge: frames collected from the members go there too. */
  bridgePeers: BridgePeer[] = [];

  /**
   * @param system the LACP System ID: the MAC of the first member's wire.
   * @throws NodeError('config') when the LAG's LACP settings are refused.
   */
  constructor(
    readonly config: LagNodeConfig,
    readonly members: Port[],
    system: Uint8Array,
    private readonly deps: LagPortDeps,
  ) {
    this.name = config.name;
    try {
      this.lag = new Lag({
        system,
        key: config.key,
        mode: config.mode,
        rate: config.rate,
        minimumLinks: config.minimumLinks,
        ports: members.map((m, i) => ({ name: m.name, mac: m.wireMac(), portNumber: i + 1 })),
      });
    } catch (e) {
      if (e instanceof LacpError) throw new NodeError('config', `LAG ${config.name}: ${e.message}`, { cause: e });
      throw e;
    }
    this.counters = {
      txNoMember: 0,
      rxNotCollecting: 0,
      rxNoTap: 0,
      txByMember: Object.fromEntries(members.map((m) => [m.name, 0])),
      rxByMember: Object.fromEntries(members.map((m) => [m.name, 0])),
    };
    for (const m of members) {
      m.aggregator = this;
    }
  }

  /** Starts LACP on every member (after the members started) and reads the TAPs. */
  start(): void {
    this.started = true;
    this.handle(this.lag.start(this.deps.now()));
    for (const m of this.members) this.memberChanged(m);
    for (const t of this.deps.taps) {
      t.io.start(
        (frames) => this.fromControlledSide(t.config.vlan === undefined ? frames : frames.map((f) => addVlanTag(f, t.config.vlan!))),
        (e) => this.deps.log.warn('TAP read error', { lag: this.name, tap: t.config.name, error: e.message }),
      );
    }
  }

  stop(): void {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const t of this.deps.taps) t.io.close();
  }

  /**
   * A member's Port_Enabled follows its controlled port: enabled unless the
   * port is blocked (must_encrypt without MKA, or not yet secured).
   */
  memberChanged(member: Port): void {
    if (!this.started) return;
    this.handle(this.lag.setPortEnabled(this.deps.now(), member.name, member.operational()));
  }

  /** Frames that passed a member's controlled port. */
  fromMember(member: Port, frames: Uint8Array[]): void {
    const up: Uint8Array[] = [];
    let collecting: string[] | undefined;
    for (const f of frames) {
      if (f.length >= 15 && ((f[12]! << 8) | f[13]!) === ETHERTYPE_SLOW_PROTOCOLS) {
        this.handle(this.lag.receive(this.deps.now(), member.name, f));
        collecting = undefined;
        continue;
      }
      collecting ??= this.lag.collecting();
      if (!collectFrame(member.name, collecting)) {
        this.counters.rxNotCollecting++;
        continue;
      }
      up.push(f);
    }
    if (up.length === 0) return;
    this.counters.rxByMember[member.name]! += up.length;
    this.deliver(up);
  }

  /** Frames from the TAPs (tagged with their VLAN) or a bridge peer: each to the member its flow hashes to. */
  fromControlledSide(frames: Uint8Array[]): void {
    const distributing = this.lag.distributing();
    if (distributing.length === 0) {
      this.counters.txNoMember += frames.length;
      return;
    }
    const names = this.lag.members();
    const perMember = new Map<string, Uint8Array[]>();
    for (const f of frames) {
      const m = distributeFrame(f, names, distributing)!;
      const list = perMember.get(m);
      if (list) list.push(f);
      else perMember.set(m, [f]);
    }
    for (const [name, list] of perMember) {
      this.counters.txByMember[name]! += list.length;
      this.members.find((m) => m.name === name)!.fromControlledSide(list);
    }
  }

  /** Collected frames to the TAPs (by VLAN, tag removed) and the bridge (never to 802.1D reserved addresses). */
  private deliver(frames: Uint8Array[]): void {
    deliverToTaps(frames, this.deps.taps, this.bridgePeers, this.counters);
  }

  private handle(out: LacpOutput): void {
    for (const t of out.transmit) this.members.find((m) => m.name === t.port)!.fromControlledSide([t.frame]);
    for (const e of out.events) this.recordEvent(e);
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (out.nextDeadline !== Infinity) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.handle(this.lag.tick(this.deps.now()));
      }, Math.max(0, out.nextDeadline - this.deps.now()));
      this.timer.unref?.();
    }
  }

  private recordEvent(e: LacpEvent): void {
    // The reason says the transition too, as `dxlab events` prints only the reason.
    const reason = e.from !== undefined ? `${e.from} -> ${e.to}: ${e.reason}` : e.reason;
    const ev: LagEvent = { ...e, reason, type: `lacp:${e.type}`, lag: this.name, port: e.port ?? this.name, time: new Date().toISOString() };
    this.events.push(ev);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    this.deps.log.info(`lacp: ${e.type}`, { lag: this.name, ...(e.port ? { port: e.port } : {}), ...(e.from ? { from: e.from, to: e.to } : {}), reason: e.reason });
    this.deps.onEvent(ev);
  }

  /** `dxlab show lag`: LACP per member with its controlled port and MKA state, and the TAPs. */
  status(): LagStatus & { name: string; taps: Array<{ name: string; vlan: number | null; mtu: number }>; counters: LagPortCounters; members: Array<Record<string, unknown>> } {
    return {
      name: this.name,
      ...this.lag.status(),
      taps: this.config.taps.map((t) => ({ name: t.name, vlan: t.vlan ?? null, mtu: t.mtu })),
      counters: this.counters,
      members: this.members.map((m) => m.memberSummary()),
    };
  }
}
