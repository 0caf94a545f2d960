/**
 * Vectors for the MKA key functions: 802.1X-2020 Annex G (as carried by
 * MKAdaemon test/crypto/test-aes-kdf.cpp, restated in docs/mka-decisions.md §11), RFC 4493
 * and SP 800-38B D.3 (AES-CMAC), RFC 3394 §4.1/4.3/4.6 (key wrap), the
 * wpa_supplicant captures of test/vectors/captures/keys.json (docs/mka-decisions.md §11).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { capturePath } from '../../helpers/captures.js';
import { cmac } from '@noble/ciphers/aes.js';
import { fromHex, toHex } from '../../../src/shared/bytes.js';
import { deriveIck, deriveKek, deriveSak, kdf, mkpduIcv } from '../../../src/mka/kdf.js';
import { unwrapKey, wrapKey } from '../../../src/mka/key-wrap.js';
import { MkaError } from '../../../src/mka/errors.js';

const h = fromHex;

describe('AES-CMAC primitive (RFC 4493 §4, SP 800-38B D.3)', () => {
  it('CMAC-128 example 2 and the empty message', () => {
    const k = h('2b7e151628aed2a6abf7158809cf4f3c');
    expect(toHex(cmac(h('6bc1bee22e409f96e93d7e117393172a'), k))).toBe('070a16b46b4d4144f79bdd9dd04a287c');
    expect(toHex(cmac(new Uint8Array(0), k))).toBe('bb1d6929e95937287fa37d129b756746');
  });
  it('CMAC-256', () => {
    const k = h('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
    expect(toHex(mkpduIcv(k, h('6bc1bee22e409f96e93d7e117393172a')))).toBe('28a7023f452e8f82bd4bf28d8c37c35c');
  });
});

describe('KDF (802.1X-2020 6.2.1, Annex G.1)', () => {
  const label = 'HI THERE';
  const ctx = h('01020104');
  it('G.1.1 128-bit', () => {
    expect(toHex(kdf(h('1ab9024fa04a03feb9024fa04a03fe11'), label, ctx, 128))).toBe('b57a0b05f43e9600c3c4d15c1e3c26e8');
  });
  it('G.1.2 256-bit', () => {
    expect(toHex(kdf(h('3946ec36f59017f1267e914abed2dbf6633f52ae7e20309d3eefdda4073adfad'), label, ctx, 256))).toBe(
      '0efd01e5b03a0951a6df9bbffe419016ee40fdbfc3335ebf92ea03802214a307',
    );
  });
  it('rejects a key of another length', () => {
    expect(() => kdf(new Uint8Array(24), label, ctx, 128)).toThrow(MkaError);
  });
});

describe('ICK and KEK (Annex G.4/G.5)', () => {
  const cases = [
    {
      cak: '135bd758b0ee5c11c55ff6ab19fdb199',
      ckn: '96437a93ccf10d9dfe347846cce52c7d',
      kek: '8f5a384c15d6ae9302b462e363d03ca6',
      ick: '8f1c5cb1c8ed2e5f047906e0473aad4d',
    },
    {
      cak: 'a29efdb63d6fba73c65daab2295340a837a8886e94a905b5c9c7ef1d9dbb297e',
      ckn: '7888f5d48ba8b24e96bb95bd8c7304ec',
      kek: '71340e454c84a1232aa7977d5ed86f78f250f3f9d53584b9337ff0c6dfdc9f96',
      ick: '98b8544d7390a41e50ef72e25b4a036523c919e812918871949b48123eab526e',
    },
    // wpa_supplicant 2.10 captures (docs/mka-decisions.md §11): cak128, cak256 and cak256-integ, 32-octet CKNs included
    {
      cak: 'e2c9da173d9636606573afcbe4ccd3a0',
      ckn: 'ef7ec0c2e66bc4ee72ecce52823dbf9d',
      ick: '5e1a48b1cd3e641f3eac4b2972b2ddfa',
      kek: '6331e6170fde7531eed48423618b2f2a',
    },
    {
      cak: 'a5789086068c1e60cc9391dfc10e485dd83683278ec8b141c1e952a8e60db3cd',
      ckn: '8de3c7fc61c1af1119934ddadd79d92db641e91c0e94c8caea4e97813ec8e970',
      ick: '10bd51eee168c8e69567c26cda4915560c7b4170e9ede6c3e7df414317848a63',
      kek: 'a56bda816afb3b2cc89b07a3592f8b457531addb590f82fc385117568284f7d3',
    },
    {
      cak: '168d8254c889c9a156a92fb2122d44009219123ec5a67cf102e780ce0b2768d0',
      ckn: 'dab722a843924417b77220d94f851abf88dab4f75bed80efa6d4f6aee8721d2a',
      ick: '44f2b64fc38e67eec9f0477b6fe94f145b744976ef76e6711eba2985863b5d06',
      kek: 'ba253765ff32210b6deab0c3bcb51eb0b3353e98b5303f96108511939f8a5d44',
    },
  ];
  for (const c of cases) {
    it(`CAK ${c.cak.length / 2} octets, CKN ${c.ckn.length / 2} octets`, () => {
      expect(toHex(deriveIck(h(c.cak), h(c.ckn)).expose())).toBe(c.ick);
      expect(toHex(deriveKek(h(c.cak), h(c.ckn)).expose())).toBe(c.kek);
    });
  }
  it('captures/keys.json: ick and kek of mka-cak256.pcap', () => {
    const keys = JSON.parse(readFileSync(capturePath('keys.json'), 'utf8'));
    const cap = keys.captures.find((c: { file: string }) => c.file === 'mka-cak256.pcap');
    expect(toHex(deriveIck(h(cap.cak), h(cap.ckn)).expose())).toBe(cap.ick);
    expect(toHex(deriveKek(h(cap.cak), h(cap.ckn)).expose())).toBe(cap.kek);
  });
  it('CKN of 1 octet is zero-padded; CKN of 0 or 33 octets is refused', () => {
    const cak = h('135bd758b0ee5c11c55ff6ab19fdb199');
    const a = deriveIck(cak, h('ab'));
    const b = deriveIck(cak, h('ab000000000000000000000000000000'));
    expect(toHex(a.expose())).toBe(toHex(b.expose()));
    expect(() => deriveIck(cak, new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'invalidKey' }));
    expect(() => deriveKek(cak, new Uint8Array(33))).toThrow(expect.objectContaining({ code: 'invalidKey' }));
  });
  it('the derived keys print redacted', () => {
    const ick = deriveIck(h('135bd758b0ee5c11c55ff6ab19fdb199'), h('01'));
    expect(`${ick}`).toBe('[ICK redacted, 16 octets]');
    expect(JSON.stringify({ ick })).not.toMatch(/[0-9a-f]{32}/);
  });
});

describe('SAK derivation (Annex G.6)', () => {
  const mis = [h('cd421cf86ba457938657675b'), h('01020304050607080d1f36cf')];
  it('G.6.1 128-bit', () => {
    const sak = deriveSak(h('135bd758b0ee5c11c55ff6ab19fdb199'), h('0102030405060708090a0b0c0d0e0f10'), mis, 1, 16);
    expect(toHex(sak.expose())).toBe('045205925831ae59c14550ed59cc003d');
  });
  it('G.6.2 256-bit', () => {
    const sak = deriveSak(
      h('a29efdb63d6fba73c65daab2295340a837a8886e94a905b5c9c7ef1d9dbb297e'),
      h('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00'),
      mis,
      1,
      32,
    );
    expect(toHex(sak.expose())).toBe('bb692568b287484a5f3f4793b09732270d13dd818373c15b3f2793fdc1948a37');
  });
});

describe('AES key wrap (RFC 3394 §4.1, §4.3, §4.6) and the captures', () => {
  const kek128 = h('000102030405060708090a0b0c0d0e0f');
  const kek256 = h('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const key128 = h('00112233445566778899aabbccddeeff');
  const key256 = h('00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f');
  const vectors = [
    { kek: kek128, key: key128, out: '1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5' },
    { kek: kek256, key: key128, out: '64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7' },
    { kek: kek256, key: key256, out: '28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21' },
    // docs/mka-decisions.md §11: cak128 / cak256 / cak256-integ
    { kek: h('6331e6170fde7531eed48423618b2f2a'), key: h('cd2f7c04d540cf29e5fead36990bff90'), out: 'a5dc74feeed2599b9ed0918d0a2e21d71d995c00cd6a3012' },
    { kek: h('a56bda816afb3b2cc89b07a3592f8b457531addb590f82fc385117568284f7d3'), key: h('ec3ccec1c68dc1e2025f18c42ef5c46b'), out: '21a80756cdb6e8f93a9ec72e996de3ecbf3cfb54cf6160c9' },
    { kek: h('ba253765ff32210b6deab0c3bcb51eb0b3353e98b5303f96108511939f8a5d44'), key: h('009afc64739be15cfe20e85b7240f69c'), out: '78b160f469a15e93e38668925f04f8088e81628f66b36bc7' },
  ];
  for (const [i, v] of vectors.entries()) {
    it(`vector ${i + 1}: wrap and unwrap`, () => {
      expect(toHex(wrapKey(v.kek, v.key))).toBe(v.out);
      expect(toHex(unwrapKey(v.kek, h(v.out)).expose())).toBe(toHex(v.key));
    });
  }
  it('keys.json: wrapped_sak of mka-cak256.pcap unwraps to the listed SAK', () => {
    const keys = JSON.parse(readFileSync(capturePath('keys.json'), 'utf8'));
    const cap = keys.captures.find((c: { file: string }) => c.file === 'mka-cak256.pcap');
    const s = cap.saks_distributed_by_a[0];
    expect(toHex(unwrapKey(h(cap.kek), h(s.wrapped_sak)).expose())).toBe(s.sak);
  });
  it('a wrong KEK or a flipped bit is unwrapFailed, a bad length invalidKey', () => {
    const w = h('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    w[5]! ^= 1;
    expect(() => unwrapKey(kek128, w)).toThrow(expect.objectContaining({ name: 'MkaError', code: 'unwrapFailed' }));
    expect(() => unwrapKey(kek128, new Uint8Array(23))).toThrow(expect.objectContaining({ code: 'invalidKey' }));
    expect(() => wrapKey(new Uint8Array(24), key128)).toThrow(expect.objectContaining({ code: 'invalidKey' }));
  });
});
