/**
 * A FrameIo on an AF_PACKET socket bound to one interface (packet(7)): how a
 * lab node reads and writes its wire veth.
 *
 * The socket is promiscuous (PACKET_MR_PROMISC), does not see its own
 * transmissions (PACKET_IGNORE_OUTGOING, Linux 4.20; filtered by packet type
 * on older kernels), has large buffers (SO_RCVBUFFORCE/SO_SNDBUFFORCE) and
 * reads and writes batches with recvmmsg/sendmmsg. 802.1Q tags that the
 * receive path moved out of the frame come back in place (PACKET_AUXDATA), so
 * frames are delivered as they were on the wire.
 *
 * Frames go through the qdisc (no PACKET_QDISC_BYPASS): frames sent with the
 * bypass do not show in a capture on the sending veth (DESIGN.md).
 */
import { ioErrorFromNative, IoError } from './errors.js';
import type { DataPathTuning, FrameIo } from './frame-io.js';
import { loadNative } from './native.js';
import { NativeFrameIo, netnsPath, type DeliveryMode } from './native-frame-io.js';
import {
  DEFAULT_BATCH_FRAMES,
  DEFAULT_MAX_FRAME_OCTETS,
  DEFAULT_RCVBUF_OCTETS,
  DEFAULT_SNDBUF_OCTETS,
  ETH_P_ALL,
} from './constants.js';

export interface AfPacketOptions extends DataPathTuning {
  /**
   * Network namespace of the interface: a name from `ip netns add` or a path
   * (/proc/PID/ns/net). The socket is created in it and stays there; the
   * calling thread returns to its own namespace before this returns.
   * @default the caller's namespace
   */
  netns?: string;
  /**
   * Receive and send only this EtherType (0x88E5 for MACsec, 0x888E for
   * EAPOL). @default ETH_P_ALL: every frame
   */
  etherType?: number;
  /** @default true */
  promiscuous?: boolean;
  /** @default DEFAULT_RCVBUF_OCTETS (32 MiB) */
  rcvbufOctets?: number;
  /** @default DEFAULT_SNDBUF_OCTETS (8 MiB) */
  sndbufOctets?: number;
  /** Frames read per recvmmsg and handed over per callback, 1..1024. @default 64 */
  batch?: number;
  /** Longest frame received whole. @default 65535 */
  maxFrameSize?: number;
  /**
   * PACKET_MMAP rings (src/io/native/packet.c, "rings"): 'v3' receives through a TPACKET_V3
   * block ring, 'v2' through a TPACKET_V2 frame ring; both send through a
   * transmit ring. 'off' reads and writes with recvmmsg/sendmmsg.
   * @default 'off' (DXLAB_PACKET_RING sets it for a node: src/cli/node-env.ts)
   */
  ring?: PacketRing;
  /** @internal for bench/io.ts @default 'batch' */
  delivery?: DeliveryMode;
  /**
   * SO_BUSY_POLL (socket(7)) in microseconds, 0..1000: an experiment
   * (DXLAB_SO_BUSY_POLL, README "The live link"). @default 0
   */
  soBusyPoll?: number;
}

export type PacketRing = 'off' | 'v2' | 'v3';

/**
 * Opens an AF_PACKET socket on `ifname`.
 * @throws IoError: 'addonNotLoaded', 'permission' (not root), 'notFound'
 *   (no such interface or namespace), 'invalidArgument', 'socket'.
 */
export function afPacket(ifname: string, options: AfPacketOptions = {}): FrameIo {
  const native = loadNative();
  const where = options.netns === undefined ? ifname : `${ifname} in netns ${options.netns}`;
  if (options.etherType !== undefined && (!Number.isInteger(options.etherType) || options.etherType < 0 || options.etherType > 0xffff))
    throw new IoError('invalidArgument', `etherType ${options.etherType} out of range 0..0xffff`, { interface: ifname });
  const ring = options.ring ?? 'off';
  if (ring !== 'off' && ring !== 'v2' && ring !== 'v3') throw new IoError('invalidArgument', `ring must be off, v2 or v3, got '${String(ring)}'`, { interface: ifname });
  let handle;
  try {
    handle = native.openPacket(ifname, {
      ...(options.netns === undefined ? {} : { netns: netnsPath(options.netns) }),
      etherType: options.etherType ?? ETH_P_ALL,
      promisc: options.promiscuous ?? true,
      rcvbuf: options.rcvbufOctets ?? DEFAULT_RCVBUF_OCTETS,
      sndbuf: options.sndbufOctets ?? DEFAULT_SNDBUF_OCTETS,
      batch: options.batch ?? DEFAULT_BATCH_FRAMES,
      maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_OCTETS,
      ring,
      busyPollUs: options.busyPollUs ?? 0,
      serve: options.serve ?? 'own',
      soBusyPoll: options.soBusyPoll ?? 0,
    });
  } catch (e) {
    throw ioErrorFromNative(e, `open AF_PACKET socket on ${where}`, 'socket', ifname);
  }
  return new NativeFrameIo('afPacket', native, handle, options.delivery ?? 'batch');
}
