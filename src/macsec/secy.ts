/**
 * The MAC Security Entity (SecY) of IEEE 802.1AE-2018 clause 10: one
 * transmit secure channel with up to four SAs, a receive SC per peer SCI with
 * up to four SAs each, replay protection, validateFrames, and the clause 10.7
 * counters. Pure: frames in, frames and verdicts out; no I/O, no timers.
 *
 * @example
 * const secy = new SecY({ txSci: sciFromHex('5254009900020001'), cipherSuite: GCM_AES_128 });
 * secy.createTxSa({ an: 0, sak, nextPn: 1n });
 * secy.enableTxSa(0);
 * const wire = secy.protect(frame);            // { ok: true, frame } or { ok: false, reason }
 * secy.createRxSc(peerSci);
 * secy.createRxSa(peerSci, { an: 0, sak: peerSak, lowestPn: 1n });
 * secy.enableRxSa(peerSci, 0);
 * const rx = secy.validate(wireFrame);          // { ok: true, verdict: 'inPktsOK', frame }
 */
import {
  ICV_LEN,
  MAC_HEADER_LEN,
  MAX_PN_32,
  MAX_PN_64,
  PN_EXHAUSTION_32,
  PN_EXHAUSTION_64,
} from './constants.js';
import type { CipherSuite } from './cipher-suite.js';
import { GCM_AES_128 } from './cipher-suite.js';
import { MacsecError } from './errors.js';
import type { GcmEngine, GcmKey } from './gcm-engine.js';
import { nodeGcmEngine } from './gcm-engine.js';
import { allocUninit } from '../shared/bytes.js';
import type { Sci } from './sci.js';
import { sciToBytes, sciToHex } from './sci.js';
import type { BadTagReason } from './sectag.js';
import { isMacsecFrame, parseSecTag, writeSecTag } from './sectag.js';
import {
  FAST_SECY_IN_UNTAGGED,
  FAST_SECY_OUT_UNTAGGED,
  SA_STATE_LOWEST_PN,
  SA_STATE_NEXT_PN,
  newSaState,
  takeFastCounts,
  type FastPathSa,
  type FastPathTables,
} from './sa-state.js';
import { recoverXpn } from './xpn.js';
import {
  type DeliverVerdict,
  type DropVerdict,
  type RxSaCounters,
  type RxScCounters,
  type SecYCounters,
  type TxSaCounters,
  type TxScCounters,
  newRxSaCounters,
  newRxScCounters,
  newSecYCounters,
  newTxSaCounters,
  newTxScCounters,
} from './counters.js';

/** 802.1AE-2018 10.7.8 validateFrames. */
export type ValidateFrames = 'disabled' | 'check' | 'strict';

export interface SecYConfig {
  /** SCI of this SecY's transmit SC. */
  txSci: Sci;
  /** @default GCM-AES-128 (the 802.1AE default suite) */
  cipherSuite?: CipherSuite;
  /** Send the SCI in every SecTAG (AWS requires it). @default true */
  includeSci?: boolean;
  /** End Station bit when the SCI is not sent. @default false */
  es?: boolean;
  /** Single Copy Broadcast bit when the SCI is not sent. @default false */
  scb?: boolean;
  /** @default true */
  protectFrames?: boolean;
  /** Encrypt (E = C = 1); false gives integrity only (E = C = 0). @default true */
  confidentiality?: boolean;
  /**
   * Confidentiality offset. Only 0 is supported: Linux and AWS use no other,
   * and with 30 or 50 a receiver must be told the offset out of band.
   * @default 0
   * @throws MacsecError('unsupportedOffset') for 30 or 50.
   */
  confidentialityOffset?: number;
  /** @default 'strict' */
  validateFrames?: ValidateFrames;
  /** @default true */
  replayProtect?: boolean;
  /** @default 0 */
  replayWindow?: number;
  /** Longest protected frame (DA to ICV, no FCS) the port may send. @default Infinity */
  maxFrameLength?: number;
  /**
   * Transmit PN at which `pnThresholdReached` is raised so that the KaY can
   * rekey in time. @default 0xC0000000, or 0xC000000000000000 with XPN (802.1X-2020 9.8)
   */
  pnThreshold?: bigint;
  /** @default nodeGcmEngine */
  engine?: GcmEngine;
}

export interface TxSaParams {
  an: number;
  sak: Uint8Array;
  /** @default 1n */
  nextPn?: bigint;
  /** XPN: this SC's Short SCI (802.1AE-2018 10.7.13). */
  ssci?: number;
  /** XPN: 12-octet salt of the SAK. */
  salt?: Uint8Array;
}

export interface RxSaParams {
  an: number;
  sak: Uint8Array;
  /** @default 1n */
  lowestPn?: bigint;
  /** XPN: the transmitter's SSCI. */
  ssci?: number;
  /** XPN: 12-octet salt of the SAK. */
  salt?: Uint8Array;
}

interface SaCommon {
  readonly an: number;
  readonly suite: CipherSuite;
  readonly key: GcmKey;
  /**
   * The SA's 12-octet IV, rewritten per frame (the SecY is synchronous):
   * SCI ‖ PN, or for XPN (SSCI ‖ PN64) ⊕ salt (802.1AE-2018 14.5, 14.7), whose
   * constant parts are filled in once.
   */
  readonly iv: Uint8Array;
  readonly ivView: DataView;
  /** XPN: octets 4..11 of salt, XORed with the PN per frame. */
  readonly saltHi: number;
  readonly saltLo: number;
  inUse: boolean;
  /**
   * nextPN, the lowest acceptable PN (receive SAs) and the frames and octets
   * the native fast path handled, in memory the fast path shares
   * (src/io/native/fastpath.c; {@link SA_STATE_WORDS} words).
   */
  readonly state: BigUint64Array;
}

interface TxSa extends SaCommon {
  thresholdRaised: boolean;
  readonly counters: TxSaCounters;
}

interface RxSa extends SaCommon {
  readonly counters: RxSaCounters;
}

interface RxSc {
  readonly sci: Sci;
  readonly sciBytes: Uint8Array;
  readonly sas: Array<RxSa | undefined>;
  readonly counters: RxScCounters;
}

export type SecYEvent =
  | { type: 'pnThresholdReached'; an: number; pn: bigint }
  | { type: 'txSaExhausted'; an: number };

export type ProtectResult =
  | { ok: true; frame: Uint8Array; an?: number; pn?: bigint }
  | { ok: false; reason: 'outPktsTooLong' | 'outPktsNoActiveSa' };

export type ValidateResult =
  | { ok: true; verdict: DeliverVerdict; frame: Uint8Array; sci?: Sci; an?: number; pn?: bigint }
  | { ok: false; verdict: DropVerdict; badTag?: BadTagReason; sci?: Sci; an?: number; pn?: bigint };

const EMPTY = new Uint8Array(0);

/** The last PN of a suite's PN space: 2^32 - 1, or 2^64 - 1 with XPN. */
function maxPnOf(suite: CipherSuite): bigint {
  return suite.xpn ? MAX_PN_64 : MAX_PN_32;
}

function checkAn(an: number): void {
  if (!Number.isInteger(an) || an < 0 || an > 3) throw new MacsecError('invalidAn', `AN must be 0..3, got ${an}`);
}

export class SecY {
  readonly txSci: Sci;
  private readonly txSciBytes: Uint8Array;
  private readonly engine: GcmEngine;
  cipherSuite: CipherSuite;
  includeSci: boolean;
  es: boolean;
  scb: boolean;
  protectFrames: boolean;
  confidentiality: boolean;
  validateFrames: ValidateFrames;
  replayProtect: boolean;
  replayWindow: bigint;
  maxFrameLength: number;
  private pnThresholdOverride: bigint | undefined;

  private readonly c: SecYCounters = newSecYCounters();
  private readonly txc: TxScCounters = newTxScCounters();
  /** Frames the fast path counted at SecY level ({@link FAST_SECY_OUT_UNTAGGED}, ...), folded in when read. */
  private readonly fastSecY = new Float64Array(new ArrayBuffer(16));
  /** Called after every change of SAs or managed objects (the node re-reads {@link fastPathTables}). */
  onChange: (() => void) | undefined;
  private readonly txSas: Array<TxSa | undefined> = [undefined, undefined, undefined, undefined];
  /** AN of the encoding SA (802.1AE-2018 10.7.7 encodingSA), or -1 before one is enabled. */
  private encodingAn = -1;
  private readonly rxScs = new Map<Sci, RxSc>();
  private events: SecYEvent[] = [];

  /** @throws MacsecError on an invalid configuration (see {@link SecYConfig}). */
  constructor(config: SecYConfig) {
    this.txSci = config.txSci;
    this.txSciBytes = sciToBytes(config.txSci);
    this.engine = config.engine ?? nodeGcmEngine;
    this.cipherSuite = GCM_AES_128;
    this.includeSci = true;
    this.es = false;
    this.scb = false;
    this.protectFrames = true;
    this.confidentiality = true;
    this.validateFrames = 'strict';
    this.replayProtect = true;
    this.replayWindow = 0n;
    this.maxFrameLength = Infinity;
    this.configure(config);
  }

  /**
   * Changes the managed objects of 802.1AE-2018 10.7. Installed SAs keep the
   * cipher suite they were created with.
   * @throws MacsecError('unsupportedOffset' | 'invalidPn') on a bad value.
   */
  configure(c: Omit<Partial<SecYConfig>, 'txSci' | 'engine'>): void {
    if (c.confidentialityOffset !== undefined && c.confidentialityOffset !== 0) {
      const what = c.confidentialityOffset === 30 || c.confidentialityOffset === 50 ? 'is not supported' : 'is not defined';
      throw new MacsecError(
        'unsupportedOffset',
        `confidentiality offset ${c.confidentialityOffset} ${what}: dxlab, Linux and AWS use offset 0 only`,
      );
    }
    if (c.replayWindow !== undefined && (!Number.isInteger(c.replayWindow) || c.replayWindow < 0 || c.replayWindow > 0xffffffff)) {
      throw new MacsecError('invalidPn', `replay window must be 0..4294967295, got ${c.replayWindow}`);
    }
    if (c.cipherSuite) this.cipherSuite = c.cipherSuite;
    if (c.includeSci !== undefined) this.includeSci = c.includeSci;
    if (c.es !== undefined) this.es = c.es;
    if (c.scb !== undefined) this.scb = c.scb;
    if (c.protectFrames !== undefined) this.protectFrames = c.protectFrames;
    if (c.confidentiality !== undefined) this.confidentiality = c.confidentiality;
    if (c.validateFrames !== undefined) this.validateFrames = c.validateFrames;
    if (c.replayProtect !== undefined) this.replayProtect = c.replayProtect;
    if (c.replayWindow !== undefined) this.replayWindow = BigInt(c.replayWindow);
    if (c.maxFrameLength !== undefined) this.maxFrameLength = c.maxFrameLength;
    if (c.pnThreshold !== undefined) this.pnThresholdOverride = c.pnThreshold;
    this.changed();
  }

  /** Events raised since the last call (PN threshold, SA exhausted). */
  takeEvents(): SecYEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  // ---------------------------------------------------------------- SAs

  private makeSa(
    suite: CipherSuite,
    an: number,
    sak: Uint8Array,
    pn: bigint,
    sciBytes: Uint8Array,
    ssci?: number,
    salt?: Uint8Array,
  ): SaCommon {
    checkAn(an);
    if (sak.length !== suite.keyLength) {
      throw new MacsecError('invalidKey', `${suite.name} needs a ${suite.keyLength}-octet SAK, got ${sak.length} octets`);
    }
    const maxPn = maxPnOf(suite);
    if (pn < 1n || pn > maxPn) throw new MacsecError('invalidPn', `PN ${pn} out of range 1..${maxPn} for ${suite.name}`);
    const iv = new Uint8Array(12);
    const ivView = new DataView(iv.buffer);
    let saltHi = 0;
    let saltLo = 0;
    if (suite.xpn) {
      if (ssci === undefined || !Number.isInteger(ssci) || ssci < 0 || ssci > 0xffffffff) {
        throw new MacsecError('invalidSsci', `${suite.name} needs an SSCI (32-bit), got ${ssci}`);
      }
      if (!salt || salt.length !== 12) {
        throw new MacsecError('invalidSalt', `${suite.name} needs a 12-octet salt, got ${salt ? salt.length : 'none'}`);
      }
      const sv = new DataView(salt.buffer, salt.byteOffset, 12);
      ivView.setUint32(0, (sv.getUint32(0) ^ ssci) >>> 0);
      saltHi = sv.getUint32(4);
      saltLo = sv.getUint32(8);
    } else {
      iv.set(sciBytes);
    }
    return { an, suite, key: this.engine.createKey(sak), iv, ivView, saltHi, saltLo, inUse: false, state: newSaState(pn, pn) };
  }

  /**
   * Installs a transmit SA (not yet used: see {@link enableTxSa}). Replaces
   * any SA with the same AN.
   * @throws MacsecError on a bad AN, key length, PN, SSCI or salt.
   */
  createTxSa(p: TxSaParams): void {
    const sa = this.makeSa(this.cipherSuite, p.an, p.sak, p.nextPn ?? 1n, this.txSciBytes, p.ssci, p.salt);
    this.foldFastCounters();
    this.txSas[p.an]?.key.destroy();
    this.txSas[p.an] = { ...sa, thresholdRaised: false, counters: newTxSaCounters() };
    if (this.encodingAn === p.an) this.encodingAn = -1;
    this.changed();
  }

  /** Makes the SA with this AN the encoding SA (802.1AE-2018 10.7.7). @throws MacsecError('noSuchSa'). */
  enableTxSa(an: number): void {
    checkAn(an);
    const sa = this.txSas[an];
    if (!sa) throw new MacsecError('noSuchSa', `no transmit SA with AN ${an}`);
    for (const other of this.txSas) if (other) other.inUse = false;
    sa.inUse = true;
    this.encodingAn = an;
    this.changed();
  }

  deleteTxSa(an: number): void {
    checkAn(an);
    this.foldFastCounters();
    this.txSas[an]?.key.destroy();
    this.txSas[an] = undefined;
    if (this.encodingAn === an) this.encodingAn = -1;
    this.changed();
  }

  /** The next PN of a transmit SA, or undefined when there is none. */
  txSaNextPn(an: number): bigint | undefined {
    return this.txSas[an]?.state[SA_STATE_NEXT_PN];
  }

  /** AN of the SA in use for transmission, or undefined. */
  get encodingSa(): number | undefined {
    return this.encodingAn >= 0 ? this.encodingAn : undefined;
  }

  createRxSc(sci: Sci): void {
    if (!this.rxScs.has(sci)) this.rxScs.set(sci, { sci, sciBytes: sciToBytes(sci), sas: [undefined, undefined, undefined, undefined], counters: newRxScCounters() });
    this.changed();
  }

  deleteRxSc(sci: Sci): void {
    const sc = this.rxScs.get(sci);
    if (!sc) return;
    this.foldFastCounters();
    for (const sa of sc.sas) sa?.key.destroy();
    this.rxScs.delete(sci);
    this.changed();
  }

  private rxSc(sci: Sci): RxSc {
    const sc = this.rxScs.get(sci);
    if (!sc) throw new MacsecError('noSuchSc', `no receive SC for SCI ${sciToHex(sci)}`);
    return sc;
  }

  /**
   * Installs a receive SA, not yet in use (see {@link enableRxSa}).
   * @throws MacsecError('noSuchSc') when the SC does not exist, or on a bad parameter.
   */
  createRxSa(sci: Sci, p: RxSaParams): void {
    const sc = this.rxSc(sci);
    const lowestPn = p.lowestPn ?? 1n;
    const sa = this.makeSa(this.cipherSuite, p.an, p.sak, lowestPn, sc.sciBytes, p.ssci, p.salt);
    this.foldFastCounters();
    sc.sas[p.an]?.key.destroy();
    sc.sas[p.an] = { ...sa, counters: newRxSaCounters() };
    this.changed();
  }

  enableRxSa(sci: Sci, an: number): void {
    checkAn(an);
    const sa = this.rxSc(sci).sas[an];
    if (!sa) throw new MacsecError('noSuchSa', `no receive SA with AN ${an} in SC ${sciToHex(sci)}`);
    sa.inUse = true;
    this.changed();
  }

  deleteRxSa(sci: Sci, an: number): void {
    checkAn(an);
    const sc = this.rxScs.get(sci);
    this.foldFastCounters();
    sc?.sas[an]?.key.destroy();
    if (sc) sc.sas[an] = undefined;
    this.changed();
  }

  /**
   * Raises a receive SA's lowest acceptable PN, as the KaY does from a peer's
   * SAK Use with Delay Protect (802.1X-2020 9.10); never lowers it.
   */
  setLowestPn(sci: Sci, an: number, pn: bigint): void {
    const sa = this.rxSc(sci).sas[an];
    if (!sa) throw new MacsecError('noSuchSa', `no receive SA with AN ${an} in SC ${sciToHex(sci)}`);
    const st = sa.state;
    if (pn > st[SA_STATE_LOWEST_PN]!) st[SA_STATE_LOWEST_PN] = pn;
    if (st[SA_STATE_NEXT_PN]! < st[SA_STATE_LOWEST_PN]!) st[SA_STATE_NEXT_PN] = st[SA_STATE_LOWEST_PN]!;
  }

  rxSaNextPn(sci: Sci, an: number): bigint | undefined {
    return this.rxScs.get(sci)?.sas[an]?.state[SA_STATE_NEXT_PN];
  }

  rxSaLowestPn(sci: Sci, an: number): bigint | undefined {
    return this.rxScs.get(sci)?.sas[an]?.state[SA_STATE_LOWEST_PN];
  }

  /** SCIs of the receive SCs. */
  rxScis(): Sci[] {
    return [...this.rxScs.keys()];
  }

  /** Counter snapshot of every level, for status output and tests. */
  snapshot(): SecYSnapshot {
    this.foldFastCounters();
    return {
      secy: { ...this.c },
      txSc: { ...this.txc },
      txSas: this.txSas.flatMap((sa) => (sa ? [{ an: sa.an, inUse: sa.inUse, nextPn: sa.state[SA_STATE_NEXT_PN]!, ...sa.counters }] : [])),
      rxScs: [...this.rxScs.values()].map((sc) => ({
        sci: sc.sci,
        ...sc.counters,
        sas: sc.sas.flatMap((sa) => (sa ? [{ an: sa.an, inUse: sa.inUse, nextPn: sa.state[SA_STATE_NEXT_PN]!, lowestPn: sa.state[SA_STATE_LOWEST_PN]!, ...sa.counters }] : [])),
      })),
    };
  }

  // ----------------------------------------------------------- transmit

  /** Writes the PN into the SA's IV and returns it. */
  private ivFor(sa: SaCommon, pn: bigint): Uint8Array {
    const v = sa.ivView;
    if (sa.suite.xpn) {
      v.setUint32(4, (sa.saltHi ^ Number(pn >> 32n)) >>> 0);
      v.setUint32(8, (sa.saltLo ^ Number(pn & 0xffffffffn)) >>> 0);
    } else {
      v.setUint32(8, Number(pn));
    }
    return sa.iv;
  }

  /**
   * Protects one frame (802.1AE-2018 10.5): DA ‖ SA ‖ user data in, the
   * protected frame out. The input is not modified.
   * @throws MacsecError('malformedFrame') for fewer than 14 octets (no Ethernet header).
   */
  protect(frame: Uint8Array): ProtectResult {
    if (frame.length < MAC_HEADER_LEN + 2) {
      throw new MacsecError('malformedFrame', `frame of ${frame.length} octets has no Ethernet header`);
    }
    if (!this.protectFrames) {
      this.c.outPktsUntagged++;
      return { ok: true, frame };
    }
    const sa = this.encodingAn >= 0 ? this.txSas[this.encodingAn] : undefined;
    if (!sa || !sa.inUse) {
      this.c.outPktsNoActiveSa++;
      return { ok: false, reason: 'outPktsNoActiveSa' };
    }
    const sendSci = this.includeSci;
    const secureLen = frame.length - MAC_HEADER_LEN;
    const tagLen = sendSci ? 16 : 8;
    const outLen = MAC_HEADER_LEN + tagLen + secureLen + ICV_LEN;
    if (outLen > this.maxFrameLength) {
      this.c.outPktsTooLong++;
      return { ok: false, reason: 'outPktsTooLong' };
    }
    const pn = sa.state[SA_STATE_NEXT_PN]!;
    const maxPn = maxPnOf(sa.suite);
    // A PN is never reused (802.1AE-2018 10.5.2): after the last PN the SA is spent.
    if (pn >= maxPn) {
      sa.inUse = false;
      this.encodingAn = -1;
      this.events.push({ type: 'txSaExhausted', an: sa.an });
    }
    sa.state[SA_STATE_NEXT_PN] = pn + 1n;
    const threshold = this.pnThresholdOf(sa.suite);
    if (!sa.thresholdRaised && pn >= threshold) {
      sa.thresholdRaised = true;
      this.events.push({ type: 'pnThresholdReached', an: sa.an, pn });
    }

    const out = allocUninit(outLen);
    copyMacHeader(frame, out);
    writeSecTag(
      out,
      { an: sa.an, encrypt: this.confidentiality, pn: Number(pn & 0xffffffffn), sci: sendSci ? this.txSci : undefined, es: this.es, scb: this.scb },
      secureLen,
    );
    const dataOffset = MAC_HEADER_LEN + tagLen;
    const iv = this.ivFor(sa, pn);
    const userData = frame.subarray(MAC_HEADER_LEN);
    if (this.confidentiality) {
      sa.key.seal(iv, out.subarray(0, dataOffset), userData, out, dataOffset);
      this.txc.outPktsEncrypted++;
      this.txc.outOctetsEncrypted += secureLen;
      sa.counters.outPktsEncrypted++;
    } else {
      out.set(userData, dataOffset);
      sa.key.seal(iv, out.subarray(0, dataOffset + secureLen), EMPTY, out, dataOffset + secureLen);
      this.txc.outPktsProtected++;
      this.txc.outOctetsProtected += secureLen;
      sa.counters.outPktsProtected++;
    }
    return { ok: true, frame: out, an: sa.an, pn };
  }

  // ------------------------------------------------------------ receive

  /**
   * Validates one received frame (802.1AE-2018 10.6) and returns exactly one
   * verdict, having moved exactly that verdict's packet counter (and its
   * per-SA copy where the standard keeps one). Never throws on frame content.
   */
  validate(frame: Uint8Array): ValidateResult {
    const c = this.c;
    if (frame.length < MAC_HEADER_LEN + 2) {
      c.inPktsMalformed++;
      return { ok: false, verdict: 'inPktsMalformed' };
    }
    if (!isMacsecFrame(frame)) {
      if (this.validateFrames === 'strict') {
        c.inPktsNoTag++;
        return { ok: false, verdict: 'inPktsNoTag' };
      }
      c.inPktsUntagged++;
      return { ok: true, verdict: 'inPktsUntagged', frame };
    }
    const parsed = parseSecTag(frame, this.cipherSuite.xpn);
    if (!parsed.ok) {
      c.inPktsBadTag++;
      return { ok: false, verdict: 'inPktsBadTag', badTag: parsed.reason };
    }
    const { tag, dataOffset, icvOffset } = parsed;
    const { sci, an } = tag;
    // E without C is reserved; Linux hands such frames to the uncontrolled port only.
    if (tag.e && !tag.c) {
      c.inPktsUncontrolledOnly++;
      return { ok: false, verdict: 'inPktsUncontrolledOnly', sci, an };
    }
    const strictOrChanged = tag.c || this.validateFrames === 'strict';
    const sc = this.rxScs.get(sci);
    if (!sc) {
      if (strictOrChanged) {
        c.inPktsNoSCI++;
        return { ok: false, verdict: 'inPktsNoSCI', sci, an };
      }
      c.inPktsUnknownSCI++;
      return { ok: true, verdict: 'inPktsUnknownSCI', frame: strip(frame, dataOffset, icvOffset), sci, an };
    }
    const sa = sc.sas[an];
    if (!sa || !sa.inUse) {
      if (strictOrChanged) {
        sc.counters.inPktsNotUsingSA++;
        if (sa) sa.counters.inPktsNotUsingSA++;
        return { ok: false, verdict: 'inPktsNotUsingSA', sci, an };
      }
      sc.counters.inPktsUnusedSA++;
      if (sa) sa.counters.inPktsUnusedSA++;
      return { ok: true, verdict: 'inPktsUnusedSA', frame: strip(frame, dataOffset, icvOffset), sci, an };
    }

    const pn = sa.suite.xpn ? recoverXpn(sa.state[SA_STATE_NEXT_PN]!, tag.pn) : BigInt(tag.pn);
    const lowest = this.lowestAcceptable(sa);
    if (this.replayProtect && pn < lowest) {
      sc.counters.inPktsLate++;
      return { ok: false, verdict: 'inPktsLate', sci, an, pn };
    }

    // The delivered frame: DA ‖ SA ‖ user data (decrypted, or as sent when E = 0).
    const secureLen = icvOffset - dataOffset;
    const out = allocUninit(MAC_HEADER_LEN + secureLen);
    copyMacHeader(frame, out);
    let verified = false;
    if (tag.c || this.validateFrames !== 'disabled') {
      const iv = this.ivFor(sa, pn);
      const icv = frame.subarray(icvOffset, icvOffset + ICV_LEN);
      if (tag.e) {
        verified = sa.key.open(iv, frame.subarray(0, dataOffset), frame.subarray(dataOffset, icvOffset), icv, out, MAC_HEADER_LEN);
        sc.counters.inOctetsDecrypted += secureLen;
      } else {
        verified = sa.key.open(iv, frame.subarray(0, icvOffset), EMPTY, icv, out, MAC_HEADER_LEN);
        sc.counters.inOctetsValidated += secureLen;
      }
    }
    if (!tag.e) out.set(frame.subarray(dataOffset, icvOffset), MAC_HEADER_LEN);

    if (!verified) {
      if (strictOrChanged) {
        sc.counters.inPktsNotValid++;
        sa.counters.inPktsNotValid++;
        return { ok: false, verdict: 'inPktsNotValid', sci, an, pn };
      }
      if (this.validateFrames === 'check') {
        sc.counters.inPktsInvalid++;
        sa.counters.inPktsInvalid++;
        return { ok: true, verdict: 'inPktsInvalid', frame: out, sci, an, pn };
      }
      // Disabled: not verified at all.
      if (pn < lowest) {
        sc.counters.inPktsDelayed++;
        return { ok: true, verdict: 'inPktsDelayed', frame: out, sci, an, pn };
      }
      sc.counters.inPktsUnchecked++;
      return { ok: true, verdict: 'inPktsUnchecked', frame: out, sci, an, pn };
    }

    // Valid: advance the SA's view of the PN space (10.6.5), in 64 bits for XPN.
    const st = sa.state;
    if (pn >= st[SA_STATE_NEXT_PN]!) {
      st[SA_STATE_NEXT_PN] = pn + 1n;
      const fromWindow = pn + 1n - this.replayWindow;
      if (fromWindow > st[SA_STATE_LOWEST_PN]!) st[SA_STATE_LOWEST_PN] = fromWindow;
    }
    if (pn < lowest) {
      sc.counters.inPktsDelayed++;
      return { ok: true, verdict: 'inPktsDelayed', frame: out, sci, an, pn };
    }
    sc.counters.inPktsOK++;
    sa.counters.inPktsOK++;
    return { ok: true, verdict: 'inPktsOK', frame: out, sci, an, pn };
  }

  /** The transmit PN at which pnThresholdReached is raised (802.1X-2020 9.8). */
  private pnThresholdOf(suite: CipherSuite): bigint {
    return this.pnThresholdOverride ?? (suite.xpn ? PN_EXHAUSTION_64 : PN_EXHAUSTION_32);
  }

  private lowestAcceptable(sa: RxSa): bigint {
    const next = sa.state[SA_STATE_NEXT_PN]!;
    const lowest = sa.state[SA_STATE_LOWEST_PN]!;
    const fromWindow = next > this.replayWindow ? next - this.replayWindow : 0n;
    return fromWindow > lowest ? fromWindow : lowest;
  }

  /** The SecY counters (802.1AE-2018 10.7.6, 10.7.7), the fast path's frames included. */
  get counters(): Readonly<SecYCounters> {
    this.foldFastCounters();
    return this.c;
  }

  /** The transmit SC counters (10.7.8), the fast path's frames included. */
  get txScCounters(): Readonly<TxScCounters> {
    this.foldFastCounters();
    return this.txc;
  }

  // ---------------------------------------------------------- fast path

  private changed(): void {
    this.onChange?.();
  }

  /**
   * Adds what the native fast path counted (in the SAs' state blocks and
   * {@link fastSecY}) to the counters and zeroes it there. Runs before any
   * counter is read and before an SA goes away with its block. The fast
   * path handles only frames that end as outPktsEncrypted, outPktsUntagged,
   * inPktsUntagged or inPktsOK (with inOctetsDecrypted), so these are the
   * counters it feeds.
   */
  private foldFastCounters(): void {
    const f = this.fastSecY;
    if (f[FAST_SECY_OUT_UNTAGGED] || f[FAST_SECY_IN_UNTAGGED]) {
      this.c.outPktsUntagged += f[FAST_SECY_OUT_UNTAGGED]!;
      this.c.inPktsUntagged += f[FAST_SECY_IN_UNTAGGED]!;
      f.fill(0);
    }
    for (const sa of this.txSas) {
      const fast = sa && takeFastCounts(sa.state);
      if (!sa || !fast) continue;
      sa.counters.outPktsEncrypted += fast.pkts;
      this.txc.outPktsEncrypted += fast.pkts;
      this.txc.outOctetsEncrypted += fast.octets;
    }
    for (const sc of this.rxScs.values()) {
      for (const sa of sc.sas) {
        const fast = sa && takeFastCounts(sa.state);
        if (!sa || !fast) continue;
        sa.counters.inPktsOK += fast.pkts;
        sc.counters.inPktsOK += fast.pkts;
        sc.counters.inOctetsDecrypted += fast.octets;
      }
    }
  }

  /**
   * The SecY as the addon's fast path needs it (src/io/native/fastpath.c).
   * SAs whose keys are not native (node:crypto) are left out, and so are
   * receive SAs whose suite differs from the SecY's current one (
   * {@link validate} parses SecTAGs by the current suite): their frames stay
   * with this SecY.
   */
  fastPathTables(): FastPathTables {
    const native = (k: GcmKey): unknown => (k as { nativeHandle?: unknown }).nativeHandle;
    const xpn = this.cipherSuite.xpn;
    const describe = (sa: SaCommon): FastPathSa | undefined => {
      const key = native(sa.key);
      if (key === undefined) return undefined;
      const iv = new Uint8Array(12);
      iv.set(sa.iv);
      if (sa.suite.xpn) {
        const v = new DataView(iv.buffer);
        v.setUint32(4, sa.saltHi);
        v.setUint32(8, sa.saltLo);
      } else {
        iv.fill(0, 8);
      }
      return { an: sa.an, xpn: sa.suite.xpn, key, iv, state: sa.state };
    };
    const enc = this.encodingAn >= 0 ? this.txSas[this.encodingAn] : undefined;
    let tx: FastPathTables['tx'];
    if (enc && enc.inUse) {
      const d = describe(enc);
      const threshold = this.pnThresholdOf(enc.suite);
      const maxPn = maxPnOf(enc.suite);
      // Below both, protect() raises no event: the fast path stops there.
      if (d) tx = { ...d, limit: threshold < maxPn ? threshold : maxPn };
    }
    const rx: FastPathTables['rx'] = [];
    for (const sc of this.rxScs.values()) {
      for (const sa of sc.sas) {
        if (!sa || !sa.inUse || sa.suite.xpn !== xpn) continue;
        const d = describe(sa);
        if (d) rx.push({ ...d, sci: sc.sciBytes });
      }
    }
    return {
      protectFrames: this.protectFrames,
      confidentiality: this.confidentiality,
      includeSci: this.includeSci,
      es: this.es,
      scb: this.scb,
      maxFrameLength: this.maxFrameLength,
      validateFrames: this.validateFrames === 'disabled' ? 0 : this.validateFrames === 'check' ? 1 : 2,
      replayProtect: this.replayProtect,
      replayWindow: Number(this.replayWindow),
      txSci: this.txSciBytes,
      ...(tx ? { tx } : {}),
      rx,
      secyCounters: this.fastSecY,
    };
  }

  /** Counts a frame the caller dropped before validation because its queues were full. */
  countOverrun(n = 1): void {
    this.c.inPktsOverrun += n;
  }
}

/** Counter snapshot, every level. */
export interface SecYSnapshot {
  secy: SecYCounters;
  txSc: TxScCounters;
  txSas: Array<{ an: number; inUse: boolean; nextPn: bigint } & TxSaCounters>;
  rxScs: Array<{ sci: Sci; sas: Array<{ an: number; inUse: boolean; nextPn: bigint; lowestPn: bigint } & RxSaCounters> } & RxScCounters>;
}

/** Copies DA ‖ SA; a loop, because a subarray view per frame costs more. */
function copyMacHeader(from: Uint8Array, to: Uint8Array): void {
  for (let i = 0; i < MAC_HEADER_LEN; i++) to[i] = from[i]!;
}

/** DA ‖ SA ‖ Secure Data, for frames delivered unverified (C = 0). */
function strip(frame: Uint8Array, dataOffset: number, icvOffset: number): Uint8Array {
  const out = allocUninit(MAC_HEADER_LEN + icvOffset - dataOffset);
  out.set(frame.subarray(0, MAC_HEADER_LEN));
  out.set(frame.subarray(dataOffset, icvOffset), MAC_HEADER_LEN);
  return out;
}
