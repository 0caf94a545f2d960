/**
 * Direct Connect's quotas (src/aws/directconnect/quotas.ts; User Guide,
 * "AWS Direct Connect quotas", limits.html): a request past one is refused
 * with LimitExceededException in AWS's error body and leaves the store as it
 * was; deleted resources free their place; the service's setting raises a
 * quota; a lab with more DX ports at a location than the default still
 * binds every one. The property that bounds the cost of a list answer
 * without maxResults (issue 20): after any number of accepted creates, the
 * store holds no more than the quotas allow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { apiStateOnlyBinding, createRequestHandler, labQuotaNeeds, parseQuotaSettings, DEFAULT_DX_QUOTAS, type LabPort } from '../../../src/aws/index.js';
import { testApi, type TestApi } from '../../helpers/aws.js';
import { closeAll, fakeWideLab, upLab, type Closable } from '../../helpers/lab-api.js';
import { seededRandom } from '../../helpers/random.js';
import { tempDir } from '../../helpers/tmp.js';

let t: TestApi;
afterEach(() => t?.close());

const connection = (name: string, extra: Record<string, unknown> = {}) => ({ location: 'IAD66', bandwidth: '10Gbps', connectionName: name, ...extra });
const lagBody = (n: number, extra: Record<string, unknown> = {}) => ({ location: 'IAD66', connectionsBandwidth: '10Gbps', numberOfConnections: n, lagName: 'l', ...extra });

describe('active connections per location per Region per account: 10', () => {
  it('refuses the 11th at one location with AWS error body, storing nothing; another location counts apart', async () => {
    t = testApi();
    for (let i = 1; i <= 10; i++) await t.dx('CreateConnection', connection(`c${i}`));
    const message = await t.rejects('directconnect', 'CreateConnection', connection('c11'), 'LimitExceededException', /IAD66 in us-east-1 has 10 active connections.*is 10.*--quota connections-per-location=N/);
    expect(message).not.toMatch(/undefined/);
    // The body a client reads, through the HTTP handler: status 400, __type and message only.
    const handler = createRequestHandler(t.api, {});
    const h = await handler({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'OvertureService.CreateConnection' }, body: Buffer.from(JSON.stringify(connection('c11'))), tooLarge: false });
    expect(h.answer.status).toBe(400);
    expect(h.answer.contentType).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(h.answer.body)).toEqual({ __type: 'LimitExceededException', message });
    expect((await t.dx('DescribeConnections')).connections).toHaveLength(10);
    // EqDC2 is another location: its own 10.
    await t.dx('CreateConnection', connection('e1', { location: 'EqDC2' }));
  });

  it('a deleted connection frees its place at once, though it stays listed (deleted) for 15 minutes', async () => {
    t = testApi();
    const ids: string[] = [];
    for (let i = 1; i <= 10; i++) ids.push((await t.dx('CreateConnection', connection(`c${i}`))).connectionId);
    await t.rejects('directconnect', 'CreateConnection', connection('c11'), 'LimitExceededException');
    await t.dx('DeleteConnection', { connectionId: ids[0] });
    const c11 = await t.dx('CreateConnection', connection('c11'));
    expect(c11.connectionState).toBe('requested');
    const listed = (await t.dx('DescribeConnections')).connections;
    expect(listed).toHaveLength(11);
    expect(listed.filter((c: any) => c.connectionState === 'deleted')).toHaveLength(1);
    await t.rejects('directconnect', 'CreateConnection', connection('c12'), 'LimitExceededException');
  });

  it("a LAG's connections count: CreateLag refused when its new connections would pass the quota; from an existing connection it adds one less", async () => {
    t = testApi();
    for (let i = 1; i <= 7; i++) await t.dx('CreateConnection', connection(`c${i}`));
    await t.rejects('directconnect', 'CreateLag', lagBody(4), 'LimitExceededException', /has 7 active connections, and this request adds 4/);
    const c8 = await t.dx('CreateConnection', connection('c8'));
    // From c8 and 2 new: 10 in all.
    const lag = await t.dx('CreateLag', lagBody(3, { connectionId: c8.connectionId }));
    expect(lag.connections).toHaveLength(3);
    await t.rejects('directconnect', 'CreateConnection', connection('m', { lagId: lag.lagId }), 'LimitExceededException', /has 10 active connections/);
  });

  it('the setting raises it (and lowers it), per location', async () => {
    t = testApi({ quotas: { connectionsPerLocation: 12 } });
    for (let i = 1; i <= 12; i++) await t.dx('CreateConnection', connection(`c${i}`));
    await t.rejects('directconnect', 'CreateConnection', connection('c13'), 'LimitExceededException', /is 12/);
    t.close();
    t = testApi({ quotas: { connectionsPerLocation: 1 } });
    await t.dx('CreateConnection', connection('c1'));
    await t.rejects('directconnect', 'CreateConnection', connection('c2'), 'LimitExceededException', /has 1 active connection: .*is 1 /);
  });
});

describe('LAGs per Region: 10; connections per LAG by port speed', () => {
  it('refuses the 11th LAG; a deleted LAG frees its place; the setting raises it', async () => {
    t = testApi({ quotas: { connectionsPerLocation: 100 } });
    const lags: string[] = [];
    for (let i = 1; i <= 10; i++) lags.push((await t.dx('CreateLag', lagBody(1))).lagId);
    await t.rejects('directconnect', 'CreateLag', lagBody(1), 'LimitExceededException', /us-east-1 has 10 LAGs.*"Link aggregation groups \(LAGs\) per Region" is 10/);
    await t.dx('DeleteLag', { lagId: lags[0] });
    await t.dx('CreateLag', lagBody(1));
    t.close();
    t = testApi({ quotas: { lagsPerRegion: 11 } });
    for (let i = 1; i <= 10; i++) await t.dx('CreateLag', lagBody(1, { location: i % 2 ? 'IAD66' : 'EqDC2' }));
    await t.dx('CreateLag', lagBody(1, { location: 'EqDC2' }));
    await t.rejects('directconnect', 'CreateLag', lagBody(1, { location: 'EqDC2' }), 'LimitExceededException', /is 11/);
  });

  it('4 dedicated connections below 100G, 2 at 100G and 400G: the next, by CreateConnection or AssociateConnectionWithLag, is refused', async () => {
    t = testApi({ quotas: { connectionsPerLocation: 100 } });
    for (const [bandwidth, max] of [['10Gbps', 4], ['100Gbps', 2], ['400Gbps', 2]] as const) {
      const lag = await t.dx('CreateLag', lagBody(max, { connectionsBandwidth: bandwidth }));
      expect(lag.connections).toHaveLength(max);
      await t.rejects('directconnect', 'CreateConnection', connection('more', { bandwidth, lagId: lag.lagId }), 'LimitExceededException', new RegExp(`already has ${max} connections, the most a ${bandwidth} LAG can have`));
      const loose = await t.dx('CreateConnection', connection('loose', { bandwidth }));
      // The same device as the LAG's: only the member count stands in the way.
      expect(loose.awsDevice).toBe(lag.awsDevice);
      await t.rejects('directconnect', 'AssociateConnectionWithLag', { connectionId: loose.connectionId, lagId: lag.lagId }, 'LimitExceededException', /already has/);
      await t.rejects('directconnect', 'CreateLag', lagBody(max + 1, { connectionsBandwidth: bandwidth }), 'DirectConnectClientException', new RegExp(`1 to ${max} for ${bandwidth}`));
    }
  });
});

describe('VIFs per Direct Connect gateway: 30', () => {
  const GW = '5f294f92-bafb-4011-916d-9b0b0abcde12';
  const onGateway = (connectionId: string, vlan: number, gateway = GW) => ({ connectionId, newPrivateVirtualInterface: { virtualInterfaceName: `v${vlan}`, vlan, asn: 65000, directConnectGatewayId: gateway } });

  it('refuses the 31st on one gateway, over any connections; another gateway counts apart; a deleted VIF frees its place; the setting raises it', async () => {
    t = testApi({ timings: { vifPendingMs: 0 } });
    const a = (await t.dx('CreateConnection', connection('a'))).connectionId;
    const b = (await t.dx('CreateConnection', connection('b'))).connectionId;
    const made: string[] = [];
    for (let i = 1; i <= 30; i++) made.push((await t.dx('CreatePrivateVirtualInterface', onGateway(i % 2 ? a : b, i))).virtualInterfaceId);
    await t.rejects('directconnect', 'CreatePrivateVirtualInterface', onGateway(a, 31), 'LimitExceededException', /gateway .* has 30 virtual interfaces.*per AWS Direct Connect gateway" is 30.*vifs-per-dx-gateway=N/);
    await t.dx('CreatePrivateVirtualInterface', onGateway(a, 32, '00000000-1111-2222-3333-444444444444'));
    await t.dx('DeleteVirtualInterface', { virtualInterfaceId: made[0] });
    await t.dx('CreatePrivateVirtualInterface', onGateway(a, 33));
    t.close();
    t = testApi({ quotas: { vifsPerDirectConnectGateway: 31 } });
    const c = (await t.dx('CreateConnection', connection('c'))).connectionId;
    for (let i = 1; i <= 31; i++) await t.dx('CreatePrivateVirtualInterface', onGateway(c, i));
    await t.rejects('directconnect', 'CreatePrivateVirtualInterface', onGateway(c, 32), 'LimitExceededException', /is 31/);
  });
});

describe('what bounds a list answer (issue 20)', () => {
  it('after 600 random creates and deletes the store holds at most the quotas: 10 active connections per location, 10 LAGs', async () => {
    t = testApi();
    const r = seededRandom(20);
    const locations = ['IAD66', 'EqDC2'];
    let accepted = 0;
    let refused = 0;
    const live: string[] = [];
    for (let i = 0; i < 600; i++) {
      const location = locations[Math.floor(r() * 2)]!;
      const k = r();
      const op = k < 0.5 ? 'CreateConnection' : k < 0.8 ? 'CreateLag' : 'DeleteConnection';
      const body =
        op === 'CreateConnection' ? connection(`c${i}`, { location }) : op === 'CreateLag' ? lagBody(1 + Math.floor(r() * 4), { location }) : { connectionId: live.splice(Math.floor(r() * live.length), 1)[0] ?? 'dxcon-00000000' };
      const res = await t.call('directconnect', op, body);
      if (res.ok) {
        accepted++;
        const out = res.output as any;
        if (op === 'CreateConnection') live.push(out.connectionId);
      } else {
        expect(['LimitExceededException', 'DirectConnectClientException']).toContain(res.error.code);
        if (res.error.code === 'LimitExceededException') refused++;
      }
    }
    // The run reached the quotas (else it shows nothing) and went on.
    expect(refused).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(40);
    const connections = (await t.dx('DescribeConnections')).connections as any[];
    for (const location of locations) {
      expect(connections.filter((c) => c.location === location && c.connectionState !== 'deleted').length).toBeLessThanOrEqual(DEFAULT_DX_QUOTAS.connectionsPerLocation);
    }
    expect(((await t.dx('DescribeLags')).lags as any[]).filter((l) => l.lagState !== 'deleted').length).toBeLessThanOrEqual(DEFAULT_DX_QUOTAS.lagsPerRegion);
    // Deleted ones leave the list after 15 minutes: then the list is within the quotas too.
    t.advance(16 * 60 * 1000);
    expect(((await t.dx('DescribeConnections')).connections as any[]).length).toBeLessThanOrEqual(locations.length * DEFAULT_DX_QUOTAS.connectionsPerLocation);
  });
});

describe('the --quota setting', () => {
  it('reads NAME=N; refuses an unknown name, a missing or non-whole or zero value', () => {
    expect(parseQuotaSettings(['connections-per-location=64', 'lags-per-region=20', 'lags-per-region=30', 'vifs-per-dx-gateway=40'])).toEqual({ connectionsPerLocation: 64, lagsPerRegion: 30, vifsPerDirectConnectGateway: 40 });
    expect(parseQuotaSettings([])).toEqual({});
    expect(() => parseQuotaSettings(['vifs-per-connection=60'])).toThrow(/NAME one of connections-per-location, lags-per-region, vifs-per-dx-gateway/);
    expect(() => parseQuotaSettings(['connections-per-location'])).toThrow(/whole number/);
    expect(() => parseQuotaSettings(['connections-per-location=0'])).toThrow(/whole number/);
    expect(() => parseQuotaSettings(['connections-per-location=1.5'])).toThrow(/whole number/);
    expect(() => parseQuotaSettings(['connections-per-location=-3'])).toThrow(/whole number/);
    expect(() => parseQuotaSettings(['__proto__=3'])).toThrow(/NAME one of/);
  });
});

describe('a lab holds its ports (the binding raises the quotas to what the lab needs)', () => {
  const port = (id: string, location: string): LabPort => ({ id, node: 'dx', port: id, socket: '', netns: '', wire: '', location, bandwidth: '10Gbps', device: `${location}-dx`, free: false, vifs: [] });

  it('labQuotaNeeds: every DX port at its location, seeded or free; every lab LAG; nothing in another region', () => {
    const ports = [...Array.from({ length: 64 }, (_, i) => port(`dx:eth${i}`, 'IAD66')), { ...port('dx2:eth1', 'EqDC2'), free: true }];
    const plan = { region: 'us-east-1', ports, lags: [{} as never, {} as never] };
    expect(labQuotaNeeds(plan, 'us-east-1')).toEqual({ connectionsAt: { IAD66: 64, EqDC2: 1 }, lags: 2 });
    expect(labQuotaNeeds(plan, 'eu-west-1')).toEqual({ connectionsAt: {}, lags: 0 });
  });

  it('a binding that needs 12 at IAD66 gets 12 there, the setting elsewhere; a larger setting wins', async () => {
    const binding = { ...apiStateOnlyBinding(), quotaNeeds: (region: string) => ({ connectionsAt: (region === 'us-east-1' ? { IAD66: 12 } : {}) as Record<string, number>, lags: 0 }) };
    t = testApi({ binding });
    for (let i = 1; i <= 12; i++) await t.dx('CreateConnection', connection(`c${i}`));
    await t.rejects('directconnect', 'CreateConnection', connection('c13'), 'LimitExceededException', /is 12/);
    for (let i = 1; i <= 10; i++) await t.dx('CreateConnection', connection(`e${i}`, { location: 'EqDC2' }));
    await t.rejects('directconnect', 'CreateConnection', connection('e11', { location: 'EqDC2' }), 'LimitExceededException', /is 10/);
    t.close();
    t = testApi({ binding, quotas: { connectionsPerLocation: 14 } });
    for (let i = 1; i <= 14; i++) await t.dx('CreateConnection', connection(`c${i}`));
    await t.rejects('directconnect', 'CreateConnection', connection('c15'), 'LimitExceededException', /is 14/);
  });

  const dir = tempDir('dxlab-aws-quota-');
  const open: Closable[] = [];
  afterEach(() => closeAll(open));

  it('a lab of 14 DX ports at IAD66 (12 on links, 2 free) seeds 12 connections and CreateConnection takes both free ports; the next is refused; --quota lets it wait requested', async () => {
    const { dx, call } = await upLab(await fakeWideLab(join(dir, 'wide1'), 'q1', 12, 2), open);
    const seeded = (await dx('DescribeConnections')).connections as any[];
    expect(seeded).toHaveLength(12);
    expect(seeded.every((c) => c.connectionState === 'available')).toBe(true);
    for (const name of ['a', 'b']) expect((await dx('CreateConnection', connection(name))).tags).toEqual([expect.objectContaining({ key: 'dxlab:port' })]);
    const r = await call('CreateConnection', connection('c'));
    expect(r.ok ? 'accepted' : r.error.code).toBe('LimitExceededException');
    expect(r.ok || r.error.message).toMatch(/has 14 active connections.*is 14/);
    await closeAll(open);
    const raised = await upLab(await fakeWideLab(join(dir, 'wide2'), 'q2', 12, 2), open, { quotas: { connectionsPerLocation: 20 } });
    for (const name of ['a', 'b']) await raised.dx('CreateConnection', connection(name));
    const waiting = await raised.dx('CreateConnection', connection('c'));
    expect(waiting.connectionState).toBe('requested');
    // No port left: it waits for one, unbound (no dxlab:port tag).
    expect(waiting.tags ?? []).toEqual([]);
  });
});
