/**
 * The real AWS SDK for JavaScript v3 (@aws-sdk/client-direct-connect and
 * @aws-sdk/client-secrets-manager) over real HTTP against the API server:
 * the blog's workflow, the Secrets Manager side, AWS's errors as the SDK
 * classes them, and --strict-auth against the SDK's own SigV4 signing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  AssociateMacSecKeyCommand,
  AssociateVirtualInterfaceCommand,
  CreateConnectionCommand,
  CreateLagCommand,
  CreatePrivateVirtualInterfaceCommand,
  DescribeConnectionsCommand,
  DescribeLocationsCommand,
  DescribeVirtualInterfacesCommand,
  DirectConnectClient,
  DirectConnectClientException,
  DisassociateMacSecKeyCommand,
  UpdateConnectionCommand,
  UpdateLagCommand,
} from '@aws-sdk/client-direct-connect';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { openStore, startApiServer, type RunningApiServer } from '../../../src/aws/index.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('dxlab-aws-sdk-');
const CKN = 'ab'.repeat(32).toUpperCase();
const CAK = 'cd'.repeat(32);
const CREDS = { accessKeyId: 'AKIDDXLABTEST', secretAccessKey: 'dxlab-test-secret' };

let server: RunningApiServer;
let dx: DirectConnectClient;
let sm: SecretsManagerClient;

beforeAll(async () => {
  const store = openStore(join(dir, 'state.sqlite'));
  server = await startApiServer({ store, port: 0, timings: { requestedMs: 0, pendingMs: 0, vifPendingMs: 0 } });
  const config = { endpoint: server.url, region: 'us-east-1', credentials: CREDS, maxAttempts: 1 };
  dx = new DirectConnectClient(config);
  sm = new SecretsManagerClient(config);
});
afterAll(async () => {
  dx?.destroy();
  sm?.destroy();
  await server?.close();
  server?.service.store.close();
});

describe('the AWS SDK v3 against dxlab api serve', () => {
  it('runs the blog workflow: MACsec connection, keys both ways, mode, LAG, VIF moved', async () => {
    const locations = await dx.send(new DescribeLocationsCommand({}));
    expect(locations.locations?.find((l) => l.locationCode === 'IAD66')?.availableMacSecPortSpeeds).toEqual(['10Gbps', '100Gbps', '400Gbps']);
    const c1 = await dx.send(new CreateConnectionCommand({ location: 'IAD66', bandwidth: '10Gbps', connectionName: 'MACsec connection', requestMACSec: true }));
    expect(c1).toMatchObject({ connectionState: 'requested', macSecCapable: true, encryptionMode: 'should_encrypt' });
    const k1 = await dx.send(new AssociateMacSecKeyCommand({ connectionId: c1.connectionId, ckn: CKN, cak: CAK }));
    const arn = k1.macSecKeys![0]!.secretARN!;
    expect(arn).toContain(`:secret:directconnect!prod/us-east-1/dxmacsec/${CKN}-`);

    const c2 = await dx.send(new CreateConnectionCommand({ location: 'IAD66', bandwidth: '10Gbps', connectionName: 'second', requestMACSec: true }));
    const k2 = await dx.send(new AssociateMacSecKeyCommand({ connectionId: c2.connectionId, secretARN: arn }));
    expect(k2.macSecKeys).toEqual([expect.objectContaining({ secretARN: arn, ckn: CKN })]);

    const described = await dx.send(new DescribeConnectionsCommand({ connectionId: c1.connectionId }));
    expect(described.connections![0]).toMatchObject({ connectionState: 'available', portEncryptionStatus: 'Encryption Down', macSecKeys: [expect.objectContaining({ state: 'associated' })] });
    expect((await dx.send(new UpdateConnectionCommand({ connectionId: c1.connectionId, encryptionMode: 'must_encrypt' }))).encryptionMode).toBe('must_encrypt');
    const d = await dx.send(new DisassociateMacSecKeyCommand({ connectionId: c1.connectionId, secretARN: arn }));
    expect(d.macSecKeys![0]!.state).toBe('disassociated');
    expect((await dx.send(new DescribeConnectionsCommand({ connectionId: c1.connectionId }))).connections![0]!.encryptionMode).toBe('should_encrypt');

    const lag = await dx.send(new CreateLagCommand({ location: 'IAD66', connectionsBandwidth: '10Gbps', numberOfConnections: 2, lagName: 'MACsec LAG', requestMACSec: true }));
    await dx.send(new AssociateMacSecKeyCommand({ connectionId: lag.lagId, secretARN: arn }));
    const ul = await dx.send(new UpdateLagCommand({ lagId: lag.lagId, encryptionMode: 'must_encrypt' }));
    expect(ul.connections!.map((c) => c.encryptionMode)).toEqual(['must_encrypt', 'must_encrypt']);

    const vif = await dx.send(
      new CreatePrivateVirtualInterfaceCommand({
        connectionId: c1.connectionId,
        newPrivateVirtualInterface: { virtualInterfaceName: 'vif-100', vlan: 100, asn: 65000, virtualGatewayId: 'vgw-12345678' },
      }),
    );
    const moved = await dx.send(new AssociateVirtualInterfaceCommand({ virtualInterfaceId: vif.virtualInterfaceId, connectionId: c2.connectionId }));
    expect(moved).toMatchObject({ connectionId: c2.connectionId, virtualInterfaceState: 'pending' });
    const vifs = await dx.send(new DescribeVirtualInterfacesCommand({ connectionId: c2.connectionId }));
    expect(vifs.virtualInterfaces![0]).toMatchObject({ virtualInterfaceId: vif.virtualInterfaceId, virtualInterfaceState: 'available' });
  });

  it('gets AWS errors as the SDK\'s exception classes, with status and request id', async () => {
    const e = await dx.send(new AssociateMacSecKeyCommand({ connectionId: 'dxcon-00000000', ckn: CKN, cak: CAK })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DirectConnectClientException);
    const err = e as DirectConnectClientException;
    expect(err.message).toBe('Connection dxcon-00000000 does not exist.');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const nf = await sm.send(new GetSecretValueCommand({ SecretId: 'nothing' })).catch((x: unknown) => x);
    expect(nf).toBeInstanceOf(ResourceNotFoundException);
    expect((nf as Error).message).toBe("Secrets Manager can't find the specified secret.");
  });

  it('serves Secrets Manager: a Direct Connect secret is readable but read-only; user secrets as usual', async () => {
    const list = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'owning-service', Values: ['directconnect'] }] }));
    expect(list.SecretList).toHaveLength(1);
    const dxSecret = list.SecretList![0]!;
    expect(dxSecret.OwningService).toBe('directconnect');
    expect(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: dxSecret.ARN }))).SecretString!)).toEqual({ ckn: CKN, cak: CAK.toUpperCase() });
    const put = await sm.send(new PutSecretValueCommand({ SecretId: dxSecret.ARN, SecretString: '{}' })).catch((x: unknown) => x);
    expect(put).toBeInstanceOf(InvalidRequestException);

    const mine = await sm.send(new CreateSecretCommand({ Name: 'lab/router-key', SecretString: 'v1', Tags: [{ Key: 'env', Value: 'lab' }] }));
    await sm.send(new PutSecretValueCommand({ SecretId: mine.ARN, SecretString: 'v2' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'lab/router-key', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('v1');
    await sm.send(new TagResourceCommand({ SecretId: mine.ARN, Tags: [{ Key: 'owner', Value: 'net' }] }));
    const del = await sm.send(new DeleteSecretCommand({ SecretId: mine.ARN, RecoveryWindowInDays: 7 }));
    expect(del.DeletionDate).toBeInstanceOf(Date);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: mine.ARN }))).DeletedDate).toBeInstanceOf(Date);
    await sm.send(new RestoreSecretCommand({ SecretId: mine.ARN }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: mine.ARN }));
    expect(described.DeletedDate).toBeUndefined();
    expect(described.Tags).toEqual([{ Key: 'env', Value: 'lab' }, { Key: 'owner', Value: 'net' }]);
  });
});

describe('--strict-auth with the SDK\'s SigV4', () => {
  let strict: RunningApiServer;
  beforeAll(async () => {
    strict = await startApiServer({ store: openStore(':memory:'), port: 0, strictAuth: new Map([[CREDS.accessKeyId, CREDS.secretAccessKey]]) });
  });
  afterAll(async () => {
    await strict?.close();
    strict?.service.store.close();
  });
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }) => new DirectConnectClient({ endpoint: strict.url, region: 'us-east-1', credentials, maxAttempts: 1 });

  it('accepts the known key, refuses a wrong secret and an unknown key as AWS does', async () => {
    const good = client(CREDS);
    expect((await good.send(new DescribeLocationsCommand({}))).locations!.length).toBeGreaterThan(0);
    good.destroy();
    for (const [credentials, name, status] of [
      [{ ...CREDS, secretAccessKey: 'wrong' }, 'InvalidSignatureException', 400],
      [{ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }, 'UnrecognizedClientException', 400],
    ] as const) {
      const c = client(credentials);
      const e = (await c.send(new DescribeLocationsCommand({})).catch((x: unknown) => x)) as { name: string; $metadata: { httpStatusCode: number } };
      c.destroy();
      expect(e.name).toBe(name);
      expect(e.$metadata.httpStatusCode).toBe(status);
    }
  });
});
