/**
 * Private VIFs in-process: creation with given or assigned addresses, the
 * move of the blog's step 4 (AssociateVirtualInterface: pending again, old
 * BGP peer deleting, new one pending), deletion, and every refusal leaving
 * the store unchanged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiStateOnlyBinding, type DataPlaneChange } from '../../../src/aws/index.js';
import { testApi, type TestApi } from '../../helpers/aws.js';

let t: TestApi;
afterEach(() => t?.close());

const vif = (extra: Record<string, unknown> = {}) => ({ virtualInterfaceName: 'PrivateVirtualInterface', vlan: 101, asn: 65000, authKey: 'asdf34example', amazonAddress: '192.168.1.1/30', customerAddress: '192.168.1.2/30', virtualGatewayId: 'vgw-aba37db6', ...extra });

async function twoConnections(api: TestApi) {
  const a = await api.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'old', requestMACSec: true });
  const b = await api.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'new MACsec', requestMACSec: true });
  return [a.connectionId as string, b.connectionId as string] as const;
}

describe('CreatePrivateVirtualInterface', () => {
  it('answers the AWS shape: pending, one BGP peer, the customer router configuration; available later', async () => {
    t = testApi();
    const [a] = await twoConnections(t);
    const v = await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif() });
    expect(v.virtualInterfaceId).toMatch(/^dxvif-[a-z0-9]{8}$/);
    expect(v).toMatchObject({
      virtualInterfaceState: 'pending',
      virtualInterfaceType: 'private',
      connectionId: a,
      location: 'IAD66',
      vlan: 101,
      asn: 65000,
      asnLong: 65000,
      amazonSideAsn: 64512,
      mtu: 1500,
      jumboFrameCapable: false,
      addressFamily: 'ipv4',
      virtualGatewayId: 'vgw-aba37db6',
      routeFilterPrefixes: [],
    });
    expect(v.bgpPeers).toEqual([expect.objectContaining({ bgpPeerState: 'pending', asn: 65000, amazonAddress: '192.168.1.1/30', customerAddress: '192.168.1.2/30', authKey: 'asdf34example' })]);
    expect(v.bgpPeers[0].bgpPeerId).toMatch(/^dxpeer-[a-z0-9]{8}$/);
    expect(v.customerRouterConfig).toContain(`<logical_connection id="${v.virtualInterfaceId}">`);
    expect(v.customerRouterConfig).toContain('<amazon_bgp_asn>64512</amazon_bgp_asn>');
    t.advance(1000);
    const now = (await t.dx('DescribeVirtualInterfaces', { virtualInterfaceId: v.virtualInterfaceId })).virtualInterfaces[0];
    // The connection is not available yet (its own provisioning), so the VIF shows down.
    expect(now.virtualInterfaceState).toBe('down');
    t.advance(1000);
    const later = (await t.dx('DescribeVirtualInterfaces', { virtualInterfaceId: v.virtualInterfaceId })).virtualInterfaces[0];
    expect(later.virtualInterfaceState).toBe('available');
    // Without a lab nothing speaks BGP: its status is unknown.
    expect(later.bgpPeers).toEqual([expect.objectContaining({ bgpPeerState: 'available', bgpStatus: 'unknown' })]);
  });

  it('assigns addresses when none are given; a 4-octet ASN through asnLong shows asn 0; generates a BGP key', async () => {
    t = testApi();
    const [a] = await twoConnections(t);
    const v1 = await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif({ amazonAddress: undefined, customerAddress: undefined, authKey: undefined, asn: undefined, asnLong: 4200000000 }) });
    expect(v1).toMatchObject({ amazonAddress: '169.254.255.1/30', customerAddress: '169.254.255.2/30', asn: 0, asnLong: 4200000000 });
    expect(v1.authKey).toMatch(/^0x[A-Za-z0-9_.]{22}$/);
    const v2 = await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif({ vlan: 102, amazonAddress: undefined, customerAddress: undefined }) });
    expect(v2).toMatchObject({ amazonAddress: '169.254.255.5/30', customerAddress: '169.254.255.6/30' });
    const v6 = await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif({ vlan: 103, amazonAddress: undefined, customerAddress: undefined, addressFamily: 'ipv6' }) });
    expect(v6).toMatchObject({ addressFamily: 'ipv6', amazonAddress: '2001:db8::1/125', customerAddress: '2001:db8::2/125' });
  });

  it('refuses what AWS refuses, naming the field', async () => {
    t = testApi();
    const [a] = await twoConnections(t);
    await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif() });
    const bad = (over: Record<string, unknown>, code: string, re: RegExp) => t.rejects('directconnect', 'CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif({ vlan: 200, amazonAddress: '10.0.0.1/30', customerAddress: '10.0.0.2/30', ...over }) }, code, re);
    await bad({ vlan: 0 }, 'DirectConnectClientException', /vlan must be 1 to 4094/);
    await bad({ vlan: 4095 }, 'DirectConnectClientException', /vlan must be 1 to 4094/);
    await bad({ vlan: 101 }, 'DirectConnectClientException', /VLAN 101 is already used/);
    await bad({ amazonAddress: '192.168.1.1/30', customerAddress: '192.168.1.2/30' }, 'DirectConnectClientException', /conflict with/);
    await bad({ asn: 0 }, 'DirectConnectClientException', /asn must be 1 to 2147483646/);
    await bad({ asn: undefined }, 'DirectConnectClientException', /asn or asnLong/);
    await bad({ mtu: 8500 }, 'DirectConnectClientException', /1500 or 9001/);
    await bad({ authKey: 'short' }, 'DirectConnectClientException', /authKey must be 6 to 80/);
    await bad({ virtualGatewayId: undefined }, 'DirectConnectClientException', /exactly one of virtualGatewayId or directConnectGatewayId/);
    await bad({ directConnectGatewayId: '5f294f92-bafb-4011-916d-9b0bec736ecd' }, 'DirectConnectClientException', /exactly one/);
    await bad({ virtualGatewayId: 'vgw-xyz' }, 'DirectConnectClientException', /virtualGatewayId 'vgw-xyz'/);
    await bad({ virtualInterfaceName: 'has space' }, 'DirectConnectClientException', /virtualInterfaceName/);
    await bad({ amazonAddress: '10.0.0.1/30', customerAddress: '10.0.1.2/30' }, 'DirectConnectClientException', /same subnet/);
    await bad({ amazonAddress: '10.0.0.0/30', customerAddress: '10.0.0.2/30' }, 'DirectConnectClientException', /network or broadcast/);
    await bad({ amazonAddress: '10.0.0.1/30', customerAddress: undefined }, 'DirectConnectClientException', /both amazonAddress and customerAddress/);
    await bad({ amazonAddress: '300.0.0.1/30' }, 'DirectConnectClientException', /not an IPv4 address/);
    await bad({ addressFamily: 'ipv6' }, 'DirectConnectClientException', /assigned by AWS/);
    await bad({ addressFamily: 'ipx' }, 'DirectConnectClientException', /enum value set/);
    await bad({ rateLimit: '1Gbps' }, 'DirectConnectClientException', /rateLimit/);
    await bad({ vlan: '200' }, 'SerializationException', /vlan/);
    await t.rejects('directconnect', 'CreatePrivateVirtualInterface', { connectionId: a }, 'DirectConnectClientException', /newPrivateVirtualInterface/);
  });

  // limits.html: 50 private or public VIFs per dedicated connection; the 51st place is a transit VIF's, which the emulation does not make.
  it('a connection carries at most 50 private VIFs (LimitExceededException); a deleted one frees its place', async () => {
    t = testApi();
    const [a] = await twoConnections(t);
    const made: string[] = [];
    for (let i = 1; i <= 50; i++) made.push((await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif({ vlan: i, amazonAddress: undefined, customerAddress: undefined }) })).virtualInterfaceId);
    const fifty1 = { connectionId: a, newPrivateVirtualInterface: vif({ vlan: 51, amazonAddress: undefined, customerAddress: undefined }) };
    await t.rejects('directconnect', 'CreatePrivateVirtualInterface', fifty1, 'LimitExceededException', /already carries 50 private virtual interfaces/);
    await t.dx('DeleteVirtualInterface', { virtualInterfaceId: made[0] });
    expect((await t.dx('CreatePrivateVirtualInterface', fifty1)).vlan).toBe(51);
  });
});

describe('AssociateVirtualInterface (the blog\'s step 4)', () => {
  it('moves the VIF: pending while it moves, old peer deleting, new peer pending; then available on the new connection', async () => {
    const changes: DataPlaneChange[] = [];
    t = testApi({ binding: { ...apiStateOnlyBinding(), apply: async (c) => void changes.push(...c) } });
    const [a, b] = await twoConnections(t);
    const v = await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif() });
    t.advance(2000);
    expect((await t.dx('DescribeVirtualInterfaces', { connectionId: a })).virtualInterfaces[0].virtualInterfaceState).toBe('available');
    const moved = await t.dx('AssociateVirtualInterface', { virtualInterfaceId: v.virtualInterfaceId, connectionId: b });
    expect(moved).toMatchObject({ connectionId: b, virtualInterfaceState: 'pending', vlan: 101 });
    expect(moved.bgpPeers.map((p: any) => p.bgpPeerState)).toEqual(['deleting', 'pending']);
    expect(moved.bgpPeers[1].bgpPeerId).not.toBe(moved.bgpPeers[0].bgpPeerId);
    const last = changes.at(-1)!;
    expect(last.kind === 'vif' && last.config.connectionIds).toEqual([b]);
    t.advance(1000);
    const after = (await t.dx('DescribeVirtualInterfaces', { connectionId: b })).virtualInterfaces[0];
    expect(after.virtualInterfaceState).toBe('available');
    expect(after.bgpPeers.map((p: any) => p.bgpPeerState)).toEqual(['available']);
    expect((await t.dx('DescribeVirtualInterfaces', { connectionId: a })).virtualInterfaces).toEqual([]);
  });

  it('refuses a VLAN or address clash on the target, the same target, a LAG member, a deleted VIF', async () => {
    t = testApi();
    const [a, b] = await twoConnections(t);
    const v = await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif() });
    await t.dx('CreatePrivateVirtualInterface', { connectionId: b, newPrivateVirtualInterface: vif({ amazonAddress: '10.1.0.1/30', customerAddress: '10.1.0.2/30' }) });
    await t.rejects('directconnect', 'AssociateVirtualInterface', { virtualInterfaceId: v.virtualInterfaceId, connectionId: b }, 'DirectConnectClientException', /VLAN 101 is already used/);
    await t.rejects('directconnect', 'AssociateVirtualInterface', { virtualInterfaceId: v.virtualInterfaceId, connectionId: a }, 'DirectConnectClientException', /already on/);
    const lag = await t.dx('CreateLag', { location: 'IAD66', connectionsBandwidth: '10Gbps', numberOfConnections: 1, lagName: 'l', requestMACSec: true });
    await t.rejects('directconnect', 'AssociateVirtualInterface', { virtualInterfaceId: v.virtualInterfaceId, connectionId: lag.connections[0].connectionId }, 'DirectConnectClientException', /sit on the LAG/);
    expect((await t.dx('AssociateVirtualInterface', { virtualInterfaceId: v.virtualInterfaceId, connectionId: lag.lagId })).connectionId).toBe(lag.lagId);
    await t.dx('DeleteVirtualInterface', { virtualInterfaceId: v.virtualInterfaceId });
    await t.rejects('directconnect', 'AssociateVirtualInterface', { virtualInterfaceId: v.virtualInterfaceId, connectionId: a }, 'DirectConnectClientException', /is deleted/);
  });
});

describe('DeleteVirtualInterface and DescribeVirtualInterfaces', () => {
  it('deleting, then deleted, listed 15 minutes; a connection with a VIF cannot be deleted', async () => {
    t = testApi();
    const [a] = await twoConnections(t);
    const v = await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif() });
    await t.rejects('directconnect', 'DeleteConnection', { connectionId: a }, 'DirectConnectClientException', /has virtual interfaces/);
    expect(await t.dx('DeleteVirtualInterface', { virtualInterfaceId: v.virtualInterfaceId })).toEqual({ virtualInterfaceState: 'deleting' });
    expect((await t.dx('DescribeVirtualInterfaces')).virtualInterfaces[0].virtualInterfaceState).toBe('deleted');
    await t.rejects('directconnect', 'DeleteVirtualInterface', { virtualInterfaceId: v.virtualInterfaceId }, 'DirectConnectClientException', /is deleted/);
    await t.dx('DeleteConnection', { connectionId: a });
    t.advance(15 * 60 * 1000);
    expect((await t.dx('DescribeVirtualInterfaces')).virtualInterfaces).toEqual([]);
  });

  it('filters by connection and id, pages, names unknown ids', async () => {
    t = testApi();
    const [a, b] = await twoConnections(t);
    for (let i = 1; i <= 3; i++) await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif({ vlan: i, amazonAddress: undefined, customerAddress: undefined }) });
    const onB = await t.dx('CreatePrivateVirtualInterface', { connectionId: b, newPrivateVirtualInterface: vif({ vlan: 9, amazonAddress: undefined, customerAddress: undefined }) });
    expect((await t.dx('DescribeVirtualInterfaces', { connectionId: a })).virtualInterfaces.map((v: any) => v.vlan)).toEqual([1, 2, 3]);
    expect((await t.dx('DescribeVirtualInterfaces', { connectionId: a, virtualInterfaceId: onB.virtualInterfaceId })).virtualInterfaces).toEqual([]);
    const p1 = await t.dx('DescribeVirtualInterfaces', { maxResults: 3 });
    const p2 = await t.dx('DescribeVirtualInterfaces', { maxResults: 3, nextToken: p1.nextToken });
    expect([...p1.virtualInterfaces, ...p2.virtualInterfaces].map((v: any) => v.vlan)).toEqual([1, 2, 3, 9]);
    await t.rejects('directconnect', 'DescribeVirtualInterfaces', { virtualInterfaceId: 'dxvif-00000000' }, 'DirectConnectClientException', /Virtual interface dxvif-00000000 does not exist/);
    await t.rejects('directconnect', 'DescribeVirtualInterfaces', { connectionId: 'dxcon-00000000' }, 'DirectConnectClientException', /does not exist/);
  });

  it('bgpStatus comes from the data plane', async () => {
    t = testApi({ binding: { ...apiStateOnlyBinding(), bgpStatus: () => 'up' } });
    const [a] = await twoConnections(t);
    const v = await t.dx('CreatePrivateVirtualInterface', { connectionId: a, newPrivateVirtualInterface: vif() });
    t.advance(2000);
    expect((await t.dx('DescribeVirtualInterfaces', { virtualInterfaceId: v.virtualInterfaceId })).virtualInterfaces[0].bgpPeers[0].bgpStatus).toBe('up');
  });
});
