import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CIPHER_SUITES, sciMac, sciPort } from '../../../src/macsec/index.js';
import { TX_SCI, pair } from '../../helpers/secy.js';

// Without an explicit SCI (SC bit clear, ES set) the receiver takes the SCI
// from the source MAC address and port 1 (802.1AE-2018 9.9): frames sent so
// carry the transmitter's address, so the receiver finds its SC.
const TX_MAC = sciMac(TX_SCI);

describe('protect then validate round-trips', () => {
  it("the pair's transmit SCI is port 1, the port an implicit SCI names", () => {
    expect(sciPort(TX_SCI)).toBe(1);
  });
  for (const suite of CIPHER_SUITES) {
    it(`${suite.name}: random frames of 0 to 9000 octets of user data, with and without an explicit SCI`, () => {
      const runs = { sci: 0, implicit: 0 };
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 14, maxLength: 12 + 9000, size: 'max' }),
          fc.boolean(),
          fc.boolean(),
          fc.integer({ min: 0, max: 3 }),
          fc.bigInt({ min: 1n, max: suite.xpn ? 0xfffffffffffffff0n : 0xfffffff0n }),
          (frame, encrypt, includeSci, an, pn) => {
            runs[includeSci ? 'sci' : 'implicit']++;
            const { tx, rx } = pair({ suite, an, nextPn: pn, lowestPn: pn, tx: { confidentiality: encrypt, includeSci, es: !includeSci } });
            const sent = includeSci ? frame : Uint8Array.from(frame, (b, i) => (i >= 6 && i < 12 ? TX_MAC[i - 6]! : b));
            const p = tx.protect(sent);
            expect(p.ok).toBe(true);
            if (!p.ok) return;
            expect(p.frame.length).toBe(frame.length + (includeSci ? 32 : 24));
            const r = rx.validate(p.frame);
            expect(r.verdict).toBe('inPktsOK');
            expect(r.ok && Buffer.from(r.frame).equals(Buffer.from(sent))).toBe(true);
            expect(r.pn).toBe(pn);
          },
        ),
        { numRuns: 150 },
      );
      expect(runs.sci).toBeGreaterThan(0);
      expect(runs.implicit).toBeGreaterThan(0);
    });
  }
});
