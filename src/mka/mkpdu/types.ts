/**
 * The MKPDU and its parameter sets as plain objects named as 802.1X-2020
 * clause 11.11 names them, a discriminated union on the parameter set type
 * code (table 11-7). Octet strings are copies, never views of the input.
 */
import type { Sci } from '../../macsec/index.js';
import type { PARAMETER_SET_TYPE } from '../constants.js';

/** Basic Parameter Set (802.1X-2020 11.11.1, figure 11-8); always first, no type octet. */
export interface BasicParameterSet {
  /** MKA Version Identifier, 1..3 on receive. */
  version: number;
  keyServerPriority: number;
  keyServer: boolean;
  macsecDesired: boolean;
  /** 0 not implemented, 1 integrity only, 2 + confidentiality offset 0, 3 + offsets 30/50. */
  macsecCapability: 0 | 1 | 2 | 3;
  sci: Sci;
  /** Actor Member Identifier, 12 octets. */
  mi: Uint8Array;
  /** Actor Message Number. */
  mn: number;
  algorithmAgility: number;
  /** CAK Name, 1..32 octets. */
  ckn: Uint8Array;
}

/** One entry of a peer list: the peer's MI and the latest MN received from it. */
export interface PeerListEntry {
  mi: Uint8Array;
  mn: number;
}

/** Live Peer List (type 1, 802.1X-2020 figure 11-9). */
export interface LivePeerList {
  type: typeof PARAMETER_SET_TYPE.livePeerList;
  /** Octet 1: least significant octet of the key server's SSCI (MKA v3 with an XPN Distributed SAK), else 0. */
  keyServerSsci: number;
  peers: PeerListEntry[];
}

/** Potential Peer List (type 2, 802.1X-2020 figure 11-9). */
export interface PotentialPeerList {
  type: typeof PARAMETER_SET_TYPE.potentialPeerList;
  peers: PeerListEntry[];
}

/** A key in SAK Use: KI = (key server MI, KN) and the lowest acceptable PN (low 32 bits). */
export interface SakUseKey {
  mi: Uint8Array;
  kn: number;
  lowestPn: number;
}

/** MACsec SAK Use (type 3, 802.1X-2020 figure 11-10). */
export interface SakUse {
  type: typeof PARAMETER_SET_TYPE.sakUse;
  latestKeyAn: number;
  latestKeyTx: boolean;
  latestKeyRx: boolean;
  oldKeyAn: number;
  oldKeyTx: boolean;
  oldKeyRx: boolean;
  plainTx: boolean;
  plainRx: boolean;
  delayProtect: boolean;
  /** Absent when the body is empty: "MACsec is not in use". */
  keys?: { latestKey: SakUseKey; oldKey: SakUseKey };
}

/** Distributed SAK (type 4, 802.1X-2020 figures 11-11 and 11-12). */
export interface DistributedSak {
  type: typeof PARAMETER_SET_TYPE.distributedSak;
  distributedAn: number;
  /** 0 integrity only, 1 offset 0, 2 offset 30, 3 offset 50. */
  confidentialityOffset: number;
  /** Absent when the body is empty: the key server says "do not use MACsec". */
  key?: {
    kn: number;
    /** Reference number; absent in the 28-octet GCM-AES-128 form. */
    cipherSuite?: bigint;
    /** AES-KW(KEK, SAK): 24 or 40 octets. */
    wrappedSak: Uint8Array;
  };
}

/**
 * Distributed CAK (type 5, 802.1X-2020 figure 11-13): parsed, not acted on.
 * Layout as Wireshark packet-mka.c `dissect_distributed_cak`: 24 octets of
 * AES-KW(KEK, CAK) then the CKN (the 256-bit CAK form is unconfirmed).
 */
export interface DistributedCak {
  type: typeof PARAMETER_SET_TYPE.distributedCak;
  wrappedCak: Uint8Array;
  ckn: Uint8Array;
}

/** Key Management Domain (type 6, 802.1X-2020 figure 11-14). */
export interface Kmd {
  type: typeof PARAMETER_SET_TYPE.kmd;
  kmd: Uint8Array;
}

/** One Announcement TLV: 7-bit type, 9-bit length, value (802.1X-2020 11.12). */
export interface AnnouncementTlv {
  tlvType: number;
  value: Uint8Array;
}

/** Announcement (type 7, 802.1X-2020 figure 11-15). */
export interface Announcement {
  type: typeof PARAMETER_SET_TYPE.announcement;
  tlvs: AnnouncementTlv[];
}

/** XPN (type 8, 802.1X-2020 figure 11-16): high halves of the SAK Use lowest PNs. */
export interface XpnParameterSet {
  type: typeof PARAMETER_SET_TYPE.xpn;
  suspensionTime: number;
  latestKeyLowestPnHigh: number;
  oldKeyLowestPnHigh: number;
}

/** ICV Indicator (type 255, 802.1X-2020 11.11.1): precedes the ICV. */
export interface IcvIndicator {
  type: typeof PARAMETER_SET_TYPE.icvIndicator;
}

/** Any other type: skipped by its length (802.1X-2020 11.11.4), kept for re-encoding. */
export interface UnknownParameterSet {
  type: number;
  unknown: true;
  octet1: number;
  /** Octet 2 bits 7..4. */
  octet2High: number;
  body: Uint8Array;
}

export type KnownParameterSet =
  | LivePeerList
  | PotentialPeerList
  | SakUse
  | DistributedSak
  | DistributedCak
  | Kmd
  | Announcement
  | XpnParameterSet
  | IcvIndicator;

export type ParameterSet = KnownParameterSet | UnknownParameterSet;

/** A whole MKPDU frame: Ethernet and EAPOL headers, parameter sets, ICV. */
export interface Mkpdu {
  destination: Uint8Array;
  source: Uint8Array;
  etherType: number;
  /** EAPOL Protocol Version, 1..3. */
  eapolVersion: number;
  basic: BasicParameterSet;
  /** Parameter sets after the Basic one, in wire order (an ICV Indicator included). */
  parameterSets: ParameterSet[];
  /** The 16-octet ICV (zeros in an MKPDU about to be sealed). */
  icv: Uint8Array;
}
