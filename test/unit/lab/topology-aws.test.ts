/**
 * What a topology says for the AWS API: a dx-device's `location`, and
 * `connection: none` on a link to a DX port (that port free for
 * CreateConnection); both checked with the file, line and path.
 */
import { describe, expect, it } from 'vitest';
import { loadTopology, parseTopology } from '../../../src/lab/index.js';
import { topologyError } from '../../helpers/topology-error.js';
import { ROOT } from '../../helpers/cli.js';
import { join } from 'node:path';

const KEY = '{ ckn: "' + '1'.repeat(64) + '", cak: "' + 'a'.repeat(64) + '" }';
const topo = (o: { dx?: string; link?: string; a?: string } = {}) => `name: t
topology:
  defaults: { macsec: { keyChain: [${KEY}] } }
  nodes:
    r: { kind: router }
    s: { kind: switch }
    d: { kind: dx-device${o.dx ?? ''} }
  links:
    - endpoints: [${o.a ?? 'r:eth1'}, d:eth1]
      macsec: true${o.link ?? ''}
`;

describe('the AWS fields of a topology', () => {
  it('takes a location on a dx-device, and refuses it on a router', () => {
    expect(parseTopology(topo({ dx: ', location: IAD66' }), 'x.yaml').nodes.find((n) => n.name === 'd')!.options).toEqual({ location: 'IAD66' });
    const e = topologyError(topo({ dx: ', location: "IAD 66"' }));
    expect(e.message).toMatch(/^x\.yaml:\d+: topology\.nodes\.d\.location: /);
    expect(topologyError(topo().replace('r: { kind: router }', 'r: { kind: router, location: IAD66 }')).message).toMatch(/unknown field 'location'/);
  });

  it('takes connection: none on a link to a DX port, and refuses it on a link without one, naming the path', () => {
    expect(parseTopology(topo({ link: '\n      connection: none' }), 'x.yaml').links[0]).toMatchObject({ connection: 'none' });
    const noDx = topo().replace('    - endpoints: [r:eth1, d:eth1]\n      macsec: true', '    - endpoints: [r:eth1, s:eth1]\n      connection: none');
    expect(topologyError(noDx).message).toBe('x.yaml:10: topology.links.0.connection: connection: none leaves a DX device port free, and neither end of this link is a dx-device');
    expect(topologyError(topo({ link: '\n      connection: some' })).message).toMatch(/topology\.links\.0\.connection: must be one of "none"/);
  });

  it('ships router-dx-two-links.yaml: the old connection with the VIF, the new one free', () => {
    const t = loadTopology(join(ROOT, 'topologies', 'router-dx-two-links.yaml'));
    expect(t.links.map((l) => [l.a.node + ':' + l.a.port, l.b.node + ':' + l.b.port, l.connection ?? 'seeded'])).toEqual([
      ['router:eth1', 'dx:eth1', 'seeded'],
      ['router:eth2', 'dx:eth2', 'none'],
    ]);
    expect(t.vifs[0]).toMatchObject({ name: 'private-vif', vlan: 100, ends: [{ node: 'router', port: 'eth1' }, { node: 'dx', port: 'eth1' }] });
  });
});
