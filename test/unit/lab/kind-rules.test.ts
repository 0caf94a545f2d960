/**
 * `dxlab set` on a running lab keeps the rules `up` applied to its topology:
 * on a DX device AWS's fixed side (V2 suites by speed, V3 64-hex keys, V14
 * SCI and no tag in clear, offset 0), lifted by `awsStrict: false`; a router
 * keeps every knob open. The check reads the lab's own topology.json, so
 * these labs are a scratch state folder with that file and a state file:
 * the refusal comes before any node is asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkKindSet, LabError, parseTopology, topologyWithoutKeys } from '../../../src/lab/index.js';
import { dxlab } from '../../helpers/cli.js';
import { routerDxText } from '../../helpers/topology-error.js';
import { tempDir } from '../../helpers/tmp.js';

const KEY = (c: string) => c.repeat(64);
const root = tempDir('dxlab-kind-rules-');
const saved = process.env.DXLAB_STATE_DIR;

/** A lab named `lab` built from the router -- DX topology with these DX node fields. */
function lab(name: string, dx: string): void {
  const t = parseTopology(routerDxText({ dx, link: `      macsec: { keyChain: [{ ckn: "${KEY('a')}", cak: "${KEY('b')}" }], cipherSuites: [gcm-aes-xpn-256] }\n` }), 'x.yaml');
  mkdirSync(join(root, name), { recursive: true });
  writeFileSync(join(root, name, 'topology.json'), JSON.stringify(topologyWithoutKeys(t)));
  writeFileSync(join(root, name, 'state.json'), JSON.stringify({ lab: name, kind: 'topology', topology: 'x.yaml', createdAt: '', captureDir: root, nodes: [{ name: 'r', socket: join(root, 'r.sock') }, { name: 'd', socket: join(root, 'none.sock') }], links: [] }));
}

beforeAll(() => {
  process.env.DXLAB_STATE_DIR = root;
  lab('strict', ', speed: 100G');
  lab('lifted', ', speed: 100G, awsStrict: false');
});
afterAll(() => {
  if (saved === undefined) delete process.env.DXLAB_STATE_DIR;
  else process.env.DXLAB_STATE_DIR = saved;
});

const refusal = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).code).toBe('kindRule');
    return (e as Error).message;
  }
  throw new Error('the change was allowed');
};

describe('live changes keep the kind rules', () => {
  it('a 100G DX device refuses every suite but XPN-256 (V2), an SCI-less SecTAG (V14), a tag in clear (V14), an offset (blog)', () => {
    expect(refusal(() => checkKindSet('strict', 'd', { knob: 'cipherSuites', value: ['gcm-aes-xpn-256', 'gcm-aes-256'] }))).toMatch(/^node d: AWS rule V2 .*a 100G DX port takes gcm-aes-xpn-256 only, not gcm-aes-256/);
    expect(refusal(() => checkKindSet('strict', 'd', { knob: 'includeSci', value: false }))).toMatch(/AWS rule V14 .*always sends the SCI/);
    expect(refusal(() => checkKindSet('strict', 'd', { knob: 'clearTextEtherTypes', value: [0x88cc, 0x8100] }))).toMatch(/V14 .*no 802\.1Q tag in clear \(0x8100\)/);
    expect(refusal(() => checkKindSet('strict', 'd', { knob: 'confidentialityOffset', value: 30 }))).toMatch(/confidentiality offset 0, not 30/);
    expect(refusal(() => checkKindSet('strict', 'd', { knob: 'confidentialityOffset', value: 'none' }))).toMatch(/offset 0, not none/);
  });

  it('a key pair must be 64 hex digits each (V3); the message gives the length, never the key', () => {
    const m = refusal(() => checkKindSet('strict', 'd', { key: { ckn: KEY('c'), cak: 'ab'.repeat(16) } }));
    expect(m).toMatch(/AWS rule V3 .*a CAK of exactly 64 hex digits, got 32/);
    expect(m).not.toContain('ab'.repeat(16));
    expect(() => checkKindSet('strict', 'd', { key: { ckn: KEY('c'), cak: KEY('d') } })).not.toThrow();
  });

  it('what AWS allows passes; awsStrict: false lifts the rules; a router and knobs AWS does not fix stay open', () => {
    expect(() => checkKindSet('strict', 'd', { knob: 'cipherSuites', value: ['gcm-aes-xpn-256'] })).not.toThrow();
    expect(() => checkKindSet('strict', 'd', { knob: 'confidentialityOffset', value: 0 })).not.toThrow();
    expect(() => checkKindSet('strict', 'd', { knob: 'replayWindow', value: 0 })).not.toThrow();
    expect(() => checkKindSet('lifted', 'd', { knob: 'cipherSuites', value: ['gcm-aes-128'] })).not.toThrow();
    expect(() => checkKindSet('strict', 'r', { knob: 'includeSci', value: false })).not.toThrow();
  });

  it('dxlab set refuses it with exit 2 before asking the node (its socket does not exist)', () => {
    // The CLI runs in a child process, which takes DXLAB_STATE_DIR from this one's environment.
    const r = dxlab('set', 'd', 'eth1', 'cipherSuites', 'gcm-aes-128', '--name', 'strict');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/AWS rule V2/);
    const k = dxlab('set', 'd', 'eth1', 'key', 'add', '--ckn', 'ab', '--cak', 'cd'.repeat(16), '--name', 'strict');
    expect(k.status).toBe(2);
    expect(k.stderr).toMatch(/AWS rule V3 .*CKN of exactly 64 hex digits, got 2/);
  });
});
