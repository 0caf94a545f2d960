/**
 * LACPDU and Marker PDU codecs (802.1AX-2014 6.4.2.3 figure 6-7, 6.5.3.3
 * figure 6-25). Exact bytes of real LACPDUs are checked in
 * test/vectors/lacp/capture.test.ts; here: the layout written out by hand
 * from the figures, round trips, and what a receiver refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LacpError,
  decodeLacpdu,
  decodeMarkerPdu,
  encodeLacpdu,
  encodeMarkerPdu,
  markerResponse,
  stateFlags,
  stateLetters,
  type LacpduInput,
} from '../../../src/lacp/index.js';
import { h, hex } from '../../helpers/hex.js';

const ACTOR = { systemPriority: 0x8000, system: h('020000010000'), key: 13, portPriority: 0x80, port: 2, state: 0x3f };
const PARTNER = { systemPriority: 0x7fff, system: h('020000020000'), key: 14, portPriority: 0x81, port: 3, state: 0x0d };

/** Figure 6-7, field by field. */
const LACPDU_HEX =
  '0180c2000002' + '020000010002' + '8809' + // DA, SA, Slow Protocols
  '01' + '01' + // subtype LACP, version 1
  '01' + '14' + '8000' + '020000010000' + '000d' + '0080' + '0002' + '3f' + '000000' + // actor TLV
  '02' + '14' + '7fff' + '020000020000' + '000e' + '0081' + '0003' + '0d' + '000000' + // partner TLV
  '03' + '10' + '0005' + '00'.repeat(12) + // collector TLV, CollectorMaxDelay 5
  '00' + '00' + // terminator
  '00'.repeat(50); // reserved

describe('LACPDU', () => {
  const input: LacpduInput = { source: h('020000010002'), actor: ACTOR, partner: PARTNER, collectorMaxDelay: 5 };
  it('encodes to the layout of figure 6-7: 124 octets, 110 after the EtherType', () => {
    const f = encodeLacpdu(input);
    expect(f.length).toBe(124);
    expect(hex(f)).toBe(LACPDU_HEX);
  });
  it('decodes it back, at buffer offsets 0..7, without aliasing its input', () => {
    for (let off = 0; off < 8; off++) {
      const buf = new Uint8Array(off + 124);
      buf.set(h(LACPDU_HEX), off);
      const pdu = decodeLacpdu(buf.subarray(off));
      expect(pdu).toEqual({ destination: h('0180c2000002'), source: h('020000010002'), version: 1, actor: ACTOR, partner: PARTNER, collectorMaxDelay: 5 });
      buf.fill(0xee);
      expect(pdu.actor.system).toEqual(ACTOR.system);
    }
  });
  it('round-trips any field values', () => {
    const info = fc.record({
      systemPriority: fc.integer({ min: 0, max: 0xffff }),
      system: fc.uint8Array({ minLength: 6, maxLength: 6 }),
      key: fc.integer({ min: 0, max: 0xffff }),
      portPriority: fc.integer({ min: 0, max: 0xffff }),
      port: fc.integer({ min: 0, max: 0xffff }),
      state: fc.integer({ min: 0, max: 0xff }),
    });
    fc.assert(
      fc.property(info, info, fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 6, maxLength: 6 }), (actor, partner, d, source) => {
        const pdu = decodeLacpdu(encodeLacpdu({ source, actor, partner, collectorMaxDelay: d }));
        expect(pdu.actor).toEqual(actor);
        expect(pdu.partner).toEqual(partner);
        expect(pdu.collectorMaxDelay).toBe(d);
      }),
    );
  });
  it('reserved octets are ignored on receipt (6.4.2.3)', () => {
    const f = h(LACPDU_HEX);
    f[14 + 19] = 0xaa; // actor reserved
    f[14 + 110 - 1] = 0xbb; // last pad octet
    expect(decodeLacpdu(f).actor).toEqual(ACTOR);
  });
  it('a later version with a TLV before the terminator is read as version 1, the TLV skipped (6.4.2.4)', () => {
    const f = h(LACPDU_HEX);
    f[15] = 2;
    // Port Algorithm TLV (type 4, length 6) where the terminator was.
    f.set(h('0406000000050000'), 14 + 58);
    const pdu = decodeLacpdu(f);
    expect(pdu.version).toBe(2);
    expect(pdu.partner).toEqual(PARTNER);
  });
  it.each([
    ['truncated body', (f: Uint8Array) => f.subarray(0, 100), /LACPDU body/],
    ['version 0', (f: Uint8Array) => ((f[15] = 0), f), /version 0/],
    ['actor TLV type', (f: Uint8Array) => ((f[16] = 2), f), /actor TLV type 2/],
    ['actor length', (f: Uint8Array) => ((f[17] = 19), f), /actor information length 19/],
    ['partner TLV type', (f: Uint8Array) => ((f[36] = 1), f), /partner TLV type 1/],
    ['collector length', (f: Uint8Array) => ((f[57] = 12), f), /collector information length 12/],
    ['version 1 with a TLV where the terminator goes', (f: Uint8Array) => ((f[72] = 4), (f[73] = 6), f), /TLV type 4 at offset 72/],
    ['terminator length', (f: Uint8Array) => ((f[73] = 2), f), /terminator length 2/],
  ])('refused: %s, with LacpError malformedPdu naming the field', (_name, mutate, re) => {
    const f = mutate(h(LACPDU_HEX));
    let err: unknown;
    try {
      decodeLacpdu(f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LacpError);
    expect((err as LacpError).code).toBe('malformedPdu');
    expect((err as LacpError).message).toMatch(re);
  });
  it('a frame of another EtherType or subtype is notSlowProtocol', () => {
    const f = h(LACPDU_HEX);
    f[12] = 0x88;
    f[13] = 0x8e;
    expect(() => decodeLacpdu(f)).toThrow(expect.objectContaining({ code: 'notSlowProtocol' }));
    const m = h(LACPDU_HEX);
    m[14] = 2;
    expect(() => decodeLacpdu(m)).toThrow(/subtype 2 is not LACP/);
  });
  it('decoding throws only LacpError, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140 }), fc.boolean(), (bytes, lacp) => {
        const f = new Uint8Array(Math.max(16, bytes.length));
        f.set(bytes);
        f[12] = 0x88;
        f[13] = 0x09;
        f[14] = lacp ? 1 : 2;
        try {
          if (lacp) decodeLacpdu(f);
          else decodeMarkerPdu(f);
        } catch (e) {
          expect(e).toBeInstanceOf(LacpError);
        }
      }),
    );
  });
  it('out-of-range values to encode are refused naming the field', () => {
    expect(() => encodeLacpdu({ ...input, actor: { ...ACTOR, key: 70000 } })).toThrow(/actor.key: 70000/);
    expect(() => encodeLacpdu({ ...input, partner: { ...PARTNER, system: new Uint8Array(4) } })).toThrow(/partner.system: 4 octets/);
    expect(() => encodeLacpdu({ ...input, actor: { ...ACTOR, state: 256 } })).toThrow(/actor.state: 256/);
  });
});

describe('state bits (6.4.2.3 m)', () => {
  it('names and letters, bit 0 first', () => {
    expect(stateFlags(0x3d)).toEqual(['lacpActivity', 'aggregation', 'synchronization', 'collecting', 'distributing']);
    expect(stateFlags(0xc2)).toEqual(['lacpTimeout', 'defaulted', 'expired']);
    expect(stateLetters(0x3f)).toBe('ATGSCD--');
    expect(stateLetters(0x00)).toBe('--------');
    expect(stateLetters(0xff)).toBe('ATGSCDFE');
  });
});

/** Figure 6-25, field by field. */
const MARKER_HEX =
  '0180c2000002' + '020000090001' + '8809' + '02' + '01' + // subtype Marker, version 1
  '01' + '10' + '0007' + '020000090000' + 'deadbeef' + '0000' + // Marker Information TLV
  '00' + '00' + '00'.repeat(90);

describe('Marker PDU and the Marker Responder', () => {
  const marker = { kind: 'marker' as const, source: h('020000090001'), requesterPort: 7, requesterSystem: h('020000090000'), requesterTransactionId: 0xdeadbeef };
  it('encodes to the layout of figure 6-25 and decodes back', () => {
    const f = encodeMarkerPdu(marker);
    expect(hex(f)).toBe(MARKER_HEX);
    expect(decodeMarkerPdu(f)).toEqual({ ...marker, destination: h('0180c2000002'), version: 1 });
  });
  it('the response carries TLV type 2, the requester fields unchanged, from the answering port', () => {
    const r = markerResponse(decodeMarkerPdu(h(MARKER_HEX)), h('020000010001'))!;
    const expected = h(MARKER_HEX);
    expected.set(h('020000010001'), 6);
    expected[16] = 2;
    expect(hex(r)).toBe(hex(expected));
    expect(markerResponse(decodeMarkerPdu(r), h('020000090001'))).toBeUndefined();
  });
  it.each([
    ['TLV type 3', 16, 3, /TLV type 3/],
    ['length 15', 17, 15, /information length 15/],
    ['terminator type', 32, 1, /terminator type 1/],
  ])('refused: %s', (_n, at, v, re) => {
    const f = h(MARKER_HEX);
    f[at] = v;
    expect(() => decodeMarkerPdu(f)).toThrow(re);
  });
  it('out-of-range transaction ID refused', () => {
    expect(() => encodeMarkerPdu({ ...marker, requesterTransactionId: 2 ** 32 })).toThrow(/requesterTransactionId/);
  });
});
