/**
 * Offline protection of a capture, the inverse of decrypt: for building test
 * captures. A frame is protected with the SA whose SCI's MAC address is the
 * frame's source address, at that SA's next PN; every other frame (and every
 * MKPDU or frame already protected) is copied unchanged.
 */
import type { CapturedFrame } from '../io/index.js';
import { ETHERTYPE_EAPOL, ETHERTYPE_MACSEC, SecY, sciMac, sciPort, sciToHex } from '../macsec/index.js';
import { FormatError } from '../shared/errors.js';
import { toHex } from '../shared/bytes.js';
import type { OfflineSa } from './sa.js';

export interface EncryptOptions {
  /** E = C = 0: the data stays readable, an ICV protects it. @default false */
  integrityOnly?: boolean;
  /** Send no SCI (ES = 1, implicit SCI = source address ‖ 0001). @default false */
  noSci?: boolean;
}

export interface EncryptReport {
  frames: number;
  protected: number;
  copied: number;
}

/**
 * @throws FormatError('saSpec') when an SA has no SCI, two SAs share a MAC,
 *   or `noSci` is asked for an SCI whose port is not 1.
 */
export function encryptFrames(frames: CapturedFrame[], sas: OfflineSa[], options: EncryptOptions = {}): { frames: CapturedFrame[]; report: EncryptReport } {
  const byMac = new Map<string, SecY>();
  for (const sa of sas) {
    if (sa.sci === undefined) throw new FormatError('saSpec', `${sa.origin}: encrypting needs the SA's sci= (its MAC picks the frames)`);
    if (options.noSci && sciPort(sa.sci) !== 1) {
      throw new FormatError('saSpec', `${sa.origin}: --no-sci gives receivers the implicit SCI <MAC>/1, but this SA's SCI ${sciToHex(sa.sci)} has port ${sciPort(sa.sci)}`);
    }
    const mac = toHex(sciMac(sa.sci));
    if (byMac.has(mac)) throw new FormatError('saSpec', `${sa.origin}: another SA already protects frames from ${mac}`);
    const secy = new SecY({
      txSci: sa.sci,
      cipherSuite: sa.suite,
      confidentiality: !options.integrityOnly,
      includeSci: !options.noSci,
      es: !!options.noSci,
    });
    secy.createTxSa({ an: sa.an, sak: sa.sak, nextPn: sa.firstPn, ssci: sa.ssci, salt: sa.salt });
    secy.enableTxSa(sa.an);
    byMac.set(mac, secy);
  }
  const report: EncryptReport = { frames: 0, protected: 0, copied: 0 };
  const out = frames.map((f) => {
    report.frames++;
    const type = f.data.length >= 14 ? (f.data[12]! << 8) | f.data[13]! : -1;
    const secy = type === ETHERTYPE_EAPOL || type === ETHERTYPE_MACSEC || type < 0 ? undefined : byMac.get(toHex(f.data.subarray(6, 12)));
    const r = secy?.protect(f.data);
    if (!r || !r.ok) {
      report.copied++;
      return f;
    }
    report.protected++;
    return { ...f, data: r.frame, origLength: r.frame.length };
  });
  return { frames: out, report };
}
