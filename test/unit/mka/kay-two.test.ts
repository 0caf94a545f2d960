/**
 * Two and three KaYs on an in-memory wire with a simulated clock: they
 * converge, elect, distribute and install; the failure cases the issue lists
 * (wrong CAK, wrong CKN, restart with a new MI, a silent peer, key-server
 * change, rekey at the PN threshold with no frame lost); XPN SSCIs and salt.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/shared/bytes.js';
import { GCM_AES_128, GCM_AES_256, GCM_AES_XPN_256 } from '../../../src/macsec/cipher-suite.js';
import { decodeMkpdu } from '../../../src/mka/mkpdu/index.js';
import type { KayConfig } from '../../../src/mka/types.js';
import { CAK, CKN, SCI_C, SCI_DX, SCI_RT, cfg } from './fixtures.js';
import { MkaLab } from '../../helpers/mka-lab.js';

function pair(extraA: Partial<KayConfig> = {}, extraB: Partial<KayConfig> = {}) {
  const lab = new MkaLab();
  lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, ...extraA }), 1);
  lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32, ...extraB }), 2);
  lab.start('dx');
  lab.start('rt');
  return lab;
}

describe('two KaYs', () => {
  it('converge, elect the lower priority, distribute, install and secure', () => {
    const lab = pair();
    const dx = lab.node('dx');
    const rt = lab.node('rt');
    lab.advance(100);
    expect(dx.kay.status().secured).toBe(false);
    expect(dx.secy.port).toBe('blocked');
    lab.advance(3000);
    for (const n of [dx, rt]) {
      const s = n.kay.status();
      expect(s.secured).toBe(true);
      expect(s.controlledPort).toBe('secured');
      expect(s.sak).toMatchObject({ kn: 1, an: 0, cipherSuite: 'GCM-AES-XPN-256', transmitting: true, receiving: true });
      expect(s.participants[0]!.livePeers).toHaveLength(1);
      expect(s.participants[0]!.keyServer?.sci).toBe('02:00:00:00:00:01/1');
      expect(JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain(toHex(CAK).slice(0, 16));
      expect(n.secy.settings).toMatchObject({ protectFrames: true, validateFrames: 'strict', includeSci: true, confidentialityOffset: 0 });
    }
    // the same SAK on both sides, RX installed before any TX enabled on the member
    const dxTx = [...dx.secy.txSas.values()][0]!;
    const rtRx = rt.secy.rxScs.get(SCI_DX)!.get(0)!;
    expect(rtRx.key).toBe(dxTx.key);
    const rxAt = rt.secy.log.findIndex((c) => c.op === 'createRxSa');
    const txAt = rt.secy.log.findIndex((c) => c.op === 'enableTxSa');
    expect(rxAt).toBeGreaterThanOrEqual(0);
    expect(rxAt).toBeLessThan(txAt);
    // events read as a timeline
    const types = dx.events.map((e) => e.type);
    for (const t of ['peerPotential', 'peerLive', 'keyServerElected', 'sakGenerated', 'sakDistributed', 'sakInstalled', 'sakInUse', 'secured'] as const) expect(types).toContain(t);
    expect(dx.kay.counters.outSakMkpdu).toBeGreaterThan(0);
    expect(rt.kay.counters.inSakMkpdu).toBeGreaterThan(0);
    // the DX key server's MKPDUs: Key Server bit kept by the winner, cleared by the loser
    const last = (n: typeof dx) => decodeMkpdu(n.mkpdusSent[n.mkpdusSent.length - 1]!.frame);
    expect(last(dx).basic.keyServer).toBe(true);
    expect(last(rt).basic.keyServer).toBe(false);
    lab.trafficEveryMs = 10;
    lab.advance(5000);
    expect(rt.received).toEqual({ ok: dx.sent });
  });

  it('hello every 2 s in steady state (default profile)', () => {
    const lab = pair();
    lab.advance(10_000);
    const dx = lab.node('dx');
    const before = dx.mkpdusSent.length;
    lab.advance(10_000);
    expect(dx.mkpdusSent.length - before).toBe(5);
  });

  it('fast profile secures within a second', () => {
    const lab = pair({ helloTimeMs: 500, lifeTimeMs: 1500 }, { helloTimeMs: 500, lifeTimeMs: 1500 });
    lab.advance(1000);
    expect(lab.node('dx').kay.status().secured).toBe(true);
    expect(lab.node('rt').kay.status().secured).toBe(true);
  });

  it('wrong CAK: no live peer, ICV errors counted, status says wrong CAK', () => {
    const lab = pair({}, { keyChain: [{ ckn: CKN, cak: fromHex('00'.repeat(32)) }] });
    lab.advance(8000);
    const s = lab.node('dx').kay.status();
    expect(s.secured).toBe(false);
    expect(s.participants[0]!.livePeers).toHaveLength(0);
    expect(s.counters.inMkpduIcvVerificationErrors).toBeGreaterThan(0);
    expect(s.notSecured?.code).toBe('wrongCak');
    expect(s.notSecured?.reason).toMatch(/wrong CAK/);
  });

  it('wrong CKN: unrecognized CKN counted, status says unknown CKN', () => {
    const lab = pair({}, { keyChain: [{ ckn: fromHex('11'.repeat(32)), cak: CAK }] });
    lab.advance(8000);
    const s = lab.node('dx').kay.status();
    expect(s.secured).toBe(false);
    expect(s.counters.unrecognizedCkn).toBeGreaterThan(0);
    expect(s.notSecured?.code).toBe('unknownCkn');
  });

  it('no peer: status says no peer heard', () => {
    const lab = new MkaLab();
    lab.add('dx', cfg(SCI_DX), 1);
    lab.start('dx');
    lab.advance(3000);
    expect(lab.node('dx').kay.status().notSecured?.code).toBe('noPeerHeard');
  });

  it('a peer restarting with a new MI: old MI dropped, new SAK, secured again', () => {
    const lab = pair();
    lab.advance(4000);
    const dx = lab.node('dx');
    const oldMi = dx.kay.status().participants[0]!.livePeers[0]!.mi;
    lab.restart('rt', cfg(SCI_RT, { keyServerPriority: 32 }), 99);
    lab.advance(6000);
    const s = dx.kay.status();
    expect(dx.events.some((e) => e.type === 'peerRestarted')).toBe(true);
    expect(s.participants[0]!.livePeers).toHaveLength(1);
    expect(s.participants[0]!.livePeers[0]!.mi).not.toBe(oldMi);
    expect(s.secured).toBe(true);
    expect(s.sak!.kn).toBeGreaterThan(1);
    expect(lab.node('rt').kay.status().secured).toBe(true);
  });

  it('the key server heard by the member cut off past Life Time in one direction only: the member drops its keys, gets the same SAK again and both secure', () => {
    // Seen on a live link whose wire flapped once a second: the member timed
    // out its key server while the key server, still hearing the member, saw
    // no membership change and generated no new SAK.
    const fast = { helloTimeMs: 500, lifeTimeMs: 1500 };
    const lab = pair(fast, fast);
    lab.advance(2000);
    const dx = lab.node('dx');
    const rt = lab.node('rt');
    expect(rt.kay.status().secured).toBe(true);
    const kn = dx.kay.status().sak!.kn;
    lab.link = (from) => from.name !== 'dx';
    lab.advance(1800);
    expect(rt.kay.status().participants[0]!.livePeers).toHaveLength(0);
    expect(rt.kay.status().sak).toBeUndefined();
    expect(dx.kay.status().participants[0]!.livePeers).toHaveLength(1);
    expect(dx.kay.status().notSecured?.code).toBe('waitingForPeerRx');
    lab.link = () => true;
    const sakMkpdusBefore = rt.kay.counters.inSakMkpdu;
    lab.advance(2000);
    expect(rt.kay.counters.inSakMkpdu).toBeGreaterThan(sakMkpdusBefore);
    for (const n of [dx, rt]) {
      expect(n.kay.status().secured).toBe(true);
      // The same SAK as before the cut: the key server's membership did not change.
      expect(n.kay.status().sak!.kn).toBe(kn);
    }
    // Once the member reports receiving, the key server stops sending the SAK.
    const n0 = dx.kay.counters.outSakMkpdu;
    lab.advance(3000);
    expect(dx.kay.counters.outSakMkpdu).toBe(n0);
  });

  it('a peer silent past Life Time: removed, its SAs deleted, port falls back (should_encrypt)', () => {
    const lab = pair();
    lab.advance(4000);
    const dx = lab.node('dx');
    lab.node('rt').up = false;
    lab.advance(6500);
    const s = dx.kay.status();
    expect(s.participants[0]!.livePeers).toHaveLength(0);
    expect(dx.events.some((e) => e.type === 'peerTimedOut')).toBe(true);
    expect(dx.secy.rxScs.size).toBe(0);
    expect(dx.secy.txSas.size).toBe(0);
    expect(s.controlledPort).toBe('clear');
    expect(s.notSecured?.code).toBe('noPeerHeard');
  });

  it('key server chooses the first of its suites the peer implements; a peer announcing nothing implements GCM-AES-128 only', () => {
    const a = pair({ cipherSuites: [GCM_AES_XPN_256, GCM_AES_256] }, { cipherSuites: [GCM_AES_256] });
    a.advance(4000);
    expect(a.node('rt').kay.status().sak?.cipherSuite).toBe('GCM-AES-256');
    // peer announces nothing: taken to implement the Default Cipher Suite only, so the key server
    // (GCM-AES-XPN-256 only) distributes nothing (kay-linux-peer.test.ts has the whole story)
    const b = pair({ cipherSuites: [GCM_AES_XPN_256] }, { cipherSuites: [GCM_AES_128], announceCipherSuites: false });
    b.advance(8000);
    const ks = b.node('dx').kay.status();
    expect(ks.secured).toBe(false);
    expect(ks.notSecured?.code).toBe('noCommonCipherSuite');
    expect(ks.notSecured?.reason).toMatch(/GCM-AES-XPN-256.*GCM-AES-128/);
    const s = b.node('rt').kay.status();
    expect(s.secured).toBe(false);
    expect(s.counters.sakCipherMismatchErrors).toBe(0);
    // both announce, nothing in common: the key server says so and distributes nothing
    const c = pair({ cipherSuites: [GCM_AES_XPN_256] }, { cipherSuites: [GCM_AES_128] });
    c.advance(8000);
    expect(c.node('dx').kay.status().notSecured?.code).toBe('noCommonCipherSuite');
    expect(c.node('dx').kay.counters.sakGenerationErrors).toBe(1);
  });

  it('XPN: SSCIs and salt consistent between the two participants', () => {
    const lab = pair();
    lab.advance(4000);
    const dx = lab.node('dx');
    const rt = lab.node('rt');
    const dxTx = [...dx.secy.txSas.values()][0]!;
    const rtTx = [...rt.secy.txSas.values()][0]!;
    // descending SCI order: rt (…02…) gets 1, dx (…01…) gets 2
    expect(rtTx.ssci).toBe(1);
    expect(dxTx.ssci).toBe(2);
    expect(rt.secy.rxScs.get(SCI_DX)!.get(0)!.ssci).toBe(2);
    expect(dx.secy.rxScs.get(SCI_RT)!.get(0)!.ssci).toBe(1);
    const ksMi = fromHex(dx.kay.status().participants[0]!.mi);
    const salt = ksMi.slice();
    salt[1]! ^= 1; // KN 1
    expect(dxTx.salt).toBe(toHex(salt));
    expect(rtTx.salt).toBe(toHex(salt));
    // the key server put its SSCI in the Live Peer List of the MKPDU with the Distributed SAK
    const withSak = dx.mkpdusSent.map((x) => decodeMkpdu(x.frame)).find((m) => m.parameterSets.some((p) => p.type === 4))!;
    expect(withSak.parameterSets.find((p) => p.type === 1)).toMatchObject({ keyServerSsci: 2 });
    // XPN parameter set present once a key is in use
    const last = decodeMkpdu(dx.mkpdusSent[dx.mkpdusSent.length - 1]!.frame);
    expect(last.parameterSets.some((p) => p.type === 8)).toBe(true);
    lab.trafficEveryMs = 50;
    lab.advance(2000);
    expect(rt.received).toEqual({ ok: dx.sent });
  });

  it('rekey at the PN threshold with traffic flowing: no frame lost, old SA retired after SAK Retire Time', () => {
    const lab = pair({ pnExhaustionThreshold: 1000n }, { pnExhaustionThreshold: 1000n });
    lab.advance(4000);
    const dx = lab.node('dx');
    const rt = lab.node('rt');
    lab.trafficEveryMs = 5;
    lab.advance(12_000);
    expect(dx.events.filter((e) => e.type === 'rekeyTriggered').length).toBeGreaterThanOrEqual(1);
    expect(dx.kay.status().sak!.kn).toBeGreaterThanOrEqual(2);
    expect(rt.kay.status().sak!.kn).toBe(dx.kay.status().sak!.kn);
    expect(rt.received).toEqual({ ok: dx.sent });
    expect(dx.received).toEqual({ ok: rt.sent });
    const retired = rt.events.filter((e) => e.type === 'sakRetired' && e.kn === 1);
    expect(retired.length).toBeGreaterThan(0);
    const inUse2 = rt.events.find((e) => e.type === 'sakInUse' && e.kn === 2)!;
    expect(retired[0]!.at - inUse2.at).toBeGreaterThanOrEqual(3000);
  });

  it('rekey on request and by interval', () => {
    const lab = pair({ sakRekeyIntervalS: 10 });
    lab.advance(4000);
    const dx = lab.node('dx');
    lab.apply(dx, dx.kay.requestRekey(lab.now));
    lab.advance(3000);
    expect(dx.kay.status().sak!.kn).toBe(2);
    lab.advance(12_000);
    expect(dx.kay.status().sak!.kn).toBe(3);
    expect(lab.node('rt').kay.status().sak!.kn).toBe(3);
  });
});

describe('three KaYs', () => {
  it('converge on one key server and one SAK; the key server leaves, another takes over', () => {
    const lab = new MkaLab();
    lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16 }), 1);
    lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32 }), 2);
    lab.add('c', cfg(SCI_C, { keyServerPriority: 48 }), 3);
    for (const n of ['dx', 'rt', 'c']) lab.start(n);
    lab.advance(8000);
    const kns = ['dx', 'rt', 'c'].map((n) => lab.node(n).kay.status());
    for (const s of kns) {
      expect(s.secured).toBe(true);
      expect(s.participants[0]!.livePeers).toHaveLength(2);
      expect(s.participants[0]!.keyServer?.sci).toBe('02:00:00:00:00:01/1');
      expect(s.sak!.kn).toBe(kns[0]!.sak!.kn);
    }
    // SSCIs: descending SCI order c=1, rt=2, dx=3, the same on every node
    expect(kns.map((s) => s.sak!.ssci)).toEqual([3, 2, 1]);
    lab.trafficEveryMs = 20;
    lab.advance(2000);
    for (const n of ['dx', 'rt', 'c']) expect(Object.keys(lab.node(n).received)).toEqual(['ok']);
    // key server goes silent: rt takes over after Life Time and rekeys
    lab.trafficEveryMs = undefined;
    lab.node('dx').up = false;
    lab.advance(10_000);
    for (const n of ['rt', 'c']) {
      const s = lab.node(n).kay.status();
      expect(s.participants[0]!.keyServer?.sci).toBe('02:00:00:00:00:02/1');
      expect(s.secured).toBe(true);
      expect(s.participants[0]!.livePeers).toHaveLength(1);
    }
    expect(lab.node('rt').kay.status().sak!.keyServerMi).toBe(lab.node('rt').kay.status().participants[0]!.mi);
    expect(lab.node('rt').events.some((e) => e.type === 'keyServerElected' && /we win/.test(e.reason))).toBe(true);
  });
});
