/**
 * Constants of the MACsec data plane (IEEE 802.1AE-2018).
 */

/** MACsec EtherType (802.1AE-2018 9.2). */
export const ETHERTYPE_MACSEC = 0x88e5;
/** PAE / EAPOL EtherType (802.1X-2020 11.1.4), MKPDUs travel on the uncontrolled port. */
export const ETHERTYPE_EAPOL = 0x888e;
/** 802.1Q C-VLAN tag protocol identifier. */
export const ETHERTYPE_VLAN = 0x8100;

/** TCI bits in SecTAG octet 1 (802.1AE-2018 9.5, figure 9-3). */
export const TCI_V = 0x80;
export const TCI_ES = 0x40;
export const TCI_SC = 0x20;
export const TCI_SCB = 0x10;
export const TCI_E = 0x08;
export const TCI_C = 0x04;
export const AN_MASK = 0x03;

/** Octets of DA + SA before the SecTAG. */
export const MAC_HEADER_LEN = 12;
/** SecTAG length without / with the explicit SCI (802.1AE-2018 9.3). */
export const SECTAG_LEN = 8;
export const SECTAG_SCI_LEN = 16;
/** ICV length of all four GCM-AES suites (802.1AE-2018 14.5). */
export const ICV_LEN = 16;
/** SL is set only when the Secure Data is shorter than this (802.1AE-2018 9.7). */
export const SL_LIMIT = 48;
/** Shortest Ethernet frame without FCS (IEEE 802.3 minFrameSize 64 less 4); shorter frames are padded. */
export const ETH_MIN_FRAME_LEN = 60;
/** Port identifier of an implicit SCI: SA ‖ 0x0001 (802.1AE-2018 9.9, end station). */
export const IMPLICIT_SCI_PORT = 1;

/** Last PN of a 32-bit PN space; after it the SA can transmit no more. */
export const MAX_PN_32 = 0xffffffffn;
/** Last PN of a 64-bit (XPN) PN space. */
export const MAX_PN_64 = 0xffffffffffffffffn;
/** Rekey thresholds of 802.1X-2020 9.8 (also hostap PENDING_PN_EXHAUSTION, mkad MKA_XPN_EXHAUSTION). */
export const PN_EXHAUSTION_32 = 0xc0000000n;
export const PN_EXHAUSTION_64 = 0xc000000000000000n;
