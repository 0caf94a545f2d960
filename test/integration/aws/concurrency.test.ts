/**
 * Concurrent requests over HTTP: forty AssociateMacSecKey at once on one
 * connection leave exactly three keys (V7) and exactly their three secrets;
 * the refused ones leave nothing. Fifty CreateConnection at once give fifty
 * distinct connections, in an account whose connection quota is raised to
 * hold them; the next is refused (LimitExceededException).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, startApiServer, type RunningApiServer } from '../../../src/aws/index.js';

let server: RunningApiServer;
beforeAll(async () => {
  // The first test's connection and the second's fifty: 51 at IAD66, past AWS's default quota of 10 (src/aws/directconnect/quotas.ts).
  server = await startApiServer({ store: openStore(':memory:'), port: 0, quotas: { connectionsPerLocation: 51 } });
});
afterAll(async () => {
  await server?.close();
  server?.service.store.close();
});

async function call(target: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

describe('concurrent requests', () => {
  it('forty keys at once on one connection: three associated, thirty-seven refused without a trace', async () => {
    const c = await call('OvertureService.CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'busy', requestMACSec: true });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call('OvertureService.AssociateMacSecKey', { connectionId: c.json.connectionId, ckn: i.toString(16).padStart(64, '0'), cak: 'f'.repeat(64) }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(37);
    expect(refused.every((r) => r.status === 400 && r.json.__type === 'DirectConnectClientException' && /already has 3 MACsec keys/.test(r.json.message))).toBe(true);
    const keys = (await call('OvertureService.DescribeConnections', { connectionId: c.json.connectionId })).json.connections[0].macSecKeys;
    expect(keys).toHaveLength(3);
    const secrets = (await call('secretsmanager.ListSecrets', {})).json.SecretList;
    expect(secrets.map((s: any) => s.ARN).sort()).toEqual(keys.map((k: any) => k.secretARN).sort());
  });

  it('fifty connections at once: fifty distinct ids; then the quota of 51 is full', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => call('OvertureService.CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: `p${i}` })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.json.connectionId)).size).toBe(50);
    const more = await call('OvertureService.CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'p50' });
    expect(more).toMatchObject({ status: 400, json: { __type: 'LimitExceededException' } });
  });
});
