/**
 * MKPDU frame codec (IEEE 802.1X-2020 11.11): Ethernet header, EAPOL header
 * (11.3, versions 1..3, packet type 5 = EAPOL-MKA), the Basic Parameter Set,
 * the other parameter sets through a type → codec table, an optional ICV
 * Indicator and the 16-octet ICV.
 *
 * Walk rule (802.1X-2020 11.11.3 as hostap `ieee802_1x_kay_decode_mkpdu` and
 * Wireshark `dissect_mka` read it): after the Basic set, read parameter sets
 * while more than 16 octets remain; an ICV Indicator (type 255) ends the walk
 * and must be followed by exactly the ICV; the ICV is the last 16 octets of the
 * EAPOL body. Unknown types are skipped by their length (11.11.4) and kept so
 * that the MKPDU re-encodes to the same octets. Every length is checked
 * against what is left before it is used; octets after the EAPOL body
 * (Ethernet padding) are ignored, as hostap `kay_l2_receive` does.
 *
 * Decoding never writes into its input and returns copies; encoding writes
 * zero padding, so an MKPDU decoded from the wire re-encodes to the same
 * octets whenever its padding was zero.
 *
 * @example
 * const m = decodeMkpdu(frame);                 // throws MkaError
 * const again = encodeMkpdu(m);                 // same octets
 * const sealed = encodeMkpdu({ ...m, basic: { ...m.basic, mn: m.basic.mn + 1 } }, ick);
 */
import { ByteReader, ByteWriter, constantTimeEqual, plainView } from '../../shared/bytes.js';
import type { Secret } from '../../shared/secret.js';
import { MkaError, readFail } from '../errors.js';
import {
  EAPOL_HEADER_END,
  EAPOL_TYPE_MKA,
  EAPOL_VERSION_MAX,
  EAPOL_VERSION_MIN,
  ETHERTYPE_EAPOL,
  ETHERTYPE_EAPOL_ALTERNATE,
  ICV_LEN,
  PARAMETER_SET_TYPE,
} from '../constants.js';
import { mkpduIcv } from '../kdf.js';
import { decodeBasic, encodeBasic } from './basic.js';
import { livePeerListCodec, potentialPeerListCodec } from './peer-list.js';
import { sakUseCodec } from './sak-use.js';
import { distributedSakCodec } from './distributed-sak.js';
import { distributedCakCodec } from './distributed-cak.js';
import { kmdCodec } from './kmd.js';
import { announcementCodec } from './announcement.js';
import { xpnCodec } from './xpn.js';
import { checkLength, checkRange, padded4, readSetHeader, writeSet, type SetCodec } from './set-header.js';
import type { KnownParameterSet, Mkpdu, ParameterSet, UnknownParameterSet } from './types.js';

/** type → { name, decode, encode } (802.1X-2020 table 11-7). */
export const PARAMETER_SET_CODECS: Readonly<Record<number, SetCodec<KnownParameterSet>>> = Object.freeze({
  [PARAMETER_SET_TYPE.livePeerList]: livePeerListCodec,
  [PARAMETER_SET_TYPE.potentialPeerList]: potentialPeerListCodec,
  [PARAMETER_SET_TYPE.sakUse]: sakUseCodec,
  [PARAMETER_SET_TYPE.distributedSak]: distributedSakCodec,
  [PARAMETER_SET_TYPE.distributedCak]: distributedCakCodec,
  [PARAMETER_SET_TYPE.kmd]: kmdCodec,
  [PARAMETER_SET_TYPE.announcement]: announcementCodec,
  [PARAMETER_SET_TYPE.xpn]: xpnCodec,
} as Record<number, SetCodec<KnownParameterSet>>);

/** Display name of a parameter set type. */
export function parameterSetName(type: number): string {
  if (type === PARAMETER_SET_TYPE.icvIndicator) return 'ICV Indicator';
  return PARAMETER_SET_CODECS[type]?.name ?? `unknown type ${type}`;
}

const ICV_INDICATOR_HEADER = 0xff000010;

export interface DecodeMkpduOptions {
  /** EtherTypes taken as EAPOL. @default [0x888E, 0x876F] */
  etherTypes?: readonly number[];
}

/** Where the parts of an MKPDU frame sit. */
export interface MkpduLayout {
  etherType: number;
  eapolVersion: number;
  eapolType: number;
  /** EAPOL Packet Body Length. */
  bodyLength: number;
  /** Offset of the ICV = length of the octets it covers. */
  icvOffset: number;
}

/**
 * Reads the Ethernet and EAPOL headers only.
 * @throws MkaError('notMkpdu') for another EtherType or EAPOL packet type;
 *   MkaError('malformedMkpdu') for a truncated frame, an EAPOL version outside
 *   1..3, or a body length that is not a multiple of 4 or cannot hold an ICV.
 */
export function mkpduLayout(frame: Uint8Array, options: DecodeMkpduOptions = {}): MkpduLayout {
  const r = new ByteReader(frame, readFail('EAPOL frame'));
  r.skip(12, 'MAC addresses');
  const etherType = r.u16('EtherType');
  const accepted = options.etherTypes ?? [ETHERTYPE_EAPOL, ETHERTYPE_EAPOL_ALTERNATE];
  if (!accepted.includes(etherType)) throw new MkaError('notMkpdu', `EtherType 0x${etherType.toString(16).padStart(4, '0')} is not EAPOL`);
  const eapolVersion = r.u8('EAPOL Protocol Version');
  const eapolType = r.u8('EAPOL Packet Type');
  if (eapolType !== EAPOL_TYPE_MKA) throw new MkaError('notMkpdu', `EAPOL Packet Type ${eapolType} is not EAPOL-MKA (5)`);
  if (eapolVersion < EAPOL_VERSION_MIN || eapolVersion > EAPOL_VERSION_MAX) {
    throw new MkaError('malformedMkpdu', `EAPOL Protocol Version ${eapolVersion} at offset 14, expected ${EAPOL_VERSION_MIN}..${EAPOL_VERSION_MAX}`);
  }
  const bodyLength = r.u16('EAPOL Packet Body Length');
  r.need(bodyLength, 'EAPOL Packet Body');
  if (bodyLength % 4 !== 0) throw new MkaError('malformedMkpdu', `EAPOL Packet Body Length ${bodyLength} is not a multiple of 4`);
  if (bodyLength < ICV_LEN + 4) throw new MkaError('malformedMkpdu', `EAPOL Packet Body Length ${bodyLength} cannot hold a Basic Parameter Set and an ICV`);
  return { etherType, eapolVersion, eapolType, bodyLength, icvOffset: EAPOL_HEADER_END + bodyLength - ICV_LEN };
}

/**
 * Decodes an MKPDU frame (Ethernet header first).
 * @throws MkaError('notMkpdu') or MkaError('malformedMkpdu') naming field and offset.
 */
export function decodeMkpdu(input: Uint8Array, options: DecodeMkpduOptions = {}): Mkpdu {
  // Every copy below is a real copy (a Buffer's slice() would alias the frame).
  const frame = plainView(input);
  const layout = mkpduLayout(frame, options);
  const body = new ByteReader(frame.subarray(EAPOL_HEADER_END, EAPOL_HEADER_END + layout.bodyLength), readFail('MKPDU'));
  const basic = decodeBasic(body);
  const parameterSets: ParameterSet[] = [];
  while (body.remaining > ICV_LEN) {
    const at = body.offset;
    const h = readSetHeader(body);
    if (h.type === PARAMETER_SET_TYPE.icvIndicator) {
      if (h.octet1 !== 0 || h.octet2High !== 0 || h.bodyLength !== ICV_LEN || body.remaining !== ICV_LEN) {
        throw new MkaError('malformedMkpdu', `ICV Indicator at offset ${at}: expected FF 00 00 10 followed by exactly the ${ICV_LEN}-octet ICV`);
      }
      parameterSets.push({ type: PARAMETER_SET_TYPE.icvIndicator });
      break;
    }
    const room = body.remaining - ICV_LEN;
    if (padded4(h.bodyLength) > room) {
      throw new MkaError('malformedMkpdu', `${parameterSetName(h.type)} at offset ${at}: body length ${h.bodyLength} (padded ${padded4(h.bodyLength)}) exceeds the ${room} octets before the ICV`);
    }
    const setBody = body.bytesView(h.bodyLength, 'parameter set body');
    body.skip(padded4(h.bodyLength) - h.bodyLength, 'parameter set padding');
    const codec = PARAMETER_SET_CODECS[h.type];
    if (codec) {
      parameterSets.push(codec.decode(h, setBody));
    } else {
      const u: UnknownParameterSet = { type: h.type, unknown: true, octet1: h.octet1, octet2High: h.octet2High, body: setBody.slice() };
      parameterSets.push(u);
    }
  }
  if (body.remaining !== ICV_LEN) {
    throw new MkaError('malformedMkpdu', `MKPDU: ${body.remaining} octets left at offset ${body.offset} for the ${ICV_LEN}-octet ICV`);
  }
  return {
    destination: frame.slice(0, 6),
    source: frame.slice(6, 12),
    etherType: layout.etherType,
    eapolVersion: layout.eapolVersion,
    basic,
    parameterSets,
    icv: body.copy(ICV_LEN, 'ICV'),
  };
}

/**
 * Encodes an MKPDU frame. With `ick` the ICV is computed (802.1X-2020 9.4.1);
 * without it `m.icv` is written as it is.
 * @throws MkaError('invalidField') for a field that does not fit.
 */
export function encodeMkpdu(m: Mkpdu, ick?: Secret | Uint8Array): Uint8Array {
  checkLength('MKPDU', 'destination address', m.destination, 6);
  checkLength('MKPDU', 'source address', m.source, 6);
  checkRange('MKPDU', 'EtherType', m.etherType, 0xffff);
  checkRange('MKPDU', 'EAPOL Protocol Version', m.eapolVersion, 0xff);
  const w = new ByteWriter(256);
  w.bytes(m.destination).bytes(m.source).u16(m.etherType).u8(m.eapolVersion).u8(EAPOL_TYPE_MKA).u16(0);
  encodeBasic(w, m.basic);
  for (const s of m.parameterSets) {
    if (s.type === PARAMETER_SET_TYPE.icvIndicator) {
      w.u32(ICV_INDICATOR_HEADER);
      continue;
    }
    if ('unknown' in s) {
      writeSet(w, s.type, { octet1: s.octet1, octet2High: s.octet2High, body: s.body });
      continue;
    }
    const codec = PARAMETER_SET_CODECS[s.type];
    if (!codec) throw new MkaError('invalidField', `MKPDU: no codec for parameter set type ${s.type}`);
    writeSet(w, s.type, codec.encode(s));
  }
  const bodyLength = w.length - EAPOL_HEADER_END + ICV_LEN;
  if (bodyLength > 0xffff) throw new MkaError('invalidField', `MKPDU: body of ${bodyLength} octets exceeds 65535`);
  w.patchU16(16, bodyLength);
  if (ick) {
    const covered = w.finish();
    w.bytes(mkpduIcv(ick, covered));
  } else {
    checkLength('MKPDU', 'ICV', m.icv, ICV_LEN);
    w.bytes(m.icv);
  }
  return w.finish();
}

/**
 * Checks an MKPDU's ICV with an ICK (constant-time comparison).
 * @returns true when the ICV matches.
 * @throws MkaError('notMkpdu' | 'malformedMkpdu') when the headers are not an MKPDU's.
 */
export function verifyMkpduIcv(frame: Uint8Array, ick: Secret | Uint8Array, options: DecodeMkpduOptions = {}): boolean {
  const { icvOffset } = mkpduLayout(frame, options);
  const expected = mkpduIcv(ick, frame.subarray(0, icvOffset));
  return constantTimeEqual(expected, frame.subarray(icvOffset, icvOffset + ICV_LEN));
}
