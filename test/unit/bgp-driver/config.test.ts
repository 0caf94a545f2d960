/** A TAP's `bgp` section: defaults (AWS timers, addresses from the TAP), canonical prefixes, errors naming the field. */
import { describe, expect, it } from 'vitest';
import { NodeError, resolveNodeConfig } from '../../../src/node/index.js';
import { bgp } from './fake-net.js';

function resolve(tap: Record<string, unknown>) {
  return resolveNodeConfig({ name: 'n', kind: 'router', ports: [{ name: 'p', wire: 'w', taps: [tap] }] }, 'n.yaml');
}

describe('node config: bgp', () => {
  it('fills in the defaults: builtin, hold 90 s, keepalive 30 s, active, local address and router id from the TAP', () => {
    const c = bgp(['169.254.100.1/30', 'fd00::1/64'], { localAsn: 64512, peerAsn: 7224, peerAddress: '169.254.100.2' });
    expect(c).toEqual({
      speaker: 'builtin',
      localAsn: 64512,
      peerAsn: 7224,
      peerAddress: '169.254.100.2',
      localAddress: '169.254.100.1',
      routerId: '169.254.100.1',
      holdTimeS: 90,
      keepaliveS: 30,
      connectRetryS: 120,
      prefixes: [],
      passive: false,
      nextHop4: '169.254.100.1',
      nextHop6: 'fd00::1',
    });
  });

  it('keeps the MD5 key as a Secret (never printed) and writes prefixes canonically', () => {
    const c = bgp(['169.254.100.1/30'], { localAsn: 1, peerAsn: 2, peerAddress: '169.254.100.2', md5Key: 'pw', prefixes: ['2001:0DB8:0:0::/32', '10.0.0.0/8'] });
    expect(new TextDecoder().decode(c.md5Key!.expose())).toBe('pw');
    expect(JSON.stringify(c)).not.toContain('pw');
    expect(c.prefixes).toEqual(['2001:db8::/32', '10.0.0.0/8']);
  });

  it('an IPv6 session takes its local address from the TAP and needs a router id', () => {
    const c = bgp(['fd00::1/64', '169.254.0.1/30'], { localAsn: 1, peerAsn: 2, peerAddress: 'fd00::2' });
    expect([c.localAddress, c.routerId, c.nextHop4]).toEqual(['fd00::1', '169.254.0.1', '169.254.0.1']);
    expect(() => resolve({ name: 't0', addresses: ['fd00::1/64'], bgp: { localAsn: 1, peerAsn: 2, peerAddress: 'fd00::2' } })).toThrow(/bgp\/routerId/);
  });

  it.each([
    [{ localAsn: 1, peerAsn: 2, peerAddress: '10.0.0.300' }, /bgp\/peerAddress/],
    [{ localAsn: 1, peerAsn: 2, peerAddress: '169.254.100.2', prefixes: ['10.0.0.1/8'] }, /bgp\/prefixes\/0.*host bits/],
    [{ localAsn: 1, peerAsn: 2, peerAddress: '169.254.100.2', holdTimeS: 2 }, /bgp\/holdTimeS/],
    [{ localAsn: 1, peerAsn: 2, peerAddress: '169.254.100.2', holdTimeS: 30, keepaliveS: 11 }, /bgp\/keepaliveS/],
    [{ localAsn: 1, peerAsn: 2, peerAddress: 'fd00::2' }, /bgp\/localAddress/],
    [{ localAsn: 1, peerAsn: 2, peerAddress: '169.254.100.2', connectRetryS: 0 }, /bgp\/connectRetryS/],
    [{ localAsn: 0, peerAsn: 2, peerAddress: '169.254.100.2' }, /localAsn/],
    [{ localAsn: 1, peerAsn: 2, peerAddress: '169.254.100.2', speaker: 'quagga' }, /speaker: must be one of "builtin", "bird"/],
    [{ localAsn: 1, peerAsn: 2, peerAddress: '169.254.100.2', authKey: 'x' }, /unknown field 'authKey'/],
  ])('refuses %j', (b, msg) => {
    const f = () => resolve({ name: 't0', addresses: ['169.254.100.1/30'], bgp: b });
    expect(f).toThrow(NodeError);
    expect(f).toThrow(msg);
  });
});
