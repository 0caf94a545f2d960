/**
 * MACsec SAK Use (type 3, 802.1X-2020 11.11.1, figure 11-10). Octet 1:
 * Latest Key AN (0xC0), tx (0x20), rx (0x10), Old Key AN (0x0C), tx (0x02),
 * rx (0x01). Octet 2 high nibble: Plain Tx (0x8), Plain Rx (0x4), reserved
 * (0x2), Delay Protect (0x1). Body: empty ("MACsec not in use") or 40 octets:
 * latest KI (MI 12 ‖ KN 4) and lowest acceptable PN (4), then the same for the
 * old key. 802.1X-2020 allows no other body length (Wireshark packet-mka.c
 * note; hostap accepts longer bodies, we do not).
 */
import { ByteWriter } from '../../shared/bytes.js';
import { MkaError } from '../errors.js';
import { MI_LEN, PARAMETER_SET_TYPE } from '../constants.js';
import type { SakUse, SakUseKey } from './types.js';
import { bodyReader, checkLength, checkRange, type SetCodec, type SetHeader } from './set-header.js';

const NAME = 'MACsec SAK Use';
export const SAK_USE_BODY_LEN = 40;

export const sakUseCodec: SetCodec<SakUse> = {
  name: NAME,
  decode(h: SetHeader, body: Uint8Array): SakUse {
    if ((h.octet2High & 0x2) !== 0) throw new MkaError('malformedMkpdu', `${NAME}: reserved bit 0x20 of octet 2 is set`);
    if (body.length !== 0 && body.length !== SAK_USE_BODY_LEN) {
      throw new MkaError('malformedMkpdu', `${NAME}: body length ${body.length}, expected 0 or ${SAK_USE_BODY_LEN}`);
    }
    const o = h.octet1;
    const s: SakUse = {
      type: PARAMETER_SET_TYPE.sakUse,
      latestKeyAn: o >> 6,
      latestKeyTx: (o & 0x20) !== 0,
      latestKeyRx: (o & 0x10) !== 0,
      oldKeyAn: (o >> 2) & 3,
      oldKeyTx: (o & 0x02) !== 0,
      oldKeyRx: (o & 0x01) !== 0,
      plainTx: (h.octet2High & 0x8) !== 0,
      plainRx: (h.octet2High & 0x4) !== 0,
      delayProtect: (h.octet2High & 0x1) !== 0,
    };
    if (body.length > 0) {
      const r = bodyReader(NAME, body);
      const key = (which: string): SakUseKey => ({
        mi: r.copy(MI_LEN, `${which} Key Server MI`),
        kn: r.u32(`${which} Key Number`),
        lowestPn: r.u32(`${which} Lowest Acceptable PN`),
      });
      const latestKey = key('Latest Key');
      s.keys = { latestKey, oldKey: key('Old Key') };
    }
    return s;
  },
  encode(s: SakUse) {
    checkRange(NAME, 'Latest Key AN', s.latestKeyAn, 3);
    checkRange(NAME, 'Old Key AN', s.oldKeyAn, 3);
    const octet1 =
      (s.latestKeyAn << 6) |
      (s.latestKeyTx ? 0x20 : 0) |
      (s.latestKeyRx ? 0x10 : 0) |
      (s.oldKeyAn << 2) |
      (s.oldKeyTx ? 0x02 : 0) |
      (s.oldKeyRx ? 0x01 : 0);
    const octet2High = (s.plainTx ? 0x8 : 0) | (s.plainRx ? 0x4 : 0) | (s.delayProtect ? 0x1 : 0);
    const w = new ByteWriter(SAK_USE_BODY_LEN);
    if (s.keys) {
      for (const [which, k] of [['Latest Key', s.keys.latestKey], ['Old Key', s.keys.oldKey]] as const) {
        checkLength(NAME, `${which} Key Server MI`, k.mi, MI_LEN);
        checkRange(NAME, `${which} Key Number`, k.kn, 0xffffffff);
        checkRange(NAME, `${which} Lowest Acceptable PN`, k.lowestPn, 0xffffffff);
        w.bytes(k.mi).u32(k.kn).u32(k.lowestPn);
      }
    }
    return { octet1, octet2High, body: w.finish() };
  },
};
