/**
 * AWS Signature Version 4 on the server side: reading the `Authorization`
 * header (its credential scope names the region of the request) and, with
 * --strict-auth, checking the signature against known access keys.
 *
 * The canonical request, string to sign and signing key follow the AWS
 * General Reference "Create a signed AWS API request" (SigV4): the method;
 * the URI path with each segment URI-encoded; the query parameters sorted
 * and encoded; the signed headers in lower case with their values trimmed and
 * inner runs of spaces folded, each followed by a newline; the signed header
 * names; the hex SHA-256 of the body. String to sign: `AWS4-HMAC-SHA256`,
 * the X-Amz-Date, the scope `date/region/service/aws4_request`, the hex
 * SHA-256 of the canonical request. Key: HMAC-SHA256 chained over
 * `AWS4`+secret, date, region, service, `aws4_request`.
 *
 * Error codes and texts are those of AWS's JSON services (DynamoDB and others
 * answer these with status 400; the texts are AWS's well-known ones):
 * MissingAuthenticationTokenException, IncompleteSignatureException,
 * UnrecognizedClientException ("The security token included in the request
 * is invalid."), InvalidSignatureException (signature mismatch, expired
 * signature, wrong service in the scope).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SIGV4_MAX_SKEW_MS } from './constants.js';
import { AwsServiceError } from './errors.js';

/** What the Authorization header says. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** YYYYMMDD of the scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** The parts of a request the signature covers. */
export interface SignedRequest {
  method: string;
  /** Path and query as sent, e.g. `/` or `/?a=1`. */
  url: string;
  /** Header values by lower-case name; repeated headers as arrays. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array;
}

const AUTH_ALGORITHM = 'AWS4-HMAC-SHA256';

function incomplete(message: string): AwsServiceError {
  return new AwsServiceError('IncompleteSignatureException', message);
}

/**
 * Reads `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/directconnect/aws4_request, SignedHeaders=..., Signature=...`.
 *
 * @returns undefined when there is no Authorization header.
 * @throws AwsServiceError IncompleteSignatureException when it is there but malformed.
 */
export function parseAuthorization(header: string | undefined): SigV4Authorization | undefined {
  if (header === undefined || header === '') return undefined;
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== AUTH_ALGORITHM) throw incomplete(`Authorization header requires the algorithm ${AUTH_ALGORITHM}, got '${algorithm.slice(0, 40)}'`);
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const missing = [!credential && 'Credential', !signedHeaders && 'SignedHeaders', !signature && 'Signature'].filter(Boolean);
  if (missing.length) throw incomplete(`Authorization header requires ${missing.map((m) => `'${m}'`).join(', ')} parameter${missing.length > 1 ? 's' : ''}.`);
  const scope = credential!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]!) || !scope[0] || !scope[2] || !scope[3]) {
    throw incomplete(`Credential should be scoped to a valid region, service and date: '${credential!.slice(0, 200)}'`);
  }
  if (!/^[0-9a-f]{64}$/.test(signature!)) throw incomplete('Signature must be 64 lower-case hexadecimal digits');
  return {
    accessKeyId: scope[0]!,
    date: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: signedHeaders!.split(';'),
    signature: signature!,
  };
}

/** RFC 3986 unreserved characters stay, everything else is %XX (upper-case hex), as SigV4 wants. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

function headerValue(v: string | string[] | undefined): string {
  const joined = Array.isArray(v) ? v.join(',') : (v ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

/** The canonical request of SigV4 for `req` and the header names it signs. */
export function canonicalRequest(req: SignedRequest, signedHeaders: readonly string[]): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const canonicalPath = path.split('/').map((seg) => uriEncode(safeDecode(seg))).join('/') || '/';
  const params = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const k = eq < 0 ? p : p.slice(0, eq);
      const v = eq < 0 ? '' : p.slice(eq + 1);
      return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const headers = signedHeaders.map((h) => `${h}:${headerValue(req.headers[h])}\n`).join('');
  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  return [req.method, canonicalPath, params.map(([k, v]) => `${k}=${v}`).join('&'), headers, signedHeaders.join(';'), payloadHash].join('\n');
}

/** The SigV4 signature of `req` with `secretAccessKey` over the scope in `auth`. */
export function signature(req: SignedRequest, auth: Omit<SigV4Authorization, 'signature' | 'accessKeyId'>, amzDate: string, secretAccessKey: string): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [AUTH_ALGORITHM, amzDate, scope, createHash('sha256').update(canonicalRequest(req, auth.signedHeaders)).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${secretAccessKey}`).update(auth.date).digest();
  for (const part of [auth.region, auth.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** X-Amz-Date (`20260101T000000Z`) as epoch ms, or undefined when malformed. */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? undefined : ms;
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Checks a signed request (--strict-auth): known access key, scope for this
 * service, date within 15 minutes of `now`, signature equal to ours.
 *
 * @throws AwsServiceError MissingAuthenticationTokenException, IncompleteSignatureException,
 *   UnrecognizedClientException or InvalidSignatureException.
 */
export function verifySigV4(req: SignedRequest, service: string, secrets: ReadonlyMap<string, string>, now: number): SigV4Authorization {
  const header = req.headers['authorization'];
  const auth = parseAuthorization(Array.isArray(header) ? header[0] : header);
  if (!auth) throw new AwsServiceError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  const rawDate = req.headers['x-amz-date'];
  const amzDate = Array.isArray(rawDate) ? rawDate[0] : rawDate;
  if (!amzDate) throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const dated = parseAmzDate(amzDate);
  if (dated === undefined) throw incomplete(`X-Amz-Date must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z', got '${amzDate.slice(0, 40)}'`);
  if (!auth.signedHeaders.includes('host')) throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  const secret = secrets.get(auth.accessKeyId);
  if (secret === undefined) throw new AwsServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (auth.service !== service) throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);
  if (auth.date !== amzDate.slice(0, 8)) throw new AwsServiceError('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  if (dated < now - SIGV4_MAX_SKEW_MS) {
    throw new AwsServiceError('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - SIGV4_MAX_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`);
  }
  if (dated > now + SIGV4_MAX_SKEW_MS) {
    throw new AwsServiceError('InvalidSignatureException', `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + SIGV4_MAX_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`);
  }
  const expected = Buffer.from(signature(req, auth, amzDate, secret), 'hex');
  const given = Buffer.from(auth.signature, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new AwsServiceError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return auth;
}
