/**
 * A FrameIo on a TAP device (Documentation/networking/tuntap.rst): how a lab
 * node exchanges cleartext frames with the kernel stack of its namespace.
 *
 * Opened by name with TUNSETIFF (IFF_TAP | IFF_NO_PI): attaches to a
 * persistent TAP (`ip tuntap add mode tap`) or creates one that disappears
 * when the endpoint closes. A TAP shows no carrier until a process attaches,
 * and writes fail with EIO while it is down: bring it up after opening.
 *
 * Its txqueuelen is set to 10000 (DESIGN.md: 1000 drops as many frames as
 * TCP retransmits). A tun fd has no batched read or write, so frames cross
 * one system call each, but still reach JavaScript in batches.
 *
 * Offloads (on by default): the TAP is opened with IFF_VNET_HDR and offers
 * checksum offload and TSO (TUNSETOFFLOAD), so that the kernel hands over
 * TCP super-frames of up to 64 KiB, one system call for up to 45 frames. The
 * addon cuts them into MSS-sized segments and completes every checksum the
 * kernel left open, so JavaScript still sees ordinary frames of at most
 * MTU + 14 octets with correct checksums. On send, consecutive segments of
 * one TCP flow go back into the kernel as one GSO frame (src/io/native/vnet.c).
 */
import { ioErrorFromNative } from './errors.js';
import type { DataPathTuning, FrameIo } from './frame-io.js';
import { loadNative } from './native.js';
import { NativeFrameIo, netnsPath, type DeliveryMode } from './native-frame-io.js';
import { DEFAULT_BATCH_FRAMES, DEFAULT_MAX_FRAME_OCTETS, DEFAULT_TAP_TXQUEUELEN } from './constants.js';

export interface TapOptions extends DataPathTuning {
  /**
   * Network namespace to open (or create) the TAP in: a name from `ip netns
   * add` or a path. @default the caller's namespace
   */
  netns?: string;
  /** Set through SIOCSIFTXQLEN; 0 leaves it as it is. @default 10000 */
  txqueuelen?: number;
  /** Frames read per callback, 1..1024. @default 64 */
  batch?: number;
  /** @default 65535 */
  maxFrameSize?: number;
  /** @internal for bench/io.ts @default 'batch' */
  delivery?: DeliveryMode;
  /**
   * Offloads through a virtio_net_hdr: TSO super-frames segmented and
   * checksums completed in the addon, TCP segments coalesced on send.
   * @default true (DXLAB_TAP_OFFLOAD=0 turns it off for a node: src/cli/node-env.ts)
   */
  offload?: boolean;
  /**
   * With offload, coalesce consecutive TCP segments of one flow in one send
   * into one GSO frame. @internal for measurements
   * @default true (DXLAB_TAP_COALESCE=0 for a node)
   */
  coalesce?: boolean;
}

/**
 * Opens (or creates) the TAP device `ifname`.
 * @throws IoError: 'addonNotLoaded', 'permission' (not root), 'busy' (held
 *   by another process), 'notFound' (no such namespace), 'invalidArgument',
 *   'tap'.
 */
export function tap(ifname: string, options: TapOptions = {}): FrameIo {
  const native = loadNative();
  const where = options.netns === undefined ? ifname : `${ifname} in netns ${options.netns}`;
  let handle;
  try {
    handle = native.openTap(ifname, {
      ...(options.netns === undefined ? {} : { netns: netnsPath(options.netns) }),
      txqueuelen: options.txqueuelen ?? DEFAULT_TAP_TXQUEUELEN,
      batch: options.batch ?? DEFAULT_BATCH_FRAMES,
      maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_OCTETS,
      offload: options.offload ?? true,
      coalesce: options.coalesce ?? true,
      busyPollUs: options.busyPollUs ?? 0,
      serve: options.serve ?? 'own',
    });
  } catch (e) {
    throw ioErrorFromNative(e, `open TAP ${where}`, 'tap', ifname);
  }
  return new NativeFrameIo('tap', native, handle, options.delivery ?? 'batch');
}
