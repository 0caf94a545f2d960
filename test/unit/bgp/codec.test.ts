import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/shared/bytes.js';
import {
  BgpError,
  MessageFramer,
  buildOpen,
  decodeMessage,
  decodeOptionalParameters,
  encodeMessage,
  type Message,
  type Open,
  type Update,
} from '../../../src/bgp/index.js';
import { MARKER, SCAPY_VECTOR_NAMES, scapyVector, updateHex, withHeader } from './vectors.js';

/** Decodes and asserts the rejection: class, code and the NOTIFICATION it maps to. */
function expectReject(bytes: Uint8Array, code: string, notif: [number, number], dataHex?: string, opts = {}): BgpError {
  let caught: unknown;
  try {
    decodeMessage(bytes, opts);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(BgpError);
  const err = caught as BgpError;
  expect(err.code).toBe(code);
  expect(err.notification?.code).toBe(notif[0]);
  expect(err.notification?.subcode).toBe(notif[1]);
  if (dataHex !== undefined) expect(toHex(err.notification!.data)).toBe(dataHex);
  return err;
}

describe('KEEPALIVE (scapy vector)', () => {
  it('decodes and encodes the 19-octet header', () => {
    const bytes = scapyVector('keepalive');
    expect(decodeMessage(bytes)).toEqual({ type: 'keepalive' });
    expect(toHex(encodeMessage({ type: 'keepalive' }))).toBe(toHex(bytes));
  });
});

describe('OPEN (scapy vectors)', () => {
  it('decodes AS 64503, hold 30, id 192.168.100.3 and five capabilities, and encodes the same octets', () => {
    const bytes = scapyVector('open_caps');
    const m = decodeMessage(bytes) as Open;
    expect(m).toEqual({
      type: 'open',
      version: 4,
      myAs: 64503,
      holdTime: 30,
      bgpId: '192.168.100.3',
      capabilities: [
        { kind: 'multiprotocol', afi: 1, safi: 1 },
        { kind: 'unknown', code: 128, value: new Uint8Array(0) },
        { kind: 'routeRefresh' },
        { kind: 'unknown', code: 64, value: fromHex('007800010180') },
        { kind: 'fourOctetAs', asn: 64503 },
      ],
    });
    expect(toHex(encodeMessage(m))).toBe(toHex(bytes));
  });

  it('splits an OPEN and a KEEPALIVE that arrive in one buffer, also when fed one octet at a time', () => {
    const stream = scapyVector('open_then_keepalive');
    const whole = new MessageFramer().push(stream);
    expect(whole.map((m) => m.length)).toEqual([61, 19]);
    const framer = new MessageFramer();
    const bytewise: Uint8Array[] = [];
    for (const b of stream) bytewise.push(...framer.push(Uint8Array.of(b)));
    expect(bytewise.map(toHex)).toEqual(whole.map(toHex));
    expect(framer.pending).toBe(0);
    const open = decodeMessage(whole[0]!) as Open;
    expect(open.myAs).toBe(64502);
    expect(open.holdTime).toBe(180);
    expect(open.bgpId).toBe('192.168.122.101');
    expect(open.capabilities).toContainEqual({ kind: 'multiprotocol', afi: 2, safi: 1 });
    expect(open.capabilities).toContainEqual({ kind: 'fourOctetAs', asn: 64502 });
    expect(decodeMessage(whole[1]!)).toEqual({ type: 'keepalive' });
    expect(toHex(encodeMessage(open))).toBe(toHex(whole[0]!));
  });

  it('keeps families it does not use and unknown capabilities (graceful restart, enhanced route refresh)', () => {
    const bytes = scapyVector('open_many_families');
    const m = decodeMessage(bytes) as Open;
    expect(m.myAs).toBe(65000);
    expect(m.bgpId).toBe('10.255.255.1');
    const mp = m.capabilities.filter((c) => c.kind === 'multiprotocol');
    expect(mp).toHaveLength(11);
    expect(mp[0]).toEqual({ kind: 'multiprotocol', afi: 1, safi: 132 });
    expect(mp[1]).toEqual({ kind: 'multiprotocol', afi: 25, safi: 65 });
    expect(m.capabilities).toContainEqual({ kind: 'unknown', code: 64, value: fromHex('8078') });
    expect(m.capabilities).toContainEqual({ kind: 'unknown', code: 70, value: new Uint8Array(0) });
    expect(m.capabilities.at(-1)).toEqual({ kind: 'fourOctetAs', asn: 65000 });
    expect(toHex(encodeMessage(m))).toBe(toHex(bytes));
  });

  it('puts AS_TRANS in My AS and the real ASN in the capability (RFC 6793 §4.1; scapy capability bytes for AS 6555555)', () => {
    const open = buildOpen({ asn: 6555555, bgpId: '192.0.2.1', holdTime: 90 });
    expect(open.myAs).toBe(23456);
    const hex = toHex(encodeMessage(open));
    expect(hex).toContain(toHex(scapyVector('cap_four_octet_6555555')));
    expect(hex.slice(38, 48)).toBe('045ba0005a'); // version 4, My AS 23456, hold 90
    expect(decodeOptionalParameters(fromHex(`0206${toHex(scapyVector('cap_four_octet_6555555'))}`))).toEqual([{ kind: 'fourOctetAs', asn: 6555555 }]);
  });

  it('keeps a two-octet ASN in My AS', () => {
    expect(buildOpen({ asn: 64512, bgpId: '192.0.2.1' }).myAs).toBe(64512);
    expect(buildOpen({ asn: 65535, bgpId: '192.0.2.1' }).myAs).toBe(65535);
    expect(buildOpen({ asn: 65536, bgpId: '192.0.2.1' }).myAs).toBe(23456);
  });
});

describe('UPDATE (scapy vectors)', () => {
  it('decodes six withdrawn IPv4 routes and encodes the same octets', () => {
    const bytes = scapyVector('update_withdraw_only');
    const m = decodeMessage(bytes) as Update;
    expect(m).toEqual({
      type: 'update',
      withdrawn: ['192.168.150.0/24', '7.7.7.0/24', '198.51.100.0/24', '192.168.1.0/24', '6.6.6.0/25', '192.168.26.0/24'],
      attributes: {},
      nlri: [],
    });
    expect(toHex(encodeMessage(m))).toBe(toHex(bytes));
  });

  it('decodes a four-octet AS_PATH, NEXT_HOP, MED and COMMUNITIES (NO_EXPORT) and encodes the same octets', () => {
    const bytes = scapyVector('update_as4_communities');
    const m = decodeMessage(bytes, { fourOctetAs: true }) as Update;
    expect(m).toEqual({
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [64506] }],
        nextHop: '192.168.16.6',
        med: 0,
        communities: [0xffffff01],
      },
      nlri: ['192.168.1.0/24'],
    });
    expect(toHex(encodeMessage(m, { fourOctetAs: true }))).toBe(toHex(bytes));
  });

  it('reads the same octets as a malformed two-octet AS_PATH when the session has no four-octet AS (treat-as-withdraw)', () => {
    const m = decodeMessage(scapyVector('update_as4_communities'), { fourOctetAs: false }) as Update;
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.errors).toContainEqual(expect.objectContaining({ action: 'treatAsWithdraw', error: 'malformedAsPath', attributeType: 2 }));
    expect(m.nlri).toEqual(['192.168.1.0/24']);
  });

  it('decodes MP_REACH_NLRI for IPv6 with a 32-octet next hop (global + link-local)', () => {
    const m = decodeMessage(scapyVector('update_mp_reach_v6'), { fourOctetAs: true }) as Update;
    expect(m.treatAsWithdraw).toBeUndefined();
    expect(m.attributes.origin).toBe('igp');
    expect(m.attributes.asPath).toEqual([{ type: 'sequence', asns: [64502] }]);
    const mp = m.attributes.mpReach!;
    expect(mp.afi).toBe(2);
    expect(mp.safi).toBe(1);
    expect(mp.nextHops).toEqual(['fe80::fac0:100:15de:1581', 'fe80::fac0:100:15de:1581']);
    expect(mp.nlri[0]).toBe('400::/6');
    expect(mp.nlri[1]).toBe('800::/5');
    expect(mp.nlri[18]).toBe('::ffff:0:0/96');
    expect(mp.nlri[35]).toBe('200::/7');
    expect(mp.nlri).toHaveLength(36);
    expect(m.nlri).toEqual([]);
  });

  it('decodes MP_UNREACH_NLRI for IPv6', () => {
    const m = decodeMessage(scapyVector('update_mp_unreach_v6')) as Update;
    const w = m.attributes.mpUnreach!.withdrawn;
    expect(m.attributes.mpUnreach!.afi).toBe(2);
    expect([w[0], w[1], w[2], w[3], w[4], w[5]]).toEqual(['6000::/3', '8000::/3', 'a000::/3', 'c000::/3', 'e000::/4', 'f000::/5']);
    expect(w[11]).toBe('2001::/32');
    expect(w[23]).toBe('1000::/4');
    expect(w).toHaveLength(24);
    expect(m.errors).toBeUndefined();
  });

  it('encodes MP_REACH_NLRI with a 16-octet next hop to the scapy attribute octets, first in the attribute list', () => {
    const u: Update = {
      type: 'update',
      withdrawn: [],
      attributes: { mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::2'], nlri: ['2001:db8:2::/64'] } },
      nlri: [],
    };
    const bytes = encodeMessage(u);
    expect(toHex(bytes.subarray(23, 23 + 33))).toBe(toHex(scapyVector('attr_mp_reach_v6_16')));
    const withPath = encodeMessage({ ...u, attributes: { origin: 'igp', asPath: [], ...u.attributes } });
    expect(toHex(withPath.subarray(23, 23 + 33))).toBe(toHex(scapyVector('attr_mp_reach_v6_16')));
  });

  it('decodes a two-octet AS_PATH of an AS_SET then an AS_SEQUENCE (scapy value) and re-encodes it', () => {
    const path = toHex(scapyVector('as_path_set_then_sequence_2oct'));
    const bytes = updateHex('', `40010100400214${path}400304c0000201`, toHex(scapyVector('nlri_v4_192_0_2_0_24')));
    const m = decodeMessage(bytes) as Update;
    expect(m.attributes.asPath).toEqual([
      { type: 'set', asns: [64496, 64497, 64498] },
      { type: 'sequence', asns: [64500, 64501, 64502, 64502, 64503] },
    ]);
    expect(m.nlri).toEqual(['192.0.2.0/24']);
    expect(toHex(encodeMessage(m))).toBe(toHex(bytes));
  });

  it('encodes 2001:db8::/32 as the scapy NLRI octets', () => {
    const bytes = encodeMessage({ type: 'update', withdrawn: [], attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8::/32'] } }, nlri: [] });
    expect(toHex(bytes)).toBe(`${MARKER}002202${'0000'}000b800f08000201${toHex(scapyVector('nlri_v6_2001db8_32'))}`);
  });
});

describe('NOTIFICATION and ROUTE-REFRESH (scapy vectors)', () => {
  it.each([
    ['notification_cease_admin_reset', 6, 4, ''],
    ['notification_bad_peer_as', 2, 2, '0000'],
    ['notification_attr_flags', 3, 4, '80010100'],
  ])('%s decodes to %i/%i and encodes back', (name, code, subcode, data) => {
    const bytes = scapyVector(name);
    const m = decodeMessage(bytes);
    expect(m).toEqual({ type: 'notification', code, subcode, data: fromHex(data) });
    expect(toHex(encodeMessage(m))).toBe(toHex(bytes));
  });

  it('decodes ROUTE-REFRESH for IPv6 unicast and encodes it back', () => {
    const bytes = scapyVector('route_refresh_ipv6');
    const m = decodeMessage(bytes);
    expect(m).toEqual({ type: 'routeRefresh', afi: 2, subtype: 0, safi: 1 });
    expect(toHex(encodeMessage(m))).toBe(toHex(bytes));
  });

  it('rejects ROUTE-REFRESH with ORF entries, which it never negotiates, as Bad Message Length', () => {
    expectReject(scapyVector('route_refresh_orf'), 'badMessageLength', [1, 2], '002e');
  });
});

describe('message header errors (RFC 4271 §6.1)', () => {
  const ka = scapyVector('keepalive');
  it('marker not all ones: Connection Not Synchronized', () => {
    const b = ka.slice();
    b[7] = 0xfe;
    expectReject(b, 'connectionNotSynchronized', [1, 1]);
  });
  it('Length below 19 or above 4096: Bad Message Length with the Length field as data', () => {
    expectReject(fromHex(`${MARKER}001204`), 'badMessageLength', [1, 2], '0012');
    const big = new Uint8Array(4097).fill(0);
    big.set(fromHex(`${MARKER}100104`));
    expectReject(big, 'badMessageLength', [1, 2], '1001');
  });
  it('Length too large for a KEEPALIVE: Bad Message Length', () => {
    expectReject(fromHex(`${MARKER}00140400`), 'badMessageLength', [1, 2], '0014');
  });
  it('Length shorter than an OPEN: Bad Message Length', () => {
    expectReject(withHeader(1, '04fde800b40a000001'), 'badMessageLength', [1, 2], '001c');
  });
  it('unknown type: Bad Message Type with the type as data', () => {
    expectReject(fromHex(`${MARKER}001306`), 'badMessageType', [1, 3], '06');
  });
  it('frame shorter than its Length field: Bad Message Length', () => {
    expectReject(ka.subarray(0, 18), 'badMessageLength', [1, 2]);
    expectReject(fromHex(`${MARKER}001504`), 'badMessageLength', [1, 2], '0015');
  });
});

describe('OPEN errors (RFC 4271 §6.2)', () => {
  const open = (hex: string) => withHeader(1, hex);
  it('version 3: Unsupported Version Number with 4 as data', () => {
    expectReject(open('03fde800b40a00000100'), 'unsupportedVersionNumber', [2, 1], '0004');
  });
  it.each([1, 2])('hold time %i: Unacceptable Hold Time', (h) => {
    expectReject(open(`04fde8000${h}0a00000100`), 'unacceptableHoldTime', [2, 6]);
  });
  it.each([0, 3])('hold time %i is accepted', (h) => {
    expect((decodeMessage(open(`04fde8000${h}0a00000100`)) as Open).holdTime).toBe(h);
  });
  it('BGP Identifier 0.0.0.0: Bad BGP Identifier', () => {
    expectReject(open('04fde800b40000000000'), 'badBgpIdentifier', [2, 3]);
  });
  it('an Authentication parameter (type 1): Unsupported Optional Parameter', () => {
    expectReject(open('04fde800b40a00000103010100'), 'unsupportedOptionalParameter', [2, 4]);
  });
  it('optional parameters length past the message: OPEN error', () => {
    expectReject(open('04fde800b40a0000010502020200'), 'malformedOpen', [2, 0]);
  });
  it('capability running past its parameter: OPEN error', () => {
    expectReject(open('04fde800b40a0000010402024104'), 'malformedOpen', [2, 0]);
  });
  it('four-octet AS capability of length 2: OPEN error', () => {
    expectReject(open('04fde800b40a00000106020441020000'), 'malformedOpen', [2, 0]);
  });
});

describe('UPDATE errors that reset the session (RFC 4271 §6.3, RFC 7606 §3 g, §5.3, §7.11)', () => {
  const origin = '40010100';
  const path = '40020602010000fde8';
  const nh = '400304c0000201';
  it('Withdrawn Routes Length past the message: Malformed Attribute List', () => {
    expectReject(withHeader(2, '00100000'), 'malformedAttributeList', [3, 1]);
  });
  it('Total Path Attribute Length past the message: Malformed Attribute List', () => {
    expectReject(withHeader(2, '000000ff40010100'), 'malformedAttributeList', [3, 1]);
  });
  it('an NLRI prefix of /33: Invalid Network Field', () => {
    expectReject(updateHex('', origin + path + nh, '21c0000201'), 'invalidNetworkField', [3, 10], '', { fourOctetAs: true });
  });
  it('an NLRI prefix running past the message: Invalid Network Field', () => {
    expectReject(updateHex('', origin + path + nh, '18c000'), 'invalidNetworkField', [3, 10], '', { fourOctetAs: true });
  });
  it('a withdrawn prefix of /40: Invalid Network Field', () => {
    expectReject(updateHex('28c000020100', '', ''), 'invalidNetworkField', [3, 10]);
  });
  it('an unrecognized well-known attribute: Unrecognized Well-known Attribute with the attribute as data', () => {
    expectReject(updateHex('', `${origin}40630201ff`, ''), 'unrecognizedWellKnownAttribute', [3, 2], '40630201ff');
  });
  it('MP_UNREACH_NLRI twice: Malformed Attribute List', () => {
    expectReject(updateHex('', '800f03000201800f03000201', ''), 'malformedAttributeList', [3, 1]);
  });
  it('MP_REACH_NLRI with a 4-octet IPv6 next hop: Optional Attribute Error with the attribute as data', () => {
    const attr = '800e0900020104c000020100';
    expectReject(updateHex('', `${origin}${path}${attr}`, ''), 'optionalAttributeError', [3, 9], attr, { fourOctetAs: true });
  });
  it('MP_REACH_NLRI with an IPv6 prefix of /129: Optional Attribute Error', () => {
    expectReject(updateHex('', `${origin}${path}800e1700020110${'20010db8000000000000000000000001'}0081ff`, ''), 'optionalAttributeError', [3, 9], undefined, { fourOctetAs: true });
  });
  it('MP_REACH_NLRI too short for AFI, SAFI and next hop length: Optional Attribute Error', () => {
    expectReject(updateHex('', '800e020002', ''), 'optionalAttributeError', [3, 9], '800e020002');
  });
});

describe('UPDATE errors handled without a reset (RFC 7606)', () => {
  const origin = '40010100';
  const path = '40020602010000fde8';
  const nh = '400304c0000201';
  const nlri = '18c63364';
  const dec = (attrs: string, n = nlri, opts: object = { fourOctetAs: true }) => decodeMessage(updateHex('', attrs, n), opts) as Update;

  it('a valid UPDATE has no errors and is not treat-as-withdraw', () => {
    const m = dec(origin + path + nh);
    expect(m.errors).toBeUndefined();
    expect(m.treatAsWithdraw).toBeUndefined();
    expect(m.nlri).toEqual(['198.51.100.0/24']);
  });
  it('ORIGIN 3: treat-as-withdraw, Invalid ORIGIN (§7.1)', () => {
    const m = dec('40010103' + path + nh);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.errors).toEqual([expect.objectContaining({ action: 'treatAsWithdraw', error: 'invalidOrigin', attributeType: 1 })]);
  });
  it('ORIGIN with the Optional bit (the attribute in the scapy 3/4 NOTIFICATION): treat-as-withdraw, flags error (§3 c)', () => {
    const m = dec('80010100' + path + nh);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.errors).toContainEqual(expect.objectContaining({ error: 'attributeFlagsError', attributeType: 1 }));
  });
  it('ORIGIN of length 2: treat-as-withdraw, Attribute Length Error', () => {
    expect(dec('4001020000' + path + nh).errors).toEqual([expect.objectContaining({ action: 'treatAsWithdraw', error: 'attributeLengthError' })]);
  });
  it('AS_PATH segment of length 0: treat-as-withdraw, Malformed AS_PATH (§7.2)', () => {
    expect(dec(origin + '4002020200' + nh).errors).toEqual([expect.objectContaining({ action: 'treatAsWithdraw', error: 'malformedAsPath' })]);
  });
  it('AS_PATH segment type 7: treat-as-withdraw', () => {
    expect(dec(origin + '40020607010000fde8' + nh).treatAsWithdraw).toBe(true);
  });
  it('AS_PATH with one octet left over: treat-as-withdraw', () => {
    expect(dec(origin + '40020702010000fde802' + nh).treatAsWithdraw).toBe(true);
  });
  it('NEXT_HOP of length 3 or a multicast NEXT_HOP: treat-as-withdraw (§7.3)', () => {
    expect(dec(origin + path + '400303c00002').errors).toEqual([expect.objectContaining({ error: 'attributeLengthError', attributeType: 3 })]);
    expect(dec(origin + path + '400304e0000001').errors).toEqual([expect.objectContaining({ error: 'invalidNextHop', attributeType: 3 })]);
  });
  it('MULTI_EXIT_DISC of length 2: treat-as-withdraw (§7.4)', () => {
    expect(dec(origin + path + nh + '8004020000').treatAsWithdraw).toBe(true);
  });
  it('LOCAL_PREF from an external peer is discarded, from an internal one kept (§7.5)', () => {
    const ext = dec(origin + path + nh + '40050400000064');
    expect(ext.attributes.localPref).toBeUndefined();
    expect(ext.treatAsWithdraw).toBeUndefined();
    expect(ext.errors).toEqual([expect.objectContaining({ action: 'attributeDiscard', error: null, attributeType: 5 })]);
    const int = dec(origin + path + nh + '40050400000064', nlri, { fourOctetAs: true, external: false });
    expect(int.attributes.localPref).toBe(100);
    expect(int.errors).toBeUndefined();
    expect(dec(origin + path + nh + '400503000064', nlri, { fourOctetAs: true, external: false }).treatAsWithdraw).toBe(true);
  });
  it('ATOMIC_AGGREGATE of length 1 and AGGREGATOR of length 5 are discarded, the routes kept (§7.6, §7.7)', () => {
    const m = dec(origin + path + nh + '40060100' + 'c0070500fde8c000');
    expect(m.treatAsWithdraw).toBeUndefined();
    expect(m.attributes.atomicAggregate).toBeUndefined();
    expect(m.attributes.aggregator).toBeUndefined();
    expect(m.errors?.map((e) => [e.action, e.attributeType])).toEqual([
      ['attributeDiscard', 6],
      ['attributeDiscard', 7],
    ]);
  });
  it('AGGREGATOR is 8 octets with four-octet AS, 6 without', () => {
    expect(dec(origin + path + nh + 'c00708fde8fde8c0000201').attributes.aggregator).toEqual({ asn: 0xfde8fde8, address: '192.0.2.1' });
    expect(dec(origin + '400204020100fe' + nh + 'c00706fde8c0000201', nlri, { fourOctetAs: false }).attributes.aggregator).toEqual({ asn: 65000, address: '192.0.2.1' });
  });
  it('COMMUNITIES of length 5: treat-as-withdraw (§7.8)', () => {
    expect(dec(origin + path + nh + 'c00805ffffff0100').treatAsWithdraw).toBe(true);
  });
  it('a second MULTI_EXIT_DISC is discarded and the first kept (§3 g)', () => {
    const m = dec(origin + path + nh + '800404000000058004040000000a');
    expect(m.attributes.med).toBe(5);
    expect(m.treatAsWithdraw).toBeUndefined();
    expect(m.errors).toEqual([expect.objectContaining({ action: 'attributeDiscard', error: 'malformedAttributeList', attributeType: 4 })]);
  });
  it('a missing NEXT_HOP with NLRI: treat-as-withdraw, Missing Well-known Attribute 3 (§3 d)', () => {
    const m = dec(origin + path);
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.errors).toEqual([expect.objectContaining({ error: 'missingWellKnownAttribute', attributeType: 3 })]);
  });
  it('no attributes are required without NLRI, and no NEXT_HOP for MP_REACH_NLRI only (RFC 4760 §3)', () => {
    expect(dec('', '').errors).toBeUndefined();
    const mp = '800e1a' + '0002' + '01' + '10' + '20010db8000000000000000000000001' + '00' + '2020010db8';
    expect(dec(origin + path + mp, '').errors).toBeUndefined();
    expect(dec(mp, '').errors).toEqual([
      expect.objectContaining({ error: 'missingWellKnownAttribute', attributeType: 1 }),
      expect.objectContaining({ error: 'missingWellKnownAttribute', attributeType: 2 }),
    ]);
  });
  it('an attribute running past the Total Path Attribute Length: treat-as-withdraw, NLRI still read (§4)', () => {
    const m = dec(origin + path + '400308c0000201');
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.nlri).toEqual(['198.51.100.0/24']);
    expect(m.errors).toContainEqual(expect.objectContaining({ error: 'attributeLengthError', attributeType: 3 }));
  });
  it('an attribute one octet past the Total Path Attribute Length, as the last one: treat-as-withdraw, not a reset (§4)', () => {
    const m = dec(origin + path + '400305c0000201');
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.errors?.map((e) => [e.action, e.error, e.attributeType])).toEqual([
      ['treatAsWithdraw', 'attributeLengthError', 3],
      ['treatAsWithdraw', 'missingWellKnownAttribute', 3], // never parsed, so also missing
    ]);
  });
  it('an extended-length attribute cut short after its flags and type: treat-as-withdraw (§4)', () => {
    const m = dec(origin + path + nh + '900e00');
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.nlri).toEqual(['198.51.100.0/24']);
  });
  it('two octets left where an attribute header should be: treat-as-withdraw (§4)', () => {
    const m = dec(origin + path + nh + '4001');
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.nlri).toEqual(['198.51.100.0/24']);
  });
  it('MP_REACH_NLRI with the Transitive bit: treat-as-withdraw, its NLRI still decoded so it can be withdrawn', () => {
    const m = dec(origin + path + 'c00e1a00020110' + '20010db8000000000000000000000001' + '00' + '2020010db8', '');
    expect(m.treatAsWithdraw).toBe(true);
    expect(m.attributes.mpReach?.nlri).toEqual(['2001:db8::/32']);
  });
  it('an unknown optional transitive attribute is carried as octets and re-encoded', () => {
    const bytes = updateHex('', origin + path + nh + 'c0200c0000fde8000000010000000a', nlri);
    const m = decodeMessage(bytes, { fourOctetAs: true }) as Update;
    expect(m.attributes.other).toEqual([{ flags: 0xc0, typeCode: 32, value: fromHex('0000fde8000000010000000a') }]);
    expect(toHex(encodeMessage(m, { fourOctetAs: true }))).toBe(toHex(bytes));
  });
  it('AS4_PATH between NEW speakers is discarded (RFC 6793 §6)', () => {
    const m = dec(origin + path + nh + 'c0110602010000fde9');
    expect(m.attributes.asPath).toEqual([{ type: 'sequence', asns: [65000] }]);
    expect(m.errors).toEqual([expect.objectContaining({ action: 'attributeDiscard', attributeType: 17 })]);
  });
  it('AS4_PATH from an OLD speaker restores four-octet ASNs behind AS_TRANS (RFC 6793 §4.2.3)', () => {
    const asPath = '4002080203fc005ba05ba0'; // AS_SEQUENCE 64512 23456 23456
    const as4 = 'c0110a0202fa56ea00fa56ea01'; // AS_SEQUENCE 4200000000 4200000001
    const m = dec(origin + asPath + nh + as4, nlri, { fourOctetAs: false });
    expect(m.errors).toBeUndefined();
    expect(m.attributes.asPath).toEqual([
      { type: 'sequence', asns: [64512] },
      { type: 'sequence', asns: [4200000000, 4200000001] },
    ]);
  });
  it('a malformed AS4_PATH from an OLD speaker is discarded and AS_PATH used as is (RFC 6793 §6)', () => {
    const m = dec(origin + '4002040201fc00' + nh + 'c01104020100fa', nlri, { fourOctetAs: false });
    expect(m.treatAsWithdraw).toBeUndefined();
    expect(m.attributes.asPath).toEqual([{ type: 'sequence', asns: [64512] }]);
    expect(m.errors).toEqual([expect.objectContaining({ action: 'attributeDiscard', attributeType: 17 })]);
  });
});

describe('encoding on a two-octet session (RFC 6793 §4.2.2)', () => {
  it('sends AS_TRANS in AS_PATH and AGGREGATOR and the real values in AS4_PATH and AS4_AGGREGATOR', () => {
    const u: Update = {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [4200000000, 64512] }],
        nextHop: '192.0.2.1',
        aggregator: { asn: 4200000000, address: '192.0.2.9' },
      },
      nlri: ['198.51.100.0/24'],
    };
    const hex = toHex(encodeMessage(u, { fourOctetAs: false }));
    expect(hex).toContain('400206' + '0202' + '5ba0fc00');
    expect(hex).toContain('c00706' + '5ba0c0000209');
    expect(hex).toContain('c0110a' + '0202fa56ea000000fc00');
    expect(hex).toContain('c01208' + 'fa56ea00c0000209');
    expect(decodeMessage(fromHex(hex), { fourOctetAs: false })).toEqual(u);
  });
});

describe('encoder argument checks', () => {
  it.each<[string, Message]>([
    ['bad prefix text', { type: 'update', withdrawn: ['10.0.0.1/8'], attributes: {}, nlri: [] }],
    ['IPv6 prefix in the IPv4 NLRI field', { type: 'update', withdrawn: [], attributes: {}, nlri: ['2001:db8::/32'] }],
    ['My AS above 65535', { type: 'open', version: 4, myAs: 70000, holdTime: 90, bgpId: '192.0.2.1', capabilities: [] }],
    ['MED above 2^32-1', { type: 'update', withdrawn: [], attributes: { med: 2 ** 32 }, nlri: [] }],
    ['too many prefixes for 4096 octets', { type: 'update', withdrawn: Array.from({ length: 1100 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`), attributes: {}, nlri: [] }],
  ])('%s: BgpError invalidArgument, no NOTIFICATION', (_, m) => {
    let caught: unknown;
    try {
      encodeMessage(m);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BgpError);
    expect((caught as BgpError).code).toBe('invalidArgument');
    expect((caught as BgpError).notification).toBeNull();
  });
});

describe('views and copies', () => {
  it.each(SCAPY_VECTOR_NAMES.filter((n) => !n.startsWith('attr_') && !n.startsWith('as_path') && !n.startsWith('cap_') && !n.startsWith('nlri_') && n !== 'open_then_keepalive' && n !== 'route_refresh_orf'))(
    '%s decodes the same at byte offsets 0..7 of a larger buffer',
    (name) => {
      const bytes = scapyVector(name);
      const opts = { fourOctetAs: name !== 'update_withdraw_only' };
      const ref = decodeMessage(bytes, opts);
      for (let off = 0; off < 8; off++) {
        const big = new Uint8Array(off + bytes.length + 5).fill(0xa5);
        big.set(bytes, off);
        const view = big.subarray(off, off + bytes.length);
        expect(decodeMessage(view, opts)).toEqual(ref);
        expect(toHex(encodeMessage(decodeMessage(view, opts), opts))).toBe(toHex(encodeMessage(ref, opts)));
      }
    },
  );

  it('decoded octets are copies: overwriting the input changes nothing', () => {
    const bytes = updateHex('', '40010100' + 'c0200401020304', '');
    const m = decodeMessage(bytes) as Update;
    const n = decodeMessage(scapyVector('notification_attr_flags').slice());
    const o = decodeMessage(scapyVector('open_caps').slice());
    bytes.fill(0);
    expect(m.attributes.other?.[0]?.value).toEqual(fromHex('01020304'));
    expect(n).toEqual({ type: 'notification', code: 3, subcode: 4, data: fromHex('80010100') });
    expect((o as Open).capabilities[3]).toEqual({ kind: 'unknown', code: 64, value: fromHex('007800010180') });
  });

  it('decoding does not write into its input', () => {
    for (const name of SCAPY_VECTOR_NAMES) {
      const bytes = scapyVector(name);
      const before = toHex(bytes);
      try {
        decodeMessage(bytes, { fourOctetAs: true });
      } catch {
        /* parts and ORF vector are not whole messages we accept */
      }
      expect(toHex(bytes)).toBe(before);
    }
  });
});
