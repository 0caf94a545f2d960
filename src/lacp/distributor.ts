/**
 * The Frame Distributor and Frame Collector of an Aggregator (IEEE
 * 802.1AX-2014 6.2.4 and 6.2.3), as the reference the addon's fast path is
 * compared with (test/unit/io/lag-distributor.test.ts).
 *
 * 802.1AX leaves the distribution algorithm open but requires that frames of
 * one conversation are not reordered nor duplicated (6.2.4): every frame of a
 * flow goes on one member. The conversation here is a hash over the
 * destination and source MACs and, for IPv4 and IPv6, the addresses, the
 * protocol and, for TCP and UDP, the ports (the Linux bonding driver's
 * `layer3+4` policy hashes the same fields; docs/lacp-decisions.md §6). VLAN
 * tags (0x8100, 0x88A8) before the EtherType are stepped over. A
 * fragmented IPv4 packet is hashed without ports, so all its fragments
 * travel together; IPv6 extension headers are not followed (the next header
 * is then not TCP or UDP and the ports are left out, consistently).
 *
 * The hash is FNV-1a (32 bit) over those octets in that order, folded once
 * (`h ^ (h >>> 16)`) so that the low bits used by `% members` depend on every
 * input octet; the member is `members[hash % members.length]` in the Lag's
 * port order when that one distributes, else `distributing[hash %
 * distributing.length]`.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv(h: number, b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, FNV_PRIME);
  return h;
}

/**
 * The conversation hash of an Ethernet frame (unsigned 32 bit). A frame too
 * short for a field is hashed on what it has, never refused: the distributor
 * must place every frame somewhere.
 */
export function flowHash(frame: Uint8Array): number {
  const n = frame.length;
  let h = fnv(FNV_OFFSET, frame, 0, Math.min(12, n));
  let at = 12;
  let type = n >= 14 ? (frame[12]! << 8) | frame[13]! : 0;
  while ((type === 0x8100 || type === 0x88a8) && at + 6 <= n) {
    at += 4;
    type = (frame[at]! << 8) | frame[at + 1]!;
  }
  const l3 = at + 2;
  if (type === 0x0800 && l3 + 20 <= n) {
    const ihl = (frame[l3]! & 0x0f) * 4;
    const proto = frame[l3 + 9]!;
    h = fnv(h, frame, l3 + 12, l3 + 20);
    h = Math.imul(h ^ proto, FNV_PRIME);
    const fragmented = (frame[l3 + 6]! & 0x3f) !== 0 || frame[l3 + 7]! !== 0;
    if ((proto === 6 || proto === 17) && !fragmented && ihl >= 20 && l3 + ihl + 4 <= n) h = fnv(h, frame, l3 + ihl, l3 + ihl + 4);
  } else if (type === 0x86dd && l3 + 40 <= n) {
    const next = frame[l3 + 6]!;
    h = fnv(h, frame, l3 + 8, l3 + 40);
    h = Math.imul(h ^ next, FNV_PRIME);
    if ((next === 6 || next === 17) && l3 + 44 <= n) h = fnv(h, frame, l3 + 40, l3 + 44);
  }
  h >>>= 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The member that carries `frame`, or undefined when none distributes (the
 * logical port is down). The hash picks among all `members` first and, only
 * when that one is not distributing, among the distributing ones: a member
 * leaving moves only its own flows, and the flows of the members that stay do
 * not move (no reordering for them, 802.1AX-2014 6.2.4).
 */
export function distributeFrame<T>(frame: Uint8Array, members: readonly T[], distributing: readonly T[]): T | undefined {
  if (distributing.length === 0) return undefined;
  const h = flowHash(frame);
  const first = members[h % members.length]!;
  return distributing.includes(first) ? first : distributing[h % distributing.length];
}

/**
 * The Frame Collector's gate (6.2.3): a frame received on a member is passed
 * up only when that member's collector is enabled (its Mux machine COLLECTING
 * or DISTRIBUTING, and the logical port up).
 */
export function collectFrame<T>(member: T, collecting: readonly T[]): boolean {
  return collecting.includes(member);
}
