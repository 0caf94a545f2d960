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
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const BIN = fileURLToPath(new URL('../../../bin/dxlab.js', import.meta.url));
const AWS = '/usr/bin/aws';
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
  const lab = `g${randomBytes(3).toString('hex')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-lagapi-'));
  const work = mkdtempSync(join(tmpdir(), 'dxlab-lagapi-work-'));
  const env = { ...process.env, DXLAB_STATE_DIR: stateDir };
  const newCkn = randomBytes(32).toString('hex').toUpperCase();
  const newCak = randomBytes(32).toString('hex');
  let api: ChildProcess | undefined;
  let apiOut = '';
  let apiErr = '';
  let endpoint = '';
  let lagId = '';
  const dxlab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--name', lab], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const awsRun = (...args: string[]) =>
    spawnSync(AWS, [...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, AWS_ACCESS_KEY_ID: 'AKIDDXLABEXAMPLE', AWS_SECRET_ACCESS_KEY: 'dxlab-example-secret', AWS_CONFIG_FILE: join(work, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'), AWS_PAGER: '' },
    });
  const aws = (...args: string[]) => {
    const r = awsRun(...args);
    if (r.status !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout) as any;
  };
  /** The CLI's error line for a refused call (exit 254, AWS's exception name and message). */
  const awsError = (...args: string[]) => {
    const r = awsRun(...args);
    expect(r.status, r.stdout).toBe(254);
    return r.stderr.trim();
  };
  const theLag = () => aws('directconnect', 'describe-lags').lags[0];
  const socketOf = (node: string) => (JSON.parse(readFileSync(join(stateDir, lab, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; socket: string }> }).nodes.find((n) => n.name === node)!.socket;
  const nodeStatus = (node: string) => {
    const r = spawnSync(process.execPath, [BIN, 'node', 'status', '--socket', socketOf(node), '--json'], { encoding: 'utf8', env });
    return JSON.parse(r.stdout) as { ports: NodePort[]; lags: NodeLag[] };
  };
  const chains = (node: string) => nodeStatus(node).ports.map((p) => p.kay.participants.map((x) => x.ckn.toUpperCase()));
  const dxLog = () => readFileSync(join(stateDir, lab, 'dx.log'), 'utf8');
  /** Polls until `cond` holds; the bound is loose (the fast profile secures in about a second, but each AWS CLI run takes seconds on a loaded machine). */
  const waitFor = async <T>(what: string, get: () => T, cond: (v: T) => boolean, ms = 150_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = get();
      if (cond(v)) return v;
      if (Date.now() > end) throw new Error(`${what}: not reached: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const startApi = async (): Promise<string> => {
    apiOut = '';
    const child = spawn(process.execPath, [BIN, 'api', 'serve', '--lab', lab, '--port', '0', '--quiet'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    api = child;
    child.stderr!.on('data', (d: Buffer) => (apiErr += d.toString()));
    return new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        apiOut += d.toString();
        const m = /^try: /m.test(apiOut) && /^endpoint (\S+)$/m.exec(apiOut);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`dxlab api serve --lab exited ${code}: ${apiErr}`)));
    });
  };
  const stopApi = async () => {
    if (!api || api.exitCode !== null) return;
    const exited = new Promise((r) => api!.once('exit', r));
    api.kill('SIGTERM');
    await exited;
  };
  const keyFile = (name: string, hex: string) => {
    const f = join(work, name);
    writeFileSync(f, hex + '\n', { mode: 0o600 });
    return f;
  };
  const ping = (count: number) =>
    new Promise<{ transmitted: number; received: number }>((resolve) => {
      const p = spawn('ip', ['netns', 'exec', `dxlab-${lab}-router`, 'ping', '-i', '0.2', '-W', '1', '-c', String(count), '169.254.100.2'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.once('exit', () => {
        const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
        resolve({ transmitted: Number(m?.[1] ?? 0), received: Number(m?.[2] ?? 0) });
      });
    });

  beforeAll(async () => {
    if (!existsSync(AWS)) throw new Error(`${AWS} is missing: apt-get install awscli (scripts/setup.sh does)`);
    // --no-api: this file runs the API in the foreground (dxlab api serve --lab), so that it can stop and start it.
    const up = spawnSync(process.execPath, [BIN, 'up', join(ROOT, 'topologies/lag-router-dx.yaml'), '--name', lab, '--no-api'], { cwd: ROOT, encoding: 'utf8', env, timeout: 90_000 });
    expect(up.status, up.stderr).toBe(0);
    endpoint = await startApi();
  }, 120_000);

  afterAll(async () => {
    await stopApi();
    const down = spawnSync(process.execPath, [BIN, 'down', lab], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    expect(down.status, down.stderr).toBe(0);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
  }, 300_000);

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

  it("update-lag --encryption-mode must_encrypt with a wrong key on the router's LAG: every member down, describe says Encryption Down, traffic stops", async () => {
    expect((await ping(5)).received).toBeGreaterThan(0);
    // The router keeps the CKN with another CAK: MKA fails on every member (ICV mismatch).
    expect(dxlab('set', 'router', 'lag1', 'key', 'remove', '--ckn', newCkn.toLowerCase()).status).toBe(0);
    expect(dxlab('set', 'router', 'lag1', 'key', 'add', '--ckn', newCkn.toLowerCase(), '--cak-file', keyFile('wrong.cak', randomBytes(32).toString('hex'))).status).toBe(0);
    const u = aws('directconnect', 'update-lag', '--lag-id', lagId, '--encryption-mode', 'must_encrypt');
    expect(u.encryptionMode).toBe('must_encrypt');
    expect(u.connections.map((c: any) => c.encryptionMode)).toEqual(['must_encrypt', 'must_encrypt']);
    await waitFor('node members must_encrypt', () => nodeStatus('dx').ports.map((p) => p.kay.mode), (m) => m.every((x) => x === 'must_encrypt'));
    const lag = await waitFor('every member Encryption Down, the LAG down', theLag, (l) => l.lagState === 'down' && l.connections.every((c: any) => c.portEncryptionStatus === 'Encryption Down'));
    expect(lag.connections).toHaveLength(2);
    expect(nodeStatus('dx').lags[0]!.logicalPortUp).toBe(false);
    expect((await ping(5)).received).toBe(0);
  }, 300_000);

  it("after a restart of the API, the LAG's mode changed on the node meanwhile is reported (drift, on the LAG), not overwritten", async () => {
    await stopApi();
    for (const port of ['eth1', 'eth2']) {
      const r = spawnSync(process.execPath, [BIN, 'node', 'mode', 'should_encrypt', '--socket', socketOf('dx'), '--port', port], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    endpoint = await startApi();
    expect(apiOut).toMatch(new RegExp(`^drift dx:lag1 ${lagId}: dx:eth1: mode node=should_encrypt api=must_encrypt / dx:eth2: mode node=should_encrypt api=must_encrypt$`, 'm'));
    const lag = theLag();
    expect(lag.encryptionMode).toBe('must_encrypt');
    expect(lag.tags).toContainEqual({ key: 'dxlab:drift', value: expect.stringContaining('dx:eth1: mode node=should_encrypt api=must_encrypt') });
    expect(nodeStatus('dx').ports.map((p) => p.kay.mode)).toEqual(['should_encrypt', 'should_encrypt']);
  }, 300_000);
});
