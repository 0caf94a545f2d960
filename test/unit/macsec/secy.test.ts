import { describe, expect, it } from 'vitest';
import { MacsecError, SecY, GCM_AES_XPN_128, recoverXpn, parseSecTag, type ValidateFrames } from '../../../src/macsec/index.js';
import { ethFrame, key, pair, rxPacketTotal, TX_SCI, RX_SCI } from '../../helpers/secy.js';
import { hex } from '../../helpers/hex.js';

const MODES: ValidateFrames[] = ['disabled', 'check', 'strict'];

function corruptIcv(f: Uint8Array): Uint8Array {
  const c = f.slice();
  c[c.length - 1]! ^= 1;
  return c;
}

describe('untagged frames', () => {
  for (const mode of MODES) {
    it(`validateFrames ${mode}`, () => {
      const { rx } = pair({ rx: { validateFrames: mode } });
      const r = rx.validate(ethFrame(50, 0x0806));
      if (mode === 'strict') {
        expect(r).toMatchObject({ ok: false, verdict: 'inPktsNoTag' });
        expect(rx.counters.inPktsNoTag).toBe(1);
      } else {
        expect(r).toMatchObject({ ok: true, verdict: 'inPktsUntagged' });
        expect(rx.counters.inPktsUntagged).toBe(1);
      }
      expect(rxPacketTotal(rx.snapshot())).toBe(1);
    });
  }
});

describe('invalid ICV', () => {
  for (const encrypt of [true, false]) {
    for (const mode of MODES) {
      it(`${encrypt ? 'encrypted' : 'integrity-only'} frame, validateFrames ${mode}`, () => {
        const { tx, rx } = pair({ tx: { confidentiality: encrypt }, rx: { validateFrames: mode } });
        const p = tx.protect(ethFrame(100));
        if (!p.ok) throw new Error('protect failed');
        const r = rx.validate(corruptIcv(p.frame));
        const sc = rx.snapshot().rxScs[0]!;
        if (encrypt || mode === 'strict') {
          expect(r.verdict).toBe('inPktsNotValid');
          expect(sc.inPktsNotValid).toBe(1);
          expect(sc.sas[0]!.inPktsNotValid).toBe(1);
        } else if (mode === 'check') {
          expect(r).toMatchObject({ ok: true, verdict: 'inPktsInvalid' });
          expect(sc.inPktsInvalid).toBe(1);
          expect(sc.sas[0]!.inPktsInvalid).toBe(1);
          expect(r.ok && hex(r.frame)).toBe(hex(ethFrame(100)));
        } else {
          // Disabled: integrity-only frames are not checked at all.
          expect(r).toMatchObject({ ok: true, verdict: 'inPktsUnchecked' });
          expect(sc.inPktsUnchecked).toBe(1);
          expect(sc.inOctetsValidated).toBe(0);
        }
        expect(rxPacketTotal(rx.snapshot())).toBe(1);
      });
    }
  }
});

describe('unknown SCI and unused SA', () => {
  for (const encrypt of [true, false]) {
    for (const mode of MODES) {
      const dropped = encrypt || mode === 'strict';
      it(`${encrypt ? 'C=1' : 'C=0'}, ${mode}: unknown SCI is ${dropped ? 'InPktsNoSCI' : 'InPktsUnknownSCI'}`, () => {
        const { tx } = pair({ tx: { confidentiality: encrypt } });
        const rx = new SecY({ txSci: RX_SCI, validateFrames: mode });
        const p = tx.protect(ethFrame(60));
        const r = rx.validate(p.ok ? p.frame : new Uint8Array());
        expect(r.verdict).toBe(dropped ? 'inPktsNoSCI' : 'inPktsUnknownSCI');
        expect(rx.counters[dropped ? 'inPktsNoSCI' : 'inPktsUnknownSCI']).toBe(1);
        if (r.ok) expect(hex(r.frame)).toBe(hex(ethFrame(60)));
      });
      it(`${encrypt ? 'C=1' : 'C=0'}, ${mode}: SA installed but not in use is ${dropped ? 'InPktsNotUsingSA' : 'InPktsUnusedSA'}`, () => {
        const { tx, rx } = pair({ tx: { confidentiality: encrypt }, rx: { validateFrames: mode } });
        rx.createRxSa(TX_SCI, { an: 1, sak: key(rx.cipherSuite) });
        tx.createTxSa({ an: 1, sak: key(tx.cipherSuite) });
        tx.enableTxSa(1);
        const p = tx.protect(ethFrame(60));
        const r = rx.validate(p.ok ? p.frame : new Uint8Array());
        const name = dropped ? 'inPktsNotUsingSA' : 'inPktsUnusedSA';
        expect(r.verdict).toBe(name);
        const sc = rx.snapshot().rxScs[0]!;
        expect(sc[name]).toBe(1);
        expect(sc.sas.find((s) => s.an === 1)![name]).toBe(1);
      });
    }
  }
  it('AN with no SA at all counts on the SC only', () => {
    const { tx, rx } = pair();
    tx.createTxSa({ an: 3, sak: key(tx.cipherSuite) });
    tx.enableTxSa(3);
    const p = tx.protect(ethFrame(60));
    expect(rx.validate(p.ok ? p.frame : new Uint8Array()).verdict).toBe('inPktsNotUsingSA');
    expect(rx.snapshot().rxScs[0]!.inPktsNotUsingSA).toBe(1);
  });
});

describe('replay protection', () => {
  function frames(n: number, tx: SecY): Uint8Array[] {
    return Array.from({ length: n }, (_, i) => {
      const p = tx.protect(ethFrame(64 + i));
      if (!p.ok) throw new Error('protect');
      return p.frame;
    });
  }
  it('window 0: a repeated or older PN is late', () => {
    const { tx, rx } = pair();
    const f = frames(3, tx);
    expect(rx.validate(f[0]!).verdict).toBe('inPktsOK');
    expect(rx.validate(f[2]!).verdict).toBe('inPktsOK');
    expect(rx.validate(f[1]!).verdict).toBe('inPktsLate');
    expect(rx.validate(f[2]!).verdict).toBe('inPktsLate');
    expect(rx.snapshot().rxScs[0]!.inPktsLate).toBe(2);
    expect(rx.rxSaNextPn(TX_SCI, 0)).toBe(4n);
  });
  it('window 2: PNs within the window pass, even repeated; older ones are late', () => {
    const { tx, rx } = pair({ rx: { replayWindow: 2 } });
    const f = frames(5, tx);
    expect(rx.validate(f[4]!).verdict).toBe('inPktsOK'); // PN 5, nextPN 6, lowest 4
    expect(rx.validate(f[3]!).verdict).toBe('inPktsOK'); // PN 4
    expect(rx.validate(f[3]!).verdict).toBe('inPktsOK'); // 802.1AE keeps a threshold, not a bitmap
    expect(rx.validate(f[2]!).verdict).toBe('inPktsLate'); // PN 3 < 4
  });
  it('replayProtect off: a valid frame below the lowest PN is delayed and delivered', () => {
    const { tx, rx } = pair({ rx: { replayProtect: false } });
    const f = frames(2, tx);
    rx.validate(f[1]!);
    const r = rx.validate(f[0]!);
    expect(r).toMatchObject({ ok: true, verdict: 'inPktsDelayed' });
    expect(rx.snapshot().rxScs[0]!.inPktsDelayed).toBe(1);
  });
  it('MKA can raise the lowest PN, never lower it', () => {
    const { tx, rx } = pair();
    const f = frames(5, tx);
    rx.setLowestPn(TX_SCI, 0, 4n);
    expect(rx.validate(f[2]!).verdict).toBe('inPktsLate');
    rx.setLowestPn(TX_SCI, 0, 2n);
    expect(rx.rxSaLowestPn(TX_SCI, 0)).toBe(4n);
    expect(rx.validate(f[3]!).verdict).toBe('inPktsOK');
  });
});

describe('SecTAG checks (802.1AE-2018 9.12)', () => {
  const { tx } = pair();
  const good = tx.protect(ethFrame(100));
  if (!good.ok) throw new Error('protect');
  const cases: Array<[string, (f: Uint8Array) => Uint8Array]> = [
    ['versionNotZero', (f) => ((f[14]! |= 0x80), f)],
    ['esWithSc', (f) => ((f[14]! |= 0x40), f)],
    ['scbWithSc', (f) => ((f[14]! |= 0x10), f)],
    ['reservedBitsSet', (f) => ((f[15]! |= 0x40), f)],
    ['pnZero', (f) => (f.fill(0, 16, 20), f)],
    ['lengthMismatch', (f) => ((f[15] = 47), f)],
    ['tooShort', (f) => f.subarray(0, 19)],
    ['tooShort', (f) => f.subarray(0, 40)],
  ];
  for (const [reason, mutate] of cases) {
    it(reason, () => {
      const { rx } = pair();
      const r = rx.validate(mutate(good.frame.slice()));
      expect(r).toMatchObject({ ok: false, verdict: 'inPktsBadTag', badTag: reason });
      expect(rx.counters.inPktsBadTag).toBe(1);
      expect(rxPacketTotal(rx.snapshot())).toBe(1);
    });
  }
  it('PN 0 is valid on the wire with XPN (the low half may wrap to 0)', () => {
    const p = pair({ suite: GCM_AES_XPN_128, nextPn: 0x100000000n, lowestPn: 0xfffffff0n });
    const f = p.tx.protect(ethFrame(80));
    expect(f.ok && hex(f.frame.subarray(16, 20))).toBe('00000000');
    expect(p.rx.validate(f.ok ? f.frame : new Uint8Array()).verdict).toBe('inPktsOK');
  });
  it('E=1 with C=0 goes to the uncontrolled port only', () => {
    const { rx } = pair();
    const f = good.frame.slice();
    f[14] = (f[14]! & ~0x04) | 0x08;
    expect(rx.validate(f).verdict).toBe('inPktsUncontrolledOnly');
    expect(rx.counters.inPktsUncontrolledOnly).toBe(1);
  });
  it('a frame too short for an Ethernet header is malformed', () => {
    const { rx } = pair();
    expect(rx.validate(new Uint8Array(13)).verdict).toBe('inPktsMalformed');
  });
  it('Ethernet padding of a short frame up to 60 octets is ignored (SL finds the ICV)', () => {
    const p = pair({ tx: { includeSci: false, es: true } });
    const small = p.tx.protect(ethFrame(6));
    if (!small.ok) throw new Error();
    expect(small.frame.length).toBe(44);
    expect(small.frame[15]).toBe(8);
    const padded = new Uint8Array(60);
    padded.set(small.frame);
    p.rx.createRxSc(0x0202000000010001n);
    p.rx.createRxSa(0x0202000000010001n, { an: 0, sak: key(p.suite) });
    p.rx.enableRxSa(0x0202000000010001n, 0);
    const r = p.rx.validate(padded);
    expect(r.verdict).toBe('inPktsOK');
    expect(r.ok && hex(r.frame)).toBe(hex(ethFrame(6)));
    const tooLong = new Uint8Array(61);
    tooLong.set(small.frame);
    expect(p.rx.validate(tooLong)).toMatchObject({ verdict: 'inPktsBadTag', badTag: 'lengthMismatch' });
  });
});

describe('transmit', () => {
  it('protectFrames false sends the frame as it is', () => {
    const { tx } = pair({ tx: { protectFrames: false } });
    const f = ethFrame(40);
    const r = tx.protect(f);
    expect(r.ok && r.frame).toBe(f);
    expect(tx.counters.outPktsUntagged).toBe(1);
  });
  it('no SA in use: dropped and counted', () => {
    const tx = new SecY({ txSci: TX_SCI });
    expect(tx.protect(ethFrame(40))).toEqual({ ok: false, reason: 'outPktsNoActiveSa' });
    expect(tx.counters.outPktsNoActiveSa).toBe(1);
  });
  it('too long for the port: OutPktsTooLong, and no PN spent', () => {
    const { tx } = pair({ tx: { maxFrameLength: 1514 } });
    expect(tx.protect(ethFrame(1500 - 32)).ok).toBe(true);
    expect(tx.protect(ethFrame(1500 - 31))).toEqual({ ok: false, reason: 'outPktsTooLong' });
    expect(tx.counters.outPktsTooLong).toBe(1);
    expect(tx.txSaNextPn(0)).toBe(2n);
  });
  it('the SA stops at its last PN, and raises the threshold event once', () => {
    const { tx, rx } = pair({ nextPn: 0xfffffffen, lowestPn: 0xfffffff0n, tx: { pnThreshold: 0xfffffffen } });
    const a = tx.protect(ethFrame(60));
    const b = tx.protect(ethFrame(60));
    expect(a.ok && a.pn).toBe(0xfffffffen);
    expect(b.ok && b.pn).toBe(0xffffffffn);
    expect(tx.protect(ethFrame(60))).toEqual({ ok: false, reason: 'outPktsNoActiveSa' });
    expect(tx.takeEvents()).toEqual([
      { type: 'pnThresholdReached', an: 0, pn: 0xfffffffen },
      { type: 'txSaExhausted', an: 0 },
    ]);
    expect(rx.validate(b.ok ? b.frame : new Uint8Array()).verdict).toBe('inPktsOK');
  });
  it('counts encrypted and integrity-only octets as Secure Data only', () => {
    const enc = pair();
    enc.tx.protect(ethFrame(100));
    expect(enc.tx.txScCounters).toMatchObject({ outPktsEncrypted: 1, outOctetsEncrypted: 102, outPktsProtected: 0 });
    const integ = pair({ tx: { confidentiality: false } });
    integ.tx.protect(ethFrame(100));
    expect(integ.tx.txScCounters).toMatchObject({ outPktsProtected: 1, outOctetsProtected: 102, outPktsEncrypted: 0 });
  });
  it('without the SCI the tag is 8 octets and the receiver uses the implicit SCI', () => {
    const { tx } = pair({ tx: { includeSci: false, es: true } });
    const p = tx.protect(ethFrame(100));
    if (!p.ok) throw new Error();
    expect(p.frame.length).toBe(114 + 24);
    const t = parseSecTag(p.frame, false);
    expect(t.ok && t.tag.es && !t.tag.sc).toBe(true);
  });
});

describe('configuration errors', () => {
  it('offsets 30 and 50 are refused with a clear error', () => {
    for (const off of [30, 50]) {
      expect(() => new SecY({ txSci: TX_SCI, confidentialityOffset: off })).toThrowError(/confidentiality offset .* not supported/);
    }
    try {
      new SecY({ txSci: TX_SCI, confidentialityOffset: 30 });
    } catch (e) {
      expect(e).toBeInstanceOf(MacsecError);
      expect((e as MacsecError).code).toBe('unsupportedOffset');
    }
  });
  it('wrong key length, AN, PN, missing SSCI or salt', () => {
    const s = new SecY({ txSci: TX_SCI });
    expect(() => s.createTxSa({ an: 0, sak: new Uint8Array(32) })).toThrowError(/16-octet SAK/);
    expect(() => s.createTxSa({ an: 4, sak: new Uint8Array(16) })).toThrowError(/AN must be 0..3/);
    expect(() => s.createTxSa({ an: 0, sak: new Uint8Array(16), nextPn: 0n })).toThrowError(/PN 0 out of range/);
    const x = new SecY({ txSci: TX_SCI, cipherSuite: GCM_AES_XPN_128 });
    expect(() => x.createTxSa({ an: 0, sak: new Uint8Array(16) })).toThrowError(/SSCI/);
    expect(() => x.createTxSa({ an: 0, sak: new Uint8Array(16), ssci: 1, salt: new Uint8Array(8) })).toThrowError(/12-octet salt/);
  });
});

describe('XPN PN recovery (docs/secy-decisions.md §1)', () => {
  const next = 0x1_ffffff00n;
  it.each([
    [0x00000005, 0x2_00000005n],
    [0xffffff80, 0x1_ffffff80n],
    [0xfffffe00, 0x1_fffffe00n],
  ])('wire %i', (wire, pn) => expect(recoverXpn(next, wire)).toBe(pn));
  it('a frame just behind a block boundary is read as behind, not 2^32 ahead', () => {
    expect(recoverXpn(0x2_00000005n, 0xfffffff0)).toBe(0x1_fffffff0n);
  });
  it('lowest PN below the window is late; after the last PN of a block nextPN moves to the next block', () => {
    const p = pair({ suite: GCM_AES_XPN_128, nextPn: 0x1_fffffe00n, lowestPn: 0x1_ffffff00n });
    const early = p.tx.protect(ethFrame(70));
    expect(p.rx.validate(early.ok ? early.frame : new Uint8Array()).verdict).toBe('inPktsLate');
    p.tx.createTxSa({ an: 0, sak: key(GCM_AES_XPN_128), nextPn: 0x1_ffffffffn, ssci: 1, salt: new Uint8Array(12).map((_, i) => 0xa0 + i) });
    p.tx.enableTxSa(0);
    const last = p.tx.protect(ethFrame(70));
    expect(p.rx.validate(last.ok ? last.frame : new Uint8Array()).verdict).toBe('inPktsOK');
    expect(p.rx.rxSaNextPn(TX_SCI, 0)).toBe(0x2_00000000n);
  });
});

describe('frames that are slices of larger buffers', () => {
  for (let offset = 0; offset < 8; offset++) {
    it(`offset ${offset}`, () => {
      const { tx, rx } = pair({ suite: 'gcm-aes-xpn-256' });
      const plain = ethFrame(333);
      const big = new Uint8Array(plain.length + 16);
      big.set(plain, offset);
      const p = tx.protect(big.subarray(offset, offset + plain.length));
      if (!p.ok) throw new Error();
      const wire = new Uint8Array(p.frame.length + 16);
      wire.set(p.frame, offset);
      const r = rx.validate(wire.subarray(offset, offset + p.frame.length));
      expect(r.ok && hex(r.frame)).toBe(hex(plain));
    });
  }
});
