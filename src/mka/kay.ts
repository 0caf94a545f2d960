/**
 * The KaY of one port (IEEE 802.1X-2020 clause 9 and 12): participants for
 * up to three key-chain pairs, the choice of the pair in use, the controlled
 * port under the AWS encryption mode, the SecY commands, counters, status and
 * events. Pure and time-driven (STYLE §4): each entry point takes `now`
 * (monotonic ms) and an input and returns MKPDUs to send, SecY commands,
 * events and `nextDeadline`; randomness is injected.
 *
 * Key chain (AWS: "tries the newest key and falls back to the previous
 * working key", docs/mka-decisions.md §7): one participant runs per pair, each sending
 * its MKPDUs. The pair in use (the principal participant, 802.1X-2020 12.2)
 * is the newest pair that has a live peer; when none has, the last pair that
 * reached SECURED on this port, else the newest. Only the principal
 * distributes or installs SAKs. When the principal changes, the new CA's key
 * server distributes a SAK on the next AN of the port, every member installs
 * its receive SA before anyone transmits with it, and the previous pair's SAs
 * stay until SAK Retire Time after the new SAK went into use: a rollover done
 * on both sides loses no frames.
 *
 * An empty key chain (AWS: a MACsec connection with no key associated) runs
 * no participant: an MKA participant exists per CAK (802.1X-2020 12.2), so
 * with none the KaY sends no MKPDU and the mode alone decides the controlled
 * port, as with MKA failed: should_encrypt clear, must_encrypt blocked.
 * Adding a pair starts its participant; removing the last one deletes its SAs
 * and zeroes its CAK, ICK and KEK as for any pair.
 *
 * @example
 * const kay = new KaY({ sci, keyChain: [{ ckn, cak }] }, { random: (n) => crypto.getRandomValues(new Uint8Array(n)) });
 * let out = kay.start(now);
 * out = kay.receive(now, frame);   // an EAPOL frame from the wire
 * out = kay.tick(out.nextDeadline);
 * for (const c of out.commands) applyToSecY(c);
 */
import { bytesEqual, toHex } from '../shared/bytes.js';

import { sciToString, type CipherSuite, type Sci } from '../macsec/index.js';
import { ALGORITHM_AGILITY_2009, KEY_CHAIN_MAX, MI_LEN, PARAMETER_SET_TYPE } from './constants.js';
import { MkaError } from './errors.js';
import { resolveConfig, type ResolvedConfig } from './config.js';
import { Participant, type ParticipantContext } from './participant.js';
import type { SakState } from './sak-state.js';
import { controlledPortState } from './policy.js';
import { decodeMkpdu, encodeMkpdu, verifyMkpduIcv } from './mkpdu/index.js';
import type { Mkpdu } from './mkpdu/types.js';
import type {
  ControlledPortState,
  KayComponents,
  KayConfig,
  KayCounters,
  KayEvent,
  KayOutput,
  KayStatus,
  NotSecuredCode,
  PnReport,
  SecYCommand,
  SecYSettings,
} from './types.js';

/** Every counter of a KaY at zero (802.1X-2020 12.8's MIB counters, as KayCounters names them). */
export function zeroCounters(): KayCounters {
  return {
    inMkpdu: 0,
    inSakMkpdu: 0,
    inCakMkpdu: 0,
    outMkpdu: 0,
    outSakMkpdu: 0,
    outCakMkpdu: 0,
    outMkpduErrors: 0,
    inMkpduIcvVerificationErrors: 0,
    inMkpduValidationErrors: 0,
    inMkpduBadPeerErrors: 0,
    inMkpduPeerListErrors: 0,
    sakGenerationErrors: 0,
    sakHashErrors: 0,
    sakEncryptionErrors: 0,
    sakDecryptionErrors: 0,
    sakCipherMismatchErrors: 0,
    unrecognizedCkn: 0,
  };
}

const CO_FROM_CODE = ['none', 0, 30, 50] as const;

/** Why a port with an empty key chain is not secured (status, events, logs say it in these words). */
const NO_KEY = 'no key: the key chain is empty, MKA idle (no MKPDU sent)';

export class KaY {
  readonly config: ResolvedConfig;
  /** The configuration as given, without its key chain (the KaY keeps its own copies in `config`). */
  private rawConfig: Omit<KayConfig, 'keyChain'>;
  readonly counters: KayCounters = zeroCounters();
  private readonly random: (n: number) => Uint8Array;
  private readonly hooks: NonNullable<KayConfig['testHooks']>;
  private participants: Participant[] = [];
  private principalIdx = 0;
  private lastWorkingIdx?: number;
  private keyChainReason = 'not started';
  private started = false;
  private portUpAt = 0;
  private lastAn = -1;
  private readonly txNextPns = new Map<number, bigint>();
  private readonly rxSas = new Map<Sci, Set<number>>();
  private configuredSuite?: CipherSuite;
  private portState?: ControlledPortState;
  /** Secured at least once since the port came up. */
  private everSecured = false;
  /** A key was in use (transmit enabled, live peer) at the previous input. */
  private hadTxKey = false;
  /** Since when the port has not been secured (port up, or the moment it stopped being secured). */
  private unsecuredSince?: number;
  private mkaFailed = false;
  private lastUnknownCknAt = -Infinity;
  private lastUnknownCkn = '';
  private out: KayOutput = { mkpdus: [], commands: [], events: [], nextDeadline: 0 };
  private now = 0;

  /** @throws MkaError('invalidConfig') for a configuration it cannot run. */
  constructor(config: KayConfig, components: KayComponents) {
    this.config = resolveConfig(config);
    const { keyChain: _keyChain, ...rest } = config;
    this.rawConfig = rest;
    // Always a plain Uint8Array: randomBytes gives Buffers, whose slice()
    // aliases, and the XPN salt once XORed the KN into the key server's own MI
    // through such an alias (seen in the node; shared/bytes.ts plainView).
    this.random = (n) => Uint8Array.from(components.random(n));
    this.hooks = config.testHooks ?? {};
  }

  // ---- entry points -----------------------------------------------------

  /** Port up: participants start (new MIs), the controlled port starts blocked (or clear in no_encrypt). */
  start(now: number): KayOutput {
    this.begin(now);
    this.started = true;
    this.portUpAt = now;
    this.everSecured = false;
    this.hadTxKey = false;
    this.unsecuredSince = now;
    this.mkaFailed = false;
    const c = this.config;
    for (const p of this.participants) p.destroyKeys();
    this.participants = [];
    if (c.mode !== 'no_encrypt') {
      const newest = c.keyChain.length - 1;
      this.participants = c.keyChain.map((e, i) => {
        const mi = i === newest && this.hooks.mi ? this.hooks.mi.slice() : this.random(MI_LEN).slice(0, MI_LEN);
        const p = new Participant(i, e.ckn, e.cak, mi, this.hooks.startMn ?? 1);
        p.nextHelloAt = now + (this.hooks.firstHelloDelayMs ?? 0);
        return p;
      });
      this.principalIdx = Math.max(newest, 0);
      this.keyChainReason = newest >= 0 ? 'trying the newest pair' : NO_KEY;
    }
    this.emit({ type: 'started', reason: `port up in ${c.mode}${c.mode !== 'no_encrypt' && c.keyChain.length === 0 ? ` (${NO_KEY})` : ''}` });
    return this.finish();
  }

  /**
   * Replaces the key chain on a running port (AWS: associate or disassociate
   * a CKN/CAK). Participants of pairs that stay keep running; new pairs start
   * a participant with a fresh MI; removed pairs' SAs are deleted and their
   * CAK, ICK and KEK zeroed. The KaY keeps copies of the CAKs: the caller's
   * own arrays and Secrets are left as they are.
   * @throws MkaError('invalidConfig') for a key chain it cannot run (more than
   *   three pairs, a CKN twice, a bad length), MkaError('keyAlreadyAssociated')
   *   when a CKN of the chain comes with another CAK (AWS: an associated key
   *   cannot be modified, directconnect-api.md V6). Nothing changes then.
   */
  setKeyChain(now: number, keyChain: KayConfig['keyChain']): KayOutput {
    const resolved = resolveConfig({ ...this.rawConfig, keyChain });
    for (const e of resolved.keyChain) {
      const held = this.config.keyChain.find((k) => bytesEqual(k.ckn, e.ckn));
      if (held && !bytesEqual(held.cak.expose(), e.cak.expose())) {
        for (const r of resolved.keyChain) r.cak.destroy();
        throw new MkaError('keyAlreadyAssociated', `CKN ${toHex(e.ckn)} is in the key chain with another CAK: an associated key cannot be modified; remove the pair, then add the new one`);
      }
    }
    this.begin(now);
    for (const k of this.config.keyChain) k.cak.destroy();
    this.config.keyChain = resolved.keyChain;
    if (!this.started || this.config.mode === 'no_encrypt') return this.finish();
    const old = this.participants;
    const principal = old[this.principalIdx];
    const lastWorking = this.lastWorkingIdx !== undefined ? old[this.lastWorkingIdx] : undefined;
    const next = resolved.keyChain.map((e, i) => {
      // Same CKN means same CAK here (checked above).
      const keep = old.find((p) => bytesEqual(p.ckn, e.ckn));
      if (keep) {
        keep.keyChainIndex = i;
        return keep;
      }
      const p = new Participant(i, e.ckn, e.cak, this.random(MI_LEN).slice(0, MI_LEN), 1);
      p.nextHelloAt = now;
      return p;
    });
    for (const p of old) {
      if (next.includes(p)) continue;
      p.dropAllKeys(this.ctx(p), 'pair removed from the key chain');
      p.destroyKeys();
    }
    this.participants = next;
    const pi = principal ? next.indexOf(principal) : -1;
    this.principalIdx = pi >= 0 ? pi : Math.max(next.length - 1, 0);
    const wi = lastWorking ? next.indexOf(lastWorking) : -1;
    this.lastWorkingIdx = wi >= 0 ? wi : undefined;
    return this.finish();
  }

  /**
   * Adds a pair as the newest of the key chain (AWS AssociateMacSecKey).
   * AWS holds at most three pairs and never changes an associated one
   * (directconnect-api.md V6, V7): a fourth pair is refused rather than
   * evicting the oldest, and so is a CKN already in the chain, whatever its CAK.
   * @throws MkaError('keyChainFull'), MkaError('keyAlreadyAssociated'),
   *   MkaError('invalidConfig') for a bad CKN or CAK length. Nothing changes then.
   */
  addKey(now: number, pair: KayConfig['keyChain'][number]): KayOutput {
    const chain = this.config.keyChain;
    if (chain.some((k) => bytesEqual(k.ckn, pair.ckn))) {
      throw new MkaError('keyAlreadyAssociated', `CKN ${toHex(pair.ckn)} is already in the key chain: an associated key cannot be modified; remove it first to give it another CAK`);
    }
    if (chain.length >= KEY_CHAIN_MAX) {
      throw new MkaError('keyChainFull', `the key chain holds ${chain.length} pairs, the most there can be: remove one before adding another`);
    }
    return this.setKeyChain(now, [...chain, pair]);
  }

  /** Port down: every SA deleted, the controlled port blocked. */
  stop(now: number): KayOutput {
    this.begin(now);
    for (const p of this.participants) {
      p.dropAllKeys(this.ctx(p), 'port down');
      p.destroyKeys();
    }
    this.participants = [];
    this.started = false;
    this.setPort('blocked', 'port down');
    this.emit({ type: 'stopped', reason: 'port down' });
    return this.finish();
  }

  /** One frame from the uncontrolled port with an EAPOL EtherType. Never throws for frame content. */
  receive(now: number, frame: Uint8Array): KayOutput {
    this.begin(now);
    this.counters.inMkpdu++;
    if (!this.started || this.config.mode === 'no_encrypt') return this.finish();
    this.handleFrame(frame);
    return this.finish();
  }

  /** Timers: hello, peer expiry, SAK retirement, key-server decisions. */
  tick(now: number): KayOutput {
    this.begin(now);
    if (this.started) for (const p of this.participants) p.tick(this.ctx(p));
    return this.finish();
  }

  /** PNs read from the SecY (transmit next PN per AN): LPN reporting and PN exhaustion. */
  reportPn(now: number, report: PnReport): KayOutput {
    this.begin(now);
    for (const t of report.txNextPn ?? []) this.txNextPns.set(t.an, t.nextPn);
    const p = this.participants[this.principalIdx];
    if (p && this.started) p.step(this.ctx(p));
    return this.finish();
  }

  /**
   * Changes the encryption mode on a running port (AWS update-connection
   * --encryption-mode). Between must_encrypt and should_encrypt the session
   * goes on and only the policy changes; to or from no_encrypt MKA stops or
   * starts, so the port restarts under the new mode.
   */
  setMode(now: number, mode: KayConfig['mode'] & string): KayOutput {
    const was = this.config.mode;
    if (mode === was) {
      this.begin(now);
      return this.finish();
    }
    this.rawConfig = { ...this.rawConfig, mode };
    if (was !== 'no_encrypt' && mode !== 'no_encrypt') {
      this.begin(now);
      this.config.mode = mode;
      // finish() recomputes the policy: a port that had failed under
      // should_encrypt (clear) is blocked at once under must_encrypt, and back.
      return this.finish();
    }
    if (!this.started) {
      this.config.mode = mode;
      this.begin(now);
      return this.finish();
    }
    const down = this.stop(now);
    this.config.mode = mode;
    this.portState = undefined;
    const up = this.start(now);
    return {
      mkpdus: [...down.mkpdus, ...up.mkpdus],
      commands: [...down.commands, ...up.commands],
      events: [...down.events, ...up.events],
      nextDeadline: up.nextDeadline,
    };
  }

  /** Operator-requested rekey (acted on by the key server only). */
  requestRekey(now: number, reason = 'requested by the operator'): KayOutput {
    this.begin(now);
    const p = this.participants[this.principalIdx];
    if (p && this.started) {
      p.requestRekey(reason);
      p.step(this.ctx(p));
    }
    return this.finish();
  }

  // ---- receive ----------------------------------------------------------

  private handleFrame(frame: Uint8Array): void {
    const c = this.config;
    let m: Mkpdu;
    try {
      m = decodeMkpdu(frame, { etherTypes: [c.eapolEtherType] });
    } catch {
      this.counters.inMkpduValidationErrors++;
      return;
    }
    if (!bytesEqual(m.destination, c.eapolDestination) && !bytesEqual(m.destination, c.macAddress)) {
      this.counters.inMkpduValidationErrors++;
      return;
    }
    if (m.basic.version < 1 || m.basic.algorithmAgility !== ALGORITHM_AGILITY_2009) {
      this.counters.inMkpduValidationErrors++;
      return;
    }
    const p = this.participants.find((x) => bytesEqual(x.ckn, m.basic.ckn));
    if (!p) {
      this.counters.unrecognizedCkn++;
      this.lastUnknownCknAt = this.now;
      this.lastUnknownCkn = toHex(m.basic.ckn);
      return;
    }
    // ICV first: nothing but the CKN is used before it verifies (802.1X-2020 9.4.1).
    if (!verifyMkpduIcv(frame, p.ick, { etherTypes: [c.eapolEtherType] })) {
      this.counters.inMkpduIcvVerificationErrors++;
      p.lastIcvFailureAt = this.now;
      return;
    }
    if (m.parameterSets.some((s) => s.type === PARAMETER_SET_TYPE.distributedSak && !('unknown' in s) && s.key)) this.counters.inSakMkpdu++;
    if (m.parameterSets.some((s) => s.type === PARAMETER_SET_TYPE.distributedCak && !('unknown' in s))) this.counters.inCakMkpdu++;
    p.receive(this.ctx(p), m);
  }

  // ---- plumbing ---------------------------------------------------------

  private begin(now: number): void {
    this.now = now;
    this.out = { mkpdus: [], commands: [], events: [], nextDeadline: now };
  }

  private emit(e: Omit<KayEvent, 'at'>): void {
    this.out.events.push({ at: this.now, ...e });
  }

  private command(c: SecYCommand): void {
    const cmds = this.out.commands;
    if (c.op === 'createRxSa') {
      let ans = this.rxSas.get(c.sci);
      if (!ans) {
        ans = new Set();
        this.rxSas.set(c.sci, ans);
        cmds.push({ op: 'createRxSc', sci: c.sci });
      }
      ans.add(c.an);
      cmds.push(c);
      return;
    }
    if (c.op === 'deleteRxSa') {
      const ans = this.rxSas.get(c.sci);
      if (!ans?.has(c.an)) return;
      ans.delete(c.an);
      cmds.push(c);
      if (ans.size === 0) {
        this.rxSas.delete(c.sci);
        cmds.push({ op: 'deleteRxSc', sci: c.sci });
      }
      return;
    }
    if (c.op === 'deleteTxSa') this.txNextPns.delete(c.an);
    cmds.push(c);
  }

  private ctx(p: Participant): ParticipantContext {
    const idx = this.participants.indexOf(p);
    return {
      now: this.now,
      config: this.config,
      counters: this.counters,
      principal: idx === this.principalIdx,
      event: (e) => this.emit({ ...e, ckn: p.cknHex }),
      command: (c) => this.command(c),
      nextAn: () => (this.lastAn + 1) & 3,
      noteAn: (an) => {
        this.lastAn = an;
      },
      prepareSuite: (suite) => {
        if (this.configuredSuite !== suite) {
          this.configuredSuite = suite;
          this.out.commands.push({ op: 'configure', ...this.settings(this.portState ?? 'blocked', suite) });
        }
      },
      random: (n) => this.random(n),
      txNextPn: (an) => this.txNextPns.get(an),
    };
  }

  private settings(state: ControlledPortState, suite: CipherSuite, co?: number): SecYSettings {
    const c = this.config;
    const secured = state === 'secured';
    return {
      cipherSuite: suite,
      protectFrames: secured,
      validateFrames: secured ? c.validateFrames : c.mode === 'no_encrypt' ? 'disabled' : 'check',
      replayProtect: c.replayProtect,
      replayWindow: c.replayWindow,
      includeSci: c.includeSci,
      confidentialityOffset: co !== undefined ? (CO_FROM_CODE[co] ?? 0) : c.confidentialityOffset,
    };
  }

  private txKey(): { p: Participant; k: SakState } | undefined {
    let best: { p: Participant; k: SakState } | undefined;
    for (const p of this.participants) {
      for (const k of [p.latest, p.old]) {
        if (k?.tx && p.livePeers().length > 0 && (!best || (k.inUseAt ?? 0) > (best.k.inUseAt ?? 0))) best = { p, k };
      }
    }
    return best;
  }

  private setPort(state: ControlledPortState, reason: string): void {
    const tx = this.txKey();
    const suite = tx?.k.suite ?? this.configuredSuite ?? this.config.cipherSuites[0]!;
    if (state !== 'blocked') {
      this.configuredSuite = suite;
      this.out.commands.push({ op: 'configure', ...this.settings(state, suite, state === 'secured' ? tx?.k.co : undefined) });
    }
    this.out.commands.push({ op: 'setControlledPort', state, clearTextEtherTypes: this.config.clearTextEtherTypes });
    const prev = this.portState;
    this.portState = state;
    if (state === 'secured') this.emit({ type: 'secured', reason, ...(tx ? { kn: tx.k.kn, an: tx.k.an } : {}) });
    else if (state === 'clear' && prev !== undefined && this.config.mode !== 'no_encrypt') this.emit({ type: 'fallbackToClear', reason });
    else if (state === 'blocked' && prev !== undefined) this.emit({ type: 'portBlocked', reason });
  }

  /** Key chain, policy, transmission and the deadline, after every input. */
  private finish(): KayOutput {
    const now = this.now;
    if (this.started && this.config.mode !== 'no_encrypt') {
      this.updateKeyChain();
      this.updatePolicy();
      this.transmit();
    } else if (this.started && this.portState === undefined) {
      this.setPort('clear', 'no_encrypt: MKA does not run');
    }
    let d = now + this.config.helloTimeMs;
    if (this.started && this.config.mode !== 'no_encrypt') {
      for (const p of this.participants) d = Math.min(d, p.deadline(this.ctx(p)));
      if (!this.mkaFailed && this.unsecuredSince !== undefined) d = Math.min(d, this.unsecuredSince + this.config.lifeTimeMs);
    }
    this.out.nextDeadline = Math.max(d, now);
    if (this.out.nextDeadline === now && d <= now) this.out.nextDeadline = now + 1;
    return this.out;
  }

  private updateKeyChain(): void {
    const ps = this.participants;
    if (ps.length === 0) {
      this.keyChainReason = NO_KEY;
      this.lastWorkingIdx = undefined;
      return;
    }
    const newest = ps.length - 1;
    let idx = -1;
    for (let i = newest; i >= 0; i--) if (ps[i]!.livePeers().length > 0) { idx = i; break; }
    let reason: string;
    if (idx === newest) reason = 'newest pair: it has a live peer';
    else if (idx >= 0) reason = `newest pair has no live peer; pair ${idx} (the newest with one) is in use`;
    else if (this.lastWorkingIdx !== undefined && this.lastWorkingIdx < ps.length) {
      idx = this.lastWorkingIdx;
      reason = 'no pair has a live peer: keeping the last pair that worked';
    } else {
      idx = newest;
      reason = 'no pair has a live peer: trying the newest';
    }
    this.keyChainReason = reason;
    if (idx !== this.principalIdx) {
      const from = ps[this.principalIdx];
      this.principalIdx = idx;
      const to = ps[idx]!;
      this.emit({ type: 'keyChainSwitched', reason, ckn: to.cknHex, ...(from ? { peer: `from CKN ${from.cknHex.slice(0, 8)}…` } : {}) });
      to.step(this.ctx(to));
    }
    const principal = ps[this.principalIdx]!;
    const pk = principal.latest?.tx ? principal.latest : undefined;
    for (const p of ps) {
      if (p === principal || (!p.latest && !p.old)) continue;
      // The previous pair's SAs retire SAK Retire Time after the new pair's SAK went into use.
      if (pk?.inUseAt !== undefined) p.retireAllAt(pk.inUseAt + this.config.sakRetireTimeMs);
    }
    if (principal.secured()) this.lastWorkingIdx = this.principalIdx;
  }

  /** Secured: a key in use (transmit enabled) that every live peer of its CA reports receiving with. */
  private isSecured(tx: { p: Participant; k: SakState } | undefined): boolean {
    return tx !== undefined && tx.p.peersNotReceiving(tx.k).length === 0;
  }

  /**
   * Policy inputs from the KaY's progress. MKA failed (should_encrypt falls
   * back to clear; must_encrypt stays blocked): the key in use went away (no
   * live peer left), the key server decided not to use MACsec or found no
   * cipher suite every member implements (802.1X-2020 `unsecuredAllowed`
   * MKAserver), or nothing was secured within MKA Life Time of the port coming
   * up or of losing security. While a key is in use that a live peer has not
   * reported receiving with (a rekey after a peer joined or restarted, or a
   * peer that refused the key), the port is not secured: blocked until then,
   * since frames protected with it may not reach that peer (docs/mka-decisions.md §9).
   */
  private updatePolicy(): void {
    const tx = this.txKey();
    const secured = this.isSecured(tx);
    const c = this.config;
    const principal = this.participants[this.principalIdx];
    let why = '';
    if (secured) {
      this.mkaFailed = false;
      this.unsecuredSince = undefined;
    } else {
      this.unsecuredSince ??= this.now;
      if (this.participants.length === 0) {
        // Nothing can secure the port without a key: should_encrypt passes clear at once,
        // must_encrypt nothing, as with MKA failed. The flag stays set when a pair is added,
        // so that should_encrypt keeps passing clear while that pair's MKA runs.
        this.mkaFailed = true;
        why = NO_KEY;
      } else if (this.hadTxKey && !tx) {
        this.mkaFailed = true;
        why = 'security lost: no live peer with a SAK in use';
      } else if (principal?.cp === 'AUTHENTICATED') {
        this.mkaFailed = true;
        why = 'the key server decided not to use MACsec';
      } else if (principal?.suiteProblem) {
        this.mkaFailed = true;
        why = principal.suiteProblem;
      } else if (!this.mkaFailed && this.now - this.unsecuredSince >= c.lifeTimeMs) {
        this.mkaFailed = true;
        why = this.everSecured
          ? `not secured again within MKA Life Time (${c.lifeTimeMs} ms): ${this.notSecured().reason}`
          : `not secured within MKA Life Time (${c.lifeTimeMs} ms) of the port coming up`;
      }
    }
    if (secured) this.everSecured = true;
    this.hadTxKey = tx !== undefined;
    const state = controlledPortState({ mode: c.mode, secured, mkaFailed: this.mkaFailed });
    const suiteChanged = state === 'secured' && tx !== undefined && tx.k.suite !== this.configuredSuite;
    if (state !== this.portState || suiteChanged) {
      this.setPort(state, state === 'secured' ? 'a SAK is in use with every live peer' : why || this.notSecured().reason);
    }
  }

  private transmit(): void {
    const c = this.config;
    for (const p of this.participants) {
      const ctx = this.ctx(p);
      const hello = this.now >= p.nextHelloAt;
      const prompt = p.wantTransmit && this.now >= p.lastTxAt + c.minTransmitIntervalMs;
      if (!hello && !prompt) continue;
      if (hello) while (p.nextHelloAt <= this.now) p.nextHelloAt += c.helloTimeMs;
      const m = p.buildMkpdu(ctx);
      let frame: Uint8Array;
      try {
        frame = encodeMkpdu(m, p.ick);
      } catch {
        this.counters.outMkpduErrors++;
        continue;
      }
      this.counters.outMkpdu++;
      if (m.parameterSets.some((s) => s.type === PARAMETER_SET_TYPE.distributedSak && !('unknown' in s) && s.key)) this.counters.outSakMkpdu++;
      this.out.mkpdus.push(frame);
    }
  }

  // ---- status -----------------------------------------------------------

  private notSecured(): { code: NotSecuredCode; reason: string } {
    const c = this.config;
    if (c.mode === 'no_encrypt') return { code: 'mkaDisabled', reason: 'no_encrypt: MKA does not run' };
    if (!this.started) return { code: 'notStarted', reason: 'port not started' };
    if (this.participants.length === 0) return { code: 'noKey', reason: NO_KEY };
    const p = this.participants[this.principalIdx]!;
    if (p.cp === 'AUTHENTICATED') return { code: 'macsecNotUsedByKeyServer', reason: 'the key server decided not to use MACsec' };
    if (p.suiteProblem) return { code: 'noCommonCipherSuite', reason: p.suiteProblem };
    const recent = this.now - c.lifeTimeMs;
    if (this.participants.every((x) => x.livePeers().length === 0)) {
      const icv = this.participants.find((x) => x.lastIcvFailureAt >= recent);
      if (icv) return { code: 'wrongCak', reason: `wrong CAK: MKPDUs with our CKN ${icv.cknHex.slice(0, 8)}… fail the ICV check` };
      if (this.lastUnknownCknAt >= recent) return { code: 'unknownCkn', reason: `unknown CKN: the peer uses CKN ${this.lastUnknownCkn.slice(0, 8)}… which we do not hold` };
      if (this.participants.some((x) => x.potentialPeers().length > 0)) return { code: 'peerNotLive', reason: 'peer heard but it does not list us yet' };
      return { code: 'noPeerHeard', reason: 'no peer heard: no MKPDU with a known CKN received' };
    }
    // A key distributed (or in use) that a live peer has not reported receiving with.
    const tx = this.txKey();
    const waitOn = tx && !this.isSecured(tx) ? tx : p.latest ? { p, k: p.latest } : undefined;
    const missing = waitOn ? waitOn.p.peersNotReceiving(waitOn.k) : [];
    if (waitOn && missing.length > 0) {
      const k = waitOn.k;
      return {
        code: 'waitingForPeerRx',
        reason: `SAK KN ${k.kn} AN ${k.an} (${k.suite.name}) ${k.tx ? 'in use' : 'installed'}; not reported receiving with it by ${missing.map((x) => sciToString(x.sci)).join(', ')}`,
      };
    }
    if (!p.isKeyServer() && !p.latest) return { code: 'negotiating', reason: 'live peer present, waiting for the key server to distribute a SAK' };
    return { code: 'negotiating', reason: 'live peer present, SAK not yet in use' };
  }

  /** The port's status: participants, peers, key server, SAK in use (never the key), policy. */
  status(): KayStatus {
    const tx = this.txKey();
    const secured = this.isSecured(tx);
    const p = this.participants[this.principalIdx];
    const sci = this.config.sci;
    const inUse = p?.latest?.tx ? p.latest : p?.old?.tx ? p.old : undefined;
    return {
      mode: this.config.mode,
      secured,
      controlledPort: this.portState ?? 'blocked',
      cpState: p?.cp ?? 'INIT',
      ...(secured ? {} : { notSecured: this.notSecured() }),
      keyChain: p ? { inUse: p.cknHex, index: this.principalIdx, reason: this.keyChainReason } : { reason: this.keyChainReason },
      participants: this.participants.map((x, i) => x.status(i === this.principalIdx)),
      ...(tx ? { sak: tx.p.sakStatus(tx.k, sci) } : inUse && p ? { sak: p.sakStatus(inUse, sci) } : {}),
      ...(tx && tx.p.old && tx.p.old !== tx.k ? { oldSak: tx.p.sakStatus(tx.p.old, sci) } : {}),
      counters: { ...this.counters },
    };
  }
}


