/**
 * Distributed SAK (type 4, 802.1X-2020 11.11.1, figures 11-11 and 11-12).
 * Octet 1: Distributed AN (0xC0) and Confidentiality Offset (0x30); octet 2
 * bits 7..4 reserved. Body: empty (the key server decided not to use MACsec),
 * 28 octets KN ‖ AES-KW(SAK-128) (GCM-AES-128 implied), or KN ‖ Cipher Suite
 * (8) ‖ AES-KW(SAK): 36 octets for a 128-bit, 52 for a 256-bit SAK.
 */
import { PARAMETER_SET_TYPE } from '../constants.js';
import { ByteWriter } from '../../shared/bytes.js';
import { MkaError } from '../errors.js';
import type { DistributedSak } from './types.js';
import { bodyReader, checkRange, requireZero, type SetCodec, type SetHeader } from './set-header.js';

const NAME = 'Distributed SAK';

export const distributedSakCodec: SetCodec<DistributedSak> = {
  name: NAME,
  decode(h: SetHeader, body: Uint8Array): DistributedSak {
    requireZero(NAME, 'octet 2 bits 7..4', h.octet2High);
    const s: DistributedSak = { type: PARAMETER_SET_TYPE.distributedSak, distributedAn: h.octet1 >> 6, confidentialityOffset: (h.octet1 >> 4) & 3 };
    if ((h.octet1 & 0x0f) !== 0) throw new MkaError('malformedMkpdu', `${NAME}: reserved bits 3..0 of octet 1 are 0x${(h.octet1 & 0xf).toString(16)}`);
    if (body.length === 0) return s;
    const r = bodyReader(NAME, body);
    if (body.length === 28) {
      s.key = { kn: r.u32('Key Number'), wrappedSak: r.copy(24, 'AES Key Wrap of SAK') };
    } else if (body.length === 36 || body.length === 52) {
      s.key = { kn: r.u32('Key Number'), cipherSuite: r.u64('MACsec Cipher Suite'), wrappedSak: r.copy(body.length - 12, 'AES Key Wrap of SAK') };
    } else {
      throw new MkaError('malformedMkpdu', `${NAME}: body length ${body.length}, expected 0, 28, 36 or 52`);
    }
    return s;
  },
  encode(s: DistributedSak) {
    checkRange(NAME, 'Distributed AN', s.distributedAn, 3);
    checkRange(NAME, 'Confidentiality Offset', s.confidentialityOffset, 3);
    const w = new ByteWriter(52);
    if (s.key) {
      checkRange(NAME, 'Key Number', s.key.kn, 0xffffffff);
      const n = s.key.wrappedSak.length;
      if (s.key.cipherSuite === undefined ? n !== 24 : n !== 24 && n !== 40) {
        throw new MkaError('invalidField', `${NAME}: wrapped SAK of ${n} octets does not fit the ${s.key.cipherSuite === undefined ? '28' : '36/52'}-octet form`);
      }
      w.u32(s.key.kn);
      if (s.key.cipherSuite !== undefined) w.u64(s.key.cipherSuite);
      w.bytes(s.key.wrappedSak);
    }
    return { octet1: (s.distributedAn << 6) | (s.confidentialityOffset << 4), octet2High: 0, body: w.finish() };
  },
};
