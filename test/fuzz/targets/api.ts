/**
 * API requests through the AWS service in-process (no sockets): valid
 * requests of every Direct Connect and Secrets Manager operation, with
 * members replaced, dropped or added, the JSON text corrupted, and the
 * target, content type, method, path and Authorization headers mangled,
 * half of them against --strict-auth. The outcome is the HTTP status and
 * the error's `__type`; a 5xx, a throw, an answer that is not AWS's shape or
 * a Direct Connect answer carrying a CAK is a finding. The run's one
 * service keeps its store for the whole run; AWS's quotas bound what the
 * accepted creates leave in it (src/aws/directconnect/quotas.ts: without
 * them a million-input run's list answers grew past 100 ms, issue 20).
 */
import { createApiService, createRequestHandler, openStore, type RawRequest } from '../../../src/aws/index.js';
import { seededOctets } from '../../helpers/random.js';
import type { FuzzTarget, Rand } from '../target.js';

export const API_SEED = 20260101;
export const CAKS = ['A1'.repeat(32), 'B2'.repeat(32), 'C3'.repeat(32)];

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
export function corpus(ids: { con: string; con2: string; lag: string; vif: string; arn: string; mine: string }): [string, Record<string, unknown>][] {
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

export function mutateBody(r: Rand, body: Record<string, unknown>): Record<string, unknown> {
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

export function mutateJsonText(r: Rand, text: string): Uint8Array {
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

export function mutateHeaders(r: Rand, target: string): { method: string; url: string; headers: Record<string, string | string[]> } {
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


/** A service in memory with the resources the corpus names; deterministic for API_SEED, so seeds and sessions agree on the IDs. */
export async function apiWithResources() {
  const store = openStore(':memory:');
  const service = createApiService({ store, random: seededOctets(API_SEED), timings: { requestedMs: 0, pendingMs: 0, vifPendingMs: 0 } });
  const lenient = createRequestHandler(service, {});
  const strict = createRequestHandler(service, { strictAuth: new Map([['AKIDFUZZ', 'fuzz-secret']]) });
  const ok = async (target: string, body: unknown) => {
    const h = await lenient({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: Buffer.from(JSON.stringify(body)), tooLarge: false });
    if (h.answer.status !== 200) throw new Error(`${target}: ${h.answer.status} ${h.answer.body}`);
    return JSON.parse(h.answer.body);
  };
  const con = (await ok('OvertureService.CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'a', requestMACSec: true })).connectionId;
  const con2 = (await ok('OvertureService.CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'b', requestMACSec: true })).connectionId;
  const lag = (await ok('OvertureService.CreateLag', { location: 'IAD66', connectionsBandwidth: '10Gbps', numberOfConnections: 1, lagName: 'l', requestMACSec: true })).lagId;
  const arn = (await ok('OvertureService.AssociateMacSecKey', { connectionId: con, ckn: 'D'.repeat(64), cak: CAKS[0] })).macSecKeys[0].secretARN;
  const vif = (await ok('OvertureService.CreatePrivateVirtualInterface', { connectionId: con, newPrivateVirtualInterface: { virtualInterfaceName: 'v', vlan: 1, asn: 65000, virtualGatewayId: 'vgw-12345678' } })).virtualInterfaceId;
  const mine = (await ok('secretsmanager.CreateSecret', { Name: 'mine', SecretString: 'x' })).ARN;
  return { store, lenient, strict, requests: corpus({ con, con2, lag, vif, arn, mine }) };
}

/** One request as the harness keeps it: which handler, and the raw request with its body in base64. */
interface Encoded {
  strict: boolean;
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body: string;
  tooLarge: boolean;
}

const encode = (e: Encoded): Uint8Array => Buffer.from(JSON.stringify(e));

let requestsForSeeds: Array<[string, Record<string, unknown>]> | undefined;

export const apiTarget: FuzzTarget = {
  name: 'api',
  about: 'requests through the Direct Connect and Secrets Manager service in-process (bodies and headers)',
  seeds() {
    if (!requestsForSeeds) throw new Error('api target: call setup() before seeds()');
    return requestsForSeeds.map(([target, body]) => encode({ strict: false, method: 'POST', url: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: Buffer.from(JSON.stringify(body)).toString('base64'), tooLarge: false }));
  },
  mutate(seed, r) {
    const e = JSON.parse(Buffer.from(seed).toString('utf8')) as Encoded;
    const target = String(e.headers['x-amz-target']);
    const body = JSON.parse(Buffer.from(e.body, 'base64').toString('utf8')) as Record<string, unknown>;
    const { method, url, headers } = mutateHeaders(r, target);
    const c = r();
    const raw: Uint8Array = c < 0.6 ? Buffer.from(JSON.stringify(mutateBody(r, body))) : c < 0.9 ? mutateJsonText(r, JSON.stringify(body)) : Buffer.from(JSON.stringify(body));
    return encode({ strict: r() < 0.5, method, url, headers, body: Buffer.from(raw).toString('base64'), tooLarge: r() < 0.01 });
  },
  async setup() {
    const api = await apiWithResources();
    requestsForSeeds = api.requests;
    return {
      async feed(input) {
        const e = JSON.parse(Buffer.from(input).toString('utf8')) as Encoded;
        const req: RawRequest = { method: e.method, url: e.url, headers: e.headers, body: Buffer.from(e.body, 'base64'), tooLarge: e.tooLarge };
        const h = await (e.strict ? api.strict : api.lenient)(req);
        if (h.answer.status >= 500) throw new Error(`HTTP ${h.answer.status}: ${h.answer.body}`);
        if (h.answer.contentType === 'application/xml') {
          if (h.answer.body !== '<UnknownOperationException/>\n') throw new Error(`an XML answer AWS does not give: ${h.answer.body}`);
          return `${h.answer.status} UnknownOperationException (XML)`;
        }
        const json = JSON.parse(h.answer.body) as { __type?: unknown };
        if (String(e.headers['x-amz-target']).startsWith('OvertureService.')) {
          for (const cak of CAKS) if (h.answer.body.toUpperCase().includes(cak)) throw new Error('a Direct Connect answer carries a CAK');
        }
        if (h.answer.status === 200) return '200';
        if (typeof json.__type !== 'string') throw new Error(`an error without __type: ${h.answer.body}`);
        return `${h.answer.status} ${json.__type.split('#').pop()}`;
      },
      close: () => api.store.close(),
    };
  },
};
