/**
 * XPN packet-number recovery on receive (802.1AE-2018 10.6.2): only the low
 * 32 bits of a 64-bit PN travel in the SecTAG.
 */
/**
 * Recovers the 64-bit PN from the 32 bits on the wire, relative to the
 * receive SA's nextPN (docs/secy-decisions.md §1: the Linux rule in 64-bit
 * arithmetic; 802.1AE-2018 10.6.2 leaves the method to the implementation as
 * long as a PN within 2^31 of nextPN is recovered).
 *
 * The candidate takes nextPN's upper 32 bits; when the wire PN is below
 * nextPN's low half and the two lie in different halves of the 2^32 space
 * (bit 31 differs), the frame belongs to the next block. Otherwise, when the
 * wire PN is above and in the other half, it belongs to the previous block,
 * which keeps a frame just behind a block boundary from being read as 2^32
 * ahead.
 */
export function recoverXpn(nextPn: bigint, wirePn: number): bigint {
  const upper = nextPn >> 32n;
  const lower = Number(nextPn & 0xffffffffn);
  const differentHalf = ((wirePn ^ lower) & 0x80000000) !== 0;
  if (differentHalf && wirePn < lower) return ((upper + 1n) << 32n) | BigInt(wirePn);
  if (differentHalf && wirePn > lower && upper > 0n) return ((upper - 1n) << 32n) | BigInt(wirePn);
  return (upper << 32n) | BigInt(wirePn);
}
