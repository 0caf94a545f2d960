/**
 * The SecY's counters, named as 802.1AE-2018 clause 10.7 and the Linux
 * `ip -s macsec show` output name them (camelCased), each kept at the level
 * where the standard keeps it: SecY, receive SC, receive SA, transmit SC,
 * transmit SA. Counters the standard lacks carry a dxlab name and say so.
 */

/** Per-SecY receive and transmit counters (802.1AE-2018 10.7.6, 10.7.7). */
export interface SecYCounters {
  /** Untagged frame delivered, validateFrames not Strict. */
  inPktsUntagged: number;
  /** Untagged frame dropped, validateFrames Strict. */
  inPktsNoTag: number;
  /** SecTAG failed the 9.12 checks. */
  inPktsBadTag: number;
  /** No receive SC for the SCI, C = 0 and not Strict: delivered unverified. */
  inPktsUnknownSCI: number;
  /** No receive SC for the SCI, C = 1 or Strict: dropped. */
  inPktsNoSCI: number;
  /** The frame could not be processed for lack of resources (queues full). */
  inPktsOverrun: number;
  /**
   * dxlab: E = 1 with C = 0, a combination 802.1AE reserves; such a frame is
   * handed only to the uncontrolled port (as Linux does).
   */
  inPktsUncontrolledOnly: number;
  /** dxlab: shorter than an Ethernet header (14 octets); dropped. */
  inPktsMalformed: number;
  /** protectFrames false: frame sent without a SecTAG. */
  outPktsUntagged: number;
  /** The protected frame would exceed the maximum frame length; dropped. */
  outPktsTooLong: number;
  /**
   * dxlab: no transmit SA in use (none installed yet, or the SA used its last
   * PN), so the SecY is not operational and the frame is dropped.
   */
  outPktsNoActiveSa: number;
}

/** Per receive SC (802.1AE-2018 10.7.9). */
export interface RxScCounters {
  inPktsOK: number;
  inPktsInvalid: number;
  inPktsNotValid: number;
  inPktsLate: number;
  inPktsUnchecked: number;
  inPktsDelayed: number;
  inPktsNotUsingSA: number;
  inPktsUnusedSA: number;
  inOctetsValidated: number;
  inOctetsDecrypted: number;
}

/** Per receive SA (802.1AE-2018 10.7.13): the per-SA copies of the SC's counters. */
export interface RxSaCounters {
  inPktsOK: number;
  inPktsInvalid: number;
  inPktsNotValid: number;
  inPktsNotUsingSA: number;
  inPktsUnusedSA: number;
}

/** Per transmit SC (802.1AE-2018 10.7.8). */
export interface TxScCounters {
  outPktsProtected: number;
  outPktsEncrypted: number;
  outOctetsProtected: number;
  outOctetsEncrypted: number;
}

/** Per transmit SA (802.1AE-2018 10.7.12). */
export interface TxSaCounters {
  outPktsProtected: number;
  outPktsEncrypted: number;
}

export function newSecYCounters(): SecYCounters {
  return {
    inPktsUntagged: 0,
    inPktsNoTag: 0,
    inPktsBadTag: 0,
    inPktsUnknownSCI: 0,
    inPktsNoSCI: 0,
    inPktsOverrun: 0,
    inPktsUncontrolledOnly: 0,
    inPktsMalformed: 0,
    outPktsUntagged: 0,
    outPktsTooLong: 0,
    outPktsNoActiveSa: 0,
  };
}

export function newRxScCounters(): RxScCounters {
  return {
    inPktsOK: 0,
    inPktsInvalid: 0,
    inPktsNotValid: 0,
    inPktsLate: 0,
    inPktsUnchecked: 0,
    inPktsDelayed: 0,
    inPktsNotUsingSA: 0,
    inPktsUnusedSA: 0,
    inOctetsValidated: 0,
    inOctetsDecrypted: 0,
  };
}

export function newRxSaCounters(): RxSaCounters {
  return { inPktsOK: 0, inPktsInvalid: 0, inPktsNotValid: 0, inPktsNotUsingSA: 0, inPktsUnusedSA: 0 };
}

export function newTxScCounters(): TxScCounters {
  return { outPktsProtected: 0, outPktsEncrypted: 0, outOctetsProtected: 0, outOctetsEncrypted: 0 };
}

export function newTxSaCounters(): TxSaCounters {
  return { outPktsProtected: 0, outPktsEncrypted: 0 };
}

/** Verdicts that end with the frame delivered to the controlled port. */
export type DeliverVerdict =
  | 'inPktsOK'
  | 'inPktsInvalid'
  | 'inPktsUnchecked'
  | 'inPktsDelayed'
  | 'inPktsUnknownSCI'
  | 'inPktsUnusedSA'
  | 'inPktsUntagged';

/** Verdicts that end with the frame dropped from the controlled port. */
export type DropVerdict =
  | 'inPktsNotValid'
  | 'inPktsLate'
  | 'inPktsNoSCI'
  | 'inPktsNotUsingSA'
  | 'inPktsNoTag'
  | 'inPktsBadTag'
  | 'inPktsOverrun'
  | 'inPktsUncontrolledOnly'
  | 'inPktsMalformed';

/** The closed set of receive verdicts: each names the one packet counter it moves. */
export type RxVerdict = DeliverVerdict | DropVerdict;

