import { describe, expect, it } from 'vitest';
import { ANNEX_C, ANNEX_C_XPN, XPN_SALT, XPN_SSCI } from './annex-c.js';
import { annexCSecY, xpnSecY } from './annex-c-secy.js';
import { SecY, parseSecTag, sciFromHex } from '../../../src/macsec/index.js';
import { h, hex } from '../../helpers/hex.js';

describe('802.1AE Annex C frames (GCM-AES-128/256)', () => {
  for (const v of ANNEX_C) {
    const { an, sci, pn, config } = annexCSecY(v);

    it(`${v.name}: protect gives the exact SecTAG, ciphertext and ICV`, () => {
      const secy = new SecY(config);
      secy.createTxSa({ an, sak: h(v.key), nextPn: pn });
      secy.enableTxSa(an);
      const r = secy.protect(h(v.original));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(hex(r.frame)).toBe(v.protected);
      expect(hex(r.frame.subarray(-16))).toBe(v.icv);
    });

    it(`${v.name}: validate gives the original frame back`, () => {
      const secy = new SecY(config);
      secy.createRxSc(sci);
      secy.createRxSa(sci, { an, sak: h(v.key), lowestPn: 1n });
      secy.enableRxSa(sci, an);
      const r = secy.validate(h(v.protected));
      expect(r.verdict).toBe('inPktsOK');
      if (!r.ok) return;
      expect(hex(r.frame)).toBe(v.original);
      expect(r.pn).toBe(pn);
      const parsed = parseSecTag(h(v.protected), false);
      expect(parsed.ok && parsed.tag.sl).toBe(parseInt(v.protected.slice(30, 32), 16));
    });
  }
});

describe('802.1AEbw XPN frames', () => {
  for (const v of ANNEX_C_XPN) {
    const { an, sci, pn: pn64, original, config } = xpnSecY(v);
    const prot = h(v.protected);

    it(`${v.name} ${v.suite}: protect with SSCI, salt and a 64-bit PN`, () => {
      const secy = new SecY(config);
      secy.createTxSa({ an, sak: h(v.key), nextPn: pn64, ssci: XPN_SSCI, salt: h(XPN_SALT) });
      secy.enableTxSa(an);
      const r = secy.protect(h(original));
      expect(r.ok && hex(r.frame)).toBe(v.protected);
    });

    it(`${v.name} ${v.suite}: validate recovers the 64-bit PN from the low 32 bits`, () => {
      const secy = new SecY(config);
      secy.createRxSc(sci);
      // The receiver knows the upper half from its own nextPN: start just below.
      secy.createRxSa(sci, { an, sak: h(v.key), lowestPn: pn64 - 1000n, ssci: XPN_SSCI, salt: h(XPN_SALT) });
      secy.enableRxSa(sci, an);
      const r = secy.validate(prot);
      expect(r.verdict).toBe('inPktsOK');
      expect(r.pn).toBe(pn64);
      if (r.ok) expect(hex(r.frame)).toBe(original);
    });
  }
});

describe('frames from a Linux 6.1 + wpa_supplicant 2.10 peer (docs/secy-decisions.md §3)', () => {
  const user = '0806000108000604000152540099000' + '20a6300020000000000000a630003';
  const original = 'ffffffffffff525400990002' + user;
  const sci = sciFromHex('5254009900020001');
  const cases = [
    {
      name: 'encrypted',
      sak: 'cd2f7c04d540cf29e5fead36990bff90',
      wire: 'ffffffffffff52540099000288e52c1e0000000152540099000200015' + '6ae2227901311ca2136f0c941120e06070783a6ddcb09d25f0ae05d7a856a826b230c0ec3be0dd85e97efb58eb8',
      encrypt: true,
    },
    {
      name: 'integrity only',
      sak: '009afc64739be15cfe20e85b7240f69c',
      wire: 'ffffffffffff52540099000288e5201e000000015254009900020001' + user + 'f115e0170e9b5d0851fec289f7796adc',
      encrypt: false,
    },
  ];
  for (const c of cases) {
    it(`${c.name} ARP request: same bytes both ways`, () => {
      const tx = new SecY({ txSci: sci, confidentiality: c.encrypt });
      tx.createTxSa({ an: 0, sak: h(c.sak) });
      tx.enableTxSa(0);
      const p = tx.protect(h(original));
      expect(p.ok && hex(p.frame)).toBe(c.wire);
      const rx = new SecY({ txSci: sciFromHex('5254009900030001') });
      rx.createRxSc(sci);
      rx.createRxSa(sci, { an: 0, sak: h(c.sak) });
      rx.enableRxSa(sci, 0);
      const v = rx.validate(h(c.wire));
      expect(v.verdict).toBe('inPktsOK');
      if (v.ok) expect(hex(v.frame)).toBe(original);
      const octets = c.encrypt ? rx.snapshot().rxScs[0]!.inOctetsDecrypted : rx.snapshot().rxScs[0]!.inOctetsValidated;
      expect(octets).toBe(30);
    });
  }
});
