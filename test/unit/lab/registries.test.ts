/**
 * The three registries (node kinds, node runtimes, link types) and what the
 * topology resolver takes from them: the kind's fields only on that kind,
 * its VIF end and transit role, a link's type, and `via` through in-path
 * kinds only.
 */
import { describe, expect, it } from 'vitest';
import { LINK_TYPES, NODE_KINDS, NODE_RUNTIMES, LabError, linkType, nodeKind, nodeRuntime, parseTopology } from '../../../src/lab/index.js';
import { routerDxText, topologyError } from '../../helpers/topology-error.js';

const HEX = (c: string) => c.repeat(64);
const base = (extra = '', link = '') => routerDxText({ dx: extra, link: link ? `${link.slice(1)}\n` : '' });

const err = topologyError;

describe('registries', () => {
  it('hold the kinds, runtimes and link types of today, each by its name, the first the default', () => {
    expect(NODE_KINDS.map((k) => k.name)).toEqual(['dx-device', 'router', 'switch', 'provider', 'attacker', 'linux-peer']);
    expect(NODE_RUNTIMES.map((r) => r.name)).toEqual(['netns-process', 'qemu-vm', 'docker']);
    expect(LINK_TYPES.map((t) => t.name)).toEqual(['veth', 'lag']);
    expect(nodeRuntime(undefined).name).toBe('netns-process');
    expect(linkType(undefined).name).toBe('veth');
    expect(() => nodeKind('cisco')).toThrow(/no node kind 'cisco'/);
  });

  it('the kinds declare their roles: the VIF ends, the switch transit, what each node process runs as', () => {
    expect(nodeKind('router').vifEnd).toBe('customer');
    expect(nodeKind('dx-device').vifEnd).toBe('aws');
    expect(nodeKind('switch').transit).toBe(true);
    expect(nodeKind('switch').nodeConfig?.({ name: 's', kind: 'switch' }, ['eth1', 'eth2'])).toEqual({ bridge: ['eth1', 'eth2'] });
    expect(NODE_KINDS.every((k) => ['dx-device', 'router', 'switch', 'provider', 'attacker'].includes(k.nodeKind))).toBe(true);
    expect(NODE_KINDS.filter((k) => k.inPath).map((k) => k.name)).toEqual(['provider', 'attacker']);
  });

  it("the schema takes a kind's fields on that kind only, and kinds, runtimes and link types from the registries", () => {
    const t = parseTopology(base(', speed: 100G, runtime: netns-process'), 'x.yaml');
    expect(t.nodes.find((n) => n.name === 'd')).toMatchObject({ kind: 'dx-device', runtime: 'netns-process', options: { speed: '100G' } });
    expect(err(base().replace('r: { kind: router }', 'r: { kind: router, speed: 10G }')).message).toMatch(/^x\.yaml:4: topology\.nodes\.r: unknown field 'speed'/);
    // `runtime: docker` in the topology: a container on the docker runtime's engine (runtimes/docker.ts).
    expect(parseTopology(base(', runtime: docker'), 'x.yaml').nodes.find((n) => n.name === 'd')).toMatchObject({ kind: 'dx-device', runtime: 'docker' });
    expect(err(base(', runtime: vm')).message).toMatch(/topology\.nodes\.d\.runtime: must be one of "netns-process"/);
    expect(err(base('', '\n      type: tunnel')).message).toMatch(/topology\.links\.0\.type: must be one of "veth", "lag"/);
    // A lag link is a LAG's member: written under topology.lags (topology-lags.test.ts), not on its own.
    expect(err(base('', '\n      type: lag')).message).toMatch(/topology\.links\.0\.type: a link of type lag is a LAG member/);
    expect(parseTopology(base('', '\n      type: veth'), 'x.yaml').links[0]!.type).toBe('veth');
  });

  it('a link through in-path nodes: providers and attackers only, each once, never at a link end, never left out', () => {
    const text = base('', '\n      via: [s]').replace('    d: { kind', '    s: { kind: switch }\n    d: { kind');
    expect(err(text).message).toMatch(/^x\.yaml:9: topology\.links\.0\.via\.0: node s is a switch, which cannot sit inside a link \(in-path kinds: provider, attacker\)/);
    expect(err(base('', '\n      via: [q]')).message).toMatch(/topology\.links\.0\.via\.0: no node named 'q'/);
    const withP = (link: string, extra = '') => base('', link).replace('    d: { kind', `    p: { kind: provider, mode: provider-bridge, latencyMs: 5 }\n    m: { kind: attacker }${extra}\n    d: { kind`);
    const t = parseTopology(withP('\n      via: [p, m]'), 'x.yaml');
    expect(t.links[0]!.via).toEqual(['p', 'm']);
    expect(t.nodes.find((n) => n.name === 'p')).toMatchObject({ kind: 'provider', options: { mode: 'provider-bridge', latencyMs: 5 } });
    expect(err(withP('\n      via: [p, p, m]')).message).toMatch(/topology\.links\.0\.via\.1: node p sits in another place already/);
    expect(err(withP('\n      via: [p]')).message).toMatch(/topology\.nodes\.m: node m is an attacker: name it in a link's via/);
    expect(err(withP('\n      via: [p, m]').replace('endpoints: [r:eth1, d:eth1]', 'endpoints: [r:eth1, p:eth1]')).message).toMatch(/topology\.links\.0\.endpoints\.1: node p is a provider: it sits inside a link/);
    expect(err(withP('\n      via: [p, m]').replace('mode: provider-bridge', 'mode: bridge')).message).toMatch(/topology\.nodes\.p\.mode: must be one of "transparent", "provider-bridge", "filter-all"/);
    expect(err(withP('\n      via: [p, m]').replace('m: { kind: attacker }', 'm: { kind: attacker, mode: transparent }')).message).toMatch(/topology\.nodes\.m: unknown field 'mode'/);
  });

  it('a VIF without a VLAN (untagged TAPs), one with a VLAN per end, one on one end only', () => {
    const t = parseTopology(
      base() +
        `  vifs:
    - { name: u, endpoints: [r:eth1, d:eth1], ipv4: [169.254.0.1/30, 169.254.0.2/30] }
    - { name: m, vlan: [200, 300], endpoints: [r:eth1, d:eth1], ipv4: [169.254.1.1/30, 169.254.1.2/30] }
`,
      'x.yaml',
    );
    expect(t.vifs[0]!.vlan).toBeUndefined();
    expect(t.vifs[0]!.vlans).toEqual([undefined, undefined]);
    expect(t.vifs[1]).toMatchObject({ vlan: 200, vlans: [200, 300] });
    const one = parseTopology(base() + '  vifs:\n    - { name: o, vlan: 7, only: aws, endpoints: [r:eth1, d:eth1], ipv4: [169.254.0.1/30, 169.254.0.2/30] }\n', 'x.yaml');
    expect(one.vifs[0]!.only).toBe('aws');
    const bgp = base() + '  vifs:\n    - { name: o, vlan: 7, only: aws, endpoints: [r:eth1, d:eth1], ipv4: [169.254.0.1/30, 169.254.0.2/30], bgp: { customerAsn: 65000 } }\n';
    expect(err(bgp).message).toMatch(/topology\.vifs\.0\.only: a VIF on one end only has no BGP session/);
  });

  it('a MACsec key of the size a router takes but AWS does not: fine between routers', () => {
    const chain = `{ keyChain: [{ ckn: "ab", cak: "${'cd'.repeat(16)}" }], cipherSuites: [gcm-aes-128] }`;
    const t = parseTopology(base('', `\n      macsec: ${chain}`).replace('kind: dx-device', 'kind: router'), 'x.yaml');
    expect(t.links[0]!.macsec?.keyChain[0]!.ckn).toBe('ab');
    expect(HEX('a')).toHaveLength(64);
  });
});
