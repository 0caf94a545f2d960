/**
 * The AWS API under load: requests per second and latency (p50, p99) of
 * DescribeConnections with 1,000 connections in the store (every answer
 * lists all of them), and of AssociateMacSecKey (a key and its Direct
 * Connect secret written in one transaction, on a file store). The server
 * runs in its own process (this script, role "server"), the clients in
 * this one over keep-alive HTTP. Not a test: it prints figures.
 *
 *   npm run -s bench:api [-- --seconds N] [-- --concurrency C] [-- --json]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, startApiServer } from '../src/aws/index.js';

const CONNECTIONS = 1000;

async function serverRole(state: string): Promise<void> {
  const store = openStore(state);
  // An account whose connection quota AWS raised to hold the 1,000 (10 per location by default: src/aws/directconnect/quotas.ts).
  const server = await startApiServer({ store, port: 0, timings: { requestedMs: 0, pendingMs: 0 }, quotas: { connectionsPerLocation: CONNECTIONS } });
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await server.close();
    store.close();
    process.exit(0);
  });
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function call(url: URL, target: string, body: unknown): Promise<{ status: number; text: string }> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, 'content-length': data.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

interface Figures {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** `concurrency` clients issue `next()` requests until `until()` says stop; latency of each recorded. */
async function load(concurrency: number, next: () => Promise<void> | undefined): Promise<Figures> {
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const t0 = process.hrtime.bigint();
        const p = next();
        if (!p) return;
        await p;
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const q = (f: number) => latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))]!;
  return { requests: latencies.length, perSecond: latencies.length / seconds, p50Ms: q(0.5), p99Ms: q(0.99) };
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 10);
  const concurrency = arg('concurrency', 4);
  const json = process.argv.includes('--json');
  const dir = mkdtempSync(join(tmpdir(), 'dxlab-bench-api-'));
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'server', join(dir, 'state.sqlite')], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const url = new URL(
      await new Promise<string>((resolve, reject) => {
        child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
        child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const r = await call(url, 'OvertureService.CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: `bench-${i}`, requestMACSec: true });
      if (r.status !== 200) throw new Error(r.text);
      ids.push(JSON.parse(r.text).connectionId);
    }
    const check = await call(url, 'OvertureService.DescribeConnections', {});
    const listed = JSON.parse(check.text).connections.length;
    if (listed !== CONNECTIONS) throw new Error(`DescribeConnections listed ${listed}`);

    const describeEnd = Date.now() + seconds * 1000;
    const describe = await load(concurrency, () =>
      Date.now() < describeEnd
        ? call(url, 'OvertureService.DescribeConnections', {}).then((r) => {
            if (r.status !== 200) throw new Error(r.text);
          })
        : undefined,
    );

    // Two keys per connection at most here, so the key chain's limit of three is never what answers.
    let n = 0;
    const associateEnd = Date.now() + seconds * 1000;
    const associate = await load(concurrency, () => {
      if (Date.now() >= associateEnd || n >= 2 * CONNECTIONS) return undefined;
      const i = n++;
      return call(url, 'OvertureService.AssociateMacSecKey', { connectionId: ids[i % CONNECTIONS], ckn: i.toString(16).padStart(64, '0'), cak: 'ab'.repeat(32) }).then((r) => {
        if (r.status !== 200) throw new Error(r.text);
      });
    });
    const result = { connections: CONNECTIONS, concurrency, answerOctets: check.text.length, describeConnections: describe, associateMacSecKey: associate };
    if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      const row = (name: string, f: Figures) => `${name.padEnd(34)}${f.perSecond.toFixed(0).padStart(8)} req/s   p50 ${f.p50Ms.toFixed(1).padStart(6)} ms   p99 ${f.p99Ms.toFixed(1).padStart(6)} ms   (${f.requests} requests)`;
      process.stdout.write(`${CONNECTIONS} connections in the store, ${concurrency} concurrent clients, DescribeConnections answers ${(check.text.length / 1024).toFixed(0)} KiB\n`);
      process.stdout.write(row('DescribeConnections (all 1,000)', describe) + '\n');
      process.stdout.write(row('AssociateMacSecKey (ckn+cak)', associate) + '\n');
    }
  } finally {
    agent.destroy();
    child.stdin!.end();
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'server') await serverRole(process.argv[3]!);
else await main();
