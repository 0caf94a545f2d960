/** A lab across hosts (hosts.ts): topology `hosts:` and `host:`, each host's part, VNIs, the underlay MTU a tunnel needs. */
import { describe, expect, it } from 'vitest';
import { LabError, loadTopology, parseTopology } from '../../../src/lab/index.js';
import { VXLAN_OVERHEAD, VXLAN_UDP_PORT, hostPart, linkVni, underlayMtuNeeded, underlayMtuWarning } from '../../../src/lab/hosts.js';
import { WIRE_EXTRA } from '../../../src/lab/constants.js';
import { routerDxText, topologyError } from '../../helpers/topology-error.js';

const HOSTS = `  hosts:
    a: { underlay: { address: 192.0.2.1 } }
    b: { underlay: { address: 192.0.2.2, interface: ul0 } }
`;
const twoHosts = (o: { router?: string; dx?: string; link?: string; hosts?: string } = {}) => routerDxText({ router: o.router ?? ', host: a', dx: o.dx ?? ', host: b', ...(o.link ? { link: o.link } : {}), defaults: o.hosts ?? HOSTS });

describe('topology hosts', () => {
  it('places each node on a host and keeps the underlay and a given VNI', () => {
    const t = parseTopology(twoHosts({ link: '      vni: 4242\n' }), 'x.yaml');
    expect(t.hosts).toEqual({ a: { underlay: { address: '192.0.2.1' } }, b: { underlay: { address: '192.0.2.2', interface: 'ul0' } } });
    expect(t.nodes.map((n) => [n.name, n.host])).toEqual([['r', 'a'], ['d', 'b']]);
    expect(t.nodes[0]!.options).toEqual({});
    expect(t.links[0]!.vni).toBe(4242);
  });
  it('refuses a node without a host, a host not named, a host without hosts, naming the field', () => {
    expect(topologyError(twoHosts({ dx: '' })).message).toMatch(/topology\.nodes\.d: missing field 'host'/);
    expect(topologyError(twoHosts({ dx: ', host: c' })).message).toMatch(/topology\.nodes\.d\.host: no host named 'c' \(hosts: a, b\)/);
    expect(topologyError(routerDxText({ router: ', host: a' })).message).toMatch(/topology\.nodes\.r\.host: .*names no hosts/);
  });
  it('refuses bad underlays, host names and VNIs', () => {
    expect(topologyError(twoHosts({ hosts: HOSTS.replace('192.0.2.2', '192.0.2.1') })).message).toMatch(/hosts\.b\.underlay\.address: 192\.0\.2\.1 is host a's underlay address already/);
    expect(topologyError(twoHosts({ hosts: HOSTS.replace('192.0.2.2', 'x;rm') })).message).toMatch(/hosts\.b\.underlay\.address/);
    expect(topologyError(twoHosts({ hosts: HOSTS.replace('ul0', '../etc/passwd') })).message).toMatch(/hosts\.b\.underlay\.interface/);
    expect(topologyError(twoHosts({ hosts: HOSTS.replace('    b:', '    ../etc:') })).message).toMatch(/hosts/);
    expect(topologyError(twoHosts({ hosts: HOSTS.replace('192.0.2.2', '2001:db8::2') })).message).toMatch(/different families/);
    expect(topologyError(twoHosts({ link: '      vni: 0\n' })).message).toMatch(/links\.0\.vni/);
    expect(topologyError(twoHosts({ link: '      vni: 16777216\n' })).message).toMatch(/links\.0\.vni/);
    expect(topologyError(twoHosts({ dx: ', host: a', link: '      vni: 7\n' })).message).toMatch(/links\.0\.vni: r and d are on one host/);
  });
  it('the shipped two-host topology is router-dx.yaml split over hosts a and b', () => {
    const t = loadTopology('topologies/router-dx-two-hosts.yaml');
    const one = loadTopology('topologies/router-dx.yaml');
    expect(t.nodes.map((n) => n.host)).toEqual(['a', 'b']);
    expect(t.links.map((l) => [l.a, l.b, l.macsec?.helloTimeMs])).toEqual(one.links.map((l) => [l.a, l.b, l.macsec?.helloTimeMs]));
    expect(t.vifs).toEqual(one.vifs);
  });
});

describe("a host's part", () => {
  const t = parseTopology(twoHosts(), 'x.yaml');
  it('holds its nodes and its end of the tunnel, the same VNI on both hosts', () => {
    const a = hostPart(t, 'lab1', 'a')!;
    const b = hostPart(t, 'lab1', 'b')!;
    expect([...a.nodes]).toEqual(['r']);
    expect([...b.nodes]).toEqual(['d']);
    expect(a.links[0]!.tunnel).toEqual({ vni: linkVni('lab1', t.links[0]!), local: '192.0.2.1', remote: '192.0.2.2', remoteHost: 'b', port: 4789 });
    expect(b.links[0]!.tunnel).toMatchObject({ vni: a.links[0]!.tunnel!.vni, local: '192.0.2.2', remote: '192.0.2.1', remoteHost: 'a' });
  });
  it('derives a VNI per lab and link within 24 bits, and takes a given one', () => {
    const l = t.links[0]!;
    const v = linkVni('lab1', l);
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThanOrEqual(0xffffff);
    expect(linkVni('lab1', l)).toBe(v);
    expect(linkVni('lab2', l)).not.toBe(v);
    expect(linkVni('lab1', { ...l, vni: 99 })).toBe(99);
  });
  it('refuses two links to one host on one VNI, given or derived', () => {
    // Two links r -- d between the hosts, with what each adds under it.
    const text = (first: string, second: string) => `name: t
topology:
${HOSTS}  nodes:
    r: { kind: router, host: a }
    d: { kind: dx-device, host: b }
  links:
    - endpoints: [r:eth1, d:eth1]
${first}    - endpoints: [r:eth2, d:eth2]
${second}`;
    const ok = parseTopology(text('', ''), 'x.yaml');
    expect(new Set(hostPart(ok, 'lab1', 'a')!.links.map((l) => l.tunnel!.vni)).size).toBe(2);
    const clash = parseTopology(text('', `      vni: ${linkVni('lab1', ok.links[0]!)}\n`), 'x.yaml');
    expect(() => hostPart(clash, 'lab1', 'a')).toThrow(/links 0 and 1 to host b have one VNI, \d+: give one of them its own \(vni:\)/);
    expect(topologyError(text('      vni: 5\n', '      vni: 5\n')).message).toMatch(/links\.1\.vni: VNI 5 is link 0's already/);
  });
  it('is the whole lab without hosts; --on-host needs hosts, and hosts need --on-host', () => {
    const one = parseTopology(routerDxText(), 'x.yaml');
    expect(hostPart(one, 'l', undefined)).toBeUndefined();
    expect(() => hostPart(one, 'l', 'a')).toThrow(/--on-host a: x\.yaml names no hosts/);
    expect(() => hostPart(t, 'l', undefined)).toThrow(/hosts a, b: bring up each host's part there with --on-host HOST/);
    const e = (() => {
      try {
        hostPart(t, 'l', '../etc/passwd');
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(LabError);
    expect((e as Error).message).toMatch(/has no host '\.\.\/etc\/passwd' \(hosts: a, b\)/);
  });
});

describe('underlay MTU', () => {
  it('is the wire MTU plus VXLAN 50 over IPv4, 70 over IPv6 (RFC 7348)', () => {
    expect(VXLAN_UDP_PORT).toBe(4789);
    expect(WIRE_EXTRA).toBe(36);
    expect(underlayMtuNeeded(1500 + WIRE_EXTRA, 'ipv4')).toBe(1586);
    expect(underlayMtuNeeded(9001 + WIRE_EXTRA, 'ipv4')).toBe(9087);
    expect(underlayMtuNeeded(1500 + WIRE_EXTRA, 'ipv6')).toBe(1500 + 36 + VXLAN_OVERHEAD.ipv6);
  });
  it('warns naming the numbers when short, not when enough', () => {
    expect(underlayMtuWarning('r:eth1 -- d:eth1', 'eth0', 1586, 1536, 'ipv4')).toBeUndefined();
    expect(underlayMtuWarning('r:eth1 -- d:eth1', 'eth0', 1500, 1536, 'ipv4')).toMatch(/link r:eth1 -- d:eth1: the underlay eth0 has MTU 1500, short of 1586 \(wire MTU 1536, .*VXLAN 50 over IPv4/);
  });
});
