/**
 * A control socket's folder is made one level at a time and never under a
 * kernel pseudo file system: Node 20's recursive mkdir loops forever on a
 * path under /proc (see src/node/capture-path.ts), which would hang a node
 * started with such a `controlSocket`.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ControlServer } from '../../../src/node/control.js';
import { NodeError, type LabNode, type Logger } from '../../../src/node/index.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
const log = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const server = (path: string) => new ControlServer(path, {} as LabNode, log);

describe('control socket path', () => {
  it('under /proc: refused at once with badRequest naming controlSocket', async () => {
    const e = await server('/proc/nope/dxlab/x.sock').listen().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NodeError);
    expect((e as NodeError).code).toBe('badRequest');
    expect((e as Error).message).toMatch(/controlSocket \/proc\/nope\/dxlab\/x\.sock: is under \/proc/);
  });

  it('missing folders are made, and the socket listens', async () => {
    const path = join(tmp, 'a', 'b', 'n.sock');
    const s = server(path);
    await s.listen();
    try {
      expect(statSync(join(tmp, 'a', 'b')).isDirectory()).toBe(true);
      expect(existsSync(path)).toBe(true);
    } finally {
      await s.close();
    }
  });
});
