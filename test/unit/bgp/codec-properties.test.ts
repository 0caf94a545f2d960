import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/shared/bytes.js';
import {
  BgpError,
  decodeMessage,
  encodeMessage,
  formatIpv6,
  formatPrefix,
  parseIpv6,
  type AsPathSegment,
  type Message,
  type Update,
} from '../../../src/bgp/index.js';
import { GOBGP_BAD_LEN, SCAPY_VECTOR_NAMES, scapyVector } from './vectors.js';
import { seededUint32 } from '../../helpers/random.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

function prefixArb(afi: 1 | 2): fc.Arbitrary<string> {
  const width = afi === 1 ? 4 : 16;
  return fc.tuple(fc.uint8Array({ minLength: width, maxLength: width }), fc.integer({ min: 0, max: width * 8 })).map(([a, len]) => {
    const addr = a.slice();
    for (let bit = len; bit < width * 8; bit++) addr[bit >> 3]! &= ~(0x80 >> (bit & 7));
    return formatPrefix(afi, len, addr);
  });
}
const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIpv6);

function asPathArb(maxAsn: number): fc.Arbitrary<AsPathSegment[]> {
  return fc.array(
    fc.record({ type: fc.constantFrom('sequence' as const, 'set' as const), asns: fc.array(fc.integer({ min: 0, max: maxAsn }), { minLength: 1, maxLength: 6 }) }),
    { maxLength: 3 },
  );
}

/** UPDATEs the encoder accepts, in the form the decoder gives back (unique prefixes, no AS_TRANS on two-octet paths). */
function updateArb(fourOctetAs: boolean): fc.Arbitrary<Update> {
  const maxAsn = fourOctetAs ? 0xffffffff : 0xffff;
  return fc
    .record(
      {
        withdrawn: fc.uniqueArray(prefixArb(1), { maxLength: 5 }),
        nlri: fc.uniqueArray(prefixArb(1), { maxLength: 5 }),
        origin: fc.constantFrom('igp' as const, 'egp' as const, 'incomplete' as const),
        asPath: asPathArb(maxAsn).filter((p) => fourOctetAs || p.every((s) => s.asns.every((a) => a !== 23456))),
        nextHop: ipv4,
        med: fc.option(u32, { nil: undefined }),
        atomicAggregate: fc.option(fc.constant(true), { nil: undefined }),
        aggregator: fc.option(fc.record({ asn: fc.integer({ min: 0, max: maxAsn }).filter((a) => fourOctetAs || a !== 23456), address: ipv4 }), { nil: undefined }),
        communities: fc.option(fc.array(u32, { minLength: 1, maxLength: 4 }), { nil: undefined }),
        mpReach: fc.option(
          fc.record({ afi: fc.constant(2), safi: fc.constant(1), nextHops: fc.array(ipv6, { minLength: 1, maxLength: 2 }), nlri: fc.uniqueArray(prefixArb(2), { maxLength: 5 }) }),
          { nil: undefined },
        ),
        mpUnreach: fc.option(fc.record({ afi: fc.constant(2), safi: fc.constant(1), withdrawn: fc.uniqueArray(prefixArb(2), { maxLength: 5 }) }), { nil: undefined }),
        other: fc.option(fc.array(fc.record({ flags: fc.constantFrom(0xc0, 0xe0, 0x80), typeCode: fc.integer({ min: 19, max: 255 }), value: fc.uint8Array({ maxLength: 300 }) }), { minLength: 1, maxLength: 1 }), { nil: undefined }),
      },
      { requiredKeys: ['withdrawn', 'nlri', 'origin', 'asPath', 'nextHop'] },
    )
    .map(({ withdrawn, nlri, ...attrs }) => {
      const attributes = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined));
      return { type: 'update', withdrawn, nlri, attributes } as Update;
    });
}

describe('round trips (fast-check)', () => {
  it.each([true, false])('UPDATE: decode(encode(u)) equals u, fourOctetAs %s, also at offsets 0..7', (fourOctetAs) => {
    fc.assert(
      fc.property(updateArb(fourOctetAs), fc.integer({ min: 0, max: 7 }), (u, off) => {
        const bytes = encodeMessage(u, { fourOctetAs });
        const big = new Uint8Array(off + bytes.length);
        big.set(bytes, off);
        const back = decodeMessage(big.subarray(off), { fourOctetAs });
        expect(back).toEqual(u);
        expect(toHex(encodeMessage(back, { fourOctetAs }))).toBe(toHex(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('OPEN, NOTIFICATION, ROUTE-REFRESH: decode(encode(m)) equals m', () => {
    const cap = fc.oneof(
      fc.record({ kind: fc.constant('multiprotocol' as const), afi: fc.nat(0xffff), safi: fc.nat(255) }),
      fc.constant({ kind: 'routeRefresh' as const }),
      fc.record({ kind: fc.constant('fourOctetAs' as const), asn: u32 }),
      fc.record({ kind: fc.constant('unknown' as const), code: fc.integer({ min: 3, max: 64 }), value: fc.uint8Array({ maxLength: 8 }) }),
    );
    const msg: fc.Arbitrary<Message> = fc.oneof(
      fc.record({
        type: fc.constant('open' as const),
        version: fc.constant(4),
        myAs: fc.nat(0xffff),
        holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
        bgpId: ipv4,
        capabilities: fc.array(cap, { maxLength: 10 }),
      }),
      fc.record({ type: fc.constant('notification' as const), code: fc.nat(255), subcode: fc.nat(255), data: fc.uint8Array({ maxLength: 64 }) }),
      fc.record({ type: fc.constant('routeRefresh' as const), afi: fc.nat(0xffff), subtype: fc.nat(255), safi: fc.nat(255) }),
      fc.constant({ type: 'keepalive' as const }),
    );
    fc.assert(
      fc.property(msg, (m) => {
        expect(decodeMessage(encodeMessage(m))).toEqual(m);
      }),
      { numRuns: 500 },
    );
  });

  it('IPv6 text matches the WHATWG URL serializer (an independent RFC 5952-style compressor) and parses back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 8 }), (b, zeros) => {
        // Runs of zero groups make the "::" choice matter.
        const a = b.slice();
        a.fill(0, 2 * (zeros % 8), 2 * (zeros % 8) + 2 * Math.min(zeros, 8 - (zeros % 8)));
        const text = formatIpv6(a);
        expect(text).toBe(new URL(`http://[${text}]/`).hostname.slice(1, -1));
        expect(text).toBe(new URL(`http://[${Array.from({ length: 8 }, (_, i) => ((a[2 * i]! << 8) | a[2 * i + 1]!).toString(16)).join(':')}]/`).hostname.slice(1, -1));
        expect(parseIpv6(text)).toEqual(a);
      }),
      { numRuns: 1000 },
    );
    expect(toHex(parseIpv6('::ffff:192.0.2.1'))).toBe('00000000000000000000ffffc0000201');
  });
});

/** Checks the decoder's outcome contract and returns the category. */
function outcome(bytes: Uint8Array, fourOctetAs: boolean): 'ok' | 'notification' | 'treatAsWithdraw' | 'attributeDiscard' {
  let m: Message;
  try {
    m = decodeMessage(bytes, { fourOctetAs });
  } catch (e) {
    if (!(e instanceof BgpError)) throw new Error(`decoder threw ${String(e)} for ${toHex(bytes)}`);
    // Every decode error maps to a message-header, OPEN or UPDATE NOTIFICATION.
    if (!e.notification || e.notification.code < 1 || e.notification.code > 3) throw new Error(`BgpError without a NOTIFICATION: ${e.code}`);
    return 'notification';
  }
  if (m.type === 'update' && m.errors) {
    for (const n of m.errors) if (n.action !== 'treatAsWithdraw' && n.action !== 'attributeDiscard') throw new Error('bad note');
    return m.treatAsWithdraw ? 'treatAsWithdraw' : 'attributeDiscard';
  }
  return 'ok';
}

describe('decoder fuzz', () => {
  it('gobgp bad-len crashers: as stored (marker wrong) and with an all-ones marker, each rejected with a NOTIFICATION or handled per RFC 7606', () => {
    for (const [name, raw] of GOBGP_BAD_LEN) {
      expect(outcome(raw, true), name).toBe('notification');
      const fixed = raw.slice();
      fixed.fill(0xff, 0, Math.min(16, fixed.length));
      expect(['notification', 'treatAsWithdraw', 'attributeDiscard'], name).toContain(outcome(fixed, true));
      expect(['notification', 'treatAsWithdraw', 'attributeDiscard'], name).toContain(outcome(fixed, false));
    }
  });

  it('120000 mutated messages: only BgpError is thrown, each outcome is a NOTIFICATION, treat-as-withdraw, discard or a valid message', () => {
    const seeds = SCAPY_VECTOR_NAMES.filter((n) => !/^(attr_|as_path|cap_|nlri_)/.test(n) && n !== 'open_then_keepalive').map(scapyVector);
    seeds.push(
      encodeMessage(
        {
          type: 'update',
          withdrawn: ['10.0.0.0/8'],
          attributes: {
            mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::1', 'fe80::1'], nlri: ['2001:db8:1::/48'] },
            mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8:2::/48'] },
            origin: 'incomplete',
            asPath: [{ type: 'sequence', asns: [65000, 4200000000] }, { type: 'set', asns: [1, 2] }],
            nextHop: '192.0.2.1',
            med: 10,
            localPref: 100,
            atomicAggregate: true,
            aggregator: { asn: 4200000000, address: '192.0.2.9' },
            communities: [0xffffff01],
            other: [{ flags: 0xc0, typeCode: 32, value: new Uint8Array(12) }],
          },
          nlri: ['198.51.100.0/24', '203.0.113.128/25'],
        },
        { fourOctetAs: false },
      ),
    );
    const rnd = seededUint32(0x5eed);
    const counts = { ok: 0, notification: 0, treatAsWithdraw: 0, attributeDiscard: 0 };
    for (let i = 0; i < 120_000; i++) {
      const seed = seeds[rnd() % seeds.length]!;
      let m = seed.slice();
      const edits = 1 + (rnd() % 4);
      for (let e = 0; e < edits; e++) {
        const kind = rnd() % 6;
        const pos = 19 + (rnd() % Math.max(1, m.length - 19));
        if (kind === 0 && pos < m.length) m[pos]! ^= 1 << (rnd() % 8);
        else if (kind === 1 && pos < m.length) m[pos] = rnd() & 0xff;
        else if (kind === 2) m = m.slice(0, pos);
        else if (kind === 3) {
          const ins = new Uint8Array(1 + (rnd() % 4)).map(() => rnd() & 0xff);
          const n = new Uint8Array(m.length + ins.length);
          n.set(m.subarray(0, pos));
          n.set(ins, pos);
          n.set(m.subarray(pos), pos + ins.length);
          m = n;
        } else if (kind === 4 && pos + 1 < m.length) {
          // Length fields are where parsers break: nudge a 16-bit value.
          const v = ((m[pos]! << 8) | m[pos + 1]!) + ((rnd() % 9) - 4);
          m[pos] = (v >> 8) & 0xff;
          m[pos + 1] = v & 0xff;
        } else if (pos < m.length) m[pos] = [0, 1, 0x7f, 0x80, 0xff][rnd() % 5]!;
      }
      // Most mutants keep a valid header so that the body parsers get exercised.
      if (rnd() % 8 !== 0 && m.length >= 18) {
        m[16] = (m.length >> 8) & 0xff;
        m[17] = m.length & 0xff;
      }
      counts[outcome(m, (rnd() & 1) === 1)]++;
    }
    expect(counts.notification).toBeGreaterThan(1000);
    expect(counts.treatAsWithdraw).toBeGreaterThan(1000);
    expect(counts.attributeDiscard).toBeGreaterThan(10);
    expect(counts.ok).toBeGreaterThan(1000);
  });

  it('arbitrary bytes behind a valid header (fast-check): only BgpError escapes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 200 }), fc.boolean(), (type, body, four) => {
        const m = new Uint8Array(19 + body.length).fill(0xff);
        m[16] = m.length >> 8;
        m[17] = m.length & 0xff;
        m[18] = type;
        m.set(body, 19);
        outcome(m, four);
      }),
      { numRuns: 20_000 },
    );
  });
});
