/**
 * The AWS JSON 1.1 front end: targets, bodies, error bodies per service,
 * input shapes, and SigV4 (AWS's published test-suite signatures, then the
 * errors of --strict-auth).
 */
import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../../src/aws/errors.js';
import { decodeBody, errorAnswer, isAmzJson, notJsonAnswer, parseTarget } from '../../../src/aws/protocol.js';
import { readInput, ShapeError, type Shape } from '../../../src/aws/shape.js';
import { parseAuthorization, signature, verifySigV4, type SignedRequest } from '../../../src/aws/sigv4.js';

describe('targets and bodies', () => {
  it('reads X-Amz-Target for both services and nothing else', () => {
    expect(parseTarget('OvertureService.AssociateMacSecKey')).toEqual({ service: 'directconnect', operation: 'AssociateMacSecKey' });
    expect(parseTarget('secretsmanager.GetSecretValue')).toEqual({ service: 'secretsmanager', operation: 'GetSecretValue' });
    for (const bad of [undefined, '', 'OvertureService', 'DynamoDB_20120810.ListTables', 'OvertureService.', 'OvertureService.Get Value', 'secretsmanager.a.b']) expect(parseTarget(bad)).toBeUndefined();
  });

  it('takes AWS JSON content types only', () => {
    expect(isAmzJson('application/x-amz-json-1.1')).toBe(true);
    expect(isAmzJson('application/x-amz-json-1.1; charset=utf-8')).toBe(true);
    expect(isAmzJson('application/x-amz-json-1.0')).toBe(true);
    expect(isAmzJson('application/json')).toBe(false);
    expect(isAmzJson(undefined)).toBe(false);
  });

  it('a body that is not a JSON object is a SerializationException; empty is {}', () => {
    expect(decodeBody(new Uint8Array())).toEqual({});
    expect(decodeBody(Buffer.from('  '))).toEqual({});
    expect(decodeBody(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    for (const bad of ['[]', '"x"', '1', 'null', '{', '{"a":}']) {
      expect(() => decodeBody(Buffer.from(bad))).toThrow(expect.objectContaining({ code: 'SerializationException' }));
    }
    expect(() => decodeBody(Uint8Array.of(0x7b, 0xff, 0x7d))).toThrow(/UTF-8/);
  });

  it('writes message for Direct Connect and the front end, Message for Secrets Manager, nothing for UnknownOperationException', () => {
    const dx = errorAnswer(new AwsServiceError('DirectConnectClientException', 'no', 400, 'directconnect'));
    expect(dx).toEqual({ status: 400, contentType: 'application/x-amz-json-1.1', body: '{"__type":"DirectConnectClientException","message":"no"}' });
    expect(JSON.parse(errorAnswer(new AwsServiceError('ResourceNotFoundException', 'gone', 400, 'secretsmanager')).body)).toEqual({ __type: 'ResourceNotFoundException', Message: 'gone' });
    expect(JSON.parse(errorAnswer(new AwsServiceError('UnknownOperationException', 'x')).body)).toEqual({ __type: 'UnknownOperationException' });
    expect(notJsonAnswer()).toEqual({ status: 404, contentType: 'application/xml', body: '<UnknownOperationException/>\n' });
  });
});

describe('input shapes', () => {
  const shape: Shape & { type: 'structure' } = {
    type: 'structure',
    required: ['name'],
    members: {
      name: { type: 'string', min: 1, max: 4 },
      n: { type: 'integer', min: 1, max: 10 },
      list: { type: 'list', min: 1, member: { type: 'structure', required: ['key'], members: { key: { type: 'string' } } } },
      secret: { type: 'string', max: 2, sensitive: true },
    },
  };
  it('keeps named members, ignores others, treats null as absent', () => {
    expect(readInput(shape, { name: 'ab', other: 1, n: null })).toEqual({ name: 'ab' });
  });
  it('a wrong JSON type throws at once with kind type', () => {
    expect(() => readInput(shape, { name: 1 })).toThrow(expect.objectContaining({ kind: 'type', message: "'name' must be a string, not a number" }));
    expect(() => readInput(shape, { name: 'a', n: 1.5 })).toThrow(expect.objectContaining({ kind: 'type' }));
    expect(() => readInput(shape, { name: 'a', n: 2 ** 40 })).toThrow(/out of range/);
    expect(() => readInput(shape, { name: 'a', list: [null] })).toThrow(ShapeError);
  });
  it('collects every broken constraint, AWS-worded, without sensitive values', () => {
    try {
      readInput(shape, { name: 'toolong', n: 0, list: [{}], secret: 'abc' });
      expect.unreachable();
    } catch (e) {
      const err = e as ShapeError;
      expect(err.kind).toBe('constraint');
      expect(err.message).toMatch(/^4 validation errors detected: Value 'toolong' at 'name' failed to satisfy constraint: Member must have length less than or equal to 4; /);
      expect(err.message).toContain("Value null at 'list.1.member.key' failed to satisfy constraint: Member must not be null");
      expect(err.message).toContain("Value at 'secret' failed to satisfy constraint");
      expect(err.message).not.toContain('abc');
    }
  });
});

// AWS's SigV4 test suite (aws-sig-v4-test-suite): credentials AKIDEXAMPLE /
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 2015-08-30T12:36:00Z, us-east-1,
// service "service", host example.amazonaws.com.
const SUITE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SCOPE = { date: '20150830', region: 'us-east-1', service: 'service', signedHeaders: ['host', 'x-amz-date'] };
function suiteRequest(url: string): SignedRequest {
  return { method: 'GET', url, headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' }, body: new Uint8Array() };
}

describe('SigV4', () => {
  it('gives the test suite signatures: get-vanilla and get-vanilla-query-order-key-case', () => {
    expect(signature(suiteRequest('/'), SCOPE, '20150830T123600Z', SUITE_SECRET)).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    expect(signature(suiteRequest('/?Param2=value2&Param1=value1'), SCOPE, '20150830T123600Z', SUITE_SECRET)).toBe('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('parses the Authorization header; a malformed one is an IncompleteSignatureException', () => {
    expect(parseAuthorization('AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/directconnect/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + 'a'.repeat(64))).toMatchObject({
      accessKeyId: 'AKID',
      region: 'eu-west-1',
      service: 'directconnect',
      signedHeaders: ['host', 'x-amz-date'],
    });
    expect(parseAuthorization(undefined)).toBeUndefined();
    for (const bad of ['Basic abc', 'AWS4-HMAC-SHA256 Credential=x', 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=' + 'a'.repeat(64)]) {
      expect(() => parseAuthorization(bad)).toThrow(expect.objectContaining({ code: 'IncompleteSignatureException' }));
    }
  });

  const now = Date.UTC(2026, 0, 1, 12);
  const amzDate = '20260101T120000Z';
  const keys = new Map([['AKIDLAB', 'lab-secret']]);
  function signed(over: { secret?: string; service?: string; date?: string; body?: string } = {}): SignedRequest {
    const body = Buffer.from(over.body ?? '{}');
    const date = over.date ?? amzDate;
    const headers: Record<string, string> = {
      host: '127.0.0.1:4566',
      'x-amz-date': date,
      'x-amz-target': 'OvertureService.DescribeLocations',
      'content-type': 'application/x-amz-json-1.1',
    };
    const scope = { date: date.slice(0, 8), region: 'us-east-1', service: over.service ?? 'directconnect', signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-target'] };
    const req = { method: 'POST', url: '/', headers, body: new Uint8Array(body) };
    const sig = signature(req, scope, date, over.secret ?? 'lab-secret');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=AKIDLAB/${scope.date}/us-east-1/${scope.service}/aws4_request, SignedHeaders=${scope.signedHeaders.join(';')}, Signature=${sig}`;
    return req;
  }

  it('--strict-auth accepts a request signed by a known key', () => {
    expect(verifySigV4(signed(), 'directconnect', keys, now).accessKeyId).toBe('AKIDLAB');
  });

  it('--strict-auth refuses as AWS does: missing, unknown key, wrong secret, tampered body, other service, expired', () => {
    const code = (req: SignedRequest, service = 'directconnect') => {
      try {
        verifySigV4(req, service, keys, now);
        return 'accepted';
      } catch (e) {
        return `${(e as AwsServiceError).code}: ${(e as AwsServiceError).message}`;
      }
    };
    const unsigned = signed();
    delete (unsigned.headers as Record<string, string>).authorization;
    expect(code(unsigned)).toMatch(/^MissingAuthenticationTokenException/);
    expect(code(signed(), 'secretsmanager')).toMatch(/^InvalidSignatureException: Credential should be scoped to correct service: 'secretsmanager'/);
    expect(code(signed({ secret: 'other' }))).toMatch(/^InvalidSignatureException: The request signature we calculated does not match/);
    const tampered = signed();
    (tampered as { body: Uint8Array }).body = new Uint8Array(Buffer.from('{"x":1}'));
    expect(code(tampered)).toMatch(/^InvalidSignatureException: The request signature/);
    expect(code(signed({ date: '20260101T114400Z' }))).toMatch(/^InvalidSignatureException: Signature expired: 20260101T114400Z is now earlier than 20260101T114500Z/);
    expect(code(signed({ date: '20260101T121600Z' }))).toMatch(/^InvalidSignatureException: Signature not yet current/);
    expect(code(signed({ date: '20260101T114500Z' }))).toBe('accepted');
    const other = signed();
    (other.headers as Record<string, string>).authorization = (other.headers.authorization as string).replace('AKIDLAB', 'AKIDOTHER');
    expect(code(other)).toBe('UnrecognizedClientException: The security token included in the request is invalid.');
  });
});
