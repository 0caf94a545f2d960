/**
 * XPN parameter set (type 8, 802.1Xck-2018 / 802.1X-2020 11.11.1, figure
 * 11-16): octet 1 MKA Suspension Time, body 8 octets: the most significant 32
 * bits of the Latest Key and Old Key Lowest Acceptable PNs whose low halves
 * ride in SAK Use.
 */
import { PARAMETER_SET_TYPE } from '../constants.js';
import { MkaError } from '../errors.js';
import { ByteWriter } from '../../shared/bytes.js';
import type { XpnParameterSet } from './types.js';
import { bodyReader, checkRange, requireZero, type SetCodec, type SetHeader } from './set-header.js';

const NAME = 'XPN';

export const xpnCodec: SetCodec<XpnParameterSet> = {
  name: NAME,
  decode(h: SetHeader, body: Uint8Array): XpnParameterSet {
    requireZero(NAME, 'octet 2 bits 7..4', h.octet2High);
    if (body.length !== 8) throw new MkaError('malformedMkpdu', `${NAME}: body length ${body.length}, expected 8`);
    const r = bodyReader(NAME, body);
    return { type: PARAMETER_SET_TYPE.xpn, suspensionTime: h.octet1, latestKeyLowestPnHigh: r.u32('Latest Key Lowest Acceptable PN MSB'), oldKeyLowestPnHigh: r.u32('Old Key Lowest Acceptable PN MSB') };
  },
  encode(s: XpnParameterSet) {
    checkRange(NAME, 'MKA Suspension Time', s.suspensionTime, 0xff);
    checkRange(NAME, 'Latest Key Lowest Acceptable PN MSB', s.latestKeyLowestPnHigh, 0xffffffff);
    checkRange(NAME, 'Old Key Lowest Acceptable PN MSB', s.oldKeyLowestPnHigh, 0xffffffff);
    return { octet1: s.suspensionTime, octet2High: 0, body: new ByteWriter(8).u32(s.latestKeyLowestPnHigh).u32(s.oldKeyLowestPnHigh).finish() };
  },
};
