/**
 * The BGP finite state machine of RFC 4271 §8 for one configured peer, pure:
 * the caller passes `now` (monotonic milliseconds) with every input and gets
 * back the actions to perform and the next deadline at which to call
 * {@link BgpFsm.tick}. No sockets, no timers, no clock in here.
 *
 * Inputs are the RFC's events: ManualStart (Event 1), ManualStop (2),
 * AutomaticStart (3), Tcp_CR_Acked (16), TcpConnectionConfirmed (17),
 * TcpConnectionFails (18), received octets (which become Events 19-28), and
 * the expiry of ConnectRetryTimer (9), HoldTimer (10), KeepaliveTimer (11)
 * and the optional IdleHoldTimer (13) found by comparing deadlines with `now`.
 * Outputs: open or close a TCP connection, send a message (already encoded),
 * state changes with reasons, routes to install or withdraw, errors.
 *
 * RFC 4271 gives each TCP connection its own FSM until connection collision
 * detection (§6.8) keeps one. Here one object holds the peer's connections:
 * each has its own OpenSent / OpenConfirm / Established progress, and the
 * peer's state is that of its most advanced connection (or Idle, Connect,
 * Active when none is open). When an OPEN arrives while another connection
 * is in OpenConfirm, the BGP Identifiers decide (§6.8): the higher one's
 * connection survives, the other is closed with Cease / Connection Collision
 * Resolution (RFC 4486 §4); equal identifiers are decided by the larger AS
 * number (RFC 6286 §2.3). An Established connection is always kept (§6.8,
 * CollisionDetectEstablishedState off).
 *
 * Left out (optional in §8.1): DelayOpen, DampPeerOscillations, timer jitter
 * (§10 asks for it; jitter needs randomness, which would come in as an
 * argument), SendNOTIFICATIONwithoutOPEN. Unexpected messages use the
 * subcodes of RFC 6608.
 */
import {
  CONNECT_RETRY_TIME_SECONDS,
  HOLD_TIME_SECONDS,
  IDLE_HOLD_TIME_SECONDS,
  LARGE_HOLD_TIME_SECONDS,
  MessageType,
  SAFI_UNICAST,
  notificationName,
} from './constants.js';
import { concat } from '../shared/bytes.js';
import {
  IPV4_UNICAST,
  IPV6_UNICAST,
  buildOpen,
  capabilityBytes,
  negotiate,
  openAsn,
  openFamilies,
  type Family,
  type Negotiated,
} from './capabilities.js';
import { MessageFramer, decodeMessage, encodeMessage } from './codec.js';
import { BgpError } from './errors.js';
import type { Capability, Message, Open, Update, UpdateErrorNote } from './messages.js';
import { parseIpv4 } from './prefix.js';
import { AdjRibIn, AdvertisedPrefixes, type Route } from './rib.js';

/** The six states of RFC 4271 §8.2.2. */
export type BgpState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** Names a TCP connection. The FSM names the ones it asks for ("out-1"...); the driver names incoming ones. */
export type ConnId = string;

/** Inputs (RFC 4271 §8.1 events). */
export type BgpEvent =
  | { readonly type: 'ManualStart' }
  | { readonly type: 'ManualStop' }
  | { readonly type: 'AutomaticStart' }
  /** Our outgoing connection `conn` completed (Event 16). */
  | { readonly type: 'TcpCrAcked'; readonly conn: ConnId }
  /** The peer connected to us; the driver names the connection (Event 17). */
  | { readonly type: 'TcpConnectionConfirmed'; readonly conn: ConnId }
  /** `conn` failed or was closed by the peer (Event 18). */
  | { readonly type: 'TcpConnectionFails'; readonly conn: ConnId }
  /** Octets received on `conn`, in any chunking. */
  | { readonly type: 'TcpData'; readonly conn: ConnId; readonly bytes: Uint8Array };

/** The error a session ended with, or an error sent or received. */
export interface SessionError {
  readonly at: number;
  readonly direction: 'sent' | 'received' | 'local';
  readonly code: number;
  readonly subcode: number;
  readonly name: string;
  readonly reason: string;
}

/** Outputs. */
export type BgpAction =
  | { readonly type: 'connect'; readonly conn: ConnId }
  | { readonly type: 'disconnect'; readonly conn: ConnId; readonly reason: string }
  | { readonly type: 'send'; readonly conn: ConnId; readonly message: Message; readonly bytes: Uint8Array }
  | { readonly type: 'stateChange'; readonly from: BgpState; readonly to: BgpState; readonly reason: string }
  | { readonly type: 'installRoutes'; readonly routes: readonly Route[] }
  | { readonly type: 'withdrawRoutes'; readonly prefixes: readonly string[] }
  /** RFC 7606 outcomes of one UPDATE (treat-as-withdraw, attribute discard), for logs and counters. */
  | { readonly type: 'updateErrors'; readonly errors: readonly UpdateErrorNote[] }
  /** The peer asked for our routes again (RFC 2918 §4). */
  | { readonly type: 'routeRefreshRequest'; readonly afi: number; readonly safi: number }
  | { readonly type: 'error'; readonly error: SessionError };

/** What one call returns. */
export interface FsmStep {
  readonly actions: BgpAction[];
  /** When to call tick() next (monotonic ms), or null when no timer runs. */
  readonly nextDeadline: number | null;
}

export type RequiredCapability = 'fourOctetAs' | 'routeRefresh' | 'ipv4Unicast' | 'ipv6Unicast';

export interface BgpFsmConfig {
  /** Local AS, 1..4294967295. */
  readonly localAsn: number;
  /** The AS the peer must announce, else Bad Peer AS (RFC 4271 §6.2). */
  readonly peerAsn: number;
  /** Local BGP Identifier, dotted quad. */
  readonly bgpId: string;
  /** Hold time offered in our OPEN, seconds, 0 or >= 3. @default 90 (AWS Direct Connect, RFC 4271 §10) */
  readonly holdTimeSeconds?: number;
  /** Seconds between KEEPALIVEs, capped at a third of the negotiated hold time. @default a third of the negotiated hold time */
  readonly keepaliveTimeSeconds?: number;
  /** @default 120 (RFC 4271 §10) */
  readonly connectRetryTimeSeconds?: number;
  /** Families announced. @default IPv4 and IPv6 unicast */
  readonly families?: readonly Family[];
  /** Announce route refresh (RFC 2918). @default true */
  readonly routeRefresh?: boolean;
  /** Wait for the peer to connect instead of connecting (PassiveTcpEstablishment, §8.1.1). @default false */
  readonly passive?: boolean;
  /**
   * Seconds in Idle before an AutomaticStart after the session went down,
   * or null to stay Idle until told (§8.1.1 IdleHoldTime). ManualStop always stays Idle.
   * @default 5
   */
  readonly idleHoldTimeSeconds?: number | null;
  /** Capabilities the peer must announce, else Unsupported Capability (RFC 5492 §5). @default none */
  readonly requiredCapabilities?: readonly RequiredCapability[];
  /** Treat-as-withdraw routes whose AS_PATH does not start with the peer's AS (RFC 4271 §6.3, RFC 7606 §7.2). @default true */
  readonly enforceFirstAs?: boolean;
}

type ConnState = 'Connect' | 'OpenSent' | 'OpenConfirm' | 'Established';

interface Conn {
  readonly id: ConnId;
  readonly dir: 'out' | 'in';
  state: ConnState;
  readonly framer: MessageFramer;
  holdDeadline: number | null;
  keepaliveDeadline: number | null;
  peerOpen: Open | null;
  negotiated: Negotiated | null;
}

/** Message counters, named as the BGP4-MIB names them where it has one (bgpPeerInUpdates...). */
export interface BgpCounters {
  inMessages: number;
  outMessages: number;
  inUpdates: number;
  outUpdates: number;
  inNotifications: number;
  outNotifications: number;
  inKeepalives: number;
  outKeepalives: number;
  /** UPDATEs handled as treat-as-withdraw (RFC 7606). */
  inUpdatesTreatAsWithdraw: number;
  /** Attributes discarded (RFC 7606). */
  inAttributesDiscarded: number;
  /** RFC 4271 §8 ConnectRetryCounter. */
  connectRetryCounter: number;
  /** Times the session reached Established (bgpPeerFsmEstablishedTransitions). */
  establishedTransitions: number;
}

const STATE_RANK: Readonly<Record<ConnState, number>> = { Connect: 0, OpenSent: 1, OpenConfirm: 2, Established: 3 };

function ipToNumber(ip: string): number {
  const b = parseIpv4(ip);
  return ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
}

function requiredCapability(r: RequiredCapability, localAsn: number): Capability {
  switch (r) {
    case 'fourOctetAs':
      return { kind: 'fourOctetAs', asn: localAsn };
    case 'routeRefresh':
      return { kind: 'routeRefresh' };
    case 'ipv4Unicast':
      return { kind: 'multiprotocol', afi: IPV4_UNICAST.afi, safi: IPV4_UNICAST.safi };
    case 'ipv6Unicast':
      return { kind: 'multiprotocol', afi: IPV6_UNICAST.afi, safi: IPV6_UNICAST.safi };
  }
}

/**
 * One peer's BGP session.
 *
 * @example
 * const fsm = new BgpFsm({ localAsn: 64512, peerAsn: 7224, bgpId: '169.254.0.2' });
 * let step = fsm.handle(now, { type: 'ManualStart' }); // -> connect out-1
 * step = fsm.handle(now, { type: 'TcpCrAcked', conn: 'out-1' }); // -> send OPEN
 * step = fsm.handle(now, { type: 'TcpData', conn: 'out-1', bytes }); // -> KEEPALIVE, routes...
 * step = fsm.tick(step.nextDeadline!);
 */
export class BgpFsm {
  readonly adjRibIn = new AdjRibIn();
  readonly advertised = new AdvertisedPrefixes();
  readonly counters: BgpCounters = {
    inMessages: 0,
    outMessages: 0,
    inUpdates: 0,
    outUpdates: 0,
    inNotifications: 0,
    outNotifications: 0,
    inKeepalives: 0,
    outKeepalives: 0,
    inUpdatesTreatAsWithdraw: 0,
    inAttributesDiscarded: 0,
    connectRetryCounter: 0,
    establishedTransitions: 0,
  };

  private readonly localOpen: Open;
  private readonly holdMs: number;
  private readonly connectRetryMs: number;
  private readonly idleHoldMs: number | null;
  private readonly conns = new Map<ConnId, Conn>();
  private base: 'Idle' | 'Connect' | 'Active' = 'Idle';
  private reported: BgpState = 'Idle';
  private stopped = true;
  private connectRetryDeadline: number | null = null;
  private idleHoldDeadline: number | null = null;
  private nextOutId = 1;
  private now = 0;
  private actions: BgpAction[] = [];
  private lastErrorValue: SessionError | null = null;

  /** @throws BgpError('invalidArgument') for values out of range. */
  constructor(private readonly config: BgpFsmConfig) {
    this.localOpen = buildOpen({
      asn: config.localAsn,
      bgpId: config.bgpId,
      holdTime: config.holdTimeSeconds ?? HOLD_TIME_SECONDS,
      families: config.families ?? [IPV4_UNICAST, IPV6_UNICAST],
      routeRefresh: config.routeRefresh ?? true,
    });
    if (!Number.isInteger(config.peerAsn) || config.peerAsn < 1 || config.peerAsn > 0xffffffff) {
      throw new BgpError('invalidArgument', `peer ASN ${config.peerAsn} out of range 1..4294967295`);
    }
    this.holdMs = LARGE_HOLD_TIME_SECONDS * 1000;
    this.connectRetryMs = (config.connectRetryTimeSeconds ?? CONNECT_RETRY_TIME_SECONDS) * 1000;
    const idle = config.idleHoldTimeSeconds === undefined ? IDLE_HOLD_TIME_SECONDS : config.idleHoldTimeSeconds;
    this.idleHoldMs = idle === null ? null : idle * 1000;
  }

  /** The peer's state: that of its most advanced connection, else Idle, Connect or Active. */
  get state(): BgpState {
    let best: Conn | null = null;
    for (const c of this.conns.values()) if (c.state !== 'Connect' && (!best || STATE_RANK[c.state] > STATE_RANK[best.state])) best = c;
    return best ? best.state : this.base;
  }

  /** The last error sent, received or detected locally (shown by `status`). */
  get lastError(): SessionError | null {
    return this.lastErrorValue;
  }

  /** Session parameters of the Established connection, or null. */
  get negotiated(): Negotiated | null {
    return this.established()?.negotiated ?? null;
  }

  /** The OPEN this speaker sends. */
  get open(): Open {
    return this.localOpen;
  }

  /** Prefixes received (Adj-RIB-In) and advertised, per family. */
  prefixCounts(): { received: { ipv4: number; ipv6: number }; advertised: { ipv4: number; ipv6: number } } {
    return { received: this.adjRibIn.counts(), advertised: this.advertised.counts() };
  }

  /** Feeds one event. Timers that expired by `now` fire first. */
  handle(now: number, event: BgpEvent): FsmStep {
    this.begin(now);
    switch (event.type) {
      case 'ManualStart':
        if (this.state === 'Idle' && this.conns.size === 0) {
          this.counters.connectRetryCounter = 0;
          this.start('ManualStart');
        }
        break;
      case 'AutomaticStart':
        if (this.state === 'Idle' && this.conns.size === 0) this.start('AutomaticStart');
        break;
      case 'ManualStop':
        this.manualStop();
        break;
      case 'TcpCrAcked':
        this.onConnected(event.conn, 'out');
        break;
      case 'TcpConnectionConfirmed':
        this.onConnected(event.conn, 'in');
        break;
      case 'TcpConnectionFails':
        this.onTcpFails(event.conn);
        break;
      case 'TcpData':
        this.onData(event.conn, event.bytes);
        break;
    }
    return this.end();
  }

  /** Fires the timers that expired by `now`. */
  tick(now: number): FsmStep {
    this.begin(now);
    return this.end();
  }

  /**
   * Sends an UPDATE on the Established connection and records its prefixes as advertised.
   * @throws BgpError('notEstablished') outside Established; BgpError('invalidArgument') when it cannot be encoded.
   */
  advertise(now: number, update: Update): FsmStep {
    const conn = this.established();
    if (!conn) throw new BgpError('notEstablished', `cannot send an UPDATE in state ${this.state}`);
    const bytes = encodeMessage(update, { fourOctetAs: conn.negotiated!.fourOctetAs });
    this.begin(now);
    this.sendEncoded(conn, update, bytes);
    this.advertised.record(update);
    return this.end();
  }

  /**
   * Asks the peer to send its routes of one family again (RFC 2918 §3).
   * @throws BgpError('notEstablished') outside Established or when route refresh was not negotiated.
   */
  requestRouteRefresh(now: number, family: Family): FsmStep {
    const conn = this.established();
    if (!conn || !conn.negotiated!.routeRefresh) throw new BgpError('notEstablished', 'route refresh needs an Established session that negotiated it');
    this.begin(now);
    this.send(conn, { type: 'routeRefresh', afi: family.afi, subtype: 0, safi: family.safi });
    return this.end();
  }

  /** The earliest running timer, or null. */
  nextDeadline(): number | null {
    let d: number | null = null;
    const take = (t: number | null) => {
      if (t !== null && (d === null || t < d)) d = t;
    };
    take(this.connectRetryDeadline);
    take(this.idleHoldDeadline);
    for (const c of this.conns.values()) {
      take(c.holdDeadline);
      take(c.keepaliveDeadline);
    }
    return d;
  }

  // ------------------------------------------------------------ internals

  private begin(now: number): void {
    if (!Number.isFinite(now)) throw new BgpError('invalidArgument', `now ${now} is not a finite number`);
    this.now = Math.max(this.now, now);
    this.actions = [];
    this.fireTimers();
  }

  private end(): FsmStep {
    this.sync('');
    return { actions: this.actions, nextDeadline: this.nextDeadline() };
  }

  /** Emits a stateChange when the derived state moved. */
  private sync(reason: string): void {
    const s = this.state;
    if (s === this.reported) return;
    this.actions.push({ type: 'stateChange', from: this.reported, to: s, reason });
    if (s === 'Established') this.counters.establishedTransitions++;
    this.reported = s;
  }

  private established(): Conn | null {
    for (const c of this.conns.values()) if (c.state === 'Established') return c;
    return null;
  }

  private fireTimers(): void {
    // Fire in deadline order; each firing may set new deadlines, all later than now.
    for (let guard = 0; guard < 1000; guard++) {
      const now = this.now;
      let best: { at: number; fire: () => void } | null = null;
      const offer = (at: number | null, fire: () => void) => {
        if (at !== null && at <= now && (!best || at < best.at)) best = { at, fire };
      };
      offer(this.connectRetryDeadline, () => this.onConnectRetryExpires());
      offer(this.idleHoldDeadline, () => {
        this.idleHoldDeadline = null;
        if (!this.stopped && this.state === 'Idle' && this.conns.size === 0) this.start('IdleHoldTimer expired (AutomaticStart)');
      });
      for (const c of this.conns.values()) {
        offer(c.holdDeadline, () => {
          c.holdDeadline = null;
          this.fail(c, new BgpError('holdTimerExpired', `no message from the peer for the hold time (state ${c.state})`), 'sent');
        });
        offer(c.keepaliveDeadline, () => {
          this.send(c, { type: 'keepalive' });
        });
      }
      const chosen = best as { at: number; fire: () => void } | null;
      if (!chosen) return;
      chosen.fire();
    }
  }

  /**
   * Starts ConnectRetryTimer. A passive speaker never connects, so it runs
   * none: RFC 4271 §8.2.2 Active, Event 9, would make it connect when the
   * timer expires, which is not what "wait for the peer" means in the lab
   * (the DX side of a session listens only).
   */
  private armConnectRetry(): void {
    this.connectRetryDeadline = this.config.passive ? null : this.now + this.connectRetryMs;
  }

  private start(reason: string): void {
    this.stopped = false;
    this.idleHoldDeadline = null;
    this.armConnectRetry();
    if (this.config.passive) {
      this.base = 'Active';
    } else {
      this.base = 'Connect';
      this.connectOut();
    }
    this.sync(reason);
  }

  private connectOut(): void {
    const id = `out-${this.nextOutId++}`;
    this.conns.set(id, { id, dir: 'out', state: 'Connect', framer: new MessageFramer(), holdDeadline: null, keepaliveDeadline: null, peerOpen: null, negotiated: null });
    this.actions.push({ type: 'connect', conn: id });
  }

  private onConnectRetryExpires(): void {
    // §8.2.2 Connect and Active, Event 9: drop the attempt, connect again, restart the timer.
    this.armConnectRetry();
    for (const c of [...this.conns.values()]) {
      if (c.state === 'Connect') this.close(c, 'ConnectRetryTimer expired');
    }
    if (this.conns.size > 0) return; // a connection is past Connect: the timer would be stopped
    this.base = 'Connect';
    this.connectOut();
    this.sync('ConnectRetryTimer expired');
  }

  private manualStop(): void {
    const wasUp = this.state !== 'Idle';
    for (const c of [...this.conns.values()]) {
      if (c.state !== 'Connect') {
        const err = new BgpError('administrativeShutdown', 'ManualStop');
        this.sendNotification(c, err);
        this.recordError(err, 'sent');
      }
      this.close(c, 'ManualStop');
    }
    this.stopped = true;
    this.base = 'Idle';
    this.connectRetryDeadline = null;
    this.idleHoldDeadline = null;
    this.counters.connectRetryCounter = 0;
    if (wasUp) this.sync('ManualStop');
  }

  private onConnected(id: ConnId, dir: 'out' | 'in'): void {
    let conn = this.conns.get(id);
    if (dir === 'out') {
      if (!conn || conn.dir !== 'out' || conn.state !== 'Connect') {
        this.actions.push({ type: 'disconnect', conn: id, reason: 'no outgoing connection of that name is wanted' });
        return;
      }
    } else {
      // Idle refuses connections (§8.2.2 Idle); a name in use is a driver bug, refused too.
      if (this.state === 'Idle' || conn) {
        this.actions.push({ type: 'disconnect', conn: id, reason: this.state === 'Idle' ? 'incoming connection refused in Idle' : 'connection name already in use' });
        return;
      }
      conn = { id, dir: 'in', state: 'Connect', framer: new MessageFramer(), holdDeadline: null, keepaliveDeadline: null, peerOpen: null, negotiated: null };
      this.conns.set(id, conn);
    }
    // §8.2.2 Connect / Active, Events 16-17: stop ConnectRetryTimer, send
    // OPEN, HoldTimer to the large value, OpenSent.
    this.connectRetryDeadline = null;
    this.send(conn, this.localOpen);
    conn.state = 'OpenSent';
    conn.holdDeadline = this.now + this.holdMs;
    this.sync(dir === 'out' ? 'TCP connection established (Tcp_CR_Acked), OPEN sent' : 'TCP connection accepted, OPEN sent');
  }

  private onTcpFails(id: ConnId): void {
    const conn = this.conns.get(id);
    if (!conn) return;
    const was = conn.state;
    this.removeConn(conn);
    if (this.conns.size > 0) {
      this.sync(`TCP connection ${id} failed`);
      return;
    }
    if (was === 'OpenSent') {
      // §8.2.2 OpenSent, Event 18: restart ConnectRetryTimer, listen, Active.
      this.base = 'Active';
      this.armConnectRetry();
      this.sync('TCP connection failed in OpenSent');
      return;
    }
    // Connect (without DelayOpen), OpenConfirm, Established: Idle.
    this.recordLocal(`TCP connection failed in ${was}`);
    this.counters.connectRetryCounter++;
    this.goIdle(`TCP connection failed in ${was}`);
  }

  private onData(id: ConnId, bytes: Uint8Array): void {
    const conn = this.conns.get(id);
    if (!conn || conn.state === 'Connect') return;
    let frames: Uint8Array[];
    try {
      frames = conn.framer.push(bytes);
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      this.fail(conn, e, 'sent');
      return;
    }
    for (const frame of frames) {
      if (this.conns.get(id) !== conn) return; // closed by an earlier message
      this.counters.inMessages++;
      let m: Message;
      try {
        m = decodeMessage(frame, { fourOctetAs: conn.negotiated?.fourOctetAs ?? false, external: true });
      } catch (e) {
        if (!(e instanceof BgpError)) throw e;
        // A bad NOTIFICATION is not answered with one (RFC 4271 §6.4).
        if (frame[18] === MessageType.NOTIFICATION) {
          this.counters.inNotifications++;
          this.recordLocal(`malformed NOTIFICATION: ${e.message}`);
          this.closeAfterError(conn, 'malformed NOTIFICATION received');
        } else {
          this.fail(conn, e, 'sent');
        }
        return;
      }
      this.onMessage(conn, m);
    }
  }

  private onMessage(conn: Conn, m: Message): void {
    if (m.type === 'notification') {
      this.counters.inNotifications++;
      const err: SessionError = {
        at: this.now,
        direction: 'received',
        code: m.code,
        subcode: m.subcode,
        name: notificationName(m.code, m.subcode),
        reason: 'NOTIFICATION received',
      };
      this.lastErrorValue = err;
      this.actions.push({ type: 'error', error: err });
      this.closeAfterError(conn, `NOTIFICATION received: ${err.name}`);
      return;
    }
    if (m.type === 'keepalive') this.counters.inKeepalives++;
    if (m.type === 'update') this.counters.inUpdates++;
    switch (conn.state) {
      case 'OpenSent':
        if (m.type === 'open') this.onOpen(conn, m);
        else this.fail(conn, new BgpError('unexpectedMessageOpenSent', `${m.type} received in OpenSent`), 'sent');
        return;
      case 'OpenConfirm':
        if (m.type === 'keepalive') {
          // §8.2.2 OpenConfirm, Event 26: restart HoldTimer, Established.
          this.restartHold(conn);
          conn.state = 'Established';
          this.sync('KEEPALIVE received in OpenConfirm');
        } else {
          this.fail(conn, new BgpError('unexpectedMessageOpenConfirm', `${m.type} received in OpenConfirm`), 'sent');
        }
        return;
      case 'Established':
        if (m.type === 'keepalive') this.restartHold(conn);
        else if (m.type === 'update') {
          this.restartHold(conn);
          this.onUpdate(conn, m);
        } else if (m.type === 'routeRefresh') {
          this.restartHold(conn);
          // RFC 2918 §4: a family not negotiated is ignored.
          const n = conn.negotiated!;
          if (n.routeRefresh && n.families.some((f) => f.afi === m.afi && f.safi === m.safi)) {
            this.actions.push({ type: 'routeRefreshRequest', afi: m.afi, safi: m.safi });
          }
        } else {
          this.fail(conn, new BgpError('unexpectedMessageEstablished', `${m.type} received in Established`), 'sent');
        }
        return;
      case 'Connect':
        return;
    }
  }

  private onOpen(conn: Conn, open: Open): void {
    const peerAsn = openAsn(open);
    if (peerAsn !== this.config.peerAsn) {
      this.fail(conn, new BgpError('badPeerAs', `peer announced AS ${peerAsn}, expected ${this.config.peerAsn}`), 'sent');
      return;
    }
    const missing = (this.config.requiredCapabilities ?? []).filter((r) => {
      if (r === 'fourOctetAs') return !open.capabilities.some((c) => c.kind === 'fourOctetAs');
      if (r === 'routeRefresh') return !open.capabilities.some((c) => c.kind === 'routeRefresh');
      const f = r === 'ipv4Unicast' ? IPV4_UNICAST : IPV6_UNICAST;
      return !openFamilies(open).some((g) => g.afi === f.afi && g.safi === f.safi);
    });
    if (missing.length > 0) {
      // RFC 5492 §5: Data lists the capabilities the peer lacks.
      const data = concat(...missing.map((r) => capabilityBytes(requiredCapability(r, this.config.localAsn))));
      this.fail(conn, new BgpError('unsupportedCapability', `peer lacks required capabilities: ${missing.join(', ')}`, { data }), 'sent');
      return;
    }

    // Connection collision detection (§6.8).
    for (const other of [...this.conns.values()]) {
      if (other === conn) continue;
      if (other.state === 'Established') {
        this.closeCollision(conn, 'an Established connection exists (RFC 4271 §6.8)');
        return;
      }
      if (other.state !== 'OpenConfirm') continue;
      const local = ipToNumber(this.config.bgpId);
      const remote = ipToNumber(open.bgpId);
      const localWins = local > remote || (local === remote && this.config.localAsn > peerAsn);
      const keepDir = localWins ? 'out' : 'in';
      const loser = other.dir !== keepDir && conn.dir === keepDir ? other : conn;
      const why = `collision: ${localWins ? 'local' : 'remote'} BGP Identifier wins, keeping the connection it opened`;
      this.closeCollision(loser, why);
      if (loser === conn) return;
    }

    conn.peerOpen = open;
    const n = negotiate(this.localOpen, open, this.config.keepaliveTimeSeconds);
    conn.negotiated = n;
    // §8.2.2 OpenSent, Event 19: KEEPALIVE, timers to the negotiated values, OpenConfirm.
    this.send(conn, { type: 'keepalive' });
    conn.state = 'OpenConfirm';
    this.restartHold(conn);
    conn.keepaliveDeadline = n.keepaliveTime > 0 ? this.now + n.keepaliveTime * 1000 : null;
    this.sync('OPEN received');
  }

  private onUpdate(conn: Conn, received: Update): void {
    const n = conn.negotiated!;
    let u = received;
    const notes: UpdateErrorNote[] = [...(u.errors ?? [])];
    const announces = u.nlri.length > 0 || (u.attributes.mpReach?.nlri.length ?? 0) > 0;
    if (!u.treatAsWithdraw && announces && (this.config.enforceFirstAs ?? true)) {
      const first = u.attributes.asPath?.[0];
      if (!first || first.type !== 'sequence' || first.asns[0] !== n.peerAsn) {
        const note: UpdateErrorNote = {
          action: 'treatAsWithdraw',
          error: 'malformedAsPath',
          attributeType: 2,
          reason: `AS_PATH does not start with the peer's AS ${n.peerAsn} (RFC 4271 §6.3, RFC 7606 §7.2)`,
        };
        notes.push(note);
        u = { ...u, treatAsWithdraw: true, errors: notes };
      }
    }
    if (notes.length > 0) {
      this.actions.push({ type: 'updateErrors', errors: notes });
      if (u.treatAsWithdraw) this.counters.inUpdatesTreatAsWithdraw++;
      this.counters.inAttributesDiscarded += notes.filter((x) => x.action === 'attributeDiscard').length;
    }
    const families = new Set(n.families.filter((f) => f.safi === SAFI_UNICAST).map((f) => f.afi));
    const localAsn = this.config.localAsn;
    const change = this.adjRibIn.apply(u, {
      families,
      // An AS_PATH holding our own AS is a loop: the route is not used (RFC 4271 §9.1.2).
      accept: (r) => !(r.attributes.asPath ?? []).some((s) => s.asns.includes(localAsn)),
    });
    if (change.withdrawn.length > 0) this.actions.push({ type: 'withdrawRoutes', prefixes: change.withdrawn });
    if (change.installed.length > 0) this.actions.push({ type: 'installRoutes', routes: change.installed });
  }

  private restartHold(conn: Conn): void {
    const hold = conn.negotiated?.holdTime ?? 0;
    conn.holdDeadline = hold > 0 ? this.now + hold * 1000 : null;
  }

  /** Encodes and sends; KEEPALIVE and UPDATE restart the KeepaliveTimer (§8.2.2 Established). */
  private send(conn: Conn, m: Message): void {
    this.sendEncoded(conn, m, encodeMessage(m, { fourOctetAs: conn.negotiated?.fourOctetAs ?? false }));
  }

  private sendEncoded(conn: Conn, m: Message, bytes: Uint8Array): void {
    this.actions.push({ type: 'send', conn: conn.id, message: m, bytes });
    this.counters.outMessages++;
    if (m.type === 'keepalive') this.counters.outKeepalives++;
    if (m.type === 'update') this.counters.outUpdates++;
    if (m.type === 'notification') this.counters.outNotifications++;
    if ((m.type === 'keepalive' || m.type === 'update') && conn.negotiated && conn.negotiated.keepaliveTime > 0) {
      conn.keepaliveDeadline = this.now + conn.negotiated.keepaliveTime * 1000;
    }
  }

  private sendNotification(conn: Conn, err: BgpError): void {
    const n = err.notification;
    if (!n) return;
    this.send(conn, { type: 'notification', code: n.code, subcode: n.subcode, data: n.data });
  }

  private recordError(err: BgpError, direction: 'sent' | 'local'): void {
    const n = err.notification;
    const e: SessionError = {
      at: this.now,
      direction,
      code: n?.code ?? 0,
      subcode: n?.subcode ?? 0,
      name: err.notificationName,
      reason: err.message,
    };
    this.lastErrorValue = e;
    this.actions.push({ type: 'error', error: e });
  }

  private recordLocal(reason: string): void {
    const e: SessionError = { at: this.now, direction: 'local', code: 0, subcode: 0, name: 'local', reason };
    this.lastErrorValue = e;
    this.actions.push({ type: 'error', error: e });
  }

  /** An error on `conn`: NOTIFICATION, close, and Idle when no connection is left (§8.2.2, "ConnectRetryCounter + 1, Idle"). */
  private fail(conn: Conn, err: BgpError, direction: 'sent'): void {
    this.sendNotification(conn, err);
    this.recordError(err, direction);
    this.closeAfterError(conn, err.notificationName);
  }

  private closeAfterError(conn: Conn, reason: string): void {
    this.close(conn, reason);
    this.counters.connectRetryCounter++;
    if (this.conns.size === 0) this.goIdle(reason);
    else this.sync(reason);
  }

  private closeCollision(conn: Conn, reason: string): void {
    this.sendNotification(conn, new BgpError('connectionCollisionResolution', reason));
    this.close(conn, reason);
    this.sync(reason);
  }

  private close(conn: Conn, reason: string): void {
    this.actions.push({ type: 'disconnect', conn: conn.id, reason });
    this.removeConn(conn);
  }

  /** Forgets a connection; an Established one takes its routes with it (§8.2.2 "deletes all routes"). */
  private removeConn(conn: Conn): void {
    this.conns.delete(conn.id);
    if (conn.state === 'Established') {
      const gone = this.adjRibIn.clear();
      this.advertised.clear();
      if (gone.length > 0) this.actions.push({ type: 'withdrawRoutes', prefixes: gone });
    }
  }

  private goIdle(reason: string): void {
    this.base = 'Idle';
    this.connectRetryDeadline = null;
    this.idleHoldDeadline = !this.stopped && this.idleHoldMs !== null ? this.now + this.idleHoldMs : null;
    this.sync(reason);
  }
}
