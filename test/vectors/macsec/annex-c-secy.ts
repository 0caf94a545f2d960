/**
 * How each Annex C and XPN test frame configures a SecY: the AN, the SCI and
 * the SecTAG bits read from the frame itself, so that every test that runs
 * the vectors (the SecY's own, the native engine's) derives them one way.
 */
import { cipherSuiteByName, sciFromHex, TCI_E, TCI_ES, TCI_SC, type Sci, type SecYConfig } from '../../../src/macsec/index.js';
import { ANNEX_C, type AnnexCFrame, type XpnFrame } from './annex-c.js';

export interface VectorSecY {
  an: number;
  sci: Sci;
  /** The frame's PN (the 64-bit PN for XPN). */
  pn: bigint;
  /** The frame before protection. */
  original: string;
  /** The SecY configuration that protects `original` into the vector's frame. */
  config: SecYConfig;
}

/** An Annex C frame: its TCI octet gives E, ES and SC; the AN is its low two bits. */
export function annexCSecY(v: AnnexCFrame): VectorSecY {
  const tci = parseInt(v.tci, 16);
  const sci = sciFromHex(v.sci);
  return {
    an: tci & 3,
    sci,
    pn: BigInt('0x' + v.pn),
    original: v.original,
    config: { txSci: sci, cipherSuite: cipherSuiteByName(v.suite), includeSci: (tci & TCI_SC) !== 0, es: (tci & TCI_ES) !== 0, confidentiality: (tci & TCI_E) !== 0 },
  };
}

/** C.1.3/C.1.4 protect the C.1 frame, C.5.3/C.5.4 the C.5 frame (docs/secy-decisions.md §3). */
const XPN_ORIGINALS: Record<string, string> = {
  'C.1': ANNEX_C.find((v) => v.name.startsWith('C.1 '))!.original,
  'C.5': ANNEX_C.find((v) => v.name.startsWith('C.5 '))!.original,
};

/** An XPN frame: the TCI is octet 14 of the protected frame; with SC = 0 the SC is named by the implicit SCI, SA ‖ 0001. */
export function xpnSecY(v: XpnFrame): VectorSecY {
  const tci = parseInt(v.protected.slice(28, 30), 16);
  const sendSci = (tci & TCI_SC) !== 0;
  const sci = sendSci ? sciFromHex(v.protected.slice(40, 56)) : sciFromHex(v.protected.slice(12, 24) + '0001');
  return {
    an: tci & 3,
    sci,
    pn: BigInt('0x' + v.pn64),
    original: XPN_ORIGINALS[v.name.slice(0, 3)]!,
    config: { txSci: sci, cipherSuite: cipherSuiteByName(v.suite), includeSci: sendSci, es: (tci & TCI_ES) !== 0, confidentiality: !v.integrity },
  };
}
