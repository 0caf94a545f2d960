/**
 * Our key server against a peer that behaves as wpa_supplicant 2.10 with the
 * Linux kernel's MACsec does (docs/mka-decisions.md §8, §9): it sends no Announcement,
 * implements only GCM-AES-128 (the Default Cipher Suite), and refuses, never
 * installing and so never reporting "rx" for, a SAK of any other suite. The
 * peer is a second KaY on the in-memory wire, configured that way; a scripted
 * variant rewrites its MKPDUs to announce a suite it then refuses.
 *
 * What must hold: with GCM-AES-128 in our list the key server distributes a
 * GCM-AES-128 SAK (28-octet Distributed SAK) and both sides secure; without
 * it the key server distributes nothing and says `noCommonCipherSuite`,
 * should_encrypt falls back to clear, must_encrypt stays blocked; and in no
 * case is `secured` reported while the peer has not reported receiving with
 * the SAK in use.
 */
import { describe, expect, it } from 'vitest';
import { GCM_AES_128, GCM_AES_128_LEGACY_ID, GCM_AES_256, GCM_AES_XPN_256, type CipherSuite } from '../../../src/macsec/cipher-suite.js';
import { chooseCipherSuite } from '../../../src/mka/key-server.js';
import { decodeMkpdu, encodeMkpdu } from '../../../src/mka/mkpdu/index.js';
import { cipherSuitesTlv } from '../../../src/mka/mkpdu/announcement.js';
import { deriveIck } from '../../../src/mka/kdf.js';
import type { DistributedSak } from '../../../src/mka/mkpdu/types.js';
import type { KayConfig } from '../../../src/mka/types.js';
import { MkaLab, type LabNode } from '../../helpers/mka-lab.js';
import { CAK, CKN, SCI_C, SCI_DX, SCI_RT, cfg } from './fixtures.js';

/** wpa_supplicant 2.10 as configured by hand: no Announcement, GCM-AES-128 only, `mka_priority` 255, MKA version 1. */
const LINUX_PEER: Partial<KayConfig> = { cipherSuites: [GCM_AES_128], announceCipherSuites: false, keyServerPriority: 255, mkaVersion: 1 };

function lab2(dx: Partial<KayConfig>, rt: Partial<KayConfig> = LINUX_PEER): MkaLab {
  const lab = new MkaLab();
  lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, ...dx }), 1);
  lab.add('rt', cfg(SCI_RT, rt), 2);
  lab.start('dx');
  lab.start('rt');
  return lab;
}

/** Advances to `until` in 100 ms steps and returns every moment `node` reported secured. */
function securedMoments(lab: MkaLab, node: LabNode, until: number): number[] {
  const at: number[] = [];
  while (lab.now < until) {
    lab.advance(100);
    const s = node.kay.status();
    if (s.secured || s.controlledPort === 'secured' || node.secy.port === 'secured') at.push(lab.now);
  }
  return at;
}

function distributedSaks(n: LabNode): DistributedSak[] {
  return n.mkpdusSent.flatMap((x) => decodeMkpdu(x.frame).parameterSets.filter((p): p is DistributedSak => p.type === 4 && !('unknown' in p) && p.key !== undefined));
}

describe('a peer that announces no cipher suites (wpa_supplicant 2.10)', () => {
  it('is taken to implement the Default Cipher Suite: our key server distributes GCM-AES-128 when its list has it, and both secure', () => {
    const lab = lab2({ cipherSuites: [GCM_AES_XPN_256, GCM_AES_256, GCM_AES_128] });
    const dx = lab.node('dx');
    const rt = lab.node('rt');
    lab.advance(4000);
    for (const n of [dx, rt]) {
      const s = n.kay.status();
      expect(s.secured).toBe(true);
      expect(s.sak?.cipherSuite).toBe('GCM-AES-128');
    }
    // GCM-AES-128 goes out as the 28-octet Distributed SAK, without a suite field (hostap reads only that form as the default suite)
    const dist = distributedSaks(dx);
    expect(dist.length).toBeGreaterThan(0);
    for (const d of dist) {
      expect(d.key?.kn).toBe(1);
      expect(d.key?.cipherSuite).toBeUndefined();
      expect(d.key?.wrappedSak).toHaveLength(24);
    }
    expect(rt.kay.counters.sakCipherMismatchErrors).toBe(0);
    expect(dx.events.find((e) => e.type === 'cipherSuiteChosen')?.reason).toMatch(/GCM-AES-128/);
    lab.trafficEveryMs = 10;
    lab.advance(3000);
    expect(rt.received).toEqual({ ok: dx.sent });
    expect(dx.received).toEqual({ ok: rt.sent });
  });

  const withoutDefault: Array<[string, readonly CipherSuite[] | undefined]> = [
    ['the dx-device AWS list (GCM-AES-XPN-256 only)', [GCM_AES_XPN_256]],
    ['the default list (GCM-AES-XPN-256, GCM-AES-256)', undefined],
  ];
  for (const [name, suites] of withoutDefault) {
    it(`with ${name}: nothing distributed, noCommonCipherSuite, should_encrypt falls back to clear, never secured`, () => {
      const lab = lab2(suites ? { cipherSuites: suites } : {});
      const dx = lab.node('dx');
      const rt = lab.node('rt');
      expect(securedMoments(lab, dx, 20_000)).toEqual([]);
      expect(dx.events.some((e) => e.type === 'secured')).toBe(false);
      const s = dx.kay.status();
      expect(s.participants[0]!.livePeers).toHaveLength(1);
      expect(s.participants[0]!.keyServer?.self).toBe(true);
      expect(s.notSecured?.code).toBe('noCommonCipherSuite');
      expect(s.notSecured?.reason).toMatch(/GCM-AES-128/);
      const ev = dx.events.filter((e) => e.type === 'noCommonCipherSuite');
      expect(ev).toHaveLength(1);
      expect(ev[0]!.reason).toMatch(/no Announcement|announced no cipher suites/);
      // the key server distributes nothing: no Distributed SAK, no SA, nothing for the peer to refuse
      expect(distributedSaks(dx)).toHaveLength(0);
      expect(dx.kay.counters.outSakMkpdu).toBe(0);
      expect(dx.secy.txSas.size).toBe(0);
      expect(rt.kay.counters.sakCipherMismatchErrors).toBe(0);
      // should_encrypt: clear frames pass, unprotected, and reach the peer (not black-holed)
      expect(s.controlledPort).toBe('clear');
      expect(dx.secy.settings).toMatchObject({ protectFrames: false, validateFrames: 'check' });
      expect(dx.events.some((e) => e.type === 'fallbackToClear')).toBe(true);
      lab.trafficEveryMs = 10;
      lab.advance(2000);
      expect(dx.sent).toBeGreaterThan(0);
      expect(rt.received).toEqual({ ok: dx.sent });
    });
  }

  it('must_encrypt with no common suite: the port stays blocked, MKA keeps running', () => {
    const lab = lab2({ cipherSuites: [GCM_AES_XPN_256], mode: 'must_encrypt' });
    const dx = lab.node('dx');
    expect(securedMoments(lab, dx, 20_000)).toEqual([]);
    const ports = dx.secy.log.filter((c) => c.op === 'setControlledPort').map((c) => (c.op === 'setControlledPort' ? c.state : ''));
    expect(new Set(ports)).toEqual(new Set(['blocked']));
    expect(dx.kay.status().notSecured?.code).toBe('noCommonCipherSuite');
    expect(dx.kay.status().controlledPort).toBe('blocked');
    lab.trafficEveryMs = 10;
    lab.advance(1000);
    expect(dx.sent).toBe(0);
    const before = dx.kay.counters.outMkpdu;
    lab.advance(10_000);
    expect(dx.kay.counters.outMkpdu).toBeGreaterThan(before);
  });

  it('an Announcement without a MACsec Cipher Suites TLV announces no suites: GCM-AES-128 only', () => {
    const lab = new MkaLab();
    const ick = deriveIck(CAK, CKN);
    // the peer's Announcement carries only an Access Information TLV (type 111, 802.1X-2020 11.12.2)
    lab.rewrite = (from, frame) => {
      if (from.name !== 'rt') return frame;
      const m = decodeMkpdu(frame);
      m.parameterSets.push({ type: 7, tlvs: [{ tlvType: 111, value: new Uint8Array([0x10, 0x00]) }] });
      return encodeMkpdu(m, ick);
    };
    lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, cipherSuites: [GCM_AES_XPN_256, GCM_AES_128] }), 1);
    lab.add('rt', cfg(SCI_RT, { ...LINUX_PEER, cipherSuites: [GCM_AES_128, GCM_AES_XPN_256] }), 2);
    lab.start('dx');
    lab.start('rt');
    lab.advance(4000);
    expect(decodeMkpdu(lab.node('rt').mkpdusSent.at(-1)!.frame).parameterSets.some((p) => p.type === 7)).toBe(true);
    expect(lab.node('dx').kay.status()).toMatchObject({ secured: true, sak: { cipherSuite: 'GCM-AES-128' } });
  });

  it('chooseCipherSuite: silent peers count as GCM-AES-128 (legacy identifier too), announcing peers by their lists', () => {
    expect(chooseCipherSuite([GCM_AES_XPN_256, GCM_AES_256], [undefined])).toBeUndefined();
    expect(chooseCipherSuite([GCM_AES_XPN_256, GCM_AES_128], [undefined])).toBe(GCM_AES_128);
    expect(chooseCipherSuite([GCM_AES_XPN_256, GCM_AES_128], [[GCM_AES_XPN_256.id], undefined])).toBeUndefined();
    expect(chooseCipherSuite([GCM_AES_XPN_256, GCM_AES_128], [[GCM_AES_XPN_256.id, GCM_AES_128.id], undefined])).toBe(GCM_AES_128);
    expect(chooseCipherSuite([GCM_AES_XPN_256, GCM_AES_128], [[GCM_AES_XPN_256.id, GCM_AES_128.id]])).toBe(GCM_AES_XPN_256);
    expect(chooseCipherSuite([GCM_AES_256, GCM_AES_128], [[GCM_AES_128_LEGACY_ID]])).toBe(GCM_AES_128);
    expect(chooseCipherSuite([GCM_AES_XPN_256], [[GCM_AES_256.id]])).toBeUndefined();
  });

  it('a peer that announces GCM-AES-128 explicitly is treated the same (first common suite of our list)', () => {
    const lab = lab2({ cipherSuites: [GCM_AES_XPN_256, GCM_AES_128] }, { ...LINUX_PEER, announceCipherSuites: true });
    lab.advance(4000);
    expect(lab.node('dx').kay.status()).toMatchObject({ secured: true, sak: { cipherSuite: 'GCM-AES-128' } });
  });
});

describe('peers that have not reported receiving with the SAK in use', () => {
  it('a member joining a secured CA: blocked (never clear) and waitingForPeerRx until it reports rx with the new SAK, then secured', () => {
    const lab = new MkaLab();
    lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16 }), 1);
    lab.add('rt', cfg(SCI_RT, { keyServerPriority: 32 }), 2);
    lab.add('c', cfg(SCI_C, { keyServerPriority: 48 }), 3);
    lab.start('dx');
    lab.start('rt');
    lab.advance(8000);
    const dx = lab.node('dx');
    expect(dx.kay.status().secured).toBe(true);
    lab.trafficEveryMs = 5;
    lab.start('c');
    const seen: string[] = [];
    while (lab.now < 14_000) {
      lab.advance(5);
      const st = dx.kay.status();
      const x = `${st.controlledPort} ${st.notSecured?.code ?? '-'}`;
      if (seen.at(-1) !== x) seen.push(x);
      // secured only when c, once live, reports rx with the SAK in use
      if (st.secured && st.participants[0]!.livePeers.length === 2) expect(st.sak!.kn).toBe(2);
    }
    expect(seen).toEqual(['secured -', 'blocked waitingForPeerRx', 'secured -']);
    expect(lab.node('rt').received).toEqual({ ok: expect.any(Number) });
    expect(lab.node('c').received.noSa ?? 0).toBe(0);
  });

  // A scripted peer: its MKPDUs announce GCM-AES-XPN-256, yet its KaY accepts
  // only GCM-AES-128, so it refuses the SAK and never reports "rx".
  const ick = deriveIck(CAK, CKN);
  function lyingPeer(lab: MkaLab): void {
    lab.rewrite = (from, frame) => {
      if (from.name !== 'rt') return frame;
      const m = decodeMkpdu(frame);
      m.parameterSets = m.parameterSets.map((p) => (p.type === 7 && !('unknown' in p) ? { type: 7, tlvs: [cipherSuitesTlv([{ cipherSuite: GCM_AES_XPN_256.id, capability: 2 }])] } : p));
      return encodeMkpdu(m, ick);
    };
  }

  for (const mode of ['should_encrypt', 'must_encrypt'] as const) {
    it(`${mode}: never secured; status says the key server waits for the peer to report rx`, () => {
      const lab = new MkaLab();
      lyingPeer(lab);
      lab.add('dx', cfg(SCI_DX, { keyServerPriority: 16, cipherSuites: [GCM_AES_XPN_256], mode }), 1);
      lab.add('rt', cfg(SCI_RT, { ...LINUX_PEER, announceCipherSuites: true, mode }), 2);
      lab.start('dx');
      lab.start('rt');
      const dx = lab.node('dx');
      const rt = lab.node('rt');
      expect(securedMoments(lab, dx, 20_000)).toEqual([]);
      expect(dx.events.some((e) => e.type === 'secured')).toBe(false);
      // the key was distributed and the peer refused it (a member refuses a suite outside its list)
      expect(distributedSaks(dx).length).toBeGreaterThan(0);
      expect(rt.kay.counters.sakCipherMismatchErrors).toBeGreaterThan(0);
      expect(rt.kay.status().notSecured).toMatchObject({ code: 'noCommonCipherSuite', reason: expect.stringMatching(/GCM-AES-XPN-256/) });
      const s = dx.kay.status();
      expect(s.secured).toBe(false);
      expect(s.notSecured?.code).toBe('waitingForPeerRx');
      expect(s.notSecured?.reason).toMatch(/02:00:00:00:00:02\/1/);
      expect(s.controlledPort).toBe(mode === 'must_encrypt' ? 'blocked' : 'clear');
      // whatever goes out is not protected with a key the peer never installed
      lab.trafficEveryMs = 10;
      lab.advance(2000);
      expect(rt.received.noSa ?? 0).toBe(0);
      expect(rt.received.notValid ?? 0).toBe(0);
    });
  }
});
