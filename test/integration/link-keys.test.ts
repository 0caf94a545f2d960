/**
 * The link's keys (root): `dxlab link up` without --ckn/--cak draws a fresh
 * 32-octet CKN/CAK pair per lab into the lab's key file (mode 0600, root's),
 * which the node configs reference; neither the configs nor the state file
 * hold the CAK; the pair secures the link, the --capture key export carries
 * it, the key file decrypts the wire capture, and `link down` removes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { linkDown, linkUp, readLinkState, type LinkState } from '../../src/lab/index.js';
import { labDir } from '../../src/lab/paths.js';
import { controlRequest } from '../../src/node/index.js';
import { parseKeyFile } from '../../src/shared/key-file.js';
import type { KayStatus } from '../../src/mka/index.js';
import { ROOT, dxlab, dxlabJson } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const A = `tk-${randomBytes(3).toString('hex')}`;
const B = `tk-${randomBytes(3).toString('hex')}`;
/** The CAK that link.ts once held in its source. */
const OLD_DEFAULT_CAK = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

async function secured(socket: string): Promise<boolean> {
  return ((await controlRequest(socket, { cmd: 'status', port: 'eth1' })).result as { kay: KayStatus }).kay.secured;
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!isRoot)('link keys: a fresh pair per lab in a root-only key file', () => {
  let a: LinkState;
  let b: LinkState;
  let upB: ReturnType<typeof dxlab>;

  beforeAll(async () => {
    a = await linkUp({ name: A, fast: true, capture: true, logLevel: 'warn' });
    // The second lab through the CLI, as a user starts one.
    upB = dxlab('link', 'up', B, '--fast');
    b = readLinkState(B)!;
  }, 90_000);

  afterAll(async () => {
    for (const lab of [A, B]) {
      const r = await linkDown(lab);
      expect(r.leftover).toEqual([]);
      rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
    }
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(new RegExp(`${A}|${B}`));
  }, 60_000);

  it('each lab has its own key file: root\'s, mode 0600, one pair of 32 octets each, not the old default', () => {
    expect(upB.status).toBe(0);
    expect(upB.stderr).toContain(`CKN/CAK pair: ${b.keyFile}`);
    const pairs = [a, b].map((s) => {
      expect(s.keyFile).toBe(join(labDir(s.lab), 'keys.json'));
      const st = statSync(s.keyFile);
      expect(st.mode & 0o777).toBe(0o600);
      expect(st.uid).toBe(0);
      const kf = parseKeyFile(readFileSync(s.keyFile, 'utf8'), s.keyFile);
      expect(kf.cas).toHaveLength(1);
      expect(kf.cas[0]!.ckn).toMatch(/^[0-9a-f]{64}$/);
      expect(kf.cas[0]!.cak).toMatch(/^[0-9a-f]{64}$/);
      expect(kf.cas[0]!.cak).not.toBe(OLD_DEFAULT_CAK);
      return kf.cas[0]!;
    });
    expect(pairs[0]!.ckn).not.toBe(pairs[1]!.ckn);
    expect(pairs[0]!.cak).not.toBe(pairs[1]!.cak);
  });

  it('the node configs reference the key file and hold no CAK; the state file holds no key', () => {
    for (const s of [a, b]) {
      const { cak, ckn } = parseKeyFile(readFileSync(s.keyFile, 'utf8')).cas[0]!;
      for (const n of s.nodes) {
        const text = readFileSync(n.config, 'utf8');
        expect(JSON.parse(text).ports[0].macsec.keyFile).toBe(s.keyFile);
        expect(JSON.parse(text).ports[0].macsec.keyChain).toBeUndefined();
        expect(text).not.toContain(cak);
        expect(statSync(n.config).mode & 0o777).toBe(0o600);
      }
      const state = readFileSync(join(s.keyFile, '..', 'state.json'), 'utf8');
      expect(state).not.toContain(cak);
      expect(state).not.toContain(ckn);
    }
  });

  it('the generated pair secures both links', async () => {
    await until(async () => (await Promise.all([...a.nodes, ...b.nodes].map((n) => secured(n.socket)))).every(Boolean), 15_000);
  });

  it('the --capture key export carries the pair; the key file (or its pair, the CAK from stdin) decrypts the wire capture', async () => {
    const rt = a.nodes.find((n) => n.node === 'rt')!;
    expect(spawnSync('ip', ['netns', 'exec', rt.netns, 'ping', '-c', '3', '-i', '0.2', '169.254.100.2'], { encoding: 'utf8', timeout: 20_000 }).status).toBe(0);
    const wire = join(a.captureDir, 'rt-eth1-wire.pcapng');
    for (const side of ['wire', 'clear', 'decrypted']) await controlRequest(rt.socket, { cmd: 'capture', port: 'eth1', stop: join(a.captureDir, `rt-eth1-${side}.pcapng`) });
    const lab = parseKeyFile(readFileSync(a.keyFile, 'utf8')).cas;
    expect(parseKeyFile(readFileSync(join(a.captureDir, 'rt-eth1.keys.json'), 'utf8')).cas).toEqual(lab);
    const byFile = dxlabJson<{ decrypted: number; icvFailed: number; noKey: number; saks: number }>('pcap', 'decrypt', wire, '--out', join(a.captureDir, 'k1.pcap'), '--keys', a.keyFile);
    expect(byFile.decrypted).toBeGreaterThanOrEqual(6);
    expect(byFile.icvFailed + byFile.noKey).toBe(0);
    expect(byFile.saks).toBeGreaterThanOrEqual(1);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/dxlab.js'), 'pcap', 'decrypt', wire, '--out', join(a.captureDir, 'k2.pcap'), '--ckn', lab[0]!.ckn, '--cak-file', '-', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      input: lab[0]!.cak,
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ decrypted: byFile.decrypted, icvFailed: 0, noKey: 0 });
  });

  it('link down removes the key file with the lab', async () => {
    const f = b.keyFile;
    expect(existsSync(f)).toBe(true);
    await linkDown(B);
    expect(existsSync(f)).toBe(false);
  }, 30_000);
});
