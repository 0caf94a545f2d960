/**
 * Fuzzing the endpoint in-process (no sockets): 20,000 requests made from
 * valid ones of every operation by replacing, dropping or adding members,
 * corrupting the JSON text, and mangling the target, content type, method,
 * path and Authorization headers, half of them against --strict-auth.
 * Every answer is AWS's (JSON with `__type`, or the XML of a non-JSON
 * request), never a throw and never a 5xx; no Direct Connect answer carries
 * a CAK; afterwards every key still has its secret and every Direct Connect
 * secret its key. Seeded: a failure names its seed and iteration.
 */
import { describe, expect, it } from 'vitest';
import { createApiService, createRequestHandler, openStore, type RawRequest } from '../../../src/aws/index.js';
import { seededOctets, seededRandom } from '../../helpers/random.js';

const ITERATIONS = 20_000;
const SEED = 20260101;
const CAKS = ['A1'.repeat(32), 'B2'.repeat(32), 'C3'.repeat(32)];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomString(r: Rand): string {
  const kinds = [
    () => '',
    () => 'x'.repeat(Math.floor(r() * 300)),
    () => String.fromCharCode(...Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 0x2fff))),
    () => 'dxcon-' + Math.floor(r() * 1e8).toString(36),
    () => 'dxlag-00000000',
    () => 'arn:aws:directconnect:us-east-1:123456789012:dxcon/dxcon-' + 'a'.repeat(8),
    () => 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf',
    () => 'f'.repeat(64),
    () => 'must_encrypt',
    () => '\u0000\ud800',
    () => '../../etc/passwd',
    () => '"; DROP TABLE resources; --',
  ];
  return pick(r, kinds)();
}

function randomValue(r: Rand, depth = 0): unknown {
  const kinds: (() => unknown)[] = [
    () => randomString(r),
    () => Math.floor(r() * 10000) - 5000,
    () => pick(r, [0, -1, 1.5, 1e308, -1e308, 2 ** 31, 2 ** 53, 4294967295, Number.MIN_VALUE]),
    () => r() < 0.5,
    () => null,
    () => (depth < 3 ? Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1)) : []),
    () => (depth < 3 ? { key: randomValue(r, depth + 1), value: randomValue(r, depth + 1), Key: randomString(r) } : {}),
  ];
  return pick(r, kinds)();
}

/** Valid requests of every operation, naming resources made beforehand. */
function corpus(ids: { con: string; con2: string; lag: string; vif: string; arn: string; mine: string }): [string, Record<string, unknown>][] {
  const tags = [{ key: 'Name', value: 'x' }];
  return [
    ['OvertureService.DescribeLocations', {}],
    ['OvertureService.CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'f', requestMACSec: true, tags }],
    ['OvertureService.DescribeConnections', { connectionId: ids.con, maxResults: 5 }],
    ['OvertureService.UpdateConnection', { connectionId: ids.con, encryptionMode: 'should_encrypt', connectionName: 'n' }],
    ['OvertureService.DeleteConnection', { connectionId: ids.con2 }],
    ['OvertureService.AssociateMacSecKey', { connectionId: ids.con, ckn: 'E'.repeat(64), cak: CAKS[1] }],
    ['OvertureService.AssociateMacSecKey', { connectionId: ids.lag, secretARN: ids.arn }],
    ['OvertureService.DisassociateMacSecKey', { connectionId: ids.con, secretARN: ids.arn }],
    ['OvertureService.CreateLag', { location: 'IAD66', connectionsBandwidth: '10Gbps', numberOfConnections: 2, lagName: 'l', requestMACSec: true, childConnectionTags: tags }],
    ['OvertureService.DescribeLags', { lagId: ids.lag }],
    ['OvertureService.UpdateLag', { lagId: ids.lag, minimumLinks: 1, encryptionMode: 'no_encrypt', lagName: 'm' }],
    ['OvertureService.DeleteLag', { lagId: ids.lag }],
    ['OvertureService.AssociateConnectionWithLag', { connectionId: ids.con2, lagId: ids.lag }],
    ['OvertureService.DisassociateConnectionFromLag', { connectionId: ids.con2, lagId: ids.lag }],
    ['OvertureService.TagResource', { resourceArn: `arn:aws:directconnect:us-east-1:123456789012:dxcon/${ids.con}`, tags }],
    ['OvertureService.UntagResource', { resourceArn: `arn:aws:directconnect:us-east-1:123456789012:dxcon/${ids.con}`, tagKeys: ['Name'] }],
    ['OvertureService.DescribeTags', { resourceArns: [`arn:aws:directconnect:us-east-1:123456789012:dxlag/${ids.lag}`] }],
    [
      'OvertureService.CreatePrivateVirtualInterface',
      { connectionId: ids.con, newPrivateVirtualInterface: { virtualInterfaceName: 'v', vlan: 7, asn: 65000, mtu: 9001, authKey: 'secret1', amazonAddress: '10.0.0.1/30', customerAddress: '10.0.0.2/30', virtualGatewayId: 'vgw-12345678', tags } },
    ],
    ['OvertureService.DescribeVirtualInterfaces', { connectionId: ids.con, virtualInterfaceId: ids.vif, maxResults: 2 }],
    ['OvertureService.DeleteVirtualInterface', { virtualInterfaceId: ids.vif }],
    ['OvertureService.AssociateVirtualInterface', { virtualInterfaceId: ids.vif, connectionId: ids.con2 }],
    ['secretsmanager.CreateSecret', { Name: 'fuzz', SecretString: 's', Tags: [{ Key: 'k', Value: 'v' }], ClientRequestToken: '0'.repeat(32) }],
    ['secretsmanager.GetSecretValue', { SecretId: ids.mine, VersionStage: 'AWSCURRENT' }],
    ['secretsmanager.DescribeSecret', { SecretId: ids.arn }],
    ['secretsmanager.ListSecrets', { Filters: [{ Key: 'name', Values: ['!x'] }], MaxResults: 3, SortOrder: 'desc', SortBy: 'name' }],
    ['secretsmanager.PutSecretValue', { SecretId: ids.mine, SecretString: 'v2', VersionStages: ['AWSCURRENT'] }],
    ['secretsmanager.DeleteSecret', { SecretId: ids.mine, RecoveryWindowInDays: 7 }],
    ['secretsmanager.RestoreSecret', { SecretId: ids.mine }],
    ['secretsmanager.TagResource', { SecretId: ids.arn, Tags: [{ Key: 'a', Value: 'b' }] }],
  ];
}

function mutateBody(r: Rand, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = JSON.parse(JSON.stringify(body));
  const keys = Object.keys(out);
  for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
    const choice = r();
    if (choice < 0.45 && keys.length) out[pick(r, keys)] = randomValue(r);
    else if (choice < 0.6 && keys.length) delete out[pick(r, keys)];
    else if (choice < 0.75) out[randomString(r) || 'extra'] = randomValue(r);
    else if (keys.length) {
      // One level down: nested structures and lists get the same treatment.
      const k = pick(r, keys);
      const v = out[k];
      if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = mutateBody(r, v as Record<string, unknown>);
      else if (Array.isArray(v) && v[0] && typeof v[0] === 'object' && !Array.isArray(v[0])) out[k] = [mutateBody(r, v[0] as Record<string, unknown>), ...v.slice(1)];
    }
  }
  return out;
}

function mutateText(r: Rand, text: string): Uint8Array {
  const b = Buffer.from(text);
  const out = [...b];
  for (let n = 1 + Math.floor(r() * 4); n > 0; n--) {
    const at = Math.floor(r() * (out.length + 1));
    const c = r();
    if (c < 0.3) out.splice(at, 1);
    else if (c < 0.6) out.splice(at, 0, Math.floor(r() * 256));
    else if (out.length) out[Math.min(at, out.length - 1)] = pick(r, [0x7b, 0x7d, 0x22, 0x5b, 0x3a, 0x2c, 0x5c, 0xff, 0x00]);
  }
  return Uint8Array.from(out);
}

function mutateHeaders(r: Rand, target: string): { method: string; url: string; headers: Record<string, string | string[]> } {
  const headers: Record<string, string | string[]> = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target };
  let method = 'POST';
  let url = '/';
  const c = Math.floor(r() * 12);
  if (c === 0) headers['x-amz-target'] = pick(r, ['', 'OvertureService', 'secretsmanager.CreateConnection', 'OvertureService.GetSecretValue', target.toLowerCase(), target + 'X', 'DynamoDB_20120810.ListTables', randomString(r)]);
  if (c === 1) headers['content-type'] = pick(r, ['application/json', 'text/plain', '', 'application/x-amz-json-1.0', 'application/x-amz-json-1.1; charset=UTF-8', randomString(r)]);
  if (c === 2) method = pick(r, ['GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', '']);
  if (c === 3) url = pick(r, ['/x', '//', '/?a=b', '/%00', '*', '/' + randomString(r)]);
  if (c === 4) headers.authorization = pick(r, [
    randomString(r),
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/directconnect/aws4_request',
    'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/directconnect/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + 'a'.repeat(64),
    'AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/' + randomString(r) + '/directconnect/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64),
  ]);
  if (c === 5) headers['x-amz-date'] = pick(r, ['20260101T000000Z', 'yesterday', '99999999T999999Z', '']);
  if (c === 6) headers['x-amz-target'] = [target, target];
  return { method, url, headers };
}

describe('fuzzing the endpoint in-process', () => {
  it(`answers ${ITERATIONS} mangled requests with AWS errors only: no throw, no 5xx, no CAK`, async () => {
    const store = openStore(':memory:');
    const service = createApiService({ store, random: seededOctets(SEED), timings: { requestedMs: 0, pendingMs: 0, vifPendingMs: 0 } });
    const lenient = createRequestHandler(service, {});
    const strict = createRequestHandler(service, { strictAuth: new Map([['AKIDFUZZ', 'fuzz-secret']]) });
    const ok = async (target: string, body: unknown) => {
      const h = await lenient({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: Buffer.from(JSON.stringify(body)), tooLarge: false });
      expect(h.answer.status, h.answer.body).toBe(200);
      return JSON.parse(h.answer.body);
    };
    const con = (await ok('OvertureService.CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'a', requestMACSec: true })).connectionId;
    const con2 = (await ok('OvertureService.CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'b', requestMACSec: true })).connectionId;
    const lag = (await ok('OvertureService.CreateLag', { location: 'IAD66', connectionsBandwidth: '10Gbps', numberOfConnections: 1, lagName: 'l', requestMACSec: true })).lagId;
    const arn = (await ok('OvertureService.AssociateMacSecKey', { connectionId: con, ckn: 'D'.repeat(64), cak: CAKS[0] })).macSecKeys[0].secretARN;
    const vif = (await ok('OvertureService.CreatePrivateVirtualInterface', { connectionId: con, newPrivateVirtualInterface: { virtualInterfaceName: 'v', vlan: 1, asn: 65000, virtualGatewayId: 'vgw-12345678' } })).virtualInterfaceId;
    const mine = (await ok('secretsmanager.CreateSecret', { Name: 'mine', SecretString: 'x' })).ARN;
    const requests = corpus({ con, con2, lag, vif, arn, mine });

    const r = seededRandom(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < ITERATIONS; i++) {
      const [target, body] = pick(r, requests);
      const { method, url, headers } = mutateHeaders(r, target);
      const c = r();
      const raw: Uint8Array = c < 0.6 ? Buffer.from(JSON.stringify(mutateBody(r, body))) : c < 0.9 ? mutateText(r, JSON.stringify(body)) : Buffer.from(JSON.stringify(body));
      const req: RawRequest = { method, url, headers, body: raw, tooLarge: r() < 0.01 };
      const h = await (i % 2 ? strict : lenient)(req);
      const where = `seed ${SEED} iteration ${i}: ${method} ${url} ${JSON.stringify(headers)} ${Buffer.from(raw).toString('utf8').slice(0, 300)}`;
      statuses.set(h.answer.status, (statuses.get(h.answer.status) ?? 0) + 1);
      expect(h.answer.status, where).toBeLessThan(500);
      if (h.answer.contentType === 'application/xml') {
        expect(h.answer.body, where).toBe('<UnknownOperationException/>\n');
        continue;
      }
      const json = JSON.parse(h.answer.body);
      if (h.answer.status !== 200) expect(typeof json.__type, where).toBe('string');
      if (String(headers['x-amz-target']).startsWith('OvertureService.')) {
        for (const cak of CAKS) expect(h.answer.body.toUpperCase(), where).not.toContain(cak);
      }
    }
    // The fuzz reached the operations, not only the front end's refusals.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(ITERATIONS / 20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(ITERATIONS / 4);

    // Nothing half done: keys and Direct Connect secrets still pair up.
    const docs = store.dump();
    const keyArns = new Set(docs.flatMap((d) => (d.kind === 'connection' || d.kind === 'lag' ? ((d.doc as { keys: { secretArn: string }[] }).keys ?? []).map((k) => k.secretArn) : [])));
    const dxSecrets = docs.filter((d) => d.kind === 'secret' && (d.doc as { owningService?: string }).owningService === 'directconnect').map((d) => d.id);
    for (const k of keyArns) expect(dxSecrets.includes(k) || docs.some((d) => d.id === k), `key ${k} has its secret`).toBe(true);
    store.close();
  });
});
