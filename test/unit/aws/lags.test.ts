/**
 * LAGs in-process: creation (new connections, or from an existing one),
 * membership, the rules V8 (keys at the LAG level), V15 (the LAG's mode on
 * every member) and V16 (limits), deletion; rejections leave the store as it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiStateOnlyBinding, type DataPlaneChange, type DxPortBinding } from '../../../src/aws/index.js';
import { CAK1, CAK2, CKN1, CKN2, testApi, type TestApi } from '../../helpers/aws.js';

let t: TestApi;
afterEach(() => t?.close());

function recordingBinding(): DxPortBinding & { changes: DataPlaneChange[] } {
  const changes: DataPlaneChange[] = [];
  return { ...apiStateOnlyBinding(), changes, apply: async (c) => void changes.push(...c) };
}

const lagBody = (extra: Record<string, unknown> = {}) => ({ location: 'IAD66', connectionsBandwidth: '10Gbps', numberOfConnections: 2, lagName: 'MACsec LAG', requestMACSec: true, ...extra });

describe('CreateLag', () => {
  it('requests new connections named as AWS names them; pending, then available; a MACsec LAG starts in no_encrypt', async () => {
    t = testApi();
    const lag = await t.dx('CreateLag', lagBody());
    expect(lag.lagId).toMatch(/^dxlag-[a-z0-9]{8}$/);
    expect(lag).toMatchObject({ lagState: 'pending', numberOfConnections: 2, minimumLinks: 0, macSecCapable: true, encryptionMode: 'no_encrypt', macSecKeys: [], connectionsBandwidth: '10Gbps' });
    expect(lag.connections.map((c: any) => c.connectionName)).toEqual([`Requested Connection 1 for Lag ${lag.lagId}`, `Requested Connection 2 for Lag ${lag.lagId}`]);
    expect(lag.connections.every((c: any) => c.lagId === lag.lagId && c.connectionState === 'requested' && c.awsDevice === lag.awsDevice && c.encryptionMode === 'no_encrypt')).toBe(true);
    t.advance(2000);
    expect((await t.dx('DescribeLags', { lagId: lag.lagId })).lags[0].lagState).toBe('available');
    expect((await t.dx('DescribeConnections')).connections).toHaveLength(2);
  });

  it('V8: from an existing connection: same id, its own keys dropped, its VIFs moved to the LAG', async () => {
    t = testApi();
    const c = await t.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'old', requestMACSec: true });
    await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN1, cak: CAK1 });
    const vif = await t.dx('CreatePrivateVirtualInterface', { connectionId: c.connectionId, newPrivateVirtualInterface: { virtualInterfaceName: 'vif1', vlan: 100, asn: 65000, virtualGatewayId: 'vgw-12345678' } });
    const lag = await t.dx('CreateLag', lagBody({ connectionId: c.connectionId }));
    expect(lag.connections.map((x: any) => x.connectionId)).toContain(c.connectionId);
    const member = lag.connections.find((x: any) => x.connectionId === c.connectionId);
    expect(member).toMatchObject({ lagId: lag.lagId, connectionName: 'old', macSecKeys: [] });
    expect((await t.dx('DescribeVirtualInterfaces', { virtualInterfaceId: vif.virtualInterfaceId })).virtualInterfaces[0].connectionId).toBe(lag.lagId);
  });

  it('V16 and V1: member counts by speed, same bandwidth and location, MACsec speeds, members of MACsec LAGs support MACsec', async () => {
    t = testApi();
    await t.rejects('directconnect', 'CreateLag', lagBody({ numberOfConnections: 5 }), 'DirectConnectClientException', /1 to 4 for 10Gbps/);
    await t.rejects('directconnect', 'CreateLag', lagBody({ numberOfConnections: 3, connectionsBandwidth: '100Gbps' }), 'DirectConnectClientException', /1 to 2 for 100Gbps/);
    await t.rejects('directconnect', 'CreateLag', lagBody({ numberOfConnections: 0 }), 'DirectConnectClientException', /numberOfConnections/);
    await t.rejects('directconnect', 'CreateLag', lagBody({ connectionsBandwidth: '1Gbps' }), 'DirectConnectClientException', /no MACsec-capable 1Gbps/);
    const plain = await t.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'plain' });
    await t.rejects('directconnect', 'CreateLag', lagBody({ connectionId: plain.connectionId }), 'DirectConnectClientException', /not requested with MACsec/);
    const hundred = await t.dx('CreateConnection', { location: 'IAD66', bandwidth: '100Gbps', connectionName: 'big', requestMACSec: true });
    await t.rejects('directconnect', 'CreateLag', lagBody({ connectionId: hundred.connectionId }), 'DirectConnectClientException', /same bandwidth/);
    const lag = await t.dx('CreateLag', lagBody({ numberOfConnections: 4 }));
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'fifth', lagId: lag.lagId, requestMACSec: true }, 'LimitExceededException', /already has 4 connections/);
    const lag2 = await t.dx('CreateLag', lagBody({ numberOfConnections: 1 }));
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '100Gbps', connectionName: 'x', lagId: lag2.lagId, requestMACSec: true }, 'DirectConnectClientException', /bundles 10Gbps/);
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'x', lagId: lag2.lagId }, 'DirectConnectClientException', /must support MACsec/);
    const joined = await t.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'x', lagId: lag2.lagId, requestMACSec: true });
    expect(joined).toMatchObject({ lagId: lag2.lagId, awsDevice: lag2.awsDevice });
    await t.rejects('directconnect', 'AssociateConnectionWithLag', { connectionId: plain.connectionId, lagId: lag2.lagId }, 'DirectConnectClientException', /runs MACsec/);
  });

  it('V16: a connection on another device cannot join', async () => {
    const base = apiStateOnlyBinding();
    let n = 0;
    // Standalone connections alternate between the location's two devices.
    t = testApi({ binding: { ...base, placeConnection: (l, _b, lagDevice) => lagDevice ?? l.devices[n++ % 2]! } });
    const lag = await t.dx('CreateLag', lagBody({ numberOfConnections: 1 }));
    const c = await t.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'elsewhere', requestMACSec: true });
    expect(c.awsDevice).not.toBe(lag.awsDevice);
    await t.rejects('directconnect', 'AssociateConnectionWithLag', { connectionId: c.connectionId, lagId: lag.lagId }, 'DirectConnectClientException', /share one device/);
  });
});

describe('MACsec on a LAG', () => {
  it('V8: keys go on the LAG and apply to every member; not on a member', async () => {
    const binding = recordingBinding();
    t = testApi({ binding });
    const lag = await t.dx('CreateLag', lagBody());
    const r = await t.dx('AssociateMacSecKey', { connectionId: lag.lagId, ckn: CKN1, cak: CAK1 });
    expect(r).toMatchObject({ connectionId: lag.lagId, macSecKeys: [expect.objectContaining({ ckn: CKN1, state: 'associating' })] });
    const members = (await t.dx('DescribeConnections')).connections;
    expect(members.map((c: any) => c.macSecKeys.map((k: any) => k.ckn))).toEqual([[CKN1], [CKN1]]);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: members[0].connectionId, ckn: CKN2, cak: CAK2 }, 'DirectConnectClientException', /member of .*associated with the LAG/);
    // One change for the whole LAG (one operation on a data-plane LAG), holding every member's desired state.
    const last = binding.changes[binding.changes.length - 1]!;
    const ports = last.kind === 'lag' ? last.config.members : [];
    expect(ports.map((p) => [p.connectionId, p.macsec!.keyChain.map((k) => k.ckn)])).toEqual(members.map((c: any) => [c.connectionId, [CKN1]]));
  });

  it('V8: a connection joining a LAG drops its own keys for the LAG\'s', async () => {
    t = testApi();
    const lag = await t.dx('CreateLag', lagBody({ numberOfConnections: 1 }));
    await t.dx('AssociateMacSecKey', { connectionId: lag.lagId, ckn: CKN1, cak: CAK1 });
    const c = await t.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'own key', requestMACSec: true });
    await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN2, cak: CAK2 });
    const joined = await t.dx('AssociateConnectionWithLag', { connectionId: c.connectionId, lagId: lag.lagId });
    expect(joined.macSecKeys.map((k: any) => k.ckn)).toEqual([CKN1]);
    await t.rejects('directconnect', 'AssociateConnectionWithLag', { connectionId: c.connectionId, lagId: lag.lagId }, 'DirectConnectClientException', /already a member/);
  });

  it('V15: UpdateLag encryptionMode applies to every member; a member\'s own mode cannot be set', async () => {
    const binding = recordingBinding();
    t = testApi({ binding });
    const lag = await t.dx('CreateLag', lagBody());
    await t.rejects('directconnect', 'UpdateLag', { lagId: lag.lagId, encryptionMode: 'must_encrypt' }, 'DirectConnectClientException', /no MACsec key/);
    await t.dx('AssociateMacSecKey', { connectionId: lag.lagId, ckn: CKN1, cak: CAK1 });
    const u = await t.dx('UpdateLag', { lagId: lag.lagId, encryptionMode: 'must_encrypt' });
    expect(u.encryptionMode).toBe('must_encrypt');
    expect(u.connections.map((c: any) => c.encryptionMode)).toEqual(['must_encrypt', 'must_encrypt']);
    const last = binding.changes[binding.changes.length - 1]!;
    expect(last.kind === 'lag' && last.config.members.map((m) => m.macsec!.mode)).toEqual(['must_encrypt', 'must_encrypt']);
    await t.rejects('directconnect', 'UpdateConnection', { connectionId: u.connections[0].connectionId, encryptionMode: 'should_encrypt' }, 'DirectConnectClientException', /member of .*UpdateLag/);
    await t.rejects('directconnect', 'UpdateLag', { lagId: lag.lagId, encryptionMode: 'maybe' }, 'DirectConnectClientException', /encryptionMode 'maybe'/);
  });

  it('V10 on a LAG: its last key leaving must_encrypt falls back to should_encrypt; V1: no key on a LAG without MACsec', async () => {
    t = testApi();
    const lag = await t.dx('CreateLag', lagBody());
    const arn = (await t.dx('AssociateMacSecKey', { connectionId: lag.lagId, ckn: CKN1, cak: CAK1 })).macSecKeys[0].secretARN;
    await t.dx('UpdateLag', { lagId: lag.lagId, encryptionMode: 'must_encrypt' });
    await t.dx('DisassociateMacSecKey', { connectionId: lag.lagId, secretARN: arn });
    expect((await t.dx('DescribeLags', { lagId: lag.lagId })).lags[0].encryptionMode).toBe('should_encrypt');
    const plain = await t.dx('CreateLag', lagBody({ requestMACSec: false, lagName: 'plain' }));
    expect(plain.macSecCapable).toBe(false);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: plain.lagId, ckn: CKN1, cak: CAK1 }, 'DirectConnectClientException', /not requested with MACsec/);
    await t.rejects('directconnect', 'UpdateLag', { lagId: plain.lagId, encryptionMode: 'should_encrypt' }, 'DirectConnectClientException', /not requested with MACsec/);
  });
});

describe('membership and deletion', () => {
  it('minimumLinks: 0 to the member count; a member may not leave below it, except the last', async () => {
    t = testApi();
    const lag = await t.dx('CreateLag', lagBody());
    t.advance(2000);
    await t.rejects('directconnect', 'UpdateLag', { lagId: lag.lagId, minimumLinks: 3 }, 'DirectConnectClientException', /minimumLinks must be 0 to/);
    await t.dx('UpdateLag', { lagId: lag.lagId, minimumLinks: 2 });
    const [a, b] = lag.connections.map((c: any) => c.connectionId);
    await t.rejects('directconnect', 'DisassociateConnectionFromLag', { connectionId: a, lagId: lag.lagId }, 'DirectConnectClientException', /below its minimumLinks of 2/);
    await t.rejects('directconnect', 'DeleteConnection', { connectionId: a }, 'DirectConnectClientException', /minimumLinks/);
    await t.dx('UpdateLag', { lagId: lag.lagId, minimumLinks: 1 });
    const left = await t.dx('DisassociateConnectionFromLag', { connectionId: a, lagId: lag.lagId });
    expect(left).not.toHaveProperty('lagId');
    // The last member may always leave; the LAG stays, empty and down.
    await t.dx('DisassociateConnectionFromLag', { connectionId: b, lagId: lag.lagId });
    expect((await t.dx('DescribeLags', { lagId: lag.lagId })).lags[0]).toMatchObject({ numberOfConnections: 0, lagState: 'down' });
    await t.rejects('directconnect', 'DisassociateConnectionFromLag', { connectionId: b, lagId: lag.lagId }, 'DirectConnectClientException', /not a member/);
  });

  it('DeleteLag: refused while it carries VIFs; its connections stay, standalone', async () => {
    t = testApi();
    const lag = await t.dx('CreateLag', lagBody());
    const vif = await t.dx('CreatePrivateVirtualInterface', { connectionId: lag.lagId, newPrivateVirtualInterface: { virtualInterfaceName: 'on-lag', vlan: 10, asn: 65000, virtualGatewayId: 'vgw-12345678' } });
    await t.rejects('directconnect', 'DeleteLag', { lagId: lag.lagId }, 'DirectConnectClientException', /has virtual interfaces/);
    await t.dx('DeleteVirtualInterface', { virtualInterfaceId: vif.virtualInterfaceId });
    const d = await t.dx('DeleteLag', { lagId: lag.lagId });
    expect(d).toMatchObject({ lagState: 'deleted', connections: [], numberOfConnections: 0 });
    const conns = (await t.dx('DescribeConnections')).connections;
    expect(conns).toHaveLength(2);
    expect(conns.every((c: any) => c.lagId === undefined && c.connectionState !== 'deleted')).toBe(true);
    await t.rejects('directconnect', 'DeleteLag', { lagId: lag.lagId }, 'DirectConnectClientException', /is deleted/);
    await t.rejects('directconnect', 'UpdateLag', { lagId: 'dxlag-nothere1', lagName: 'x' }, 'DirectConnectClientException', /LAG dxlag-nothere1 does not exist/);
  });

  it('pages DescribeLags', async () => {
    t = testApi();
    for (let i = 0; i < 3; i++) await t.dx('CreateLag', lagBody({ lagName: `l${i}`, numberOfConnections: 1 }));
    const p1 = await t.dx('DescribeLags', { maxResults: 2 });
    const p2 = await t.dx('DescribeLags', { maxResults: 2, nextToken: p1.nextToken });
    expect([...p1.lags, ...p2.lags].map((l: any) => l.lagName)).toEqual(['l0', 'l1', 'l2']);
    expect(p2.nextToken).toBeUndefined();
  });
});
