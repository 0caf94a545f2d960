/**
 * The test's own AF_PACKET sockets on both ends of a wire veth (not a node's
 * capture, which turns the fast path off): each end's socket sees the frames
 * the other end sent (PACKET_IGNORE_OUTGOING), so the two together see every
 * frame on the wire, from either node. Counts frames by EtherType (the one at
 * octet 12: a clear 802.1Q frame counts as 0x8100) and keeps the first few
 * frames of an EtherType not allowed.
 */
import { afPacket, type FrameIo } from '../../src/io/index.js';

export interface WireWatch {
  /** Frames seen per EtherType (hex, e.g. '88e5'), both directions. */
  counts(): Record<string, number>;
  /** Frames of an EtherType not in `allowed`: which end received it, and its first 64 octets. */
  offenders(): Array<{ at: string; etherType: string; head: string }>;
  /** Frames of any not-allowed EtherType seen so far. */
  offending(): number;
  close(): void;
}

/** Watches the wire veth `ends` (namespace and interface of each end). */
export function watchWire(ends: Array<{ netns: string; ifname: string }>, allowed: number[]): WireWatch {
  const counts: Record<string, number> = {};
  const offenders: Array<{ at: string; etherType: string; head: string }> = [];
  let offending = 0;
  const ios: FrameIo[] = [];
  try {
    for (const end of ends) {
      const io = afPacket(end.ifname, { netns: end.netns, promiscuous: true });
      ios.push(io);
      io.start(
        (frames) => {
          for (const f of frames) {
            const et = f.length >= 14 ? (f[12]! << 8) | f[13]! : -1;
            const key = et.toString(16).padStart(4, '0');
            counts[key] = (counts[key] ?? 0) + 1;
            if (!allowed.includes(et)) {
              offending++;
              if (offenders.length < 10) offenders.push({ at: `${end.netns}/${end.ifname}`, etherType: key, head: Buffer.from(f.subarray(0, 64)).toString('hex') });
            }
          }
        },
        // A wire taken down (wire cut) reports ENETDOWN; the socket reads again once it is up.
        () => undefined,
      );
    }
  } catch (e) {
    for (const io of ios) io.close();
    throw e;
  }
  return {
    counts: () => ({ ...counts }),
    offenders: () => [...offenders],
    offending: () => offending,
    close: () => {
      for (const io of ios) io.close();
    },
  };
}
