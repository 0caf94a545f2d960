import { SecY, GCM_AES_128, cipherSuiteByName, sciFromHex, type CipherSuite, type SecYConfig, type Sci, type SecYSnapshot } from '../../src/macsec/index.js';

export const TX_SCI = sciFromHex('0200000000010001');
export const RX_SCI = sciFromHex('0200000000020001');

export function key(suite: CipherSuite, seed = 1): Uint8Array {
  return Uint8Array.from({ length: suite.keyLength }, (_, i) => (i * 7 + seed) & 0xff);
}
export const SALT = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);

/** A transmitting and a receiving SecY sharing SA `an` of the transmitter's SC. */
export function pair(opts: { suite?: CipherSuite | string; tx?: Partial<SecYConfig>; rx?: Partial<SecYConfig>; an?: number; nextPn?: bigint; lowestPn?: bigint } = {}) {
  const suite = typeof opts.suite === 'string' ? cipherSuiteByName(opts.suite) : (opts.suite ?? GCM_AES_128);
  const an = opts.an ?? 0;
  const tx = new SecY({ txSci: TX_SCI, cipherSuite: suite, ...opts.tx });
  const rx = new SecY({ txSci: RX_SCI, cipherSuite: suite, ...opts.rx });
  const xpn = suite.xpn ? { ssci: 1, salt: SALT } : {};
  tx.createTxSa({ an, sak: key(suite), nextPn: opts.nextPn ?? 1n, ...xpn });
  tx.enableTxSa(an);
  rx.createRxSc(TX_SCI);
  rx.createRxSa(TX_SCI, { an, sak: key(suite), lowestPn: opts.lowestPn ?? 1n, ...xpn });
  rx.enableRxSa(TX_SCI, an);
  return { tx, rx, suite };
}

export function ethFrame(payloadLen: number, etherType = 0x0800, fill = 0x5a): Uint8Array {
  const f = new Uint8Array(14 + payloadLen).fill(fill);
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]);
  f[12] = etherType >> 8;
  f[13] = etherType & 0xff;
  return f;
}

/** Sum of every receive packet counter (SecY and SC levels; per-SA copies excluded). */
export function rxPacketTotal(s: SecYSnapshot): number {
  const { secy } = s;
  let n =
    secy.inPktsUntagged + secy.inPktsNoTag + secy.inPktsBadTag + secy.inPktsUnknownSCI + secy.inPktsNoSCI +
    secy.inPktsOverrun + secy.inPktsUncontrolledOnly + secy.inPktsMalformed;
  for (const sc of s.rxScs) {
    n += sc.inPktsOK + sc.inPktsInvalid + sc.inPktsNotValid + sc.inPktsLate + sc.inPktsUnchecked + sc.inPktsDelayed + sc.inPktsNotUsingSA + sc.inPktsUnusedSA;
  }
  return n;
}

export type { Sci };
