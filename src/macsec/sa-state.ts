/**
 * The memory the SecY shares with the addon's fast path (src/io/native/
 * fastpath.h FP_*): one state block per SA holding its next PN, lowest
 * acceptable PN and the fast path's counts, and the tables that tell the fast
 * path which SAs are in use. Both sides read and write the same words, so a
 * PN is never used twice whichever of the two protects a frame.
 */

/** Words of an SA's state block. */
export const SA_STATE_NEXT_PN = 0;
export const SA_STATE_LOWEST_PN = 1;
/** Frames and octets the fast path counted for this SA, folded into the counters when read. */
export const SA_STATE_FAST_PKTS = 2;
export const SA_STATE_FAST_OCTETS = 3;
export const SA_STATE_WORDS = 4;
/** Entries of the Float64Array of SecY-level counts the fast path keeps (`FastPathTables.secyCounters`). */
export const FAST_SECY_OUT_UNTAGGED = 0;
export const FAST_SECY_IN_UNTAGGED = 1;

/** A state block in its own ArrayBuffer: never on V8's heap, so its address stays put for the addon. */
export function newSaState(nextPn: bigint, lowestPn: bigint): BigUint64Array {
  const st = new BigUint64Array(new ArrayBuffer(8 * SA_STATE_WORDS));
  st[SA_STATE_NEXT_PN] = nextPn;
  st[SA_STATE_LOWEST_PN] = lowestPn;
  return st;
}

/** The frames and octets the fast path counted in a state block, which it zeroes; undefined when none. */
export function takeFastCounts(st: BigUint64Array): { pkts: number; octets: number } | undefined {
  if (st[SA_STATE_FAST_PKTS] === 0n) return undefined;
  const out = { pkts: Number(st[SA_STATE_FAST_PKTS]), octets: Number(st[SA_STATE_FAST_OCTETS]) };
  st[SA_STATE_FAST_PKTS] = 0n;
  st[SA_STATE_FAST_OCTETS] = 0n;
  return out;
}

/** What the native fast path needs of one SA (see {@link SecY.fastPathTables}). */
export interface FastPathSa {
  an: number;
  xpn: boolean;
  /** The addon's key object (a native GcmKey's `nativeHandle`). */
  key: unknown;
  /** The constant part of the IV: SCI ‖ 0, or (SSCI ‖ 0) ⊕ salt. */
  iv: Uint8Array;
  state: BigUint64Array;
}

/** The SecY as the native fast path sees it; undefined parts leave the frames to {@link SecY}. */
export interface FastPathTables {
  protectFrames: boolean;
  confidentiality: boolean;
  includeSci: boolean;
  es: boolean;
  scb: boolean;
  maxFrameLength: number;
  /** 0 Disabled, 1 Check, 2 Strict. */
  validateFrames: 0 | 1 | 2;
  replayProtect: boolean;
  replayWindow: number;
  txSci: Uint8Array;
  /** The encoding SA while it is in use, with the PN the fast path stops before. */
  tx?: FastPathSa & { limit: bigint };
  /** Receive SAs in use. */
  rx: Array<FastPathSa & { sci: Uint8Array }>;
  secyCounters: Float64Array;
}
