/**
 * Distributed CAK (type 5, 802.1X-2020 11.11.1, figure 11-13): parsed only
 * (group CAs distribute CAKs; point-to-point PSK links never do). Octet 1 and
 * octet 2 bits 7..4 reserved. Body: AES-KW(KEK, CAK) of 24 octets then the CKN,
 * as Wireshark packet-mka.c `dissect_distributed_cak` reads it; the form for a
 * 256-bit CAK is unconfirmed (docs/mka-decisions.md §2), so a longer wrap reads as CKN.
 */
import { concat } from '../../shared/bytes.js';
import { MkaError } from '../errors.js';
import { CKN_MAX_LEN, CKN_MIN_LEN, PARAMETER_SET_TYPE } from '../constants.js';
import type { DistributedCak } from './types.js';
import { checkLength, requireZero, type SetCodec, type SetHeader } from './set-header.js';

const NAME = 'Distributed CAK';

export const distributedCakCodec: SetCodec<DistributedCak> = {
  name: NAME,
  decode(h: SetHeader, body: Uint8Array): DistributedCak {
    requireZero(NAME, 'octet 1', h.octet1);
    requireZero(NAME, 'octet 2 bits 7..4', h.octet2High);
    const cknLength = body.length - 24;
    if (cknLength < CKN_MIN_LEN || cknLength > CKN_MAX_LEN) {
      throw new MkaError('malformedMkpdu', `${NAME}: body length ${body.length} leaves a CKN of ${cknLength} octets, expected ${CKN_MIN_LEN}..${CKN_MAX_LEN}`);
    }
    return { type: PARAMETER_SET_TYPE.distributedCak, wrappedCak: body.slice(0, 24), ckn: body.slice(24) };
  },
  encode(s: DistributedCak) {
    checkLength(NAME, 'AES Key Wrap of CAK', s.wrappedCak, 24);
    if (s.ckn.length < CKN_MIN_LEN || s.ckn.length > CKN_MAX_LEN) throw new MkaError('invalidField', `${NAME}: CKN of ${s.ckn.length} octets`);
    return { octet1: 0, octet2High: 0, body: concat(s.wrappedCak, s.ckn) };
  },
};
