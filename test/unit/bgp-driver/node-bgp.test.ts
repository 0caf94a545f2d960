/**
 * BGP in the node process without root: two LabNodes on the memory wire,
 * plain ports, each TAP with a `bgp` section; their builtin speakers talk
 * over the in-memory TCP. The node starts and stops its speakers, `status`
 * lists the peers, and the control socket's `bgp` command lists them and
 * changes what the builtin speaker advertises.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { memoryWire } from '../../../src/io/index.js';
import { LabNode, controlRequest, resolveNodeConfig, type DeviceFactory } from '../../../src/node/index.js';
import { BuiltinSpeaker, type BgpPeerStatus } from '../../../src/node/bgp/index.js';
import { until } from '../../helpers/until.js';
import type { SpeakerFactory } from '../../../src/node/node.js';
import { tempDir } from '../../helpers/tmp.js';
import { FakeNet, FakeRoutes } from './fake-net.js';

const tmp = tempDir();

function config(name: string, address: string, peer: string, asn: number, peerAsn: number, prefixes: string[]) {
  return resolveNodeConfig(
    {
      name,
      kind: name === 'dx' ? 'dx-device' : 'router',
      controlSocket: join(tmp, `${name}.sock`),
      logLevel: 'error',
      ports: [{ name: 'eth1', wire: `${name}-w`, taps: [{ name: `${name}0`, addresses: [`${address}/30`], bgp: { localAsn: asn, peerAsn, peerAddress: peer, prefixes, passive: name === 'dx' } }] }],
    },
    `${name}.yaml`,
  );
}

describe('BGP speakers in the node process', () => {
  const net = new FakeNet();
  const routes = { dx: new FakeRoutes(), rt: new FakeRoutes() };
  const wires = memoryWire({ names: ['dx-w', 'rt-w'], mtu: 1600 });
  const devices = (i: number): DeviceFactory => ({ wire: () => wires[i]!, tap: (t) => memoryWire({ names: [t.name, `${t.name}-host`] })[0] });
  const factory =
    (table: FakeRoutes): SpeakerFactory =>
    (tap, c, ctx) =>
      new BuiltinSpeaker(tap, c, { transport: net.transport(c.localAddress, c.peerAddress), routes: table, now: ctx.now, log: ctx.log });
  const dx = new LabNode(config('dx', '169.254.100.2', '169.254.100.1', 7224, 64512, ['10.0.0.0/16']), devices(0), undefined, factory(routes.dx));
  const rt = new LabNode(config('rt', '169.254.100.1', '169.254.100.2', 64512, 7224, ['192.0.2.0/24']), devices(1), undefined, factory(routes.rt));
  afterAll(async () => {
    await rt.stop();
    await dx.stop();
  });

  it('starts a speaker per TAP with bgp; status lists the peers with RFC 4271 state names', async () => {
    await dx.start();
    await rt.start();
    const peers = () => (rt.status().bgp as BgpPeerStatus[] | undefined) ?? [];
    // The peer's UPDATE follows Established (RFC 4271 §9): wait for it too, not for one microtask order.
    await until(() => peers()[0]?.state === 'Established' && peers()[0]!.prefixes.received.ipv4 === 1, 5000, 10);
    expect(peers()).toHaveLength(1);
    expect(peers()[0]).toMatchObject({ tap: 'rt0', speaker: 'builtin', peerAddress: '169.254.100.2', prefixes: { received: { ipv4: 1, ipv6: 0 }, advertised: { ipv4: 1, ipv6: 0 } } });
    expect([...routes.rt.table.keys()]).toEqual(['10.0.0.0/16']);
    expect([...routes.dx.table.keys()]).toEqual(['192.0.2.0/24']);
  });

  it('the control socket: bgp lists the peers, bgp with prefixes changes what is advertised, an unknown TAP is refused', async () => {
    const sock = join(tmp, 'rt.sock');
    const r = (await controlRequest(sock, { cmd: 'bgp' })).result as { peers: BgpPeerStatus[] };
    expect(r.peers.map((p) => [p.tap, p.state])).toEqual([['rt0', 'Established']]);
    await controlRequest(sock, { cmd: 'bgp', tap: 'rt0', prefixes: ['192.0.2.0/25', '2001:db8::/32'] });
    await until(() => routes.dx.table.has('192.0.2.0/25') && !routes.dx.table.has('192.0.2.0/24'), 5000, 10);
    await expect(controlRequest(sock, { cmd: 'bgp', tap: 'nope' })).rejects.toThrow(/no BGP session on TAP 'nope'/);
    await expect(controlRequest(sock, { cmd: 'bgp', tap: 'rt0', prefixes: ['192.0.2.1/24'] })).rejects.toThrow(/host bits/);
  });

  it('stopping a node stops its speaker: the peer gets a Cease and removes the routes', async () => {
    await rt.stop();
    await until(() => routes.dx.table.size === 0, 5000, 10);
    const p = (dx.status().bgp as BgpPeerStatus[])[0]!;
    expect(p.state).not.toBe('Established');
    expect(p.lastError).toMatch(/Cease/);
    expect(routes.rt.table.size).toBe(0);
  });
});
