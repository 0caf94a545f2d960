/**
 * BIRD as a node's speaker, the parts that need no BIRD: bird.conf written
 * from the TAP's settings, and the status read from `birdc show protocols
 * all` (fixtures captured from BIRD 2.0.12, Debian 12 bird2, in the
 * builtin <-> BIRD integration setup: Established, then Active after the
 * builtin speaker's Cease).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { birdConfig, birdProtocolName, parseBirdProtocol, parseMd5Counters } from '../../../src/node/bgp/index.js';
import { NodeError } from '../../../src/node/index.js';
import { bgp } from './fake-net.js';

const fixture = (f: string) => readFileSync(join(import.meta.dirname, 'fixtures', f), 'utf8');

describe('bird.conf', () => {
  it('carries ASNs, addresses, timers, password, passive, both channels and the prefixes as static routes', () => {
    const c = bgp(['169.254.100.2/30', 'fd00:100::2/64'], {
      speaker: 'bird',
      localAsn: 7224,
      peerAsn: 64512,
      peerAddress: '169.254.100.1',
      holdTimeS: 30,
      keepaliveS: 10,
      connectRetryS: 7,
      md5Key: 'aws-auth-key',
      passive: true,
      prefixes: ['203.0.113.0/24', '2001:DB8:0002::/48'],
    });
    const text = birdConfig('dx.100', c);
    expect(birdProtocolName('dx.100')).toBe('dxlab_dx_100');
    for (const line of [
      'router id 169.254.100.2;',
      'protocol bgp dxlab_dx_100 {',
      '  local 169.254.100.2 as 7224;',
      '  neighbor 169.254.100.1 as 64512;',
      '  hold time 30;',
      '  keepalive time 10;',
      '  connect retry time 7;',
      '  password "aws-auth-key";',
      '  passive on;',
      '  route 203.0.113.0/24 blackhole;',
      '  route 2001:db8:2::/48 blackhole;',
      '  ipv4 { import all; export where source = RTS_STATIC; };',
      // An IPv6 channel on an IPv4 session needs an IPv6 next hop: the TAP's.
      '  ipv6 { import all; export where source = RTS_STATIC; next hop address fd00:100::2; };',
      '  ipv4 { import none; export where source = RTS_BGP; };',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('AWS defaults (hold 90, keepalive 30), no password or passive line when not set', () => {
    const text = birdConfig('t0', bgp(['169.254.100.2/30'], { speaker: 'bird', localAsn: 7224, peerAsn: 64512, peerAddress: '169.254.100.1' }));
    expect(text).toContain('  hold time 90;\n  keepalive time 30;\n  connect retry time 120;');
    expect(text).not.toContain('password');
    expect(text).not.toContain('passive');
  });

  it('refuses a password BIRD cannot quote', () => {
    const c = bgp(['169.254.100.2/30'], { speaker: 'bird', localAsn: 1, peerAsn: 2, peerAddress: '169.254.100.1', md5Key: 'a"b' });
    expect(() => birdConfig('t0', c)).toThrow(NodeError);
  });
});

describe('birdc show protocols all', () => {
  it('Established: state, since, negotiated timers, routes per channel', () => {
    const i = parseBirdProtocol(fixture('bird-show-protocols-established.txt'), 'dxlab_capb')!;
    expect(i).toEqual({
      state: 'Established',
      since: new Date('2026-11-25T16:51:27'),
      lastError: null,
      holdTimeS: 90,
      keepaliveS: 30,
      routes: { ipv4: { imported: 1, exported: 1 }, ipv6: { imported: 1, exported: 1 } },
    });
  });

  it('Active after a Cease: the last error, no routes', () => {
    const i = parseBirdProtocol(fixture('bird-show-protocols-active.txt'), 'dxlab_capb')!;
    expect(i.state).toBe('Active');
    expect(i.since).toBeNull();
    expect(i.lastError).toBe('Received: Administrative shutdown');
    expect(i.routes.ipv4).toEqual({ imported: 0, exported: 0 });
  });

  it('another protocol name: null', () => {
    expect(parseBirdProtocol(fixture('bird-show-protocols-active.txt'), 'dxlab_other')).toBeNull();
  });
});

describe('kernel MD5 drop counters', () => {
  it('reads TCPMD5NotFound, TCPMD5Unexpected and TCPMD5Failure from /proc/net/netstat', () => {
    const text = 'TcpExt: SyncookiesSent TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure TW\nTcpExt: 0 4 5 6 9\nIpExt: InNoRoutes\nIpExt: 0\n';
    expect(parseMd5Counters(text)).toEqual({ notFound: 4, unexpected: 5, failure: 6 });
    expect(parseMd5Counters('IpExt: a\nIpExt: 1\n')).toBeNull();
  });
});
