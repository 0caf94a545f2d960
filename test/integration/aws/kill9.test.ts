/**
 * The store survives kill -9 in the middle of a burst: `dxlab api serve` is
 * killed with SIGKILL while eight clients create connections (three tags
 * each) and associate a fresh CKN/CAK with each (a key and its Direct
 * Connect secret written together), twice, at different moments; after each
 * restart every answered request is in the store, and nothing is half
 * written: every connection has its three tags, every key its secret, every
 * Direct Connect secret its key.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { serveApi } from '../../helpers/aws-cli.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('dxlab-aws-kill9-');
const STATE = join(dir, 'state.sqlite');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function serve(): Promise<{ child: ChildProcess; endpoint: string }> {
  // The bursts make far more connections at IAD66 than AWS's default quota of 10: an account with its quota raised (--quota).
  const api = await serveApi(['--port', '0', '--state', STATE, '--quiet', '--provision-seconds', '0', '--quota', 'connections-per-location=100000']);
  children.push(api.child);
  return api;
}

async function call(endpoint: string, target: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

interface Answered {
  connections: Map<string, number>;
  keys: Map<string, { connectionId: string; ckn: string }>;
}

let counter = 0;
const hex64 = (n: number, salt: string) => (salt + n.toString(16)).padStart(64, '0').slice(-64).toUpperCase();

/** Eight clients in a loop until `stop` says so; what was answered 200 is recorded. */
async function burst(endpoint: string, answered: Answered, killAfter: number, kill: () => void): Promise<void> {
  let answers = 0;
  let killed = false;
  const worker = async () => {
    while (!killed) {
      const n = ++counter;
      try {
        const c = await call(endpoint, 'OvertureService.CreateConnection', {
          location: 'IAD66',
          bandwidth: '10Gbps',
          connectionName: `burst-${n}`,
          requestMACSec: true,
          tags: [{ key: 'n', value: String(n) }, { key: 'a' }, { key: 'b', value: 'x' }],
        });
        if (c.status !== 200) throw new Error(`CreateConnection answered ${c.status}: ${JSON.stringify(c.json)}`);
        answered.connections.set(c.json.connectionId, n);
        const ckn = hex64(n, 'c');
        const k = await call(endpoint, 'OvertureService.AssociateMacSecKey', { connectionId: c.json.connectionId, ckn, cak: hex64(n, 'a') });
        if (k.status !== 200) throw new Error(`AssociateMacSecKey answered ${k.status}: ${JSON.stringify(k.json)}`);
        answered.keys.set(k.json.macSecKeys[0].secretARN, { connectionId: c.json.connectionId, ckn });
        answers += 2;
        if (answers >= killAfter && !killed) {
          killed = true;
          kill();
        }
      } catch (e) {
        if (killed) return;
        // The kill can land between our check and the next request: only then may a request fail.
        if ((e as Error).message.includes('answered')) throw e;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((r) => child.once('exit', r));
}

async function check(answered: Answered): Promise<void> {
  const { child, endpoint } = await serve();
  try {
    const conns: any[] = (await call(endpoint, 'OvertureService.DescribeConnections', {})).json.connections;
    // ListSecrets answers at most 100 a page, as AWS does: follow NextToken.
    const secrets: any[] = [];
    for (let token: string | undefined; ; ) {
      const page = (await call(endpoint, 'secretsmanager.ListSecrets', { Filters: [{ Key: 'owning-service', Values: ['directconnect'] }], ...(token ? { NextToken: token } : {}) })).json;
      secrets.push(...page.SecretList);
      token = page.NextToken;
      if (!token) break;
    }
    const byId = new Map(conns.map((c) => [c.connectionId, c]));
    for (const [id, n] of answered.connections) {
      expect(byId.has(id), `answered connection ${id} is missing`).toBe(true);
      expect(byId.get(id).connectionName).toBe(`burst-${n}`);
    }
    for (const [arn, k] of answered.keys) {
      expect(byId.get(k.connectionId)?.macSecKeys.map((x: any) => x.secretARN), `answered key ${arn}`).toContain(arn);
    }
    // Nothing half written.
    const keyArns = new Set<string>();
    for (const c of conns) {
      const n = /^burst-(\d+)$/.exec(c.connectionName)?.[1];
      expect(c.tags).toEqual([{ key: 'n', value: n }, { key: 'a' }, { key: 'b', value: 'x' }]);
      for (const k of c.macSecKeys) keyArns.add(k.secretARN);
    }
    const secretArns = new Set(secrets.map((s) => s.ARN));
    expect([...keyArns].filter((a) => !secretArns.has(a)), 'keys without their secret').toEqual([]);
    expect([...secretArns].filter((a) => !keyArns.has(a)), 'secrets without their key').toEqual([]);
    for (const arn of [...keyArns].slice(0, 5)) {
      const v = await call(endpoint, 'secretsmanager.GetSecretValue', { SecretId: arn });
      expect(JSON.parse(v.json.SecretString).ckn).toBe(arn.split('/').at(-1)!.slice(0, 64));
    }
  } finally {
    child.kill('SIGTERM');
    await killed(child);
  }
}

describe('kill -9 during a burst', () => {
  it('keeps every answered request and no half of any, twice over', async () => {
    const answered: Answered = { connections: new Map(), keys: new Map() };
    for (const killAfter of [60, 130]) {
      const { child, endpoint } = await serve();
      await burst(endpoint, answered, killAfter, () => child.kill('SIGKILL'));
      await killed(child);
      expect(child.signalCode).toBe('SIGKILL');
      const db = new Database(STATE, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      await check(answered);
    }
    expect(answered.connections.size).toBeGreaterThanOrEqual(95);
  });
});
