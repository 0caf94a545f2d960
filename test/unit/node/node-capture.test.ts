/**
 * Captures through a node's control socket (memory wire, no root): a path
 * under /proc or a relative one is refused at once and the node goes on
 * answering; a capture into missing directories starts, is listed in status,
 * cannot be started twice, and `stop` (by path or for the whole port)
 * answers when the file is complete; stopping the node completes the rest.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { memoryWire } from '../../../src/io/index.js';
import { controlRequest, type CaptureInfo } from '../../../src/node/index.js';
import { memoryRouter } from '../../helpers/memory-node.js';
import { readCaptureFile } from '../../../src/io/pcap.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
const sock = join(tmp, 'rt.sock');

async function rejection(p: Promise<unknown>): Promise<Error & { remoteCode?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not reject');
}

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ask = async (req: Record<string, unknown>) => (await controlRequest(sock, req, undefined, { timeoutMs: 10_000 })).result;
const captures = async () => ((await ask({ cmd: 'status', port: 'eth1' })) as { captures: CaptureInfo[] }).captures;

describe('captures through the control socket', () => {
  const [wire, far] = memoryWire({ names: ['rt-w', 'far'], mtu: 1600 });
  const node = memoryRouter({ socket: sock, captureDir: tmp, wire, taps: [], macsec: { keyChain: [{ ckn: '11'.repeat(32), cak: '22'.repeat(32) }], helloTimeMs: 100, lifeTimeMs: 300 } });
  far.start(() => undefined);
  afterAll(async () => {
    await node.stop();
    far.close();
  });

  it('a path under /proc is refused at once; the node still answers', async () => {
    await node.start();
    const e = await rejection(ask({ cmd: 'capture', port: 'eth1', side: 'wire', path: '/proc/nope/x.pcapng' }));
    expect(e.remoteCode).toBe('badRequest');
    expect(e.message).toMatch(/path \/proc\/nope\/x\.pcapng: is under \/proc/);
    expect(await captures()).toEqual([]);
    expect(((await ask({ cmd: 'status' })) as { name: string }).name).toBe('rt');
  });

  it('a relative path is refused: the node does not guess whose working directory it is', async () => {
    const e = await rejection(ask({ cmd: 'capture', port: 'eth1', side: 'wire', path: 'x.pcapng' }));
    expect(e.message).toMatch(/path x\.pcapng: must be an absolute path/);
    const s = await rejection(ask({ cmd: 'capture', port: 'eth1', stop: 'x.pcapng' }));
    expect(s.message).toMatch(/'stop' must be true or the absolute path of a running capture/);
  });

  it('starts into missing directories, is listed, refuses a second start, and stops with the file complete', async () => {
    const path = join(tmp, 'new/sub/wire.pcapng');
    expect(await ask({ cmd: 'capture', port: 'eth1', side: 'wire', path })).toEqual({ path });
    expect(existsSync(path)).toBe(true);
    const twice = await rejection(ask({ cmd: 'capture', port: 'eth1', side: 'clear', path }));
    expect(twice.message).toMatch(/a capture to .*wire\.pcapng runs already \(port eth1, wire\)/);
    await until(async () => ((await captures())[0]?.frames ?? 0) >= 3);
    expect((await captures()).map((c) => [c.side, c.path])).toEqual([['wire', path]]);
    const r = (await ask({ cmd: 'capture', port: 'eth1', stop: path })) as { stopped: boolean; captures: CaptureInfo[] };
    expect(r.stopped).toBe(true);
    // The answer comes once the file is complete: every frame counted is in it.
    expect(readCaptureFile(path).frames).toHaveLength(r.captures[0]!.frames);
    expect(await captures()).toEqual([]);
    expect(await ask({ cmd: 'capture', port: 'eth1', stop: path })).toEqual({ stopped: false, captures: [] });
  });

  it('stop: true ends every capture of the port', async () => {
    const a = join(tmp, 'a.pcapng');
    const b = join(tmp, 'b.pcapng');
    await ask({ cmd: 'capture', port: 'eth1', side: 'wire', path: a });
    await ask({ cmd: 'capture', port: 'eth1', side: 'decrypted', path: b });
    const r = (await ask({ cmd: 'capture', port: 'eth1', stop: true })) as { stopped: boolean; captures: CaptureInfo[] };
    expect(r.stopped).toBe(true);
    expect(r.captures.map((c) => c.path).sort()).toEqual([a, b]);
    for (const c of r.captures) expect(readCaptureFile(c.path).frames).toHaveLength(c.frames);
  });

  it('stopping the node completes the captures still running', async () => {
    const path = join(tmp, 'at-stop.pcapng');
    await ask({ cmd: 'capture', port: 'eth1', side: 'wire', path });
    await until(async () => ((await captures())[0]?.frames ?? 0) >= 2);
    await node.stop();
    expect(readCaptureFile(path).frames.length).toBeGreaterThanOrEqual(2);
  });
});
