/**
 * Fuzzing over real sockets: 3,000 raw HTTP/1.1 requests to `dxlab api
 * serve`: mangled request lines, headers (duplicated, oversized, missing,
 * wrong Content-Length, chunked bodies), bodies (corrupted JSON, random
 * octets, oversized), aimed at every operation. The server answers each
 * with a status below 500 (Node's HTTP parser answers the malformed ones
 * with 400 or 431), never a stack trace or an HTML page, and still serves a
 * normal request at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';
import { seededRandom } from '../../helpers/random.js';
import { tempDir } from '../../helpers/tmp.js';

const REQUESTS = 3000;
const SEED = 4566;
const dir = tempDir('dxlab-aws-fuzz-');
let child: ChildProcess | undefined;
let host = '';
let port = 0;
let stderr = '';

beforeAll(async () => {
  child = spawn(process.execPath, [join(ROOT, 'bin/dxlab.js'), 'api', 'serve', '--port', '0', '--state', join(dir, 'state.sqlite'), '--quiet', '--provision-seconds', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^endpoint (\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    child!.once('exit', (code) => reject(new Error(`dxlab api serve exited ${code}: ${stderr}`)));
  });
  const u = new URL(endpoint);
  host = u.hostname;
  port = Number(u.port);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

/** Sends raw octets, returns the response's status and body (or the error if the server closed first). */
function raw(request: Buffer): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    const chunks: Buffer[] = [];
    s.setTimeout(10_000, () => s.destroy());
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.split('\r\n\r\n')[0] ?? '';
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head, body: text.slice(head.length + 4) });
    });
    s.end(request);
  });
}

const TARGETS = [
  'OvertureService.CreateConnection',
  'OvertureService.DescribeConnections',
  'OvertureService.AssociateMacSecKey',
  'OvertureService.CreateLag',
  'OvertureService.CreatePrivateVirtualInterface',
  'OvertureService.TagResource',
  'secretsmanager.CreateSecret',
  'secretsmanager.GetSecretValue',
  'secretsmanager.ListSecrets',
  'secretsmanager.DeleteSecret',
  'OvertureService.Nope',
];
const BODIES = [
  '{"location":"IAD66","bandwidth":"10Gbps","connectionName":"f","requestMACSec":true}',
  '{"connectionId":"dxcon-aaaaaaaa","ckn":"' + 'A'.repeat(64) + '","cak":"' + 'B'.repeat(64) + '"}',
  '{"Name":"fuzz","SecretString":"x"}',
  '{"Filters":[{"Key":"name","Values":["a"]}]}',
  '{"connectionId":"dxcon-aaaaaaaa","newPrivateVirtualInterface":{"virtualInterfaceName":"v","vlan":1,"asn":65000,"virtualGatewayId":"vgw-12345678"}}',
  '{}',
];

function build(r: () => number, i: number): Buffer {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  let body = Buffer.from(pick(BODIES));
  const c = r();
  if (c < 0.3) {
    const b = [...body];
    for (let n = 0; n < 3; n++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    body = Buffer.from(b);
  } else if (c < 0.35) body = Buffer.from(Array.from({ length: Math.floor(r() * 2000) }, () => Math.floor(r() * 256)));
  const headers: string[] = [`Host: ${host}:${port}`, `X-Amz-Target: ${pick(TARGETS)}`, 'Content-Type: application/x-amz-json-1.1', 'Connection: close'];
  let line = 'POST / HTTP/1.1';
  let length: string | undefined = String(body.length);
  let chunked = false;
  switch (i % 16) {
    case 0:
      line = pick(['GET / HTTP/1.1', 'POST /x HTTP/1.1', 'POST / HTTP/1.0', 'BREW / HTTP/1.1', 'POST', 'POST  /  HTTP/1.1', '\u0000\u0001']);
      break;
    case 1:
      headers.push(`X-Junk: ${'x'.repeat(Math.floor(r() * 40000))}`);
      break;
    case 2:
      length = pick([undefined, '0', '-1', 'abc', String(body.length + 10), '99999999999']);
      break;
    case 3:
      chunked = true;
      length = undefined;
      break;
    case 4:
      headers[2] = pick(['Content-Type: text/html', 'Content-Type:', 'Content-Type: application/x-amz-json-1.1; charset=latin1', 'Content-Type: multipart/form-data; boundary=x']);
      break;
    case 5:
      headers.push('X-Amz-Target: OvertureService.DescribeLocations');
      break;
    case 6:
      headers.push(`Authorization: ${pick(['AWS4-HMAC-SHA256 garbage', 'Basic YTpi', 'AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/directconnect/aws4_request, SignedHeaders=host, Signature=zz'])}`);
      break;
    case 7:
      headers.push(`Bad Header Name: x`);
      break;
    case 8:
      body = Buffer.alloc(1024 * 1024 + 10, 0x20);
      length = String(body.length);
      break;
    default:
      break;
  }
  const head = [line, ...headers, ...(length !== undefined ? [`Content-Length: ${length}`] : []), ...(chunked ? ['Transfer-Encoding: chunked'] : [])].join('\r\n');
  const payload = chunked ? Buffer.concat([Buffer.from(`${pick([body.length.toString(16), 'zz', '-1', '0'])}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
  return Buffer.concat([Buffer.from(head + '\r\n\r\n', 'latin1'), payload]);
}

describe('fuzzing the endpoint over HTTP', () => {
  it(`answers ${REQUESTS} mangled raw requests below 500, never with a stack trace or HTML, and stays up`, async () => {
    const r = seededRandom(SEED);
    const requests = Array.from({ length: REQUESTS }, (_, i) => build(r, i));
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const i = next++;
        const res = await raw(requests[i]!);
        const where = `seed ${SEED} request ${i}: ${requests[i]!.subarray(0, 200).toString('latin1')}`;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // 0: the server closed the socket without an answer (Node does so for some malformed requests).
        expect(res.status === 0 || res.status < 500, where).toBe(true);
        expect(res.body, where).not.toMatch(/<html|\n\s+at \S+ \(|TypeError|RangeError/i);
        if (res.status === 200 || (res.status >= 400 && /x-amzn-requestid/i.test(res.head) && /application\/x-amz-json-1\.1/i.test(res.head))) {
          if (res.body) expect(() => JSON.parse(res.body), where).not.toThrow();
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
    expect(statuses.get(413) ?? 0).toBeGreaterThan(50);
    const ok = await fetch(`http://${host}:${port}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'OvertureService.DescribeLocations' }, body: '{}' });
    expect(ok.status).toBe(200);
    expect(child!.exitCode).toBeNull();
    expect(stderr).not.toMatch(/api fault/);
  });
});
