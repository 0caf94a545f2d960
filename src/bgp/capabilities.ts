/**
 * Capabilities Advertisement (RFC 5492): the Capabilities optional parameter
 * of OPEN (type 2) holding code/length/value triples, and what two OPENs
 * negotiate: four-octet AS numbers (RFC 6793 §3, §4.1), multiprotocol
 * address families (RFC 4760 §8) and route refresh (RFC 2918 §2), with the
 * hold time rule of RFC 4271 §4.2 (the smaller of the two; 0 means no
 * KEEPALIVEs and no hold timer).
 */
import { ByteReader, ByteWriter } from '../shared/bytes.js';
import {
  AFI_IPV4,
  AFI_IPV6,
  AS_TRANS,
  BGP_VERSION,
  CapabilityCode,
  MAX_ASN_2,
  MAX_ASN_4,
  MIN_NONZERO_HOLD_TIME_SECONDS,
  OPT_PARAM_CAPABILITIES,
  SAFI_UNICAST,
} from './constants.js';
import { BgpError } from './errors.js';
import type { Capability, Open } from './messages.js';
import { formatIpv4, parseIpv4 } from './prefix.js';

/** An AFI/SAFI pair. */
export interface Family {
  readonly afi: number;
  readonly safi: number;
}

export const IPV4_UNICAST: Family = Object.freeze({ afi: AFI_IPV4, safi: SAFI_UNICAST });
export const IPV6_UNICAST: Family = Object.freeze({ afi: AFI_IPV6, safi: SAFI_UNICAST });

/** Writes one capability triple (RFC 5492 §4). @throws BgpError('invalidArgument') for out-of-range fields. */
export function writeCapability(w: ByteWriter, c: Capability): void {
  switch (c.kind) {
    case 'multiprotocol':
      checkRange('AFI', c.afi, 0xffff);
      checkRange('SAFI', c.safi, 0xff);
      // AFI (2), Reserved (1), SAFI (1): RFC 4760 §8.
      w.u8(CapabilityCode.MULTIPROTOCOL).u8(4).u16(c.afi).u8(0).u8(c.safi);
      return;
    case 'routeRefresh':
      w.u8(CapabilityCode.ROUTE_REFRESH).u8(0);
      return;
    case 'fourOctetAs':
      checkRange('ASN', c.asn, MAX_ASN_4);
      w.u8(CapabilityCode.FOUR_OCTET_AS).u8(4).u32(c.asn);
      return;
    case 'unknown':
      checkRange('capability code', c.code, 0xff);
      if (c.value.length > 255) throw new BgpError('invalidArgument', `capability ${c.code}: value of ${c.value.length} octets exceeds 255`);
      w.u8(c.code).u8(c.value.length).bytes(c.value);
      return;
  }
}

function checkRange(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new BgpError('invalidArgument', `${what} ${v} out of range 0..${max}`);
}

/**
 * Optional Parameters of an OPEN: one Capabilities parameter per capability,
 * the layout most speakers send (RFC 5492 §4 allows either).
 * @throws BgpError('invalidArgument') when the parameters exceed 255 octets.
 */
export function encodeOptionalParameters(caps: readonly Capability[]): Uint8Array {
  const w = new ByteWriter(64);
  for (const c of caps) {
    const cw = new ByteWriter(16);
    writeCapability(cw, c);
    const body = cw.finish();
    w.u8(OPT_PARAM_CAPABILITIES).u8(body.length).bytes(body);
  }
  const out = w.finish();
  if (out.length > 255) throw new BgpError('invalidArgument', `optional parameters of ${out.length} octets exceed 255`);
  return out;
}

/**
 * Decodes the Optional Parameters field of an OPEN. Several capabilities in
 * one parameter and several parameters are both accepted (RFC 5492 §4).
 * @throws BgpError('unsupportedOptionalParameter') for a parameter type other
 *   than Capabilities (RFC 4271 §6.2; Data: none is prescribed);
 *   BgpError('malformedOpen') when a length runs past its container.
 */
export function decodeOptionalParameters(bytes: Uint8Array): Capability[] {
  const fail = (field: string, offset: number, need: number, have: number) =>
    new BgpError('malformedOpen', `OPEN optional parameters: ${field} at offset ${offset} needs ${need} octets, ${have} left`);
  const r = new ByteReader(bytes, fail);
  const caps: Capability[] = [];
  while (r.remaining > 0) {
    const type = r.u8('parameter type');
    const len = r.u8('parameter length');
    const value = r.bytesView(len, 'parameter value');
    if (type !== OPT_PARAM_CAPABILITIES) {
      throw new BgpError('unsupportedOptionalParameter', `OPEN optional parameter type ${type} is not supported`);
    }
    const cr = new ByteReader(value, fail);
    while (cr.remaining > 0) caps.push(readCapability(cr));
  }
  return caps;
}

function readCapability(r: ByteReader): Capability {
  const code = r.u8('capability code');
  const len = r.u8('capability length');
  const value = r.bytesView(len, `capability ${code} value`);
  const vr = new ByteReader(value, (field) => new BgpError('malformedOpen', `capability ${code}: ${field} needs more than ${len} octets`));
  // A known code with the wrong length cannot be understood; RFC 5492 gives
  // no subcode for it, so it is an OPEN error without a subcode.
  const exact = (n: number) => {
    if (len !== n) throw new BgpError('malformedOpen', `capability ${code}: length ${len}, expected ${n}`);
  };
  switch (code) {
    case CapabilityCode.MULTIPROTOCOL: {
      exact(4);
      const afi = vr.u16('AFI');
      vr.skip(1, 'reserved');
      return { kind: 'multiprotocol', afi, safi: vr.u8('SAFI') };
    }
    case CapabilityCode.ROUTE_REFRESH:
      exact(0);
      return { kind: 'routeRefresh' };
    case CapabilityCode.FOUR_OCTET_AS:
      exact(4);
      return { kind: 'fourOctetAs', asn: vr.u32('ASN') };
    default:
      return { kind: 'unknown', code, value: value.slice() };
  }
}

/** What a speaker announces; {@link buildOpen} turns it into an OPEN. */
export interface OpenOptions {
  /** Local AS number, 1..4294967295. */
  readonly asn: number;
  /** Local BGP Identifier, dotted quad, not 0.0.0.0. */
  readonly bgpId: string;
  /** Seconds, 0 or 3..65535. @default 90 */
  readonly holdTime?: number;
  /** Families announced by multiprotocol capabilities. @default IPv4 and IPv6 unicast */
  readonly families?: readonly Family[];
  /** Announce route refresh. @default true */
  readonly routeRefresh?: boolean;
}

/**
 * Builds the OPEN a speaker sends: AS_TRANS in My AS when the ASN does not
 * fit two octets, the real one in the four-octet AS capability, which is
 * always announced (RFC 6793 §4.1).
 * @throws BgpError('invalidArgument') for an ASN, identifier or hold time out of range.
 */
export function buildOpen(o: OpenOptions): Open {
  checkRange('ASN', o.asn, MAX_ASN_4);
  if (o.asn === 0) throw new BgpError('invalidArgument', 'ASN 0 is reserved');
  const id = parseIpv4(o.bgpId);
  if (id.every((b) => b === 0)) throw new BgpError('invalidArgument', 'BGP Identifier 0.0.0.0 is not allowed (RFC 6286 §2.1)');
  const holdTime = o.holdTime ?? 90;
  checkRange('hold time', holdTime, 0xffff);
  if (holdTime > 0 && holdTime < MIN_NONZERO_HOLD_TIME_SECONDS) throw new BgpError('invalidArgument', `hold time ${holdTime} s: must be 0 or at least 3 (RFC 4271 §4.2)`);
  const caps: Capability[] = (o.families ?? [IPV4_UNICAST, IPV6_UNICAST]).map((f) => ({ kind: 'multiprotocol', afi: f.afi, safi: f.safi }));
  if (o.routeRefresh ?? true) caps.push({ kind: 'routeRefresh' });
  caps.push({ kind: 'fourOctetAs', asn: o.asn });
  return {
    type: 'open',
    version: BGP_VERSION,
    myAs: o.asn > MAX_ASN_2 ? AS_TRANS : o.asn,
    holdTime,
    bgpId: formatIpv4(id),
    capabilities: caps,
  };
}

/** The AS number an OPEN speaks for: the four-octet capability's if present, else My AS (RFC 6793 §4.1). */
export function openAsn(open: Open): number {
  for (const c of open.capabilities) if (c.kind === 'fourOctetAs') return c.asn;
  return open.myAs;
}

/** Families announced in an OPEN's multiprotocol capabilities. */
export function openFamilies(open: Open): Family[] {
  const out: Family[] = [];
  for (const c of open.capabilities) if (c.kind === 'multiprotocol') out.push({ afi: c.afi, safi: c.safi });
  return out;
}

/** What a session runs with once both OPENs are known. */
export interface Negotiated {
  /** Seconds; 0 means no hold timer and no KEEPALIVEs. */
  readonly holdTime: number;
  /** Seconds between KEEPALIVEs; 0 when holdTime is 0. */
  readonly keepaliveTime: number;
  /** Both sides announced the four-octet AS capability (RFC 6793 §4). */
  readonly fourOctetAs: boolean;
  /** Families both sides announced, or IPv4 unicast when neither sent a multiprotocol capability (RFC 4760 §8). */
  readonly families: readonly Family[];
  /** Both sides announced route refresh. */
  readonly routeRefresh: boolean;
  readonly peerAsn: number;
  readonly peerBgpId: string;
}

/**
 * Negotiates a session from the local and the received OPEN.
 * @param keepaliveTime configured seconds, capped at a third of the negotiated hold time.
 * @default keepaliveTime a third of the negotiated hold time (RFC 4271 §4.4, §10)
 */
export function negotiate(local: Open, remote: Open, keepaliveTime?: number): Negotiated {
  const holdTime = Math.min(local.holdTime, remote.holdTime);
  const third = Math.floor(holdTime / 3);
  const has = (o: Open, kind: Capability['kind']) => o.capabilities.some((c) => c.kind === kind);
  const lf = openFamilies(local);
  const rf = openFamilies(remote);
  let families: Family[];
  if (lf.length === 0 && rf.length === 0) families = [IPV4_UNICAST];
  else if (rf.length === 0) families = lf.some((f) => f.afi === AFI_IPV4 && f.safi === SAFI_UNICAST) ? [IPV4_UNICAST] : [];
  else families = lf.filter((f) => rf.some((g) => g.afi === f.afi && g.safi === f.safi));
  return {
    holdTime,
    keepaliveTime: holdTime === 0 ? 0 : Math.max(1, keepaliveTime === undefined ? third : Math.min(keepaliveTime, third)),
    fourOctetAs: has(local, 'fourOctetAs') && has(remote, 'fourOctetAs'),
    families,
    routeRefresh: has(local, 'routeRefresh') && has(remote, 'routeRefresh'),
    peerAsn: openAsn(remote),
    peerBgpId: remote.bgpId,
  };
}

/** Hex of a capability's triple, for the Data field of Unsupported Capability (RFC 5492 §5). */
export function capabilityBytes(c: Capability): Uint8Array {
  const w = new ByteWriter(8);
  writeCapability(w, c);
  return w.finish();
}

