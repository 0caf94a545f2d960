/**
 * Direct Connect connections and MACsec keys in-process: the states AWS
 * documents, the rules V1 to V7 and V9 to V14 of the reference (each
 * rejection checked to leave the store unchanged), pagination, tags.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiStateOnlyBinding, type DataPlaneChange, type DxPortBinding } from '../../../src/aws/index.js';
import { CAK1, CAK2, CAK3, CAK4, CKN1, CKN2, CKN3, CKN4, T0, testApi, type TestApi } from '../../helpers/aws.js';

let t: TestApi;
afterEach(() => t?.close());

async function macsecConnection(api: TestApi, extra: Record<string, unknown> = {}) {
  return api.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'MACsec connection', requestMACSec: true, ...extra });
}

/** A binding that records what the API pushes and claims MKA secured `securedCkn`. */
function recordingBinding(securedCkn?: string): DxPortBinding & { changes: DataPlaneChange[] } {
  const base = apiStateOnlyBinding();
  const changes: DataPlaneChange[] = [];
  return {
    ...base,
    changes,
    portEncryption: () => (securedCkn ? { secured: true, ckn: securedCkn } : { secured: false }),
    apply: async (c) => {
      changes.push(...c);
    },
  };
}

describe('CreateConnection and the connection states', () => {
  it('answers requested, then pending, then available as time passes; ids and fields in AWS formats', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    expect(c.connectionId).toMatch(/^dxcon-[a-z0-9]{8}$/);
    expect(c).toMatchObject({
      ownerAccount: '123456789012',
      connectionName: 'MACsec connection',
      connectionState: 'requested',
      region: 'us-east-1',
      location: 'IAD66',
      bandwidth: '10Gbps',
      macSecCapable: true,
      portEncryptionStatus: 'Encryption Down',
      encryptionMode: 'should_encrypt',
      macSecKeys: [],
      hasLogicalRedundancy: 'unknown',
    });
    expect(c.awsDevice).toMatch(/^IAD66-[a-z0-9]+$/);
    const state = async () => (await t.dx('DescribeConnections', { connectionId: c.connectionId })).connections[0].connectionState;
    t.advance(999);
    expect(await state()).toBe('requested');
    t.advance(1);
    expect(await state()).toBe('pending');
    t.advance(1000);
    expect(await state()).toBe('available');
  });

  it('a connection without MACsec shows macSecCapable false and no MACsec fields', async () => {
    t = testApi();
    const c = await t.dx('CreateConnection', { location: 'EqDC2', bandwidth: '1Gbps', connectionName: 'plain' });
    expect(c.macSecCapable).toBe(false);
    expect(c).not.toHaveProperty('encryptionMode');
    expect(c).not.toHaveProperty('macSecKeys');
    expect(c).not.toHaveProperty('portEncryptionStatus');
  });

  it('V1/V2: MACsec only at a location and speed that offer it (10, 100, 400 Gbps)', async () => {
    t = testApi();
    for (const bandwidth of ['10Gbps', '100Gbps', '400Gbps']) await macsecConnection(t, { bandwidth });
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '1Gbps', connectionName: 'x', requestMACSec: true }, 'DirectConnectClientException', /MACsec/);
    await t.rejects('directconnect', 'CreateConnection', { location: 'EqDC2', bandwidth: '10Gbps', connectionName: 'x', requestMACSec: true }, 'DirectConnectClientException', /EqDC2 has no MACsec-capable 10Gbps ports/);
  });

  it('refuses unknown locations, speeds, empty names, providers not at the location', async () => {
    t = testApi();
    await t.rejects('directconnect', 'CreateConnection', { location: 'NOPE1', bandwidth: '10Gbps', connectionName: 'x' }, 'DirectConnectClientException', /Location 'NOPE1'/);
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '50Mbps', connectionName: 'x' }, 'DirectConnectClientException', /bandwidth '50Mbps'/);
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: '' }, 'DirectConnectClientException', /connectionName/);
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'x', providerName: 'Acme' }, 'DirectConnectClientException', /providerName/);
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '10Gbps' }, 'DirectConnectClientException', /connectionName/);
  });

  it('a member of the wrong JSON type is a SerializationException', async () => {
    t = testApi();
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: 10, connectionName: 'x' }, 'SerializationException', /bandwidth/);
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'x', requestMACSec: 'yes' }, 'SerializationException');
  });

  it('resources of one region are invisible from another', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const r = await t.call('directconnect', 'DescribeConnections', { connectionId: c.connectionId }, 'eu-west-1');
    expect(r.ok).toBe(false);
    const all = await t.call('directconnect', 'DescribeConnections', {}, 'eu-west-1');
    expect(all.ok && (all.output as any).connections).toEqual([]);
  });
});

describe('DescribeConnections', () => {
  it('pages with maxResults (over 100 reads as 100) and nextToken', async () => {
    t = testApi();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await macsecConnection(t, { connectionName: `c${i}` })).connectionId);
    const p1 = await t.dx('DescribeConnections', { maxResults: 2 });
    expect(p1.connections.map((c: any) => c.connectionId)).toEqual(ids.slice(0, 2));
    const p2 = await t.dx('DescribeConnections', { maxResults: 2, nextToken: p1.nextToken });
    const p3 = await t.dx('DescribeConnections', { maxResults: 2, nextToken: p2.nextToken });
    expect([...p2.connections, ...p3.connections].map((c: any) => c.connectionId)).toEqual(ids.slice(2));
    expect(p3.nextToken).toBeUndefined();
    expect((await t.dx('DescribeConnections', { maxResults: 1000 })).connections).toHaveLength(5);
    expect((await t.dx('DescribeConnections', {})).nextToken).toBeUndefined();
    await t.rejects('directconnect', 'DescribeConnections', { maxResults: 0 }, 'DirectConnectClientException', /maxResults/);
    await t.rejects('directconnect', 'DescribeConnections', { nextToken: 'garbage' }, 'DirectConnectClientException', /nextToken/);
  });

  it('names a missing connection and a malformed id', async () => {
    t = testApi();
    await t.rejects('directconnect', 'DescribeConnections', { connectionId: 'dxcon-abcd1234' }, 'DirectConnectClientException', /Connection dxcon-abcd1234 does not exist/);
    await t.rejects('directconnect', 'DescribeConnections', { connectionId: 'dxlag-abcd1234' }, 'DirectConnectClientException', /invalid format/);
  });
});

describe('UpdateConnection and DeleteConnection', () => {
  it('V9: the three modes only; must_encrypt needs a key; a non-MACsec connection stays no_encrypt', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    await t.rejects('directconnect', 'UpdateConnection', { connectionId: c.connectionId, encryptionMode: 'always_encrypt' }, 'DirectConnectClientException', /encryptionMode 'always_encrypt'/);
    await t.rejects('directconnect', 'UpdateConnection', { connectionId: c.connectionId, encryptionMode: 'must_encrypt' }, 'DirectConnectClientException', /no MACsec key/);
    await t.rejects('directconnect', 'UpdateConnection', { connectionId: c.connectionId }, 'DirectConnectClientException', /connectionName or encryptionMode/);
    expect((await t.dx('UpdateConnection', { connectionId: c.connectionId, encryptionMode: 'no_encrypt' })).encryptionMode).toBe('no_encrypt');
    const plain = await t.dx('CreateConnection', { location: 'EqDC2', bandwidth: '10Gbps', connectionName: 'plain' });
    await t.rejects('directconnect', 'UpdateConnection', { connectionId: plain.connectionId, encryptionMode: 'should_encrypt' }, 'DirectConnectClientException', /not requested with MACsec/);
    expect((await t.dx('UpdateConnection', { connectionId: plain.connectionId, connectionName: 'renamed' })).connectionName).toBe('renamed');
  });

  it('deletes: state deleted, keys gone, listed for 15 minutes, then purged; a deleted connection takes no change', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN1, cak: CAK1 });
    const d = await t.dx('DeleteConnection', { connectionId: c.connectionId });
    expect(d).toMatchObject({ connectionState: 'deleted', macSecKeys: [] });
    await t.rejects('directconnect', 'DeleteConnection', { connectionId: c.connectionId }, 'DirectConnectClientException', /is deleted/);
    await t.rejects('directconnect', 'UpdateConnection', { connectionId: c.connectionId, connectionName: 'x' }, 'DirectConnectClientException', /is deleted/);
    t.advance(15 * 60 * 1000 - 1);
    expect((await t.dx('DescribeConnections')).connections).toHaveLength(1);
    t.advance(1);
    expect((await t.dx('DescribeConnections')).connections).toHaveLength(0);
    // The secret Direct Connect made stays (AWS does not delete it either).
    expect((await t.sm('ListSecrets')).SecretList).toHaveLength(1);
  });
});

describe('AssociateMacSecKey and DisassociateMacSecKey', () => {
  it('stores ckn+cak as a Direct Connect-owned secret and answers its ARN; associating, then associated', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const r = await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN1, cak: CAK1 });
    expect(r.connectionId).toBe(c.connectionId);
    expect(r.macSecKeys).toHaveLength(1);
    const k = r.macSecKeys[0];
    expect(k).toMatchObject({ ckn: CKN1, state: 'associating', startOn: '2026-01-01 00:00:00' });
    expect(k.secretARN).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:directconnect!prod/us-east-1/dxmacsec/${CKN1}-[A-Za-z0-9]{6}$`));
    const described = await t.dx('DescribeConnections', { connectionId: c.connectionId });
    expect(described.connections[0].macSecKeys[0]).toMatchObject({ secretARN: k.secretARN, state: 'associated' });
    const secret = await t.sm('DescribeSecret', { SecretId: k.secretARN });
    expect(secret).toMatchObject({ OwningService: 'directconnect', Name: `directconnect!prod/us-east-1/dxmacsec/${CKN1}` });
    // GetSecretValue on Direct Connect's secret is the one way to read the CAK, as in AWS.
    const v = await t.sm('GetSecretValue', { SecretId: k.secretARN });
    expect(JSON.parse(v.SecretString)).toEqual({ ckn: CKN1, cak: CAK1.toUpperCase() });
  });

  it('CKNs come back in upper case (the blog shows them so)', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const ckn = 'ab'.repeat(32);
    const r = await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn, cak: CAK1 });
    expect(r.macSecKeys[0].ckn).toBe(ckn.toUpperCase());
  });

  it('reuses a stored key by secretARN on a second connection', async () => {
    t = testApi();
    const a = await macsecConnection(t);
    const b = await macsecConnection(t, { connectionName: 'second' });
    const arn = (await t.dx('AssociateMacSecKey', { connectionId: a.connectionId, ckn: CKN1, cak: CAK1 })).macSecKeys[0].secretARN;
    const r = await t.dx('AssociateMacSecKey', { connectionId: b.connectionId, secretARN: arn });
    expect(r.macSecKeys).toEqual([expect.objectContaining({ secretARN: arn, ckn: CKN1, state: 'associating' })]);
    expect((await t.sm('ListSecrets')).SecretList).toHaveLength(1);
  });

  it('V3: CKN and CAK are exactly 64 hex digits; the error never repeats the CAK', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const id = c.connectionId;
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: id, ckn: CKN1.slice(1), cak: CAK1 }, 'DirectConnectClientException', /ckn must be exactly 64 hexadecimal/);
    const badCak = 'zz' + CAK1.slice(2);
    const m = await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: id, ckn: CKN1, cak: badCak }, 'DirectConnectClientException', /cak must be exactly 64 hexadecimal.*not all of them hexadecimal/);
    expect(m).not.toContain(badCak);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: id, ckn: CKN1, cak: CAK1 + '00' }, 'DirectConnectClientException', /got 66 characters/);
  });

  it('V4: exactly one of secretARN or ckn+cak', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const id = c.connectionId;
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: id }, 'DirectConnectClientException', /give secretARN, or ckn and cak/);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: id, ckn: CKN1 }, 'DirectConnectClientException', /cak is required with ckn/);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: id, cak: CAK1 }, 'DirectConnectClientException', /ckn is required with cak/);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: id, secretARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-abcdef', ckn: CKN1, cak: CAK1 }, 'DirectConnectClientException', /not both/);
  });

  it('V5: a secret the user created is refused', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const mine = await t.sm('CreateSecret', { Name: 'my-macsec-key', SecretString: JSON.stringify({ ckn: CKN1, cak: CAK1 }) });
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: c.connectionId, secretARN: mine.ARN }, 'DirectConnectClientException', /not created by Direct Connect/);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: c.connectionId, secretARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:nothing-abcdef' }, 'DirectConnectClientException', /does not name a secret/);
    // A name is not an ARN.
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: c.connectionId, secretARN: 'my-macsec-key' }, 'DirectConnectClientException', /full ARN/);
  });

  it('V6: an associated key cannot be changed: the same CKN again, or with another CAK, is refused; its secret is read-only', async () => {
    t = testApi();
    const a = await macsecConnection(t);
    const b = await macsecConnection(t, { connectionName: 'b' });
    const arn = (await t.dx('AssociateMacSecKey', { connectionId: a.connectionId, ckn: CKN1, cak: CAK1 })).macSecKeys[0].secretARN;
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: a.connectionId, ckn: CKN1, cak: CAK1 }, 'DirectConnectClientException', /already associated/);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: a.connectionId, secretARN: arn }, 'DirectConnectClientException', /already associated/);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: b.connectionId, ckn: CKN1, cak: CAK2 }, 'DirectConnectClientException', /different CAK/);
    await t.rejects('secretsmanager', 'PutSecretValue', { SecretId: arn, SecretString: '{"ckn":"x","cak":"y"}' }, 'InvalidRequestException', /managed by directconnect/);
    // The same pair on another connection reuses the stored secret.
    const r = await t.dx('AssociateMacSecKey', { connectionId: b.connectionId, ckn: CKN1.toLowerCase(), cak: CAK1.toLowerCase() });
    expect(r.macSecKeys[0].secretARN).toBe(arn);
  });

  it('V7: at most three keys; new keys are appended (the device tries the newest first)', async () => {
    const binding = recordingBinding();
    t = testApi({ binding });
    const c = await macsecConnection(t);
    for (const [ckn, cak] of [[CKN1, CAK1], [CKN2, CAK2], [CKN3, CAK3]]) await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn, cak });
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN4, cak: CAK4 }, 'DirectConnectClientException', /already has 3 MACsec keys/);
    const last = binding.changes.at(-1)!;
    expect(last.kind).toBe('port');
    if (last.kind !== 'port') return;
    expect(last.config.macsec!.keyChain.map((k) => k.ckn)).toEqual([CKN1, CKN2, CKN3]);
    expect(Buffer.from(last.config.macsec!.keyChain[2]!.cak.expose()).toString('hex').toUpperCase()).toBe(CAK3.toUpperCase());
    // The CAK handed to the data plane is wrapped: it prints redacted.
    expect(JSON.stringify(last)).not.toMatch(/c3c3c3/i);
  });

  it('V1: no key on a connection that was not requested with MACsec', async () => {
    t = testApi();
    const plain = await t.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'plain' });
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: plain.connectionId, ckn: CKN1, cak: CAK1 }, 'DirectConnectClientException', /not requested with MACsec/);
  });

  it('V10: disassociating the last key of a must_encrypt connection falls back to should_encrypt', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const arn1 = (await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN1, cak: CAK1 })).macSecKeys[0].secretARN;
    const arn2 = (await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN2, cak: CAK2 })).macSecKeys[1].secretARN;
    await t.dx('UpdateConnection', { connectionId: c.connectionId, encryptionMode: 'must_encrypt' });
    const d1 = await t.dx('DisassociateMacSecKey', { connectionId: c.connectionId, secretARN: arn1 });
    expect(d1.macSecKeys).toEqual([expect.objectContaining({ secretARN: arn1, ckn: CKN1, state: 'disassociated' })]);
    expect((await t.dx('DescribeConnections', { connectionId: c.connectionId })).connections[0].encryptionMode).toBe('must_encrypt');
    await t.dx('DisassociateMacSecKey', { connectionId: c.connectionId, secretARN: arn2 });
    const after = (await t.dx('DescribeConnections', { connectionId: c.connectionId })).connections[0];
    expect(after).toMatchObject({ encryptionMode: 'should_encrypt', macSecKeys: [] });
    await t.rejects('directconnect', 'DisassociateMacSecKey', { connectionId: c.connectionId, secretARN: arn2 }, 'DirectConnectClientException', /No MACsec key/);
  });

  it('V11: scheduling the deletion of a key\'s secret disassociates it at once from a connection not yet available', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const arn = (await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN1, cak: CAK1 })).macSecKeys[0].secretARN;
    await t.sm('DeleteSecret', { SecretId: arn, RecoveryWindowInDays: 7 });
    const conn = (await t.dx('DescribeConnections', { connectionId: c.connectionId })).connections[0];
    expect(conn.connectionState).toBe('requested');
    expect(conn.macSecKeys).toEqual([]);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: c.connectionId, secretARN: arn }, 'DirectConnectClientException', /scheduled for deletion/);
    await t.rejects('directconnect', 'AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN1, cak: CAK1 }, 'DirectConnectClientException', /scheduled for deletion/);
  });

  it('V11: on an available connection the key goes 30 days later; RestoreSecret cancels that', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    t.advance(2000);
    const arn1 = (await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN1, cak: CAK1 })).macSecKeys[0].secretARN;
    const arn2 = (await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN2, cak: CAK2 })).macSecKeys[1].secretARN;
    await t.sm('DeleteSecret', { SecretId: arn1, RecoveryWindowInDays: 30 });
    await t.sm('DeleteSecret', { SecretId: arn2, RecoveryWindowInDays: 7 });
    const keys = async () => (await t.dx('DescribeConnections', { connectionId: c.connectionId })).connections[0].macSecKeys.map((k: any) => k.ckn);
    expect(await keys()).toEqual([CKN1, CKN2]);
    await t.sm('RestoreSecret', { SecretId: arn1 });
    t.advance(30 * 24 * 3600 * 1000);
    expect(await keys()).toEqual([CKN1]);
    // arn2's recovery window ended too: the secret is gone.
    await t.rejects('secretsmanager', 'DescribeSecret', { SecretId: arn2 }, 'ResourceNotFoundException');
  });

  it('V12: portEncryptionStatus follows MKA: "Encryption Up with CKN <CKN>" while the data plane says secured', async () => {
    t = testApi({ binding: recordingBinding(CKN2) });
    const c = await macsecConnection(t);
    expect(c.portEncryptionStatus).toBe(`Encryption Up with CKN ${CKN2}`);
    t.close();
    t = testApi();
    expect((await macsecConnection(t)).portEncryptionStatus).toBe('Encryption Down');
  });

  it('V13: nothing rotates a CAK by itself: a year later the keys are the same', async () => {
    const binding = recordingBinding();
    t = testApi({ binding });
    const c = await macsecConnection(t);
    await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN1, cak: CAK1 });
    const before = (await t.dx('DescribeConnections', { connectionId: c.connectionId })).connections[0].macSecKeys;
    const pushes = binding.changes.length;
    t.advance(365 * 24 * 3600 * 1000);
    expect((await t.dx('DescribeConnections', { connectionId: c.connectionId })).connections[0].macSecKeys).toEqual(before);
    expect(binding.changes.length).toBe(pushes);
  });

  it('V2/V14: the port is configured with the SCI always sent, offset 0, XPN only at 100 Gbps', async () => {
    const binding = recordingBinding();
    t = testApi({ binding });
    await macsecConnection(t);
    await macsecConnection(t, { bandwidth: '100Gbps' });
    const configs = binding.changes.flatMap((c) => (c.kind === 'port' ? [c.config] : []));
    expect(configs[0]!.macsec).toMatchObject({ includeSci: true, confidentialityOffset: 0, cipherSuites: ['GCM-AES-XPN-256', 'GCM-AES-256'], mode: 'should_encrypt' });
    expect(configs[1]!.macsec!.cipherSuites).toEqual(['GCM-AES-XPN-256']);
  });

  it('no Direct Connect answer carries the CAK', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const outputs: unknown[] = [c];
    const cak = 'e5'.repeat(32);
    outputs.push(await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: CKN1, cak }));
    outputs.push(await t.dx('DescribeConnections', {}));
    outputs.push(await t.dx('UpdateConnection', { connectionId: c.connectionId, encryptionMode: 'must_encrypt' }));
    const arn = (outputs[1] as any).macSecKeys[0].secretARN;
    outputs.push(await t.dx('DisassociateMacSecKey', { connectionId: c.connectionId, secretARN: arn }));
    outputs.push(await t.sm('DescribeSecret', { SecretId: arn }));
    outputs.push(await t.sm('ListSecrets', {}));
    expect(JSON.stringify(outputs).toLowerCase()).not.toContain(cak);
  });
});

describe('tags', () => {
  it('on create and through TagResource, UntagResource, DescribeTags', async () => {
    t = testApi();
    const c = await macsecConnection(t, { tags: [{ key: 'Name', value: 'primary' }] });
    expect(c.tags).toEqual([{ key: 'Name', value: 'primary' }]);
    const arn = `arn:aws:directconnect:us-east-1:123456789012:dxcon/${c.connectionId}`;
    await t.dx('TagResource', { resourceArn: arn, tags: [{ key: 'Name', value: 'renamed' }, { key: 'site' }] });
    expect((await t.dx('DescribeTags', { resourceArns: [arn] })).resourceTags).toEqual([{ resourceArn: arn, tags: [{ key: 'Name', value: 'renamed' }, { key: 'site' }] }]);
    await t.dx('UntagResource', { resourceArn: arn, tagKeys: ['site', 'absent'] });
    expect((await t.dx('DescribeTags', { resourceArns: [arn] })).resourceTags[0].tags).toEqual([{ key: 'Name', value: 'renamed' }]);
  });

  it('a key twice is DuplicateTagKeysException, over 50 TooManyTagsException, aws: is reserved, bad ARNs are named', async () => {
    t = testApi();
    const c = await macsecConnection(t);
    const arn = `arn:aws:directconnect:us-east-1:123456789012:dxcon/${c.connectionId}`;
    await t.rejects('directconnect', 'TagResource', { resourceArn: arn, tags: [{ key: 'a' }, { key: 'a', value: 'b' }] }, 'DuplicateTagKeysException');
    await t.rejects('directconnect', 'CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'x', tags: [{ key: 'a' }, { key: 'a' }] }, 'DuplicateTagKeysException');
    const fifty = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}` }));
    await t.dx('TagResource', { resourceArn: arn, tags: fifty });
    await t.rejects('directconnect', 'TagResource', { resourceArn: arn, tags: [{ key: 'one-more' }] }, 'TooManyTagsException');
    await t.rejects('directconnect', 'TagResource', { resourceArn: arn, tags: [{ key: 'aws:x' }] }, 'DirectConnectClientException', /reserved/);
    await t.rejects('directconnect', 'TagResource', { resourceArn: arn, tags: [{ key: 'bad<key>' }] }, 'DirectConnectClientException', /regular expression/);
    await t.rejects('directconnect', 'TagResource', { resourceArn: arn, tags: [] }, 'DirectConnectClientException', /length greater than or equal to 1/);
    await t.rejects('directconnect', 'TagResource', { resourceArn: 'arn:aws:s3:::bucket', tags: [{ key: 'a' }] }, 'DirectConnectClientException', /not a Direct Connect resource ARN/);
    await t.rejects('directconnect', 'DescribeTags', { resourceArns: [arn.replace('us-east-1', 'eu-west-1')] }, 'DirectConnectClientException', /does not exist/);
  });
});

describe('DescribeLocations', () => {
  it('lists the locations of the request region with their MACsec port speeds', async () => {
    t = testApi();
    const r = await t.dx('DescribeLocations');
    expect(r.locations[0]).toEqual({
      locationCode: 'IAD66',
      locationName: expect.any(String),
      region: 'us-east-1',
      availablePortSpeeds: ['1Gbps', '10Gbps', '100Gbps', '400Gbps'],
      availableProviders: [],
      availableMacSecPortSpeeds: ['10Gbps', '100Gbps', '400Gbps'],
    });
    const eu = await t.call('directconnect', 'DescribeLocations', {}, 'eu-west-1');
    expect(eu.ok && (eu.output as any).locations).toEqual([]);
    expect(T0).toBe(Date.UTC(2026, 0, 1));
  });
});
