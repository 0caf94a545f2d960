/**
 * The dx-device kind holds a topology to AWS's fixed side of MACsec
 * (directconnect-api.md V2, V3, V14): each rule refused with the file, the
 * line, the YAML path and the rule's name; `awsStrict: false` accepts each;
 * a router keeps every knob open.
 */
import { describe, expect, it } from 'vitest';
import { LabError, parseTopology } from '../../../src/lab/index.js';
import { routerDxText, topologyError } from '../../helpers/topology-error.js';

const CKN = 'a'.repeat(64);
const CAK = 'b'.repeat(64);

function topo(o: { node?: string; macsec?: string; ckn?: string; cak?: string; dxKind?: string } = {}): string {
  const macsec = `      macsec:
        keyChain: [{ ckn: "${o.ckn ?? CKN}", cak: "${o.cak ?? CAK}" }]
${o.macsec ?? ''}`;
  return routerDxText({ dx: o.node, dxKind: o.dxKind, link: macsec });
}

const err = topologyError;

const RULES: Array<[string, Parameters<typeof topo>[0], RegExp]> = [
  ['a CKN shorter than 64 hex digits (V3)', { ckn: 'ab'.repeat(16) }, /^x\.yaml:9: topology\.links\.0\.macsec\.keyChain\.0\.ckn: node d: AWS rule V3 .*CKN of exactly 64 hex digits, got 32/],
  ['a 128-bit CAK (V3)', { cak: 'cd'.repeat(16) }, /topology\.links\.0\.macsec\.keyChain\.0\.cak: node d: AWS rule V3 .*CAK of exactly 64 hex digits/],
  ['GCM-AES-128 (V2)', { macsec: '        cipherSuites: [gcm-aes-128]\n' }, /^x\.yaml:10: topology\.links\.0\.macsec\.cipherSuites\.0: node d: AWS rule V2 .*a 10G DX port takes gcm-aes-256 and gcm-aes-xpn-256 only, not gcm-aes-128/],
  ['GCM-AES-256 on a 100G port (V2)', { node: ', speed: 100G', macsec: '        cipherSuites: [gcm-aes-xpn-256, gcm-aes-256]\n' }, /cipherSuites\.1: node d: AWS rule V2 .*a 100G DX port takes gcm-aes-xpn-256 only, not gcm-aes-256/],
  ['GCM-AES-256 on a 400G port (V2)', { node: ', speed: 400G', macsec: '        cipherSuites: [gcm-aes-256]\n' }, /AWS rule V2 .*400G/],
  ['no SCI (V14)', { macsec: '        includeSci: false\n' }, /topology\.links\.0\.macsec\.includeSci: node d: AWS rule V14 .*always sends the SCI and requires it from its peer/],
  ['an 802.1Q tag in clear (V14)', { macsec: '        clearTextEtherTypes: [0x88cc, 0x8100]\n' }, /macsec\.clearTextEtherTypes\.1: node d: AWS rule V14 .*no 802\.1Q tag in clear \(0x8100\)/],
  ['a confidentiality offset of 30', { macsec: '        confidentialityOffset: 30\n' }, /macsec\.confidentialityOffset: node d: AWS rule .*confidentiality offset 0, not 30/],
];

describe('dx-device: AWS fixed side', () => {
  it('accepts what AWS does: 64-hex keys, XPN-256 at any speed, GCM-AES-256 at 10G, offset 0', () => {
    expect(() => parseTopology(topo({ macsec: '        cipherSuites: [gcm-aes-xpn-256, gcm-aes-256]\n        confidentialityOffset: 0\n' }), 'x.yaml')).not.toThrow();
    for (const speed of ['100G', '400G']) expect(() => parseTopology(topo({ node: `, speed: ${speed}`, macsec: '        cipherSuites: [gcm-aes-xpn-256]\n' }), 'x.yaml')).not.toThrow();
  });

  for (const [what, o, re] of RULES) {
    it(`refuses ${what}, naming the rule; awsStrict: false accepts it; a router takes it`, () => {
      expect(err(topo(o)).message).toMatch(re);
      expect(err(topo(o)).message).toMatch(/awsStrict: false on the node lifts the AWS rules/);
      const t = parseTopology(topo({ ...o, node: `${o?.node ?? ''}, awsStrict: false` }), 'x.yaml');
      expect(t.nodes.find((n) => n.name === 'd')!.options).toMatchObject({ awsStrict: false });
      expect(() => parseTopology(topo({ ...o, node: undefined, dxKind: 'router' }), 'x.yaml')).not.toThrow();
    });
  }

  it('a speed AWS does not sell is refused by the schema', () => {
    expect(err(topo({ node: ', speed: 40G' })).message).toMatch(/topology\.nodes\.d\.speed: must be one of "10G", "100G", "400G"/);
  });
});
