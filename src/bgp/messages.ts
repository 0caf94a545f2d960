/**
 * BGP-4 messages as plain typed objects (RFC 4271 §4, RFC 2918 §3), a
 * discriminated union on `type`. Addresses and prefixes are canonical text
 * ("192.0.2.0/24", "2001:db8::/32", RFC 5952 for IPv6) so that tables can
 * key on them; opaque octets (unknown capabilities and attributes,
 * NOTIFICATION data) are `Uint8Array` copies that never alias a decoded input.
 */
import type { BgpErrorCode } from './errors.js';

/** OPEN (RFC 4271 §4.2). `myAs` is the two-octet field: AS_TRANS when the real ASN needs four octets (RFC 6793 §4.1). */
export interface Open {
  readonly type: 'open';
  readonly version: number;
  readonly myAs: number;
  /** Seconds; 0 or at least 3. */
  readonly holdTime: number;
  /** Dotted quad. */
  readonly bgpId: string;
  readonly capabilities: readonly Capability[];
}

/** Capabilities (RFC 5492 §4), the known ones decoded, others kept as octets. */
export type Capability =
  | { readonly kind: 'multiprotocol'; readonly afi: number; readonly safi: number } // RFC 4760 §8
  | { readonly kind: 'routeRefresh' } // RFC 2918 §2
  | { readonly kind: 'fourOctetAs'; readonly asn: number } // RFC 6793 §3
  | { readonly kind: 'unknown'; readonly code: number; readonly value: Uint8Array };

export type Origin = 'igp' | 'egp' | 'incomplete';

/** One AS_PATH segment (RFC 4271 §4.3; confederation types from RFC 5065 are decoded but never built here). */
export interface AsPathSegment {
  readonly type: 'set' | 'sequence' | 'confedSequence' | 'confedSet';
  readonly asns: readonly number[];
}

/** MP_REACH_NLRI for IPv4 or IPv6 unicast (RFC 4760 §3; IPv6 next hops RFC 2545 §3: global, then optionally link-local). */
export interface MpReach {
  readonly afi: number;
  readonly safi: number;
  readonly nextHops: readonly string[];
  readonly nlri: readonly string[];
}

/** MP_UNREACH_NLRI for IPv4 or IPv6 unicast (RFC 4760 §4). */
export interface MpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly string[];
}

/** An attribute carried without being understood: unknown optional ones, and MP attributes of other families. */
export interface RawAttribute {
  readonly flags: number;
  readonly typeCode: number;
  readonly value: Uint8Array;
}

/** The path attributes this speaker understands (RFC 4271 §5.1, RFC 1997, RFC 4760). */
export interface PathAttributes {
  readonly origin?: Origin;
  readonly asPath?: readonly AsPathSegment[];
  /** IPv4 NEXT_HOP attribute, for the NLRI field. */
  readonly nextHop?: string;
  readonly med?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: boolean;
  readonly aggregator?: { readonly asn: number; readonly address: string };
  readonly communities?: readonly number[];
  readonly mpReach?: MpReach;
  readonly mpUnreach?: MpUnreach;
  /** Unknown optional attributes, in the order received. */
  readonly other?: readonly RawAttribute[];
}

/**
 * What RFC 7606 did to an UPDATE instead of resetting the session. `error`
 * names the condition RFC 4271 would have sent a NOTIFICATION for (see
 * BGP_ERROR_NOTIFICATION for its code/subcode), or null where the attribute
 * is dropped without being an error (LOCAL_PREF from an external peer, RFC
 * 4271 §5.1.5; AS4_PATH between NEW speakers, RFC 6793 §6).
 */
export interface UpdateErrorNote {
  readonly action: 'treatAsWithdraw' | 'attributeDiscard';
  readonly error: BgpErrorCode | null;
  /** Attribute type code concerned, or null for message-level conditions. */
  readonly attributeType: number | null;
  readonly reason: string;
}

/** UPDATE (RFC 4271 §4.3). `withdrawn` and `nlri` are IPv4 prefixes; IPv6 travels in the MP attributes. */
export interface Update {
  readonly type: 'update';
  readonly withdrawn: readonly string[];
  readonly attributes: PathAttributes;
  readonly nlri: readonly string[];
  /**
   * Set by the decoder when RFC 7606 prescribes "treat-as-withdraw": every
   * prefix in `nlri` and `attributes.mpReach.nlri` is to be withdrawn, and the
   * attributes must not be used. Ignored by the encoder.
   */
  readonly treatAsWithdraw?: boolean;
  /** Decoder notes on errors handled without a session reset. Ignored by the encoder. */
  readonly errors?: readonly UpdateErrorNote[];
}

/** NOTIFICATION (RFC 4271 §4.5). */
export interface Notification {
  readonly type: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

/** KEEPALIVE (RFC 4271 §4.4): the header alone. */
export interface Keepalive {
  readonly type: 'keepalive';
}

/** ROUTE-REFRESH (RFC 2918 §3). The octet between AFI and SAFI is Reserved there, the subtype in RFC 7313. */
export interface RouteRefresh {
  readonly type: 'routeRefresh';
  readonly afi: number;
  readonly subtype: number;
  readonly safi: number;
}

export type Message = Open | Update | Notification | Keepalive | RouteRefresh;
