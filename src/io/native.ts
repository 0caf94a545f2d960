/**
 * Loads the frame I/O addon (src/io/native, whose dxio.c says which file does
 * what; built by node-gyp from the repository's binding.gyp into
 * build/Release/dxio.node) and describes what it exports. Loaded on first
 * use, so that the memory wire and everything that does not touch a real
 * interface work without it.
 */
import type { FrameIoStats, ServeOrder } from './frame-io.js';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { IoError } from './errors.js';

/** An open AF_PACKET socket or TAP device inside the addon. */
export type NativeHandle = { readonly __brand: 'dxio handle' };

export interface NativePacketOptions {
  netns?: string;
  etherType?: number;
  rcvbuf?: number;
  sndbuf?: number;
  promisc?: boolean;
  batch?: number;
  maxFrameSize?: number;
  ring?: 'off' | 'v2' | 'v3';
  busyPollUs?: number;
  serve?: ServeOrder;
  /** SO_BUSY_POLL, microseconds. */
  soBusyPoll?: number;
}

export interface NativeTapOptions {
  netns?: string;
  txqueuelen?: number;
  batch?: number;
  maxFrameSize?: number;
  /** IFF_VNET_HDR + TUNSETOFFLOAD, segmentation and checksums in the addon. */
  offload?: boolean;
  /** With offload: TCP segments of one flow in one send written as one GSO frame. */
  coalesce?: boolean;
  busyPollUs?: number;
  serve?: ServeOrder;
}

/** Counters of a TAP opened with offload (src/io/native/tap.c and vnet.c). */
export interface NativeOffloadStats {
  /** TSO super-frames read and cut into segments. */
  rxSuperFrames: number;
  /** Segments made of them. */
  rxSegments: number;
  /** Single frames whose partial checksum (NEEDS_CSUM) was completed. */
  rxChecksums: number;
  /** Frames read and dropped: malformed headers, an unexpected GSO type. */
  rxErrors: number;
  /** GSO frames written, each made of several segments sent. */
  txGsoFrames: number;
  /** Segments sent inside them. */
  txGsoSegments: number;
}

/**
 * What the addon's stats() returns: FrameIo's counters without `rxDropped`,
 * which the wrapper derives from `socketDrops` (AF_PACKET) or the TAP's
 * kernel counters, plus the offload counters.
 */
export interface NativeStats extends Omit<FrameIoStats, 'rxDropped'> {
  socketDrops?: number;
  offload?: NativeOffloadStats;
}

export interface NativeInfo {
  name: string;
  ifindex: number;
  batch: number;
  closed: boolean;
  started: boolean;
  kernelIgnoresOutgoing: boolean;
  /** The most frames one receive callback delivers (batch, more for an offloading TAP). */
  deliveryFrames: number;
  offload: boolean;
  coalesce: boolean;
  /** Packet sockets: the PACKET_MMAP ring version, or 'off'. */
  ring: 'off' | 'v2' | 'v3';
  /** Packet sockets: SO_RCVBUF and SO_SNDBUF as the kernel reports them (twice what was set). */
  rcvbufOctets?: number;
  sndbufOctets?: number;
  /** Packet sockets with rings: octets of the receive ring, slots of the transmit ring. */
  ringRxOctets?: number;
  ringTxSlots?: number;
  /** TAPs: the kernel's queue towards this process, in frames (frames beyond it are dropped: the TAP's tx_dropped). */
  txqueuelen?: number;
}

/** The addon's exports; every function throws the errors of handle.c dxio_make_error. */
export interface NativeAddon {
  openPacket(ifname: string, options: NativePacketOptions): NativeHandle;
  openTap(ifname: string, options: NativeTapOptions): NativeHandle;
  /**
   * Batch mode: `onFrames(buffer, count)` with the frames back to back in
   * `buffer` and their lengths in `lengths[0..count)`. Per-frame mode:
   * `onFrames(buffers[], count)`.
   */
  start(
    h: NativeHandle,
    onFrames: (data: Buffer | Buffer[], count: number) => void,
    onError: ((e: Error) => void) | undefined,
    perFrame: boolean,
    lengths: Uint32Array,
  ): void;
  stop(h: NativeHandle): void;
  send(h: NativeHandle, frames: readonly Uint8Array[]): number;
  stats(h: NativeHandle): NativeStats;
  mtu(h: NativeHandle): number;
  /** The interface is up and has carrier (IFF_UP and IFF_RUNNING); false when it cannot be read. */
  carrier(h: NativeHandle): boolean;
  mac(h: NativeHandle): Buffer;
  info(h: NativeHandle): NativeInfo;
  close(h: NativeHandle): void;
  /**
   * The offloading TAP's receive logic alone: the frames JavaScript gets for
   * one frame read with this 10-octet virtio_net_hdr. For tests.
   * @throws Error with code EINVAL, EPROTO or ENOSPC for a frame the receive path drops.
   */
  vnetSegment(header: Uint8Array, frame: Uint8Array): Buffer[];
  /**
   * The offloading TAP's send logic alone: each write for these frames (a
   * 10-octet virtio_net_hdr and the frame) and how many frames it carries. For tests.
   */
  vnetCoalesce(frames: readonly Uint8Array[]): Array<{ frames: number; data: Buffer }>;
  /** A LAG's flow hash of a frame, as src/lacp/distributor.ts flowHash computes it (lag.c). */
  lagFlowHash(frame: Uint8Array): number;
  /** The member index (of `members`, 1..32) the frame goes on, bit i of the mask set when member i distributes; -1 when none does. */
  lagChoose(frame: Uint8Array, members: number, distributingMask: number): number;
}

/** Where node-gyp puts the addon, from src/io/ and from dist/io/ alike. */
export const ADDON_PATH = fileURLToPath(new URL('../../build/Release/dxio.node', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let addon: NativeAddon | undefined;

/**
 * The addon, loaded once.
 * @throws IoError('addonNotLoaded') saying why it could not be loaded and how to build it.
 */
export function loadNative(): NativeAddon {
  addon ??= loadNativeFrom(ADDON_PATH);
  return addon;
}

/**
 * Loads the addon at `path` (not cached; {@link loadNative} is).
 * @throws IoError('addonNotLoaded') saying why and how to build it.
 */
export function loadNativeFrom(path: string): NativeAddon {
  let loaded: NativeAddon & { unsupported?: string };
  try {
    loaded = createRequire(import.meta.url)(path) as NativeAddon & { unsupported?: string };
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? 'it has not been built' : (e as Error).message;
    throw new IoError(
      'addonNotLoaded',
      `the dxlab frame I/O addon could not be loaded from ${path}: ${why}. ` +
        `Build it in ${REPO_ROOT} with \`npm rebuild\` (or \`npx --yes node-gyp rebuild\`); ` +
        'this needs python3, make, a C compiler and the Node.js headers. ' +
        'Opening AF_PACKET sockets and TAP devices then needs root.',
      { cause: e },
    );
  }
  if (typeof loaded.unsupported === 'string') throw new IoError('addonNotLoaded', loaded.unsupported);
  return loaded;
}

/** True when the addon loads; for tests and tools that can do without it. */
export function nativeAvailable(): boolean {
  try {
    loadNative();
    return true;
  } catch {
    return false;
  }
}
