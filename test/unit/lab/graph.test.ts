import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIVE_COLORS, liveKey, loadTopology, topologyDot, topologyMermaid, topologySvg, type LiveStates, type Topology } from '../../../src/lab/index.js';
import { ROOT } from '../../helpers/cli.js';
import { layoutProblems, parseSvg } from '../../helpers/svg-layout.js';

const macsec = (mode: 'should_encrypt' | 'must_encrypt', suites: string[]) => ({ mode, cipherSuites: suites, keyChain: [], keyServerPriority: {} });

describe('topologySvg', () => {
  for (const file of ['router-dx.yaml', 'router-switch-dx.yaml']) {
    it(`${file}: every text on the canvas, none over a box or another text`, () => {
      const svg = topologySvg(loadTopology(join(ROOT, 'topologies', file)));
      expect(layoutProblems(svg)).toEqual([]);
      const { texts } = parseSvg(svg);
      // Everything the old single line said is still there, in lines that fit.
      expect(texts.map((t) => t.text)).toEqual(expect.arrayContaining(['MACsec should_encrypt', 'gcm-aes-xpn-256 / gcm-aes-256', 'router', 'dx', 'dx-device']));
      expect(texts.some((t) => /^VIF private-vif: VLAN \d+, MTU 1500$/.test(t.text))).toBe(true);
      expect(texts.some((t) => /^BGP router AS650\d\d \u2194 dx AS64512/.test(t.text))).toBe(true);
    });
  }

  it('long names, links that skip a node or run twice between two nodes, and long VIF lines still fit', () => {
    const t: Topology = {
      file: 'stress.yaml',
      name: 'a-rather-long-lab-name-for-a-topology',
      nodes: [
        { name: 'customer-edge-router-number-one', kind: 'router' },
        { name: 'sw', kind: 'switch' },
        { name: 'dx', kind: 'dx-device' },
      ],
      links: [
        { index: 0, a: { node: 'customer-edge-router-number-one', port: 'ethernet-1/1' }, b: { node: 'sw', port: 'ge-0/0/0' } },
        { index: 1, a: { node: 'sw', port: 'eth2' }, b: { node: 'dx', port: 'eth1' }, macsec: macsec('must_encrypt', ['gcm-aes-xpn-256', 'gcm-aes-256', 'gcm-aes-xpn-128', 'gcm-aes-128']) },
        { index: 2, a: { node: 'customer-edge-router-number-one', port: 'eth9' }, b: { node: 'dx', port: 'eth2' }, macsec: macsec('should_encrypt', ['gcm-aes-256']) },
        { index: 3, a: { node: 'dx', port: 'eth3' }, b: { node: 'sw', port: 'eth3' } },
      ],
      vifs: [0, 1].map((i) => ({
        name: `vif-${i}`,
        vlan: 100 + i,
        mtu: 9001,
        ends: [
          { node: 'customer-edge-router-number-one', port: 'ethernet-1/1' },
          { node: 'dx', port: 'eth1' },
        ],
        ipv4: [`169.254.${i}.1/30`, `169.254.${i}.2/30`],
        ipv6: [`2001:db8:${i}:ffff:ffff:ffff:ffff:1/125`, `2001:db8:${i}:ffff:ffff:ffff:ffff:2/125`],
        bgp: { customerAsn: 4200000000, amazonAsn: 64512, md5Key: 'x', customerPrefixes: Array.from({ length: 12 }, (_, k) => `10.${k}.0.0/16`), amazonPrefixes: ['172.31.0.0/16'], speaker: {} },
      })),
      captures: [],
    };
    const svg = topologySvg(t);
    expect(layoutProblems(svg)).toEqual([]);
    const { texts } = parseSvg(svg);
    expect(texts.map((x) => x.text)).toEqual(expect.arrayContaining(['customer-edge-router-number-one', 'ethernet-1/1', 'ge-0/0/0', 'eth9', 'eth3']));
    // The twelve prefixes are wrapped over several lines, all of them there.
    const prefixes = texts.filter((x) => /10\.\d+\.0\.0\/16/.test(x.text)).flatMap((x) => x.text.match(/10\.\d+\.0\.0\/16/g)!);
    expect(prefixes).toHaveLength(24);
  });
});

describe('a running lab drawn with each link\'s live state (dxlab graph --name)', () => {
  const t = loadTopology(join(ROOT, 'topologies', 'router-dx-two-links.yaml'));
  const [l0, l1] = t.links as [Topology['links'][number], Topology['links'][number]];
  const live: LiveStates = new Map([
    [liveKey(l0), { state: 'secured', detail: 'GCM-AES-XPN-256 AN 1 KN 2' }],
    [liveKey(l1), { state: 'fallback', detail: 'no live peer within MKA Life Time, and a reason long enough to be cut at sixty characters' }],
  ]);

  it('SVG: each link in its state\'s colour, its label saying the state and the SAK or why; still fits', () => {
    const svg = topologySvg(t, live);
    expect(layoutProblems(svg)).toEqual([]);
    const texts = parseSvg(svg).texts.map((x) => x.text);
    expect(texts).toEqual(expect.arrayContaining([`MACsec ${l0.macsec!.mode}: secured`, 'GCM-AES-XPN-256 AN 1 KN 2', `MACsec ${l1.macsec!.mode}: fallback`]));
    expect(texts.some((x) => /^no live peer within MKA Life Time, and a reason long enou\.\.\.$/.test(x))).toBe(true);
    expect(svg).toContain(`stroke="${LIVE_COLORS.secured}"`);
    expect(svg).toContain(`stroke="${LIVE_COLORS.fallback}"`);
    // Without live states: the picture of the file, no state.
    expect(topologySvg(t)).not.toMatch(/secured|fallback/);
  });

  it('a link down is dashed, in every format', () => {
    const down: LiveStates = new Map([[liveKey(l0), { state: 'down', detail: null }]]);
    expect(topologySvg(t, down)).toMatch(new RegExp(`stroke="${LIVE_COLORS.down}" stroke-width="\\d+" stroke-dasharray`));
    expect(topologyDot(t, down)).toMatch(/label="[^"]*: down\\n[^"]*", color="#222222", penwidth=3, style=dashed\]/);
    expect(topologyMermaid(t, down)).toMatch(/ -\.-\|"[^"]*: down<br\/>[^"]*"\| /);
  });

  it('DOT and Mermaid: the state in the label and the colour on the edge', () => {
    const dot = topologyDot(t, live);
    expect(dot).toMatch(/label="[^"]*\\nMACsec [a-z_]+: secured\\nGCM-AES-XPN-256 AN 1 KN 2\\n[^"]*", color="#1a8f3c", penwidth=3\]/);
    expect(dot).toMatch(/: fallback\\n[^"]*", color="#d0421b"/);
    const mm = topologyMermaid(t, live);
    expect(mm).toMatch(/===\|"[^"]*<br\/>MACsec [a-z_]+: secured<br\/>GCM-AES-XPN-256 AN 1 KN 2<br\/>[^"]*"\|/);
    expect(mm).toContain('linkStyle 0 stroke:#1a8f3c,stroke-width:4px');
    expect(mm).toContain('linkStyle 1 stroke:#d0421b,stroke-width:4px');
    expect(topologyMermaid(t)).not.toContain('linkStyle');
  });
});
