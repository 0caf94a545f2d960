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

/**
 * Every frame's protocols and ICMP types, from one tshark run (a tshark start
 * costs about a second on the loaded 2-core CI machine: one read of the file
 * instead of one per question). A field that occurs more than once in a frame
 * (an ICMP error quoting an echo) comes comma-separated: tshark(1), -E
 * occurrence=a and aggregator=, are the defaults of -T fields.
 */
function readFrames(file: string): { protocols: Set<string>; icmpTypes: number[] } {
  const rows = tshark(file, undefined, ['frame.protocols', 'icmp.type']).map((l) => l.split('\t'));
  return {
    protocols: new Set(rows.flatMap(([p]) => (p ?? '').split(':'))),
    icmpTypes: rows.flatMap(([, t]) => (t ? t.split(',').map(Number) : [])),
  };
}

describe('tshark on dxlab output', () => {
  for (const file of ['static-gcm-aes-256.pcap', 'static-gcm-aes-xpn-256.pcap', 'mka-cak256.pcap']) {
    it(`decrypted ${file} reads as ARP and ICMP, no MACsec left`, () => {
      const out = join(tmp, `${file}.dec.pcap`);
      dxlabJson('pcap', 'decrypt', capturePath(file), '--out', out, ...saArgs(file));
      expect(tsharkProblems(out)).toEqual([]);
      const { protocols: p, icmpTypes } = readFrames(out);
      expect(p.has('arp')).toBe(true);
      expect(p.has('icmp')).toBe(true);
      expect(p.has('macsec')).toBe(false);
      // Echo requests and replies.
      expect(icmpTypes).toContain(8);
      expect(icmpTypes).toContain(0);
    });
  }

  it('a decrypted copy named .pcapng is pcapng that tshark reads', () => {
    const out = join(tmp, 'dec.pcapng');
    dxlabJson('pcap', 'decrypt', capturePath('static-gcm-aes-256.pcap'), '--out', out, ...saArgs('static-gcm-aes-256.pcap'));
    expect(tsharkProblems(out)).toEqual([]);
    // Wireshark's file-type name for pcapng (wiretap's "pcapng").
    const type = spawnSync('capinfos', ['-t', out], { encoding: 'utf8' }).stdout;
    expect(type).toMatch(/File type:\s+Wireshark\/\.\.\. - pcapng/);
    const { protocols: p } = readFrames(out);
    expect(p.has('icmp')).toBe(true);
    expect(p.has('macsec')).toBe(false);
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
