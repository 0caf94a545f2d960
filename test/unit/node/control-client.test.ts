/**
 * The control client's deadline (no root): a socket that accepts and never
 * answers (as a node whose event loop is stuck does) gives a clear error
 * naming the node, the socket and the time; a subscription is not cut off
 * once it has its answer; the deadline can come from DXLAB_CONTROL_TIMEOUT_S.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { NodeError, controlRequest, controlTimeoutMs, CONTROL_TIMEOUT_MS } from '../../../src/node/index.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
let n = 0;

/** A Unix socket server in the temporary folder; `onLine` decides what each connection gets. */
async function server(onLine: (s: Socket, line: string) => void): Promise<{ path: string; srv: Server; conns: Socket[] }> {
  const path = join(tmp, `s${n++}.sock`);
  const conns: Socket[] = [];
  const srv = createServer((s) => {
    conns.push(s);
    s.setEncoding('utf8');
    s.on('error', () => undefined);
    s.on('data', (d: string) => onLine(s, d.trim()));
  });
  await new Promise<void>((r) => srv.listen(path, () => r()));
  servers.push(srv);
  return { path, srv, conns };
}

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});
afterEach(() => {
  delete process.env.DXLAB_CONTROL_TIMEOUT_S;
});

async function rejection(p: Promise<unknown>): Promise<NodeError> {
  try {
    await p;
  } catch (e) {
    return e as NodeError;
  }
  throw new Error('did not reject');
}

describe('controlRequest deadline', () => {
  it('a node that accepts and never answers: NodeError timeout naming node, socket and seconds; the connection is closed', async () => {
    const { path, conns } = await server(() => undefined);
    const e = await rejection(controlRequest(path, { cmd: 'status' }, undefined, { timeoutMs: 200, node: 'router' }));
    expect(e).toBeInstanceOf(NodeError);
    expect(e.code).toBe('timeout');
    expect(e.message).toBe(`node router did not answer on ${path} within 0.2 s`);
    await new Promise((r) => setTimeout(r, 50));
    expect(conns[0]!.readableEnded || conns[0]!.destroyed).toBe(true);
  });

  it('the deadline comes from DXLAB_CONTROL_TIMEOUT_S when the caller gives none', async () => {
    const { path } = await server(() => undefined);
    process.env.DXLAB_CONTROL_TIMEOUT_S = '0.3';
    const e = await rejection(controlRequest(path, { cmd: 'status' }));
    expect(e.code).toBe('timeout');
    expect(e.message).toMatch(/^the node did not answer on .* within 0.3 s$/);
  });

  it('a DXLAB_CONTROL_TIMEOUT_S that is not a number of seconds is a config error, not a hang', async () => {
    process.env.DXLAB_CONTROL_TIMEOUT_S = 'soon';
    expect(() => controlTimeoutMs()).toThrow(/DXLAB_CONTROL_TIMEOUT_S must be a number of seconds .* got 'soon'/);
    const e = await rejection(controlRequest(join(tmp, 'none.sock'), { cmd: 'status' }));
    expect(e.code).toBe('config');
  });

  it('5 s unless told otherwise; 0 means no limit', () => {
    expect(controlTimeoutMs({})).toBe(CONTROL_TIMEOUT_MS);
    expect(CONTROL_TIMEOUT_MS).toBe(5000);
    expect(controlTimeoutMs({ DXLAB_CONTROL_TIMEOUT_S: '0' })).toBe(0);
  });

  it('an answer in time resolves; a subscription gets events long after the deadline', async () => {
    const { path, conns } = await server((s, line) => {
      const req = JSON.parse(line) as { id: number };
      s.write(JSON.stringify({ id: req.id, ok: true, result: { events: [] } }) + '\n');
    });
    expect((await controlRequest(path, { cmd: 'status' }, undefined, { timeoutMs: 200 })).result).toEqual({ events: [] });
    const events: unknown[] = [];
    const sub = await controlRequest(path, { cmd: 'events', follow: true }, (e) => events.push(e), { timeoutMs: 200 });
    // Three deadlines later the subscription is still open and delivers.
    await new Promise((r) => setTimeout(r, 600));
    conns[1]!.write(JSON.stringify({ id: 1, event: { type: 'secured' } }) + '\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([{ type: 'secured' }]);
    expect(sub.socket.destroyed).toBe(false);
    sub.socket.destroy();
  });

  it('no socket: NodeError device at once', async () => {
    const e = await rejection(controlRequest(join(tmp, 'missing.sock'), { cmd: 'status' }, undefined, { node: 'dx' }));
    expect(e.code).toBe('device');
    expect(e.message).toMatch(/cannot reach node dx's control socket .*missing\.sock: ENOENT/);
  });
});
