/**
 * A port with an empty key chain (AWS: a MACsec connection before
 * AssociateMacSecKey, or after the last DisassociateMacSecKey): no
 * participant, so no MKPDU (802.1X-2020 12.2: a participant per CAK); the
 * mode alone decides the controlled port, as with MKA failed; adding a pair
 * starts MKA; removing the last pair deletes its SAs and zeroes its keys.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/shared/bytes.js';
import type { KaY } from '../../../src/mka/index.js';
import type { Participant } from '../../../src/mka/participant.js';
import type { EncryptionMode, KayConfig } from '../../../src/mka/types.js';
import { MkaLab } from '../../helpers/mka-lab.js';
import { SCI_DX, SCI_RT, cfg } from './fixtures.js';

const K = [1, 2].map((i) => ({ ckn: fromHex(`${i}${i}`.repeat(32)), cak: fromHex(`a${i}`.repeat(32)) }));

function lab2(dxChain: KayConfig['keyChain'], rtChain: KayConfig['keyChain'], mode: EncryptionMode = 'should_encrypt') {
  const lab = new MkaLab();
  lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, keyChain: dxChain, mode }), 1);
  lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32, keyChain: rtChain, mode }), 2);
  lab.trafficEveryMs = 100;
  lab.start('dx');
  lab.start('rt');
  return lab;
}

function participants(kay: KaY): Participant[] {
  return (kay as unknown as { participants: Participant[] }).participants;
}

describe('KaY with an empty key chain', () => {
  it('sends no MKPDU; should_encrypt passes clear at once; status says no key', () => {
    const lab = lab2([], []);
    lab.advance(20_000);
    for (const n of ['dx', 'rt'].map((x) => lab.node(x))) {
      expect(n.mkpdusSent).toEqual([]);
      expect(n.kay.counters.outMkpdu).toBe(0);
      expect(n.secy.port).toBe('clear');
      const s = n.kay.status();
      expect(s.secured).toBe(false);
      expect(s.notSecured).toEqual({ code: 'noKey', reason: expect.stringMatching(/^no key: the key chain is empty, MKA idle/) });
      expect(s.keyChain).toEqual({ reason: expect.stringMatching(/^no key/) });
      expect(s.participants).toEqual([]);
      expect(n.secy.txSas.size).toBe(0);
    }
    // Clear frames cross from the first moment (no MKA Life Time to wait: nothing can secure).
    expect(lab.node('rt').received.ok).toBeGreaterThan(150);
    expect(lab.node('dx').events.map((e) => e.reason)).toContain('port up in should_encrypt (no key: the key chain is empty, MKA idle (no MKPDU sent))');
  });

  it('must_encrypt passes nothing; no_encrypt passes clear', () => {
    const must = lab2([], [], 'must_encrypt');
    must.advance(10_000);
    expect(must.node('dx').secy.port).toBe('blocked');
    expect(must.node('dx').mkpdusSent).toEqual([]);
    expect(must.node('rt').received).toEqual({});
    const none = lab2([], [], 'no_encrypt');
    none.advance(2_000);
    expect(none.node('dx').secy.port).toBe('clear');
    expect(none.node('dx').kay.status().notSecured?.code).toBe('mkaDisabled');
  });

  it('an MKPDU from a peer with a key is counted as an unknown CKN, nothing sent back', () => {
    const lab = lab2([], [K[0]!]);
    lab.advance(5_000);
    expect(lab.node('dx').mkpdusSent).toEqual([]);
    expect(lab.node('dx').kay.counters.unrecognizedCkn).toBeGreaterThan(0);
    expect(lab.node('rt').kay.status().secured).toBe(false);
  });

  it('addKey on an empty chain starts MKA: with the peer holding the same pair the port secures', () => {
    const lab = lab2([], []);
    lab.advance(3_000);
    for (const n of ['dx', 'rt']) lab.apply(lab.node(n), lab.node(n).kay.addKey(lab.now, K[0]!));
    expect(lab.node('dx').mkpdusSent.length).toBeGreaterThan(0);
    lab.advance(5_000);
    for (const n of ['dx', 'rt']) {
      const s = lab.node(n).kay.status();
      expect(s.secured).toBe(true);
      expect(s.keyChain.inUse).toBe('11'.repeat(32));
    }
    const before = lab.node('rt').received.ok ?? 0;
    lab.advance(2_000);
    expect((lab.node('rt').received.ok ?? 0) - before).toBeGreaterThan(15);
  });

  it('should_encrypt keeps passing clear while the first pair added is negotiated', () => {
    const lab = lab2([], []);
    lab.advance(1_000);
    // Only dx gets a key: rt stays without one, dx never secures and stays clear.
    lab.apply(lab.node('dx'), lab.node('dx').kay.addKey(lab.now, K[0]!));
    lab.advance(10_000);
    expect(lab.node('dx').secy.port).toBe('clear');
    expect(lab.node('dx').kay.status().notSecured?.code).toBe('noPeerHeard');
  });

  it('removing the last pair: SAs deleted, CAK/ICK/KEK zeroed, MKA idle again, should_encrypt clear, must_encrypt blocked', () => {
    for (const mode of ['should_encrypt', 'must_encrypt'] as const) {
      const lab = lab2([K[0]!], [K[0]!], mode);
      lab.advance(5_000);
      const dx = lab.node('dx');
      expect(dx.kay.status().secured).toBe(true);
      const p = participants(dx.kay)[0]!;
      const held = [p.cak.expose(), p.ick.expose(), p.kek.expose()];
      lab.apply(dx, dx.kay.setKeyChain(lab.now, []));
      for (const k of held) expect(k.every((x) => x === 0)).toBe(true);
      expect(dx.secy.txSas.size).toBe(0);
      expect(dx.secy.rxScs.size).toBe(0);
      expect(dx.secy.port).toBe(mode === 'should_encrypt' ? 'clear' : 'blocked');
      const sent = dx.mkpdusSent.length;
      lab.advance(10_000);
      expect(dx.mkpdusSent.length).toBe(sent);
      expect(dx.kay.status().notSecured?.code).toBe('noKey');
      expect(dx.kay.config.keyChain).toEqual([]);
    }
  });
});
