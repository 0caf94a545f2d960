/**
 * Constants of Link Aggregation (IEEE 802.1AX-2014 clause 6; the same values
 * stand in 802.1AX-2020), each with its clause. Timer values carry their unit
 * in the name.
 */

/** Slow Protocols EtherType (802.1AX-2014 6.2.11.1; IEEE 802.3 Annex 57A). */
export const ETHERTYPE_SLOW_PROTOCOLS = 0x8809;

/** Slow_Protocols_Multicast group address, the LACPDU and Marker PDU destination (802.1AX-2014 6.2.11.2, table 6-2). */
export const SLOW_PROTOCOLS_MULTICAST = Object.freeze([0x01, 0x80, 0xc2, 0x00, 0x00, 0x02]);

/** Slow Protocols subtypes (802.1AX-2014 6.2.11.1, table 6-3; IEEE 802.3 table 57A-3). */
export const SUBTYPE = Object.freeze({ lacp: 1, marker: 2 });

/** Version Number of the LACPDUs we send (802.1AX-2014 6.4.2.3 b): version 1, the format every implementation reads. */
export const LACP_VERSION = 1;
/** Version Number of Marker PDUs (802.1AX-2014 6.5.3.3 b). */
export const MARKER_VERSION = 1;

/** LACPDU TLV types (802.1AX-2014 6.4.2.3, figure 6-7; Wireshark packet-lacp.c). */
export const LACP_TLV = Object.freeze({ terminator: 0, actorInformation: 1, partnerInformation: 2, collectorInformation: 3 });
/** Marker PDU TLV types (802.1AX-2014 6.5.3.3 c). */
export const MARKER_TLV = Object.freeze({ terminator: 0, markerInformation: 1, markerResponseInformation: 2 });

/** Actor_Information_Length and Partner_Information_Length (802.1AX-2014 6.4.2.3 d, n). */
export const INFORMATION_LENGTH = 20;
/** Collector_Information_Length (802.1AX-2014 6.4.2.3 w). */
export const COLLECTOR_INFORMATION_LENGTH = 16;
/** Marker_Information_Length / Marker_Response_Information_Length (802.1AX-2014 6.5.3.3 d). */
export const MARKER_INFORMATION_LENGTH = 16;

/**
 * Octets of an LACPDU or a Marker PDU after the EtherType: subtype, version,
 * TLVs, terminator and the Reserved pad (50 octets in an LACPDU, 90 in a
 * Marker PDU) make 110 either way (802.1AX-2014 figures 6-7 and 6-25).
 */
export const SLOW_PDU_LENGTH = 110;
/** Ethernet header (DA, SA, EtherType) before the PDU. */
export const ETH_HEADER_LEN = 14;
/** A whole LACPDU frame without FCS: 14 + 110 = 124 octets (tcpdump shows "length 124"). */
export const SLOW_FRAME_LENGTH = ETH_HEADER_LEN + SLOW_PDU_LENGTH;

/**
 * Actor_State / Partner_State bits (802.1AX-2014 6.4.2.3 m; bit 0 is the
 * least significant). Set means: Active, Short Timeout, Aggregatable, In Sync,
 * Collecting, Distributing, Defaulted, Expired.
 */
export const STATE = Object.freeze({
  lacpActivity: 0x01,
  lacpTimeout: 0x02,
  aggregation: 0x04,
  synchronization: 0x08,
  collecting: 0x10,
  distributing: 0x20,
  defaulted: 0x40,
  expired: 0x80,
});

/** Fast_Periodic_Time: LACPDUs every second while the partner asks for short timeouts (802.1AX-2014 6.4.4). */
export const FAST_PERIODIC_TIME_MS = 1_000;
/** Slow_Periodic_Time (802.1AX-2014 6.4.4). */
export const SLOW_PERIODIC_TIME_MS = 30_000;
/** Short_Timeout_Time: 3 x Fast_Periodic_Time (802.1AX-2014 6.4.4). */
export const SHORT_TIMEOUT_TIME_MS = 3_000;
/** Long_Timeout_Time: 3 x Slow_Periodic_Time (802.1AX-2014 6.4.4). */
export const LONG_TIMEOUT_TIME_MS = 90_000;
/** Aggregate_Wait_Time: how long a selected port waits so that others can join before attaching (802.1AX-2014 6.4.4). */
export const AGGREGATE_WAIT_TIME_MS = 2_000;
/** No more than three LACPDUs in any Fast_Periodic_Time interval (802.1AX-2014 6.4.16). */
export const MAX_LACPDUS_PER_FAST_PERIOD = 3;

/** Default System and Port Priority: 0x8000, the value most systems ship with (the tcpdump capture in test/vectors/lacp shows 32768). */
export const DEFAULT_PRIORITY = 0x8000;
