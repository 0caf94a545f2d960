/**
 * One MKA participant (IEEE 802.1X-2020 clause 9 and 12.2: one per CAK on a
 * port): MI/MN, live and potential peers, key-server election, the key
 * server's SAK generation and distribution, a member's SAK installation, SAK
 * Use reporting and the lossless rollover of the CP state machine (12.4,
 * figure 12-2, as hostap `ieee802_1x_cp.c` runs it):
 *
 *   new SAK known → install the receive SA for every live peer at once
 *   (RECEIVE), report "latest rx" (RECEIVING); the key server enables its
 *   transmit SA when every live peer reports rx or after the transmit delay
 *   (MKA Life Time); a member enables its transmit SA when the key server
 *   reports "latest tx" (READY → TRANSMIT); the old SA stays installed for SAK
 *   Retire Time after the switch, then is deleted (RETIRE).
 *
 * Pure and time-driven: every entry point gets a {@link ParticipantContext}
 * with `now` and sinks for commands and events. Nothing here is used before
 * the MKPDU's ICV verified (the KaY checks it).
 */
import { bytesEqual, toHex } from '../shared/bytes.js';
import { Secret } from '../shared/secret.js';
import { GCM_AES_128, cipherSuiteById, sciToString, type CipherSuite, type Sci } from '../macsec/index.js';
import { ALGORITHM_AGILITY_2009, MI_LEN, PN_EXHAUSTION_32, PN_EXHAUSTION_64, PARAMETER_SET_TYPE } from './constants.js';
import { deriveIck, deriveKek, deriveSak } from './kdf.js';
import { unwrapKey, wrapKey } from './key-wrap.js';
import { MkaError } from './errors.js';
import { assignSscis, chooseCipherSuite, electKeyServer, xpnSalt, type Candidate } from './key-server.js';
import { announcedCipherSuites, cipherSuitesTlv } from './mkpdu/announcement.js';
import type { DistributedSak, Mkpdu, ParameterSet, SakUse, XpnParameterSet } from './mkpdu/types.js';
import type { CpState, KayCounters, KayEvent, ParticipantStatus, PeerStatus, SakStatus, SecYCommand } from './types.js';
import type { ResolvedConfig } from './config.js';
import { applyDelayProtect, installRxSa, kiEquals, peerLowestPn, peerReports, type Peer, type SakState } from './sak-state.js';

/** What the KaY hands a participant on each call. */
export interface ParticipantContext {
  readonly now: number;
  readonly config: ResolvedConfig;
  readonly counters: KayCounters;
  /** True when this participant's CA drives the SecY (key chain: the pair in use). */
  readonly principal: boolean;
  event(e: Omit<KayEvent, 'at' | 'ckn'>): void;
  command(c: SecYCommand): void;
  /** Next AN on this port (port-wide, so key-chain participants never collide). */
  nextAn(): number;
  /** Records that `an` is now in use on the port. */
  noteAn(an: number): void;
  /** Tells the port which cipher suite the SAs about to be created use. */
  prepareSuite(suite: CipherSuite): void;
  random(n: number): Uint8Array;
  /** Next PN of our transmit SA `an`, as last reported by the node. */
  txNextPn(an: number): bigint | undefined;
}

function miHex(mi: Uint8Array): string {
  return toHex(mi);
}

const CO_CODE = { none: 0, 0: 1, 30: 2, 50: 3 } as const;

export class Participant {
  readonly ckn: Uint8Array;
  readonly cknHex: string;
  readonly cak: Secret;
  readonly ick: Secret;
  readonly kek: Secret;
  mi: Uint8Array;
  /** Last MN sent. */
  mn: number;
  private mnHistory: Array<{ mn: number; at: number }> = [];
  readonly peers = new Map<string, Peer>();
  keyServer?: { self: boolean; sci: Sci; mi: Uint8Array; priority: number };
  latest?: SakState;
  old?: SakState;
  private lastKn = 0;
  /**
   * Key server: include Distributed SAK in our MKPDUs until every live peer
   * receives with it. This and {@link wantTransmit} belong to MKPDU
   * transmission (SAK distribution, 802.1X-2020 9.8), not to the CP state
   * machine, so they stay flags beside {@link cp}.
   */
  private distributing = false;
  /**
   * The CP state machine's state (802.1X-2020 12.4, figure 12-2; see
   * {@link CpState}). AUTHENTICATED: the key server decided (or told us) not
   * to use MACsec.
   */
  cp: CpState = 'INIT';
  /** Why no SAK could be agreed (cipher suite), in words; cleared on success. */
  suiteProblem?: string;
  private rekeyRequested?: string;
  nextHelloAt = 0;
  lastTxAt = -Infinity;
  /** A change to announce: send an MKPDU before the next hello, within the minimum transmit interval. */
  wantTransmit = false;
  lastIcvFailureAt = -Infinity;
  everLive = false;

  constructor(
    public keyChainIndex: number,
    ckn: Uint8Array,
    cak: Secret,
    mi: Uint8Array,
    startMn: number,
  ) {
    this.ckn = ckn.slice();
    this.cknHex = toHex(ckn);
    // Its own copy: zeroed with ICK and KEK when the participant goes (destroyKeys).
    this.cak = new Secret(cak.expose(), 'CAK');
    this.ick = deriveIck(cak, ckn);
    this.kek = deriveKek(cak, ckn);
    this.mi = mi;
    this.mn = startMn - 1;
  }

  livePeers(): Peer[] {
    return [...this.peers.values()].filter((p) => p.state === 'live');
  }

  potentialPeers(): Peer[] {
    return [...this.peers.values()].filter((p) => p.state === 'potential');
  }

  isKeyServer(): boolean {
    return this.keyServer?.self === true;
  }

  /** The key we transmit with: the latest once it is in use, else the old one. */
  keyInUse(): SakState | undefined {
    return this.latest?.tx ? this.latest : this.old?.tx ? this.old : undefined;
  }

  /**
   * Secured: we transmit with a key and every live peer reports receiving
   * with it. Transmitting alone is not enough: a peer that never installed the
   * key drops every frame (docs/mka-decisions.md §9; see {@link peersNotReceiving}).
   */
  secured(): boolean {
    const k = this.keyInUse();
    return k !== undefined && this.livePeers().length > 0 && this.peersNotReceiving(k).length === 0;
  }

  /** Live peers whose latest SAK Use does not show key `k` with "rx", in either slot. */
  peersNotReceiving(k: SakState): Peer[] {
    return this.livePeers().filter((p) => !peerReports(p, k, 'rx'));
  }

  // ---- receive ----------------------------------------------------------

  /**
   * Processes an MKPDU whose ICV verified and whose CKN is ours.
   * Counters move here for peer and parameter-set problems.
   */
  receive(ctx: ParticipantContext, m: Mkpdu): void {
    const b = m.basic;
    const c = ctx.config;
    if (bytesEqual(b.mi, this.mi)) {
      ctx.counters.inMkpduBadPeerErrors++;
      if (b.sci !== c.sci) {
        // Another member drew our MI: pick a new one (802.1X-2020 9.4.2; hostap `reset_participant_mi`).
        this.newMi(ctx, 'another member uses our MI');
      }
      return;
    }
    if (b.sci === c.sci) {
      ctx.counters.inMkpduBadPeerErrors++;
      return;
    }
    const key = miHex(b.mi);
    let peer = this.peers.get(key);
    if (peer && b.mn <= peer.mn) {
      // MN must increase strictly per MI (802.1X-2020 9.4.2): a replay or a reordering.
      ctx.counters.inMkpduBadPeerErrors++;
      return;
    }
    const lists = m.parameterSets.filter((s): s is Extract<ParameterSet, { type: typeof PARAMETER_SET_TYPE.livePeerList | typeof PARAMETER_SET_TYPE.potentialPeerList }> => (s.type === PARAMETER_SET_TYPE.livePeerList || s.type === PARAMETER_SET_TYPE.potentialPeerList) && !('unknown' in s));
    let echo: number | undefined;
    for (const l of lists) for (const e of l.peers) if (bytesEqual(e.mi, this.mi)) echo = Math.max(echo ?? 0, e.mn);
    if (echo !== undefined && echo > this.mn) {
      // It claims an MN we never sent.
      ctx.counters.inMkpduPeerListErrors++;
      return;
    }
    let sets: { sakUse?: SakUse; dist?: DistributedSak; xpn?: XpnParameterSet; announced?: bigint[] };
    try {
      sets = this.pickSets(m);
    } catch {
      ctx.counters.inMkpduValidationErrors++;
      return;
    }
    let membershipChanged = false;
    if (!peer) {
      for (const [k, p] of this.peers) {
        if (p.sci === b.sci) {
          // Same SCI, new MI: the peer restarted (802.1X-2020 9.4.2). Drop the old MI at once.
          ctx.event({ type: 'peerRestarted', reason: `SCI ${sciToString(b.sci)} now speaks with MI ${key}`, peer: k });
          this.removePeer(ctx, p);
          membershipChanged = p.state === 'live' || membershipChanged;
        }
      }
      peer = {
        mi: b.mi.slice(),
        miHex: key,
        mn: b.mn,
        sci: b.sci,
        state: 'potential',
        expiresAt: ctx.now + c.lifeTimeMs,
        priority: b.keyServerPriority,
        keyServerBit: b.keyServer,
        macsecDesired: b.macsecDesired,
        macsecCapability: b.macsecCapability,
        lowestPnSet: new Map(),
      };
      this.peers.set(key, peer);
      ctx.event({ type: 'peerPotential', reason: `first MKPDU from SCI ${sciToString(b.sci)}`, peer: key });
    }
    peer.mn = b.mn;
    peer.priority = b.keyServerPriority;
    peer.keyServerBit = b.keyServer;
    peer.macsecDesired = b.macsecDesired;
    peer.macsecCapability = b.macsecCapability;
    if (sets.announced) peer.announced = sets.announced;
    const recent = echo !== undefined && echo >= this.oldestRecentMn(ctx);
    if (recent) {
      peer.expiresAt = ctx.now + c.lifeTimeMs;
      if (peer.state === 'potential') {
        peer.state = 'live';
        this.everLive = true;
        membershipChanged = true;
        ctx.event({ type: 'peerLive', reason: `its MKPDU lists our MI with MN ${echo}`, peer: key });
        this.wantTransmit = true;
      }
    } else if (peer.state === 'potential') {
      peer.expiresAt = ctx.now + c.lifeTimeMs;
    }
    if (membershipChanged) this.membershipChanged(ctx);
    if (peer.state !== 'live') return;
    // A live peer's Key Server bit or priority may have changed (e.g. after the previous key server left).
    if (!membershipChanged) this.elect(ctx);
    peer.sakUse = sets.sakUse;
    peer.xpn = sets.xpn;
    if (!ctx.principal) return;
    if (sets.dist) this.onDistributedSak(ctx, peer, sets.dist, m);
    if (sets.sakUse) applyDelayProtect(ctx, ctx.config.delayProtect, [this.latest, this.old], peer, sets.sakUse, sets.xpn);
    this.step(ctx);
  }

  /** First occurrence of each set (hostap ignores repeats); announcements parsed. */
  private pickSets(m: Mkpdu) {
    const out: { sakUse?: SakUse; dist?: DistributedSak; xpn?: XpnParameterSet; announced?: bigint[] } = {};
    for (const s of m.parameterSets) {
      if ('unknown' in s) continue;
      if (s.type === PARAMETER_SET_TYPE.sakUse && !out.sakUse) out.sakUse = s;
      else if (s.type === PARAMETER_SET_TYPE.distributedSak && !out.dist) out.dist = s;
      else if (s.type === PARAMETER_SET_TYPE.xpn && !out.xpn) out.xpn = s;
      else if (s.type === PARAMETER_SET_TYPE.announcement) {
        const list = announcedCipherSuites(s).map((a) => a.cipherSuite);
        if (list.length > 0) out.announced = [...(out.announced ?? []), ...list];
      }
    }
    return out;
  }

  private oldestRecentMn(ctx: ParticipantContext): number {
    const since = ctx.now - ctx.config.lifeTimeMs;
    let min = this.mn;
    for (const h of this.mnHistory) if (h.at >= since && h.mn < min) min = h.mn;
    return min;
  }

  private newMi(ctx: ParticipantContext, reason: string): void {
    this.mi = ctx.random(MI_LEN).slice(0, MI_LEN);
    this.mnHistory = [];
    ctx.event({ type: 'miChanged', reason });
    this.wantTransmit = true;
  }

  // ---- peers, election --------------------------------------------------

  private removePeer(ctx: ParticipantContext, p: Peer): void {
    this.peers.delete(p.miHex);
    for (const k of [this.latest, this.old]) {
      if (k?.rxScis.has(p.sci)) {
        k.rxScis.delete(p.sci);
        ctx.command({ op: 'deleteRxSa', sci: p.sci, an: k.an });
      }
    }
  }

  /** Drops peers silent for MKA Life Time (802.1X-2020 9.4.3). */
  private expirePeers(ctx: ParticipantContext): void {
    let changed = false;
    for (const p of [...this.peers.values()]) {
      if (p.expiresAt <= ctx.now) {
        this.removePeer(ctx, p);
        ctx.event({ type: 'peerTimedOut', reason: `no MKPDU listing us for MKA Life Time (${ctx.config.lifeTimeMs} ms)`, peer: p.miHex });
        if (p.state === 'live') changed = true;
      }
    }
    if (changed) this.membershipChanged(ctx);
  }

  private membershipChanged(ctx: ParticipantContext): void {
    this.wantTransmit = true;
    const live = this.livePeers();
    if (live.length === 0) {
      this.keyServer = undefined;
      this.distributing = false;
      this.suiteProblem = undefined;
      if (this.latest || this.old) this.dropAllKeys(ctx, 'no live peer left');
      this.cp = 'CHANGE';
      return;
    }
    // A new live peer gets receive SAs for the keys we hold at once.
    for (const k of [this.latest, this.old]) if (k && ctx.principal) for (const p of live) installRxSa(ctx, k, p.sci);
    this.elect(ctx);
  }

  private elect(ctx: ParticipantContext): void {
    const c = ctx.config;
    const candidates: Candidate[] = [{ priority: c.keyServerPriority, sci: c.sci, self: true, mi: this.mi }];
    for (const p of this.livePeers()) if (p.keyServerBit) candidates.push({ priority: p.priority, sci: p.sci, self: false, mi: p.mi });
    const w = electKeyServer(candidates);
    if (!w) return;
    const prev = this.keyServer;
    if (prev && prev.sci === w.sci && bytesEqual(prev.mi, w.mi)) return;
    this.keyServer = { self: w.self, sci: w.sci, mi: w.mi.slice(), priority: w.priority };
    this.distributing = false;
    this.leaveAuthenticated();
    this.suiteProblem = undefined;
    ctx.event({
      type: 'keyServerElected',
      reason: w.self ? `we win: priority ${w.priority}, SCI ${sciToString(w.sci)}` : `lowest priority ${w.priority} then lowest SCI`,
      peer: sciToString(w.sci),
    });
    this.wantTransmit = true;
  }

  // ---- key server -------------------------------------------------------

  requestRekey(reason: string): void {
    this.rekeyRequested = reason;
  }

  /** Key-server and CP duties that depend on time or on the latest MKPDU. */
  step(ctx: ParticipantContext): void {
    if (!ctx.principal || this.livePeers().length === 0) return;
    if (this.isKeyServer()) this.keyServerStep(ctx);
    else this.memberStep(ctx);
  }

  private keyServerStep(ctx: ParticipantContext): void {
    const c = ctx.config;
    const live = this.livePeers();
    const wantMacsec = c.mode !== 'no_encrypt' && c.macsecCapability > 0 && live.some((p) => p.macsecDesired && p.macsecCapability > 0);
    if (!wantMacsec) {
      if (this.cp !== 'AUTHENTICATED') {
        this.distributing = true;
        ctx.event({ type: 'macsecNotUsed', reason: 'no live peer is MACsec-desired and capable: distributing "no SAK"' });
        this.wantTransmit = true;
        if (this.latest || this.old) this.dropAllKeys(ctx, 'key server decided not to use MACsec');
        this.cp = 'AUTHENTICATED';
      }
      return;
    }
    this.leaveAuthenticated();
    const k = this.latest;
    let reason: string | undefined;
    if (!k) reason = 'first SAK of this CA';
    else if (!bytesEqual(k.ksMi, this.mi)) reason = 'we became key server';
    else if (k.tx) {
      const liveSet = new Set(live.map((p) => p.miHex));
      const same = liveSet.size === k.members.size && [...liveSet].every((x) => k.members.has(x));
      if (!same) reason = 'live membership changed';
      else if (this.rekeyRequested) reason = this.rekeyRequested;
      else if (!k.exhaustionHandled && this.pnExhausted(ctx, k)) {
        k.exhaustionHandled = true;
        reason = 'PN exhaustion threshold reached';
      } else if (c.sakRekeyIntervalS !== undefined && k.inUseAt !== undefined && ctx.now - k.inUseAt >= c.sakRekeyIntervalS * 1000) {
        reason = `SAK rekey interval ${c.sakRekeyIntervalS} s elapsed`;
      }
    }
    if (reason) {
      if (k && reason !== 'first SAK of this CA') ctx.event({ type: 'rekeyTriggered', reason });
      this.rekeyRequested = undefined;
      this.generateSak(ctx, reason);
    }
    const l = this.latest;
    if (!l) return;
    const allReceiving = live.every((p) => peerReports(p, l, 'rx'));
    // The Distributed SAK goes in every MKPDU while a live peer does not
    // report receiving with it (802.1X-2020 9.8: the key server distributes
    // the SAK to every live peer), not only until all once did: a member
    // whose key server timed out (a wire cut in one direction, longer than
    // MKA Life Time) drops its keys, while the key server, still hearing
    // it, sees no membership change and so generates no new SAK. Latched
    // off, the member waited for a SAK that never came.
    this.distributing = !allReceiving;
    // The CP state machine (802.1X-2020 12.4; hostap `ieee802_1x_cp.c` RECEIVING
    // → TRANSMIT) lets the key server transmit when every peer receives or when
    // transmitWhen, set to transmitDelay = MKA Life Time, runs out, so one
    // member that never installs the key cannot hold the whole CA on the old
    // one. We keep that rule; the KaY still reports the port secured only when
    // every live peer reports rx with the key in use (docs/mka-decisions.md §9).
    if (!l.tx && l.rx && (allReceiving || ctx.now - l.createdAt >= c.lifeTimeMs)) {
      const missing = allReceiving ? [] : this.peersNotReceiving(l).map((p) => sciToString(p.sci));
      this.enableTx(ctx, l, allReceiving ? 'every live peer receives with the new SAK' : `transmit delay (MKA Life Time) expired; not reported receiving: ${missing.join(', ')}`);
    }
  }

  private pnExhausted(ctx: ParticipantContext, k: SakState): boolean {
    const threshold = ctx.config.pnExhaustionThreshold ?? (k.suite.xpn ? PN_EXHAUSTION_64 : PN_EXHAUSTION_32);
    const own = ctx.txNextPn(k.an);
    if (own !== undefined && own >= threshold) return true;
    for (const p of this.livePeers()) {
      const lpn = peerLowestPn(p, k);
      if (lpn !== undefined && lpn >= threshold) return true;
    }
    return false;
  }

  private generateSak(ctx: ParticipantContext, reason: string): void {
    const c = ctx.config;
    const live = this.livePeers();
    const suite = chooseCipherSuite(c.cipherSuites, live.map((p) => p.announced));
    if (!suite) {
      // Nothing is distributed: a SAK of a suite some member lacks would be
      // refused there and black-hole our frames (docs/mka-decisions.md §8).
      const peerSuites = (p: Peer) =>
        `${sciToString(p.sci)} ${
          p.announced
            ? `announced ${p.announced.map((id) => cipherSuiteById(id)?.name ?? id.toString(16)).join('/')}`
            : 'announced no cipher suites (no Announcement): the Default Cipher Suite GCM-AES-128 only'
        }`;
      const problem = `no common cipher suite: we offer ${c.cipherSuites.map((s) => s.name).join(', ')}; ${live.map(peerSuites).join('; ')}`;
      if (this.suiteProblem !== problem) {
        ctx.counters.sakGenerationErrors++;
        ctx.event({ type: 'noCommonCipherSuite', reason: problem });
      }
      this.suiteProblem = problem;
      return;
    }
    this.suiteProblem = undefined;
    const kn = this.lastKn + 1;
    let sak: Secret;
    let wrapped: Uint8Array;
    try {
      const nonce = ctx.random(suite.keyLength);
      sak = deriveSak(this.cak, nonce, [this.mi, ...live.map((p) => p.mi)], kn, suite.keyLength);
      nonce.fill(0);
    } catch {
      ctx.counters.sakGenerationErrors++;
      return;
    }
    try {
      wrapped = wrapKey(this.kek, sak);
    } catch {
      ctx.counters.sakEncryptionErrors++;
      return;
    }
    this.lastKn = kn;
    const an = ctx.nextAn();
    const key = this.newKey(ctx, this.mi, kn, an, suite, sak, CO_CODE[c.confidentialityOffset], live.map((p) => p.sci));
    key.wrapped = wrapped;
    ctx.event({ type: 'sakGenerated', reason, kn, an });
    const silent = live.filter((p) => !p.announced).length;
    ctx.event({
      type: 'cipherSuiteChosen',
      reason: `${suite.name}: first of our list that every live peer implements${silent ? ` (${silent} announced none: the Default Cipher Suite GCM-AES-128 only)` : ''}`,
      kn,
      an,
    });
    this.install(ctx, key);
    this.distributing = true;
    ctx.event({ type: 'sakDistributed', reason: `wrapped with the KEK to ${live.length} live peer(s)`, kn, an });
  }

  private newKey(ctx: ParticipantContext, ksMi: Uint8Array, kn: number, an: number, suite: CipherSuite, sak: Secret, co: number, peerScis: Sci[]): SakState {
    const key: SakState = {
      ksMi: ksMi.slice(),
      kn,
      an,
      suite,
      sak,
      co,
      rxScis: new Set(),
      rx: false,
      tx: false,
      createdAt: ctx.now,
      members: new Set(this.livePeers().map((p) => p.miHex)),
      lpn: 1n,
      exhaustionHandled: false,
    };
    if (suite.xpn) {
      key.salt = xpnSalt(ksMi, kn);
      key.sscis = assignSscis([ctx.config.sci, ...peerScis]);
    }
    return key;
  }

  /** RECEIVE: receive SAs for every live peer, a transmit SA not yet enabled; then RECEIVING. */
  private install(ctx: ParticipantContext, key: SakState): void {
    const prev = this.latest;
    if (prev) {
      if (prev.tx) {
        if (this.old) this.deleteKey(ctx, this.old);
        this.old = prev;
      } else {
        this.deleteKey(ctx, prev);
      }
    }
    this.latest = key;
    ctx.noteAn(key.an);
    ctx.prepareSuite(key.suite);
    for (const p of this.livePeers()) installRxSa(ctx, key, p.sci);
    ctx.command({
      op: 'createTxSa',
      an: key.an,
      sak: key.sak,
      nextPn: 1n,
      ...(key.sscis ? { ssci: key.sscis.get(ctx.config.sci)! } : {}),
      ...(key.salt ? { salt: key.salt.slice() } : {}),
    });
    key.rx = true;
    // RECEIVE → RECEIVING; a member goes on to READY and waits for the key
    // server to transmit (figure 12-2; hostap: `!elected_self` → READY).
    this.cp = this.isKeyServer() ? 'RECEIVING' : 'READY';
    ctx.event({ type: 'sakInstalled', reason: `receive SAs for ${key.rxScis.size} peer SC(s), transmit SA ready`, kn: key.kn, an: key.an });
    this.wantTransmit = true;
  }

  /** TRANSMIT: switch the encoding SA; the previous key retires after SAK Retire Time. */
  private enableTx(ctx: ParticipantContext, key: SakState, reason: string): void {
    key.tx = true;
    key.inUseAt = ctx.now;
    ctx.command({ op: 'enableTxSa', an: key.an });
    ctx.event({ type: 'sakInUse', reason, kn: key.kn, an: key.an });
    if (this.old && this.old !== key) this.old.retireAt = ctx.now + ctx.config.sakRetireTimeMs;
    // TRANSMIT → TRANSMITTING; with no old key to wait for, retireWhen is 0
    // and TRANSMITTING passes to RETIRE at once (figure 12-2).
    this.cp = this.old && this.old !== key ? 'TRANSMITTING' : 'RETIRE';
    this.wantTransmit = true;
  }

  private deleteKey(ctx: ParticipantContext, key: SakState): void {
    for (const sci of key.rxScis) ctx.command({ op: 'deleteRxSa', sci, an: key.an });
    key.rxScis.clear();
    ctx.command({ op: 'deleteTxSa', an: key.an });
    key.sak.destroy();
    ctx.event({ type: 'sakRetired', reason: 'SAs deleted', kn: key.kn, an: key.an });
  }

  /** Deletes every SA of this participant (no live peer, MACsec off, key chain moved on). */
  dropAllKeys(ctx: ParticipantContext, reason: string): void {
    for (const k of [this.old, this.latest]) {
      if (!k) continue;
      this.deleteKey(ctx, k);
    }
    if (this.latest || this.old) ctx.event({ type: 'sakRetired', reason });
    this.latest = undefined;
    this.old = undefined;
    this.distributing = false;
    if (this.cp !== 'AUTHENTICATED') this.cp = 'CHANGE';
  }

  /** MACsec is to be used again (a new key server, or a SAK distributed): AUTHENTICATED → CHANGE. */
  private leaveAuthenticated(): void {
    if (this.cp === 'AUTHENTICATED') this.cp = 'CHANGE';
  }

  /**
   * Zeroes the CAK, ICK and KEK when the participant is deleted (its pair left
   * the key chain, or the port stopped): STYLE §7, as the SAK is zeroed when
   * its SAs go. The participant cannot run afterwards.
   */
  destroyKeys(): void {
    this.cak.destroy();
    this.ick.destroy();
    this.kek.destroy();
  }

  /** Schedules retirement of every key (the key chain moved to another CA). */
  retireAllAt(at: number): void {
    for (const k of [this.latest, this.old]) if (k && (k.retireAt === undefined || k.retireAt > at)) k.retireAt = at;
  }

  // ---- member -----------------------------------------------------------

  private onDistributedSak(ctx: ParticipantContext, peer: Peer, d: DistributedSak, m: Mkpdu): void {
    const ks = this.keyServer;
    if (!ks || ks.self || !bytesEqual(ks.mi, peer.mi)) {
      // Only the elected key server may distribute (802.1X-2020 9.8; hostap `decode_dist_sak_body`).
      ctx.counters.inMkpduBadPeerErrors++;
      return;
    }
    if (!d.key) {
      if (this.cp !== 'AUTHENTICATED') {
        ctx.event({ type: 'macsecNotUsed', reason: 'the key server distributed "no SAK"' });
        if (this.latest || this.old) this.dropAllKeys(ctx, 'key server decided not to use MACsec');
        this.cp = 'AUTHENTICATED';
        this.wantTransmit = true;
      }
      return;
    }
    this.leaveAuthenticated();
    if (this.latest && kiEquals(this.latest, peer.mi, d.key.kn)) return;
    if (this.old && kiEquals(this.old, peer.mi, d.key.kn)) return;
    const id = d.key.cipherSuite;
    const suite = id === undefined ? GCM_AES_128 : cipherSuiteById(id);
    const name = suite?.name ?? `unknown suite ${id?.toString(16)}`;
    if (!suite || !ctx.config.cipherSuites.includes(suite)) {
      ctx.counters.sakCipherMismatchErrors++;
      const problem = `no common cipher suite: the key server chose ${name}, we accept ${ctx.config.cipherSuites.map((s) => s.name).join(', ')}`;
      if (this.suiteProblem !== problem) ctx.event({ type: 'cipherSuiteRefused', reason: problem, kn: d.key.kn });
      this.suiteProblem = problem;
      return;
    }
    if (d.key.wrappedSak.length !== suite.keyLength + 8) {
      ctx.counters.sakCipherMismatchErrors++;
      return;
    }
    let sak: Secret;
    try {
      sak = unwrapKey(this.kek, d.key.wrappedSak);
    } catch (e) {
      if (e instanceof MkaError) {
        ctx.counters.sakDecryptionErrors++;
        return;
      }
      throw e;
    }
    this.suiteProblem = undefined;
    const peerScis = this.livePeers().map((p) => p.sci);
    const key = this.newKey(ctx, peer.mi, d.key.kn, d.distributedAn, suite, sak, d.confidentialityOffset, peerScis);
    if (key.sscis && m.basic.version >= 3) {
      const live = m.parameterSets.find((s): s is Extract<ParameterSet, { type: typeof PARAMETER_SET_TYPE.livePeerList }> => s.type === PARAMETER_SET_TYPE.livePeerList && !('unknown' in s));
      const announced = live ? live.keyServerSsci : 0;
      if (announced !== 0 && announced !== (key.sscis.get(peer.sci)! & 0xff)) ctx.counters.inMkpduValidationErrors++;
    }
    this.lastKn = Math.max(this.lastKn, d.key.kn);
    ctx.event({ type: 'sakInstalled', reason: `unwrapped SAK from key server ${sciToString(peer.sci)}`, kn: d.key.kn, an: d.distributedAn });
    this.install(ctx, key);
  }

  private memberStep(ctx: ParticipantContext): void {
    const l = this.latest;
    const ks = this.keyServer;
    if (!l || l.tx || !ks) return;
    const ksPeer = this.peers.get(miHex(ks.mi));
    if (ksPeer && peerReports(ksPeer, l, 'tx')) this.enableTx(ctx, l, 'the key server transmits with the new SAK');
  }

  // ---- time -------------------------------------------------------------

  /** Expiry, retirement and the key server's timed decisions. */
  tick(ctx: ParticipantContext): void {
    this.expirePeers(ctx);
    for (const k of [this.old, this.latest]) {
      if (k && k.retireAt !== undefined && k.retireAt <= ctx.now) {
        this.deleteKey(ctx, k);
        if (k === this.old) this.old = undefined;
        else this.latest = undefined;
        this.wantTransmit = true;
        if (this.cp === 'TRANSMITTING') this.cp = 'RETIRE';
        else if (!this.latest && !this.old) this.cp = 'CHANGE';
      }
    }
    this.step(ctx);
  }

  /** Earliest time this participant needs a tick. */
  deadline(ctx: ParticipantContext): number {
    let d = this.nextHelloAt;
    if (this.wantTransmit) d = Math.min(d, this.lastTxAt + ctx.config.minTransmitIntervalMs);
    for (const p of this.peers.values()) d = Math.min(d, p.expiresAt);
    for (const k of [this.old, this.latest]) if (k?.retireAt !== undefined) d = Math.min(d, k.retireAt);
    const l = this.latest;
    if (l && !l.tx && this.isKeyServer()) d = Math.min(d, l.createdAt + ctx.config.lifeTimeMs);
    if (l?.inUseAt !== undefined && ctx.config.sakRekeyIntervalS !== undefined && this.isKeyServer()) d = Math.min(d, l.inUseAt + ctx.config.sakRekeyIntervalS * 1000);
    return d;
  }

  // ---- transmit ---------------------------------------------------------

  /** Builds our next MKPDU (MN + 1) as parameter sets in ascending type order (802.1X-2020 11.11.3). */
  buildMkpdu(ctx: ParticipantContext): Mkpdu {
    const c = ctx.config;
    this.mn++;
    this.mnHistory.push({ mn: this.mn, at: ctx.now });
    const since = ctx.now - c.lifeTimeMs;
    while (this.mnHistory.length > 2 && this.mnHistory[0]!.at < since) this.mnHistory.shift();
    this.lastTxAt = ctx.now;
    this.wantTransmit = false;
    const sets: ParameterSet[] = [];
    const live = this.livePeers();
    const potential = this.potentialPeers();
    const l = this.latest;
    const dist = ctx.principal && this.isKeyServer() && this.distributing;
    if (live.length > 0) {
      const ksSsci = dist && l?.sscis && c.mkaVersion >= 3 ? l.sscis.get(c.sci)! & 0xff : 0;
      sets.push({ type: PARAMETER_SET_TYPE.livePeerList, keyServerSsci: ksSsci, peers: live.map((p) => ({ mi: p.mi.slice(), mn: p.mn })) });
    }
    if (potential.length > 0) sets.push({ type: PARAMETER_SET_TYPE.potentialPeerList, peers: potential.map((p) => ({ mi: p.mi.slice(), mn: p.mn })) });
    let xpnHigh: { latest: number; old: number } | undefined;
    if (ctx.principal && (l || this.old)) {
      const slot = (k: SakState | undefined) => {
        if (!k) return { mi: new Uint8Array(MI_LEN), kn: 0, lowestPn: 1, an: 0, tx: false, rx: false, hi: 0 };
        const lpn = k.tx ? k.lpn : 1n;
        const cur = ctx.txNextPn(k.an);
        if (k.tx && cur !== undefined) k.lpn = cur > 1n ? cur - 1n : 1n;
        return { mi: k.ksMi.slice(), kn: k.kn, lowestPn: Number(lpn & 0xffffffffn), an: k.an, tx: k.tx, rx: k.rx, hi: Number(lpn >> 32n) };
      };
      const a = slot(l);
      const o = slot(this.old);
      sets.push({
        type: PARAMETER_SET_TYPE.sakUse,
        latestKeyAn: a.an,
        latestKeyTx: a.tx,
        latestKeyRx: a.rx,
        oldKeyAn: o.an,
        oldKeyTx: o.tx,
        oldKeyRx: o.rx,
        plainTx: false,
        plainRx: c.validateFrames !== 'strict',
        delayProtect: c.delayProtect,
        keys: { latestKey: { mi: a.mi, kn: a.kn, lowestPn: a.lowestPn }, oldKey: { mi: o.mi, kn: o.kn, lowestPn: o.lowestPn } },
      });
      if ((l ?? this.old)!.suite.xpn) xpnHigh = { latest: a.hi, old: o.hi };
    } else if (ctx.principal && this.cp === 'AUTHENTICATED' && live.length > 0) {
      sets.push({ type: PARAMETER_SET_TYPE.sakUse, latestKeyAn: 0, latestKeyTx: false, latestKeyRx: false, oldKeyAn: 0, oldKeyTx: false, oldKeyRx: false, plainTx: true, plainRx: true, delayProtect: false });
    }
    if (dist) {
      if (this.cp === 'AUTHENTICATED') sets.push({ type: PARAMETER_SET_TYPE.distributedSak, distributedAn: 0, confidentialityOffset: 0 });
      else if (l?.wrapped) {
        const legacy128 = l.suite === GCM_AES_128;
        sets.push({
          type: PARAMETER_SET_TYPE.distributedSak,
          distributedAn: l.an,
          confidentialityOffset: l.co,
          key: { kn: l.kn, ...(legacy128 ? {} : { cipherSuite: l.suite.id }), wrappedSak: l.wrapped.slice() },
        });
      }
    }
    if (c.announceCipherSuites) {
      const cap = c.macsecCapability;
      sets.push({ type: PARAMETER_SET_TYPE.announcement, tlvs: [cipherSuitesTlv(c.cipherSuites.map((s) => ({ cipherSuite: s.id, capability: s.xpn ? Math.min(cap, 2) : cap })))] });
    }
    if (xpnHigh) sets.push({ type: PARAMETER_SET_TYPE.xpn, suspensionTime: 0, latestKeyLowestPnHigh: xpnHigh.latest, oldKeyLowestPnHigh: xpnHigh.old });
    if (c.includeIcvIndicator) sets.push({ type: PARAMETER_SET_TYPE.icvIndicator });
    const ksBit = !this.keyServer || this.keyServer.self;
    return {
      destination: c.eapolDestination.slice(),
      source: c.macAddress.slice(),
      etherType: c.eapolEtherType,
      eapolVersion: c.eapolVersion,
      basic: {
        version: c.mkaVersion,
        keyServerPriority: c.keyServerPriority,
        keyServer: ksBit,
        macsecDesired: c.mode !== 'no_encrypt',
        macsecCapability: c.macsecCapability,
        sci: c.sci,
        mi: this.mi.slice(),
        mn: this.mn,
        algorithmAgility: ALGORITHM_AGILITY_2009,
        ckn: this.ckn.slice(),
      },
      parameterSets: sets,
      icv: new Uint8Array(16),
    };
  }

  // ---- status -----------------------------------------------------------

  status(principal: boolean): ParticipantStatus {
    const ps = (p: Peer): PeerStatus => ({ mi: p.miHex, mn: p.mn, sci: sciToString(p.sci), keyServerPriority: p.priority });
    return {
      ckn: this.cknHex,
      keyChainIndex: this.keyChainIndex,
      principal,
      mi: toHex(this.mi),
      mn: this.mn,
      livePeers: this.livePeers().map(ps),
      potentialPeers: this.potentialPeers().map(ps),
      ...(this.keyServer ? { keyServer: { sci: sciToString(this.keyServer.sci), mi: toHex(this.keyServer.mi), self: this.keyServer.self } } : {}),
    };
  }

  sakStatus(k: SakState, sci: Sci): SakStatus {
    return {
      keyServerMi: toHex(k.ksMi),
      kn: k.kn,
      an: k.an,
      cipherSuite: k.suite.name,
      transmitting: k.tx,
      receiving: k.rx,
      ...(k.sscis ? { ssci: k.sscis.get(sci)! } : {}),
    };
  }
}
