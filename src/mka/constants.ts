/**
 * Constants of MKA (IEEE 802.1X-2020 clauses 9 and 11), each with its source.
 * Timer values carry their unit in the name.
 */

/**
 * The PAE EtherType (802.1X-2020 11.1.4) and the PN exhaustion thresholds
 * that trigger a new SAK (802.1X-2020 9.8) are the SecY's too: defined once
 * in macsec/ and re-exported here for MKA's readers.
 */
export { ETHERTYPE_EAPOL, PN_EXHAUSTION_32, PN_EXHAUSTION_64 } from '../macsec/index.js';

/** PAE group address, the default MKPDU destination (802.1X-2020 11.1.1, table 11-1). */
export const PAE_GROUP_ADDRESS = Object.freeze([0x01, 0x80, 0xc2, 0x00, 0x00, 0x03]);

/** Cisco IOS XR 8000 "alternate EAPoL EtherType" (docs/mka-decisions.md §1). */
export const ETHERTYPE_EAPOL_ALTERNATE = 0x876f;

/** EAPOL protocol versions: 1 (802.1X-2001), 2 (-2004), 3 (-2010 and later) (802.1X-2020 11.3.1). */
export const EAPOL_VERSION_MIN = 1;
export const EAPOL_VERSION_MAX = 3;
/** EAPOL packet type of an MKPDU (802.1X-2020 table 11-3). */
export const EAPOL_TYPE_MKA = 5;
/** Octets of the Ethernet header plus the EAPOL header before the MKPDU body. */
export const EAPOL_HEADER_END = 18;

/** MKA Version Identifier: 1 = 802.1X-2010, 2 = 802.1Xbx-2014, 3 = 802.1Xck-2018 / 802.1X-2020 (table 11-6). */
export const MKA_VERSION_MIN = 1;
export const MKA_VERSION_MAX = 3;
/** Version we send by default: 3 carries XPN (mkad sends 3; hostap 1). */
export const MKA_VERSION_DEFAULT = 3;

/** Algorithm Agility 00-80-C2-01: AES-CMAC KDF and ICV (802.1X-2020 table 9-1). */
export const ALGORITHM_AGILITY_2009 = 0x0080c201;

/** Parameter set types (802.1X-2020 table 11-7; Wireshark packet-mka.c `param_set_type_vals`). */
export const PARAMETER_SET_TYPE = Object.freeze({
  livePeerList: 1,
  potentialPeerList: 2,
  sakUse: 3,
  distributedSak: 4,
  distributedCak: 5,
  kmd: 6,
  announcement: 7,
  xpn: 8,
  icvIndicator: 255,
} as const);

/** MKPDU ICV length: 128 bits for both AES-CMAC-128 and AES-CMAC-256 (802.1X-2020 9.4.1). */
export const ICV_LEN = 16;
/** Member Identifier length (802.1X-2020 9.4.2). */
export const MI_LEN = 12;
/** CKN length limits (802.1X-2020 9.3.1). */
export const CKN_MIN_LEN = 1;
export const CKN_MAX_LEN = 32;
/** Basic Parameter Set body before the CKN (802.1X-2020 figure 11-8). */
export const BASIC_FIXED_BODY_LEN = 28;
/** MKA Hello Time (802.1X-2020 table 9-3; hostap MKA_HELLO_TIME). */
export const MKA_HELLO_TIME_MS = 2000;
/** MKA Bounded Hello Time, used with delay protection (802.1X-2020 table 9-3; hostap MKA_BOUNDED_HELLO_TIME). */
export const MKA_BOUNDED_HELLO_TIME_MS = 500;
/** MKA Life Time (802.1X-2020 table 9-3; hostap MKA_LIFE_TIME). */
export const MKA_LIFE_TIME_MS = 6000;
/** SAK Retire Time: the old SA stays installed this long after the switch (802.1X-2020 table 9-3). */
export const MKA_SAK_RETIRE_TIME_MS = 3000;
/** Fast profile for tests and classes: hello 0.5 s, life 1.5 s (same 1:3 ratio). */
export const MKA_FAST_HELLO_TIME_MS = 500;
export const MKA_FAST_LIFE_TIME_MS = 1500;
/**
 * Shortest gap between two MKPDUs of one participant sent outside the hello
 * tick (design choice: the standard asks for a prompt MKPDU on change and
 * gives no figure; 20 ms keeps a burst of changes to one frame).
 */
export const MKA_MIN_TRANSMIT_INTERVAL_MS = 20;

/** Key-server priority: default of 802.1X-2020 table 9-2 ("infrastructure"); 0xFF never wins a tie with anyone. */
export const KEY_SERVER_PRIORITY_DEFAULT = 0x10;

/** Largest number of CKN/CAK pairs a port keeps (AWS Direct Connect key chain). */
export const KEY_CHAIN_MAX = 3;

/** Announcement TLV types (802.1X-2020 table 11-8). */
export const ANNOUNCEMENT_TLV = Object.freeze({
  accessInformation: 111,
  macsecCipherSuites: 112,
  keyManagementDomain: 113,
  nid: 114,
  organizationSpecificSet: 126,
  organizationSpecific: 127,
} as const);
