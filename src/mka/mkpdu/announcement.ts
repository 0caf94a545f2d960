/**
 * Announcement (type 7, 802.1X-2020 11.11.1 figure 11-15, TLVs of 11.12).
 * The body is a sequence of TLVs: octet 0 bits 7..1 the TLV type, bit 0 and
 * octet 1 a 9-bit length, then the value. Each TLV's length is checked against
 * what is left before it is used; a TLV that runs past the body, or a stray
 * octet at the end, makes the whole set malformed (Wireshark packet-mka.c
 * `dissect_announcement` stops at such a TLV instead).
 *
 * MACsec Cipher Suites TLV (type 112): entries of 10 octets, 2 octets whose
 * low 2 bits are the capability for that suite ‖ 8-octet reference number
 * (802.1X-2020 figure 11-17; MKAdaemon `mka_kay_params.c`).
 */
import { ByteWriter } from '../../shared/bytes.js';
import { MkaError } from '../errors.js';
import { ANNOUNCEMENT_TLV, PARAMETER_SET_TYPE } from '../constants.js';
import type { Announcement, AnnouncementTlv } from './types.js';
import { bodyReader, checkRange, requireZero, type SetCodec, type SetHeader } from './set-header.js';

const NAME = 'Announcement';

export const announcementCodec: SetCodec<Announcement> = {
  name: NAME,
  decode(h: SetHeader, body: Uint8Array): Announcement {
    requireZero(NAME, 'octet 1', h.octet1);
    requireZero(NAME, 'octet 2 bits 7..4', h.octet2High);
    const r = bodyReader(NAME, body);
    const tlvs: AnnouncementTlv[] = [];
    while (r.remaining > 0) {
      const w = r.u16('TLV header');
      tlvs.push({ tlvType: w >> 9, value: r.copy(w & 0x1ff, `TLV ${w >> 9} value`) });
    }
    return { type: PARAMETER_SET_TYPE.announcement, tlvs };
  },
  encode(s: Announcement) {
    const w = new ByteWriter();
    for (const t of s.tlvs) {
      checkRange(NAME, 'TLV type', t.tlvType, 127);
      checkRange(NAME, 'TLV length', t.value.length, 0x1ff);
      w.u16((t.tlvType << 9) | t.value.length).bytes(t.value);
    }
    return { octet1: 0, octet2High: 0, body: w.finish() };
  },
};

/** A cipher suite announced with its implementation capability (0..3, as MACsec Capability). */
export interface AnnouncedCipherSuite {
  cipherSuite: bigint;
  capability: number;
}

/**
 * The cipher suites of every MACsec Cipher Suites TLV in an Announcement, in order.
 * @throws MkaError('malformedMkpdu') when a TLV's length is not a multiple of 10.
 */
export function announcedCipherSuites(a: Announcement): AnnouncedCipherSuite[] {
  const out: AnnouncedCipherSuite[] = [];
  for (const t of a.tlvs) {
    if (t.tlvType !== ANNOUNCEMENT_TLV.macsecCipherSuites) continue;
    if (t.value.length % 10 !== 0) throw new MkaError('malformedMkpdu', `${NAME}: MACsec Cipher Suites TLV of ${t.value.length} octets is not a multiple of 10`);
    const r = bodyReader(`${NAME} MACsec Cipher Suites TLV`, t.value);
    while (r.remaining > 0) {
      const cap = r.u16('capability') & 3;
      out.push({ capability: cap, cipherSuite: r.u64('cipher suite') });
    }
  }
  return out;
}

/** A MACsec Cipher Suites TLV announcing `suites` in preference order. */
export function cipherSuitesTlv(suites: readonly AnnouncedCipherSuite[]): AnnouncementTlv {
  const w = new ByteWriter(10 * suites.length + 1);
  for (const s of suites) w.u16(s.capability & 3).u64(s.cipherSuite);
  return { tlvType: ANNOUNCEMENT_TLV.macsecCipherSuites, value: w.finish() };
}
