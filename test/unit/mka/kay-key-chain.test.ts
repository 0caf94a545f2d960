/**
 * Key-chain edits on a running KaY, as AWS allows them (directconnect-api.md
 * V6, V7): at most three CKN/CAK pairs, an associated pair never modified;
 * and the CAK, ICK and KEK of a pair zeroed when its participant goes.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/shared/bytes.js';
import { Secret } from '../../../src/shared/secret.js';
import { KaY, MkaError } from '../../../src/mka/index.js';
import type { Participant } from '../../../src/mka/participant.js';
import type { KayConfig } from '../../../src/mka/types.js';
import { MkaLab } from '../../helpers/mka-lab.js';
import { seededOctets } from '../../helpers/random.js';
import { SCI_DX, SCI_RT, cfg } from './fixtures.js';

const K = [1, 2, 3, 4].map((i) => ({ ckn: fromHex(`${i}${i}`.repeat(32)), cak: fromHex(`a${i}`.repeat(32)) }));

function lab2(keyChain: KayConfig['keyChain']) {
  const lab = new MkaLab();
  lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, keyChain }), 1);
  lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32, keyChain }), 2);
  lab.start('dx');
  lab.start('rt');
  return lab;
}

function participants(kay: KaY): Participant[] {
  return (kay as unknown as { participants: Participant[] }).participants;
}

function cknsOf(kay: KaY): string[] {
  return kay.status().participants.map((p) => p.ckn);
}

/** The KaY's own key octets of one pair: references into the participant's Secrets. */
function heldKeys(kay: KaY, ckn: Uint8Array): Uint8Array[] {
  const p = participants(kay).find((x) => x.cknHex === Buffer.from(ckn).toString('hex'))!;
  expect(p).toBeDefined();
  return [p.cak.expose(), p.ick.expose(), p.kek.expose()];
}

const zero = (b: Uint8Array) => b.every((x) => x === 0);

function thrown(f: () => unknown): MkaError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MkaError);
    return e as MkaError;
  }
  throw new Error('expected an MkaError');
}

describe('key chain: at most three pairs, an associated pair never modified (AWS V6, V7)', () => {
  it('a fourth pair is refused with keyChainFull; the chain and the session stay as they were', () => {
    const lab = lab2([K[0]!, K[1]!, K[2]!]);
    lab.advance(5000);
    const dx = lab.node('dx');
    const before = cknsOf(dx.kay);
    const e = thrown(() => dx.kay.addKey(lab.now, K[3]!));
    expect(e.code).toBe('keyChainFull');
    expect(e.message).toMatch(/three|3 pairs/);
    expect(cknsOf(dx.kay)).toEqual(before);
    expect(dx.kay.config.keyChain.map((k) => Buffer.from(k.ckn).toString('hex'))).toEqual(K.slice(0, 3).map((k) => Buffer.from(k.ckn).toString('hex')));
    lab.advance(5000);
    expect(dx.kay.status().secured).toBe(true);
    expect(dx.kay.status().keyChain.index).toBe(2);
  });

  it('key add with a CKN already in the chain is refused with keyAlreadyAssociated, whatever its CAK; the old CAK keeps working', () => {
    const lab = lab2([K[0]!]);
    lab.advance(5000);
    const dx = lab.node('dx');
    expect(dx.kay.status().secured).toBe(true);
    const other = { ckn: K[0]!.ckn, cak: K[1]!.cak };
    expect(thrown(() => dx.kay.addKey(lab.now, other)).code).toBe('keyAlreadyAssociated');
    expect(thrown(() => dx.kay.addKey(lab.now, K[0]!)).code).toBe('keyAlreadyAssociated');
    // Replacing the chain with the same CKN under another CAK is the same modification.
    expect(thrown(() => dx.kay.setKeyChain(lab.now, [other])).code).toBe('keyAlreadyAssociated');
    expect(dx.kay.config.keyChain[0]!.cak.expose()).toEqual(K[0]!.cak);
    lab.advance(20_000);
    expect(dx.kay.status().secured).toBe(true);
    expect(dx.kay.counters.inMkpduIcvVerificationErrors).toBe(0);
  });

  it('a key chain naming one CKN twice is refused (invalidConfig), at construction and on a running port', () => {
    const twice = [K[0]!, { ckn: K[0]!.ckn, cak: K[1]!.cak }];
    expect(thrown(() => new KaY(cfg(SCI_DX, { keyChain: twice }), { random: seededOctets(1) })).code).toBe('invalidConfig');
    const kay = new KaY(cfg(SCI_DX, { keyChain: [K[1]!] }), { random: seededOctets(1) });
    kay.start(0);
    expect(thrown(() => kay.setKeyChain(1, [K[2]!, K[2]!])).code).toBe('invalidConfig');
    expect(thrown(() => kay.setKeyChain(1, [K[0]!, K[1]!, K[2]!, K[3]!])).code).toBe('invalidConfig');
    expect(cknsOf(kay)).toEqual(['22'.repeat(32)]);
  });

  it('a new pair is accepted up to three, newest last', () => {
    const kay = new KaY(cfg(SCI_DX, { keyChain: [K[0]!] }), { random: seededOctets(1) });
    kay.start(0);
    kay.addKey(1, K[1]!);
    kay.addKey(2, K[2]!);
    expect(cknsOf(kay)).toEqual(['11', '22', '33'].map((x) => x.repeat(32)));
  });
});

describe('CAK, ICK and KEK are zeroed when their participant goes (STYLE §7)', () => {
  it('a pair removed from the chain: its CAK, ICK and KEK read as zeros; the others and the caller\'s arrays are untouched', () => {
    const lab = lab2([K[0]!, K[1]!]);
    lab.advance(5000);
    const dx = lab.node('dx');
    const gone = heldKeys(dx.kay, K[0]!.ckn);
    const kept = heldKeys(dx.kay, K[1]!.ckn);
    expect(gone.some(zero)).toBe(false);
    lab.apply(dx, dx.kay.setKeyChain(lab.now, [K[1]!]));
    expect(gone.every(zero)).toBe(true);
    expect(kept.some(zero)).toBe(false);
    // The KaY works on copies: what the caller handed in is the caller's.
    expect(zero(K[0]!.cak)).toBe(false);
    lab.advance(10_000);
    expect(dx.kay.status().secured).toBe(true);
  });

  it('a CAK handed in as a Secret is copied, not taken: the caller\'s Secret survives the pair\'s removal', () => {
    const cak = new Secret(K[2]!.cak, 'CAK');
    const kay = new KaY(cfg(SCI_DX, { keyChain: [{ ckn: K[2]!.ckn, cak }, K[1]!] }), { random: seededOctets(1) });
    kay.start(0);
    const held = heldKeys(kay, K[2]!.ckn);
    kay.setKeyChain(1, [K[1]!]);
    expect(held.every(zero)).toBe(true);
    expect(cak.expose()).toEqual(K[2]!.cak);
  });

  it('port down: every participant\'s keys zeroed; the port comes up again from the KaY\'s own copies and secures', () => {
    const lab = lab2([K[0]!, K[1]!]);
    lab.advance(5000);
    const dx = lab.node('dx');
    const held = [...heldKeys(dx.kay, K[0]!.ckn), ...heldKeys(dx.kay, K[1]!.ckn)];
    lab.apply(dx, dx.kay.stop(lab.now));
    expect(held.every(zero)).toBe(true);
    lab.apply(dx, dx.kay.start(lab.now));
    lab.advance(10_000);
    expect(dx.kay.status().secured).toBe(true);
  });

  it('no_encrypt and back (participants deleted and made again): keys of the deleted ones zeroed, the session secures again', () => {
    const lab = lab2([K[0]!]);
    lab.advance(5000);
    const dx = lab.node('dx');
    const held = heldKeys(dx.kay, K[0]!.ckn);
    lab.apply(dx, dx.kay.setMode(lab.now, 'no_encrypt'));
    expect(held.every(zero)).toBe(true);
    lab.apply(dx, dx.kay.setMode(lab.now, 'should_encrypt'));
    lab.advance(10_000);
    expect(dx.kay.status().secured).toBe(true);
  });
});
