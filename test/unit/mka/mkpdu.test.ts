/**
 * MKPDU codec: round trips of arbitrary MKPDUs (fast-check), rejections with
 * error class, code and the field named, unknown sets skipped by length,
 * "decode throws only MkaError".
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex } from '../../../src/shared/bytes.js';
import { MkaError } from '../../../src/mka/errors.js';
import {
  announcedCipherSuites,
  cipherSuitesTlv,
  decodeMkpdu,
  encodeMkpdu,
  verifyMkpduIcv,
  type Mkpdu,
  type ParameterSet,
} from '../../../src/mka/mkpdu/index.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const an = fc.integer({ min: 0, max: 3 });
const peer = fc.record({ mi: bytes(12), mn: u32 });
const sakUseKey = fc.record({ mi: bytes(12), kn: u32, lowestPn: u32 });

const setArb: fc.Arbitrary<ParameterSet> = fc.oneof(
  fc.record({ type: fc.constant(1 as const), keyServerSsci: fc.integer({ min: 0, max: 255 }), peers: fc.array(peer, { maxLength: 4 }) }),
  fc.record({ type: fc.constant(2 as const), peers: fc.array(peer, { maxLength: 4 }) }),
  fc.record(
    {
      type: fc.constant(3 as const),
      latestKeyAn: an,
      latestKeyTx: fc.boolean(),
      latestKeyRx: fc.boolean(),
      oldKeyAn: an,
      oldKeyTx: fc.boolean(),
      oldKeyRx: fc.boolean(),
      plainTx: fc.boolean(),
      plainRx: fc.boolean(),
      delayProtect: fc.boolean(),
      keys: fc.record({ latestKey: sakUseKey, oldKey: sakUseKey }),
    },
    { requiredKeys: ['type', 'latestKeyAn', 'latestKeyTx', 'latestKeyRx', 'oldKeyAn', 'oldKeyTx', 'oldKeyRx', 'plainTx', 'plainRx', 'delayProtect'] },
  ),
  fc.record(
    {
      type: fc.constant(4 as const),
      distributedAn: an,
      confidentialityOffset: an,
      key: fc.oneof(
        fc.record({ kn: u32, wrappedSak: bytes(24) }),
        fc.record({ kn: u32, cipherSuite: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), wrappedSak: fc.oneof(bytes(24), bytes(40)) }),
      ),
    },
    { requiredKeys: ['type', 'distributedAn', 'confidentialityOffset'] },
  ),
  fc.record({ type: fc.constant(5 as const), wrappedCak: bytes(24), ckn: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ type: fc.constant(6 as const), kmd: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({
    type: fc.constant(7 as const),
    tlvs: fc.array(fc.record({ tlvType: fc.integer({ min: 0, max: 127 }), value: fc.uint8Array({ maxLength: 30 }) }), { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant(8 as const), suspensionTime: fc.integer({ min: 0, max: 255 }), latestKeyLowestPnHigh: u32, oldKeyLowestPnHigh: u32 }),
  fc.record({
    type: fc.integer({ min: 9, max: 254 }),
    unknown: fc.constant(true as const),
    octet1: fc.integer({ min: 0, max: 255 }),
    octet2High: fc.integer({ min: 0, max: 15 }),
    body: fc.uint8Array({ maxLength: 30 }),
  }),
);

const mkpduArb: fc.Arbitrary<Mkpdu> = fc
  .record({
    destination: bytes(6),
    source: bytes(6),
    eapolVersion: fc.integer({ min: 1, max: 3 }),
    basic: fc.record({
      version: fc.integer({ min: 1, max: 3 }),
      keyServerPriority: fc.integer({ min: 0, max: 255 }),
      keyServer: fc.boolean(),
      macsecDesired: fc.boolean(),
      macsecCapability: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
      sci: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      mi: bytes(12),
      mn: u32,
      algorithmAgility: u32,
      ckn: fc.uint8Array({ minLength: 1, maxLength: 32 }),
    }),
    parameterSets: fc.array(setArb, { maxLength: 6 }),
    icvIndicator: fc.boolean(),
    icv: bytes(16),
  })
  .map(({ icvIndicator, ...m }) => ({
    ...m,
    etherType: 0x888e,
    parameterSets: icvIndicator ? [...m.parameterSets, { type: 255 as const }] : m.parameterSets,
  }));

describe('MKPDU codec', () => {
  it('encode → decode → encode is the identity (fast-check)', () => {
    fc.assert(
      fc.property(mkpduArb, (m) => {
        const wire = encodeMkpdu(m);
        const back = decodeMkpdu(wire);
        expect(toHex(encodeMkpdu(back))).toBe(toHex(wire));
        expect(back.parameterSets.length).toBe(m.parameterSets.length);
        expect(back.basic.mn).toBe(m.basic.mn);
        expect(wire.length % 4).toBe(18 % 4);
      }),
      { numRuns: 500 },
    );
  });

  it('decode of arbitrary octets throws only MkaError (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (junk, header) => {
        const f = header ? new Uint8Array([...fromHex('0180c2000003020000000001888e0305'), junk.length >> 8, junk.length & 0xff, ...junk]) : junk;
        try {
          decodeMkpdu(f);
        } catch (e) {
          expect(e).toBeInstanceOf(MkaError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('sealing with an ICK makes an ICV that verifies, and only with that ICK', () => {
    fc.assert(
      fc.property(mkpduArb, bytes(32), (m, ick) => {
        const wire = encodeMkpdu(m, ick);
        expect(verifyMkpduIcv(wire, ick)).toBe(true);
        const other = ick.slice();
        other[0]! ^= 1;
        expect(verifyMkpduIcv(wire, other)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  const base = (): Mkpdu => ({
    destination: fromHex('0180c2000003'),
    source: fromHex('020000000001'),
    etherType: 0x888e,
    eapolVersion: 3,
    basic: {
      version: 3,
      keyServerPriority: 16,
      keyServer: true,
      macsecDesired: true,
      macsecCapability: 2,
      sci: 0x0200000000010001n,
      mi: new Uint8Array(12).fill(7),
      mn: 5,
      algorithmAgility: 0x0080c201,
      ckn: fromHex('abcd'),
    },
    parameterSets: [],
    icv: new Uint8Array(16),
  });

  function expectReject(frame: Uint8Array, code: string, text: RegExp) {
    let err: unknown;
    try {
      decodeMkpdu(frame);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MkaError);
    expect(err).toMatchObject({ code });
    expect((err as Error).message).toMatch(text);
  }

  it('rejects another EtherType or EAPOL type as notMkpdu', () => {
    const f = encodeMkpdu(base());
    const a = f.slice();
    a[13] = 0x8f;
    expectReject(a, 'notMkpdu', /EtherType 0x888f/);
    const b = f.slice();
    b[15] = 0;
    expectReject(b, 'notMkpdu', /EAPOL Packet Type 0/);
  });

  it('rejects EAPOL version 0 and 4, truncation, bad lengths, naming the field', () => {
    const f = encodeMkpdu(base());
    for (const v of [0, 4]) {
      const a = f.slice();
      a[14] = v;
      expectReject(a, 'malformedMkpdu', new RegExp(`EAPOL Protocol Version ${v}`));
    }
    expectReject(f.subarray(0, f.length - 1), 'malformedMkpdu', /EAPOL Packet Body/);
    const c = f.slice();
    c[17]! -= 2; // body length not a multiple of 4
    expectReject(c, 'malformedMkpdu', /multiple of 4/);
    const d = f.slice();
    d[21] = 28; // Basic body length without CKN
    expectReject(d, 'malformedMkpdu', /CKN of 0 octets/);
  });

  it('accepts trailing Ethernet padding after the EAPOL body', () => {
    const f = encodeMkpdu(base());
    const padded = new Uint8Array(f.length + 10);
    padded.set(f);
    expect(toHex(encodeMkpdu(decodeMkpdu(padded)))).toBe(toHex(f));
  });

  it('skips an unknown parameter set by its length and keeps it', () => {
    const m = base();
    m.parameterSets = [{ type: 99, unknown: true, octet1: 1, octet2High: 2, body: fromHex('010203') }, { type: 2, peers: [] }];
    const back = decodeMkpdu(encodeMkpdu(m));
    expect(back.parameterSets[0]).toMatchObject({ type: 99, unknown: true, octet1: 1, octet2High: 2 });
    expect(toHex((back.parameterSets[0] as { body: Uint8Array }).body)).toBe('010203');
  });

  it('rejects a set running into the ICV, a bad peer list, SAK Use and Distributed SAK lengths', () => {
    const m = base();
    m.parameterSets = [{ type: 1, keyServerSsci: 0, peers: [{ mi: new Uint8Array(12), mn: 1 }] }];
    const f = encodeMkpdu(m);
    const setAt = 18 + 4 + 32; // after the padded Basic set (CKN 2 octets)
    const a = f.slice();
    a[setAt + 3] = 0x20; // length 32 > room
    expectReject(a, 'malformedMkpdu', /Live Peer List at offset 36: body length 32/);
    const b = f.slice();
    b[setAt + 3] = 0x0c; // 12, not a multiple of 16
    expectReject(b, 'malformedMkpdu', /Live Peer List: body length 12 is not a multiple of 16/);
    const c = f.slice();
    c[setAt] = 3; // SAK Use with a 16-octet body
    expectReject(c, 'malformedMkpdu', /SAK Use: body length 16/);
    const d = f.slice();
    d[setAt] = 4;
    expectReject(d, 'malformedMkpdu', /Distributed SAK: body length 16/);
    const e = f.slice();
    e[setAt] = 2;
    e[setAt + 1] = 5;
    expectReject(e, 'malformedMkpdu', /Potential Peer List: reserved octet 1/);
  });

  it('ICV Indicator must be followed by exactly the ICV', () => {
    const m = base();
    m.parameterSets = [{ type: 255 }];
    const f = encodeMkpdu(m);
    expect(decodeMkpdu(f).parameterSets).toEqual([{ type: 255 }]);
    expect(toHex(f.subarray(f.length - 20, f.length - 16))).toBe('ff000010');
    const a = f.slice();
    a[a.length - 17] = 0x14;
    expectReject(a, 'malformedMkpdu', /ICV Indicator/);
  });

  it('Announcement: TLVs walked with lengths checked; cipher suites TLV read', () => {
    const tlv = cipherSuitesTlv([
      { cipherSuite: 0x0080c20001000004n, capability: 2 },
      { cipherSuite: 0x0080c20001000002n, capability: 3 },
    ]);
    const m = base();
    m.parameterSets = [{ type: 7, tlvs: [tlv] }];
    const back = decodeMkpdu(encodeMkpdu(m));
    const a = back.parameterSets[0]!;
    if (a.type !== 7 || 'unknown' in a) throw new Error('not an announcement');
    expect(announcedCipherSuites(a)).toEqual([
      { cipherSuite: 0x0080c20001000004n, capability: 2 },
      { cipherSuite: 0x0080c20001000002n, capability: 3 },
    ]);
    // a TLV claiming more than the body holds
    const f = encodeMkpdu(m);
    const setAt = 18 + 4 + 32;
    const bad = f.slice();
    bad[setAt + 5] = 0xff;
    expectReject(bad, 'malformedMkpdu', /Announcement: TLV 112 value/);
  });

  it('does not alias its input', () => {
    const f = encodeMkpdu(base());
    const m = decodeMkpdu(f);
    f[30] = 0xee;
    expect(m.basic.mi[0]).toBe(7);
  });
});

describe('Buffer inputs (Node hands frames as Buffers, whose slice() aliases)', () => {
  it('a decoded MKPDU never aliases a Buffer frame', async () => {
    const { decodeMkpdu: decode } = await import('../../../src/mka/mkpdu/index.js');
    const { readCaptureFile } = await import('../../../src/io/pcap.js');
    const { capturePath } = await import('../../helpers/captures.js');
    const frame = Buffer.from(readCaptureFile(capturePath('mka-cak256.pcap')).frames[2]!.data);
    const m = decode(frame);
    const mi = Buffer.from(m.basic.mi).toString('hex');
    frame.fill(0);
    expect(Buffer.from(m.basic.mi).toString('hex')).toBe(mi);
    expect(Object.getPrototypeOf(m.basic.mi)).toBe(Uint8Array.prototype);
  });
  it('the XPN salt does not write into a Buffer MI', async () => {
    const { xpnSalt } = await import('../../../src/mka/index.js');
    const mi = Buffer.from('88d8e7c7582179017958c982', 'hex');
    expect(Buffer.from(xpnSalt(mi, 1)).toString('hex')).toBe('88d9e7c7582179017958c982');
    expect(mi.toString('hex')).toBe('88d8e7c7582179017958c982');
  });
});
