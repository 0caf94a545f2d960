/**
 * The store: a request is one transaction. A request that dies after any
 * number of its writes (a crash between two writes, simulated by a store
 * that throws on its n-th write) leaves nothing; concurrent requests on one
 * connection's key chain never exceed it; the state file is private.
 */
import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createApiService, openStore, type ApiStore } from '../../../src/aws/index.js';
import { seededOctets } from '../../helpers/random.js';
import { T0 } from '../../helpers/aws.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('dxlab-aws-store-');

/** A store whose `put`/`remove` throws once `budget` writes have gone through. */
function failingAfter(store: ApiStore, budget: { left: number }): ApiStore {
  const guard = () => {
    if (budget.left-- <= 0) throw new Error('simulated crash');
  };
  return {
    ...store,
    put(kind, id, index, doc) {
      guard();
      store.put(kind, id, index, doc);
    },
    remove(kind, id) {
      guard();
      store.remove(kind, id);
    },
  };
}

describe('one request, one transaction', () => {
  it('a request that fails after any of its writes leaves no trace (CreateLag from a connection with a VIF, AssociateMacSecKey)', async () => {
    const real = openStore(':memory:');
    const budget = { left: Infinity };
    const api = createApiService({ store: failingAfter(real, budget), clock: () => T0 + 10_000, random: seededOctets(3), timings: { requestedMs: 0, pendingMs: 0 } });
    const ok = async (operation: string, body: unknown) => {
      const r = await api.call({ service: 'directconnect', operation, body });
      if (!r.ok) throw new Error(r.error.message);
      return r.output as any;
    };
    const c = await ok('CreateConnection', { location: 'IAD66', bandwidth: '10Gbps', connectionName: 'c', requestMACSec: true });
    await ok('CreatePrivateVirtualInterface', { connectionId: c.connectionId, newPrivateVirtualInterface: { virtualInterfaceName: 'v', vlan: 5, asn: 65000, virtualGatewayId: 'vgw-12345678' } });
    const steps: [string, unknown][] = [
      ['AssociateMacSecKey', { connectionId: c.connectionId, ckn: 'A'.repeat(64), cak: 'B'.repeat(64) }],
      ['CreateLag', { location: 'IAD66', connectionsBandwidth: '10Gbps', numberOfConnections: 3, lagName: 'l', requestMACSec: true, connectionId: c.connectionId }],
    ];
    for (const [operation, body] of steps) {
      let writes = 0;
      for (let n = 0; ; n++) {
        const before = JSON.stringify(real.dump());
        budget.left = n;
        const r = await api.call({ service: 'directconnect', operation, body });
        if (r.ok) {
          writes = n;
          break;
        }
        expect(r.error.code).toBe('DirectConnectServerException');
        expect(r.error.httpStatus).toBe(500);
        expect(r.error.message).not.toContain('simulated');
        expect(JSON.stringify(real.dump()), `${operation} failing after ${n} writes`).toBe(before);
      }
      budget.left = Infinity;
      // The request writes several documents, so the crashes above fell between them.
      expect(writes).toBeGreaterThanOrEqual(2);
    }
    real.close();
  });

  it('creates the state file readable by its owner only (it holds CAKs)', () => {
    const file = join(dir, 'private.sqlite');
    openStore(file).close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a file of another schema, naming it', () => {
    const file = join(dir, 'other.sqlite');
    const s = openStore(file);
    s.close();
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
    db.close();
    expect(() => openStore(file)).toThrow(/other.sqlite: a dxlab API store of schema 99/);
  });
});
