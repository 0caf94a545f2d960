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
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/**
 * Starts the endpoint. Resolves once it listens.
 *
 * @throws Error when the address cannot be bound (EADDRINUSE, EACCES).
 */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const service = createApiService(options);
  const clock = options.clock ?? Date.now;
  const requestLog = options.requestLog ?? (() => {});
  const server: Server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    handle(req, res, service, options, clock)
      .catch((e: unknown) => {
        // Reached only by a fault of the server itself: still AWS's JSON, never a stack trace.
        (options.log ?? (() => {}))(`api fault: ${(e as Error)?.message ?? String(e)}`);
        return { answer: errorAnswer(new AwsServiceError('InternalServiceError', 'An internal error occurred.', 500)), requestId: '', operation: '-' };
      })
      .then(({ answer, requestId, operation, code }: Handled) => {
        if (!res.headersSent) {
          res.writeHead(answer.status, {
            'Content-Type': answer.contentType,
            'Content-Length': Buffer.byteLength(answer.body),
            ...(requestId && { 'x-amzn-RequestId': requestId }),
            ...(answer.close && { Connection: 'close' }),
          });
          res.end(answer.body);
        }
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        requestLog(`api op=${operation} status=${answer.status}${code ? ` error=${code}` : ''} ms=${ms.toFixed(1)}${requestId ? ` request=${requestId}` : ''}`);
      });
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

interface Handled {
  answer: WireAnswer & { close?: boolean };
  requestId: string;
  operation: string;
  code?: string;
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

async function handle(req: IncomingMessage, _res: ServerResponse, service: ApiService, options: ApiServerOptions, clock: () => number): Promise<Handled> {
  const rawTarget = req.headers['x-amz-target'];
  const target = parseTarget(Array.isArray(rawTarget) ? rawTarget[0] : rawTarget);
  const operation = target?.operation ?? '-';
  const requestId = uuid(options.random ?? ((n) => new Uint8Array(randomBytes(n))));
  const { body, tooLarge } = await readBody(req);
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'POST' || path !== '/' || !isAmzJson(req.headers['content-type'])) return { answer: notJsonAnswer(), requestId, operation, code: 'UnknownOperationException' };
  if (tooLarge) {
    const e = new AwsServiceError('RequestEntityTooLargeException', `Request body exceeds ${MAX_BODY_OCTETS} octets.`, 413);
    return { answer: { ...errorAnswer(e), close: true }, requestId, operation, code: e.code };
  }
  const fail = (e: AwsServiceError, errorService = e.service): Handled => ({ answer: errorAnswer(e, errorService), requestId, operation, code: e.code });
  if (!target) return fail(new AwsServiceError('UnknownOperationException', 'Unknown operation'));
  let region = service.defaultRegion;
  try {
    const auth = options.strictAuth
      ? verifySigV4({ method: req.method, url: req.url ?? '/', headers: req.headers, body }, target.service, options.strictAuth, clock())
      : parseAuthorization(typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined);
    if (auth && REGION.test(auth.region)) region = auth.region;
  } catch (e) {
    if (e instanceof AwsServiceError) return fail(e);
    throw e;
  }
  let decoded: Record<string, unknown>;
  try {
    decoded = decodeBody(body);
  } catch (e) {
    if (e instanceof AwsServiceError) return fail(e);
    throw e;
  }
  const result = await service.call({ service: target.service, operation: target.operation, body: decoded, region, requestId });
  if (result.ok) return { answer: okAnswer(result.output), requestId, operation };
  return fail(result.error);
}

export { DEFAULT_API_HOST, DEFAULT_API_PORT };
