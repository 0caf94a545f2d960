/**
 * Secrets Manager in-process: secrets, versions and staging labels, ListSecrets
 * filters and pages, scheduled deletion and restore, tags; each rejection
 * checked to leave the store unchanged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../../helpers/aws.js';

let t: TestApi;
afterEach(() => t?.close());
const DAY = 24 * 3600 * 1000;
const TOKEN_A = '11111111-2222-4333-8444-555555555555';

describe('CreateSecret, GetSecretValue, DescribeSecret', () => {
  it('creates a secret with an ARN of name + 6 characters, readable by name, ARN and partial ARN', async () => {
    t = testApi();
    const c = await t.sm('CreateSecret', { Name: 'prod/db', SecretString: 's3cr3t', Description: 'the db', ClientRequestToken: TOKEN_A });
    expect(c.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:prod\/db-[A-Za-z0-9]{6}$/);
    expect(c).toMatchObject({ Name: 'prod/db', VersionId: TOKEN_A });
    for (const id of ['prod/db', c.ARN, c.ARN.slice(0, -7)]) {
      const v = await t.sm('GetSecretValue', { SecretId: id });
      expect(v).toMatchObject({ ARN: c.ARN, Name: 'prod/db', SecretString: 's3cr3t', VersionId: TOKEN_A, VersionStages: ['AWSCURRENT'] });
    }
    const d = await t.sm('DescribeSecret', { SecretId: 'prod/db' });
    expect(d).toMatchObject({ ARN: c.ARN, Name: 'prod/db', Description: 'the db', VersionIdsToStages: { [TOKEN_A]: ['AWSCURRENT'] } });
    expect(d.LastAccessedDate).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(d).not.toHaveProperty('OwningService');
    expect(d).not.toHaveProperty('DeletedDate');
  });

  it('keeps binary values as base64', async () => {
    t = testApi();
    await t.sm('CreateSecret', { Name: 'bin', SecretBinary: Buffer.from([0, 1, 2, 255]).toString('base64') });
    expect((await t.sm('GetSecretValue', { SecretId: 'bin' })).SecretBinary).toBe('AAEC/w==');
  });

  it('refuses bad names, both values, an existing name, replicas and external types', async () => {
    t = testApi();
    await t.sm('CreateSecret', { Name: 'taken', SecretString: 'x', ClientRequestToken: TOKEN_A });
    await t.rejects('secretsmanager', 'CreateSecret', { Name: 'bad name!' }, 'InvalidParameterException', /Invalid name/);
    await t.rejects('secretsmanager', 'CreateSecret', { Name: 'both', SecretString: 'x', SecretBinary: 'AA==' }, 'InvalidParameterException', /both a binary/);
    await t.rejects('secretsmanager', 'CreateSecret', { Name: 'taken', SecretString: 'y' }, 'ResourceExistsException', /already exists/);
    await t.rejects('secretsmanager', 'CreateSecret', { Name: 'r', AddReplicaRegions: [{ Region: 'eu-west-1' }] }, 'InvalidParameterException', /replication/);
    await t.rejects('secretsmanager', 'CreateSecret', { Name: 'r', Type: 'HashiCorp' }, 'InvalidParameterException', /external/);
    await t.rejects('secretsmanager', 'CreateSecret', { Name: 'x'.repeat(513) }, 'ValidationException', /length less than or equal to 512/);
    await t.rejects('secretsmanager', 'CreateSecret', {}, 'ValidationException', /Value null at 'name' failed to satisfy constraint: Member must not be null/);
    await t.rejects('secretsmanager', 'CreateSecret', { Name: 'x', SecretBinary: 'not base64!' }, 'SerializationException');
    // The same request again (same token, same value) is answered, not refused.
    expect((await t.sm('CreateSecret', { Name: 'taken', SecretString: 'x', ClientRequestToken: TOKEN_A })).VersionId).toBe(TOKEN_A);
  });

  it('names what GetSecretValue cannot find', async () => {
    t = testApi();
    await t.sm('CreateSecret', { Name: 'empty' });
    await t.rejects('secretsmanager', 'GetSecretValue', { SecretId: 'nothing' }, 'ResourceNotFoundException', /can't find the specified secret\./);
    await t.rejects('secretsmanager', 'GetSecretValue', { SecretId: 'empty' }, 'ResourceNotFoundException', /staging label: AWSCURRENT/);
    await t.rejects('secretsmanager', 'GetSecretValue', { SecretId: 'empty', VersionId: TOKEN_A }, 'ResourceNotFoundException', /VersionId/);
  });
});

describe('PutSecretValue', () => {
  it('moves AWSCURRENT to the new version and AWSPREVIOUS to the old one; the same token again changes nothing', async () => {
    t = testApi();
    const c = await t.sm('CreateSecret', { Name: 's', SecretString: 'v1' });
    const p2 = await t.sm('PutSecretValue', { SecretId: 's', SecretString: 'v2', ClientRequestToken: TOKEN_A });
    expect(p2).toMatchObject({ ARN: c.ARN, VersionId: TOKEN_A, VersionStages: ['AWSCURRENT'] });
    expect((await t.sm('DescribeSecret', { SecretId: 's' })).VersionIdsToStages).toEqual({ [c.VersionId]: ['AWSPREVIOUS'], [TOKEN_A]: ['AWSCURRENT'] });
    expect((await t.sm('GetSecretValue', { SecretId: 's', VersionStage: 'AWSPREVIOUS' })).SecretString).toBe('v1');
    const before = t.snapshot();
    await t.sm('PutSecretValue', { SecretId: 's', SecretString: 'v2', ClientRequestToken: TOKEN_A });
    expect(t.snapshot()).toBe(before);
    await t.rejects('secretsmanager', 'PutSecretValue', { SecretId: 's', SecretString: 'v3', ClientRequestToken: TOKEN_A }, 'ResourceExistsException', /can't modify an existing version/);
    await t.rejects('secretsmanager', 'PutSecretValue', { SecretId: 's' }, 'InvalidParameterException', /either SecretString or SecretBinary/);
    await t.rejects('secretsmanager', 'PutSecretValue', { SecretId: 'nope', SecretString: 'x' }, 'ResourceNotFoundException');
  });
});

describe('DeleteSecret and RestoreSecret', () => {
  it('schedules deletion within 7 to 30 days, hides the value, restores, purges after the window', async () => {
    t = testApi();
    const c = await t.sm('CreateSecret', { Name: 'gone', SecretString: 'x' });
    await t.rejects('secretsmanager', 'DeleteSecret', { SecretId: 'gone', RecoveryWindowInDays: 6 }, 'InvalidParameterException', /between 7 and 30/);
    await t.rejects('secretsmanager', 'DeleteSecret', { SecretId: 'gone', RecoveryWindowInDays: 31 }, 'InvalidParameterException', /between 7 and 30/);
    await t.rejects('secretsmanager', 'DeleteSecret', { SecretId: 'gone', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }, 'InvalidParameterException', /in conjunction/);
    const d = await t.sm('DeleteSecret', { SecretId: 'gone', RecoveryWindowInDays: 7 });
    expect(d).toEqual({ ARN: c.ARN, Name: 'gone', DeletionDate: (t.now() + 7 * DAY) / 1000 });
    expect((await t.sm('DescribeSecret', { SecretId: 'gone' })).DeletedDate).toBe(t.now() / 1000);
    await t.rejects('secretsmanager', 'GetSecretValue', { SecretId: 'gone' }, 'InvalidRequestException', /marked for deletion/);
    await t.rejects('secretsmanager', 'DeleteSecret', { SecretId: 'gone' }, 'InvalidRequestException', /already scheduled/);
    await t.rejects('secretsmanager', 'CreateSecret', { Name: 'gone' }, 'InvalidRequestException', /scheduled for deletion/);
    expect((await t.sm('ListSecrets')).SecretList).toEqual([]);
    expect((await t.sm('ListSecrets', { IncludePlannedDeletion: true })).SecretList).toHaveLength(1);
    await t.sm('RestoreSecret', { SecretId: 'gone' });
    expect((await t.sm('GetSecretValue', { SecretId: 'gone' })).SecretString).toBe('x');
    await t.sm('DeleteSecret', { SecretId: 'gone', RecoveryWindowInDays: 7 });
    t.advance(7 * DAY);
    await t.rejects('secretsmanager', 'DescribeSecret', { SecretId: 'gone' }, 'ResourceNotFoundException');
  });

  it('force-deletes at once; a missing secret is not an error then', async () => {
    t = testApi();
    await t.sm('CreateSecret', { Name: 'now', SecretString: 'x' });
    await t.sm('DeleteSecret', { SecretId: 'now', ForceDeleteWithoutRecovery: true });
    await t.rejects('secretsmanager', 'DescribeSecret', { SecretId: 'now' }, 'ResourceNotFoundException');
    expect(await t.sm('DeleteSecret', { SecretId: 'never', ForceDeleteWithoutRecovery: true })).toMatchObject({ Name: 'never' });
    await t.rejects('secretsmanager', 'DeleteSecret', { SecretId: 'never' }, 'ResourceNotFoundException');
  });

  it('a Direct Connect secret cannot be force-deleted (V11 needs its recovery window)', async () => {
    t = testApi();
    const c = await t.dx('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'c', requestMACSec: true });
    const arn = (await t.dx('AssociateMacSecKey', { connectionId: c.connectionId, ckn: 'A'.repeat(64), cak: 'B'.repeat(64) })).macSecKeys[0].secretARN;
    await t.rejects('secretsmanager', 'DeleteSecret', { SecretId: arn, ForceDeleteWithoutRecovery: true }, 'InvalidRequestException', /managed by directconnect/);
  });
});

describe('ListSecrets', () => {
  async function three(api: TestApi) {
    await api.sm('CreateSecret', { Name: 'app/db', Description: 'Database password', Tags: [{ Key: 'env', Value: 'prod' }] });
    api.advance(1000);
    await api.sm('CreateSecret', { Name: 'app/Cache', Description: 'cache token', Tags: [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'net' }] });
    api.advance(1000);
    await api.sm('CreateSecret', { Name: 'other', Description: 'Other thing' });
  }
  const names = async (api: TestApi, body: object) => (await api.sm('ListSecrets', body)).SecretList.map((s: any) => s.Name);

  it('filters by prefix (name, tags case-sensitive; description not), negation, all words; filters combine with AND', async () => {
    t = testApi();
    await three(t);
    expect(await names(t, { Filters: [{ Key: 'name', Values: ['app/'] }] })).toEqual(['app/db', 'app/Cache']);
    expect(await names(t, { Filters: [{ Key: 'name', Values: ['app/c'] }] })).toEqual([]);
    expect(await names(t, { Filters: [{ Key: 'description', Values: ['DATABASE'] }] })).toEqual(['app/db']);
    expect(await names(t, { Filters: [{ Key: 'tag-key', Values: ['team'] }] })).toEqual(['app/Cache']);
    expect(await names(t, { Filters: [{ Key: 'tag-value', Values: ['prod', 'test'] }] })).toEqual(['app/db', 'app/Cache']);
    expect(await names(t, { Filters: [{ Key: 'name', Values: ['!app/'] }] })).toEqual(['other']);
    expect(await names(t, { Filters: [{ Key: 'name', Values: ['app/'] }, { Key: 'tag-value', Values: ['prod'] }] })).toEqual(['app/db']);
    expect(await names(t, { Filters: [{ Key: 'all', Values: ['cache'] }] })).toEqual(['app/Cache']);
    expect(await names(t, { Filters: [{ Key: 'owning-service', Values: ['directconnect'] }] })).toEqual([]);
  });

  it('sorts and pages', async () => {
    t = testApi();
    await three(t);
    expect(await names(t, { SortOrder: 'desc' })).toEqual(['other', 'app/Cache', 'app/db']);
    expect(await names(t, { SortBy: 'name' })).toEqual(['app/Cache', 'app/db', 'other']);
    const p1 = await t.sm('ListSecrets', { MaxResults: 2 });
    expect(p1.SecretList).toHaveLength(2);
    const p2 = await t.sm('ListSecrets', { MaxResults: 2, NextToken: p1.NextToken });
    expect(p2.SecretList.map((s: any) => s.Name)).toEqual(['other']);
    expect(p2.NextToken).toBeUndefined();
    await t.rejects('secretsmanager', 'ListSecrets', { NextToken: 'bogus' }, 'InvalidNextTokenException');
    await t.rejects('secretsmanager', 'ListSecrets', { MaxResults: 101 }, 'ValidationException', /less than or equal to 100/);
    await t.rejects('secretsmanager', 'ListSecrets', { Filters: [{ Key: 'colour', Values: ['x'] }] }, 'ValidationException', /enum value set/);
  });
});

describe('TagResource', () => {
  it('adds and updates tags; aws: is reserved; at most 50', async () => {
    t = testApi();
    await t.sm('CreateSecret', { Name: 's', Tags: [{ Key: 'a', Value: '1' }] });
    await t.sm('TagResource', { SecretId: 's', Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '' }] });
    expect((await t.sm('DescribeSecret', { SecretId: 's' })).Tags).toEqual([{ Key: 'a', Value: '2' }, { Key: 'b', Value: '' }]);
    await t.rejects('secretsmanager', 'TagResource', { SecretId: 's', Tags: [{ Key: 'aws:x', Value: '1' }] }, 'InvalidParameterException', /reserved/);
    await t.rejects('secretsmanager', 'TagResource', { SecretId: 's', Tags: Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: '' })) }, 'InvalidParameterException', /at most 50/);
    await t.rejects('secretsmanager', 'TagResource', { SecretId: 'missing', Tags: [{ Key: 'x', Value: '' }] }, 'ResourceNotFoundException');
  });
});
