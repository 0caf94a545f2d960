/**
 * A node's port: the wire (uncontrolled port, an AF_PACKET socket on a veth)
 * and the controlled side (TAPs towards the namespace's kernel, untagged or
 * one per 802.1Q VLAN, and the bridge of a switch). A plain port passes
 * frames between the two unchanged; a MACsec port ({@link MacsecPort}) puts a
 * SecY and a KaY between them.
 *
 * Frames cross in batches, as the frame I/O hands them over.
 */
import type { FastPath, FrameIo, FrameIoStats } from '../io/index.js';
import type { PortConfig, TapConfig } from './config.js';
import type { CaptureFile, CaptureInfo, CaptureSide } from './capture.js';
import type { Logger } from './logger.js';
import { addVlanTag, removeVlanTag, vlanOf } from './vlan.js';

/**
 * Events a port (macsec-port.ts) or a LAG (lag-port.ts) keeps, the oldest dropped first (pushEvent).
 * The control socket's `events` answers all of them: a full ring of KaY
 * events is about 250 KB of JSON, some 8 ms of CPU to build, send and read
 * (the control fuzz target's slowest inputs, README "Fuzzing"); without the
 * bound every `events` answer would grow with the node's uptime.
 */
export const MAX_PORT_EVENTS = 2000;

/** Adds an event to a port's or a LAG's ring, dropping the oldest past MAX_PORT_EVENTS. */
export function pushEvent<E>(events: E[], e: E): void {
  events.push(e);
  if (events.length > MAX_PORT_EVENTS) events.splice(0, events.length - MAX_PORT_EVENTS);
}

export interface TapBinding {
  config: TapConfig;
  io: FrameIo;
}

/** What a port needs from the node: its devices, clocks and log. */
export interface PortDeps {
  wire: FrameIo;
  taps: TapBinding[];
  /** Monotonic milliseconds, the KaY's clock. */
  now(): number;
  /** Wall-clock nanoseconds since the epoch, for capture timestamps. */
  wallNs(): bigint;
  log: Logger;
}

/** dxlab's own per-port counters: what happened to frames outside the SecY. */
export interface PortCounters {
  /** Frames from the controlled side dropped because the controlled port is blocked. */
  txBlocked: number;
  /** Frames from the wire that validated but were dropped because the controlled port is blocked. */
  rxBlocked: number;
  /** Frames for a VLAN (or untagged) with no TAP on this port. */
  rxNoTap: number;
  /** Frames let through in clear beside MACsec (clearTextEtherTypes), each way. */
  txClearText: number;
  rxClearText: number;
  /** Frames to IEEE 802.1D reserved addresses (01:80:C2:00:00:0x) a bridge does not forward. */
  bridgeFiltered: number;
  /** MKPDUs handed to the KaY / sent by it. */
  rxMkpdu: number;
  txMkpdu: number;
}

export function newPortCounters(): PortCounters {
  return { txBlocked: 0, rxBlocked: 0, rxNoTap: 0, txClearText: 0, rxClearText: 0, bridgeFiltered: 0, rxMkpdu: 0, txMkpdu: 0 };
}

/** 01:80:C2:00:00:00 to 0F: link-local, never forwarded by an 802.1D/802.1Q bridge. */
export function isReservedGroupAddress(frame: Uint8Array): boolean {
  return frame[0] === 0x01 && frame[1] === 0x80 && frame[2] === 0xc2 && frame[3] === 0 && frame[4] === 0 && (frame[5]! & 0xf0) === 0;
}

/** Reads a TAP of a port or LAG into `to`, its frames tagged with the TAP's VLAN (untagged TAPs as they are). */
export function readTap(t: TapBinding, to: (frames: Uint8Array[]) => void, log: Logger, where: Record<string, string>): void {
  t.io.start(
    (frames) => to(t.config.vlan === undefined ? frames : frames.map((f) => addVlanTag(f, t.config.vlan!))),
    (e) => log.warn('TAP read error', { ...where, tap: t.config.name, error: e.message }),
  );
}

/**
 * Takes the TAP `name` out of a port's or LAG's TAPs and configuration and
 * stops reading it; the device stays open (a VIF moved elsewhere keeps it).
 * @returns the TAP, or undefined when there is none of that name.
 */
export function takeTap(taps: TapBinding[], configs: TapConfig[], name: string): TapBinding | undefined {
  const i = taps.findIndex((t) => t.config.name === name);
  if (i < 0) return undefined;
  const [t] = taps.splice(i, 1);
  const j = configs.findIndex((c) => c.name === name);
  if (j >= 0) configs.splice(j, 1);
  t!.io.stop();
  return t;
}

/**
 * Hands frames that passed a controlled port (a port's, or a LAG's logical
 * port's) to the TAPs, by VLAN with the tag removed, and to the bridge. A
 * bridge forwards no frame to the IEEE 802.1D reserved group addresses
 * (01:80:C2:00:00:00-0F): MKPDUs, LACP, LLDP and the like stay on their
 * link, as in a real bridge.
 * @param counters rxNoTap counts a frame with neither a TAP for its VLAN nor a bridge; bridgeFiltered, where the caller keeps it, a frame the bridge holds back
 */
export function deliverToTaps(frames: Uint8Array[], taps: readonly TapBinding[], bridgePeers: readonly BridgePeer[], counters: { rxNoTap: number; bridgeFiltered?: number }): void {
  if (taps.length === 1 && taps[0]!.config.vlan === undefined && bridgePeers.length === 0) {
    taps[0]!.io.send(frames);
    return;
  }
  const perTap = new Map<TapBinding, Uint8Array[]>();
  for (const f of frames) {
    const vid = vlanOf(f);
    const tap = taps.find((t) => t.config.vlan === vid);
    if (tap) {
      const list = perTap.get(tap) ?? [];
      list.push(vid === undefined ? f : removeVlanTag(f));
      perTap.set(tap, list);
    } else if (bridgePeers.length === 0) {
      counters.rxNoTap++;
    }
  }
  for (const [tap, list] of perTap) tap.io.send(list);
  if (bridgePeers.length) {
    const forward = frames.filter((f) => {
      if (!isReservedGroupAddress(f)) return true;
      if (counters.bridgeFiltered !== undefined) counters.bridgeFiltered++;
      return false;
    });
    if (forward.length) for (const p of bridgePeers) p.fromControlledSide(forward);
  }
}

/** What a switch's bridge forwards to: a port, or a LAG's logical port (lag-port.ts). */
export interface BridgePeer {
  readonly name: string;
  fromControlledSide(frames: Uint8Array[]): void;
}

/** The LAG logical port a member port hands its frames to (lag-port.ts). */
export interface Aggregator {
  fromMember(member: Port, frames: Uint8Array[]): void;
  memberChanged(member: Port): void;
  /** Why the LAG's fast path takes no frames now, or undefined when it does. */
  fastPathIdle(): string | undefined;
}

export class Port {
  readonly name: string;
  readonly counters: PortCounters = newPortCounters();
  /** Other ports (or LAGs) of a switch's bridge. */
  bridgePeers: BridgePeer[] = [];
  /** The LAG this port is a member of: frames that pass its controlled port go there, not to TAPs. */
  aggregator?: Aggregator;
  protected readonly captures = new Set<CaptureFile>();
  protected started = false;

  constructor(
    readonly config: PortConfig,
    protected readonly deps: PortDeps,
  ) {
    this.name = config.name;
  }

  get kind(): 'macsec' | 'plain' | 'inPath' {
    return 'plain';
  }

  start(): void {
    this.started = true;
    this.deps.wire.start(
      (frames) => this.fromWire(frames),
      (e) => this.deps.log.warn('wire read error', { port: this.name, error: e.message }),
    );
    this.deps.taps.forEach((t) => this.startTap(t));
  }

  private startTap(t: TapBinding): void {
    readTap(t, (frames) => this.fromControlledSide(frames), this.deps.log, { port: this.name });
  }

  /** The TAPs of the controlled side, in the order frames are matched to them. */
  get taps(): readonly TapBinding[] {
    return this.deps.taps;
  }

  /**
   * Puts an open TAP on the controlled side (a VIF added or moved here); a
   * running port reads it at once. The caller has checked that its VLAN
   * (or untagged) is free on this port.
   */
  attachTap(t: TapBinding): void {
    this.deps.taps.push(t);
    this.config.taps.push(t.config);
    if (this.started) this.startTap(t);
  }

  /**
   * Takes a TAP off the controlled side and stops reading it; the device stays
   * open (a VIF moved to another port keeps it), the caller closes it otherwise.
   * @returns the TAP, or undefined when the port has none of that name.
   */
  detachTap(name: string): TapBinding | undefined {
    return takeTap(this.deps.taps, this.config.taps, name);
  }

  /** Closes the devices; resolves when the capture files are complete. */
  stop(): Promise<void> {
    this.started = false;
    this.deps.wire.close();
    for (const t of this.deps.taps) t.io.close();
    const closing = [...this.captures].map((c) => c.close());
    this.captures.clear();
    return Promise.all(closing).then(() => undefined);
  }

  addCapture(c: CaptureFile): void {
    this.captures.add(c);
  }

  /** Takes a capture off the port; resolves when its file is complete. */
  removeCapture(c: CaptureFile): Promise<void> {
    this.captures.delete(c);
    return c.close();
  }

  /**
   * Stops the capture writing `path`, or every capture of the port without one.
   * @returns the captures stopped, once their files are complete.
   */
  async stopCaptures(path?: string): Promise<CaptureInfo[]> {
    const stopping = [...this.captures].filter((c) => path === undefined || c.path === path);
    await Promise.all(stopping.map((c) => this.removeCapture(c)));
    return stopping.map((c) => c.info());
  }

  /** Flushes capture files, and closes those whose duration has passed or whose file failed. */
  flushCaptures(nowMs: number): Promise<void> {
    const done: Array<Promise<void>> = [];
    for (const c of this.captures) {
      if (c.failed) {
        this.deps.log.warn('capture stopped: cannot write its file', { port: this.name, path: c.path, error: c.failed });
        done.push(this.removeCapture(c));
      } else if (c.stopAtMs !== undefined && nowMs >= c.stopAtMs) done.push(this.removeCapture(c));
      else done.push(c.flush());
    }
    return Promise.all(done).then(() => undefined);
  }

  listCaptures(): CaptureInfo[] {
    return [...this.captures].map((c) => c.info());
  }

  protected capture(side: CaptureSide, frame: Uint8Array, timeNs: bigint): void {
    for (const c of this.captures) if (c.side === side) c.write(timeNs, frame);
  }

  protected get capturing(): boolean {
    return this.captures.size > 0;
  }

  /** Frames from the controlled side (tagged with the TAP's VLAN), or from a bridge peer. */
  fromControlledSide(frames: Uint8Array[]): void {
    if (this.capturing) {
      const t = this.deps.wallNs();
      for (const f of frames) this.capture('clear', f, t);
    }
    this.sendToWire(frames);
  }

  protected sendToWire(frames: Uint8Array[]): void {
    if (this.capturing) {
      const t = this.deps.wallNs();
      for (const f of frames) {
        this.capture('wire', f, t);
        this.capture('decrypted', f, t);
      }
    }
    if (frames.length) this.deps.wire.send(frames);
  }

  protected fromWire(frames: Uint8Array[]): void {
    if (this.capturing) {
      const t = this.deps.wallNs();
      for (const f of frames) {
        this.capture('wire', f, t);
        this.capture('decrypted', f, t);
      }
    }
    this.deliver(frames);
  }

  /** Hands frames that passed the controlled port to the TAPs and the bridge (deliverToTaps), or to its LAG. */
  protected deliver(frames: Uint8Array[], captureClear = true): void {
    if (frames.length === 0) return;
    if (captureClear && this.capturing) {
      const t = this.deps.wallNs();
      for (const f of frames) this.capture('clear', f, t);
    }
    if (this.aggregator) {
      this.aggregator.fromMember(this, frames);
      return;
    }
    deliverToTaps(frames, this.deps.taps, this.bridgePeers, this.counters);
  }

  /** The wire's MAC: a LAG member's LACPDUs come from it (802.1AX-2014 6.2.11.2). */
  wireMac(): Uint8Array {
    return this.deps.wire.mac();
  }

  /** The port's native fast path, for its LAG's fast path to use (a MACsec port's); none here. */
  lagFastPath(): FastPath | undefined {
    return undefined;
  }

  /** Whether the wire has carrier (a cut cable has none: `dxlab wire cut`); true where the wire cannot tell. */
  carrier(): boolean {
    return this.deps.wire.carrier?.() ?? true;
  }

  /**
   * Whether frames can pass the port (LACP's Port_Enabled for a LAG member,
   * 802.1AX-2014 6.4.8: the port is operational): not without carrier.
   */
  operational(): boolean {
    return this.carrier();
  }

  /** What `dxlab show lag` says of this port as a member. */
  memberSummary(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, wire: this.config.wire, carrier: this.carrier() ? 'up' : 'down', operational: this.operational() };
  }

  ioStats(): { wire: FrameIoStats; taps: Record<string, FrameIoStats> } {
    return {
      wire: this.deps.wire.stats(),
      taps: Object.fromEntries(this.deps.taps.map((t) => [t.config.name, t.io.stats()])),
    };
  }

  status(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      wire: this.config.wire,
      taps: this.config.taps.map((t) => ({ name: t.name, vlan: t.vlan ?? null, mtu: t.mtu })),
      captures: this.listCaptures(),
    };
  }
}
