/**
 * The native fast path (src/io/native/fastpath.c) against the reference: the
 * TypeScript SecY with the port's decisions of src/node/macsec-port.ts and
 * port.ts. Two identical SecYs see the same random frames; one decides every
 * frame itself, the other lets the fast path take what it takes and decides
 * the rest. Delivered bytes, verdicts, events, PNs and every counter must be
 * equal, over every suite, the three validateFrames values, replay windows,
 * VLAN TAPs, rekeys, XPN PN wrap and mutated, replayed and foreign frames.
 * All of it once per native GCM engine that runs here (OpenSSL, and
 * intel-ipsec-mb where it loads): the fast path calls the engine of its SA's key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FAST_PATH_MAX_RX_SAS, FastPath, nativeAvailable, nativeGcmEngines, opensslGcmEngine, type FastPathPortConfig, type NativeGcmEngine } from '../../../src/io/index.js';
import {
  CIPHER_SUITES,
  SecY,
  sciFromHex,
  type CipherSuite,
  type SecYConfig,
  type ValidateFrames,
} from '../../../src/macsec/index.js';
import { addVlanTag, removeVlanTag, vlanOf } from '../../../src/node/vlan.js';
import { seededRandom as prng } from '../../helpers/random.js';

const native = nativeAvailable();
/** The engine of the SecYs of the running describe block (one block per engine). */
let engine: NativeGcmEngine = opensslGcmEngine;
const ENGINES = native ? nativeGcmEngines() : [opensslGcmEngine];

const OUR_SCI = sciFromHex('5254000000010001');
const PEER_SCI = sciFromHex('5254000000020001');
const OUR_MAC = [0x52, 0x54, 0, 0, 0, 1];
const PEER_MAC = [0x52, 0x54, 0, 0, 0, 2];

interface Scenario {
  seed: number;
  suite: CipherSuite;
  validateFrames: ValidateFrames;
  replayProtect: boolean;
  replayWindow: number;
  /** VLAN of each TAP, -1 untagged. */
  taps: number[];
  protectFrames: boolean;
  includeSci: boolean;
  blocked: boolean;
  clearText: number[];
  /** Start the peer's and our PNs here (XPN: near a 2^32 boundary). */
  firstPn: bigint;
  pnThreshold?: bigint;
  maxFrameLength?: number;
}

type Outcome =
  | { kind: 'kay' | 'clear' | 'blocked' | 'noTap' }
  | { kind: 'drop'; verdict: string }
  | { kind: 'tap'; tap: number; frame: string }
  | { kind: 'wire'; frame: string }
  | { kind: 'clearSent'; frame: string }
  | { kind: 'txDrop'; reason: string };

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** macsec-port.ts fromWire + port.ts deliver, for one frame. */
function referenceRx(secy: SecY, s: Scenario, f: Uint8Array): Outcome {
  const et = f.length >= 14 ? (f[12]! << 8) | f[13]! : -1;
  if (et === 0x888e) return { kind: 'kay' };
  if (s.clearText.includes(et)) return { kind: 'clear' };
  const r = secy.validate(f);
  if (!r.ok) return { kind: 'drop', verdict: r.verdict };
  if (s.blocked) return { kind: 'blocked' };
  if (s.taps.length === 1 && s.taps[0] === -1) return { kind: 'tap', tap: 0, frame: hex(r.frame) };
  const vid = vlanOf(r.frame) ?? -1;
  const tap = s.taps.indexOf(vid);
  if (tap < 0) return { kind: 'noTap' };
  return { kind: 'tap', tap, frame: hex(vid >= 0 ? removeVlanTag(r.frame) : r.frame) };
}

/** port.ts (VLAN tag) + macsec-port.ts fromControlledSide, for one frame. */
function referenceTx(secy: SecY, s: Scenario, tap: number, f: Uint8Array): Outcome {
  const g = s.taps[tap]! >= 0 ? addVlanTag(f, s.taps[tap]!) : f;
  const et = (g[12]! << 8) | g[13]!;
  if (s.clearText.includes(et)) return { kind: 'clearSent', frame: hex(g) };
  if (s.blocked) return { kind: 'blocked' };
  const r = secy.protect(g);
  return r.ok ? { kind: 'wire', frame: hex(r.frame) } : { kind: 'txDrop', reason: r.reason };
}

function keyFor(suite: CipherSuite, seed: number): Uint8Array {
  const r = prng(seed);
  return Uint8Array.from({ length: suite.keyLength }, () => Math.floor(r() * 256));
}

const SALT = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);

function makeSecY(s: Scenario, txSci: bigint): SecY {
  const c: SecYConfig = {
    txSci,
    cipherSuite: s.suite,
    engine,
    validateFrames: s.validateFrames,
    replayProtect: s.replayProtect,
    replayWindow: s.replayWindow,
    protectFrames: s.protectFrames,
    includeSci: s.includeSci,
    ...(s.pnThreshold !== undefined ? { pnThreshold: s.pnThreshold } : {}),
    ...(s.maxFrameLength !== undefined ? { maxFrameLength: s.maxFrameLength } : {}),
  };
  return new SecY(c);
}

/** Installs SA `an` (key from `kn`) both ways between `secy` (ours) and the peer. */
function installSa(s: Scenario, ours: SecY, peer: SecY | undefined, an: number, kn: number, enableRx = true): void {
  const sak = keyFor(s.suite, kn);
  const xpn = s.suite.xpn ? { salt: SALT } : {};
  ours.createRxSc(PEER_SCI);
  ours.createRxSa(PEER_SCI, { an, sak, lowestPn: s.firstPn, ...(s.suite.xpn ? { ssci: 2, salt: SALT } : {}) });
  if (enableRx) ours.enableRxSa(PEER_SCI, an);
  ours.createTxSa({ an, sak, nextPn: s.firstPn, ...(s.suite.xpn ? { ssci: 1, ...xpn } : {}) });
  ours.enableTxSa(an);
  if (peer) {
    peer.createTxSa({ an, sak, nextPn: s.firstPn, ...(s.suite.xpn ? { ssci: 2, ...xpn } : {}) });
    peer.enableTxSa(an);
  }
}

function clearFrame(r: () => number, innerVlan?: number): Uint8Array {
  const len = r() < 0.2 ? 14 + Math.floor(r() * 50) : 14 + Math.floor(r() * 1500);
  const f = Uint8Array.from({ length: len }, () => Math.floor(r() * 256));
  f.set(PEER_MAC.map((x) => x ^ 1), 0);
  f.set(PEER_MAC, 6);
  const types = [0x0800, 0x86dd, 0x0806, 0x88cc];
  const t = types[Math.floor(r() * types.length)]!;
  f[12] = t >> 8;
  f[13] = t & 0xff;
  return innerVlan === undefined ? f : addVlanTag(f, innerVlan);
}

/** A frame from the wire: mostly the peer's, then mutated, replayed or foreign. */
function wireFrame(r: () => number, s: Scenario, peer: SecY, sent: Uint8Array[]): Uint8Array {
  const pick = r();
  if (pick < 0.08 && sent.length) return sent[Math.floor(r() * sent.length)]!; // replay
  if (pick < 0.12) return clearFrame(r); // untagged
  if (pick < 0.14) return Uint8Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 256)); // short junk
  if (pick < 0.15) {
    const f = clearFrame(r);
    f[12] = 0x88;
    f[13] = 0x8e;
    return f; // EAPOL
  }
  const vids = s.taps.filter((v) => v >= 0);
  const inner = vids.length && r() < 0.8 ? (r() < 0.9 ? vids[Math.floor(r() * vids.length)] : 999) : undefined;
  const p = peer.protect(clearFrame(r, inner));
  if (!p.ok) return clearFrame(r);
  const f = new Uint8Array(p.frame);
  sent.push(f);
  const m = r();
  if (m < 0.06) f[f.length - 1 - Math.floor(r() * 16)]! ^= 1 << Math.floor(r() * 8); // ICV
  else if (m < 0.1) f[14 + Math.floor(r() * (f.length - 14))]! ^= 1 << Math.floor(r() * 8); // anywhere
  else if (m < 0.12) f[14] = (f[14]! & ~3) | ((f[14]! + 1) & 3); // other AN
  else if (m < 0.13) f[14]! ^= 0x80; // version
  else if (m < 0.14) f[15] = Math.floor(r() * 64); // SL
  else if (m < 0.15 && (f[14]! & 0x20)) f[27]! ^= 1; // unknown SCI
  else if (m < 0.16) f[14]! &= ~0x0c; // E = C = 0: integrity only, ICV now wrong
  else if (m < 0.17) return f.subarray(0, Math.floor(r() * f.length));
  return f;
}

function portConfig(s: Scenario): FastPathPortConfig {
  return { enabled: true, blocked: s.blocked, taps: s.taps, eapolEtherType: 0x888e, clearText: s.clearText };
}

/** Frames each side handled: the fast path's, and those it declined to the reference SecY. */
interface Split {
  fastRx: number;
  fastTx: number;
  refRx: number;
  refTx: number;
}

function run(s: Scenario, steps: number): Split {
  const r = prng(s.seed);
  const ref = makeSecY(s, OUR_SCI);
  const fast = makeSecY(s, OUR_SCI);
  const peer = makeSecY({ ...s, protectFrames: true, pnThreshold: undefined, maxFrameLength: undefined }, PEER_SCI);
  const fp = FastPath.create();
  const reconfigure = () => {
    fp.configure({ ...portConfig(s), ...fast.fastPathTables() });
  };
  fast.onChange = reconfigure;
  installSa(s, ref, undefined, 0, 1);
  installSa(s, fast, peer, 0, 1);
  reconfigure();
  const sent: Uint8Array[] = [];
  let fastRx = 0;
  let fastTx = 0;
  let refRx = 0;
  let refTx = 0;
  let an = 0;
  for (let i = 0; i < steps; i++) {
    if (i > 0 && i % 400 === 0) {
      // A rekey: the next AN, installed on all three; the old receive SA later goes.
      const old = an;
      an = (an + 1) % 4;
      installSa(s, ref, undefined, an, 10 + i);
      installSa(s, fast, peer, an, 10 + i);
      ref.deleteRxSa(PEER_SCI, old === 0 ? 3 : old - 1);
      fast.deleteRxSa(PEER_SCI, old === 0 ? 3 : old - 1);
    }
    if (i % 97 === 50) {
      // Delay protection raising the lowest PN: shared memory, no reconfiguration.
      const next = ref.rxSaNextPn(PEER_SCI, an)!;
      ref.setLowestPn(PEER_SCI, an, next + 2n);
      fast.setLowestPn(PEER_SCI, an, next + 2n);
    }
    if (r() < 0.5) {
      const f = wireFrame(r, s, peer, sent);
      const want = referenceRx(ref, s, f);
      const res = fp.process('rx', [f]);
      let got: Outcome;
      if (res.out.length) {
        fastRx++;
        got = { kind: 'tap', tap: res.out[0]!.tap, frame: hex(res.out[0]!.frame) };
      } else {
        refRx++;
        got = referenceRx(fast, s, f);
      }
      expect(got, `rx step ${i}`).toEqual(want);
    } else {
      const tap = Math.floor(r() * s.taps.length);
      const f = clearFrame(r);
      const want = referenceTx(ref, s, tap, f);
      const res = fp.process('tx', [f], tap);
      let got: Outcome;
      if (res.out.length) {
        fastTx++;
        got = { kind: 'wire', frame: hex(res.out[0]!.frame) };
      } else {
        refTx++;
        got = referenceTx(fast, s, tap, f);
      }
      expect(got, `tx step ${i}`).toEqual(want);
      expect(fast.takeEvents()).toEqual(ref.takeEvents());
    }
    if (i % 50 === 0) expect(fast.snapshot()).toEqual(ref.snapshot());
  }
  expect(fast.snapshot()).toEqual(ref.snapshot());
  expect(fast.counters).toEqual(ref.counters);
  expect(fast.txScCounters).toEqual(ref.txScCounters);
  const st = fp.stats();
  expect(st.txFrames).toBe(fastTx);
  expect(st.rxFrames).toBe(fastRx);
  return { fastRx, fastTx, refRx, refTx };
}

const base: Omit<Scenario, 'seed' | 'suite'> = {
  validateFrames: 'strict',
  replayProtect: true,
  replayWindow: 0,
  taps: [-1],
  protectFrames: true,
  includeSci: true,
  blocked: false,
  clearText: [],
  firstPn: 1n,
};

describe.skipIf(!native).each(ENGINES.map((e) => ({ e, name: e.name })))('native fast path on $name = TypeScript SecY', ({ e }) => {
  beforeAll(() => {
    engine = e;
  });
  for (const suite of CIPHER_SUITES) {
    it(`${suite.name}: same frames, verdicts and counters`, () => {
      const { fastRx, fastTx } = run({ ...base, seed: 1, suite }, 2000);
      // The common case really ran in C.
      expect(fastRx).toBeGreaterThan(300);
      expect(fastTx).toBeGreaterThan(600);
    });
  }

  it('XPN across a 2^32 PN boundary, with a replay window', () => {
    const xpn = CIPHER_SUITES.find((c) => c.xpn)!;
    const { fastRx } = run({ ...base, seed: 2, suite: xpn, firstPn: 0xffffff00n, replayWindow: 32 }, 1600);
    expect(fastRx).toBeGreaterThan(200);
  });

  for (const validateFrames of ['check', 'disabled'] as const) {
    it(`validateFrames ${validateFrames}, replayProtect off`, () => {
      const split = run({ ...base, seed: 3, suite: CIPHER_SUITES[0]!, validateFrames, replayProtect: false, replayWindow: 4 }, 1500);
      // The fast path took the common case in C, and declined the frames it
      // leaves to the reference (bad tags, replays, unknown SAs): equal
      // results alone would also hold if it declined everything.
      expect(split.fastRx).toBeGreaterThan(300);
      expect(split.fastTx).toBeGreaterThan(600);
      expect(split.refRx).toBeGreaterThan(50);
    });
  }

  it('VLAN TAPs: tags added inside MACsec, frames routed by VLAN, unknown VLANs left to the port', () => {
    const { fastRx } = run({ ...base, seed: 4, suite: CIPHER_SUITES[1]!, taps: [100, 200, -1] }, 2000);
    expect(fastRx).toBeGreaterThan(300);
  });

  it('no SCI in the SecTAG, clear-text EtherTypes, a small maximum frame length', () => {
    const split = run({ ...base, seed: 5, suite: CIPHER_SUITES[0]!, includeSci: false, clearText: [0x88cc], maxFrameLength: 900 }, 1500);
    // Frames without an SCI were taken in C both ways; clear-text EtherTypes
    // and frames over the maximum length went to the reference.
    expect(split.fastRx).toBeGreaterThan(300);
    expect(split.fastTx).toBeGreaterThan(200);
    expect(split.refRx).toBeGreaterThan(50);
    expect(split.refTx).toBeGreaterThan(50);
  });

  it('stops before the PN threshold: the reference raises the event', () => {
    const { fastTx } = run({ ...base, seed: 6, suite: CIPHER_SUITES[0]!, pnThreshold: 150n }, 1200);
    expect(fastTx).toBeGreaterThan(100);
  });

  it('protectFrames off (no_encrypt): untagged both ways', () => {
    const { fastRx, fastTx } = run({ ...base, seed: 7, suite: CIPHER_SUITES[0]!, protectFrames: false, validateFrames: 'disabled' }, 1200);
    expect(fastTx).toBeGreaterThan(400);
    expect(fastRx).toBeGreaterThan(30);
  });

  it('a blocked controlled port: every frame goes to the reference', () => {
    const { fastRx, fastTx } = run({ ...base, seed: 8, suite: CIPHER_SUITES[0]!, blocked: true }, 600);
    expect(fastRx + fastTx).toBe(0);
  });

  it('receive SAs past the table size are left to the reference SecY', () => {
    const s: Scenario = { ...base, seed: 10, suite: CIPHER_SUITES[0]! };
    const secy = makeSecY(s, OUR_SCI);
    const peers = Array.from({ length: 17 }, (_, i) => makeSecY(s, sciFromHex(`52540000${(0x10 + i).toString(16)}000001`)));
    const sak = keyFor(s.suite, 3);
    peers.forEach((peer, i) => {
      secy.createRxSc(peer.txSci);
      for (let an = 0; an < 4; an++) {
        secy.createRxSa(peer.txSci, { an, sak });
        secy.enableRxSa(peer.txSci, an);
      }
      peer.createTxSa({ an: i % 4, sak });
      peer.enableTxSa(i % 4);
    });
    const tables = secy.fastPathTables();
    expect(tables.rx).toHaveLength(68);
    const fp = FastPath.create();
    expect(() => fp.configure({ ...portConfig(s), ...tables })).toThrow(/rx/);
    fp.configure({ ...portConfig(s), ...tables, rx: tables.rx.slice(0, FAST_PATH_MAX_RX_SAS) });
    const r = prng(5);
    const first = (peers[0]!.protect(clearFrame(r)) as { frame: Uint8Array }).frame;
    const last = (peers[16]!.protect(clearFrame(r)) as { frame: Uint8Array }).frame;
    const res = fp.process('rx', [first, last]);
    expect(res.out.map((o) => o.index)).toEqual([0]);
    expect(res.left).toEqual([1]);
    expect(secy.validate(last)).toMatchObject({ ok: true, verdict: 'inPktsOK' });
  });

  it('a bad configuration throws and keeps the old one', () => {
    const s: Scenario = { ...base, seed: 9, suite: CIPHER_SUITES[0]! };
    const secy = makeSecY(s, OUR_SCI);
    const peer = makeSecY(s, PEER_SCI);
    installSa(s, secy, peer, 0, 1);
    const fp = FastPath.create();
    fp.configure({ ...portConfig(s), ...secy.fastPathTables() });
    const good = peer.protect(clearFrame(prng(1))) as { ok: true; frame: Uint8Array };
    expect(() => fp.configure({ ...portConfig(s), ...secy.fastPathTables(), taps: [] })).toThrow(/taps/);
    expect(() => fp.configure({ ...portConfig(s), ...secy.fastPathTables(), rx: [{ ...secy.fastPathTables().rx[0]!, key: {} }] })).toThrow(/rx/);
    expect(fp.process('rx', [good.frame]).out).toHaveLength(1);
  });
});
