/**
 * What a participant knows of each peer and each SAK (802.1X-2020 9.4, 9.8),
 * how it reads a peer's MACsec SAK Use report (11.11.1) about a key, and the
 * receive-side SA work for one peer: installing its receive SA for a key and
 * delay protection. The participant (participant.ts) decides when.
 */
import { bytesEqual } from '../shared/bytes.js';
import type { Secret } from '../shared/secret.js';
import type { CipherSuite, Sci } from '../macsec/index.js';
import type { SakUse, XpnParameterSet } from './mkpdu/types.js';
import type { SecYCommand } from './types.js';

/** Where SecY commands go (the participant's context). */
export interface SecYSink {
  command(c: SecYCommand): void;
}

export interface Peer {
  mi: Uint8Array;
  miHex: string;
  mn: number;
  sci: Sci;
  state: 'potential' | 'live';
  expiresAt: number;
  priority: number;
  keyServerBit: boolean;
  macsecDesired: boolean;
  macsecCapability: number;
  /** Suites from its Announcement, or undefined when it announced none. */
  announced?: bigint[];
  sakUse?: SakUse;
  xpn?: XpnParameterSet;
  /** Lowest PN last applied per AN (delay protection). */
  lowestPnSet: Map<number, bigint>;
}

/** A SAK known to this participant, with the SAs installed for it. */
export interface SakState {
  ksMi: Uint8Array;
  kn: number;
  an: number;
  suite: CipherSuite;
  sak: Secret;
  /** Confidentiality Offset code of the Distributed SAK (0..3). */
  co: number;
  salt?: Uint8Array;
  sscis?: Map<Sci, number>;
  rxScis: Set<Sci>;
  /**
   * The CP's per-key variables of 802.1X-2020 12.4 (lrx/ltx for the latest
   * key, orx/otx for the old one), reported in SAK Use (11.11.1): receive SAs
   * installed, transmit SA in use.
   */
  rx: boolean;
  tx: boolean;
  createdAt: number;
  inUseAt?: number;
  retireAt?: number;
  /** Peer MIs live when the key was made (key server: membership-change rekey). */
  members: Set<string>;
  /** Key server only: the wrapped SAK for Distributed SAK. */
  wrapped?: Uint8Array;
  /** Transmit PN observed at our previous MKPDU: the LPN we report now. */
  lpn: bigint;
  exhaustionHandled: boolean;
}

/** Whether `k` is the key of Key Identifier MI ‖ KN (802.1X-2020 9.8). */
export function kiEquals(k: SakState, mi: Uint8Array, kn: number): boolean {
  return k.kn === kn && bytesEqual(k.ksMi, mi);
}

/** The peer's reported lowest PN for key `k` (64-bit with its XPN set), if it reports that key. */
export function peerLowestPn(p: Peer, k: SakState): bigint | undefined {
  const su = p.sakUse;
  if (!su?.keys) return undefined;
  if (kiEquals(k, su.keys.latestKey.mi, su.keys.latestKey.kn)) return (BigInt(p.xpn?.latestKeyLowestPnHigh ?? 0) << 32n) | BigInt(su.keys.latestKey.lowestPn);
  if (kiEquals(k, su.keys.oldKey.mi, su.keys.oldKey.kn)) return (BigInt(p.xpn?.oldKeyLowestPnHigh ?? 0) << 32n) | BigInt(su.keys.oldKey.lowestPn);
  return undefined;
}

/**
 * Whether the peer's SAK Use shows key `k` with the rx (or tx) bit, in either
 * slot: wpa_supplicant reports the key in use in the old slot once settled
 * (docs/mka-decisions.md §5; hostap `ieee802_1x_mka_decode_sak_use_body` reads it so).
 */
export function peerReports(p: Peer, k: SakState, bit: 'rx' | 'tx'): boolean {
  const su = p.sakUse;
  if (!su?.keys) return false;
  const latest = kiEquals(k, su.keys.latestKey.mi, su.keys.latestKey.kn) && (bit === 'rx' ? su.latestKeyRx : su.latestKeyTx);
  const old = kiEquals(k, su.keys.oldKey.mi, su.keys.oldKey.kn) && (bit === 'rx' ? su.oldKeyRx : su.oldKeyTx);
  return latest || old;
}

/**
 * A receive SA for key `key` from the peer SC `sci`, enabled at once (RECEIVE,
 * 802.1X-2020 12.4); with XPN the peer's SSCI, one past the last when it
 * joined after the key was made.
 */
export function installRxSa(secy: SecYSink, key: SakState, sci: Sci): void {
  if (key.rxScis.has(sci)) return;
  key.rxScis.add(sci);
  let ssci: number | undefined;
  if (key.sscis) {
    ssci = key.sscis.get(sci);
    if (ssci === undefined) {
      ssci = key.sscis.size + 1;
      key.sscis.set(sci, ssci);
    }
  }
  secy.command({
    op: 'createRxSa',
    sci,
    an: key.an,
    sak: key.sak,
    lowestPn: 1n,
    ...(ssci !== undefined ? { ssci } : {}),
    ...(key.salt ? { salt: key.salt.slice() } : {}),
  });
  secy.command({ op: 'enableRxSa', sci, an: key.an });
}

/**
 * Delay protection (802.1X-2020 9.9): the lowest PN a peer reports for a key
 * it transmits with raises our receive SA's lowest acceptable PN.
 */
export function applyDelayProtect(secy: SecYSink, delayProtect: boolean, keys: ReadonlyArray<SakState | undefined>, peer: Peer, su: SakUse, xpn: XpnParameterSet | undefined): void {
  if (!delayProtect || !su.delayProtect || !su.keys) return;
  // Delay protection (802.1X-2020 9.9; hostap `secy_set_receive_lowest_pn`): raise the peer's receive SA lowest PN.
  for (const k of keys) {
    if (!k || !k.rxScis.has(peer.sci)) continue;
    const slot = kiEquals(k, su.keys.latestKey.mi, su.keys.latestKey.kn)
      ? { pn: su.keys.latestKey.lowestPn, hi: xpn?.latestKeyLowestPnHigh ?? 0, tx: su.latestKeyTx }
      : kiEquals(k, su.keys.oldKey.mi, su.keys.oldKey.kn)
        ? { pn: su.keys.oldKey.lowestPn, hi: xpn?.oldKeyLowestPnHigh ?? 0, tx: su.oldKeyTx }
        : undefined;
    if (!slot || !slot.tx) continue;
    const pn = (BigInt(k.suite.xpn ? slot.hi : 0) << 32n) | BigInt(slot.pn);
    if (pn > (peer.lowestPnSet.get(k.an) ?? 1n)) {
      peer.lowestPnSet.set(k.an, pn);
      secy.command({ op: 'setLowestPn', sci: peer.sci, an: k.an, pn });
    }
  }
}
