/**
 * `dxlab link up` as a generated two-node topology: node names rt and dx,
 * port eth1, an untagged TAP each at 169.254.100.1/30 and .2/30, VLAN TAPs,
 * and AWS's rules lifted on dx (with a note) only when an option asks for
 * something AWS does not do.
 */
import { describe, expect, it } from 'vitest';
import { linkTopology, resolveTopology } from '../../../src/lab/index.js';

const PAIR = { ckn: 'a'.repeat(64), cak: 'b'.repeat(64) };
const resolved = (o: Parameters<typeof linkTopology>[0], pair = PAIR) => {
  const { raw, notes } = linkTopology(o, pair);
  return { t: resolveTopology(raw, 'dxlab link up x'), notes };
};

describe('the link shorthand as a topology', () => {
  it('rt (router) and dx (dx-device, 10G, strict) on eth1, MACsec with the pair, dx the key server, untagged TAPs', () => {
    const { t, notes } = resolved({ name: 'x' });
    expect(notes).toEqual([]);
    expect(t.nodes.map((n) => [n.name, n.kind])).toEqual([['rt', 'router'], ['dx', 'dx-device']]);
    expect(t.nodes[1]!.options).toEqual({ speed: '10G' });
    expect(t.links).toHaveLength(1);
    expect(t.links[0]).toMatchObject({ a: { node: 'rt', port: 'eth1' }, b: { node: 'dx', port: 'eth1' } });
    expect(t.links[0]!.macsec).toMatchObject({ mode: 'should_encrypt', cipherSuites: ['gcm-aes-xpn-256'], keyChain: [PAIR], keyServerPriority: { dx: 16, rt: 32 } });
    expect(t.links[0]!.macsec!.helloTimeMs).toBeUndefined();
    expect(t.vifs).toEqual([expect.objectContaining({ name: 'link', mtu: 1500, ipv4: ['169.254.100.1/30', '169.254.100.2/30'], vlans: [undefined, undefined] })]);
    expect(t.vifs[0]!.vlan).toBeUndefined();
    expect(t.captures).toEqual([]);
  });

  it('options: MTU, mode, fast timers, VLAN TAPs (one with another VLAN on dx), captures, log level', () => {
    const { t } = resolved({ name: 'x', mtu: 9001, mode: 'must_encrypt', fast: true, capture: true, logLevel: 'warn', vlans: [{ vlan: 100 }, { vlan: 200, dxVlan: 300 }] });
    expect(t.links[0]!.macsec).toMatchObject({ mode: 'must_encrypt', helloTimeMs: 500, lifeTimeMs: 1500 });
    expect(t.vifs.map((v) => [v.vlans, v.mtu, v.ipv4])).toEqual([
      [[undefined, undefined], 9001, ['169.254.100.1/30', '169.254.100.2/30']],
      [[100, 100], 9001, ['169.254.101.1/30', '169.254.101.2/30']],
      [[200, 300], 9001, ['169.254.102.1/30', '169.254.102.2/30']],
    ]);
    expect(t.captures.map((c) => `${c.node}:${c.port}`)).toEqual(['rt:eth1', 'dx:eth1']);
    expect(t.nodes.every((n) => n.logLevel === 'warn')).toBe(true);
    const one = resolved({ name: 'x', vlans: [{ vlan: 100, only: 'dx' }] }).t;
    expect(one.vifs[1]).toMatchObject({ vlan: 100, only: 'aws' });
  });

  it('--cipher gcm-aes-128 or a 128-bit CAK: dx runs with awsStrict false, and a note names the AWS rule', () => {
    const a = resolved({ name: 'x', cipherSuites: ['gcm-aes-128'] });
    expect(a.t.nodes[1]!.options).toMatchObject({ awsStrict: false });
    expect(a.notes).toEqual([expect.stringMatching(/^dx runs with awsStrict: false, as asked: AWS rule V2 .*not gcm-aes-128$/)]);
    const b = resolved({ name: 'x' }, { ckn: 'ab', cak: 'cd'.repeat(16) });
    expect(b.t.nodes[1]!.options).toMatchObject({ awsStrict: false });
    expect(b.notes[0]).toMatch(/AWS rule V3/);
    expect(resolved({ name: 'x', cipherSuites: ['gcm-aes-256'] }).notes).toEqual([]);
  });
});
