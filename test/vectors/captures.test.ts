/**
 * The SecY against captures made by Linux kernel MACsec (test/vectors/captures).
 */
import { describe, expect, it } from 'vitest';
import { captureKeys, captureSas, loadCapture } from '../helpers/captures.js';
import { describeCleartext } from '../helpers/frames.js';
import { h, hex } from '../helpers/hex.js';
import { SecY, cipherSuiteByName, isMacsecFrame, parseSecTag, sciFromHex, type Sci } from '../../src/macsec/index.js';

for (const file of ['static-gcm-aes-256.pcap', 'static-gcm-aes-xpn-256.pcap', 'mka-cak256.pcap']) {
  describe(file, () => {
    const cap = loadCapture(file);
    const sas = captureSas(file);
    const cipherSuite = cipherSuiteByName(captureKeys(file).cipher_suite);
    const macsecFrames = cap.frames.filter((f) => isMacsecFrame(f.data));

    it('holds the number of MACsec frames keys.json lists', () => {
      expect(macsecFrames.length).toBe(captureKeys(file).frames.macsec);
    });

    it('every MACsec frame validates (replay protection on, window 0) to a well-formed ARP or IPv4 frame, and re-encrypts to the captured bytes', () => {
      const rx = new SecY({ txSci: sciFromHex('0000000000000001'), cipherSuite, replayProtect: true, replayWindow: 0 });
      const tx = new Map<Sci, SecY>();
      for (const sa of sas) {
        rx.createRxSc(sa.sci);
        rx.createRxSa(sa.sci, { an: sa.an, sak: h(sa.sak), lowestPn: sa.firstPn, ssci: sa.ssci, salt: sa.salt ? h(sa.salt) : undefined });
        rx.enableRxSa(sa.sci, sa.an);
        const t = new SecY({ txSci: sa.sci, cipherSuite });
        tx.set(sa.sci, t);
      }
      const kinds = new Set<string>();
      let wrapped = 0;
      for (const f of macsecFrames) {
        const r = rx.validate(f.data);
        expect(r.verdict, `frame ${hex(f.data.subarray(0, 32))}`).toBe('inPktsOK');
        if (!r.ok) continue;
        const kind = describeCleartext(r.frame);
        expect(['arp', 'ipv4']).toContain(kind);
        kinds.add(kind);
        if (r.pn! > 0xffffffffn) wrapped++;
        // Re-encrypt at the same PN with the sender's SA: the captured bytes come back.
        const sa = sas.find((s) => s.sci === r.sci)!;
        const t = tx.get(sa.sci)!;
        t.createTxSa({ an: sa.an, sak: h(sa.sak), nextPn: r.pn!, ssci: sa.ssci, salt: sa.salt ? h(sa.salt) : undefined });
        t.enableTxSa(sa.an);
        const p = t.protect(r.frame);
        expect(p.ok && hex(p.frame)).toBe(hex(f.data));
      }
      expect(kinds).toEqual(new Set(['arp', 'ipv4']));
      const snap = rx.snapshot();
      expect(snap.rxScs.reduce((n, sc) => n + sc.inPktsOK, 0)).toBe(macsecFrames.length);
      if (cipherSuite.xpn) {
        // PNs start at 0xFFFFFFFD: most frames lie past the 32-bit wrap.
        expect(wrapped).toBeGreaterThan(0);
        for (const sc of snap.rxScs) expect(sc.sas[0]!.nextPn).toBeGreaterThan(0x100000000n);
      }
    });

    it('a replay of any captured frame is late', () => {
      const rx = new SecY({ txSci: sciFromHex('0000000000000001'), cipherSuite });
      for (const sa of sas) {
        rx.createRxSc(sa.sci);
        rx.createRxSa(sa.sci, { an: sa.an, sak: h(sa.sak), lowestPn: sa.firstPn, ssci: sa.ssci, salt: sa.salt ? h(sa.salt) : undefined });
        rx.enableRxSa(sa.sci, sa.an);
      }
      for (const f of macsecFrames) rx.validate(f.data);
      for (const f of macsecFrames) expect(rx.validate(f.data).verdict).toBe('inPktsLate');
      const tag = parseSecTag(macsecFrames[0]!.data, cipherSuite.xpn);
      expect(tag.ok && tag.tag.sc).toBe(true);
    });
  });
}
