import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology, topologySvg, type Topology } from '../../../src/lab/index.js';
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
