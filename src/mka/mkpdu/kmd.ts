/**
 * Key Management Domain (type 6, 802.1X-2020 11.11.1, figure 11-14): the body
 * is the KMD string; octet 1 and octet 2 bits 7..4 reserved.
 */
import { PARAMETER_SET_TYPE } from '../constants.js';
import type { Kmd } from './types.js';
import { requireZero, type SetCodec, type SetHeader } from './set-header.js';

const NAME = 'Key Management Domain';

export const kmdCodec: SetCodec<Kmd> = {
  name: NAME,
  decode(h: SetHeader, body: Uint8Array): Kmd {
    requireZero(NAME, 'octet 1', h.octet1);
    requireZero(NAME, 'octet 2 bits 7..4', h.octet2High);
    return { type: PARAMETER_SET_TYPE.kmd, kmd: body.slice() };
  },
  encode(s: Kmd) {
    return { octet1: 0, octet2High: 0, body: s.kmd.slice() };
  },
};
