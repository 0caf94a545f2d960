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
 * member reach the TAPs only when its collector is enabled. With the addon
 * on real devices both run in its fast path (src/io/native/lag.c), told the
 * members that distribute and collect whenever LACP changes them: a frame
 * crosses TAP -> chosen member's SecY -> its wire, and wire -> SecY -> TAP,
 * with no JavaScript. What the fast path leaves (LACPDUs, Marker PDUs,
 * MKPDUs, frames its SecY cannot decide) comes here, and the reference
 * distributor below picks the same member.
 */
import { Lag, distributeFrame, collectFrame, ETHERTYPE_SLOW_PROTOCOLS, LacpError, type LacpEvent, type LacpOutput, type LagStatus } from '../lacp/index.js';
import { FAST_PATH_MAX_LAG_MEMBERS, LagFastPath, type LagFastPathStats } from '../io/index.js';
import type { TapConfig } from './config.js';
import { NodeError } from './errors.js';
import type { Logger } from './logger.js';
import { deliverToTaps, pushEvent, readTap, takeTap, type BridgePeer, type Port, type TapBinding } from './port.js';

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

/**
 * How often the members' carrier is read. 802.1AX-2014 6.4.8: a port that
 * is no longer operational has Port_Enabled FALSE, and its Receive machine
 * goes to PORT_DISABLED at once, taking the member out of distribution
 * without waiting for LACP's timeout (3 s fast, 90 s slow). The kernel
 * announces carrier changes on rtnetlink; reading IFF_RUNNING of each
 * member's wire ten times a second is a few system calls and reacts well
 * within one fast LACPDU period.
 */
export const CARRIER_POLL_MS = 100;
const NO_TAP = 'no TAP on the LAG';

export class LagPort {
  readonly name: string;
  readonly lag: Lag;
  readonly events: LagEvent[] = [];
  readonly counters: LagPortCounters;
  private timer: NodeJS.Timeout | undefined;
  private carrierTimer: NodeJS.Timeout | undefined;
  /** Each member's carrier as last read. */
  private readonly carrierUp = new Map<string, boolean>();
  private started = false;
  /** Other ports (or LAGs) of a switch's bridge: frames collected from the members go there too. */
  bridgePeers: BridgePeer[] = [];
  /** The addon's distributor and collector, or undefined (and why) when this LAG runs in JavaScript. */
  private fastPath: LagFastPath | undefined;
  private fastPathOff: string | undefined = 'LAG stopped';
  /** The member masks the fast path was last given, to skip unchanged ones. */
  private fastPathSet = '';

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
    this.setUpFastPath();
    this.handle(this.lag.start(this.deps.now()));
    for (const m of this.members) {
      this.carrierUp.set(m.name, m.carrier());
      this.memberChanged(m);
    }
    this.carrierTimer = setInterval(() => this.readCarrier(), CARRIER_POLL_MS);
    this.carrierTimer.unref?.();
    for (const t of this.deps.taps) this.startTap(t);
  }

  private startTap(t: TapBinding): void {
    readTap(t, (frames) => this.fromControlledSide(frames), this.deps.log, { lag: this.name });
  }

  /** The VIF TAPs on the logical port. */
  get taps(): readonly TapBinding[] {
    return this.deps.taps;
  }

  /**
   * A VIF comes onto the logical port (control addVif, moveVif): its TAP is
   * read from now on, and the fast path serves it from its next batch.
   */
  attachTap(t: TapBinding): void {
    this.deps.taps.push(t);
    this.config.taps.push(t.config);
    if (!this.started) return;
    this.startTap(t);
    this.retapFastPath();
  }

  /**
   * Takes a TAP off the logical port and stops reading it; the device stays
   * open (a VIF moved elsewhere keeps it), the caller closes it otherwise.
   * @returns the TAP, or undefined when the LAG has none of that name.
   */
  detachTap(name: string): TapBinding | undefined {
    const t = takeTap(this.deps.taps, this.config.taps, name);
    if (t && this.started) this.retapFastPath();
    return t;
  }

  /**
   * Hands the fast path the LAG's TAPs as they are now (TAP i of the
   * configuration is `taps[i]`), setting it up when it was off for want of a
   * TAP; on devices it cannot serve it is turned off and JavaScript carries
   * the LAG's frames.
   */
  private retapFastPath(): void {
    const taps = this.deps.taps.map((t) => t.io);
    if (!this.fastPath) {
      if (this.fastPathOff === NO_TAP) this.setUpFastPath();
    } else if (taps.length === 0) {
      this.fastPath.detach();
    } else {
      try {
        this.fastPath.attach(taps);
      } catch (e) {
        this.fastPath.detach();
        this.fastPathOff = (e as Error).message;
        this.deps.log.warn('LAG fast path off: the distributor runs in JavaScript', { lag: this.name, error: this.fastPathOff });
        this.disableFastPath();
        return;
      }
    }
    this.fastPathSet = '';
    this.syncFastPath();
  }

  /** Tells the addon the LAG's fast path takes nothing any more, and forgets it. */
  private disableFastPath(): void {
    const fp = this.fastPath;
    this.fastPath = undefined;
    this.fastPathSet = '';
    try {
      fp?.configure({ enabled: false, members: this.members.map((m) => m.lagFastPath()!), distributing: 0, collecting: 0, taps: [] });
    } catch {
      // Refused: it was detached already and takes no frame.
    }
  }

  stop(): void {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.carrierTimer) clearInterval(this.carrierTimer);
    this.carrierTimer = undefined;
    if (this.fastPath) {
      this.fastPath.detach();
      this.syncFastPath();
    }
    this.fastPathOff = 'LAG stopped';
    for (const t of this.deps.taps) t.io.close();
  }

  /**
   * The addon's fast path for the LAG's data, when every member has one (a
   * MACsec port with native crypto on a packet socket) and the TAPs are the
   * addon's; not for a bridged LAG (the bridge runs in JavaScript).
   */
  private setUpFastPath(): void {
    const members = this.members.map((m) => m.lagFastPath());
    const taps = this.deps.taps.map((t) => t.io);
    this.fastPathOff = undefined;
    if (members.some((m) => m === undefined)) this.fastPathOff = 'a member runs without the fast path (plain port, DXLAB_FASTPATH=0, crypto node or devices not the addon\'s)';
    else if (members.length > FAST_PATH_MAX_LAG_MEMBERS) this.fastPathOff = `more than ${FAST_PATH_MAX_LAG_MEMBERS} members`;
    else if (this.bridgePeers.length) this.fastPathOff = 'bridged LAG';
    else if (!LagFastPath.canServe(taps)) this.fastPathOff = taps.length === 0 ? NO_TAP : 'TAPs not served by the addon';
    if (this.fastPathOff) return;
    try {
      const fp = LagFastPath.create();
      fp.attach(taps);
      this.fastPath = fp;
    } catch (e) {
      this.fastPathOff = (e as Error).message;
      this.deps.log.warn('LAG fast path off: the distributor runs in JavaScript', { lag: this.name, error: this.fastPathOff });
    }
  }

  /**
   * Tells the fast path which members distribute and collect (bit i: member
   * i, in LACP port order as the reference distributor's), after every LACP
   * output: frames follow LACP's decisions from the next batch on.
   */
  private syncFastPath(): void {
    const fp = this.fastPath;
    if (!fp) return;
    const names = this.lag.members();
    const mask = (on: readonly string[]) => names.reduce((m, n, i) => (on.includes(n) ? m | (1 << i) : m), 0);
    const config = {
      enabled: this.started,
      members: this.members.map((m) => m.lagFastPath()!),
      distributing: mask(this.lag.distributing()),
      collecting: mask(this.lag.collecting()),
      taps: this.deps.taps.map((t) => t.config.vlan ?? -1),
    };
    const key = `${config.enabled} ${config.distributing} ${config.collecting}`;
    if (key === this.fastPathSet) return;
    try {
      fp.configure(config);
      this.fastPathSet = key;
    } catch (e) {
      // Never let the fast path break the LAG: detached, every frame to JavaScript.
      this.deps.log.warn('LAG fast path off: the distributor runs in JavaScript', { lag: this.name, error: (e as Error).message });
      this.fastPathOff = `refused by the addon: ${(e as Error).message}`;
      fp.detach();
      this.fastPath = undefined;
    }
  }

  /** Why the LAG's fast path takes no frames now, or undefined when it does. */
  fastPathIdle(): string | undefined {
    return this.fastPath ? (this.started ? undefined : 'LAG stopped') : this.fastPathOff;
  }

  /**
   * A member's Port_Enabled follows its controlled port: enabled unless the
   * port is blocked (must_encrypt without MKA, or not yet secured).
   */
  memberChanged(member: Port): void {
    if (!this.started) return;
    this.handle(this.lag.setPortEnabled(this.deps.now(), member.name, member.operational()));
  }

  /** A member whose carrier changed is enabled or disabled for LACP now. */
  private readCarrier(): void {
    for (const m of this.members) {
      const up = m.carrier();
      if (up === this.carrierUp.get(m.name)) continue;
      this.carrierUp.set(m.name, up);
      this.deps.log.info(`member carrier ${up ? 'up' : 'down'}`, { lag: this.name, port: m.name });
      this.memberChanged(m);
    }
  }

  /** UpdateLag's minimumLinks, live (lag-commands.ts checks the value). */
  setMinimumLinks(n: number): void {
    this.handle(this.lag.setMinimumLinks(this.deps.now(), n));
  }

  /** A member out of the LAG (LACP_Enabled false, 802.1AX-2014 6.4.8) or back in (lag-commands.ts). */
  setMember(member: string, enabled: boolean): void {
    this.handle(this.lag.setLacpEnabled(this.deps.now(), member, enabled));
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
    this.syncFastPath();
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
    pushEvent(this.events, ev);
    this.deps.log.info(`lacp: ${e.type}`, { lag: this.name, ...(e.port ? { port: e.port } : {}), ...(e.from ? { from: e.from, to: e.to } : {}), reason: e.reason });
    this.deps.onEvent(ev);
  }

  /** `dxlab show lag`: LACP per member with its controlled port and MKA state, and the TAPs. */
  status(): LagStatus & {
    name: string;
    taps: Array<{ name: string; vlan: number | null; mtu: number }>;
    counters: LagPortCounters;
    fastPath: { active: boolean; reason?: string } & Partial<Omit<LagFastPathStats, 'txByMember' | 'rxByMember'>>;
    members: Array<Record<string, unknown>>;
  } {
    const reason = this.fastPathIdle();
    const fp = this.fastPath?.stats();
    return {
      name: this.name,
      ...this.lag.status(),
      taps: this.config.taps.map((t) => ({ name: t.name, vlan: t.vlan ?? null, mtu: t.mtu })),
      counters: this.countersWithFastPath(fp),
      fastPath: { active: reason === undefined, ...(reason ? { reason } : {}), ...(fp ? { txFrames: fp.txFrames, txToJs: fp.txToJs, rxNotCollecting: fp.rxNotCollecting } : {}) },
      members: this.members.map((m) => m.memberSummary()),
    };
  }

  /** The LAG's counters: what JavaScript counted plus what the fast path counted in C. */
  private countersWithFastPath(fp: LagFastPathStats | undefined): LagPortCounters {
    const c = this.counters;
    if (!fp) return c;
    const add = (js: Record<string, number>, native: number[]) => Object.fromEntries(this.members.map((m, i) => [m.name, js[m.name]! + (native[i] ?? 0)]));
    return { ...c, rxNotCollecting: c.rxNotCollecting + fp.rxNotCollecting, txByMember: add(c.txByMember, fp.txByMember), rxByMember: add(c.rxByMember, fp.rxByMember) };
  }
}
