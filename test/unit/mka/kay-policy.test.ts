/**
 * Encryption modes over time (AWS must_encrypt / should_encrypt /
 * no_encrypt, docs/mka-decisions.md §7) and key chains of up to three CKN/CAK pairs.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/shared/bytes.js';
import type { KayConfig } from '../../../src/mka/types.js';
import { MkaLab } from '../../helpers/mka-lab.js';
import { CAK, CKN, SCI_DX, SCI_RT, cfg } from './fixtures.js';

function lab2(a: Partial<KayConfig>, b: Partial<KayConfig>, startRt = true) {
  const lab = new MkaLab();
  lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, ...a }), 1);
  lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32, ...b }), 2);
  lab.start('dx');
  if (startRt) lab.start('rt');
  return lab;
}

/** The controlled port's states in order, from the setControlledPort commands. */
function portHistory(lab: MkaLab, name: string): string[] {
  const h: string[] = [];
  for (const c of lab.node(name).secy.log) if (c.op === 'setControlledPort' && h[h.length - 1] !== c.state) h.push(c.state);
  return h;
}

describe('encryption modes', () => {
  it('must_encrypt: blocked until secured, blocked again when the peer goes quiet, secured again when it returns', () => {
    const lab = lab2({ mode: 'must_encrypt' }, { mode: 'must_encrypt' });
    const dx = lab.node('dx');
    lab.advance(1000);
    expect(dx.secy.port).toBe('blocked');
    lab.advance(3000);
    expect(dx.secy.port).toBe('secured');
    lab.node('rt').up = false;
    lab.advance(7000);
    expect(dx.secy.port).toBe('blocked');
    expect(dx.kay.status().notSecured?.code).toBe('noPeerHeard');
    lab.node('rt').up = true;
    lab.restart('rt', cfg(SCI_RT, { keyServerPriority: 32, mode: 'must_encrypt' }), 5);
    lab.advance(5000);
    expect(dx.secy.port).toBe('secured');
    expect(portHistory(lab, 'dx')).toEqual(['blocked', 'secured', 'blocked', 'secured']);
    expect(dx.events.some((e) => e.type === 'portBlocked')).toBe(true);
  });

  it('must_encrypt alone: blocked for ever, MKA retried (hellos keep going)', () => {
    const lab = lab2({ mode: 'must_encrypt' }, {}, false);
    lab.advance(20_000);
    expect(portHistory(lab, 'dx')).toEqual(['blocked']);
    expect(lab.node('dx').kay.counters.outMkpdu).toBe(11);
  });

  it('should_encrypt: nothing during the first attempt, clear after Life Time, secured when a peer comes, clear when it goes quiet, secured again', () => {
    const lab = lab2({}, {}, false);
    const dx = lab.node('dx');
    lab.advance(5000);
    expect(dx.secy.port).toBe('blocked');
    lab.advance(1500);
    expect(dx.secy.port).toBe('clear');
    expect(dx.secy.settings).toMatchObject({ protectFrames: false, validateFrames: 'check' });
    lab.start('rt');
    lab.advance(4000);
    expect(dx.secy.port).toBe('secured');
    expect(dx.secy.settings).toMatchObject({ protectFrames: true, validateFrames: 'strict' });
    lab.node('rt').up = false;
    lab.advance(7000);
    expect(dx.secy.port).toBe('clear');
    expect(dx.events.some((e) => e.type === 'fallbackToClear')).toBe(true);
    lab.node('rt').up = true;
    lab.restart('rt', cfg(SCI_RT, { keyServerPriority: 32 }), 8);
    lab.advance(5000);
    expect(dx.secy.port).toBe('secured');
    expect(portHistory(lab, 'dx')).toEqual(['blocked', 'clear', 'secured', 'clear', 'secured']);
  });

  it('should_encrypt: keys stop matching (peer CAK changed) → clear after Life Time, then secured when they match again', () => {
    const lab = lab2({}, {});
    const dx = lab.node('dx');
    lab.advance(4000);
    expect(dx.secy.port).toBe('secured');
    lab.restart('rt', cfg(SCI_RT, { keyServerPriority: 32, keyChain: [{ ckn: CKN, cak: fromHex('22'.repeat(32)) }] }), 9);
    lab.advance(8000);
    expect(dx.secy.port).toBe('clear');
    expect(dx.kay.status().notSecured?.code).toBe('wrongCak');
    lab.restart('rt', cfg(SCI_RT, { keyServerPriority: 32 }), 10);
    lab.advance(5000);
    expect(dx.secy.port).toBe('secured');
  });

  it('key server decides not to use MACsec (peer not capable): should_encrypt passes clear, must_encrypt blocks', () => {
    const should = lab2({}, { macsecCapability: 0 });
    should.advance(5000);
    expect(should.node('dx').secy.port).toBe('clear');
    expect(should.node('rt').secy.port).toBe('clear');
    expect(should.node('rt').kay.status().notSecured?.code).toBe('macsecNotUsedByKeyServer');
    expect(should.node('dx').events.some((e) => e.type === 'macsecNotUsed')).toBe(true);
    const must = lab2({ mode: 'must_encrypt' }, { macsecCapability: 0 });
    must.advance(5000);
    expect(must.node('dx').secy.port).toBe('blocked');
  });

  it('no_encrypt: MKA does not run, the port passes clear frames, MKPDUs are counted and ignored', () => {
    const lab = lab2({ mode: 'no_encrypt' }, {});
    const dx = lab.node('dx');
    lab.advance(10_000);
    expect(dx.secy.port).toBe('clear');
    expect(dx.secy.settings).toMatchObject({ protectFrames: false, validateFrames: 'disabled' });
    expect(dx.kay.counters.outMkpdu).toBe(0);
    expect(dx.kay.counters.inMkpdu).toBeGreaterThan(0);
    expect(dx.kay.status().notSecured?.code).toBe('mkaDisabled');
    expect(lab.node('rt').kay.status().notSecured?.code).toBe('noPeerHeard');
    expect(lab.node('rt').secy.port).toBe('clear'); // should_encrypt peer falls back
  });

  it('clear-text exceptions travel with the controlled port command', () => {
    const lab = lab2({ clearTextEtherTypes: [0x88cc] }, {});
    const c = lab.node('dx').secy.log.find((x) => x.op === 'setControlledPort');
    expect(c).toMatchObject({ clearTextEtherTypes: [0x88cc] });
  });
});

const K = [1, 2, 3].map((i) => ({ ckn: fromHex(`${i}${i}`.repeat(32)), cak: fromHex(`a${i}`.repeat(32)) }));

describe('key chains', () => {
  it('three pairs on both sides: the newest is used', () => {
    const lab = lab2({ keyChain: K }, { keyChain: K });
    lab.advance(5000);
    for (const n of ['dx', 'rt']) {
      const s = lab.node(n).kay.status();
      expect(s.secured).toBe(true);
      expect(s.keyChain).toMatchObject({ index: 2, inUse: '33'.repeat(32) });
      expect(s.keyChain.reason).toMatch(/newest pair/);
    }
  });

  it('one side holds only the old pair: both use it, status says why', () => {
    const lab = lab2({ keyChain: K }, { keyChain: [K[0]!] });
    lab.advance(6000);
    const s = lab.node('dx').kay.status();
    expect(s.secured).toBe(true);
    expect(s.keyChain).toMatchObject({ index: 0, inUse: '11'.repeat(32) });
    expect(s.keyChain.reason).toMatch(/newest pair has no live peer/);
    expect(lab.node('rt').kay.status().secured).toBe(true);
    expect(s.counters.unrecognizedCkn).toBe(0);
    expect(lab.node('rt').kay.counters.unrecognizedCkn).toBeGreaterThan(0);
  });

  it('rollover to a new pair on both sides, with traffic: no frame lost, old SAs retired', () => {
    const lab = lab2({ keyChain: [K[0]!] }, { keyChain: [K[0]!] });
    lab.advance(5000);
    const dx = lab.node('dx');
    const rt = lab.node('rt');
    lab.trafficEveryMs = 5;
    lab.advance(1000);
    lab.apply(dx, dx.kay.setKeyChain(lab.now, [K[0]!, K[1]!]));
    lab.advance(3000);
    expect(dx.kay.status().keyChain.index).toBe(0); // peer does not hold pair 1 yet
    lab.apply(rt, rt.kay.setKeyChain(lab.now, [K[0]!, K[1]!]));
    lab.advance(12_000);
    for (const n of [dx, rt]) {
      const s = n.kay.status();
      expect(s.secured).toBe(true);
      expect(s.keyChain).toMatchObject({ index: 1, inUse: '22'.repeat(32) });
      expect(n.events.some((e) => e.type === 'keyChainSwitched')).toBe(true);
    }
    expect(rt.received).toEqual({ ok: dx.sent });
    expect(dx.received).toEqual({ ok: rt.sent });
    // pair 0's SAK retired: one TX SA and one RX SA left
    expect(dx.secy.txSas.size).toBe(1);
    expect(dx.secy.rxScs.get(SCI_RT)!.size).toBe(1);
    // a third pair and the removal of the first
    lab.apply(dx, dx.kay.setKeyChain(lab.now, [K[1]!, K[2]!]));
    lab.apply(rt, rt.kay.setKeyChain(lab.now, [K[1]!, K[2]!]));
    lab.advance(12_000);
    expect(dx.kay.status().keyChain).toMatchObject({ index: 1, inUse: '33'.repeat(32) });
    expect(rt.received).toEqual({ ok: dx.sent });
  });

  it('newest pair stops matching: falls back to the last working pair', () => {
    const lab = lab2({ keyChain: [K[0]!, K[1]!] }, { keyChain: [K[0]!, K[1]!] });
    lab.advance(5000);
    expect(lab.node('dx').kay.status().keyChain.index).toBe(1);
    lab.restart('rt', cfg(SCI_RT, { keyServerPriority: 32, keyChain: [K[0]!, { ckn: K[1]!.ckn, cak: CAK }] }), 12);
    lab.advance(12_000);
    const s = lab.node('dx').kay.status();
    expect(s.secured).toBe(true);
    expect(s.keyChain.index).toBe(0);
  });
});

describe('changing the mode on a running port (update-connection --encryption-mode)', () => {
  it('should_encrypt alone and fallen back to clear: must_encrypt blocks at once, should_encrypt clears again', () => {
    const lab = lab2({}, {}, false);
    const dx = lab.node('dx');
    lab.advance(7000);
    expect(dx.secy.port).toBe('clear');
    lab.apply(dx, dx.kay.setMode(lab.now, 'must_encrypt'));
    expect(dx.secy.port).toBe('blocked');
    expect(dx.kay.status().mode).toBe('must_encrypt');
    lab.apply(dx, dx.kay.setMode(lab.now, 'should_encrypt'));
    expect(dx.secy.port).toBe('clear');
  });

  it('secured under should_encrypt: must_encrypt keeps the session and its SAK', () => {
    const lab = lab2({}, {});
    const dx = lab.node('dx');
    lab.advance(5000);
    expect(dx.secy.port).toBe('secured');
    const kn = dx.kay.status().sak!.kn;
    const before = dx.secy.log.length;
    lab.apply(dx, dx.kay.setMode(lab.now, 'must_encrypt'));
    lab.advance(5000);
    expect(dx.secy.port).toBe('secured');
    expect(dx.kay.status().sak!.kn).toBe(kn);
    expect(dx.secy.log.slice(before).some((c) => c.op === 'deleteTxSa' || c.op === 'deleteRxSa')).toBe(false);
  });

  it('to no_encrypt: MKA stops and the port passes clear frames; back to should_encrypt: MKA secures again', () => {
    const lab = lab2({}, {});
    const dx = lab.node('dx');
    lab.advance(5000);
    expect(dx.secy.port).toBe('secured');
    lab.apply(dx, dx.kay.setMode(lab.now, 'no_encrypt'));
    expect(dx.secy.port).toBe('clear');
    expect(dx.secy.settings).toMatchObject({ protectFrames: false, validateFrames: 'disabled' });
    const sent = dx.kay.counters.outMkpdu;
    lab.advance(5000);
    expect(dx.kay.counters.outMkpdu).toBe(sent);
    lab.apply(dx, dx.kay.setMode(lab.now, 'should_encrypt'));
    lab.advance(10_000);
    expect(dx.secy.port).toBe('secured');
  });
});
