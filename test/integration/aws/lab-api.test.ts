/**
 * The AWS API bound to a running lab (root): router-dx (fast MKA profile)
 * started `--no-api` and `dxlab api serve --lab` in the foreground, driven with the AWS CLI v2
 * from Debian (/usr/bin/aws) and `dxlab set`, as a user drives them. The
 * lab's port starts as an available connection with the topology's key
 * (describe says "Encryption Up with CKN ..."), its VIF's BGP is up; a
 * second key associated and given to the router takes over with no ping
 * lost; the DX node killed and restarted gets the API's key chain again;
 * `dxlab set dx` goes through the API (its rules apply, the API
 * shows it); must_encrypt with a wrong key on the router stops traffic and
 * describe says Encryption Down; a mode changed on the node while the API
 * is down is reported at its restart, not overwritten.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsCli, ForegroundLabApi } from '../../helpers/aws-cli.js';
import { BIN, LabSession } from '../../helpers/lab-session.js';

const isRoot = process.getuid?.() === 0;
const TOPO_CKN = '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0';

describe.skipIf(!isRoot)('the AWS API bound to a lab: router-dx', () => {
  const session = new LabSession('a');
  const { lab, stateDir, statePath } = session;
  const work = session.scratch;
  const served = new ForegroundLabApi(session);
  const dxlab = (...args: string[]) => session.dxlab(...args);
  const aws = awsCli(work, () => served.endpoint);
  const connection = () => aws('directconnect', 'describe-connections').connections[0];
  const nodeStatus = (node: string) => session.nodeStatus<{ ports: Array<{ name: string; kay: { mode: string; secured: boolean; participants: Array<{ ckn: string }> } }> }>(node);
  /** Polls until `cond` holds; the bound is loose (the fast profile secures in about a second; the machine is shared). */
  const waitFor = <T>(what: string, get: () => T, cond: (v: T) => boolean, ms = 60_000) => session.waitFor(what, get, cond, ms);
  const keyFile = (name: string, hex: string) => session.keyFile(name, hex);
  const ping = (count: number) => session.ping('router', '169.254.100.2', count);

  beforeAll(() => served.up('router-dx.yaml'), 120_000);
  afterAll(() => served.down(), 60_000);

  it("the lab's DX port is an available connection at IAD66 with the topology's key, Encryption Up with its CKN; its VIF's BGP is up; the store is root-only and the state lists the service", async () => {
    expect(aws('directconnect', 'describe-locations').locations).toEqual([expect.objectContaining({ locationCode: 'IAD66', availableMacSecPortSpeeds: ['10Gbps'] })]);
    const c = await waitFor('Encryption Up', connection, (x) => x.portEncryptionStatus === `Encryption Up with CKN ${TOPO_CKN}`);
    expect(c).toMatchObject({ connectionState: 'available', bandwidth: '10Gbps', encryptionMode: 'should_encrypt', macSecCapable: true, tags: [{ key: 'dxlab:port', value: 'dx:eth1' }] });
    expect(c.macSecKeys).toEqual([expect.objectContaining({ ckn: TOPO_CKN, state: 'associated', startOn: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) })]);
    const vif = await waitFor('BGP up', () => aws('directconnect', 'describe-virtual-interfaces').virtualInterfaces[0], (v) => v?.bgpPeers?.[0]?.bgpStatus === 'up');
    expect(vif).toMatchObject({ virtualInterfaceName: 'private-vif', vlan: 100, connectionId: c.connectionId, amazonAddress: '169.254.100.2/30', customerAddress: '169.254.100.1/30', virtualInterfaceState: 'available' });
    const st = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(st.services).toEqual([{ name: 'api', port: Number(new URL(served.endpoint).port), url: served.endpoint, pid: served.api!.child.pid }]);
    expect(execFileSync('stat', ['-c', '%a', join(stateDir, lab, 'api.sqlite')], { encoding: 'utf8' }).trim()).toBe('600');
  });

  it('a second key associated with the AWS CLI and given to the router with dxlab set takes over: Encryption Up with the new CKN, no ping lost', async () => {
    const c = connection();
    const ckn = randomBytes(32).toString('hex');
    const cak = randomBytes(32).toString('hex');
    const pinging = ping(40);
    const out = aws('directconnect', 'associate-mac-sec-key', '--connection-id', c.connectionId, '--ckn', ckn, '--cak', cak);
    expect(out.macSecKeys.map((k: { ckn: string }) => k.ckn)).toEqual([TOPO_CKN, ckn.toUpperCase()]);
    const set = dxlab('set', 'router', 'eth1', 'key', 'add', '--ckn', ckn, '--cak-file', keyFile('k2', cak));
    expect(set.status, set.stderr).toBe(0);
    await waitFor('Encryption Up with the new CKN', connection, (x) => x.portEncryptionStatus === `Encryption Up with CKN ${ckn.toUpperCase()}`);
    const p = await pinging;
    expect(p.transmitted).toBe(40);
    expect(p.received).toBe(40);
  }, 90_000);

  it("the DX node killed and restarted while the API runs gets the API's key chain again: Encryption Up with the newest CKN, not only the topology's", async () => {
    const newest = connection().macSecKeys.at(-1).ckn as string;
    expect(newest).not.toBe(TOPO_CKN);
    const before = session.state<{ nodes: Array<{ name: string; pid: number }> }>().nodes.find((n) => n.name === 'dx')!.pid;
    for (const cmd of ['kill', 'restart']) {
      const r = dxlab(cmd, 'dx');
      expect(r.status, r.stderr).toBe(0);
    }
    expect(session.state<{ nodes: Array<{ name: string; pid: number }> }>().nodes.find((n) => n.name === 'dx')!.pid).not.toBe(before);
    // Its configuration file holds the topology's key alone; the API pushes its chain within a poll (0.5 s).
    const ckns = await waitFor('the API chain on dx', () => nodeStatus('dx').ports[0]!.kay.participants.map((x) => x.ckn.toUpperCase()), (x) => x.length === 2);
    expect(ckns).toEqual([TOPO_CKN, newest]);
    await waitFor('Encryption Up with the newest CKN', connection, (x) => x.portEncryptionStatus === `Encryption Up with CKN ${newest}`);
    // Its log says so (read once the test yields: the spawnSync calls above hold the event loop).
    await waitFor('the restart in the log', () => served.api!.err(), (x) => /DX node dx restarted .*; it gets the API's state again/.test(x), 10_000);
    // The topology's VIF came back with the node: its BGP is up again, and no push was refused (no TAP added twice).
    await waitFor('BGP up again', () => aws('directconnect', 'describe-virtual-interfaces').virtualInterfaces[0], (v) => v?.bgpPeers?.[0]?.bgpStatus === 'up');
    expect(served.api!.err()).not.toMatch(/not applied/);
  }, 90_000);

  it('dxlab set on the DX device goes through the API: its rules apply (V3), and the API and the node both show the change', async () => {
    const before = nodeStatus('dx').ports[0]!.kay.participants.length;
    const bad = dxlab('set', 'dx', 'eth1', 'key', 'add', '--ckn', 'ab'.repeat(16), '--cak-file', keyFile('short', 'cd'.repeat(16)));
    expect(bad.status).toBe(2);
    // V3, by the DX device's rules before anything is sent, as by the API's (AssociateMacSecKey).
    expect(bad.stderr).toMatch(/AWS rule V3|AWS API: AssociateMacSecKey: ckn must be exactly 64 hexadecimal characters/);
    expect(bad.stderr).not.toContain('cd'.repeat(16));
    expect(nodeStatus('dx').ports[0]!.kay.participants.length).toBe(before);
    const set = dxlab('set', 'dx', 'eth1', 'mode', 'must_encrypt');
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^dx eth1: mode should_encrypt -> must_encrypt \(AWS API UpdateConnection on dxcon-[a-z0-9]{8}\)\n$/);
    expect(connection().encryptionMode).toBe('must_encrypt');
    expect(nodeStatus('dx').ports[0]!.kay.mode).toBe('must_encrypt');
  });

  it('must_encrypt with a wrong key on the router: traffic stops and describe says Encryption Down, the connection down (V9)', async () => {
    const wrong = randomBytes(32).toString('hex');
    expect(dxlab('set', 'router', 'eth1', 'key', 'add', '--ckn', wrong, '--cak-file', keyFile('wrong', randomBytes(32).toString('hex'))).status).toBe(0);
    for (const p of nodeStatus('router').ports[0]!.kay.participants.map((x) => x.ckn).filter((x) => x !== wrong)) {
      const r = dxlab('set', 'router', 'eth1', 'key', 'remove', '--ckn', p);
      expect(r.status, r.stderr).toBe(0);
    }
    await waitFor('Encryption Down, connection down', connection, (x) => x.portEncryptionStatus === 'Encryption Down' && x.connectionState === 'down');
    // The DX side is must_encrypt: nothing passes once MKA is down.
    const p = await ping(5);
    expect(p.received).toBe(0);
  }, 90_000);

  it('after a restart of the API, a mode changed on the node meanwhile is reported (drift), not overwritten; without the API, dxlab set on the DX device says so', async () => {
    await served.stop();
    const st = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(st.services).toBeUndefined();
    const noApi = dxlab('set', 'dx', 'eth1', 'mode', 'should_encrypt');
    expect(noApi.status).toBe(1);
    expect(noApi.stderr).toMatch(/has no AWS API running/);
    const dxSock = st.nodes.find((n: { name: string }) => n.name === 'dx').socket;
    expect(spawnSync(process.execPath, [BIN, 'node', 'mode', 'should_encrypt', '--socket', dxSock], { encoding: 'utf8' }).status).toBe(0);
    await served.start();
    expect(served.api!.out()).toMatch(/^drift dx:eth1 dxcon-[a-z0-9]{8}: mode node=should_encrypt api=must_encrypt/m);
    const c = connection();
    expect(c.encryptionMode).toBe('must_encrypt');
    expect(c.tags).toContainEqual({ key: 'dxlab:drift', value: expect.stringContaining('mode node=should_encrypt api=must_encrypt') });
    expect(nodeStatus('dx').ports[0]!.kay.mode).toBe('should_encrypt');
  }, 90_000);
});
