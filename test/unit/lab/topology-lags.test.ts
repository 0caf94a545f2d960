/**
 * `topology.lags`: members become links of type lag with the LAG's one
 * MACsec block, a VIF ends on node:LAG, and AWS rule V16 holds (2 to 4
 * members at 10 Gbps, 2 at 100 and 400 Gbps, all between the same two
 * devices).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadTopology, parseTopology } from '../../../src/lab/index.js';
import { ROOT } from '../../helpers/cli.js';
import { topologyError } from '../../helpers/topology-error.js';

const KEY = `keyChain: [{ ckn: ${'ab'.repeat(32)}, cak: ${'cd'.repeat(32)} }]`;

function topo(o: { speed?: string; members?: string[]; extra?: string; vifEnds?: string; links?: string } = {}): string {
  const members = o.members ?? ['[r:eth1, d:eth1]', '[r:eth2, d:eth2]'];
  return `name: t
topology:
  nodes:
    r: { kind: router }
    d: { kind: dx-device, speed: ${o.speed ?? '10G'} }
    s: { kind: router }
${o.links ?? ''}  lags:
    - name: lag1
      members:
${members.map((m) => `        - ${m}`).join('\n')}
      macsec: { mode: must_encrypt, cipherSuites: [gcm-aes-xpn-256], ${KEY} }
${o.extra ?? ''}  vifs:
    - name: v
      endpoints: ${o.vifEnds ?? '[r:lag1, d:lag1]'}
      ipv4: [169.254.1.1/30, 169.254.1.2/30]
`;
}

describe('topology lags', () => {
  it('members become links of type lag carrying the LAG MACsec; the VIF ends on the LAG', () => {
    const t = parseTopology(topo(), 'x.yaml');
    expect(t.links.map((l) => [l.type, l.lag, l.macsec?.mode])).toEqual([
      ['lag', 'lag1', 'must_encrypt'],
      ['lag', 'lag1', 'must_encrypt'],
    ]);
    expect(t.lags).toEqual([{ name: 'lag1', nodes: ['r', 'd'], members: [0, 1], ports: { r: ['eth1', 'eth2'], d: ['eth1', 'eth2'] }, minimumLinks: 0, lacp: { mode: 'active', rate: 'fast' } }]);
    expect(t.vifs[0]!.ends).toEqual([{ node: 'r', port: 'lag1' }, { node: 'd', port: 'lag1' }]);
  });
  it('both shipped LAG topologies resolve', () => {
    const a = loadTopology(join(ROOT, 'topologies/lag-router-dx.yaml'));
    expect(a.lags![0]!.ports).toEqual({ router: ['eth1', 'eth2'], dx: ['eth1', 'eth2'] });
    const b = loadTopology(join(ROOT, 'topologies/lag-router-switch-dx.yaml'));
    expect(b.lags![0]!.nodes).toEqual(['switch', 'dx']);
    expect(b.vifs[0]!.ends[1]).toEqual({ node: 'dx', port: 'lag1' });
  });
  it.each([
    [{ speed: '100G', members: ['[r:eth1, d:eth1]', '[r:eth2, d:eth2]', '[r:eth3, d:eth3]'] }, /topology.lags.0.members: AWS rule V16 .* 100G ports has 2 to 2 members .*got 3/],
    [{ members: ['[r:eth1, d:eth1]', '[r:eth2, d:eth2]', '[r:eth3, d:eth3]', '[r:eth4, d:eth4]', '[r:eth5, d:eth5]'] }, /10G ports has 2 to 4 members.*got 5/],
    [{ members: ['[r:eth1, d:eth1]'] }, /has 2 to 4 members.*got 1/],
    [{ members: ['[r:eth1, d:eth1]', '[s:eth2, d:eth2]'] }, /topology.lags.0.members.1: every member of LAG lag1 joins r and d/],
    [{ extra: '      minimumLinks: 3\n' }, /topology.lags.0.minimumLinks: 3 is more than the LAG's 2 members/],
    [{ vifEnds: '[r:eth1, d:lag1]' }, /topology.vifs.0.endpoints.0: r:eth1 is a member of LAG lag1: a VIF over the LAG ends on r:lag1/],
    [{ links: '  links:\n    - { endpoints: [r:eth7, d:eth7], type: lag }\n' }, /topology.links.0.type: a link of type lag is a LAG member/],
    [{ members: ['[r:eth1, d:eth1]', '[r:eth1, d:eth2]'] }, /topology.lags.0.members.1.0: port r:eth1 is already on another link/],
  ])('refused: %j', (o, re) => {
    expect(topologyError(topo(o)).message).toMatch(re);
  });
  it("a DX device's rules hold for the LAG's MACsec, the error pointing into the LAG", () => {
    const e = topologyError(topo().replace(`ckn: ${'ab'.repeat(32)}`, 'ckn: abcd'));
    expect(e.message).toMatch(/x.yaml:\d+: topology.lags.0.macsec.keyChain.0.ckn: node d: AWS rule V3/);
  });
});
