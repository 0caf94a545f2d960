/**
 * A link's static SAs in a topology (`macsec.staticSas`): checked at parse
 * time with the field named (each end's SA as the node will check it, and
 * what only the pair shows), kept out of the topology a lab writes, refused
 * by an AWS-strict DX device, and handed to a linux-peer guest as `ip
 * macsec` lines with the peer's SCI the lab fills in.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology, parseTopology, topologyWithoutKeys } from '../../../src/lab/index.js';
import { guestPlan } from '../../../src/lab/runtimes/vm-node.js';
import { guestSetupLines } from '../../../src/lab/images/guest-config.js';
import { ROOT } from '../../helpers/cli.js';
import { routerDxText, topologyError } from '../../helpers/topology-error.js';

const K256A = '2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c';
const K256B = '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4';
const SALT = '9a5e3c1d7f0b2a4c6e8d1f3b';

/** A router -- DX device (awsStrict: false unless `dx` says otherwise) link with these static SAs. */
function text(sas: string, o: { suite?: string; dx?: string; extra?: string } = {}): string {
  return routerDxText({
    dx: o.dx ?? ', awsStrict: false',
    link: `      macsec:\n${o.extra ?? ''}        staticSas:\n          cipherSuite: ${o.suite ?? 'gcm-aes-xpn-256'}\n          sas:\n${sas}`,
  });
}
const xpnSas = (sscis = [1, 2], keys = [K256A, K256B]) => `            - { an: 0, key: ${keys[0]}, pn: "0xffffff00", ssci: ${sscis[0]}, salt: ${SALT} }\n            - { an: 1, key: ${keys[1]}, ssci: ${sscis[1]}, salt: ${SALT} }\n`;

describe('static SAs in a topology', () => {
  it('the shipped topologies parse: the link has its two SAs and no key chain', () => {
    for (const f of ['static-sas.yaml', 'linux-peer-static.yaml']) {
      const l = loadTopology(join(ROOT, 'topologies', f)).links[0]!;
      expect(l.macsec!.keyChain).toEqual([]);
      expect(l.macsec!.staticSas!.cipherSuite).toBe('gcm-aes-xpn-256');
      expect(l.macsec!.staticSas!.sas.map((s) => s.an)).toEqual([0, 1]);
    }
  });

  it('a key chain from the defaults does not apply to a link with static SAs; both on the link is refused', () => {
    const t = parseTopology(routerDxText({ dx: ', awsStrict: false', defaults: `  defaults:\n    macsec:\n      keyChain: [{ ckn: "0f1e", cak: "${K256A.slice(0, 32)}" }]\n`, link: `      macsec:\n        staticSas:\n          cipherSuite: gcm-aes-xpn-256\n          sas:\n${xpnSas()}` }), 'x.yaml');
    expect(t.links[0]!.macsec!.keyChain).toEqual([]);
    const both = topologyError(text(xpnSas(), { extra: `        keyChain: [{ ckn: "0f1e", cak: "${K256A.slice(0, 32)}" }]\n` }));
    expect(both.message).toMatch(/topology\.links\.0\.macsec\.staticSas: static SAs replace MKA: give staticSas or a keyChain on this link, not both/);
  });

  it('static SAs in the defaults are refused: each link has its own', () => {
    const e = topologyError(routerDxText({ dx: ', awsStrict: false', defaults: `  defaults:\n    macsec:\n      staticSas:\n        cipherSuite: gcm-aes-128\n        sas:\n          - { an: 0, key: ${K256A.slice(0, 32)} }\n          - { an: 1, key: ${K256B.slice(0, 32)} }\n`, link: '      macsec: true\n' }));
    expect(e.message).toMatch(/topology\.defaults\.macsec\.staticSas: static SAs belong to one link/);
  });

  it("each SA is checked as the node checks it, the field named by the end's index", () => {
    // A 16-octet key for a 256-bit suite, on the second end.
    expect(topologyError(text(xpnSas([1, 2], [K256A, K256B.slice(0, 32)]))).message).toMatch(/topology\.links\.0\.macsec\.staticSas\.sas\.1\.key: gcm-aes-xpn-256 needs a 32-octet key, got 16 octets/);
    // An SSCI with a suite that has none, on the first end.
    expect(topologyError(text(`            - { an: 0, key: ${K256A}, ssci: 1 }\n            - { an: 1, key: ${K256B} }\n`, { suite: 'gcm-aes-256' })).message).toMatch(/staticSas\.sas\.0\.ssci: only an XPN suite has an SSCI/);
    // XPN without its salt.
    expect(topologyError(text(`            - { an: 0, key: ${K256A}, ssci: 1, salt: ${SALT} }\n            - { an: 1, key: ${K256B}, ssci: 2 }\n`)).message).toMatch(/staticSas\.sas\.1\.salt: gcm-aes-xpn-256 is an XPN suite/);
    // A first PN beyond 2^32-1 without XPN.
    expect(topologyError(text(`            - { an: 0, key: ${K256A}, pn: "0x100000000" }\n            - { an: 1, key: ${K256B} }\n`, { suite: 'gcm-aes-256' })).message).toMatch(/staticSas\.sas\.0\.pn: the first PN is 1 to 4294967295/);
    // One SA only: the schema wants two.
    expect(topologyError(text(`            - { an: 0, key: ${K256A} }\n`, { suite: 'gcm-aes-256' })).message).toMatch(/staticSas\.sas/);
  });

  it('a PN that is not a whole number (YAML reads 1e309 and .inf as Infinity) is refused naming the field, not a RangeError', () => {
    for (const pn of ['1e309', '.inf', '1.5']) {
      expect(topologyError(text(`            - { an: 0, key: ${K256A}, pn: ${pn}, ssci: 1, salt: ${SALT} }\n            - { an: 1, key: ${K256B}, ssci: 2, salt: ${SALT} }\n`)).message, pn).toMatch(/^x\.yaml:\d+: topology\.links\.0\.macsec\.staticSas\.sas\.0\.pn: must be integer/);
    }
  });
  it('with XPN the two ends have different SSCIs', () => {
    expect(topologyError(text(xpnSas([7, 7]))).message).toMatch(/staticSas\.sas\.1\.ssci: both ends have SSCI 7/);
  });

  it('an AWS-strict DX device takes no static SAs; awsStrict: false lifts it', () => {
    expect(topologyError(text(xpnSas(), { dx: '' })).message).toMatch(/staticSas: node d: AWS Direct Connect keys MACsec by MKA from a CKN\/CAK .* only: a DX device takes no static SAs/);
    expect(() => parseTopology(text(xpnSas()), 'x.yaml')).not.toThrow();
  });

  it('a linux-peer takes any suite with static SAs (no wpa_supplicant), but still not a setting its kernel lacks', () => {
    const peer = (extra = '') => `name: t\ntopology:\n  nodes:\n    p: { kind: linux-peer }\n    d: { kind: dx-device, awsStrict: false }\n  links:\n    - endpoints: [p:eth1, d:eth1]\n      macsec:\n${extra}        staticSas:\n          cipherSuite: gcm-aes-xpn-256\n          sas:\n${xpnSas()}`;
    expect(parseTopology(peer(), 'x.yaml').links[0]!.macsec!.staticSas!.cipherSuite).toBe('gcm-aes-xpn-256');
    expect(topologyError(peer('        confidentialityOffset: 30\n')).message).toMatch(/a linux-peer cannot take confidentialityOffset/);
  });

  it('the topology a lab keeps has no static SAK (and still the SAs without their keys)', () => {
    const t = topologyWithoutKeys(loadTopology(join(ROOT, 'topologies', 'static-sas.yaml')));
    const json = JSON.stringify(t);
    expect(json).not.toContain(K256A);
    expect(json).not.toContain(K256B);
    expect(t.links[0]!.macsec!.staticSas!.sas.map((s) => [s.an, s.key, s.ssci])).toEqual([[0, '', 1], [1, '', 2]]);
    // The file itself does hold them: the test above reads what the lab writes, not a copy without keys.
    expect(readFileSync(join(ROOT, 'topologies', 'static-sas.yaml'), 'utf8')).toContain(K256A);
  });

  it("a linux-peer's guest gets ip macsec lines: its own SA to send, ours to receive, our SCI from the lab, and no wpa_supplicant", () => {
    const plan = guestPlan(
      {
        name: 'p',
        controlSocket: '/nonexistent',
        ports: [{ name: 'eth1', wire: 'w', taps: [{ name: 't', vlan: 100, mtu: 1500, addresses: ['169.254.100.1/30'] }], macsec: { mode: 'must_encrypt', replayWindow: 0, staticSas: { cipherSuite: 'gcm-aes-xpn-256', peerSci: '02:53:08:ea:01:19/1', tx: { an: 0, key: K256A, pn: '0xffffff00', ssci: 2, salt: SALT }, rx: [{ an: 1, key: K256B, ssci: 1, salt: SALT }] } } }],
      },
      1536,
    );
    expect(plan.mka).toBeUndefined();
    const lines = guestSetupLines(plan).join('\n');
    expect(lines).not.toContain('wpa_supplicant');
    expect(lines).toContain('ip link add link eth0 macsec0 type macsec port 1 cipher gcm-aes-xpn-256 encrypt on send_sci on replay on window 0 validate strict encodingsa 0');
    expect(lines).toContain(`ip macsec add macsec0 tx sa 0 xpn 4294967040 ssci 2 salt ${SALT} on key`);
    expect(lines).toContain('ip macsec add macsec0 rx port 1 address 02:53:08:ea:01:19 on');
    expect(lines).toContain(`ip macsec add macsec0 rx port 1 address 02:53:08:ea:01:19 sa 1 xpn 1 ssci 1 salt ${SALT} on key`);
    // The VIF goes on macsec0, as with MKA.
    expect(Buffer.from(/echo (\S+) \| base64 -d > \/run\/dxlab\/net\.sh/.exec(lines)![1]!, 'base64').toString()).toContain('ip link add link macsec0 name vif0 type vlan id 100');
  });
});
