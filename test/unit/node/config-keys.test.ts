/**
 * The key chain of a node configuration: CAKs held in Secrets (never in
 * JSON, inspect output or logs), at most three pairs, each CKN once (AWS,
 * directconnect-api.md V6, V7), given inline or by a key file that keeps
 * the CAKs out of the configuration.
 */
import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { NodeError, resolveNodeConfig, loadNodeConfig } from '../../../src/node/index.js';
import { Secret } from '../../../src/shared/secret.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
const CAK = 'c5'.repeat(32);
const pair = (c: string, k = CAK) => ({ ckn: c.repeat(64), cak: k });

function config(macsec: Record<string, unknown>) {
  return { name: 'rt', kind: 'router', ports: [{ name: 'eth1', wire: 'w', macsec }] };
}

function err(doc: unknown, source = 'rt.yaml'): NodeError {
  try {
    resolveNodeConfig(doc, source);
  } catch (e) {
    expect(e).toBeInstanceOf(NodeError);
    return e as NodeError;
  }
  throw new Error('no error');
}

describe('node configuration: the key chain', () => {
  it('holds each CAK in a Secret: JSON.stringify and inspect show a redaction, never the key', () => {
    const c = resolveNodeConfig(config({ keyChain: [pair('1')] }), 'rt.yaml');
    const cak = c.ports[0]!.macsec!.keyChain[0]!.cak;
    expect(cak).toBeInstanceOf(Secret);
    expect(Buffer.from(cak.expose()).toString('hex')).toBe(CAK);
    for (const text of [JSON.stringify(c), inspect(c, { depth: 20 }), `${cak}`]) {
      expect(text).toContain('[CAK redacted, 32 octets]');
      expect(text).not.toContain(CAK);
      expect(text).not.toMatch(/197,\s*197/);
    }
  });

  it('refuses a fourth pair', () => {
    expect(err(config({ keyChain: ['1', '2', '3', '4'].map((c) => pair(c)) })).message).toMatch(/keyChain: must NOT have more than 3 items/);
  });

  it('refuses one CKN twice (any case), naming the second', () => {
    const e = err(config({ keyChain: [pair('a'), pair('b'), pair('A', 'd4'.repeat(16))] }));
    expect(e.message).toBe(`rt.yaml: /ports/0/macsec/keyChain/2/ckn: CKN ${'a'.repeat(64)} is already in the key chain: each CKN names one CAK`);
  });

  it('refuses a CAK of 24 octets with "16 or 32 octets"', () => {
    expect(err(config({ keyChain: [pair('1', 'ab'.repeat(24))] })).message).toBe('rt.yaml: /ports/0/macsec/keyChain/0/cak: a CAK is 16 or 32 octets, got 24');
  });

  it('reads the chain from a key file given relative to the configuration', () => {
    const dir = join(tmp, 'lab');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ version: 1, cas: [pair('1'), pair('2', 'd4'.repeat(16))], saks: [] }), { mode: 0o600 });
    writeFileSync(join(dir, 'rt.json'), JSON.stringify(config({ keyFile: 'keys.json' })));
    const c = loadNodeConfig(join(dir, 'rt.json'));
    const chain = c.ports[0]!.macsec!.keyChain;
    expect(chain.map((k) => Buffer.from(k.ckn).toString('hex'))).toEqual(['1'.repeat(64), '2'.repeat(64)]);
    expect(chain.map((k) => k.cak.length)).toEqual([32, 16]);
    expect(JSON.stringify(c)).not.toContain('keyFile');
  });

  it('a missing or bad key file is a config error naming the field and the file, never a key', () => {
    expect(err(config({ keyFile: join(tmp, 'nope.json') })).message).toBe(`rt.yaml: /ports/0/macsec/keyFile: cannot read ${join(tmp, 'nope.json')}: ENOENT`);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, cas: [pair('1', 'ab'.repeat(20))] }));
    const e = err(config({ keyFile: bad }));
    expect(e.message).toMatch(/\/ports\/0\/macsec\/keyFile: .*bad\.json .cas\[0\]\.cak: expected 16 or 32 octets, got 20/);
    expect(e.message).not.toContain('ab'.repeat(20));
    const dup = join(tmp, 'dup.json');
    writeFileSync(dup, JSON.stringify({ version: 1, cas: [pair('1'), pair('1')] }));
    expect(err(config({ keyFile: dup })).message).toMatch(/keyFile .*dup\.json: cas\/1\/ckn: CKN 1{64} is already in the key chain/);
    const four = join(tmp, 'four.json');
    writeFileSync(four, JSON.stringify({ version: 1, cas: ['1', '2', '3', '4'].map((c) => pair(c)) }));
    expect(err(config({ keyFile: four })).message).toMatch(/\/ports\/0\/macsec\/keyFile: 0 to 3 CKN\/CAK pairs .*got 4/);
  });

  it('keyChain and keyFile together is a config error', () => {
    expect(err(config({ keyChain: [pair('1')], keyFile: 'k.json' })).message).toMatch(/macsec: give keyChain or keyFile, not both/);
  });

  it('neither keyChain nor keyFile, an empty keyChain or a key file with no pairs: a port with an empty key chain', () => {
    const dir = join(tmp, 'empty');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ version: 1, cas: [] }), { mode: 0o600 });
    writeFileSync(join(dir, 'rt.json'), JSON.stringify(config({ keyFile: 'keys.json' })));
    expect(loadNodeConfig(join(dir, 'rt.json')).ports[0]!.macsec!.keyChain).toEqual([]);
    for (const m of [{ mode: 'must_encrypt' }, { keyChain: [] }]) {
      writeFileSync(join(dir, 'rt.json'), JSON.stringify(config(m)));
      expect(loadNodeConfig(join(dir, 'rt.json')).ports[0]!.macsec!.keyChain).toEqual([]);
    }
  });
});
