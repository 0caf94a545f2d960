/**
 * The API bound to a lab, against a fake DX node control socket
 * (test/helpers/fake-node.ts) and fake wires: the store seeded from the
 * lab's topology, every coupling sending the right control command, a
 * failing node leaving the API's state as the truth (logged, no CAK in the
 * log), and reconciliation after a restart reporting what changed meanwhile
 * instead of overwriting it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fakeLab, upLab, closeAll, type Closable, type UpLab } from '../../helpers/lab-api.js';
import { tempDir } from '../../helpers/tmp.js';
import { CAK1, CAK2, CKN1, CKN2 } from '../../helpers/aws.js';

const dir = tempDir('dxlab-aws-lab-');
let n = 0;

const open: Closable[] = [];
afterEach(() => closeAll(open));

const up = (): Promise<UpLab> => fakeLab(join(dir, `lab${++n}`), `t${n}`).then((l) => upLab(l, open));

const byPort = (cs: Array<Record<string, any>>, port: string): Record<string, any> => {
  const c = cs.find((x) => x.tags?.some((t: { key: string; value: string }) => t.key === 'dxlab:port' && t.value === port));
  if (!c) throw new Error(`no connection on ${port}`);
  return c;
};

describe('the lab as the AWS location', () => {
  it('seeds dx:eth1 as an available connection with the topology key chain (a Direct Connect secret) and mode; dx:eth2 stays free; the store is root-only', async () => {
    const { l, api, dx } = await up();
    const locations = (await dx('DescribeLocations')).locations;
    expect(locations).toEqual([expect.objectContaining({ locationCode: 'IAD66', availablePortSpeeds: ['10Gbps'], availableMacSecPortSpeeds: ['10Gbps'] })]);
    const cs = (await dx('DescribeConnections')).connections;
    expect(cs).toHaveLength(1);
    const c = byPort(cs, 'dx:eth1');
    expect(c).toMatchObject({ connectionState: 'available', location: 'IAD66', bandwidth: '10Gbps', awsDevice: 'IAD66-dx', macSecCapable: true, encryptionMode: 'should_encrypt' });
    expect(c.macSecKeys).toEqual([expect.objectContaining({ ckn: CKN1.toUpperCase(), state: 'associated' })]);
    expect(c.macSecKeys[0].secretARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:directconnect!prod\/us-east-1\/dxmacsec\/1{64}-[A-Za-z0-9]{6}$/);
    // Secured with CKN1 on the node: the blog's status line.
    expect(c.portEncryptionStatus).toBe(`Encryption Up with CKN ${CKN1.toUpperCase()}`);
    const secret = await api.server.service.call({ service: 'secretsmanager', operation: 'GetSecretValue', body: { SecretId: c.macSecKeys[0].secretARN } });
    expect(secret.ok && JSON.parse((secret.output as any).SecretString)).toEqual({ ckn: CKN1.toUpperCase(), cak: CAK1.toUpperCase() });
    expect(statSync(join(l.labDir, 'api.sqlite')).mode & 0o777).toBe(0o600);
    expect(api.report.seeded).toEqual([c.connectionId]);
    // Seeding pushes nothing: the node runs that state already.
    expect(l.node.commands).toEqual([]);
  });

  it('portEncryptionStatus follows the live KaY: Encryption Down once the node is not secured, or its link is down', async () => {
    const { l, api, dx } = await up();
    l.node.ports.get('eth1')!.secured = false;
    await api.binding.refresh();
    expect(byPort((await dx('DescribeConnections')).connections, 'dx:eth1').portEncryptionStatus).toBe('Encryption Down');
    l.node.ports.get('eth1')!.secured = true;
    l.wires.carriers.set('dx:eth1', 'down');
    await api.binding.refresh();
    const c = byPort((await dx('DescribeConnections')).connections, 'dx:eth1');
    expect(c).toMatchObject({ connectionState: 'down', portEncryptionStatus: 'Encryption Down' });
  });

  it('in must_encrypt a port MKA has not secured is down (V9: the connection goes down when the encryption is down); secured again: available', async () => {
    const { l, api, dx } = await up();
    const port = l.node.ports.get('eth1')!;
    port.mode = 'must_encrypt';
    port.secured = false;
    await api.binding.refresh();
    expect(byPort((await dx('DescribeConnections')).connections, 'dx:eth1')).toMatchObject({ connectionState: 'down', portEncryptionStatus: 'Encryption Down' });
    // should_encrypt falls back to clear: the connection stays available, only the encryption is down.
    port.mode = 'should_encrypt';
    await api.binding.refresh();
    expect(byPort((await dx('DescribeConnections')).connections, 'dx:eth1')).toMatchObject({ connectionState: 'available', portEncryptionStatus: 'Encryption Down' });
    port.mode = 'must_encrypt';
    port.secured = true;
    await api.binding.refresh();
    expect(byPort((await dx('DescribeConnections')).connections, 'dx:eth1')).toMatchObject({ connectionState: 'available', portEncryptionStatus: `Encryption Up with CKN ${CKN1.toUpperCase()}` });
  });

  it('CreateConnection takes the free port (requested, then available with its link up; the cipher suites of 10Gbps); a second waits requested until DeleteConnection frees the port, which goes down and comes up for it', async () => {
    const { l, api, dx } = await up();
    const created = await dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'MACsec connection', requestMACSec: true });
    expect(created.connectionState).toBe('requested');
    await api.binding.settled();
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'set', port: 'eth2', knob: 'cipherSuites', value: ['gcm-aes-xpn-256', 'gcm-aes-256'] }]);
    const shown = (await dx('DescribeConnections', { connectionId: created.connectionId })).connections[0];
    expect(shown).toMatchObject({ connectionState: 'available', encryptionMode: 'should_encrypt', macSecKeys: [], portEncryptionStatus: 'Encryption Down', awsDevice: 'IAD66-dx' });
    expect(shown.tags).toEqual([{ key: 'dxlab:port', value: 'dx:eth2' }]);
    const waiting = await dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'second', requestMACSec: true });
    await api.binding.settled();
    expect((await dx('DescribeConnections', { connectionId: waiting.connectionId })).connections[0].connectionState).toBe('requested');
    await dx('DeleteConnection', { connectionId: created.connectionId });
    await api.binding.settled();
    expect(l.wires.calls).toEqual(['dx:eth2 down', 'dx:eth2 up']);
    expect((await dx('DescribeConnections', { connectionId: waiting.connectionId })).connections[0]).toMatchObject({ connectionState: 'available', tags: [{ key: 'dxlab:port', value: 'dx:eth2' }] });
  });

  it('AssociateMacSecKey adds the pair to the port (newest last), DisassociateMacSecKey removes it, UpdateConnection sets the mode, and must_encrypt with no key left falls back to should_encrypt (V10) on the node too', async () => {
    const { l, api, dx } = await up();
    const c = await dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'm', requestMACSec: true });
    await api.binding.settled();
    l.node.commands.length = 0;
    const k1 = (await dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN2, cak: CAK2 })).macSecKeys[0];
    await api.binding.settled();
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'addKey', port: 'eth2', ckn: CKN2, cak: CAK2 }]);
    expect(l.node.ports.get('eth2')!.keyChain).toEqual([CKN2]);
    // The same pair, reused by its secret on the seeded port (the blog's other way): added there as the newest.
    const seeded = byPort((await dx('DescribeConnections')).connections, 'dx:eth1');
    await dx('AssociateMacSecKey', { connectionId: seeded.connectionId, secretARN: k1.secretARN });
    await api.binding.settled();
    expect(l.node.ports.get('eth1')!.keyChain).toEqual([CKN1, CKN2]);
    l.node.commands.length = 0;
    await dx('UpdateConnection', { connectionId: c.connectionId, encryptionMode: 'must_encrypt' });
    await api.binding.settled();
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'setMode', port: 'eth2', mode: 'must_encrypt' }]);
    l.node.commands.length = 0;
    await dx('DisassociateMacSecKey', { connectionId: c.connectionId, secretARN: k1.secretARN });
    await api.binding.settled();
    expect(l.node.commands).toEqual([
      { id: 1, cmd: 'removeKey', port: 'eth2', ckn: CKN2 },
      { id: 1, cmd: 'setMode', port: 'eth2', mode: 'should_encrypt' },
    ]);
    expect(l.node.ports.get('eth2')).toMatchObject({ keyChain: [], mode: 'should_encrypt' });
  });

  it('a private VIF is a TAP with the passive BGP speaker on the port (addVif), moves with AssociateVirtualInterface (moveVif) and goes with DeleteVirtualInterface (removeVif); bgpStatus comes from the node', async () => {
    const { l, api, dx } = await up();
    const fresh = await dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'new', requestMACSec: true });
    const old = byPort((await dx('DescribeConnections')).connections, 'dx:eth1');
    await api.binding.settled();
    l.node.commands.length = 0;
    const vif = await dx('CreatePrivateVirtualInterface', {
      connectionId: old.connectionId,
      newPrivateVirtualInterface: { virtualInterfaceName: 'private-vif', vlan: 100, asn: 65000, authKey: 'secretkey', amazonAddress: '169.254.100.2/30', customerAddress: '169.254.100.1/30', virtualGatewayId: 'vgw-0123abcd' },
    });
    await api.binding.settled();
    const tap = `dxv${vif.virtualInterfaceId.slice(-8)}`;
    expect(l.node.commands).toEqual([
      {
        id: 1,
        cmd: 'addVif',
        port: 'eth1',
        tap: {
          name: tap,
          vlan: 100,
          mtu: 1500,
          alias: `dxlab ${l.state.lab} dx:eth1 vif ${vif.virtualInterfaceId}`,
          addresses: ['169.254.100.2/30'],
          bgp: { speaker: 'builtin', localAsn: 64512, peerAsn: 65000, peerAddress: '169.254.100.1', localAddress: '169.254.100.2', holdTimeS: 90, keepaliveS: 30, md5Key: 'secretkey', prefixes: [], passive: true },
        },
      },
    ]);
    const shown = async () => (await dx('DescribeVirtualInterfaces', { virtualInterfaceId: vif.virtualInterfaceId })).virtualInterfaces[0];
    expect((await shown()).bgpPeers[0].bgpStatus).toBe('down');
    l.node.vifs.get(tap)!.bgpState = 'Established';
    await api.binding.refresh();
    expect((await shown()).bgpPeers[0].bgpStatus).toBe('up');
    l.node.commands.length = 0;
    await dx('AssociateVirtualInterface', { virtualInterfaceId: vif.virtualInterfaceId, connectionId: fresh.connectionId });
    await api.binding.settled();
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'moveVif', name: tap, to: 'eth2', vlan: 100 }]);
    l.node.commands.length = 0;
    await dx('DeleteVirtualInterface', { virtualInterfaceId: vif.virtualInterfaceId });
    await api.binding.settled();
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'removeVif', name: tap }]);
  });

  it('a DX node that restarted (a new startedAt) gets the API state again: the cipher suites, keys and mode of the port the API bound, and its VIF; once', async () => {
    const { l, api, dx } = await up();
    const c = await dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'm', requestMACSec: true });
    await dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN2, cak: CAK2 });
    await dx('UpdateConnection', { connectionId: c.connectionId, encryptionMode: 'must_encrypt' });
    const vif = await dx('CreatePrivateVirtualInterface', {
      connectionId: c.connectionId,
      newPrivateVirtualInterface: { virtualInterfaceName: 'v', vlan: 200, asn: 65000, authKey: 'secretkey', amazonAddress: '169.254.200.2/30', customerAddress: '169.254.200.1/30', virtualGatewayId: 'vgw-0123abcd' },
    });
    await api.binding.settled();
    await api.binding.refresh();
    const tap = `dxv${vif.virtualInterfaceId.slice(-8)}`;
    expect(l.node.vifs.has(tap)).toBe(true);
    // The node restarts from its configuration file: eth2 as the topology writes it, no VIF of the API's.
    l.node.ports.set('eth2', { mode: 'should_encrypt', keyChain: [], secured: false, cipherSuites: ['gcm-aes-256'] });
    l.node.vifs.clear();
    l.node.startedAt = '2026-12-07T00:00:09.000Z';
    l.node.commands.length = 0;
    await api.binding.refresh();
    await vi.waitFor(() => expect(l.node.vifs.has(tap)).toBe(true), { timeout: 5000 });
    await api.binding.settled();
    expect(l.node.commands.map((x) => `${String(x.cmd)} ${String(x.knob ?? x.ckn ?? x.mode ?? x.port)}`)).toEqual([
      'set cipherSuites',
      `addKey ${CKN2}`,
      'setMode must_encrypt',
      'addVif eth2',
    ]);
    expect(l.node.ports.get('eth2')).toMatchObject({ mode: 'must_encrypt', keyChain: [CKN2], cipherSuites: ['gcm-aes-xpn-256', 'gcm-aes-256'] });
    // eth1 held the API's state already: nothing sent to it. The log says what happened, without a CAK.
    expect(l.logs.some((x) => /DX node dx restarted/.test(x))).toBe(true);
    expect(l.logs.some((x) => /the API's state pushed again \(dxcon-/.test(x))).toBe(true);
    expect(l.logs.join('\n')).not.toContain(CAK2);
    // The same process at the next poll: nothing more.
    l.node.commands.length = 0;
    await api.binding.refresh();
    await api.binding.settled();
    expect(l.node.commands).toEqual([]);
  });

  it('a DX node that restarted gets the port of a deleted connection down again, its key chain emptied', async () => {
    const { l, api, dx } = await up();
    const c = await dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'm', requestMACSec: true });
    await dx('DeleteConnection', { connectionId: c.connectionId });
    await api.binding.settled();
    await api.binding.refresh();
    expect(l.wires.calls).toEqual(['dx:eth2 down']);
    l.node.ports.set('eth2', { mode: 'should_encrypt', keyChain: [CKN2], secured: false });
    l.node.startedAt = '2026-12-07T00:00:09.000Z';
    await api.binding.refresh();
    await vi.waitFor(() => expect(l.node.ports.get('eth2')!.keyChain).toEqual([]), { timeout: 5000 });
    expect(l.wires.calls).toEqual(['dx:eth2 down', 'dx:eth2 down']);
    // Once more, with the node refusing: the log names the port, never a key.
    l.node.ports.get('eth2')!.keyChain = [CKN2];
    l.node.failing.set('removeKey', 'badRequest');
    l.node.startedAt = '2026-12-07T00:00:19.000Z';
    await api.binding.refresh();
    await vi.waitFor(() => expect(l.logs.some((x) => /port dx:eth2 down again not applied: removeKey refused/.test(x))).toBe(true), { timeout: 5000 });
  });

  it('a node that refuses a command leaves the API state as the truth, logged without the CAK; the next change pushes the whole state again', async () => {
    const { l, api, dx } = await up();
    const seeded = byPort((await dx('DescribeConnections')).connections, 'dx:eth1');
    l.node.failing.set('addKey', 'badRequest');
    const out = await dx('AssociateMacSecKey', { connectionId: seeded.connectionId, ckn: CKN2, cak: CAK2 });
    await api.binding.settled();
    expect(out.macSecKeys.map((k: { ckn: string }) => k.ckn)).toEqual([CKN1.toUpperCase(), CKN2.toUpperCase()]);
    expect(l.node.ports.get('eth1')!.keyChain).toEqual([CKN1]);
    const failed = l.logs.filter((x) => x.includes('not applied'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('dx:eth1');
    expect(l.logs.join('\n')).not.toMatch(new RegExp(`${CAK2}|${CAK2.toUpperCase()}`));
    l.node.failing.clear();
    await dx('UpdateConnection', { connectionId: seeded.connectionId, encryptionMode: 'must_encrypt' });
    await api.binding.settled();
    expect(l.node.ports.get('eth1')).toMatchObject({ keyChain: [CKN1, CKN2], mode: 'must_encrypt' });
  });
});

describe('reconciliation after a restart of the service', () => {
  it('reports a mode and key chain changed on the node while the API was down (log, the dxlab:drift tag) and pushes nothing over them', async () => {
    const { l, api, dx } = await up();
    const seeded = byPort((await dx('DescribeConnections')).connections, 'dx:eth1');
    await api.stop();
    open.splice(open.indexOf(api), 1);
    const eth1 = l.node.ports.get('eth1')!;
    eth1.mode = 'must_encrypt';
    eth1.keyChain.push(CKN2);
    l.node.commands.length = 0;
    const again = await l.start();
    open.push(again);
    expect(again.report.seeded).toEqual([]);
    expect(again.report.drift).toEqual([{ connectionId: seeded.connectionId, port: 'dx:eth1', text: 'mode node=must_encrypt api=should_encrypt / ckns node=11111111+22222222 api=11111111' }]);
    expect(l.logs.some((x) => x.includes('changed while the API was down') && x.includes('dx:eth1'))).toBe(true);
    const r = await again.server.service.call({ service: 'directconnect', operation: 'DescribeConnections', body: { connectionId: seeded.connectionId } });
    const c = (r as any).output.connections[0];
    expect(c.tags).toContainEqual({ key: 'dxlab:drift', value: again.report.drift[0]!.text });
    // The API still says what it holds; the node keeps what it runs.
    expect(c.encryptionMode).toBe('should_encrypt');
    expect(l.node.commands).toEqual([]);
    expect(eth1).toMatchObject({ mode: 'must_encrypt', keyChain: [CKN1, CKN2] });
  });

  it('a store that matches the nodes reports nothing, and the bound connections are known again (no reseeding)', async () => {
    const { l, api, dx } = await up();
    const before = (await dx('DescribeConnections')).connections;
    await api.stop();
    open.splice(open.indexOf(api), 1);
    const again = await l.start();
    open.push(again);
    expect(again.report).toEqual({ seeded: [], drift: [], unreachable: [] });
    const r = await again.server.service.call({ service: 'directconnect', operation: 'DescribeConnections', body: {} });
    expect((r as any).output.connections.map((c: any) => [c.connectionId, c.connectionState, c.portEncryptionStatus])).toEqual(before.map((c: any) => [c.connectionId, 'available', `Encryption Up with CKN ${CKN1.toUpperCase()}`]));
  });
});

describe('LAGs and port speeds in a lab', () => {
  it("a LAG's member takes a free port of the LAG's device; the LAG's keys and mode reach that port (V8, V15)", async () => {
    const { l, api, dx } = await up();
    const lag = await dx('CreateLag', { numberOfConnections: 1, location: 'IAD66', connectionsBandwidth: '10Gbps', lagName: 'lag', requestMACSec: true });
    await api.binding.settled();
    expect(lag.connections[0].tags).toEqual([{ key: 'dxlab:port', value: 'dx:eth2' }]);
    l.node.commands.length = 0;
    await dx('AssociateMacSecKey', { connectionId: lag.lagId, ckn: CKN2, cak: CAK2 });
    await dx('UpdateLag', { lagId: lag.lagId, encryptionMode: 'must_encrypt' });
    await api.binding.settled();
    expect(l.node.commands).toEqual([
      { id: 1, cmd: 'addKey', port: 'eth2', ckn: CKN2, cak: CAK2 },
      { id: 1, cmd: 'setMode', port: 'eth2', mode: 'must_encrypt' },
    ]);
  });

  it('a 100G dx-device offers 100Gbps ports, and a connection bound to one gets GCM-AES-XPN-256 alone (V2)', async () => {
    const l = await fakeLab(join(dir, `lab${++n}`), `t${n}`);
    open.push(l.node);
    l.state.nodes[1]!.options = { speed: '100G', location: 'EqDC2' };
    const api = await l.start();
    open.push(api);
    const r = await api.server.service.call({ service: 'directconnect', operation: 'DescribeLocations', body: {} });
    expect((r as any).output.locations).toEqual([expect.objectContaining({ locationCode: 'EqDC2', availablePortSpeeds: ['100Gbps'], availableMacSecPortSpeeds: ['100Gbps'] })]);
    const c = await api.server.service.call({ service: 'directconnect', operation: 'CreateConnection', body: { location: 'EqDC2', bandwidth: '100Gbps', connectionName: 'x', requestMACSec: true } });
    expect(c.ok).toBe(true);
    await api.binding.settled();
    expect(l.node.commands).toEqual([{ id: 1, cmd: 'set', port: 'eth2', knob: 'cipherSuites', value: ['gcm-aes-xpn-256'] }]);
  });
});
