/**
 * The builtin speaker's driver: one BgpFsm (src/bgp) per TAP, fed with TCP
 * events and its own deadlines, its actions carried out on real sockets and
 * the namespace's routing table. The FSM decides everything (RFC 4271 §8);
 * this file owns the sockets, the one timer, and the routes it installed.
 *
 * On Established it advertises the configured prefixes: IPv4 in the NLRI
 * field with NEXT_HOP (RFC 4271 §5.1.3), IPv6 in MP_REACH_NLRI (RFC 4760 §3,
 * next hop per RFC 2545 §3), each with ORIGIN IGP and AS_PATH [localAsn].
 * Received routes go into the main table; withdrawn ones and all of them
 * when the session drops (the FSM's withdrawRoutes) come out again.
 */
import { AFI_IPV6, BgpFsm, IPV4_UNICAST, IPV6_UNICAST, afiOf, formatPrefix, parsePrefix, type BgpAction, type FsmStep, type Update } from '../../bgp/index.js';
import type { BgpConfig } from '../config.js';
import { NodeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Md5DropCounters } from './kernel.js';
import { plainAddress } from './kernel.js';
import type { BgpPeerStatus, BgpSpeaker, BgpTransport, RouteTable, TcpSocketLike } from './types.js';

export interface BuiltinSpeakerDeps {
  transport: BgpTransport;
  routes: RouteTable;
  /** Monotonic milliseconds. */
  now: () => number;
  log: Logger;
  /** Null when TCP MD5 works here, else why not. */
  md5Unavailable?: () => string | null;
  /** The namespace's MD5 drop counters, to explain a session that does not come up. */
  md5Counters?: () => Promise<Md5DropCounters | null>;
  /** Seconds between connection attempts (RFC 4271 §10 ConnectRetryTime). @default the config's connectRetryS */
  connectRetryS?: number;
  /** Seconds in Idle before restarting after a failure (RFC 4271 §8.1.1 IdleHoldTime). @default 5 */
  idleHoldS?: number;
}

/** How often to look at the MD5 drop counters while the session is not up. */
const MD5_POLL_MS = 2000;

export class BuiltinSpeaker implements BgpSpeaker {
  readonly fsm: BgpFsm;
  private readonly socks = new Map<string, TcpSocketLike>();
  /** Sockets ended on the FSM's request (a NOTIFICATION, then FIN) and waiting for the peer's FIN. */
  private readonly ending = new Set<TcpSocketLike>();
  private readonly installed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private md5Timer: NodeJS.Timeout | undefined;
  private md5Base: Md5DropCounters | null = null;
  private md5Note: string | null = null;
  private driverError: string | null = null;
  private establishedAt: number | null = null;
  private nextIn = 1;
  private running = false;

  constructor(
    readonly tap: string,
    public config: BgpConfig,
    private readonly deps: BuiltinSpeakerDeps,
  ) {
    this.fsm = new BgpFsm({
      localAsn: config.localAsn,
      peerAsn: config.peerAsn,
      bgpId: config.routerId,
      holdTimeSeconds: config.holdTimeS,
      keepaliveTimeSeconds: config.keepaliveS,
      passive: config.passive,
      families: [IPV4_UNICAST, IPV6_UNICAST],
      connectRetryTimeSeconds: deps.connectRetryS ?? config.connectRetryS,
      ...(deps.idleHoldS !== undefined ? { idleHoldTimeSeconds: deps.idleHoldS } : {}),
    });
  }

  async start(): Promise<void> {
    const c = this.config;
    if (c.md5Key) {
      const why = this.deps.md5Unavailable?.() ?? null;
      if (why) {
        // RFC 2385 §4: a peer that expects signatures drops unsigned segments;
        // connecting without the key could never succeed, so do not try.
        this.driverError = `TCP MD5 is configured but unavailable, session not started: ${why}`;
        this.deps.log.error('bgp session not started', { tap: this.tap, peer: c.peerAddress, reason: this.driverError });
        return;
      }
    }
    await this.deps.transport.listen((s) => this.accept(s));
    this.running = true;
    this.md5Base = (await this.deps.md5Counters?.()) ?? null;
    this.run(this.fsm.handle(this.deps.now(), { type: 'ManualStart' }));
    this.deps.log.info('bgp speaker started', { tap: this.tap, localAsn: c.localAsn, peerAsn: c.peerAsn, local: c.localAddress, peer: c.peerAddress, md5: !!c.md5Key, passive: c.passive });
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.run(this.fsm.handle(this.deps.now(), { type: 'ManualStop' }));
    }
    clearTimeout(this.timer);
    clearInterval(this.md5Timer);
    this.md5Timer = undefined;
    for (const s of this.socks.values()) s.destroy();
    this.socks.clear();
    // A socket ended before or by the stop waits for the peer's FIN, which never comes when
    // the link is down (`dxlab down` takes the TAPs down first): it must not hold the node
    // process for its second (measured: each node's exit took a second longer). Its
    // NOTIFICATION and FIN, already written, still go out: pending writes keep the process.
    for (const s of this.ending) s.unref?.();
    this.ending.clear();
    await this.deps.transport.close().catch(() => undefined);
    await Promise.all([...this.installed].map((p) => this.deps.routes.remove(p).catch(() => undefined)));
    this.installed.clear();
  }

  status(): BgpPeerStatus {
    const c = this.config;
    const n = this.fsm.negotiated;
    const e = this.fsm.lastError;
    // The FSM's last error stays after the session recovers, as BIRD's "Last error" does.
    const fsmError = !e ? null : e.direction === 'local' ? e.reason : `NOTIFICATION ${e.direction}: ${e.name}${e.direction === 'sent' && e.reason ? ` (${e.reason})` : ''}`;
    const state = this.fsm.state;
    return {
      tap: this.tap,
      speaker: 'builtin',
      localAsn: c.localAsn,
      peerAsn: c.peerAsn,
      localAddress: c.localAddress,
      peerAddress: c.peerAddress,
      state,
      uptimeS: state === 'Established' && this.establishedAt !== null ? Math.floor((this.deps.now() - this.establishedAt) / 1000) : null,
      prefixes: this.fsm.prefixCounts(),
      holdTimeS: n?.holdTime ?? c.holdTimeS,
      keepaliveS: n?.keepaliveTime ?? c.keepaliveS,
      connectRetryS: c.connectRetryS,
      md5: !!c.md5Key,
      passive: c.passive,
      lastError: [this.driverError, state === 'Established' ? null : this.md5Note, fsmError].filter((x) => x !== null).join('; ') || null,
      counters: { ...this.fsm.counters },
    };
  }

  // ------------------------------------------------------------ internals

  private accept(s: TcpSocketLike): void {
    const from = plainAddress(s.remoteAddress);
    if (!this.running || from !== plainAddress(this.config.peerAddress)) {
      this.deps.log.warn('bgp connection refused', { tap: this.tap, from, reason: this.running ? 'not the configured peer' : 'stopped' });
      s.destroy();
      return;
    }
    const id = `in-${this.nextIn++}`;
    this.attach(id, s);
    this.run(this.fsm.handle(this.deps.now(), { type: 'TcpConnectionConfirmed', conn: id }));
  }

  private attach(id: string, s: TcpSocketLike): void {
    this.socks.set(id, s);
    let failed = false;
    const fail = (why: string) => {
      if (failed) return;
      failed = true;
      if (this.socks.get(id) !== s) return; // closed on the FSM's request
      this.socks.delete(id);
      s.destroy();
      this.deps.log.debug('bgp connection closed', { tap: this.tap, conn: id, why });
      if (this.running) this.run(this.fsm.handle(this.deps.now(), { type: 'TcpConnectionFails', conn: id }));
    };
    s.on('data', (b: Buffer) => {
      if (this.socks.get(id) === s && this.running) this.run(this.fsm.handle(this.deps.now(), { type: 'TcpData', conn: id, bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) }));
    });
    s.on('error', (e: Error) => {
      this.driverError = `TCP: ${e.message}`;
      fail(e.message);
    });
    s.on('close', () => fail('closed by the peer'));
    s.on('end', () => fail('closed by the peer'));
  }

  private run(step: FsmStep): void {
    for (const a of step.actions) this.act(a);
    this.schedule(step.nextDeadline);
  }

  private schedule(deadline: number | null): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (deadline === null || !this.running) return;
    const wait = Math.max(0, deadline - this.deps.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) this.run(this.fsm.tick(this.deps.now()));
    }, wait);
  }

  private act(a: BgpAction): void {
    const log = this.deps.log;
    switch (a.type) {
      case 'connect': {
        let s: TcpSocketLike;
        try {
          s = this.deps.transport.connect();
        } catch (e) {
          this.driverError = `TCP connect: ${(e as Error).message}`;
          log.warn('bgp connect failed', { tap: this.tap, error: (e as Error).message });
          const conn = a.conn;
          queueMicrotask(() => this.running && this.run(this.fsm.handle(this.deps.now(), { type: 'TcpConnectionFails', conn })));
          return;
        }
        this.attach(a.conn, s);
        s.once('connect', () => {
          if (this.socks.get(a.conn) === s && this.running) this.run(this.fsm.handle(this.deps.now(), { type: 'TcpCrAcked', conn: a.conn }));
        });
        return;
      }
      case 'send':
        this.socks.get(a.conn)?.write(a.bytes);
        return;
      case 'disconnect': {
        const s = this.socks.get(a.conn);
        this.socks.delete(a.conn);
        if (s) {
          // end() lets a NOTIFICATION just written reach the peer before the FIN.
          s.end();
          this.ending.add(s);
          const forget = () => this.ending.delete(s);
          s.once('close', forget);
          setTimeout(() => {
            forget();
            s.destroy();
          }, 1000).unref();
          // Stopping (the node exits): the FIN need not come back before the process may end.
          if (!this.running) s.unref?.();
        }
        log.debug('bgp connection closed', { tap: this.tap, conn: a.conn, reason: a.reason });
        return;
      }
      case 'stateChange':
        log.info('bgp state', { tap: this.tap, peer: this.config.peerAddress, from: a.from, to: a.to, reason: a.reason });
        if (a.to === 'Established') {
          this.establishedAt = this.deps.now();
          this.driverError = null;
          this.md5Note = null;
          queueMicrotask(() => this.advertiseAll());
        } else if (a.from === 'Established') {
          this.establishedAt = null;
        }
        this.watchMd5(a.to !== 'Established');
        return;
      case 'installRoutes':
        for (const r of a.routes) {
          const nextHop = r.afi === AFI_IPV6 && (r.nextHop.startsWith('fe80') || r.nextHop === '::') && r.linkLocalNextHop ? r.linkLocalNextHop : r.nextHop;
          this.installed.add(r.prefix);
          this.deps.routes.replace({ prefix: r.prefix, nextHop, dev: this.tap }).catch((e: Error) => {
            this.driverError = `route ${r.prefix}: ${e.message}`;
            log.warn('bgp route not installed', { tap: this.tap, prefix: r.prefix, error: e.message });
          });
        }
        log.info('bgp routes received', { tap: this.tap, prefixes: a.routes.map((r) => r.prefix) });
        return;
      case 'withdrawRoutes':
        for (const p of a.prefixes) {
          this.installed.delete(p);
          this.deps.routes.remove(p).catch((e: Error) => log.warn('bgp route not removed', { tap: this.tap, prefix: p, error: e.message }));
        }
        log.info('bgp routes withdrawn', { tap: this.tap, prefixes: a.prefixes });
        return;
      case 'routeRefreshRequest':
        queueMicrotask(() => this.advertiseAll());
        return;
      case 'updateErrors':
        log.warn('bgp update errors', { tap: this.tap, errors: a.errors.map((e) => `${e.action}: ${e.reason}`) });
        return;
      case 'error':
        log.warn('bgp error', { tap: this.tap, direction: a.error.direction, name: a.error.name, reason: a.error.reason });
        return;
    }
  }

  /** The configured prefixes as UPDATEs for the families the session negotiated. */
  updates(): Update[] {
    const c = this.config;
    const fams = this.fsm.negotiated?.families ?? [];
    const has = (afi: number) => fams.some((f) => f.afi === afi);
    const asPath = [{ type: 'sequence' as const, asns: [c.localAsn] }];
    const v4 = c.prefixes.filter((p) => afiOf(p) !== AFI_IPV6);
    const v6 = c.prefixes.filter((p) => afiOf(p) === AFI_IPV6);
    const out: Update[] = [];
    if (v4.length > 0 && has(1) && c.nextHop4) out.push({ type: 'update', withdrawn: [], nlri: v4, attributes: { origin: 'igp', asPath, nextHop: c.nextHop4 } });
    if (v6.length > 0 && has(AFI_IPV6) && c.nextHop6) {
      out.push({ type: 'update', withdrawn: [], nlri: [], attributes: { origin: 'igp', asPath, mpReach: { afi: AFI_IPV6, safi: 1, nextHops: [c.nextHop6], nlri: v6 } } });
    }
    return out;
  }

  /**
   * Changes the prefixes advertised: new ones are announced, dropped ones
   * withdrawn (RFC 4271 §4.3 Withdrawn Routes; RFC 4760 §4 MP_UNREACH_NLRI for IPv6).
   * @throws NodeError('badRequest') for a prefix that does not parse.
   */
  setPrefixes(prefixes: readonly string[]): void {
    const next: string[] = [];
    for (const p of prefixes) {
      try {
        const parsed = parsePrefix(p);
        next.push(formatPrefix(parsed.afi, parsed.length, parsed.address));
      } catch (e) {
        throw new NodeError('badRequest', `prefix ${JSON.stringify(p)}: ${(e as Error).message}`);
      }
    }
    const gone = this.config.prefixes.filter((p) => !next.includes(p));
    this.config = { ...this.config, prefixes: next };
    if (!this.running || this.fsm.state !== 'Established') return;
    const v4 = gone.filter((p) => afiOf(p) !== AFI_IPV6 && this.fsm.advertised.has(p));
    const v6 = gone.filter((p) => afiOf(p) === AFI_IPV6 && this.fsm.advertised.has(p));
    const updates: Update[] = [];
    if (v4.length > 0) updates.push({ type: 'update', withdrawn: v4, nlri: [], attributes: {} });
    if (v6.length > 0) updates.push({ type: 'update', withdrawn: [], nlri: [], attributes: { mpUnreach: { afi: AFI_IPV6, safi: 1, withdrawn: v6 } } });
    for (const u of updates) this.run(this.fsm.advertise(this.deps.now(), u));
    this.advertiseAll();
  }

  private advertiseAll(): void {
    if (!this.running || this.fsm.state !== 'Established') return;
    const c = this.config;
    if (c.prefixes.some((p) => afiOf(p) === AFI_IPV6) && !c.nextHop6) this.driverError = 'IPv6 prefixes not advertised: no IPv6 next hop (give the TAP an IPv6 address)';
    if (c.prefixes.some((p) => afiOf(p) !== AFI_IPV6) && !c.nextHop4) this.driverError = 'IPv4 prefixes not advertised: no IPv4 next hop (give the TAP an IPv4 address)';
    for (const u of this.updates()) {
      try {
        this.run(this.fsm.advertise(this.deps.now(), u));
      } catch (e) {
        this.driverError = `advertise: ${(e as Error).message}`;
        this.deps.log.warn('bgp advertise failed', { tap: this.tap, error: (e as Error).message });
      }
    }
  }

  /** While the session is down, explains it from the kernel's MD5 drop counters (segments dropped never reach the socket). */
  private watchMd5(on: boolean): void {
    if (!on || !this.deps.md5Counters || !this.running) {
      clearInterval(this.md5Timer);
      this.md5Timer = undefined;
      return;
    }
    if (this.md5Timer) return;
    this.md5Timer = setInterval(() => void this.pollMd5(), MD5_POLL_MS);
    this.md5Timer.unref();
  }

  async pollMd5(): Promise<void> {
    const now = await this.deps.md5Counters?.();
    const base = this.md5Base;
    if (!now || !base) return;
    const d = { unexpected: now.unexpected - base.unexpected, notFound: now.notFound - base.notFound, failure: now.failure - base.failure };
    const notes: string[] = [];
    if (d.failure > 0) notes.push(`${d.failure} TCP segments dropped for a wrong MD5 signature (TcpExtTCPMD5Failure): the peer's md5Key differs`);
    if (d.unexpected > 0) notes.push(`${d.unexpected} signed TCP segments dropped (TcpExtTCPMD5Unexpected): the peer uses TCP MD5, no md5Key is set here`);
    if (d.notFound > 0) notes.push(`${d.notFound} unsigned TCP segments dropped (TcpExtTCPMD5NotFound): md5Key is set here, the peer does not sign`);
    if (notes.length > 0) this.md5Note = notes.join('; ');
  }
}
