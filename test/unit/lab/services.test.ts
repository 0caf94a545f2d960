/**
 * Port choice for the services a lab's supervisor hosts
 * (src/lab/services.ts): the first free port from the service's base port,
 * skipping ports in use (as portFree sees them, or as the service's own
 * listen finds them, when another lab took the port in between).
 */
import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { portFree, startLabService, type LabService, type LabServiceContext } from '../../../src/lab/index.js';

const ctx: Omit<LabServiceContext, 'port'> = {
  lab: 'l1',
  labDir: '/nonexistent',
  host: '127.0.0.1',
  state: () => {
    throw new Error('not used');
  },
  log: () => undefined,
};

function fakeService(basePort: number, busy: Set<number>, started: number[]): LabService {
  return {
    name: 'svc',
    basePort,
    start: async (c) => {
      started.push(c.port);
      if (busy.has(c.port)) throw Object.assign(new Error(`listen EADDRINUSE: address already in use ${c.host}:${c.port}`), { code: 'EADDRINUSE' });
      return { url: `http://${c.host}:${c.port}/`, stop: async () => undefined };
    },
  };
}

describe('startLabService', () => {
  it('takes the base port when it is free', async () => {
    const started: number[] = [];
    const r = await startLabService(fakeService(4566, new Set(), started), ctx, async () => true);
    expect(r.port).toBe(4566);
    expect(r.running.url).toBe('http://127.0.0.1:4566/');
  });

  it('skips the ports in use, by the probe and by the service failing with EADDRINUSE (a port taken in between)', async () => {
    const started: number[] = [];
    const probedBusy = new Set([4566, 4567]);
    const r = await startLabService(fakeService(4566, new Set([4568]), started), ctx, async (_h, p) => !probedBusy.has(p));
    expect(started).toEqual([4568, 4569]);
    expect(r.port).toBe(4569);
  });

  it('another failure of the service is its error, with its name and port; no free port at all is an error naming the range', async () => {
    const broken: LabService = { name: 'broken', basePort: 5000, start: async () => Promise.reject(new Error('no database')) };
    await expect(startLabService(broken, ctx, async () => true)).rejects.toThrow('service broken on 127.0.0.1:5000: no database');
    await expect(startLabService(fakeService(5000, new Set(), []), ctx, async () => false)).rejects.toThrow('service svc: no free port on 127.0.0.1 from 5000 to 5099');
  });

  it('on real sockets: a port a server holds is not free, the next is taken, and two labs get two ports', async () => {
    const servers: Server[] = [];
    const listen = (port: number) =>
      new Promise<Server>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(s));
      });
    // A base port the kernel found free, then held.
    const holder = await listen(0);
    const base = (holder.address() as { port: number }).port;
    servers.push(holder);
    try {
      expect(await portFree('127.0.0.1', base)).toBe(false);
      const http: LabService = {
        name: 'http',
        basePort: base,
        start: async (c) => {
          const s = await listen(c.port);
          servers.push(s);
          return { url: `http://${c.host}:${c.port}/`, stop: () => new Promise((r) => s.close(() => r())) };
        },
      };
      const a = await startLabService(http, { ...ctx, lab: 'a' });
      const b = await startLabService(http, { ...ctx, lab: 'b' });
      expect(a.port).toBeGreaterThan(base);
      expect(b.port).toBeGreaterThan(a.port);
      await a.running.stop();
      expect(await portFree('127.0.0.1', a.port)).toBe(true);
    } finally {
      for (const s of servers) s.close();
    }
  });
});
