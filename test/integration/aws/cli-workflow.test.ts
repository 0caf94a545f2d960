/**
 * The blog's workflow typed into the AWS CLI v2 from Debian (/usr/bin/aws,
 * never an `aws` earlier on PATH, which may be a v1) against `dxlab api
 * serve` on a free loopback port: each command with --endpoint-url, dummy
 * credentials and --region. Kept to the blog's commands: the CLI takes about
 * a second to start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AWS, awsCli, runAws, serveApi, stopApi, type ServedApi } from '../../helpers/aws-cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { until } from '../../helpers/until.js';

const dir = tempDir('dxlab-aws-cli-');
const CKN = '444cf2486f0b7890fe88279f15da27c31db301c47de95a2fe0e2f42a5d68107f';
const CAK = '9f1c4f2a7e5d3b8c6a0e1f2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3';

let server: ServedApi | undefined;
let endpoint = '';

const aws = (...args: string[]) => runAws(dir, endpoint, args);
const ok = awsCli(dir, () => endpoint);

beforeAll(async () => {
  if (!existsSync(AWS)) throw new Error(`${AWS} is missing: apt-get install awscli (scripts/setup.sh does)`);
  server = await serveApi(['--port', '0', '--state', join(dir, 'state.sqlite'), '--provision-seconds', '0']);
  endpoint = server.endpoint;
});

afterAll(() => stopApi(server?.child));

describe('the blog workflow with the AWS CLI v2 from Debian', () => {
  it('is the Debian AWS CLI v2', () => {
    const v = spawnSync(AWS, ['--version'], { encoding: 'utf8' });
    expect(v.stdout + v.stderr).toMatch(/^aws-cli\/2\./);
  });

  it('create-connection --request-mac-sec, associate-mac-sec-key both ways, describe, update, disassociate, LAG, VIF', () => {
    // Step 1 (the blog's command, verbatim).
    const c1 = ok('directconnect', 'create-connection', '--location', 'IAD66', '--bandwidth', '10Gbps', '--connection-name', 'MACsec connection', '--request-mac-sec');
    expect(c1).toMatchObject({ connectionState: 'requested', macSecCapable: true, encryptionMode: 'should_encrypt', location: 'IAD66' });
    // Step 2, creating the CKN/CAK pair.
    const k1 = ok('directconnect', 'associate-mac-sec-key', '--ckn', CKN, '--cak', CAK, '--connection-id', c1.connectionId);
    const arn: string = k1.macSecKeys[0].secretARN;
    expect(k1.macSecKeys[0]).toMatchObject({ ckn: CKN.toUpperCase(), state: 'associating' });
    // Step 2, referencing the stored secret, on a second connection.
    const c2 = ok('directconnect', 'create-connection', '--location', 'IAD66', '--bandwidth', '10Gbps', '--connection-name', 'MACsec connection 2', '--request-mac-sec');
    expect(ok('directconnect', 'associate-mac-sec-key', '--secret-arn', arn, '--connection-id', c2.connectionId).macSecKeys[0].secretARN).toBe(arn);
    // Step 3.
    const d = ok('directconnect', 'describe-connections', '--connection-id', c1.connectionId).connections[0];
    expect(d).toMatchObject({ macSecCapable: true, portEncryptionStatus: 'Encryption Down', encryptionMode: 'should_encrypt', macSecKeys: [{ secretARN: arn, ckn: CKN.toUpperCase(), state: 'associated', startOn: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) }] });
    expect(ok('directconnect', 'update-connection', '--connection-id', c1.connectionId, '--encryption-mode', 'must_encrypt').encryptionMode).toBe('must_encrypt');
    expect(ok('directconnect', 'disassociate-mac-sec-key', '--connection-id', c1.connectionId, '--secret-arn', arn).macSecKeys[0].state).toBe('disassociated');
    // The LAG: MACsec configured on the LAG.
    const lag = ok('directconnect', 'create-lag', '--location', 'IAD66', '--number-of-connections', '2', '--connections-bandwidth', '10Gbps', '--lag-name', 'MACsec LAG', '--request-mac-sec');
    expect(lag).toMatchObject({ macSecCapable: true, encryptionMode: 'no_encrypt', numberOfConnections: 2 });
    ok('directconnect', 'associate-mac-sec-key', '--secret-arn', arn, '--connection-id', lag.lagId);
    const ul = ok('directconnect', 'update-lag', '--lag-id', lag.lagId, '--encryption-mode', 'must_encrypt');
    expect(ul.connections.map((c: any) => c.encryptionMode)).toEqual(['must_encrypt', 'must_encrypt']);
    // Step 4: move the VIF to the new connection.
    const vif = ok('directconnect', 'create-private-virtual-interface', '--connection-id', c1.connectionId, '--new-private-virtual-interface', 'virtualInterfaceName=vif-100,vlan=100,asn=65000,virtualGatewayId=vgw-12345678');
    const moved = ok('directconnect', 'associate-virtual-interface', '--virtual-interface-id', vif.virtualInterfaceId, '--connection-id', c2.connectionId);
    expect(moved).toMatchObject({ connectionId: c2.connectionId, virtualInterfaceState: 'pending' });
    expect(moved.bgpPeers.map((p: any) => p.bgpPeerState)).toEqual(['deleting', 'pending']);
  });

  it('prints AWS\'s error for a bad key and exits non-zero; the CAK is in no log line', async () => {
    const r = aws('directconnect', 'associate-mac-sec-key', '--ckn', CKN, '--cak', 'abc', '--connection-id', 'dxcon-00000000');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/An error occurred \(DirectConnectClientException\) when calling the AssociateMacSecKey operation: /);
    // spawnSync held the event loop: let the server's log lines in.
    await until(() => /api op=AssociateMacSecKey status=400/.test(server!.err()));
    expect(server!.err()).toMatch(/api op=AssociateMacSecKey status=200/);
    expect(server!.err().toLowerCase()).not.toContain(CAK);
  });
});
