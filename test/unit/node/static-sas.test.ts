/**
 * Static SAs (`macsec.staticSas`): the section is checked against its suite
 * with the field named (key length, PN range, SSCI and salt for XPN and
 * only there, one receive SA per AN, not with a key chain), keys are never
 * printed, and two SecYs keyed by StaticKeying's commands exchange frames
 * both ways with every suite, XPN across PN 2^32.
 */
import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { NodeError, resolveNodeConfig, applySecYCommand } from '../../../src/node/index.js';
import { resolveStaticSasRequest } from '../../../src/node/config.js';
import { StaticKeying, staticSasSummary, type StaticSasConfig } from '../../../src/node/static-sas.js';
import { SecY, sciFromMac, sciToHex } from '../../../src/macsec/index.js';
import { ethFrame } from '../../helpers/secy.js';

const MAC_A = Uint8Array.from([0x02, 0, 0, 0, 0, 0x0a]);
const MAC_B = Uint8Array.from([0x02, 0, 0, 0, 0, 0x0b]);
const SUITES = ['gcm-aes-128', 'gcm-aes-256', 'gcm-aes-xpn-128', 'gcm-aes-xpn-256'] as const;
const TWO_32 = 1n << 32n;

/** One side's section: its SA with key byte `k` and SSCI `ssci`, the peer's with `pk`, `pssci`. */
function section(suite: string, peer: Uint8Array, k: string, pk: string, ssci: number, pssci: number, pn: string | number) {
  const len = suite.endsWith('256') ? 32 : 16;
  const xpn = suite.includes('xpn');
  const sa = (key: string, s: number) => ({ an: 1, key: key.repeat(len), pn, ...(xpn ? { ssci: s, salt: `${key}`.repeat(12) } : {}) });
  return { cipherSuite: suite, peerSci: `${[...peer].map((b) => b.toString(16).padStart(2, '0')).join(':')}/1`, tx: sa(k, ssci), rx: [sa(pk, pssci)] };
}

function config(macsec: Record<string, unknown>) {
  return { name: 'rt', kind: 'router', ports: [{ name: 'eth1', wire: 'w', macsec }] };
}

function err(doc: unknown): string {
  try {
    resolveNodeConfig(doc, 'rt.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(NodeError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

const AT = 'rt.yaml: /ports/0/macsec/staticSas';

describe('node configuration: macsec.staticSas', () => {
  it('resolves an XPN section: suite, peer SCI (MAC/port or 16 hex digits), PNs as bigints, keys in Secrets never printed', () => {
    const raw = section('gcm-aes-xpn-256', MAC_B, 'a1', 'b2', 1, 2, '0xfffffffd');
    const c = resolveNodeConfig(config({ staticSas: raw }), 'rt.yaml').ports[0]!.macsec!.staticSas!;
    expect(c.cipherSuite.cliName).toBe('gcm-aes-xpn-256');
    expect(c.peerSci).toBe(sciFromMac(MAC_B, 1));
    expect(c.tx.pn).toBe(0xfffffffdn);
    expect(c.rx[0]!.ssci).toBe(2);
    expect(Buffer.from(c.tx.key.expose()).toString('hex')).toBe('a1'.repeat(32));
    const hex = resolveNodeConfig(config({ staticSas: { ...raw, peerSci: sciToHex(sciFromMac(MAC_B, 1)) } }), 'rt.yaml').ports[0]!.macsec!.staticSas!;
    expect(hex.peerSci).toBe(c.peerSci);
    const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
    for (const text of [JSON.stringify(c, big), inspect(c, { depth: 20 }), JSON.stringify(staticSasSummary(c))]) {
      expect(text).not.toContain('a1a1');
      expect(text).not.toContain('b2b2');
    }
    expect(staticSasSummary(c)).toEqual({ cipherSuite: 'gcm-aes-xpn-256', peerSci: sciToHex(c.peerSci), tx: { an: 1, firstPn: String(0xfffffffd), ssci: 1 }, rx: [{ an: 1, firstPn: String(0xfffffffd), ssci: 2 }] });
  });

  it('refuses a key of the wrong length for the suite, naming the field', () => {
    const raw = section('gcm-aes-256', MAC_B, 'a1', 'b2', 0, 0, 1);
    expect(err(config({ staticSas: { ...raw, tx: { ...raw.tx, key: 'a1'.repeat(16) } } }))).toBe(`${AT}/tx/key: gcm-aes-256 needs a 32-octet key, got 16 octets`);
    expect(err(config({ staticSas: { ...raw, rx: [{ ...raw.rx[0], key: 'b2'.repeat(17) }] } }))).toContain(`${AT}/rx/0/key: gcm-aes-256 needs a 32-octet key`);
  });

  it('refuses an XPN SA without its SSCI or salt, or with a salt not of 12 octets, naming the field', () => {
    const raw = section('gcm-aes-xpn-128', MAC_B, 'a1', 'b2', 1, 2, 1);
    const { salt: _s, ...noSalt } = raw.rx[0]!;
    const { ssci: _c, ...noSsci } = raw.tx;
    expect(err(config({ staticSas: { ...raw, rx: [noSalt] } }))).toMatch(new RegExp(`^${AT}/rx/0/salt: gcm-aes-xpn-128 is an XPN suite`));
    expect(err(config({ staticSas: { ...raw, tx: noSsci } }))).toMatch(new RegExp(`^${AT}/tx/ssci: gcm-aes-xpn-128 is an XPN suite`));
    expect(err(config({ staticSas: { ...raw, tx: { ...raw.tx, salt: 'a1'.repeat(11) } } }))).toBe(`${AT}/tx/salt: the salt is 12 octets, got 11`);
  });

  it('refuses an SSCI or salt with a suite that is not XPN, a PN past the suite, an AN twice, and static SAs with a key chain', () => {
    const raw = section('gcm-aes-128', MAC_B, 'a1', 'b2', 0, 0, 1);
    expect(err(config({ staticSas: { ...raw, tx: { ...raw.tx, ssci: 1 } } }))).toBe(`${AT}/tx/ssci: only an XPN suite has an SSCI (gcm-aes-128 does not)`);
    expect(err(config({ staticSas: { ...raw, tx: { ...raw.tx, salt: '00'.repeat(12) } } }))).toBe(`${AT}/tx/salt: only an XPN suite has a salt (gcm-aes-128 does not)`);
    expect(err(config({ staticSas: { ...raw, tx: { ...raw.tx, pn: String(TWO_32) } } }))).toBe(`${AT}/tx/pn: the first PN is 1 to 4294967295 with gcm-aes-128, got 4294967296`);
    expect(err(config({ staticSas: { ...raw, rx: [raw.rx[0], raw.rx[0]] } }))).toBe(`${AT}/rx/1/an: AN 1 is given twice: one receive SA per AN`);
    expect(err(config({ staticSas: raw, keyChain: [{ ckn: '11'.repeat(16), cak: '22'.repeat(16) }] }))).toBe(`${AT}: static SAs replace MKA: give staticSas or a key chain (keyChain), not both`);
    expect(err(config({ staticSas: { ...raw, peerSci: '02:00:00:00:00:0b/0' } }))).toMatch(new RegExp(`^${AT}/peerSci: port number 0`));
    expect(err(config({ staticSas: { ...raw, cipherSuite: 'gcm-aes-512' } }))).toMatch(/\/ports\/0\/macsec\/staticSas\/cipherSuite: must be one of/);
  });

  it('the control request is checked by the same schema and resolver: the field named, the key never echoed', () => {
    const raw = section('gcm-aes-xpn-256', MAC_B, 'a1', 'b2', 1, 2, 1);
    expect(() => resolveStaticSasRequest({ ...raw, tx: { ...raw.tx, key: 'zz'.repeat(32) } })).toThrowError(/^staticSas\/tx\/key: must match pattern/);
    expect(() => resolveStaticSasRequest({ ...raw, rx: [{ ...raw.rx[0], salt: undefined }] })).toThrowError(/^staticSas\/rx\/0\/salt: gcm-aes-xpn-256 is an XPN suite/);
    try {
      resolveStaticSasRequest({ ...raw, tx: { ...raw.tx, key: 'a1'.repeat(31) } });
    } catch (e) {
      expect((e as Error).message).not.toContain('a1a1');
    }
    expect(resolveStaticSasRequest(raw).cipherSuite.cliName).toBe('gcm-aes-xpn-256');
  });
});

describe('StaticKeying: two SecYs keyed by its commands', () => {
  const secyOf = (mac: Uint8Array, sas: StaticSasConfig) => {
    const secy = new SecY({ txSci: sciFromMac(mac, 1) });
    const k = new StaticKeying(sas, { mode: 'must_encrypt' });
    const states = k.start(0).commands.map((c) => applySecYCommand(secy, c)).filter(Boolean);
    expect(states).toEqual([{ state: 'secured', clearTextEtherTypes: [] }]);
    return { secy, k };
  };

  for (const suite of SUITES) {
    const xpn = suite.includes('xpn');
    // XPN: 4 frames from 2^32-2 cross into the upper half of the 64-bit PN; otherwise from PN 1000.
    const first = xpn ? TWO_32 - 2n : 1000n;
    it(`${suite}: frames both ways verify${xpn ? ', their PNs crossing 2^32' : ''}; no MKPDU, nothing timed`, () => {
      const resolve = (raw: object) => resolveStaticSasRequest(raw);
      const a = secyOf(MAC_A, resolve(section(suite, MAC_B, 'a1', 'b2', 1, 2, String(first))));
      const b = secyOf(MAC_B, resolve(section(suite, MAC_A, 'b2', 'a1', 2, 1, String(first))));
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        for (let i = 0; i < 4; i++) {
          const p = from.secy.protect(ethFrame(60 + i));
          expect(p.ok).toBe(true);
          const v = to.secy.validate(p.ok ? p.frame : new Uint8Array());
          expect(v.ok, JSON.stringify(v.ok ? null : v.verdict)).toBe(true);
        }
        expect(from.secy.txSaNextPn(1)).toBe(first + 4n);
      }
      expect(a.k.status()).toMatchObject({ secured: true, controlledPort: 'secured', cpState: 'SECURED', participants: [] });
      const out = a.k.tick(5);
      expect(out.mkpdus).toEqual([]);
      expect(out.commands).toEqual([]);
    });
  }

  it('a wrong key on one side: the other counts the frames not valid and delivers none', () => {
    const a = secyOf(MAC_A, resolveStaticSasRequest(section('gcm-aes-128', MAC_B, 'a1', 'b2', 0, 0, 1)));
    const b = secyOf(MAC_B, resolveStaticSasRequest(section('gcm-aes-128', MAC_A, 'b2', 'c3', 0, 0, 1)));
    const p = a.secy.protect(ethFrame(60));
    expect(p.ok && b.secy.validate(p.frame).ok).toBe(false);
  });

  it('refuses what only MKA does (rekey, a key, the mode) by name; stop deletes the SAs and blocks the port', () => {
    const { secy, k } = secyOf(MAC_A, resolveStaticSasRequest(section('gcm-aes-128', MAC_B, 'a1', 'b2', 0, 0, 1)));
    expect(() => k.requestRekey(0)).toThrowError(/a rekey: this port runs static SAs/);
    expect(() => k.setMode(0, 'should_encrypt')).toThrowError(/the encryption mode: this port runs static SAs/);
    const states = k.stop(1).commands.map((c) => applySecYCommand(secy, c)).filter(Boolean);
    expect(states).toEqual([{ state: 'blocked', clearTextEtherTypes: [] }]);
    expect(secy.protect(ethFrame(60))).toEqual({ ok: false, reason: 'outPktsNoActiveSa' });
    expect(k.status()).toMatchObject({ secured: false, controlledPort: 'blocked' });
  });
});
