/**
 * tshark reads every pcap dxlab writes: no malformed frame, no expert error.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { dxlabJson, ROOT } from '../../helpers/cli.js';
import { capturePath, saArgs } from '../../helpers/captures.js';
import { tempDir } from '../../helpers/tmp.js';
import { tshark, tsharkProblems } from '../../helpers/tshark.js';

const tmp = tempDir();

function protocols(file: string): Set<string> {
  return new Set(tshark(file, undefined, ['frame.protocols']).flatMap((p) => p.split(':')));
}

describe('tshark on dxlab output', () => {
  for (const file of ['static-gcm-aes-256.pcap', 'static-gcm-aes-xpn-256.pcap', 'mka-cak256.pcap']) {
    it(`decrypted ${file} reads as ARP and ICMP, no MACsec left`, () => {
      const out = join(tmp, `${file}.dec.pcap`);
      dxlabJson('pcap', 'decrypt', capturePath(file), '--out', out, ...saArgs(file));
      expect(tsharkProblems(out)).toEqual([]);
      const p = protocols(out);
      expect(p.has('arp')).toBe(true);
      expect(p.has('icmp')).toBe(true);
      expect(p.has('macsec')).toBe(false);
      expect(tshark(out, 'icmp.type == 8', ['frame.number']).length).toBeGreaterThan(0);
      expect(tshark(out, 'icmp.type == 0', ['frame.number']).length).toBeGreaterThan(0);
    });
  }

  it('a decrypted copy named .pcapng is pcapng that tshark reads', () => {
    const out = join(tmp, 'dec.pcapng');
    dxlabJson('pcap', 'decrypt', capturePath('static-gcm-aes-256.pcap'), '--out', out, ...saArgs('static-gcm-aes-256.pcap'));
    expect(tsharkProblems(out)).toEqual([]);
    // Wireshark's file-type name for pcapng (wiretap's "pcapng").
    const type = spawnSync('capinfos', ['-t', out], { encoding: 'utf8' }).stdout;
    expect(type).toMatch(/File type:\s+Wireshark\/\.\.\. - pcapng/);
    expect(tshark(out, 'icmp', ['frame.number']).length).toBeGreaterThan(0);
    expect(protocols(out).has('macsec')).toBe(false);
  });

  it('re-encrypted captures read as MACsec', () => {
    const clear = join(tmp, 'enc.clear.pcap');
    const prot = join(tmp, 'enc.prot.pcap');
    dxlabJson('pcap', 'decrypt', capturePath('static-gcm-aes-256.pcap'), '--out', clear, ...saArgs('static-gcm-aes-256.pcap'));
    dxlabJson('pcap', 'encrypt', clear, '--out', prot, ...saArgs('static-gcm-aes-256.pcap'));
    expect(tsharkProblems(prot)).toEqual([]);
    expect(tshark(prot, 'macsec', ['frame.number'])).toHaveLength(24);
  });

  const samples = readdirSync(join(ROOT, 'pcaps/samples')).filter((f) => f.endsWith('.pcap'));
  it('there are samples', () => expect(samples.length).toBeGreaterThanOrEqual(5));
  for (const s of samples) {
    it(`sample ${s} and its decrypted copy`, () => {
      const path = join(ROOT, 'pcaps/samples', s);
      const out = join(tmp, `${s}.dec.pcap`);
      const keys = path.replace(/\.pcap$/, '.keys.json');
      const c = dxlabJson<{ frames: number; decrypted: number }>('pcap', 'decrypt', path, '--keys', keys, '--out', out);
      expect(c.decrypted).toBe(c.frames);
      for (const f of [path, out]) {
        const problems = tsharkProblems(f);
        if (s.startsWith('annex-c-')) {
          // The Annex C frames carry EtherType 0x0800 followed by 0f 10 11 ..., which is
          // not an IPv4 header: tshark's "Bogus IPv4 version" is about the standard's
          // test data, and appears only where the IPv4 bytes are visible (cleartext or
          // integrity-only frames). Nothing else may be flagged.
          for (const p of problems) expect(p).toMatch(/\teth:ethertype:(macsec:ethertype:)?ip\tBogus IPv4 version/);
        } else {
          expect(problems).toEqual([]);
        }
      }
      if (s.startsWith('vif-ping')) expect(tshark(out, 'icmp', ['frame.number'])).toHaveLength(6);
    });
  }
});
