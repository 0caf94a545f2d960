import { describe, expect, it } from 'vitest';
import { AdjRibIn, AdvertisedPrefixes, type Update } from '../../../src/bgp/index.js';

const both = { families: new Set([1, 2]) };
const announce = (nlri: string[], nextHop: string, med?: number): Update => ({
  type: 'update',
  withdrawn: [],
  attributes: { origin: 'igp', asPath: [{ type: 'sequence', asns: [64512] }], nextHop, ...(med === undefined ? {} : { med }) },
  nlri,
});

describe('AdjRibIn (RFC 4271 §3.1, §9)', () => {
  it('a prefix announced again replaces the old route (implicit withdraw)', () => {
    const rib = new AdjRibIn();
    rib.apply(announce(['192.0.2.0/24'], '169.254.0.1', 10), both);
    const change = rib.apply(announce(['192.0.2.0/24'], '169.254.0.9', 20), both);
    expect(change.withdrawn).toEqual([]);
    expect(change.installed.map((r) => [r.prefix, r.nextHop, r.attributes.med])).toEqual([['192.0.2.0/24', '169.254.0.9', 20]]);
    expect(rib.size).toBe(1);
  });

  it('withdrawals apply before announcements of the same UPDATE, and unknown prefixes are not reported', () => {
    const rib = new AdjRibIn();
    rib.apply(announce(['192.0.2.0/24'], '169.254.0.1'), both);
    const change = rib.apply({ ...announce(['192.0.2.0/24'], '169.254.0.2'), withdrawn: ['192.0.2.0/24', '198.51.100.0/24'] }, both);
    expect(change.withdrawn).toEqual(['192.0.2.0/24']);
    expect(rib.get('192.0.2.0/24')?.nextHop).toBe('169.254.0.2');
  });

  it('treat-as-withdraw removes what the UPDATE names and installs nothing', () => {
    const rib = new AdjRibIn();
    rib.apply(announce(['192.0.2.0/24', '198.51.100.0/24'], '169.254.0.1'), both);
    const change = rib.apply({ ...announce(['192.0.2.0/24', '203.0.113.0/24'], '169.254.0.1'), treatAsWithdraw: true }, both);
    expect(change).toEqual({ installed: [], withdrawn: ['192.0.2.0/24'] });
    expect(rib.list().map((r) => r.prefix)).toEqual(['198.51.100.0/24']);
  });

  it('families not negotiated are ignored', () => {
    const rib = new AdjRibIn();
    const u: Update = { ...announce(['192.0.2.0/24'], '169.254.0.1'), attributes: { ...announce([], '169.254.0.1').attributes, mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: ['2001:db8::/32'] } } };
    rib.apply(u, { families: new Set([2]) });
    expect(rib.counts()).toEqual({ ipv4: 0, ipv6: 1 });
    expect(rib.get('2001:db8::/32')?.attributes.mpReach).toBeUndefined();
    expect(rib.clear()).toEqual(['2001:db8::/32']);
    expect(rib.size).toBe(0);
  });
});

describe('AdvertisedPrefixes', () => {
  it('counts what was announced minus what was withdrawn, per family', () => {
    const out = new AdvertisedPrefixes();
    out.record({ type: 'update', withdrawn: [], attributes: { mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: ['2001:db8::/32', '2001:db8:1::/48'] } }, nlri: ['192.0.2.0/24'] });
    out.record({ type: 'update', withdrawn: ['192.0.2.0/24'], attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8::/32'] } }, nlri: [] });
    expect(out.counts()).toEqual({ ipv4: 0, ipv6: 1 });
    expect(out.has('2001:db8:1::/48')).toBe(true);
  });
});
