import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology, parseTopology, LabError } from '../../../src/lab/index.js';
import { ROOT } from '../../helpers/cli.js';
import { routerDxText, topologyError } from '../../helpers/topology-error.js';

describe('topology files', () => {
  it('router-dx.yaml: AWS topology 2, MACsec router <-> DX, a VIF with BGP 65000 <-> 64512', () => {
    const t = loadTopology(join(ROOT, 'topologies/router-dx.yaml'));
    expect(t.nodes.map((n) => n.kind).sort()).toEqual(['dx-device', 'router']);
    expect(t.links).toHaveLength(1);
    expect(t.links[0]!.macsec?.cipherSuites[0]).toBe('gcm-aes-xpn-256');
    expect(t.links[0]!.macsec?.keyChain[0]!.cak).toMatch(/^[0-9a-f]{64}$/);
    expect(t.vifs[0]).toMatchObject({ vlan: 100, ipv4: ['169.254.100.1/30', '169.254.100.2/30'], bgp: { customerAsn: 65000, amazonAsn: 64512 } });
    expect(t.vifs[0]!.ipv6).toBeDefined();
  });
  it('router-switch-dx.yaml: AWS topology 1, MACsec switch <-> DX, the VIF runs through the switch', () => {
    const t = loadTopology(join(ROOT, 'topologies/router-switch-dx.yaml'));
    expect(t.links.map((l) => !!l.macsec)).toEqual([false, true]);
    expect(t.vifs[0]!.ends.map((e) => e.node)).toEqual(['router', 'dx']);
  });

  const base = routerDxText();
  const err = topologyError;
  it('a schema error names the file, the line and the YAML path', () => {
    const e = err(base.replace('kind: dx-device', 'kind: dx-thing'));
    expect(e).toBeInstanceOf(LabError);
    expect(e.message).toMatch(/^x\.yaml:5: topology\.nodes\.d\.kind: must be one of "dx-device", "router", "switch"/);
  });
  it('an alias naming no anchor, or a billion laughs of aliases, is a topology error naming the file, not a crash', () => {
    expect(err(base.replace('kind: dx-device', 'kind: *nowhere')).message).toMatch(/^x\.yaml: not YAML a topology can be read from: .*alias/i);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill('*' + 'abcdefghi'[i]).join(', ')}]`)].join('\n');
    expect(err(`${base}${laughs}\n`).message).toMatch(/^x\.yaml: not YAML a topology can be read from: /);
  });
  it('a key that is a list or a map is refused with its line, and yaml writes no warning to stderr', () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(err(base.replace('kind: dx-device', '[kind, x]: dx-device')).message).toMatch(/^x\.yaml:5: not YAML a topology can be read from: a key is a list or a map/);
      expect(err(`${base}? { a: 1 }\n: b\n`).message).toMatch(/^x\.yaml:\d+: not YAML a topology can be read from: a key is a list or a map/);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
  it("a VIF's BGP timers: AWS's 90/30 by default, a short hold time with a keepalive of a third of it, RFC 4271's limits refused", () => {
    const vif = (bgp: string) => `${base}  vifs:\n    - { name: v, vlan: 7, endpoints: [r:eth1, d:eth1], ipv4: [169.254.0.1/30, 169.254.0.2/30], bgp: { customerAsn: 65000${bgp} } }\n`;
    expect(parseTopology(vif(''), 'x.yaml').vifs[0]!.bgp).toMatchObject({ holdTimeS: 90, keepaliveS: 30, connectRetryS: 120 });
    expect(parseTopology(vif(', connectRetryS: 5'), 'x.yaml').vifs[0]!.bgp).toMatchObject({ connectRetryS: 5 });
    expect(err(vif(', connectRetryS: 0')).message).toMatch(/topology\.vifs\.0\.bgp\.connectRetryS/);
    expect(parseTopology(vif(', holdTimeS: 6'), 'x.yaml').vifs[0]!.bgp).toMatchObject({ holdTimeS: 6, keepaliveS: 2 });
    expect(parseTopology(vif(', holdTimeS: 0'), 'x.yaml').vifs[0]!.bgp).toMatchObject({ holdTimeS: 0, keepaliveS: 0 });
    expect(err(vif(', holdTimeS: 2')).message).toMatch(/topology\.vifs\.0\.bgp\.holdTimeS: 2: a hold time is 0 or at least 3 seconds/);
    expect(err(vif(', holdTimeS: 6, keepaliveS: 3')).message).toMatch(/topology\.vifs\.0\.bgp\.keepaliveS: 3 s is more than a third of the hold time 6 s/);
  });
  it('an endpoint naming no node', () => {
    expect(err(base.replace('[r:eth1, d:eth1]', '[r:eth1, q:eth1]')).message).toMatch(/^x\.yaml:7: topology\.links\.0\.endpoints\.1: no node named 'q'/);
  });
  it('MACsec without a key chain', () => {
    expect(err(base + '      macsec: true\n').message).toMatch(/MACsec needs a keyChain/);
  });
  it('a VIF between ports no link connects', () => {
    const t = base + `    - endpoints: [r:eth2, s:eth1]
  vifs:
    - { name: v, vlan: 5, endpoints: [r:eth1, d:eth2], ipv4: [169.254.0.1/30, 169.254.0.2/30] }
`;
    expect(err(t.replace('    d: { kind: dx-device }', '    d: { kind: dx-device }\n    s: { kind: switch }')).message).toMatch(/port d:eth2 is on no link/);
  });
  describe('VIF addresses', () => {
    const vif = (ipv4: string, ipv6?: string) => `${base}  vifs:
    - name: v
      vlan: 5
      endpoints: [r:eth1, d:eth1]
      ipv4: ${ipv4}
${ipv6 ? `      ipv6: ${ipv6}\n` : ''}`;
    it('an IPv4 address without its prefix length is refused by the schema, naming the line and the field', () => {
      const e = err(vif('[169.254.100.1, 169.254.100.2/30]'));
      expect(e).toBeInstanceOf(LabError);
      expect(e.code).toBe('topology');
      expect(e.message).toMatch(/^x\.yaml:12: topology\.vifs\.0\.ipv4\.0: "169\.254\.100\.1" is not an IPv4 address with its prefix length, e\.g\. 169\.254\.100\.1\/30$/);
    });
    it('an IPv6 address without its prefix length', () => {
      expect(err(vif('[169.254.100.1/30, 169.254.100.2/30]', '[2001:db8:100::1/125, 2001:db8:100::2]')).message).toMatch(/^x\.yaml:13: topology\.vifs\.0\.ipv6\.1: "2001:db8:100::2" is not an IPv6 address with its prefix length/);
    });
    it('two addresses in different subnets', () => {
      expect(err(vif('[169.254.100.1/30, 169.254.100.5/30]')).message).toMatch(/^x\.yaml:12: topology\.vifs\.0\.ipv4: 169\.254\.100\.1\/30 and 169\.254\.100\.5\/30 are not in one subnet/);
      expect(err(vif('[169.254.100.1/32, 169.254.100.2/32]')).message).toMatch(/topology\.vifs\.0\.ipv4: .* are not in one subnet/);
      expect(err(vif('[169.254.100.1/30, 169.254.100.2/30]', '[2001:db8:100::1/125, 2001:db8:100::9/125]')).message).toMatch(/^x\.yaml:13: topology\.vifs\.0\.ipv6: 2001:db8:100::1\/125 and 2001:db8:100::9\/125 are not in one subnet/);
    });
    it('different prefix lengths, one address twice, an octet above 255', () => {
      expect(err(vif('[169.254.100.1/30, 169.254.100.2/29]')).message).toMatch(/topology\.vifs\.0\.ipv4: .* different prefix lengths/);
      expect(err(vif('[169.254.100.1/30, 169.254.100.1/30]')).message).toMatch(/topology\.vifs\.0\.ipv4: both ends have the address 169\.254\.100\.1/);
      expect(err(vif('[169.254.100.1/30, 169.254.300.2/30]')).message).toMatch(/topology\.vifs\.0\.ipv4: 169\.254\.300\.2\/30 is not an IPv4 address/);
    });
    it('a /30, a /31 and an IPv6 /125 pass', () => {
      expect(parseTopology(vif('[169.254.100.1/30, 169.254.100.2/30]', '[2001:db8:100::1/125, 2001:db8:100::2/125]'), 'x.yaml').vifs[0]!.ipv6).toEqual(['2001:db8:100::1/125', '2001:db8:100::2/125']);
      expect(parseTopology(vif('[169.254.100.0/31, 169.254.100.1/31]'), 'x.yaml').vifs[0]!.ipv4).toEqual(['169.254.100.0/31', '169.254.100.1/31']);
    });
  });
  it('node names: NODE_NAME_RE is the schema\'s rule', async () => {
    const { NODE_NAME_RE } = await import('../../../src/lab/index.js');
    const schema = JSON.parse(readFileSync(join(ROOT, 'topologies/dxlab.schema.json'), 'utf8'));
    expect(NODE_NAME_RE.source).toBe(schema.properties.topology.properties.nodes.propertyNames.pattern);
  });
  it('not YAML', () => {
    expect(err('name: [').message).toMatch(/^x\.yaml:\d+: not YAML/);
  });
});

describe('dxlab graph', () => {
  it('draws both topologies as SVG: every node, MACsec links marked, the VIF with its BGP ASNs', async () => {
    const { topologySvg } = await import('../../../src/lab/index.js');
    const svg = topologySvg(loadTopology(join(ROOT, 'topologies/router-switch-dx.yaml')));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    for (const n of ['router', 'switch', 'dx']) expect(svg).toContain(`>${n}</text>`);
    expect(svg.match(/>MACsec should_encrypt</g)).toHaveLength(1);
    expect(svg).toContain('>gcm-aes-xpn-256 / gcm-aes-256<');
    expect(svg).toContain('VLAN 200');
    expect(svg).toContain('AS65001');
    const opens = (svg.match(/<(rect|text|line|path)\b/g) ?? []).length;
    const closes = (svg.match(/<\/text>|\/>/g) ?? []).length;
    expect(closes).toBe(opens);
  });
});
