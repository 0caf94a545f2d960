import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CIPHER_SUITES } from '../../../src/macsec/index.js';
import { pair } from '../../helpers/secy.js';

describe('protect then validate round-trips', () => {
  for (const suite of CIPHER_SUITES) {
    it(`${suite.name}: random frames of 0 to 9000 octets of user data`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 14, maxLength: 12 + 9000, size: 'max' }),
          fc.boolean(),
          fc.boolean(),
          fc.integer({ min: 0, max: 3 }),
          fc.bigInt({ min: 1n, max: suite.xpn ? 0xfffffffffffffff0n : 0xfffffff0n }),
          (frame, encrypt, includeSci, an, pn) => {
            const { tx, rx } = pair({ suite, an, nextPn: pn, lowestPn: pn, tx: { confidentiality: encrypt, includeSci, es: !includeSci } });
            // Without an explicit SCI the receiver names the SC from the source address.
            const p = tx.protect(includeSci ? frame : Uint8Array.from(frame, (b, i) => (i >= 6 && i < 12 ? [2, 2, 0, 0, 0, 1][i - 6]! : b)));
            expect(p.ok).toBe(true);
            if (!p.ok) return;
            expect(p.frame.length).toBe(frame.length + (includeSci ? 32 : 24));
            const r = rx.validate(p.frame);
            if (!includeSci) {
              // The implicit SCI 02:02:00:00:00:01/1 is not the receiver's SC.
              expect(r.verdict).toBe('inPktsNoSCI');
              return;
            }
            expect(r.verdict).toBe('inPktsOK');
            expect(r.ok && Buffer.from(r.frame).equals(Buffer.from(frame))).toBe(true);
            expect(r.pn).toBe(pn);
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});
