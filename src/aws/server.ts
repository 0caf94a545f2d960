/**
 * The HTTP endpoint (node:http) serving Direct Connect and Secrets Manager
 * in AWS JSON 1.1: `POST /` with `X-Amz-Target: OvertureService.<Operation>`
 * or `secretsmanager.<Operation>` (reference §1). Every answer is AWS's JSON
 * (or, for a request that is not AWS JSON at all, AWS's one-line XML; see
 * protocol.ts), with an `x-amzn-RequestId`; never a stack trace or a page.
 *
 * Authentication: SigV4-signed requests are accepted with any credentials,
 * and unsigned ones too (a malformed Authorization header is still refused).
 * With `strictAuth` the signature is checked against the given access keys
 * (sigv4.ts). The region of a request is its SigV4 scope's.
 *
 * @example
 * const api = await startApiServer({ store: openStore('api.sqlite'), port: 0 });
 * // aws directconnect describe-locations --endpoint-url api.url --region us-east-1
 * await api.close();
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_API_HOST, DEFAULT_API_PORT, MAX_BODY_OCTETS } from './constants.js';
import { AwsServiceError } from './errors.js';
import { uuid } from './ids.js';
import { decodeBody, errorAnswer, isAmzJson, notJsonAnswer, okAnswer, parseTarget, type WireAnswer } from './protocol.js';
import { createApiService, type ApiService, type ApiServiceOptions } from './service.js';
import { parseAuthorization, verifySigV4 } from './sigv4.js';

export interface ApiServerOptions extends ApiServiceOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 for any free port. @default 4566 */
  port?: number;
  /** Access key id -> secret access key; when given, every request must be signed by one of them. */
  strictAuth?: ReadonlyMap<string, string>;
  /** One line per request on this sink (operation, status, error code, ms; never a body). @default nothing */
  requestLog?: (line: string) => void;
}

export interface RunningApiServer {
  /** `http://host:port` for --endpoint-url. */
  url: string;
  host: string;
  port: number;
  service: ApiService;
  close(): Promise<void>;
}

/** A signed region looks like `us-east-1`; anything else counts as unsigned. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** One HTTP request as the endpoint sees it, its body already read (up to the limit). */
export interface RawRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array;
  /** The body went past {@link MAX_BODY_OCTETS} (and was not kept). */
  tooLarge: boolean;
}

/** What the endpoint answers, and what its log line says. */
export interface Handled {
  answer: WireAnswer & { close?: boolean };
  requestId: string;
  operation: string;
  code?: string;
}

/**
 * The endpoint without sockets: answers one request. Never throws: a fault
 * of its own becomes a 500 InternalServiceError body.
 */
export function createRequestHandler(service: ApiService, options: Pick<ApiServerOptions, 'strictAuth' | 'clock' | 'random' | 'log'>): (req: RawRequest) => Promise<Handled> {
  const clock = options.clock ?? Date.now;
  const random = options.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const log = options.log ?? (() => {});
  return async (req) => {
    const requestId = uuid(random);
    try {
      return await answer(req, requestId, service, options.strictAuth, clock);
    } catch (e) {
      // Reached only by a fault of the front end itself: still AWS's JSON, never a stack trace.
      log(`api fault request=${requestId}: ${(e as Error)?.message ?? String(e)}`);
      return { answer: errorAnswer(new AwsServiceError('InternalServiceError', `An internal error occurred (request ${requestId}).`, 500)), requestId, operation: '-', code: 'InternalServiceError' };
    }
  };
}

/**
 * Starts the endpoint. Resolves once it listens.
 *
 * @throws Error when the address cannot be bound (EADDRINUSE, EACCES).
 */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const service = createApiService(options);
  const handler = createRequestHandler(service, options);
  const requestLog = options.requestLog ?? (() => {});
  const server: Server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    readBody(req)
      .then(({ body, tooLarge }) => handler({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body, tooLarge }))
      .then(({ answer, requestId, operation, code }) => {
        if (!res.headersSent) {
          res.writeHead(answer.status, {
            'Content-Type': answer.contentType,
            'Content-Length': Buffer.byteLength(answer.body),
            'x-amzn-RequestId': requestId,
            ...(answer.close && { Connection: 'close' }),
          });
          res.end(answer.body);
        }
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        requestLog(`api op=${operation} status=${answer.status}${code ? ` error=${code}` : ''} ms=${ms.toFixed(1)} request=${requestId}`);
      })
      .catch(() => res.destroy());
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_API_PORT, options.host ?? DEFAULT_API_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    host: address.address,
    port: address.port,
    service,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Reads the body up to the limit; `tooLarge` once it is passed (the rest is drained, not kept). */
function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_OCTETS) {
      req.resume();
      resolve({ body: Buffer.alloc(0), tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_OCTETS) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

function header(req: RawRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function answer(req: RawRequest, requestId: string, service: ApiService, strictAuth: ReadonlyMap<string, string> | undefined, clock: () => number): Promise<Handled> {
  const target = parseTarget(header(req, 'x-amz-target'));
  const operation = target?.operation ?? '-';
  const path = req.url.split('?')[0];
  if (req.method !== 'POST' || path !== '/' || !isAmzJson(header(req, 'content-type'))) return { answer: notJsonAnswer(), requestId, operation, code: 'UnknownOperationException' };
  const fail = (e: AwsServiceError): Handled => ({ answer: errorAnswer(e), requestId, operation, code: e.code });
  if (req.tooLarge) {
    const e = new AwsServiceError('RequestEntityTooLargeException', `Request body exceeds ${MAX_BODY_OCTETS} octets.`, 413);
    return { ...fail(e), answer: { ...errorAnswer(e), close: true } };
  }
  if (!target) return fail(new AwsServiceError('UnknownOperationException', 'Unknown operation'));
  let region = service.defaultRegion;
  let decoded: Record<string, unknown>;
  try {
    const auth = strictAuth ? verifySigV4(req, target.service, strictAuth, clock()) : parseAuthorization(header(req, 'authorization'));
    if (auth && REGION.test(auth.region)) region = auth.region;
    decoded = decodeBody(req.body);
  } catch (e) {
    if (e instanceof AwsServiceError) return fail(e);
    throw e;
  }
  const result = await service.call({ service: target.service, operation: target.operation, body: decoded, region, requestId });
  if (result.ok) return { answer: okAnswer(result.output), requestId, operation };
  return fail(result.error);
}

export { DEFAULT_API_HOST, DEFAULT_API_PORT };
