/**
 * Constants of the BGP-4 speaker: wire sizes and codes of RFC 4271 §4, the
 * capability and attribute registries it uses (RFC 5492, RFC 4760, RFC 6793,
 * RFC 2918, RFC 1997), the NOTIFICATION codes of RFC 4271 §4.5 with the
 * subcodes of RFC 4486 and RFC 6608, and the timer defaults of RFC 4271 §10.
 *
 * Codes sit in frozen tables with display names so that logs, `--json` output
 * and tests use the same words.
 */

/** Protocol version carried in OPEN (RFC 4271 §4.2). */
export const BGP_VERSION = 4;
/** Well-known TCP port (RFC 4271 §8.2.1, informational for the driver). */
export const BGP_PORT = 179;

/** Marker, length and type: 16 + 2 + 1 octets (RFC 4271 §4.1). */
export const HEADER_LEN = 19;
export const MARKER_LEN = 16;
/** Largest message without RFC 8654 extended messages (RFC 4271 §4.1). */
export const MAX_MESSAGE_LEN = 4096;
/** Smallest message of each type (RFC 4271 §4.2-§4.5, RFC 2918 §3). */
export const MIN_OPEN_LEN = 29;
export const MIN_UPDATE_LEN = 23;
export const MIN_NOTIFICATION_LEN = 21;
export const KEEPALIVE_LEN = 19;
export const ROUTE_REFRESH_LEN = 23;

/** Message type codes (RFC 4271 §4.1, RFC 2918 §3). */
export const MessageType = Object.freeze({
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const);

/** OPEN optional parameter types (RFC 4271 §4.2; 1 was Authentication, deprecated by RFC 5492). */
export const OPT_PARAM_CAPABILITIES = 2;

/** Capability codes (IANA "Capability Codes"). */
export const CapabilityCode = Object.freeze({
  MULTIPROTOCOL: 1, // RFC 4760 §8
  ROUTE_REFRESH: 2, // RFC 2918 §2
  FOUR_OCTET_AS: 65, // RFC 6793 §3
} as const);

/** Address family and subsequent address family identifiers used here (RFC 4760, IANA). */
export const AFI_IPV4 = 1;
export const AFI_IPV6 = 2;
export const SAFI_UNICAST = 1;

/** Two-octet placeholder for a four-octet AS number (RFC 6793 §9). */
export const AS_TRANS = 23456;
export const MAX_ASN_2 = 0xffff;
export const MAX_ASN_4 = 0xffffffff;

/** Path attribute flag bits (RFC 4271 §4.3). */
export const ATTR_FLAG_OPTIONAL = 0x80;
export const ATTR_FLAG_TRANSITIVE = 0x40;
export const ATTR_FLAG_PARTIAL = 0x20;
export const ATTR_FLAG_EXTENDED_LENGTH = 0x10;

/** Path attribute type codes (RFC 4271 §5, RFC 1997, RFC 4760, RFC 6793). */
export const AttrType = Object.freeze({
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
} as const);

export const ATTR_TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'ORIGIN',
  2: 'AS_PATH',
  3: 'NEXT_HOP',
  4: 'MULTI_EXIT_DISC',
  5: 'LOCAL_PREF',
  6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR',
  8: 'COMMUNITIES',
  14: 'MP_REACH_NLRI',
  15: 'MP_UNREACH_NLRI',
  17: 'AS4_PATH',
  18: 'AS4_AGGREGATOR',
});

/** ORIGIN values (RFC 4271 §5.1.1). */
export const ORIGIN_CODES = Object.freeze({ igp: 0, egp: 1, incomplete: 2 } as const);

/** AS_PATH segment types (RFC 4271 §4.3; confederation types RFC 5065 §3). */
export const AS_SET = 1;
export const AS_SEQUENCE = 2;
export const AS_CONFED_SEQUENCE = 3;
export const AS_CONFED_SET = 4;
/** A segment counts its ASes in one octet, so longer paths are split (RFC 4271 §4.3). */
export const MAX_SEGMENT_ASNS = 255;

/** NOTIFICATION error codes (RFC 4271 §4.5; 7 from RFC 7313). */
export const ErrorCode = Object.freeze({
  MESSAGE_HEADER: 1,
  OPEN_MESSAGE: 2,
  UPDATE_MESSAGE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE: 7,
} as const);

export const ERROR_CODE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
});

/** Subcodes by error code (RFC 4271 §6.1-§6.3, RFC 5492 §5, RFC 4486 §4, RFC 6608 §3). */
export const ERROR_SUBCODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = Object.freeze({
  1: Object.freeze({ 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' }),
  2: Object.freeze({
    0: 'Unspecific',
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
  }),
  3: Object.freeze({
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  }),
  5: Object.freeze({
    0: 'Unspecified Error',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  }),
  6: Object.freeze({
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
  }),
});

/** Display name of a NOTIFICATION code/subcode pair, e.g. "Hold Timer Expired" or "OPEN Message Error / Bad Peer AS". */
export function notificationName(code: number, subcode: number): string {
  const c = ERROR_CODE_NAMES[code] ?? `error code ${code}`;
  const table = ERROR_SUBCODE_NAMES[code];
  if (!table) return subcode === 0 ? c : `${c} / subcode ${subcode}`;
  return `${c} / ${table[subcode] ?? `subcode ${subcode}`}`;
}

/**
 * Timers (RFC 4271 §10 suggested values). AWS Direct Connect uses a 90 s hold
 * time and 30 s keepalive, which are also the RFC's suggestions.
 */
export const CONNECT_RETRY_TIME_SECONDS = 120;
export const HOLD_TIME_SECONDS = 90;
/** Hold time set on entering OpenSent, "4 minutes is suggested" (RFC 4271 §8.2.2). */
export const LARGE_HOLD_TIME_SECONDS = 240;
/** Hold times of 1 and 2 s MUST be rejected (RFC 4271 §4.2, §6.2). */
export const MIN_NONZERO_HOLD_TIME_SECONDS = 3;
/**
 * Wait in Idle before an automatic restart (RFC 4271 §8.1.1 IdleHoldTime,
 * optional; the value is this lab's choice, not the RFC's).
 */
export const IDLE_HOLD_TIME_SECONDS = 5;
