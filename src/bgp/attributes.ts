/**
 * UPDATE path attributes (RFC 4271 §4.3, §5.1): ORIGIN, AS_PATH, NEXT_HOP,
 * MULTI_EXIT_DISC, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES
 * (RFC 1997), MP_REACH_NLRI / MP_UNREACH_NLRI for IPv4 and IPv6 unicast
 * (RFC 4760 §3-§4, IPv6 next hops RFC 2545 §3), AS4_PATH / AS4_AGGREGATOR
 * towards speakers without four-octet AS support (RFC 6793 §4.2), and unknown
 * optional attributes carried as octets (RFC 4271 §5: optional transitive
 * attributes are passed on).
 *
 * Error handling follows RFC 7606, which revises RFC 4271 §6.3:
 * - treat-as-withdraw (§2): flags that conflict with the type (§3 c), a
 *   missing well-known mandatory attribute (§3 d), a path attribute running
 *   past the Total Path Attribute Length or too few octets for a header (§4),
 *   malformed ORIGIN, AS_PATH, NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF from an
 *   internal peer, COMMUNITIES (§7.1-§7.5, §7.8);
 * - attribute discard (§2): a second copy of any attribute but MP_REACH_NLRI
 *   and MP_UNREACH_NLRI (§3 g), LOCAL_PREF from an external peer (§7.5),
 *   malformed ATOMIC_AGGREGATE or AGGREGATOR (§7.6, §7.7), and AS4_PATH or
 *   AS4_AGGREGATOR that are malformed or come from a NEW speaker (RFC 6793 §6);
 * - session reset, thrown as BgpError: an unrecognized well-known attribute
 *   (RFC 4271 §6.3, unchanged by RFC 7606), MP_REACH_NLRI or MP_UNREACH_NLRI
 *   repeated (§3 g, Malformed Attribute List) or unparseable (§5.3, §7.11:
 *   without its NLRI nothing can be withdrawn; RFC 4760 §7 names Optional
 *   Attribute Error).
 *
 * Note on §4 versus §5.1: an overrun stops the scan, so an MP_REACH_NLRI
 * after the bad attribute is never seen and its routes are not withdrawn.
 * RFC 7606 §5.1 asks senders to put MP_REACH_NLRI / MP_UNREACH_NLRI first
 * (the encoder does), which makes that case one of a broken sender; §4 still
 * says treat-as-withdraw, and that is what happens here.
 */
import { ByteReader, ByteWriter } from '../shared/bytes.js';
import {
  AFI_IPV4,
  AFI_IPV6,
  AS_CONFED_SEQUENCE,
  AS_CONFED_SET,
  AS_SEQUENCE,
  AS_SET,
  AS_TRANS,
  ATTR_FLAG_EXTENDED_LENGTH,
  ATTR_FLAG_OPTIONAL,
  ATTR_FLAG_TRANSITIVE,
  ATTR_TYPE_NAMES,
  AttrType,
  MAX_ASN_2,
  MAX_ASN_4,
  MAX_SEGMENT_ASNS,
  ORIGIN_CODES,
  SAFI_UNICAST,
} from './constants.js';
import { BgpError, type BgpErrorCode } from './errors.js';
import type { AsPathSegment, MpReach, MpUnreach, Origin, PathAttributes, RawAttribute, UpdateErrorNote } from './messages.js';
import { addressLength, decodePrefixes, encodePrefixes, formatAddress, formatIpv4, parseAddress, parseIpv4 } from './prefix.js';

/** What the decoder and encoder need to know about the session. */
export interface AttributeContext {
  /** Both speakers announced the four-octet AS capability: AS numbers in AS_PATH and AGGREGATOR are 4 octets (RFC 6793 §4.1). */
  readonly fourOctetAs: boolean;
  /** The peer is in another AS (eBGP): a received LOCAL_PREF is discarded (RFC 4271 §5.1.5, RFC 7606 §7.5). */
  readonly external: boolean;
}

/** Result of decoding the Path Attributes field. */
export interface DecodedAttributes {
  readonly attributes: PathAttributes;
  readonly errors: UpdateErrorNote[];
  readonly treatAsWithdraw: boolean;
  /** Type codes present (also those discarded or malformed), for the missing-attribute check. */
  readonly seen: ReadonlySet<number>;
}

/** Optional and Transitive bits each known attribute must carry (RFC 4271 §5, RFC 4760 §3-§4, RFC 6793 §3). */
const EXPECTED_FLAGS: Readonly<Record<number, number>> = {
  [AttrType.ORIGIN]: ATTR_FLAG_TRANSITIVE,
  [AttrType.AS_PATH]: ATTR_FLAG_TRANSITIVE,
  [AttrType.NEXT_HOP]: ATTR_FLAG_TRANSITIVE,
  [AttrType.MULTI_EXIT_DISC]: ATTR_FLAG_OPTIONAL,
  [AttrType.LOCAL_PREF]: ATTR_FLAG_TRANSITIVE,
  [AttrType.ATOMIC_AGGREGATE]: ATTR_FLAG_TRANSITIVE,
  [AttrType.AGGREGATOR]: ATTR_FLAG_OPTIONAL | ATTR_FLAG_TRANSITIVE,
  [AttrType.COMMUNITIES]: ATTR_FLAG_OPTIONAL | ATTR_FLAG_TRANSITIVE,
  [AttrType.MP_REACH_NLRI]: ATTR_FLAG_OPTIONAL,
  [AttrType.MP_UNREACH_NLRI]: ATTR_FLAG_OPTIONAL,
  [AttrType.AS4_PATH]: ATTR_FLAG_OPTIONAL | ATTR_FLAG_TRANSITIVE,
  [AttrType.AS4_AGGREGATOR]: ATTR_FLAG_OPTIONAL | ATTR_FLAG_TRANSITIVE,
};

const ORIGIN_NAMES: readonly Origin[] = ['igp', 'egp', 'incomplete'];

const SEGMENT_CODES: Readonly<Record<AsPathSegment['type'], number>> = {
  set: AS_SET,
  sequence: AS_SEQUENCE,
  confedSequence: AS_CONFED_SEQUENCE,
  confedSet: AS_CONFED_SET,
};
const SEGMENT_TYPES: Readonly<Record<number, AsPathSegment['type']>> = {
  [AS_SET]: 'set',
  [AS_SEQUENCE]: 'sequence',
  [AS_CONFED_SEQUENCE]: 'confedSequence',
  [AS_CONFED_SET]: 'confedSet',
};

/** Families whose MP attributes are decoded; others are carried raw. */
function isUnicastFamily(afi: number, safi: number): boolean {
  return safi === SAFI_UNICAST && (afi === AFI_IPV4 || afi === AFI_IPV6);
}

function attrName(type: number): string {
  return ATTR_TYPE_NAMES[type] ?? `attribute ${type}`;
}

/**
 * Reader over an attribute value whose length was already checked; should a
 * read still run past it, the error is the layer's, never a bare one.
 */
function valueReader(value: Uint8Array, type: number): ByteReader {
  return new ByteReader(value, (field, offset) => new BgpError('attributeLengthError', `${attrName(type)}: ${field} at offset ${offset} overruns the value`));
}

/** Thrown inside a value parser; turned into the RFC 7606 action by the caller. */
class Malformed extends Error {
  constructor(
    readonly error: BgpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses an AS_PATH or AS4_PATH value (RFC 4271 §4.3; malformed cases from
 * RFC 7606 §7.2: unknown segment type, zero segment length, overrun, and a
 * single octet left over).
 */
function parseAsPath(value: Uint8Array, asnSize: 2 | 4, name: string): AsPathSegment[] {
  const r = new ByteReader(value, (field, offset) => new Malformed('malformedAsPath', `${name}: ${field} overruns the attribute at offset ${offset}`));
  const segments: AsPathSegment[] = [];
  while (r.remaining > 0) {
    const code = r.u8('segment type');
    const type = SEGMENT_TYPES[code];
    if (!type) throw new Malformed('malformedAsPath', `${name}: segment type ${code} is undefined`);
    const count = r.u8('segment length');
    if (count === 0) throw new Malformed('malformedAsPath', `${name}: segment of length 0`);
    r.need(count * asnSize, `segment of ${count} ASes`);
    const asns: number[] = [];
    for (let i = 0; i < count; i++) asns.push(asnSize === 4 ? r.u32('ASN') : r.u16('ASN'));
    segments.push({ type, asns });
  }
  return segments;
}

/** Number of ASes a path counts for in the RFC 6793 §4.2.3 merge: a set counts one, confederation segments none. */
function pathCount(path: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of path) n += s.type === 'sequence' ? s.asns.length : s.type === 'set' ? 1 : 0;
  return n;
}

/**
 * Rebuilds the real AS path from AS_PATH and AS4_PATH (RFC 6793 §4.2.3):
 * the leading ASes of AS_PATH that AS4_PATH does not cover, then AS4_PATH.
 * When AS_PATH is the shorter one AS4_PATH is ignored.
 */
function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): readonly AsPathSegment[] {
  const extra = pathCount(asPath) - pathCount(as4Path);
  if (extra < 0) return asPath;
  const lead: AsPathSegment[] = [];
  let left = extra;
  for (const s of asPath) {
    if (left === 0) break;
    if (s.type === 'sequence') {
      const take = s.asns.slice(0, left);
      lead.push({ type: 'sequence', asns: take });
      left -= take.length;
    } else if (s.type === 'set') {
      lead.push(s);
      left -= 1;
    } else {
      lead.push(s);
    }
  }
  return [...lead, ...as4Path];
}

/**
 * Decodes the Path Attributes field of an UPDATE.
 * @throws BgpError for the conditions that still reset the session (see the module comment).
 */
export function decodePathAttributes(bytes: Uint8Array, ctx: AttributeContext): DecodedAttributes {
  const errors: UpdateErrorNote[] = [];
  const seen = new Set<number>();
  let treatAsWithdraw = false;
  const out: {
    origin?: Origin;
    asPath?: readonly AsPathSegment[];
    nextHop?: string;
    med?: number;
    localPref?: number;
    atomicAggregate?: boolean;
    aggregator?: { asn: number; address: string };
    communities?: number[];
    mpReach?: MpReach;
    mpUnreach?: MpUnreach;
    other?: RawAttribute[];
  } = {};
  let as4Path: AsPathSegment[] | undefined;
  let as4Aggregator: { asn: number; address: string } | undefined;

  const withdraw = (error: BgpErrorCode, type: number | null, reason: string) => {
    treatAsWithdraw = true;
    errors.push({ action: 'treatAsWithdraw', error, attributeType: type, reason });
  };
  const discard = (error: BgpErrorCode | null, type: number, reason: string) => {
    errors.push({ action: 'attributeDiscard', error, attributeType: type, reason });
  };

  const r = new ByteReader(bytes, (field, offset) => new BgpError('malformedAttributeList', `path attributes: ${field} at offset ${offset}`));
  while (r.remaining > 0) {
    const start = r.offset;
    // RFC 7606 §4: too few octets for an attribute header.
    if (r.remaining < 3) {
      withdraw('malformedAttributeList', null, `${r.remaining} octet(s) left at offset ${start}, too few for an attribute header`);
      break;
    }
    const flags = r.u8('flags');
    const type = r.u8('type code');
    const extended = (flags & ATTR_FLAG_EXTENDED_LENGTH) !== 0;
    if (extended && r.remaining < 2) {
      withdraw('malformedAttributeList', type, `extended length of ${attrName(type)} at offset ${start} cut short`);
      break;
    }
    const len = extended ? r.u16('extended length') : r.u8('length');
    // RFC 7606 §4: an attribute running past the Total Path Attribute Length.
    if (len > r.remaining) {
      withdraw('attributeLengthError', type, `${attrName(type)} at offset ${start} claims ${len} octets, ${r.remaining} left`);
      break;
    }
    const value = r.bytesView(len, 'value');
    const tlv = bytes.subarray(start, r.offset);

    if (seen.has(type)) {
      if (type === AttrType.MP_REACH_NLRI || type === AttrType.MP_UNREACH_NLRI) {
        throw new BgpError('malformedAttributeList', `${attrName(type)} appears more than once (RFC 7606 §3 g)`);
      }
      discard('malformedAttributeList', type, `second ${attrName(type)} discarded (RFC 7606 §3 g)`);
      continue;
    }
    seen.add(type);

    const expected = EXPECTED_FLAGS[type];
    if (expected === undefined) {
      if ((flags & ATTR_FLAG_OPTIONAL) === 0) {
        throw new BgpError('unrecognizedWellKnownAttribute', `unrecognized well-known attribute ${type} (flags 0x${flags.toString(16)})`, { data: tlv });
      }
      (out.other ??= []).push({ flags, typeCode: type, value: value.slice() });
      continue;
    }

    // Discards that apply whatever the flags or length say.
    if (type === AttrType.LOCAL_PREF && ctx.external) {
      discard(null, type, 'LOCAL_PREF from an external peer ignored (RFC 4271 §5.1.5, RFC 7606 §7.5)');
      continue;
    }
    if ((type === AttrType.AS4_PATH || type === AttrType.AS4_AGGREGATOR) && ctx.fourOctetAs) {
      discard(null, type, `${attrName(type)} from a NEW speaker discarded (RFC 6793 §6)`);
      continue;
    }

    const flagsOk = (flags & (ATTR_FLAG_OPTIONAL | ATTR_FLAG_TRANSITIVE)) === expected;
    if (!flagsOk && type !== AttrType.MP_REACH_NLRI && type !== AttrType.MP_UNREACH_NLRI) {
      if (type === AttrType.AS4_PATH || type === AttrType.AS4_AGGREGATOR) {
        discard('attributeFlagsError', type, `${attrName(type)} flags 0x${flags.toString(16)} conflict with its type (RFC 6793 §6)`);
      } else {
        withdraw('attributeFlagsError', type, `${attrName(type)} flags 0x${flags.toString(16)} conflict with its type (RFC 7606 §3 c)`);
      }
      continue;
    }

    try {
      switch (type) {
        case AttrType.ORIGIN: {
          if (len !== 1) throw new Malformed('attributeLengthError', `ORIGIN length ${len}, expected 1`);
          const v = value[0]!;
          const origin = ORIGIN_NAMES[v];
          if (!origin) throw new Malformed('invalidOrigin', `ORIGIN value ${v} is undefined`);
          out.origin = origin;
          break;
        }
        case AttrType.AS_PATH:
          out.asPath = parseAsPath(value, ctx.fourOctetAs ? 4 : 2, 'AS_PATH');
          break;
        case AttrType.NEXT_HOP: {
          if (len !== 4) throw new Malformed('attributeLengthError', `NEXT_HOP length ${len}, expected 4`);
          // RFC 4271 §6.3: a syntactically incorrect NEXT_HOP. 0/8 and
          // 224/3 (multicast, reserved, broadcast) cannot be a host's address.
          if (value[0] === 0 || value[0]! >= 224) throw new Malformed('invalidNextHop', `NEXT_HOP ${formatIpv4(value)} is not a unicast host address`);
          out.nextHop = formatIpv4(value);
          break;
        }
        case AttrType.MULTI_EXIT_DISC:
          if (len !== 4) throw new Malformed('attributeLengthError', `MULTI_EXIT_DISC length ${len}, expected 4`);
          out.med = valueReader(value, type).u32('MED');
          break;
        case AttrType.LOCAL_PREF:
          if (len !== 4) throw new Malformed('attributeLengthError', `LOCAL_PREF length ${len}, expected 4`);
          out.localPref = valueReader(value, type).u32('LOCAL_PREF');
          break;
        case AttrType.ATOMIC_AGGREGATE:
          if (len !== 0) {
            discard('attributeLengthError', type, `ATOMIC_AGGREGATE length ${len}, expected 0 (RFC 7606 §7.6)`);
            break;
          }
          out.atomicAggregate = true;
          break;
        case AttrType.AGGREGATOR: {
          const want = ctx.fourOctetAs ? 8 : 6;
          if (len !== want) {
            discard('attributeLengthError', type, `AGGREGATOR length ${len}, expected ${want} (RFC 7606 §7.7)`);
            break;
          }
          const vr = valueReader(value, type);
          const asn = ctx.fourOctetAs ? vr.u32('ASN') : vr.u16('ASN');
          out.aggregator = { asn, address: formatIpv4(vr.bytesView(4, 'address')) };
          break;
        }
        case AttrType.COMMUNITIES: {
          if (len === 0 || len % 4 !== 0) throw new Malformed('optionalAttributeError', `COMMUNITIES length ${len} is not a positive multiple of 4 (RFC 7606 §7.8)`);
          const vr = valueReader(value, type);
          const list: number[] = [];
          while (vr.remaining > 0) list.push(vr.u32('community'));
          out.communities = list;
          break;
        }
        case AttrType.MP_REACH_NLRI: {
          const mp = decodeMpReach(value, tlv);
          if (mp) out.mpReach = mp;
          else (out.other ??= []).push({ flags, typeCode: type, value: value.slice() });
          if (!flagsOk) withdraw('attributeFlagsError', type, `MP_REACH_NLRI flags 0x${flags.toString(16)} conflict with its type (RFC 7606 §3 c)`);
          break;
        }
        case AttrType.MP_UNREACH_NLRI: {
          const mp = decodeMpUnreach(value, tlv);
          if (mp) out.mpUnreach = mp;
          else (out.other ??= []).push({ flags, typeCode: type, value: value.slice() });
          if (!flagsOk) withdraw('attributeFlagsError', type, `MP_UNREACH_NLRI flags 0x${flags.toString(16)} conflict with its type (RFC 7606 §3 c)`);
          break;
        }
        case AttrType.AS4_PATH: {
          // RFC 6793 §6: malformed when shorter than one segment of one AS,
          // of odd length, or of bad segments; then discarded.
          if (len < 6 || len % 2 !== 0) {
            discard('malformedAsPath', type, `AS4_PATH length ${len} is malformed (RFC 6793 §6)`);
            break;
          }
          try {
            // Confederation segments must not be in AS4_PATH; they are dropped (RFC 6793 §6).
            as4Path = parseAsPath(value, 4, 'AS4_PATH').filter((s) => s.type === 'set' || s.type === 'sequence');
          } catch (e) {
            if (!(e instanceof Malformed)) throw e;
            discard('malformedAsPath', type, `${e.message} (RFC 6793 §6)`);
          }
          break;
        }
        case AttrType.AS4_AGGREGATOR: {
          if (len !== 8) {
            discard('optionalAttributeError', type, `AS4_AGGREGATOR length ${len}, expected 8 (RFC 6793 §6)`);
            break;
          }
          const vr = valueReader(value, type);
          as4Aggregator = { asn: vr.u32('ASN'), address: formatIpv4(vr.bytesView(4, 'address')) };
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      withdraw(e.error, type, e.message);
    }
  }

  // RFC 6793 §4.2.3: an AGGREGATOR that does not carry AS_TRANS means the
  // four-octet attributes are stale and both are ignored.
  if (as4Aggregator && out.aggregator && out.aggregator.asn !== AS_TRANS) {
    as4Aggregator = undefined;
    as4Path = undefined;
  }
  if (as4Aggregator && out.aggregator) out.aggregator = as4Aggregator;
  if (as4Path && out.asPath) out.asPath = mergeAs4Path(out.asPath, as4Path);

  return { attributes: out, errors, treatAsWithdraw, seen };
}

/** MP_REACH_NLRI (RFC 4760 §3). Null for a family carried raw. @throws BgpError('optionalAttributeError') when it cannot be parsed. */
function decodeMpReach(value: Uint8Array, tlv: Uint8Array): MpReach | null {
  const fail = (why: string) => new BgpError('optionalAttributeError', `MP_REACH_NLRI: ${why} (RFC 7606 §7.11)`, { data: tlv });
  const r = new ByteReader(value, (field, offset) => fail(`${field} at offset ${offset} overruns the attribute`));
  const afi = r.u16('AFI');
  const safi = r.u8('SAFI');
  const nhLen = r.u8('next hop length');
  const nh = r.bytesView(nhLen, 'next hop');
  r.skip(1, 'reserved');
  if (!isUnicastFamily(afi, safi)) return null;
  const width = addressLength(afi);
  // IPv4: one address; IPv6: global, or global then link-local (RFC 2545 §3).
  if (nhLen !== width && !(afi === AFI_IPV6 && nhLen === 2 * width)) throw fail(`next hop length ${nhLen} is not valid for AFI ${afi}`);
  const nextHops: string[] = [];
  for (let o = 0; o < nhLen; o += width) nextHops.push(formatAddress(afi, nh.subarray(o, o + width)));
  const nlri = decodePrefixes(r.bytesView(r.remaining, 'NLRI'), afi, 'optionalAttributeError', 'MP_REACH_NLRI NLRI');
  return { afi, safi, nextHops, nlri };
}

/** MP_UNREACH_NLRI (RFC 4760 §4). Null for a family carried raw. @throws BgpError('optionalAttributeError') when it cannot be parsed. */
function decodeMpUnreach(value: Uint8Array, tlv: Uint8Array): MpUnreach | null {
  const r = new ByteReader(value, (field, offset) =>
    new BgpError('optionalAttributeError', `MP_UNREACH_NLRI: ${field} at offset ${offset} overruns the attribute (RFC 7606 §7.11)`, { data: tlv }),
  );
  const afi = r.u16('AFI');
  const safi = r.u8('SAFI');
  if (!isUnicastFamily(afi, safi)) return null;
  const withdrawn = decodePrefixes(r.bytesView(r.remaining, 'withdrawn routes'), afi, 'optionalAttributeError', 'MP_UNREACH_NLRI withdrawn routes');
  return { afi, safi, withdrawn };
}

// ---------------------------------------------------------------- encoding

function checkU32(what: string, v: number, max = MAX_ASN_4): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new BgpError('invalidArgument', `${what} ${v} out of range 0..${max}`);
}

function writeAttribute(w: ByteWriter, flags: number, type: number, value: Uint8Array): void {
  if (value.length > 0xffff) throw new BgpError('invalidArgument', `${attrName(type)} value of ${value.length} octets exceeds 65535`);
  // The Extended Length bit only when the value needs it (RFC 4271 §4.3).
  const ext = value.length > 255;
  w.u8((flags & ~ATTR_FLAG_EXTENDED_LENGTH) | (ext ? ATTR_FLAG_EXTENDED_LENGTH : 0)).u8(type);
  if (ext) w.u16(value.length);
  else w.u8(value.length);
  w.bytes(value);
}

/** AS_PATH value; sequences and sets longer than 255 ASes are split (RFC 4271 §4.3: one-octet count). */
function asPathValue(path: readonly AsPathSegment[], asnSize: 2 | 4): Uint8Array {
  const w = new ByteWriter(32);
  for (const s of path) {
    const code = SEGMENT_CODES[s.type];
    if (code === undefined) throw new BgpError('invalidArgument', `AS_PATH segment type ${String(s.type)} is unknown`);
    if (s.asns.length === 0) throw new BgpError('invalidArgument', 'AS_PATH segment without ASes');
    for (let i = 0; i < s.asns.length; i += MAX_SEGMENT_ASNS) {
      const chunk = s.asns.slice(i, i + MAX_SEGMENT_ASNS);
      w.u8(code).u8(chunk.length);
      for (const asn of chunk) {
        checkU32('ASN', asn);
        if (asnSize === 4) w.u32(asn);
        else w.u16(asn > MAX_ASN_2 ? AS_TRANS : asn);
      }
    }
  }
  return w.finish();
}

function aggregatorValue(asn: number, address: string, asnSize: 2 | 4): Uint8Array {
  checkU32('AGGREGATOR ASN', asn);
  const w = new ByteWriter(8);
  if (asnSize === 4) w.u32(asn);
  else w.u16(asn > MAX_ASN_2 ? AS_TRANS : asn);
  return w.bytes(parseIpv4(address)).finish();
}

function mpReachValue(mp: MpReach): Uint8Array {
  if (!isUnicastFamily(mp.afi, mp.safi)) throw new BgpError('invalidArgument', `MP_REACH_NLRI for ${mp.afi}/${mp.safi} is not supported`);
  const maxHops = mp.afi === AFI_IPV6 ? 2 : 1;
  if (mp.nextHops.length < 1 || mp.nextHops.length > maxHops) {
    throw new BgpError('invalidArgument', `MP_REACH_NLRI for AFI ${mp.afi} takes 1..${maxHops} next hops, got ${mp.nextHops.length}`);
  }
  const w = new ByteWriter(64);
  w.u16(mp.afi).u8(mp.safi).u8(mp.nextHops.length * addressLength(mp.afi));
  for (const nh of mp.nextHops) w.bytes(parseAddress(mp.afi, nh));
  w.u8(0); // Reserved (RFC 4760 §3)
  encodePrefixes(w, mp.afi, mp.nlri);
  return w.finish();
}

function mpUnreachValue(mp: MpUnreach): Uint8Array {
  if (!isUnicastFamily(mp.afi, mp.safi)) throw new BgpError('invalidArgument', `MP_UNREACH_NLRI for ${mp.afi}/${mp.safi} is not supported`);
  const w = new ByteWriter(64);
  w.u16(mp.afi).u8(mp.safi);
  encodePrefixes(w, mp.afi, mp.withdrawn);
  return w.finish();
}

function u32Value(v: number, what: string): Uint8Array {
  checkU32(what, v, 0xffffffff);
  return new ByteWriter(4).u32(v).finish();
}

/**
 * Encodes path attributes. MP_REACH_NLRI and MP_UNREACH_NLRI go first (RFC
 * 7606 §5.1), the others in type code order. On a two-octet session, AS
 * numbers above 65535 become AS_TRANS and the real path and aggregator go in
 * AS4_PATH / AS4_AGGREGATOR (RFC 6793 §4.2.2).
 * @throws BgpError('invalidArgument') for values out of range or unsupported families.
 */
export function encodePathAttributes(w: ByteWriter, a: PathAttributes, ctx: Pick<AttributeContext, 'fourOctetAs'>): void {
  const asnSize = ctx.fourOctetAs ? 4 : 2;
  const WK = ATTR_FLAG_TRANSITIVE;
  const OT = ATTR_FLAG_OPTIONAL | ATTR_FLAG_TRANSITIVE;
  if (a.mpReach) writeAttribute(w, ATTR_FLAG_OPTIONAL, AttrType.MP_REACH_NLRI, mpReachValue(a.mpReach));
  if (a.mpUnreach) writeAttribute(w, ATTR_FLAG_OPTIONAL, AttrType.MP_UNREACH_NLRI, mpUnreachValue(a.mpUnreach));
  if (a.origin !== undefined) {
    const code = ORIGIN_CODES[a.origin];
    if (code === undefined) throw new BgpError('invalidArgument', `ORIGIN ${String(a.origin)} is unknown`);
    writeAttribute(w, WK, AttrType.ORIGIN, Uint8Array.of(code));
  }
  if (a.asPath) writeAttribute(w, WK, AttrType.AS_PATH, asPathValue(a.asPath, asnSize));
  if (a.nextHop !== undefined) writeAttribute(w, WK, AttrType.NEXT_HOP, parseIpv4(a.nextHop));
  if (a.med !== undefined) writeAttribute(w, ATTR_FLAG_OPTIONAL, AttrType.MULTI_EXIT_DISC, u32Value(a.med, 'MULTI_EXIT_DISC'));
  if (a.localPref !== undefined) writeAttribute(w, WK, AttrType.LOCAL_PREF, u32Value(a.localPref, 'LOCAL_PREF'));
  if (a.atomicAggregate) writeAttribute(w, WK, AttrType.ATOMIC_AGGREGATE, new Uint8Array(0));
  if (a.aggregator) writeAttribute(w, OT, AttrType.AGGREGATOR, aggregatorValue(a.aggregator.asn, a.aggregator.address, asnSize));
  if (a.communities) {
    if (a.communities.length === 0) throw new BgpError('invalidArgument', 'COMMUNITIES must hold at least one community (RFC 7606 §7.8)');
    const cw = new ByteWriter(4 * a.communities.length);
    for (const c of a.communities) cw.bytes(u32Value(c, 'community'));
    writeAttribute(w, OT, AttrType.COMMUNITIES, cw.finish());
  }
  if (!ctx.fourOctetAs) {
    const big = (asn: number) => asn > MAX_ASN_2;
    const path = (a.asPath ?? []).filter((s) => s.type === 'set' || s.type === 'sequence');
    if (path.some((s) => s.asns.some(big))) writeAttribute(w, OT, AttrType.AS4_PATH, asPathValue(path, 4));
    if (a.aggregator && big(a.aggregator.asn)) writeAttribute(w, OT, AttrType.AS4_AGGREGATOR, aggregatorValue(a.aggregator.asn, a.aggregator.address, 4));
  }
  for (const o of a.other ?? []) {
    checkU32('attribute type code', o.typeCode, 0xff);
    checkU32('attribute flags', o.flags, 0xff);
    if (EXPECTED_FLAGS[o.typeCode] !== undefined && o.typeCode !== AttrType.MP_REACH_NLRI && o.typeCode !== AttrType.MP_UNREACH_NLRI) {
      throw new BgpError('invalidArgument', `${attrName(o.typeCode)} must be given as its field, not as a raw attribute`);
    }
    writeAttribute(w, o.flags, o.typeCode, o.value);
  }
}
