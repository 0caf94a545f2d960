/**
 * The API's LAGs bound to a lab's LAG, against a fake DX node control
 * socket (test/helpers/fake-node.ts): the topology's LAG seeded as an API
 * LAG with its member connections, keys and mode; a LAG's key and mode as
 * one command on the node's LAG (not one per member); minimumLinks and
 * membership live; what the node's LAG cannot do refused with AWS's error
 * and nothing sent; lagState from the node's logical port; drift on the
 * LAG after a restart; a restarted node given the LAG's state again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { fakeLagLab, upLab, closeAll, type Closable, type UpLab } from '../../helpers/lab-api.js';
import { tempDir } from '../../helpers/tmp.js';
import { CAK2, CKN1, CKN2 } from '../../helpers/aws.js';

const dir = tempDir('dxlab-aws-lag-');
let n = 0;

const open: Closable[] = [];
afterEach(() => closeAll(open));

const up = (): Promise<UpLab> => fakeLagLab(join(dir, `lab${++n}`), `g${n}`).then((l) => upLab(l, open));

describe("a lab's LAG as an API LAG", () => {
  it('is seeded with its member connections, the LAG key and mode, minimumLinks and its VIF; nothing is pushed', async () => {
    const { l, api, dx } = await up();
    const lags = (await dx('DescribeLags')).lags;
    expect(lags).toHaveLength(1);
    const lag = lags[0];
    expect(lag).toMatchObject({
      lagName: 'dxlab dx:lag1',
      lagState: 'available',
      numberOfConnections: 2,
      connectionsBandwidth: '10Gbps',
      minimumLinks: 0,
      macSecCapable: true,
      encryptionMode: 'should_encrypt',
      macSecKeys: [expect.objectContaining({ ckn: CKN1.toUpperCase(), state: 'associated' })],
      tags: [{ key: 'dxlab:port', value: 'dx:lag1' }],
    });
    expect(lag.connections.map((c: any) => [c.tags[0].value, c.lagId, c.portEncryptionStatus])).toEqual([
      ['dx:eth1', lag.lagId, `Encryption Up with CKN ${CKN1.toUpperCase()}`],
      ['dx:eth2', lag.lagId, `Encryption Up with CKN ${CKN1.toUpperCase()}`],
    ]);
    const vifs = (await dx('DescribeVirtualInterfaces')).virtualInterfaces;
    expect(vifs).toEqual([expect.objectContaining({ connectionId: lag.lagId, vlan: 100, virtualInterfaceName: 'private-vif' })]);
    expect(api.report.seeded).toHaveLength(2);
    expect(l.logs).toContain(`lab ${l.state.lab}: LAG dx:lag1 is ${lag.lagId}`);
    expect(l.node.commands).toEqual([]);
  });

  it("lagState follows the node's logical port: down while it is down, though every member's link is up", async () => {
    const { l, api, dx } = await up();
    l.node.lags.get('lag1')!.logicalPortUp = false;
    await api.binding.refresh();
    const lag = (await dx('DescribeLags')).lags[0];
    expect(lag.lagState).toBe('down');
    expect(lag.connections.map((c: any) => c.connectionState)).toEqual(['available', 'available']);
  });

  it('AssociateMacSecKey and DisassociateMacSecKey on the LAG are one command each on the node LAG; UpdateLag sets its mode and minimumLinks the same way', async () => {
    const { l, api, dx } = await up();
    const lagId = (await dx('DescribeLags')).lags[0].lagId;
    const k = (await dx('AssociateMacSecKey', { connectionId: lagId, ckn: CKN2, cak: CAK2 })).macSecKeys[1];
    await api.binding.settled();
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'addKey', lag: 'lag1', ckn: CKN2, cak: CAK2 }]);
    expect([...l.node.ports.values()].map((p) => p.keyChain)).toEqual([
      [CKN1, CKN2],
      [CKN1, CKN2],
    ]);
    l.node.commands.length = 0;
    await dx('UpdateLag', { lagId, encryptionMode: 'must_encrypt', minimumLinks: 2 });
    await api.binding.settled();
    expect(l.node.commands).toEqual([
      { id: 1, cmd: 'setMinimumLinks', lag: 'lag1', minimumLinks: 2 },
      { id: 1, cmd: 'setMode', lag: 'lag1', mode: 'must_encrypt' },
    ]);
    l.node.commands.length = 0;
    await dx('DisassociateMacSecKey', { connectionId: lagId, secretARN: k.secretARN });
    await api.binding.settled();
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'removeKey', lag: 'lag1', ckn: CKN2 }]);
  });

  it("a DX node that restarted gets the LAG's state again: the key, mode and minimumLinks on the node LAG, one command each", async () => {
    const { l, api, dx } = await up();
    const lagId = (await dx('DescribeLags')).lags[0].lagId;
    await dx('AssociateMacSecKey', { connectionId: lagId, ckn: CKN2, cak: CAK2 });
    await dx('UpdateLag', { lagId, encryptionMode: 'must_encrypt', minimumLinks: 2 });
    await api.binding.settled();
    await api.binding.refresh();
    // Back from its configuration file: the topology's key and mode on both members, minimumLinks 0, and the
    // topology's VIF (its TAP is there again, so it is not added twice).
    for (const p of l.node.ports.values()) Object.assign(p, { keyChain: [CKN1], mode: 'should_encrypt' });
    l.node.vifs.set('dxv1', { name: 'dxv1', port: 'lag1', vlan: 100, tap: {}, bgpState: 'Established' });
    l.node.lags.get('lag1')!.minimumLinks = 0;
    l.node.startedAt = '2026-12-07T00:00:09.000Z';
    l.node.commands.length = 0;
    await api.binding.refresh();
    await vi.waitFor(() => expect(l.node.lags.get('lag1')!.minimumLinks).toBe(2), { timeout: 5000 });
    await vi.waitFor(() => expect(l.node.commands).toHaveLength(3), { timeout: 5000 });
    await api.binding.settled();
    expect(l.node.commands).toEqual([
      { id: 1, cmd: 'setMinimumLinks', lag: 'lag1', minimumLinks: 2 },
      { id: 1, cmd: 'addKey', lag: 'lag1', ckn: CKN2, cak: CAK2 },
      { id: 1, cmd: 'setMode', lag: 'lag1', mode: 'must_encrypt' },
    ]);
    expect([...l.node.ports.values()].map((p) => [p.keyChain, p.mode])).toEqual([
      [[CKN1, CKN2], 'must_encrypt'],
      [[CKN1, CKN2], 'must_encrypt'],
    ]);
  });

  it("a private VIF created on the LAG goes on the node LAG's logical port (addVif on lag1, not on a member), and leaves it with DeleteVirtualInterface", async () => {
    const { l, api, dx } = await up();
    const lag = (await dx('DescribeLags')).lags[0];
    await api.binding.settled();
    l.node.commands.length = 0;
    const vif = await dx('CreatePrivateVirtualInterface', {
      connectionId: lag.lagId,
      newPrivateVirtualInterface: { virtualInterfaceName: 'second', vlan: 200, asn: 65000, amazonAddress: '169.254.200.2/30', customerAddress: '169.254.200.1/30', virtualGatewayId: 'vgw-0123abcd' },
    });
    await api.binding.settled();
    const tap = `dxv${vif.virtualInterfaceId.slice(-8)}`;
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'addVif', port: 'lag1', tap: expect.objectContaining({ name: tap, vlan: 200, addresses: ['169.254.200.2/30'] }) }]);
    expect(l.node.vifs.get(tap)).toMatchObject({ port: 'lag1', vlan: 200 });
    l.node.commands.length = 0;
    await dx('DeleteVirtualInterface', { virtualInterfaceId: vif.virtualInterfaceId });
    await api.binding.settled();
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'removeVif', name: tap }]);
  });

  it('a member leaves (LACP off on its port, its keys off) and rejoins (LACP on, the LAG keys back)', async () => {
    const { l, api, dx } = await up();
    const lag = (await dx('DescribeLags')).lags[0];
    const member = lag.connections[1].connectionId;
    const left = await dx('DisassociateConnectionFromLag', { connectionId: member, lagId: lag.lagId });
    expect(left.lagId).toBeUndefined();
    await api.binding.settled();
    expect(l.node.commands).toEqual([
      { id: 1, cmd: 'lagMember', lag: 'lag1', port: 'eth2', member: false },
      { id: 1, cmd: 'removeKey', port: 'eth2', ckn: CKN1 },
    ]);
    expect((await dx('DescribeLags')).lags[0].numberOfConnections).toBe(1);
    l.node.commands.length = 0;
    await dx('AssociateConnectionWithLag', { connectionId: member, lagId: lag.lagId });
    await api.binding.settled();
    expect(l.node.commands).toEqual([
      { id: 1, cmd: 'lagMember', lag: 'lag1', port: 'eth2', member: true },
      { id: 1, cmd: 'addKey', port: 'eth2', ckn: CKN1, cak: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(l.node.lags.get('lag1')!.out.size).toBe(0);
  });

  it("a connection on no port of the node's LAG cannot join it, nor can a member port join another LAG: AWS's error says why, nothing changes or is sent", async () => {
    const { l, api, dx, call } = await up();
    const lag = (await dx('DescribeLags')).lags[0];
    const c = await dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'outsider', requestMACSec: true });
    await api.binding.settled();
    l.node.commands.length = 0;
    const r = await call('AssociateConnectionWithLag', { connectionId: c.connectionId, lagId: lag.lagId });
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({
      code: 'DirectConnectClientException',
      message: `Connection ${c.connectionId} has no lab port yet: LAG ${lag.lagId} is the lab's LAG dx:lag1, whose member ports are dx:eth1, dx:eth2; its node aggregates only the ports its topology gave it, so only a connection on one of them can join it live`,
    });
    // A member port out of the LAG, standalone: it still cannot go to another LAG.
    const member = lag.connections[0].connectionId;
    await dx('DisassociateConnectionFromLag', { connectionId: member, lagId: lag.lagId });
    await api.binding.settled();
    l.node.commands.length = 0;
    const r2 = await call('CreateLag', { location: 'IAD66', numberOfConnections: 1, connectionsBandwidth: '10Gbps', lagName: 'other', connectionId: member, requestMACSec: true });
    expect(r2.ok).toBe(false);
    expect(r2.error.message).toBe(`Connection ${member} is on lab port dx:eth1, a member port of the lab's LAG dx:lag1: its node aggregates that port in dx:lag1 only, so it can join no other LAG`);
    expect((await dx('DescribeLags')).lags.map((x: any) => x.numberOfConnections)).toEqual([1]);
    expect((await dx('DescribeConnections', { connectionId: c.connectionId })).connections[0].lagId).toBeUndefined();
    await api.binding.settled();
    expect(l.node.commands).toEqual([]);
  });

  it('after a restart, a LAG mode and minimumLinks changed on the node meanwhile are reported on the LAG, not overwritten', async () => {
    const { l, api, dx } = await up();
    const lagId = (await dx('DescribeLags')).lags[0].lagId;
    await api.stop();
    open.splice(open.indexOf(api), 1);
    for (const p of l.node.ports.values()) p.mode = 'must_encrypt';
    l.node.lags.get('lag1')!.minimumLinks = 1;
    const again = await l.start();
    open.push(again);
    const lagDrift = again.report.drift.find((d) => d.connectionId === lagId);
    expect(lagDrift).toEqual({
      connectionId: lagId,
      port: 'dx:lag1',
      text: 'minimumLinks node=1 api=0 / dx:eth1: mode node=must_encrypt api=should_encrypt / dx:eth2: mode node=must_encrypt api=should_encrypt',
    });
    const lag = (await (async () => {
      const r = await again.server.service.call({ service: 'directconnect', operation: 'DescribeLags', body: {} });
      return (r as any).output.lags[0];
    })());
    expect(lag.encryptionMode).toBe('should_encrypt');
    expect(lag.tags).toContainEqual({ key: 'dxlab:drift', value: lagDrift!.text });
    expect(l.node.commands).toEqual([]);
  });

  it('after a restart, a member taken out of the node LAG meanwhile (lagMember) is reported on the LAG, not put back', async () => {
    const { l, api, dx } = await up();
    const lagId = (await dx('DescribeLags')).lags[0].lagId;
    await api.stop();
    open.splice(open.indexOf(api), 1);
    l.node.lags.get('lag1')!.out.add('eth2');
    const again = await l.start();
    open.push(again);
    expect(again.report.drift.find((d) => d.connectionId === lagId)).toEqual({ connectionId: lagId, port: 'dx:lag1', text: 'member dx:eth2 node=out api=in' });
    // The API still counts it in; the node keeps it out until the next API change on the LAG.
    const r = await again.server.service.call({ service: 'directconnect', operation: 'DescribeLags', body: {} });
    expect((r as any).output.lags[0].numberOfConnections).toBe(2);
    expect(l.node.commands).toEqual([]);
    expect(l.node.lags.get('lag1')!.out.has('eth2')).toBe(true);
  });
});
