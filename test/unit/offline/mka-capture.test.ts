/**
 * `dxlab pcap decrypt --ckn --cak` on a capture of a whole MKA session between
 * two of dxlab's own KaYs, in each suite (XPN included): it derives ICK and
 * KEK, verifies the MKPDUs, unwraps every SAK (a rekey makes a second one on
 * the next AN) and decrypts every data frame with the SAK its AN and time
 * select. For XPN this also checks that the offline SSCI and salt rule is the
 * KaY's.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIPHER_SUITES, isMacsecFrame } from '../../../src/macsec/index.js';
import { LINKTYPE_ETHERNET, serializePcap, readCaptureFile } from '../../../src/io/pcap.js';
import { toHex } from '../../../src/shared/bytes.js';
import { KaySession } from '../../helpers/kay-session.js';
import { dxlab, dxlabJson } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { CAK, CKN, SCI_DX, SCI_RT, cfg } from '../mka/fixtures.js';

const tmp = tempDir();

describe('offline decryption of a dxlab MKA session', () => {
  for (const suite of CIPHER_SUITES) {
    it(suite.name, () => {
      const s = new KaySession([
        cfg(SCI_DX, { keyServerPriority: 16, cipherSuites: [suite], helloTimeMs: 500, lifeTimeMs: 1500 }),
        cfg(SCI_RT, { keyServerPriority: 32, cipherSuites: [suite], helloTimeMs: 500, lifeTimeMs: 1500 }),
      ]);
      s.advance(3000);
      let sent = 0;
      for (let k = 0; k < 5; k++) {
        expect(s.send(0, 1, new Uint8Array(60).fill(k))).toBe(true);
        expect(s.send(1, 0, new Uint8Array(100).fill(k))).toBe(true);
        sent += 2;
        s.advance(50);
      }
      s.requestRekey(0);
      s.advance(4000);
      for (let k = 0; k < 5; k++) {
        expect(s.send(0, 1, new Uint8Array(70).fill(k))).toBe(true);
        expect(s.send(1, 0, new Uint8Array(80).fill(k))).toBe(true);
        sent += 2;
        s.advance(50);
      }
      const ans = new Set(s.wire.filter((f) => isMacsecFrame(f.data)).map((f) => f.data[14]! & 3));
      expect(ans.size).toBe(2);
      const file = join(tmp, `${suite.cliName}.pcap`);
      writeFileSync(file, serializePcap(s.wire, { linkType: LINKTYPE_ETHERNET }));
      const out = join(tmp, `${suite.cliName}.clear.pcap`);
      const r = dxlabJson<{ decrypted: number; saks: number; icvFailed: number; noKey: number; mkpdus: number; icvErrors: number }>(
        'pcap', 'decrypt', file, '--out', out, '--ckn', toHex(CKN), '--cak', toHex(CAK),
      );
      expect(r.decrypted).toBe(sent);
      expect(r.saks).toBe(2);
      expect(r.icvFailed + r.noKey + r.icvErrors).toBe(0);
      expect(readCaptureFile(out).frames.filter((f) => isMacsecFrame(f.data))).toHaveLength(0);
    });
  }

  it('a wrong CAK: MKPDUs fail their ICV, nothing decrypts', () => {
    const s = new KaySession([cfg(SCI_DX, { helloTimeMs: 500 }), cfg(SCI_RT, { keyServerPriority: 32, helloTimeMs: 500 })]);
    s.advance(3000);
    expect(s.send(0, 1, new Uint8Array(60))).toBe(true);
    const file = join(tmp, 'wrong-cak.pcap');
    writeFileSync(file, serializePcap(s.wire, { linkType: LINKTYPE_ETHERNET }));
    const r = dxlabJson<{ decrypted: number; saks: number; noKey: number; mkpdus: number; icvErrors: number }>(
      'pcap', 'decrypt', file, '--out', join(tmp, 'x.pcap'), '--ckn', toHex(CKN), '--cak', 'ab'.repeat(32),
    );
    expect(r).toMatchObject({ decrypted: 0, saks: 0, noKey: 1 });
    expect(r.icvErrors).toBe(r.mkpdus);
    const insp = dxlab('pcap', 'inspect', file, '--ckn', toHex(CKN), '--cak', 'ab'.repeat(32));
    expect(insp.stdout).toMatch(/\[ICV does not verify\]/);
  });
});
