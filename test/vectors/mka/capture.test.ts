/**
 * ../shared/captures/mka-cak256.pcap (wpa_supplicant 2.10 ↔ wpa_supplicant
 * 2.10, Linux 6.1; keys in keys.json): every MKPDU decodes and re-encodes to
 * the same octets, its ICV verifies with the ICK derived from the CAK/CKN, the
 * Distributed SAK unwraps to the listed SAK. Also the three whole MKPDUs of
 * docs/mka-decisions.md §11 (setup cak128).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { capturePath } from '../../helpers/captures.js';
import { readCaptureFile } from '../../../src/io/pcap.js';
import { fromHex, toHex } from '../../../src/shared/bytes.js';
import { decodeMkpdu, encodeMkpdu, verifyMkpduIcv, type DistributedSak, type SakUse } from '../../../src/mka/mkpdu/index.js';
import { deriveIck, deriveKek } from '../../../src/mka/kdf.js';
import { unwrapKey } from '../../../src/mka/key-wrap.js';
import { summariseMkpdu } from '../../../src/mka/summary.js';

const keys = JSON.parse(readFileSync(capturePath('keys.json'), 'utf8'));
const cap = keys.captures.find((c: { file: string }) => c.file === 'mka-cak256.pcap');
const frames = readCaptureFile(capturePath('mka-cak256.pcap')).frames;
const mkpdus = frames.filter((f) => f.data[12] === 0x88 && f.data[13] === 0x8e).map((f) => f.data);

describe('mka-cak256.pcap', () => {
  const ick = deriveIck(fromHex(cap.cak), fromHex(cap.ckn));
  const kek = deriveKek(fromHex(cap.cak), fromHex(cap.ckn));

  it('holds the 13 MKPDUs keys.json counts', () => {
    expect(mkpdus.length).toBe(cap.frames.mka);
  });

  it('every MKPDU decodes, re-encodes to the same octets and its ICV verifies', () => {
    for (const f of mkpdus) {
      const m = decodeMkpdu(f);
      expect(toHex(encodeMkpdu(m))).toBe(toHex(f));
      expect(verifyMkpduIcv(f, ick)).toBe(true);
      // sealing again with the ICK gives the captured ICV too
      expect(toHex(encodeMkpdu(m, ick))).toBe(toHex(f));
      expect(toHex(m.basic.ckn)).toBe(cap.ckn);
    }
  });

  it('decodes at every alignment 0..7 of its buffer', () => {
    for (const f of mkpdus) {
      for (let off = 0; off < 8; off++) {
        const buf = new Uint8Array(f.length + off);
        buf.set(f, off);
        const m = decodeMkpdu(buf.subarray(off));
        expect(toHex(encodeMkpdu(m))).toBe(toHex(f));
        expect(verifyMkpduIcv(buf.subarray(off), ick)).toBe(true);
      }
    }
  });

  it('the Distributed SAK unwraps with the KEK to the listed SAK; KN 1 is big-endian on the wire', () => {
    const dist = mkpdus
      .map((f) => decodeMkpdu(f))
      .flatMap((m) => m.parameterSets.filter((s): s is DistributedSak => s.type === 4));
    expect(dist.length).toBeGreaterThan(0);
    for (const d of dist) {
      expect(d.key?.kn).toBe(1);
      expect(d.distributedAn).toBe(0);
      expect(d.confidentialityOffset).toBe(1);
      expect(d.key?.cipherSuite).toBeUndefined(); // 28-octet GCM-AES-128 form
      expect(toHex(d.key!.wrappedSak)).toBe(cap.saks_distributed_by_a[0].wrapped_sak);
      expect(toHex(unwrapKey(kek, d.key!.wrappedSak).expose())).toBe(cap.saks_distributed_by_a[0].sak);
    }
    // keys.json writes ki as MI ‖ 01000000: that is hostap's host-order key id
    // handed to the kernel; the MKPDU carries KN = 00000001.
    const f = mkpdus.find((x) => decodeMkpdu(x).parameterSets.some((s) => s.type === 4))!;
    expect(toHex(f)).toContain('0410001c00000001' + cap.saks_distributed_by_a[0].wrapped_sak);
  });

  it('SAK Use shows the hostap quirk: the key in use in the old slot once settled (docs/mka-decisions.md §5)', () => {
    const last = decodeMkpdu(mkpdus[mkpdus.length - 1]!);
    const su = last.parameterSets.find((s): s is SakUse => s.type === 3)!;
    expect(su.latestKeyTx || su.latestKeyRx).toBe(false);
    expect(su.oldKeyTx && su.oldKeyRx).toBe(true);
    expect(toHex(su.keys!.oldKey.mi)).toBe(cap.peers[0].mi[0]);
  });

  it('summarises each MKPDU on one line', () => {
    const lines = mkpdus.map((f) => summariseMkpdu(decodeMkpdu(f)));
    expect(lines[0]).toMatch(/^MKA v1 SCI 52:54:00:99:00:02\/1 MI a0c9b2360653478ee06c70e3 MN 1 prio 16 KS/);
    expect(lines[2]).toMatch(/live da6279185229cbbc03e65b15\/1/);
    expect(lines[2]).toMatch(/DistSAK AN0 KN1 CO1/);
    expect(lines[4]).toMatch(/SAKUse latest KN1 AN0 rx/);
    for (const l of lines) expect(l).not.toMatch(/\n/);
  });
});

describe('whole MKPDUs of a wpa_supplicant 2.10 pair, 128-bit CAK (docs/mka-decisions.md §11)', () => {
  const ick = deriveIck(fromHex('e2c9da173d9636606573afcbe4ccd3a0'), fromHex('ef7ec0c2e66bc4ee72ecce52823dbf9d'));
  const vectors = {
    A:
      '0180c2000003525400990002888e03050074' +
      '0110e02c525400990002000188d8e7c7582179017958c982000000030080c201ef7ec0c2e66bc4ee72ecce52823dbf9d' +
      '01000010afd79bcf46433e113ac4064e00000001' +
      '0410001c00000001a5dc74feeed2599b9ed0918d0a2e21d71d995c00cd6a3012' +
      '07c9ffbfac76055f25159ce984c4af88',
    B:
      '0180c2000003525400990003888e03050080' +
      '0120602c5254009900030001afd79bcf46433e113ac4064e000000020080c201ef7ec0c2e66bc4ee72ecce52823dbf9d' +
      '0100001088d8e7c7582179017958c98200000003' +
      '03100028' + '88d8e7c7582179017958c982' + '00000001' + '00000001' + '000000000000000000000000' + '00000000' + '00000001' +
      'dd17c81543e4eabe6eaaf44b00cf5885',
    C:
      '0180c2000003525400990003888e03050080' +
      '0120602c5254009900030001afd79bcf46433e113ac4064e000000040080c201ef7ec0c2e66bc4ee72ecce52823dbf9d' +
      '0100001088d8e7c7582179017958c98200000004' +
      '03030028' + '000000000000000000000000' + '00000000' + '00000001' + '88d8e7c7582179017958c982' + '00000001' + '00000001' +
      'd101f66511a028fa628e5e370bcea45e',
  };
  for (const [name, hex] of Object.entries(vectors)) {
    it(`MKPDU ${name}: decodes, re-encodes, ICV verifies`, () => {
      const f = fromHex(hex);
      const m = decodeMkpdu(f);
      expect(toHex(encodeMkpdu(m))).toBe(hex);
      expect(verifyMkpduIcv(f, ick)).toBe(true);
      f[30]! ^= 0x01;
      expect(verifyMkpduIcv(f, ick)).toBe(false);
    });
  }
  it('MKPDU A: Distributed SAK unwraps to the listed SAK', () => {
    const m = decodeMkpdu(fromHex(vectors.A));
    const d = m.parameterSets.find((s): s is DistributedSak => s.type === 4)!;
    const kek = deriveKek(fromHex('e2c9da173d9636606573afcbe4ccd3a0'), fromHex('ef7ec0c2e66bc4ee72ecce52823dbf9d'));
    expect(toHex(unwrapKey(kek, d.key!.wrappedSak).expose())).toBe('cd2f7c04d540cf29e5fead36990bff90');
    expect(m.basic).toMatchObject({ version: 1, keyServerPriority: 0x10, keyServer: true, macsecDesired: true, macsecCapability: 2, mn: 3 });
  });
});

describe('mka-cak256.pcap data frames with the unwrapped SAK', () => {
  it('all 24 MACsec frames decrypt (GCM-AES-128, node:crypto) to ARP or IPv4', async () => {
    const { createDecipheriv } = await import('node:crypto');
    const kek = deriveKek(fromHex(cap.cak), fromHex(cap.ckn));
    const dist = mkpdus.map((f) => decodeMkpdu(f)).flatMap((m) => m.parameterSets.filter((s): s is DistributedSak => s.type === 4))[0]!;
    const sak = unwrapKey(kek, dist.key!.wrappedSak).expose();
    const data = frames.filter((f) => f.data[12] === 0x88 && f.data[13] === 0xe5).map((f) => f.data);
    expect(data.length).toBe(cap.frames.macsec);
    for (const f of data) {
      const tci = f[14]!;
      expect(tci & 0x20).toBe(0x20); // SCI present (wpa_supplicant always sends it)
      expect(tci & 0x03).toBe(dist.distributedAn);
      const secTagEnd = 12 + 2 + 1 + 1 + 4 + 8; // MACs, EtherType, TCI/AN, SL, PN, SCI
      const iv = new Uint8Array(12);
      iv.set(f.subarray(20, 28), 0); // SCI
      iv.set(f.subarray(16, 20), 8); // PN
      const d = createDecipheriv('aes-128-gcm', sak, iv);
      d.setAAD(f.subarray(0, secTagEnd));
      d.setAuthTag(f.subarray(f.length - 16));
      const plain = Buffer.concat([d.update(f.subarray(secTagEnd, f.length - 16)), d.final()]);
      const etherType = (plain[0]! << 8) | plain[1]!;
      expect([0x0806, 0x0800]).toContain(etherType);
    }
  });
});
