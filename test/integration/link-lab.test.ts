/**
 * A link lab is a lab (root): `dxlab link up --cipher gcm-aes-128` runs the
 * generated topology with AWS's rules lifted on dx and says so; it secures
 * with GCM-AES-128; `status`, `show` and `events` find it by name and
 * `status` names the lifted rules; `graph` draws it without its keys; `dxlab
 * down` removes it like any lab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { linkDown, readLinkState, type LinkState } from '../../src/lab/index.js';
import { controlRequest } from '../../src/node/index.js';
import type { KayStatus } from '../../src/mka/index.js';
import { ROOT, dxlab, dxlabJson } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const LAB = `tl-${randomBytes(3).toString('hex')}`;

async function kay(socket: string): Promise<KayStatus | undefined> {
  try {
    return ((await controlRequest(socket, { cmd: 'status', port: 'eth1' })).result as { kay: KayStatus }).kay;
  } catch {
    return undefined;
  }
}

describe.skipIf(!isRoot)('a link lab is a lab', () => {
  let up: ReturnType<typeof dxlab>;
  let state: LinkState;

  beforeAll(() => {
    up = dxlab('link', 'up', LAB, '--fast', '--cipher', 'gcm-aes-128');
    state = readLinkState(LAB)!;
  }, 90_000);

  afterAll(async () => {
    const r = await linkDown(LAB);
    expect(r.leftover).toEqual([]);
    rmSync(join(ROOT, 'pcaps', LAB), { recursive: true, force: true });
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(LAB);
  }, 60_000);

  it('link up with a suite AWS does not take lifts the AWS rules on dx and prints that it did', () => {
    expect(up.status, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/dx runs with awsStrict: false, as asked: AWS rule V2 \(directconnect-api\.md\): a 10G DX port takes gcm-aes-256 and gcm-aes-xpn-256 only, not gcm-aes-128/);
    expect(state.nodes.map((n) => [n.node, n.name, n.kind])).toEqual([['rt', 'rt', 'router'], ['dx', 'dx', 'dx-device']]);
    expect(state.nodes.map((n) => n.socket)).toEqual([join(state.keyFile, '..', 'rt.sock'), join(state.keyFile, '..', 'dx.sock')]);
  });

  it('secures with GCM-AES-128', async () => {
    const end = Date.now() + 20_000;
    for (;;) {
      const s = await Promise.all(state.nodes.map((n) => kay(n.socket)));
      if (s.every((k) => k?.secured)) {
        expect(s[0]!.sak?.cipherSuite).toBe('GCM-AES-128');
        return;
      }
      if (Date.now() > end) throw new Error('not secured within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('status, show and events work on it by name; status says the AWS rules are lifted on dx', () => {
    const st = dxlabJson<{ lab: string; nodes: Array<{ name: string }>; notes?: string[] }>('status', '--name', LAB);
    expect(st.lab).toBe(LAB);
    expect(st.nodes.map((n) => n.name)).toEqual(['rt', 'dx']);
    expect(st.notes).toEqual(['node dx: AWS rules lifted (awsStrict: false)']);
    const text = dxlab('status', '--name', LAB);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('node dx: AWS rules lifted (awsStrict: false)');
    expect(dxlab('show', 'mka', 'dx', '--name', LAB).status).toBe(0);
    expect(dxlabJson<unknown[]>('events', 'rt', '--name', LAB).length).toBeGreaterThan(0);
  });

  it('graph --name draws it (a link lab has no topology file) and shows no key, also in --json', () => {
    const text = dxlab('graph', '--name', LAB);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/rt:eth1\s+== MACsec/);
    const json = dxlab('graph', '--name', LAB, '--json');
    expect(json.status, json.stderr).toBe(0);
    const t = JSON.parse(json.stdout) as { nodes: Array<{ name: string }>; links: Array<{ macsec: { keyChain: Array<{ ckn: string; cak: string }> } }> };
    expect(t.nodes.map((n) => n.name)).toEqual(['rt', 'dx']);
    expect(t.links[0]!.macsec.keyChain[0]!.ckn).toMatch(/^[0-9a-f]+$/);
    expect(t.links[0]!.macsec.keyChain.every((k) => k.cak === '')).toBe(true);
    const keys = readFileSync(state.keyFile, 'utf8');
    const cak = (JSON.parse(keys) as { cas: Array<{ cak: string }> }).cas[0]!.cak;
    expect(json.stdout + text.stdout).not.toContain(cak);
  });

  it('dxlab down removes it like any lab', () => {
    const r = dxlab('down', LAB);
    expect(r.status, r.stderr).toBe(0);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${LAB}-`);
    expect(readLinkState(LAB)).toBeUndefined();
  }, 60_000);
});
