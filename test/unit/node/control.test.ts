/**
 * The control socket's key commands (no root: one node on the memory wire).
 * A CAK is 16 or 32 octets and a CKN 1 to 32 (802.1X-2020 9.3.1); the key
 * chain holds at most three pairs and an associated pair is never modified
 * (AWS, directconnect-api.md V6, V7). Each refusal is a `badRequest` naming
 * what was wrong, and leaves the chain as it was; a removed pair's CAK is
 * zeroed in the node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { NodeError, controlRequest } from '../../../src/node/index.js';
import { memoryRouter } from '../../helpers/memory-node.js';
import type { KayStatus } from '../../../src/mka/index.js';
import type { Secret } from '../../../src/shared/secret.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
const CKN = '11'.repeat(32);
const CAK = '22'.repeat(32);
const hex = (n: number) => randomBytes(n).toString('hex');

async function refusal(req: Record<string, unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await controlRequest(sock, req);
  } catch (e) {
    expect(e).toBeInstanceOf(NodeError);
    return { code: (e as { remoteCode?: string }).remoteCode, message: (e as Error).message };
  }
  throw new Error(`${JSON.stringify(req.cmd)} was accepted`);
}

async function chain(): Promise<string[]> {
  const s = (await controlRequest(sock, { cmd: 'status', port: 'eth1' })).result as { kay: KayStatus };
  return s.kay.participants.map((p) => p.ckn);
}

const sock = join(tmp, `ctl-${hex(3)}.sock`);
const node = memoryRouter({ socket: sock, captureDir: tmp, macsec: { keyChain: [{ ckn: CKN, cak: CAK }], helloTimeMs: 200, lifeTimeMs: 600 } });

beforeAll(() => node.start());
afterAll(() => node.stop());

describe('control socket: addKey lengths', () => {
  for (const n of [17, 24, 31]) {
    it(`a CAK of ${n} octets is a badRequest naming 'cak' and "16 or 32 octets"`, async () => {
      const r = await refusal({ cmd: 'addKey', port: 'eth1', ckn: hex(32), cak: hex(n) });
      expect(r.code).toBe('badRequest');
      expect(r.message).toBe(`'cak' must be 16 or 32 octets, got ${n}`);
      expect(await chain()).toEqual([CKN]);
    });
  }

  it('a CKN of 33 octets is a badRequest naming \'ckn\' and "1 to 32 octets"', async () => {
    const r = await refusal({ cmd: 'addKey', port: 'eth1', ckn: hex(33), cak: hex(32) });
    expect(r).toEqual({ code: 'badRequest', message: "'ckn' must be 1 to 32 octets, got 33" });
  });

  it('an error message never carries the CAK', async () => {
    const cak = hex(20);
    const r = await refusal({ cmd: 'addKey', port: 'eth1', ckn: hex(32), cak });
    expect(r.message).not.toContain(cak);
  });
});

describe('control socket: at most three pairs, an associated pair never modified (AWS V6, V7)', () => {
  const added = [hex(32), hex(32)];

  it('pairs are added up to three; a fourth is a badRequest and evicts nothing', async () => {
    for (const ckn of added) await controlRequest(sock, { cmd: 'addKey', port: 'eth1', ckn, cak: hex(32) });
    expect(await chain()).toEqual([CKN, ...added]);
    const r = await refusal({ cmd: 'addKey', port: 'eth1', ckn: hex(32), cak: hex(32) });
    expect(r.code).toBe('badRequest');
    expect(r.message).toMatch(/holds 3 pairs.*remove one/);
    expect(await chain()).toEqual([CKN, ...added]);
  });

  it('addKey with a CKN already in the chain is a badRequest, with another CAK or the same', async () => {
    for (const cak of [hex(32), CAK]) {
      const r = await refusal({ cmd: 'addKey', port: 'eth1', ckn: CKN, cak });
      expect(r.code).toBe('badRequest');
      expect(r.message).toMatch(/already in the key chain: an associated key cannot be modified/);
    }
    expect(await chain()).toEqual([CKN, ...added]);
  });

  it('removeKey zeroes the pair\'s CAK held by the node', async () => {
    const port = node.macsecPort('eth1') as unknown as { macsec: { keyChain: Array<{ ckn: Uint8Array; cak: Secret }> } };
    const held = port.macsec.keyChain.find((k) => Buffer.from(k.ckn).toString('hex') === added[0])!.cak.expose();
    expect(held.some((x) => x !== 0)).toBe(true);
    await controlRequest(sock, { cmd: 'removeKey', port: 'eth1', ckn: added[0] });
    expect(held.every((x) => x === 0)).toBe(true);
    expect(await chain()).toEqual([CKN, added[1]]);
  });
});
