/**
 * The one interface every frame source and sink implements: an AF_PACKET
 * socket on a veth ({@link afPacket}), a TAP device ({@link tap}) and the
 * in-memory wire of the tests ({@link memoryWire}). A lab node binds one
 * `FrameIo` per port and never knows which it got (STYLE.md §1, as libp2p's
 * transport interface fronts tcp and memory transports).
 *
 * Frames are whole Ethernet frames as on the wire: destination and source
 * MAC, EtherType (802.1Q tags included), payload; no preamble, no FCS.
 */

/**
 * The common start/stop contract of a component (libp2p
 * `packages/interface/src/startable.ts`). What `start` takes depends on the
 * component; {@link FrameIo.start} takes the frame handler.
 */
export interface Startable {
  isStarted(): boolean;
  stop(): void | Promise<void>;
}

/** Receives one batch of frames: everything read in one go, in arrival order. */
export type OnFrames = (frames: Uint8Array[]) => void;

/** Receives errors found while reading (a link that went down, for instance). */
export type OnIoError = (error: import('./errors.js').IoError) => void;

/**
 * The interface's own counters as the kernel keeps them (`ip -s link`,
 * `struct rtnl_link_stats64`), counted from the moment the endpoint opened.
 */
export interface LinkStats {
  rxPackets: number;
  rxBytes: number;
  rxDropped: number;
  rxErrors: number;
  txPackets: number;
  txBytes: number;
  txDropped: number;
  txErrors: number;
}

/**
 * What an endpoint counted since it opened. Names follow the kernel's
 * `rtnl_link_stats64` in camelCase, seen from this endpoint: rx is what it
 * read, tx what it wrote.
 */
export interface FrameIoStats {
  /** Frames handed to `onFrames`. */
  rxPackets: number;
  rxBytes: number;
  /**
   * Frames meant for this endpoint that were lost before it read them: for
   * AF_PACKET the socket's receive buffer overflowed (PACKET_STATISTICS
   * tp_drops); for a TAP the kernel's queue of txqueuelen frames overflowed
   * (the TAP's tx_dropped); for the memory wire the receive queue of a
   * stopped endpoint overflowed.
   */
  rxDropped: number;
  /** Frames longer than `maxFrameSize`, dropped. */
  rxTruncated: number;
  /** Read errors (ENETDOWN while the link is down, ...). */
  rxErrors: number;
  /** Frames the kernel (or the wire) accepted. */
  txPackets: number;
  txBytes: number;
  /** Frames refused because a queue was full (EAGAIN, ENOBUFS). */
  txDropped: number;
  /** Frames refused for any other reason (EMSGSIZE, ENETDOWN, ENXIO, EIO). */
  txErrors: number;
  /** errno name of the last read error. */
  lastRxError?: string;
  /** errno name of the last refused send. */
  lastTxError?: string;
  /** The interface's kernel counters, where readable (not for the memory wire). */
  link?: LinkStats;
  /** How the endpoint is set up: its queues and modes (addon endpoints only). */
  settings?: FrameIoSettings;
  /** What each stage of the data path cost on this endpoint (addon endpoints only). */
  stages?: StageTimes;
}

/** One stage's totals since the endpoint opened: TSC cycles, the same in ns, system calls, frames. */
export interface StageTime {
  cycles: number;
  ns: number;
  calls: number;
  frames: number;
}

/**
 * Per-stage totals of an addon endpoint (src/io/native/dxio.h, "stages"),
 * each present once it counted something: `read` and `write` are the system
 * calls on this endpoint (recvmmsg/sendmmsg on the wire, read/readv and
 * write/writev on a TAP); `segment` cutting a TAP's super-frames and
 * completing checksums (frames: segments out); `crypto` the fast path's work
 * on frames this endpoint read (validate on the wire, protect on a TAP);
 * `coalesce` building a TAP's GSO writes; `js` the crossing into
 * JavaScript; `loop` the whole readable-event callback (calls: wakeups).
 */
export interface StageTimes {
  /** The TSC's rate, calibrated against CLOCK_MONOTONIC. */
  tscHz: number;
  read?: StageTime;
  segment?: StageTime;
  crypto?: StageTime;
  coalesce?: StageTime;
  write?: StageTime;
  js?: StageTime;
  loop?: StageTime;
}

/**
 * Experiments on how the addon serves its handles (README, "The data path"):
 * `busyPollUs` keeps reading for up to that many microseconds after a
 * handle's queue ran dry instead of waiting for the next readable event;
 * `serve` 'wire' or 'tap' has a readable event of any handle of a port's
 * fast path serve all of them, the wire first or the TAPs first ('own': each
 * on its own event).
 */
export interface DataPathTuning {
  /** 0..1000. @default 0 */
  busyPollUs?: number;
  /** @default 'own' */
  serve?: ServeOrder;
}

export type ServeOrder = 'own' | 'wire' | 'tap';

/**
 * Queue depths and modes of an addon endpoint, read from the kernel where it
 * keeps them: what bounds the frames a burst may queue before they are
 * dropped (and counted in rxDropped).
 */
export interface FrameIoSettings {
  /** Frames read per system call and handed over per callback. */
  batch: number;
  /** AF_PACKET: SO_RCVBUF and SO_SNDBUF as the kernel reports them (twice what was asked). */
  rcvbufOctets?: number;
  sndbufOctets?: number;
  /** AF_PACKET: PACKET_MMAP ring version ('off': recvmmsg/sendmmsg). */
  ring?: 'off' | 'v2' | 'v3';
  ringRxOctets?: number;
  ringTxSlots?: number;
  /** TAP: the kernel's queue towards this process, in frames. */
  txqueuelen?: number;
  /** TAP: IFF_VNET_HDR offloads, and coalescing of TCP segments on write. */
  offload?: boolean;
  coalesce?: boolean;
}

/** Which implementation an endpoint is. */
export type FrameIoKind = 'afPacket' | 'tap' | 'memory';

export interface FrameIo extends Startable {
  /** Interface name (or the memory endpoint's name). */
  readonly name: string;
  readonly kind: FrameIoKind;
  /**
   * Starts delivering received frames, whole batches per call. Frames that
   * arrived before start wait in the socket, TAP queue or memory queue (up
   * to its limit) and come first.
   *
   * Delivered frames belong to the handler: they are not reused by the
   * endpoint (one batch may share one underlying buffer).
   * @throws IoError('alreadyStarted' | 'closed')
   */
  start(onFrames: OnFrames, onError?: OnIoError): void;
  /** Stops delivering; frames queue as before start. Idempotent. */
  stop(): void;
  /**
   * Sends frames in order, as one batch where the implementation can.
   * Returns how many were accepted; the others are counted in `txDropped`
   * or `txErrors`. The frames may be reused as soon as this returns.
   * @throws IoError('closed' | 'invalidArgument')
   */
  send(frames: readonly Uint8Array[]): number;
  stats(): FrameIoStats;
  /** The interface's MAC address (6 octets), read now. @throws IoError('closed' | 'socket' | 'tap') */
  mac(): Uint8Array;
  /** The interface's MTU, read now. @throws IoError('closed' | 'socket' | 'tap') */
  mtu(): number;
  /** Releases socket, device, poll handle and buffers. Idempotent. */
  close(): void;
  isClosed(): boolean;
  /**
   * Whether the link has carrier (the interface up and running, as
   * SIOCGIFFLAGS' IFF_RUNNING says): a veth whose peer was set down has
   * none. Undefined where an endpoint cannot tell (taken as up).
   */
  carrier?(): boolean;
}
