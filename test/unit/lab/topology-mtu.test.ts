/** A link's own wire MTU (`mtu:` on a link): any value from 68, so that a lab can show what a too-small one does. */
import { describe, expect, it } from 'vitest';
import { parseTopology, LabError } from '../../../src/lab/index.js';
import { routerDxText } from '../../helpers/topology-error.js';

const topo = (mtu: string) => routerDxText({ link: mtu });

describe('link mtu', () => {
  it('is taken as given, also below what MACsec needs', () => {
    expect(parseTopology(topo('      mtu: 1400\n'), 'x.yaml').links[0]!.mtu).toBe(1400);
    expect(parseTopology(topo('      mtu: 68\n'), 'x.yaml').links[0]!.mtu).toBe(68);
  });
  it('is absent when not given (the lab computes it from the VIFs)', () => {
    expect(parseTopology(topo(''), 'x.yaml').links[0]!.mtu).toBeUndefined();
  });
  it('below 68 (the IPv4 minimum, RFC 791) or not an integer is a topology error naming the field', () => {
    for (const bad of ['67', '1500.5', 'big']) {
      let e: unknown;
      try {
        parseTopology(topo(`      mtu: ${bad}\n`), 'x.yaml');
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(LabError);
      expect((e as Error).message).toMatch(/mtu/);
    }
  });
});
