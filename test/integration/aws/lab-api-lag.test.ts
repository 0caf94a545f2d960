/**
 * The AWS API's LAGs bound to a lab's LAG (root): lag-router-dx (a 2-member
 * LAG, fast MKA profile) started `--no-api` and `dxlab api serve --lab` in
 * the foreground, driven with the AWS CLI v2 from Debian (/usr/bin/aws) and
 * `dxlab set`, as a user drives them; one lab for the whole file.
 *
 * The topology's LAG is an API LAG with its member connections, its keys
 * and mode from the LAG's `macsec:`; a key associated with the LAG reaches
 * every member in one node operation, and every member secures with it
 * once the router has it; minimumLinks and membership change the node's
 * LAG live, and what the node cannot do is refused by name; must_encrypt
 * with a wrong key on the router's LAG takes every member down and
 * describe says Encryption Down; bad input gets AWS's error and changes
 * nothing; a LAG's mode changed on the node while the API is down is
 * reported at its restart, not overwritten.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsCli, runAws, ForegroundLabApi } from '../../helpers/aws-cli.js';
import { BIN, LabSession } from '../../helpers/lab-session.js';

const isRoot = process.getuid?.() === 0;
/** The LAG's key in topologies/lag-router-dx.yaml. */
const TOPO_CKN = '5A1C0FFEE5A1C0FFEE5A1C0FFEE5A1C0FFEE5A1C0FFEE5A1C0FFEE5A1C0FFEE0';

interface NodePort {
  name: string;
  kay: { mode: string; secured: boolean; participants: Array<{ ckn: string }> };
}
interface NodeLag {
  name: string;
  minimumLinks: number;
  logicalPortUp: boolean;
  ports: Array<{ name: string; lacpEnabled: boolean; distributing: boolean }>;
}

describe.skipIf(!isRoot)('the AWS API bound to a lab with a LAG: lag-router-dx', () => {
  const session = new LabSession('g');
  const { lab, stateDir } = session;
  const work = session.scratch;
  const newCkn = randomBytes(32).toString('hex').toUpperCase();
  const newCak = randomBytes(32).toString('hex');
  const served = new ForegroundLabApi(session);
  let lagId = '';
  const dxlab = (...args: string[]) => session.dxlab(...args);
  const aws = awsCli(work, () => served.endpoint);
  /** The CLI's error line for a refused call (exit 254, AWS's exception name and message). */
  const awsError = (...args: string[]) => {
    const r = runAws(work, served.endpoint, args);
    expect(r.status, JSON.stringify(r.out)).toBe(254);
    return r.stderr.trim();
  };
  const theLag = () => aws('directconnect', 'describe-lags').lags[0];
  const socketOf = (node: string) => session.state<{ nodes: Array<{ name: string; socket: string }> }>().nodes.find((n) => n.name === node)!.socket;
  const nodeStatus = (node: string) => session.nodeStatus<{ ports: NodePort[]; lags: NodeLag[] }>(node);
  const chains = (node: string) => nodeStatus(node).ports.map((p) => p.kay.participants.map((x) => x.ckn.toUpperCase()));
  const dxLog = () => readFileSync(join(stateDir, lab, 'dx.log'), 'utf8');
  /** Polls until `cond` holds; the bound is loose (the fast profile secures in about a second, but each AWS CLI run takes seconds on a loaded machine). */
  const waitFor = <T>(what: string, get: () => T, cond: (v: T) => boolean, ms = 150_000) => session.waitFor(what, get, cond, ms);
  const keyFile = (name: string, hex: string) => session.keyFile(name, hex);
  const ping = (count: number) => session.ping('router', '169.254.100.2', count);

  beforeAll(() => served.up('lag-router-dx.yaml'), 120_000);
  afterAll(() => served.down(), 300_000);

  it("describe-lags: the topology's LAG, available once its bundle is up, with its two member connections, the LAG's key and mode, each member Encryption Up with its CKN; its VIF is on the LAG with BGP up", async () => {
    const lag = await waitFor('LAG available, both members secured', theLag, (l) => l?.lagState === 'available' && l.connections.every((c: any) => c.portEncryptionStatus === `Encryption Up with CKN ${TOPO_CKN}`));
    lagId = lag.lagId;
    expect(lag).toMatchObject({
      lagName: 'dxlab dx:lag1',
      location: 'IAD66',
      connectionsBandwidth: '10Gbps',
      numberOfConnections: 2,
      minimumLinks: 0,
      awsDevice: 'IAD66-dx',
      macSecCapable: true,
      // The topology's mode (should_encrypt), not CreateLag's default (no_encrypt).
      encryptionMode: 'should_encrypt',
      macSecKeys: [expect.objectContaining({ ckn: TOPO_CKN, state: 'associated' })],
      tags: [{ key: 'dxlab:port', value: 'dx:lag1' }],
    });
    expect(lagId).toMatch(/^dxlag-[a-z0-9]{8}$/);
    expect(lag.connections.map((c: any) => c.tags[0].value)).toEqual(['dx:eth1', 'dx:eth2']);
    for (const c of lag.connections) expect(c).toMatchObject({ lagId, connectionState: 'available', macSecCapable: true, encryptionMode: 'should_encrypt', macSecKeys: [expect.objectContaining({ ckn: TOPO_CKN })] });
    // Every member is a connection of DescribeConnections too, with its lagId.
    expect(aws('directconnect', 'describe-connections').connections.map((c: any) => c.lagId)).toEqual([lagId, lagId]);
    const vif = await waitFor('VIF BGP up', () => aws('directconnect', 'describe-virtual-interfaces').virtualInterfaces[0], (v) => v?.bgpPeers?.[0]?.bgpStatus === 'up');
    expect(vif).toMatchObject({ connectionId: lagId, vlan: 100, virtualInterfaceState: 'available' });
  }, 300_000);

  it("create-private-virtual-interface on the LAG: the DX node's TAP is on its LAG's logical port (lag1), not on a member; delete-virtual-interface takes it off", async () => {
    const vifs = () => session.nodeStatus<{ vifs: Array<{ name: string; port: string; vlan: number | null; addresses: string[] }> }>('dx').vifs;
    const v = aws('directconnect', 'create-private-virtual-interface', '--connection-id', lagId, '--new-private-virtual-interface', 'virtualInterfaceName=second,vlan=200,asn=65000,amazonAddress=169.254.200.2/30,customerAddress=169.254.200.1/30,virtualGatewayId=vgw-0123abcd');
    expect(v).toMatchObject({ connectionId: lagId, vlan: 200 });
    const tap = await waitFor('the VIF on the node', vifs, (l) => l.some((x) => x.vlan === 200));
    expect(tap.find((x) => x.vlan === 200)).toMatchObject({ port: 'lag1', addresses: ['169.254.200.2/30'] });
    aws('directconnect', 'delete-virtual-interface', '--virtual-interface-id', v.virtualInterfaceId);
    await waitFor('the VIF gone from the node', vifs, (l) => !l.some((x) => x.vlan === 200));
  }, 300_000);

  it('associate-mac-sec-key on the LAG adds the key to every member on the node in one operation; with the router given it, every member secures with it', async () => {
    const before = (dxLog().match(/"msg":"key added"/g) ?? []).length;
    const r = aws('directconnect', 'associate-mac-sec-key', '--connection-id', lagId, '--ckn', newCkn, '--cak', newCak);
    expect(r.connectionId).toBe(lagId);
    expect(r.macSecKeys.map((k: any) => k.ckn)).toEqual([TOPO_CKN, newCkn]);
    expect(JSON.stringify(r).toUpperCase()).not.toContain(newCak.toUpperCase());
    await waitFor('both DX members hold the new key', () => chains('dx'), (c) => c.every((x) => x.join() === [TOPO_CKN, newCkn].join()));
    // One command on the node for the whole LAG: one log line, naming the LAG, not a member.
    const added = (dxLog().match(/"msg":"key added"[^\n]*/g) ?? []).slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toContain('"lag":"lag1"');
    // The customer's side: the router's LAG (not a DX device: dxlab set changes each member).
    const set = dxlab('set', 'router', 'lag1', 'key', 'add', '--ckn', newCkn.toLowerCase(), '--cak-file', keyFile('new.cak', newCak));
    expect(set.status, set.stderr).toBe(0);
    const lag = await waitFor('every member secured with the new key', theLag, (l) => l.connections.every((c: any) => c.portEncryptionStatus === `Encryption Up with CKN ${newCkn}`));
    expect(lag.lagState).toBe('available');
    expect(aws('directconnect', 'describe-connections').connections.map((c: any) => c.portEncryptionStatus)).toEqual([`Encryption Up with CKN ${newCkn}`, `Encryption Up with CKN ${newCkn}`]);
  }, 300_000);

  it('dxlab set on the DX LAG goes through the API once (DisassociateMacSecKey on the LAG): every member drops the old key, the LAG stays secured', async () => {
    const r = dxlab('set', 'dx', 'lag1', 'key', 'remove', '--ckn', TOPO_CKN.toLowerCase());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(new RegExp(`\\(AWS API DisassociateMacSecKey on ${lagId}\\)$`));
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(theLag().macSecKeys.map((k: any) => k.ckn)).toEqual([newCkn]);
    await waitFor('both DX members hold only the new key', () => chains('dx'), (c) => c.every((x) => x.join() === newCkn));
    await waitFor('still secured', theLag, (l) => l.lagState === 'available' && l.connections.every((c: any) => c.portEncryptionStatus === `Encryption Up with CKN ${newCkn}`));
  }, 300_000);

  it('bad input gets the AWS error and leaves the LAG and the node as they were', async () => {
    const before = theLag();
    const nodeBefore = nodeStatus('dx');
    expect(awsError('directconnect', 'update-lag', '--lag-id', lagId, '--encryption-mode', 'sometimes')).toMatch(/DirectConnectClientException.*UpdateLag.*encryptionMode 'sometimes' is not valid/);
    expect(awsError('directconnect', 'update-lag', '--lag-id', lagId, '--minimum-links', '3')).toMatch(/DirectConnectClientException.*minimumLinks must be 0 to the LAG's 2 connections, not 3/);
    const member = before.connections[0].connectionId;
    expect(awsError('directconnect', 'associate-mac-sec-key', '--connection-id', member, '--ckn', 'AB'.repeat(32), '--cak', 'CD'.repeat(32))).toMatch(/DirectConnectClientException.*member of .*associated with the LAG/);
    expect(awsError('directconnect', 'associate-mac-sec-key', '--connection-id', lagId, '--ckn', newCkn, '--cak', 'EF'.repeat(32))).toMatch(/DirectConnectClientException/);
    expect(awsError('directconnect', 'describe-lags', '--lag-id', 'dxlag-nope')).toMatch(/DirectConnectClientException.*dxlag-nope/);
    const after = theLag();
    for (const k of ['encryptionMode', 'minimumLinks', 'numberOfConnections', 'macSecKeys']) expect(after[k]).toEqual(before[k]);
    const nodeAfter = nodeStatus('dx');
    expect(nodeAfter.lags[0]!.minimumLinks).toBe(nodeBefore.lags[0]!.minimumLinks);
    expect(nodeAfter.ports.map((p) => [p.kay.mode, p.kay.participants.length])).toEqual(nodeBefore.ports.map((p) => [p.kay.mode, p.kay.participants.length]));
  }, 300_000);

  it("a connection that is not on one of the lab LAG's member ports cannot join it: the refusal says why, nothing changes", async () => {
    // No free DX port in this topology: the new connection stays requested, with no lab port.
    const c = aws('directconnect', 'create-connection', '--location', 'IAD66', '--bandwidth', '10Gbps', '--connection-name', 'outsider', '--request-mac-sec');
    expect(c.connectionState).toBe('requested');
    const err = awsError('directconnect', 'associate-connection-with-lag', '--connection-id', c.connectionId, '--lag-id', lagId);
    expect(err).toContain(`Connection ${c.connectionId} has no lab port yet: LAG ${lagId} is the lab's LAG dx:lag1, whose member ports are dx:eth1, dx:eth2; its node aggregates only the ports its topology gave it`);
    expect(aws('directconnect', 'describe-connections', '--connection-id', c.connectionId).connections[0].lagId).toBeUndefined();
    expect(theLag().numberOfConnections).toBe(2);
    aws('directconnect', 'delete-connection', '--connection-id', c.connectionId);
  }, 300_000);

  it('update-lag --minimum-links reaches the node; a member cannot then leave below it; disassociate and associate take a member out of the node LAG and back', async () => {
    expect(aws('directconnect', 'update-lag', '--lag-id', lagId, '--minimum-links', '2').minimumLinks).toBe(2);
    await waitFor('node minimumLinks 2', () => nodeStatus('dx').lags[0]!.minimumLinks, (n) => n === 2);
    const member = theLag().connections[1].connectionId;
    expect(awsError('directconnect', 'disassociate-connection-from-lag', '--connection-id', member, '--lag-id', lagId)).toMatch(/below its minimumLinks of 2/);
    aws('directconnect', 'update-lag', '--lag-id', lagId, '--minimum-links', '0');
    await waitFor('node minimumLinks 0', () => nodeStatus('dx').lags[0]!.minimumLinks, (n) => n === 0);
    const left = aws('directconnect', 'disassociate-connection-from-lag', '--connection-id', member, '--lag-id', lagId);
    expect(left.lagId).toBeUndefined();
    expect(left.macSecKeys).toEqual([]);
    expect(theLag().numberOfConnections).toBe(1);
    const out = await waitFor('dx:eth2 out of the node LAG', () => nodeStatus('dx'), (s) => s.lags[0]!.ports[1]!.lacpEnabled === false);
    // Standalone, it has no key of its own (V8 going the other way): its chain is empty.
    expect(out.ports[1]!.kay.participants).toEqual([]);
    expect(out.lags[0]!.logicalPortUp).toBe(true);
    const back = aws('directconnect', 'associate-connection-with-lag', '--connection-id', member, '--lag-id', lagId);
    expect(back.lagId).toBe(lagId);
    await waitFor('dx:eth2 back, distributing, with the LAG key', () => nodeStatus('dx'), (s) => s.lags[0]!.ports[1]!.distributing && s.ports[1]!.kay.participants.map((p) => p.ckn.toUpperCase()).join() === newCkn);
    await waitFor('both members secured again', theLag, (l) => l.numberOfConnections === 2 && l.connections.every((c: any) => c.portEncryptionStatus === `Encryption Up with CKN ${newCkn}`));
  }, 300_000);

  it("update-lag --encryption-mode must_encrypt with a wrong key on the router's LAG: every member down (V9), describe says Encryption Down, traffic stops", async () => {
    expect((await ping(5)).received).toBeGreaterThan(0);
    // The router keeps the CKN with another CAK: MKA fails on every member (ICV mismatch).
    expect(dxlab('set', 'router', 'lag1', 'key', 'remove', '--ckn', newCkn.toLowerCase()).status).toBe(0);
    expect(dxlab('set', 'router', 'lag1', 'key', 'add', '--ckn', newCkn.toLowerCase(), '--cak-file', keyFile('wrong.cak', randomBytes(32).toString('hex'))).status).toBe(0);
    const u = aws('directconnect', 'update-lag', '--lag-id', lagId, '--encryption-mode', 'must_encrypt');
    expect(u.encryptionMode).toBe('must_encrypt');
    expect(u.connections.map((c: any) => c.encryptionMode)).toEqual(['must_encrypt', 'must_encrypt']);
    await waitFor('node members must_encrypt', () => nodeStatus('dx').ports.map((p) => p.kay.mode), (m) => m.every((x) => x === 'must_encrypt'));
    const lag = await waitFor('every member Encryption Down, the LAG down', theLag, (l) => l.lagState === 'down' && l.connections.every((c: any) => c.portEncryptionStatus === 'Encryption Down' && c.connectionState === 'down'));
    expect(lag.connections).toHaveLength(2);
    expect(nodeStatus('dx').lags[0]!.logicalPortUp).toBe(false);
    expect((await ping(5)).received).toBe(0);
  }, 300_000);

  it("after a restart of the API, the LAG's mode changed on the node meanwhile is reported (drift, on the LAG), not overwritten", async () => {
    await served.stop();
    for (const port of ['eth1', 'eth2']) {
      const r = spawnSync(process.execPath, [BIN, 'node', 'mode', 'should_encrypt', '--socket', socketOf('dx'), '--port', port], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    await served.start();
    expect(served.api!.out()).toMatch(new RegExp(`^drift dx:lag1 ${lagId}: dx:eth1: mode node=should_encrypt api=must_encrypt / dx:eth2: mode node=should_encrypt api=must_encrypt$`, 'm'));
    const lag = theLag();
    expect(lag.encryptionMode).toBe('must_encrypt');
    expect(lag.tags).toContainEqual({ key: 'dxlab:drift', value: expect.stringContaining('dx:eth1: mode node=should_encrypt api=must_encrypt') });
    expect(nodeStatus('dx').ports.map((p) => p.kay.mode)).toEqual(['should_encrypt', 'should_encrypt']);
  }, 300_000);
});
