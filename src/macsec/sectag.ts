/**
 * The MAC Security TAG (802.1AE-2018 clause 9): encode and decode, with the
 * receive checks of 9.12 giving a named reason for every malformed tag.
 *
 * Layout after DA and SA (offsets in the frame):
 *   12  EtherType 0x88E5
 *   14  TCI (V ES SC SCB E C) and AN
 *   15  two reserved bits, SL (6 bits)
 *   16  PN (32 bits; the low half of the PN with XPN)
 *   20  SCI (8 octets, only when SC = 1)
 * Secure Data follows, then the 16-octet ICV.
 */
import {
  AN_MASK,
  ETHERTYPE_MACSEC,
  ICV_LEN,
  IMPLICIT_SCI_PORT,
  MAC_HEADER_LEN,
  SECTAG_LEN,
  SECTAG_SCI_LEN,
  SL_LIMIT,
  ETH_MIN_FRAME_LEN,
  TCI_C,
  TCI_E,
  TCI_ES,
  TCI_SC,
  TCI_SCB,
  TCI_V,
} from './constants.js';
import type { Sci } from './sci.js';
import { sciFromBytes } from './sci.js';

export interface SecTag {
  /** End Station: SCI implied by the source address (never with SC). */
  es: boolean;
  /** SCI present in the tag. */
  sc: boolean;
  /** Single Copy Broadcast (EPON). */
  scb: boolean;
  /** Secure Data is encrypted. */
  e: boolean;
  /** Changed Text: set with E for GCM. */
  c: boolean;
  an: number;
  /** Short Length: Secure Data octets when fewer than 48, else 0. */
  sl: number;
  /** The 32 PN bits carried in the tag. */
  pn: number;
  /** The explicit SCI, or the implicit one (SA ‖ 0x0001) when SC = 0. */
  sci: Sci;
}

/** Why a MACsec-EtherType frame has an unusable tag (each counts InPktsBadTag). */
export type BadTagReason =
  | 'tooShort'
  | 'versionNotZero'
  | 'esWithSc'
  | 'scbWithSc'
  | 'reservedBitsSet'
  | 'pnZero'
  | 'lengthMismatch';

export type SecTagParse =
  | { ok: true; tag: SecTag; /** offset of Secure Data */ dataOffset: number; /** offset of the ICV */ icvOffset: number }
  | { ok: false; reason: BadTagReason };

/** True when the frame carries the MACsec EtherType. */
export function isMacsecFrame(frame: Uint8Array): boolean {
  return frame.length >= 14 && frame[12] === ETHERTYPE_MACSEC >> 8 && frame[13] === (ETHERTYPE_MACSEC & 0xff);
}

/**
 * Parses and checks the SecTAG of a MACsec-EtherType frame (802.1AE-2018 9.12).
 *
 * `xpn` relaxes the PN = 0 check: with extended packet numbering the low 32
 * bits of a valid PN may be zero (802.1AEbw; Linux drops PN 0 only for the
 * non-XPN suites).
 *
 * Ethernet padding of short frames: when SL ≠ 0 a frame of the 60-octet
 * Ethernet minimum may be longer than SL implies (a userspace receiver sees
 * the padding that a kernel receiver has stripped), so the ICV is found from
 * SL and the padding ignored. Any other length that disagrees with SL is
 * malformed, as in Linux (macsec_validate_skb).
 */
export function parseSecTag(frame: Uint8Array, xpn: boolean): SecTagParse {
  // The tag up to the PN must be readable before anything else is checked.
  if (frame.length < MAC_HEADER_LEN + SECTAG_LEN) return { ok: false, reason: 'tooShort' };
  const tci = frame[14]!;
  const slOctet = frame[15]!;
  if (tci & TCI_V) return { ok: false, reason: 'versionNotZero' };
  const sc = (tci & TCI_SC) !== 0;
  const es = (tci & TCI_ES) !== 0;
  const scb = (tci & TCI_SCB) !== 0;
  if (sc && es) return { ok: false, reason: 'esWithSc' };
  if (sc && scb) return { ok: false, reason: 'scbWithSc' };
  if (slOctet & 0xc0) return { ok: false, reason: 'reservedBitsSet' };
  const dataOffset = MAC_HEADER_LEN + (sc ? SECTAG_SCI_LEN : SECTAG_LEN);
  if (frame.length < dataOffset + ICV_LEN) return { ok: false, reason: 'tooShort' };
  const pn = ((frame[16]! << 24) | (frame[17]! << 16) | (frame[18]! << 8) | frame[19]!) >>> 0;
  if (pn === 0 && !xpn) return { ok: false, reason: 'pnZero' };
  const sl = slOctet & 0x3f;
  const secureLen = frame.length - dataOffset - ICV_LEN;
  let icvOffset: number;
  if (sl !== 0) {
    // SL of 48 or more cannot be produced by 9.7's rule (docs/secy-decisions.md §2).
    if (sl >= SL_LIMIT || secureLen < sl) return { ok: false, reason: 'lengthMismatch' };
    // Extra octets are allowed only as Ethernet padding up to the 60-octet minimum.
    if (secureLen > sl && frame.length > ETH_MIN_FRAME_LEN) return { ok: false, reason: 'lengthMismatch' };
    icvOffset = dataOffset + sl;
  } else {
    if (secureLen < SL_LIMIT) return { ok: false, reason: 'lengthMismatch' };
    icvOffset = frame.length - ICV_LEN;
  }
  const sci = sc ? sciFromBytes(frame, 20) : implicitSci(frame);
  return {
    ok: true,
    tag: { es, sc, scb, e: (tci & TCI_E) !== 0, c: (tci & TCI_C) !== 0, an: tci & AN_MASK, sl, pn, sci },
    dataOffset,
    icvOffset,
  };
}

/**
 * The SCI of a tag without one: the source address and port 0x0001. This is
 * what Linux does for every SC = 0 frame and what the Annex C ES vectors use;
 * the standard's rule for SC = 0 with ES = 0 ("the only SC on a point-to-point
 * LAN") is not modelled (see the README).
 */
export function implicitSci(frame: Uint8Array): Sci {
  const b = new Uint8Array(8);
  b.set(frame.subarray(6, 12));
  b[7] = IMPLICIT_SCI_PORT;
  return sciFromBytes(b);
}

/** What the transmitter puts in a tag. */
export interface SecTagFields {
  an: number;
  encrypt: boolean;
  pn: number;
  /** Explicit SCI to send, or undefined to send none. */
  sci?: Sci;
  es?: boolean;
  scb?: boolean;
}

/** SL for `secureLen` octets of Secure Data (802.1AE-2018 9.7). */
export function shortLength(secureLen: number): number {
  return secureLen < SL_LIMIT ? secureLen : 0;
}

/**
 * Writes EtherType and SecTAG at offset 12 of `out` for `secureLen` octets of
 * Secure Data; returns the SecTAG length (8 or 16, the EtherType included).
 */
export function writeSecTag(out: Uint8Array, f: SecTagFields, secureLen: number): number {
  out[12] = ETHERTYPE_MACSEC >> 8;
  out[13] = ETHERTYPE_MACSEC & 0xff;
  let tci = f.an & AN_MASK;
  if (f.encrypt) tci |= TCI_E | TCI_C;
  if (f.sci !== undefined) tci |= TCI_SC;
  else {
    if (f.es) tci |= TCI_ES;
    if (f.scb) tci |= TCI_SCB;
  }
  out[14] = tci;
  out[15] = shortLength(secureLen);
  out[16] = f.pn >>> 24;
  out[17] = (f.pn >>> 16) & 0xff;
  out[18] = (f.pn >>> 8) & 0xff;
  out[19] = f.pn & 0xff;
  if (f.sci !== undefined) {
    new DataView(out.buffer, out.byteOffset + 20, 8).setBigUint64(0, f.sci);
    return SECTAG_SCI_LEN;
  }
  return SECTAG_LEN;
}
