/**
 * The builtin speaker's driver without root: two BuiltinSpeakers on an
 * in-memory TCP, fake timers, fake routing tables. Reads as RFC 4271 does:
 * "start both: Established, prefixes exchanged, routes installed"; "advance
 * 30 s: each sends a KEEPALIVE"; "peer silent for the hold time: routes
 * removed, Hold Timer Expired in the status".
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/node/index.js';
import type { BgpConfig } from '../../../src/node/config.js';
import { BuiltinSpeaker, type Md5DropCounters } from '../../../src/node/bgp/index.js';
import { FakeNet, FakeRoutes, bgp, type FakeSocket } from './fake-net.js';

const log = createLogger('error', 'test', () => undefined);
const RT = bgp(['169.254.100.1/30', 'fd00:100::1/64'], { localAsn: 64512, peerAsn: 7224, peerAddress: '169.254.100.2', prefixes: ['198.51.100.0/24', '2001:db8:1::/48'] });
const DX = bgp(['169.254.100.2/30', 'fd00:100::2/64'], { localAsn: 7224, peerAsn: 64512, peerAddress: '169.254.100.1', passive: true, prefixes: ['203.0.113.0/24', '2001:db8:2::/48'] });

function speaker(net: FakeNet, tap: string, c: BgpConfig, extra: Partial<ConstructorParameters<typeof BuiltinSpeaker>[2]> = {}) {
  const routes = new FakeRoutes();
  const s = new BuiltinSpeaker(tap, c, { transport: net.transport(c.localAddress, c.peerAddress), routes, now: () => Date.now(), log, ...extra });
  return { s, routes };
}

describe('builtin BGP speaker driver', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function established() {
    const net = new FakeNet();
    const rt = speaker(net, 'rt0', RT);
    const dx = speaker(net, 'dx0', DX);
    await dx.s.start();
    await rt.s.start();
    await vi.advanceTimersByTimeAsync(10);
    return { net, rt, dx };
  }

  it('start both: Established, prefixes exchanged both ways, routes installed with the peer as next hop', async () => {
    const { rt, dx } = await established();
    expect(rt.s.status().state).toBe('Established');
    expect(dx.s.status().state).toBe('Established');
    expect([...rt.routes.table.values()]).toEqual([
      { prefix: '203.0.113.0/24', nextHop: '169.254.100.2', dev: 'rt0' },
      { prefix: '2001:db8:2::/48', nextHop: 'fd00:100::2', dev: 'rt0' },
    ]);
    expect([...dx.routes.table.keys()].sort()).toEqual(['198.51.100.0/24', '2001:db8:1::/48']);
    const st = rt.s.status();
    expect(st).toMatchObject({
      tap: 'rt0',
      speaker: 'builtin',
      localAsn: 64512,
      peerAsn: 7224,
      holdTimeS: 90,
      keepaliveS: 30,
      md5: false,
      lastError: null,
      prefixes: { received: { ipv4: 1, ipv6: 1 }, advertised: { ipv4: 1, ipv6: 1 } },
    });
    expect(dx.s.status().passive).toBe(true);
  });

  it('advance 65 s: uptime 65 s, two KEEPALIVEs each way after the first (every 30 s), still Established', async () => {
    const { rt } = await established();
    const before = rt.s.status().counters!.outKeepalives!;
    await vi.advanceTimersByTimeAsync(65_000);
    const st = rt.s.status();
    expect(st.state).toBe('Established');
    expect(st.uptimeS).toBe(65);
    expect(st.counters!.outKeepalives! - before).toBe(2);
  });

  it('setPrefixes: a dropped prefix is withdrawn (IPv4 and IPv6) and leaves the peer\'s table, a new one arrives', async () => {
    const { rt, dx } = await established();
    rt.s.setPrefixes(['192.0.2.0/24']);
    await vi.advanceTimersByTimeAsync(10);
    expect([...dx.routes.table.keys()]).toEqual(['192.0.2.0/24']);
    expect(rt.s.status().prefixes.advertised).toEqual({ ipv4: 1, ipv6: 0 });
    expect(dx.s.status().prefixes.received).toEqual({ ipv4: 1, ipv6: 0 });
  });

  it('peer silent for the hold time (90 s): session down, its routes removed, Hold Timer Expired in the status', async () => {
    const { net, rt } = await established();
    net.muted.add('169.254.100.1'); // nothing reaches rt any more
    await vi.advanceTimersByTimeAsync(89_000);
    expect(rt.s.status().state).toBe('Established');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(rt.s.status().state).not.toBe('Established');
    expect(rt.routes.table.size).toBe(0);
    expect(rt.s.status().lastError).toMatch(/Hold Timer Expired/);
  });

  it('stop: Cease to the peer, which removes the routes; the stopped side removes its own', async () => {
    const { rt, dx } = await established();
    await rt.s.stop();
    await vi.advanceTimersByTimeAsync(10);
    expect(rt.routes.table.size).toBe(0);
    expect(dx.routes.table.size).toBe(0);
    expect(dx.s.status().state).not.toBe('Established');
    expect(dx.s.status().lastError).toMatch(/NOTIFICATION received: Cease/);
  });

  it('stop with no FIN coming back (the TAPs down at `dxlab down`): the Cease and FIN still go, and the half-closed socket does not keep the node process running', async () => {
    const { net, rt } = await established();
    net.finLost = true;
    // The router's own sockets: those whose remote end is the DX side.
    const open = net.sockets.filter((x) => !x.closed && x.remoteAddress === '169.254.100.2');
    await rt.s.stop();
    await vi.advanceTimersByTimeAsync(10);
    const ended = open.filter((x) => x.ended);
    expect(ended.length).toBeGreaterThan(0);
    // Each socket the stop ended and nobody closed: unref'd, so the process exits once the FIN is out rather than a second later.
    expect(ended.filter((x) => !x.closed).every((x) => x.unrefed)).toBe(true);
    expect(ended.some((x) => !x.closed)).toBe(true);
  });

  it('peer not listening: Connect fails, retried after IdleHoldTime (5 s); Established once it listens', async () => {
    const net = new FakeNet();
    const rt = speaker(net, 'rt0', RT);
    await rt.s.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(rt.s.status().state).toBe('Idle');
    expect(rt.s.status().lastError).toMatch(/ECONNREFUSED/);
    const dx = speaker(net, 'dx0', DX);
    await dx.s.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(net.connects).toBe(2);
    expect(rt.s.status().state).toBe('Established');
    // The last error stays visible after recovery (as BIRD's "Last error"); the socket error is gone.
    expect(rt.s.status().lastError).toBe('TCP connection failed in Connect');
  });

  it('a connection from another address is refused', async () => {
    const net = new FakeNet();
    const dx = speaker(net, 'dx0', DX);
    await dx.s.start();
    const stranger = net.transport('169.254.100.9', '169.254.100.2').connect() as FakeSocket;
    await vi.advanceTimersByTimeAsync(10);
    expect(stranger.closed).toBe(true);
    expect(dx.s.status().state).toBe('Active');
  });

  it('MD5 configured but unavailable: the session is not started, and the status says why', async () => {
    const net = new FakeNet();
    const c = bgp(['169.254.100.1/30'], { localAsn: 64512, peerAsn: 7224, peerAddress: '169.254.100.2', md5Key: 'secret' });
    const rt = speaker(net, 'rt0', c, { md5Unavailable: () => 'the dxio addon was built without TCP MD5 support' });
    await rt.s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(net.connects).toBe(0);
    expect(net.listeners.size).toBe(0);
    expect(rt.s.status()).toMatchObject({ state: 'Idle', md5: true });
    expect(rt.s.status().lastError).toMatch(/TCP MD5 is configured but unavailable.*without TCP MD5 support/);
    expect(JSON.stringify(rt.s.status())).not.toContain('secret');
  });

  it('while down, the kernel\'s MD5 drop counters explain why', async () => {
    const net = new FakeNet();
    let counters: Md5DropCounters = { unexpected: 3, notFound: 0, failure: 7 };
    const rt = speaker(net, 'rt0', RT, { md5Counters: async () => counters });
    await rt.s.start();
    counters = { unexpected: 5, notFound: 1, failure: 9 };
    await vi.advanceTimersByTimeAsync(2_100);
    const e = rt.s.status().lastError!;
    expect(e).toContain('2 TCP segments dropped for a wrong MD5 signature (TcpExtTCPMD5Failure)');
    expect(e).toContain('2 signed TCP segments dropped (TcpExtTCPMD5Unexpected)');
    expect(e).toContain('1 unsigned TCP segments dropped (TcpExtTCPMD5NotFound)');
  });
});
