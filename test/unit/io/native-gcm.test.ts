/**
 * The native GCM engines (src/io/native/gcm.c through src/io/native-gcm.ts:
 * OpenSSL, and intel-ipsec-mb where it loads) against the node:crypto
 * reference engine: one SecY per engine, the same inputs, and the outputs
 * must be identical — protected bytes, verdicts,
 * delivered frames, PNs and every 802.1AE counter (STYLE.md §8: one suite,
 * several implementations, as noble cross-checks node:crypto).
 *
 * - every frame length 0..9012 (secure data 0..9000) in every suite, with
 *   and without confidentiality, each also with a corrupted ICV and under a
 *   wrong key;
 * - fast-check scenarios: random suite, SecTAG options, validateFrames,
 *   replay settings, PNs (XPN across the 32-bit wrap), keys, and frame
 *   sequences with corruption, truncation, loss, replay and reordering;
 * - every frame of the Linux captures in test/vectors/captures/;
 * - the 802.1AE Annex C (and 802.1AEbw XPN) frames through each native engine;
 * - each engine's own contract: key sizes, destroy, bounds, zeroing, batches.
 *
 * Every native engine that runs here takes part (nativeGcmEngines); where
 * intel-ipsec-mb's header is installed (scripts/setup.sh, CI) its engine must
 * be among them, so that CI cannot pass without it.
 *
 * Needs the addon (built by `npm ci`, or `npm rebuild`), not root.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  CIPHER_SUITES,
  MacsecError,
  SecY,
  cipherSuiteByName,
  isMacsecFrame,
  nodeGcmEngine,
  sciFromHex,
  type CipherSuite,
  type GcmEngine,
  type ProtectResult,
  type Sci,
  type SecYConfig,
  type ValidateResult,
} from '../../../src/macsec/index.js';
import { GCM_BATCH_FIELDS, IoError, ipsecMbGcmEngine, memoryWire, nativeGcmEngines, nativeGcmInfo, opensslGcmEngine, selectGcmEngine, type NativeGcmEngine } from '../../../src/io/index.js';
import { loadNative } from '../../../src/io/native.js';
import { MacsecPort, createLogger, resolveNodeConfig, type NodeOverrides } from '../../../src/node/index.js';
import { captureKeys, captureSas, loadCapture } from '../../helpers/captures.js';
import { h, hex } from '../../helpers/hex.js';
import { seededRandom } from '../../helpers/random.js';
import { ANNEX_C, ANNEX_C_XPN, XPN_SALT, XPN_SSCI } from '../../vectors/macsec/annex-c.js';
import { annexCSecY, xpnSecY, type VectorSecY } from '../../vectors/macsec/annex-c-secy.js';

/** The native engines that run here, the one `crypto: native` picks first. */
const NATIVE: readonly NativeGcmEngine[] = nativeGcmEngines();
/** The reference first, then every native engine. */
const ENGINES: readonly GcmEngine[] = [nodeGcmEngine, ...NATIVE];
/** Where scripts/setup.sh installed libipsec-mb-dev (the addon then compiles the engine in). */
const IPSEC_MB_HEADER = existsSync('/usr/include/intel-ipsec-mb.h');
const TX_SCI = sciFromHex('0200000000010001');
const RX_SCI = sciFromHex('0200000000020001');
const SALT = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
const TX_MAC = [0x02, 0, 0, 0, 0, 0x01];

function sak(suite: CipherSuite, seed: number): Uint8Array {
  return Uint8Array.from({ length: suite.keyLength }, (_, i) => (i * 31 + seed * 17 + 5) & 0xff);
}

function randomBytes(n: number, rand: () => number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (rand() * 256) | 0;
  return b;
}

// ------------------------------------------------------------ comparing

type Outcome = ProtectResult | ValidateResult | { threw: string };

function attempt<T extends ProtectResult | ValidateResult>(f: () => T): T | { threw: string } {
  try {
    return f();
  } catch (e) {
    return { threw: `${(e as Error).name}/${(e as MacsecError).code}: ${(e as Error).message}` };
  }
}

const frameOf = (o: Outcome): Uint8Array | undefined => ('frame' in o ? o.frame : undefined);

/** Everything but the frame, as text (bigint PNs included). */
function fields(o: Outcome): string {
  const { frame: _f, ...rest } = o as Outcome & { frame?: Uint8Array };
  return JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Records where a native outcome differs from the node:crypto one (outcomes in ENGINES order). */
class Differences {
  readonly list: string[] = [];
  check<T extends Outcome>(what: string, [ref, ...nats]: T[]): T {
    for (const [i, nat] of nats.entries()) {
      if (fields(ref!) !== fields(nat) || !sameBytes(frameOf(ref!), frameOf(nat))) {
        if (this.list.length < 10) {
          const f = (o: Outcome) => `${fields(o)} ${frameOf(o) ? hex(frameOf(o)!.subarray(0, 48)) : ''}`;
          this.list.push(`${what}: node ${f(ref!)} | ${ENGINES[i + 1]!.name} ${f(nat)}`);
        }
      }
    }
    return ref!;
  }
}

// ------------------------------------------------------------ SecYs per engine

interface Setup {
  suite: CipherSuite;
  encrypt: boolean;
  includeSci?: boolean;
  an?: number;
  nextPn?: bigint;
  lowestPn?: bigint;
  rxSeed?: number;
  rx?: Partial<SecYConfig>;
}

/** A transmitting and a receiving SecY sharing one SA, on `engine`. */
function secys(engine: GcmEngine, s: Setup) {
  const includeSci = s.includeSci ?? true;
  const an = s.an ?? 0;
  const xpn = s.suite.xpn ? { ssci: 1, salt: SALT } : {};
  const tx = new SecY({ txSci: TX_SCI, cipherSuite: s.suite, confidentiality: s.encrypt, includeSci, es: !includeSci, engine, pnThreshold: 1n << 62n });
  tx.createTxSa({ an, sak: sak(s.suite, 1), nextPn: s.nextPn ?? 1n, ...xpn });
  tx.enableTxSa(an);
  const rx = new SecY({ txSci: RX_SCI, cipherSuite: s.suite, engine, ...s.rx });
  rx.createRxSc(TX_SCI);
  rx.createRxSa(TX_SCI, { an, sak: sak(s.suite, s.rxSeed ?? 1), lowestPn: s.lowestPn ?? 1n, ...xpn });
  rx.enableRxSa(TX_SCI, an);
  return { tx, rx };
}

// ------------------------------------------------------------ every size

describe(`SecY on each native engine (${NATIVE.map((e) => e.name).join(', ')}) = SecY on node:crypto, every frame length 0..9012`, () => {
  for (const [si, suite] of CIPHER_SUITES.entries()) {
    for (const encrypt of [true, false]) {
      it(`${suite.name}, ${encrypt ? 'encrypted' : 'integrity only'}: same bytes, verdicts and counters; corrupted ICVs and a wrong key rejected alike`, () => {
        const rand = seededRandom(0x9c3 + si * 2 + (encrypt ? 1 : 0));
        // A late start PN: for XPN the frames cross the 32-bit wrap half-way.
        const nextPn = suite.xpn ? 0x100000000n - 4500n : 0x7ffff000n;
        const sides = ENGINES.map((engine) => ({ ...secys(engine, { suite, encrypt, nextPn, lowestPn: nextPn }), wrong: secys(engine, { suite, encrypt, nextPn, lowestPn: nextPn, rxSeed: 2 }).rx }));
        const d = new Differences();
        let ok = 0;
        for (let len = 0; len <= 12 + 9000; len++) {
          const frame = randomBytes(len, rand);
          const p = d.check(`protect ${len}`, sides.map((s) => attempt(() => s.tx.protect(frame))));
          if (!('ok' in p) || !p.ok) {
            // Shorter than an Ethernet header: both throw; the receivers see it as malformed or untagged.
            d.check(`validate raw ${len}`, sides.map((s) => s.rx.validate(frame)));
            continue;
          }
          const wire = p.frame;
          const bad = wire.slice();
          bad[bad.length - 1 - (len % 16)]! ^= 1 << (len % 8);
          d.check(`validate corrupted ICV ${len}`, sides.map((s) => s.rx.validate(bad)));
          d.check(`validate wrong key ${len}`, sides.map((s) => s.wrong.validate(wire)));
          const v = d.check(`validate ${len}`, sides.map((s) => s.rx.validate(wire)));
          if (v.verdict === 'inPktsOK' && sameBytes(frameOf(v), frame)) ok++;
        }
        expect(d.list).toEqual([]);
        expect(ok).toBe(9012 - 14 + 1);
        const [ref, ...nats] = sides;
        for (const nat of nats) {
          expect(nat.tx.snapshot()).toEqual(ref!.tx.snapshot());
          expect(nat.rx.snapshot()).toEqual(ref!.rx.snapshot());
          expect(nat.wrong.snapshot()).toEqual(ref!.wrong.snapshot());
        }
        expect(ref!.wrong.snapshot().rxScs[0]!.inPktsNotValid).toBe(ok);
        expect(ref!.rx.snapshot().rxScs[0]!.inPktsNotValid).toBe(ok);
      });
    }
  }
});

// ------------------------------------------------------------ random scenarios

const MUTATIONS = ['none', 'none', 'icv', 'data', 'tag', 'truncate', 'extend', 'drop', 'replay', 'delay'] as const;

const scenario = fc.record({
  suite: fc.constantFrom(...CIPHER_SUITES),
  encrypt: fc.boolean(),
  includeSci: fc.boolean(),
  an: fc.integer({ min: 0, max: 3 }),
  pn: fc.bigInt({ min: 1n, max: (1n << 64n) - 64n }),
  validateFrames: fc.constantFrom('strict' as const, 'check' as const, 'disabled' as const),
  replayProtect: fc.boolean(),
  replayWindow: fc.integer({ min: 0, max: 3 }),
  wrongKey: fc.boolean(),
  frames: fc.array(
    fc.record({
      len: fc.oneof(fc.integer({ min: 0, max: 9012 }), fc.integer({ min: 10, max: 80 })),
      seed: fc.integer(),
      mutation: fc.constantFrom(...MUTATIONS),
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
    { minLength: 1, maxLength: 10 },
  ),
});

describe('random scenarios (fast-check)', () => {
  it('any suite, SecTAG options, validateFrames, replay settings, PN, key and frame sequence: identical outcomes and counters', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        // Non-XPN PNs are 32 bits; XPN ones start anywhere in 64 bits.
        const pn = sc.suite.xpn ? sc.pn : (sc.pn % 0xfffffff0n) + 1n;
        const sides = ENGINES.map((engine) =>
          secys(engine, {
            suite: sc.suite,
            encrypt: sc.encrypt,
            includeSci: sc.includeSci,
            an: sc.an,
            nextPn: pn,
            lowestPn: pn,
            rxSeed: sc.wrongKey ? 3 : 1,
            rx: { validateFrames: sc.validateFrames, replayProtect: sc.replayProtect, replayWindow: sc.replayWindow },
          }),
        );
        const d = new Differences();
        let delayed: Uint8Array | undefined;
        let last: Uint8Array | undefined;
        for (const [i, f] of sc.frames.entries()) {
          const frame = randomBytes(f.len, seededRandom(f.seed));
          // Without an explicit SCI the receiver names the SC from the source address (ES = 1).
          if (!sc.includeSci && f.len >= 12) frame.set(TX_MAC, 6);
          const p = d.check(`frame ${i} protect`, sides.map((s) => attempt(() => s.tx.protect(frame))));
          let wire = 'ok' in p && p.ok ? p.frame : frame;
          const at = f.at % Math.max(1, wire.length);
          switch (f.mutation) {
            case 'icv':
              wire = wire.slice();
              if (wire.length) wire[wire.length - 1 - (f.at % Math.min(16, wire.length))]! ^= 1 << f.bit;
              break;
            case 'data':
              wire = wire.slice();
              if (wire.length) wire[at]! ^= 1 << f.bit;
              break;
            case 'tag':
              wire = wire.slice();
              if (wire.length > 14) wire[14 + (f.at % Math.min(16, wire.length - 14))]! ^= 1 << f.bit;
              break;
            case 'truncate':
              wire = wire.subarray(0, at);
              break;
            case 'extend':
              wire = Uint8Array.from([...wire, ...randomBytes(1 + (f.at % 40), seededRandom(f.seed + 1))]);
              break;
          }
          if (f.mutation === 'drop') continue;
          if (f.mutation === 'delay' && delayed === undefined) {
            delayed = wire;
            continue;
          }
          d.check(`frame ${i} validate (${f.mutation})`, sides.map((s) => s.rx.validate(wire)));
          if (f.mutation === 'replay' && last) d.check(`frame ${i} replay`, sides.map((s) => s.rx.validate(last!)));
          if (delayed && f.mutation !== 'delay') {
            d.check(`frame ${i} delayed`, sides.map((s) => s.rx.validate(delayed!)));
            delayed = undefined;
          }
          last = wire;
        }
        expect(d.list).toEqual([]);
        for (const nat of sides.slice(1)) {
          expect(nat.tx.snapshot()).toEqual(sides[0]!.tx.snapshot());
          expect(nat.rx.snapshot()).toEqual(sides[0]!.rx.snapshot());
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ------------------------------------------------------------ captures

describe('every frame of the Linux captures (test/vectors/captures) through every engine', () => {
  for (const file of ['static-gcm-aes-256.pcap', 'static-gcm-aes-xpn-256.pcap', 'mka-cak256.pcap']) {
    it(`${file}: same verdicts and cleartext, corrupted and wrong-key frames rejected alike, re-encryption gives the captured bytes`, () => {
      const cap = loadCapture(file);
      const cipherSuite = cipherSuiteByName(captureKeys(file).cipher_suite);
      const sas = captureSas(file);
      const receiver = (engine: GcmEngine, keySeed?: number) => {
        const rx = new SecY({ txSci: sciFromHex('0000000000000001'), cipherSuite, replayProtect: true, replayWindow: 0, engine });
        for (const sa of sas) {
          rx.createRxSc(sa.sci);
          const key = keySeed === undefined ? h(sa.sak) : sak(cipherSuite, keySeed);
          rx.createRxSa(sa.sci, { an: sa.an, sak: key, lowestPn: sa.firstPn, ssci: sa.ssci, salt: sa.salt ? h(sa.salt) : undefined });
          rx.enableRxSa(sa.sci, sa.an);
        }
        return rx;
      };
      const sides = ENGINES.map((engine) => ({ engine, rx: receiver(engine), wrong: receiver(engine, 9) }));
      const d = new Differences();
      let reencrypted = 0;
      for (const [i, f] of cap.frames.entries()) {
        if (isMacsecFrame(f.data) && f.data.length > 16) {
          const bad = f.data.slice();
          bad[bad.length - 1]! ^= 0x80;
          d.check(`frame ${i} corrupted ICV`, sides.map((s) => s.rx.validate(bad)));
          d.check(`frame ${i} wrong key`, sides.map((s) => s.wrong.validate(f.data)));
        }
        // MKPDUs too: every frame of the capture, whatever it carries.
        const v = d.check(`frame ${i}`, sides.map((s) => s.rx.validate(f.data)));
        if (v.verdict !== 'inPktsOK' || !v.ok) continue;
        const sa = sas.find((s) => s.sci === v.sci)!;
        for (const s of sides) {
          const tx = new SecY({ txSci: sa.sci, cipherSuite, engine: s.engine });
          tx.createTxSa({ an: sa.an, sak: h(sa.sak), nextPn: v.pn!, ssci: sa.ssci, salt: sa.salt ? h(sa.salt) : undefined });
          tx.enableTxSa(sa.an);
          const p = tx.protect(v.frame);
          expect(p.ok && hex(p.frame), `${s.engine.name} frame ${i}`).toBe(hex(f.data));
        }
        reencrypted++;
      }
      expect(d.list).toEqual([]);
      expect(reencrypted).toBe(captureKeys(file).frames.macsec);
      for (const nat of sides.slice(1)) {
        expect(nat.rx.snapshot()).toEqual(sides[0]!.rx.snapshot());
        expect(nat.wrong.snapshot()).toEqual(sides[0]!.wrong.snapshot());
      }
      expect(sides[1]!.wrong.snapshot().rxScs.reduce((n, sc) => n + sc.inPktsNotValid, 0)).toBe(reencrypted);
    });
  }
});

// ------------------------------------------------------------ Annex C

describe.each(NATIVE.map((engine) => ({ engine, name: engine.name })))('802.1AE Annex C frames through the native engine $name', ({ engine }) => {
  /** Protects the frame as its vector says, then validates the vector's frame, both on the native engine. */
  const roundTrip = (v: VectorSecY, key: string, expected: string, xpn: boolean) => {
    const config = { ...v.config, engine };
    const xpnKeys = xpn ? { ssci: XPN_SSCI, salt: h(XPN_SALT) } : {};
    const tx = new SecY(config);
    tx.createTxSa({ an: v.an, sak: h(key), nextPn: v.pn, ...xpnKeys });
    tx.enableTxSa(v.an);
    const p = tx.protect(h(v.original));
    expect(p.ok && hex(p.frame)).toBe(expected);
    const rx = new SecY(config);
    rx.createRxSc(v.sci);
    // An XPN receiver knows the upper half of the PN from its own nextPN: start just below.
    rx.createRxSa(v.sci, { an: v.an, sak: h(key), lowestPn: xpn ? v.pn - 1000n : 1n, ...xpnKeys });
    rx.enableRxSa(v.sci, v.an);
    const r = rx.validate(h(expected));
    expect(r.verdict).toBe('inPktsOK');
    expect(r.pn).toBe(v.pn);
    expect(r.ok && hex(r.frame)).toBe(v.original);
  };
  for (const v of ANNEX_C) it(v.name, () => roundTrip(annexCSecY(v), v.key, v.protected, false));
  for (const v of ANNEX_C_XPN) it(`${v.name} ${v.suite} (802.1AEbw XPN)`, () => roundTrip(xpnSecY(v), v.key, v.protected, true));
});

// ------------------------------------------------------------ the engine itself

describe('the addon\'s engines', () => {
  it('runs the OpenSSL of the node binary', () => {
    expect(nativeGcmInfo().openssl).toContain(`OpenSSL ${process.versions.openssl} `);
    expect(nativeGcmInfo().batchFields).toBe(GCM_BATCH_FIELDS);
  });

  it('runs intel-ipsec-mb where its header is installed, first when it runs AES-NI code; or says why not', () => {
    const m = nativeGcmInfo().ipsecMb!;
    expect(m).toBeDefined();
    if (IPSEC_MB_HEADER) expect(m, 'libipsec-mb-dev is installed: the addon must build and load the engine').toMatchObject({ available: true });
    if (m.available) {
      expect(m.version).toMatch(/^\d+\.\d+/);
      expect(['sse', 'avx', 'avx2', 'avx512', 'no-aesni']).toContain(m.arch);
      expect(NATIVE).toEqual(m.preferred ? [ipsecMbGcmEngine, opensslGcmEngine] : [opensslGcmEngine, ipsecMbGcmEngine]);
      expect(m.reason).toBeUndefined();
    } else {
      expect(NATIVE).toEqual([opensslGcmEngine]);
      expect(m.reason).toMatch(/intel-ipsec-mb/);
    }
  });
});

describe.each(NATIVE.map((engine) => ({ engine, name: engine.name })))('the native engine $name', ({ engine: nativeGcmEngine }) => {
  const rand = seededRandom(77);
  const iv = randomBytes(12, rand);
  const aad = randomBytes(28, rand);

  it('refuses keys other than 16 or 32 octets with the MacsecError of the reference', () => {
    for (const n of [0, 15, 24, 33]) {
      for (const engine of ENGINES) expect(() => engine.createKey(new Uint8Array(n))).toThrow(expect.objectContaining({ name: 'MacsecError', code: 'invalidKey' }));
    }
  });

  it('writes at an offset into a larger buffer and touches nothing around it', () => {
    const k = randomBytes(16, rand);
    const [a, b] = [nativeGcmEngine.createKey(k), nodeGcmEngine.createKey(k)];
    const pt = randomBytes(100, rand);
    const outA = new Uint8Array(140).fill(0xee);
    const outB = new Uint8Array(140).fill(0xee);
    a.seal(iv, aad, pt, outA.subarray(3), 7);
    b.seal(iv, aad, pt, outB.subarray(3), 7);
    expect(hex(outA)).toBe(hex(outB));
    expect(outA.subarray(0, 10).every((x) => x === 0xee) && outA.subarray(126).every((x) => x === 0xee)).toBe(true);
  });

  it('an ICV that does not verify returns false and leaves zeros where the plaintext would be', () => {
    const k = randomBytes(16, rand);
    const key = nativeGcmEngine.createKey(k);
    const pt = randomBytes(64, rand);
    const sealed = new Uint8Array(80);
    key.seal(iv, aad, pt, sealed, 0);
    const out = new Uint8Array(70).fill(0xaa);
    const icv = sealed.slice(64);
    icv[5]! ^= 1;
    expect(key.open(iv, aad, sealed.subarray(0, 64), icv, out, 3)).toBe(false);
    expect(hex(out.subarray(3, 67))).toBe('00'.repeat(64));
    expect(hex(out.subarray(0, 3)) + hex(out.subarray(67))).toBe('aa'.repeat(6));
    expect(key.open(iv, aad, sealed.subarray(0, 64), sealed.subarray(64), out, 3)).toBe(true);
    expect(hex(out.subarray(3, 67))).toBe(hex(pt));
    // Another AAD, another IV: no.
    expect(key.open(iv, aad.subarray(1), sealed.subarray(0, 64), sealed.subarray(64), out, 3)).toBe(false);
    expect(key.open(randomBytes(12, rand), aad, sealed.subarray(0, 64), sealed.subarray(64), out, 3)).toBe(false);
  });

  it('seals and opens in place', () => {
    const key = nativeGcmEngine.createKey(randomBytes(32, rand));
    const pt = randomBytes(200, rand);
    const buf = new Uint8Array(216);
    buf.set(pt);
    key.seal(iv, aad, buf.subarray(0, 200), buf, 0);
    expect(hex(buf.subarray(0, 200))).not.toBe(hex(pt));
    expect(key.open(iv, aad, buf.subarray(0, 200), buf.subarray(200), buf, 0)).toBe(true);
    expect(hex(buf.subarray(0, 200))).toBe(hex(pt));
  });

  it('rejects out-of-bounds output and wrong IV or ICV lengths with IoError(invalidArgument), writing nothing', () => {
    const key = nativeGcmEngine.createKey(randomBytes(16, rand));
    const out = new Uint8Array(40).fill(1);
    const cases: Array<() => unknown> = [
      () => key.seal(iv, aad, new Uint8Array(30), out, 0),
      () => key.seal(iv, aad, new Uint8Array(10), out, 15),
      () => key.seal(iv, aad, new Uint8Array(0), out, 2 ** 32),
      () => key.seal(iv, aad, new Uint8Array(0), out, -1),
      () => key.seal(iv.subarray(1), aad, new Uint8Array(0), out, 0),
      () => key.open(iv, aad, new Uint8Array(41), new Uint8Array(16), out, 0),
      () => key.open(iv, aad, new Uint8Array(8), new Uint8Array(12), out, 0),
      () => key.seal(iv, aad, new Uint16Array(4) as unknown as Uint8Array, out, 0),
    ];
    for (const c of cases) expect(c).toThrow(expect.objectContaining({ name: 'IoError', code: 'invalidArgument' }));
    expect(out.every((x) => x === 1)).toBe(true);
  });

  it('refuses output that partly overlaps the input (neither engine defines the result) with IoError(invalidArgument), writing nothing', () => {
    const key = nativeGcmEngine.createKey(randomBytes(16, rand));
    const buf = randomBytes(120, rand);
    expect(() => key.seal(iv, aad, buf.subarray(0, 64), buf, 8)).toThrow(expect.objectContaining({ name: 'IoError', code: 'invalidArgument' }));
    expect(() => key.open(iv, aad, buf.subarray(8, 72), buf.subarray(100, 116), buf, 0)).toThrow(expect.objectContaining({ name: 'IoError', code: 'invalidArgument' }));
    // A batch frame whose output starts 8 octets into its own data, in the same buffer.
    const desc = Uint32Array.from([0, 16, 16, 64, 96, 24]);
    expect(() => key.sealBatch(buf, buf, 1, desc, iv)).toThrow(expect.objectContaining({ name: 'IoError', code: 'invalidArgument' }));
    const before = buf.slice();
    expect(() => key.openBatch(buf, buf, 1, desc, iv, new Uint8Array(1))).toThrow(expect.objectContaining({ name: 'IoError', code: 'invalidArgument' }));
    expect(hex(buf)).toBe(hex(before));
  });

  it('the addon refuses anything but its own key object, without reading it as one', () => {
    const addon = loadNative() as unknown as Record<string, (...a: unknown[]) => unknown>;
    const out = new Uint8Array(16);
    for (const notKey of [undefined, {}, new Uint8Array(64), 7]) {
      expect(() => addon.gcmSeal!(notKey, iv, aad, new Uint8Array(0), out, 0)).toThrow(TypeError);
      expect(() => addon.gcmDestroy!(notKey)).toThrow(TypeError);
    }
  });

  it('destroy frees the contexts: later use throws IoError(closed); destroying twice is fine', () => {
    const key = nativeGcmEngine.createKey(randomBytes(16, rand));
    key.destroy();
    key.destroy();
    expect(() => key.seal(iv, aad, new Uint8Array(0), new Uint8Array(16), 0)).toThrow(IoError);
    expect(() => key.seal(iv, aad, new Uint8Array(0), new Uint8Array(16), 0)).toThrow(expect.objectContaining({ code: 'closed' }));
  });

  it('frees its contexts on destroy, and through the finalizer for a key that is dropped without destroy', async () => {
    const live = () => nativeGcmInfo().liveKeys;
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const collect = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setImmediate(r));
      }
    };
    // Earlier tests' SecYs leave keys for the collector: collect them first.
    await collect();
    const n = 1000;
    const base = live();
    const keys = Array.from({ length: n }, (_, i) => nativeGcmEngine.createKey(sak(CIPHER_SUITES[3]!, i)));
    expect(live()).toBe(base + n);
    for (const key of keys) key.destroy();
    expect(live()).toBe(base);
    (() => {
      for (let i = 0; i < n; i++) nativeGcmEngine.createKey(sak(CIPHER_SUITES[3]!, i)).seal(iv, aad, new Uint8Array(0), new Uint8Array(16), 0);
    })();
    expect(live()).toBe(base + n);
    await collect();
    expect(live()).toBeLessThanOrEqual(base);
  });

  it('a batch seals and opens exactly as frame-by-frame calls do, flags the frames that fail, and refuses a bad descriptor before touching anything', () => {
    const k = randomBytes(32, rand);
    const [key, ref] = [nativeGcmEngine.createKey(k), nodeGcmEngine.createKey(k)];
    const lens = [0, 1, 15, 16, 17, 60, 1486, 9000, 33];
    const count = lens.length;
    const aadLen = 16;
    const src = new Uint8Array(lens.reduce((n, l) => n + aadLen + l + 16, 0));
    const desc = new Uint32Array(count * GCM_BATCH_FIELDS);
    const ivs = randomBytes(12 * count, rand);
    let at = 0;
    for (const [i, l] of lens.entries()) {
      src.set(randomBytes(aadLen + l, rand), at);
      // aad, data, then room for the tag right behind the data: the wire layout.
      desc.set([at, aadLen, at + aadLen, l, at + aadLen + l, at + aadLen], i * GCM_BATCH_FIELDS);
      at += aadLen + l + 16;
    }
    const original = src.slice();
    const dst = new Uint8Array(src.length);
    dst.set(src);
    key.sealBatch(src, dst, count, desc, ivs);
    for (const [i, l] of lens.entries()) {
      const [a, , d, , t] = desc.subarray(i * GCM_BATCH_FIELDS);
      const expected = new Uint8Array(l + 16);
      ref.seal(ivs.subarray(12 * i, 12 * i + 12), original.subarray(a!, a! + aadLen), original.subarray(d!, d! + l), expected, 0);
      expect(hex(dst.subarray(d!, t! + 16)), `frame ${i}`).toBe(hex(expected));
    }
    // In place: seal src itself, then open it back in place.
    key.sealBatch(src, src, count, desc, ivs);
    expect(hex(src)).toBe(hex(dst));
    src[desc[3 * GCM_BATCH_FIELDS + 4]!]! ^= 1; // frame 3's ICV
    const ok = new Uint8Array(count);
    expect(key.openBatch(src, src, count, desc, ivs, ok)).toBe(count - 1);
    expect([...ok]).toEqual(lens.map((_, i) => (i === 3 ? 0 : 1)));
    for (const [i, l] of lens.entries()) {
      const d = desc[i * GCM_BATCH_FIELDS + 2]!;
      expect(hex(src.subarray(d, d + l))).toBe(i === 3 ? '00'.repeat(l) : hex(original.subarray(d, d + l)));
    }
    const before = dst.slice();
    const badDesc = desc.slice();
    badDesc[(count - 1) * GCM_BATCH_FIELDS + 3] = dst.length; // last frame's data past the end
    expect(() => key.sealBatch(before, dst, count, badDesc, ivs)).toThrow(expect.objectContaining({ name: 'IoError', code: 'invalidArgument' }));
    expect(() => key.sealBatch(before, dst, count + 1, desc, ivs)).toThrow(expect.objectContaining({ code: 'invalidArgument' }));
    expect(() => key.openBatch(before, dst, count, desc, ivs, new Uint8Array(count - 1))).toThrow(expect.objectContaining({ code: 'invalidArgument' }));
    expect(hex(dst)).toBe(hex(before));
  });
});

// ------------------------------------------------------------ selection

describe('choosing the engine', () => {
  it('native by default where the addon loads (intel-ipsec-mb where it runs AES-NI code, else OpenSSL); one engine when forced; node when asked', () => {
    expect(selectGcmEngine().engine).toBe(NATIVE[0]);
    expect(selectGcmEngine().fallback).toBeUndefined();
    expect(selectGcmEngine('native').engine).toBe(NATIVE[0]);
    expect(selectGcmEngine('openssl').engine).toBe(opensslGcmEngine);
    expect(selectGcmEngine('node').engine).toBe(nodeGcmEngine);
    if (nativeGcmInfo().ipsecMb?.available) expect(selectGcmEngine('ipsec-mb').engine).toBe(ipsecMbGcmEngine);
    else expect(() => selectGcmEngine('ipsec-mb')).toThrow(expect.objectContaining({ name: 'IoError', code: 'addonNotLoaded', message: expect.stringMatching(/^crypto ipsec-mb: .*intel-ipsec-mb/) }));
    if (IPSEC_MB_HEADER && nativeGcmInfo().ipsecMb?.preferred) expect(NATIVE[0]).toBe(ipsecMbGcmEngine);
  });

  it('where libIPSec_MB does not load, native runs OpenSSL, and ipsec-mb forced is an error naming why (a process of its own: the library loads once)', () => {
    const code = `
      import { selectGcmEngine, nativeGcmEngines, nativeGcmInfo } from './src/io/index.ts';
      const out = { engines: nativeGcmEngines().map((e) => e.name), native: selectGcmEngine('native').engine.name, none: selectGcmEngine().engine.name, info: nativeGcmInfo().ipsecMb };
      try { selectGcmEngine('ipsec-mb'); out.forced = 'ran'; } catch (e) { out.forced = e.name + '/' + e.code + ': ' + e.message; }
      console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: new URL('../../..', import.meta.url).pathname,
      env: { ...process.env, DXLAB_IPSEC_MB_LIBRARY: `/nonexistent-${process.pid}/libIPSec_MB.so.1` },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { engines: string[]; native: string; none: string; forced: string; info: { available: boolean; reason: string } };
    expect(out).toMatchObject({ engines: ['openssl'], native: 'openssl', none: 'openssl', info: { available: false } });
    expect(out.info.reason).toMatch(/intel-ipsec-mb|without intel-ipsec-mb/);
    expect(out.forced).toMatch(/^IoError\/addonNotLoaded: crypto ipsec-mb: .*(nonexistent-\d+\/libIPSec_MB\.so\.1|built without intel-ipsec-mb)/);
  });

  it('the node config `crypto` (or the crypto override) picks the MACsec port\'s engine, and its status says which runs', () => {
    const doc = (crypto?: string) => ({
      name: 'n',
      kind: 'router',
      ...(crypto ? { crypto } : {}),
      ports: [{ name: 'eth1', wire: 'w', macsec: { keyChain: [{ ckn: '11'.repeat(32), cak: '22'.repeat(32) }] } }],
    });
    const status = (crypto?: string, overrides: NodeOverrides = {}) => {
      const config = resolveNodeConfig(doc(crypto), 'n.yaml', overrides);
      const [wire] = memoryWire({ names: ['w', 'w-peer'], mtu: 1600 });
      const port = new MacsecPort(config.ports[0]!, { wire, taps: [], now: () => 0, wallNs: () => 0n, log: createLogger('error', 'test', () => {}), onEvent: () => {} });
      return { crypto: port.status().crypto, resolved: config.crypto };
    };
    const fastest = NATIVE[0]!.name;
    expect(status()).toEqual({ crypto: fastest, resolved: undefined });
    expect(status('native')).toEqual({ crypto: fastest, resolved: 'native' });
    expect(status('openssl')).toEqual({ crypto: 'openssl', resolved: 'openssl' });
    if (NATIVE.includes(ipsecMbGcmEngine)) expect(status('ipsec-mb')).toEqual({ crypto: 'ipsec-mb', resolved: 'ipsec-mb' });
    else expect(() => status('ipsec-mb')).toThrow(/crypto ipsec-mb: /);
    expect(status('node')).toEqual({ crypto: 'node', resolved: 'node' });
    expect(() => resolveNodeConfig(doc('noble'), 'n.yaml')).toThrow(/crypto/);
    // DXLAB_CRYPTO, read by the node's process entry, arrives as the override and wins over the file.
    expect(status('native', { crypto: 'node' })).toEqual({ crypto: 'node', resolved: 'node' });
    // The configuration no longer reads the environment itself.
    const saved = process.env.DXLAB_CRYPTO;
    try {
      process.env.DXLAB_CRYPTO = 'node';
      expect(status('native')).toEqual({ crypto: fastest, resolved: 'native' });
    } finally {
      if (saved === undefined) delete process.env.DXLAB_CRYPTO;
      else process.env.DXLAB_CRYPTO = saved;
    }
  });
});
