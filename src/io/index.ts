/**
 * Frame I/O: where Ethernet frames enter and leave a lab node.
 *
 * Three implementations of one {@link FrameIo} interface:
 * - {@link afPacket}: an AF_PACKET socket on an interface (the wire veth),
 * - {@link tap}: a TAP device (the cleartext side, towards the namespace's
 *   kernel stack),
 * - {@link memoryWire}: two connected endpoints in memory, for tests.
 *
 * The first two use a small N-API addon in C (src/io/native, whose dxio.c
 * says which file does what; built by node-gyp when `npm ci` runs) and need
 * root. Received frames arrive in whole batches per callback; sends are
 * batched (sendmmsg) where the kernel allows.
 * pcap/pcapng writing lives in `./pcap.ts`.
 *
 * The addon also holds the fast AES-GCM path: {@link opensslGcmEngine} and
 * {@link ipsecMbGcmEngine}, macsec's `GcmEngine` with one OpenSSL context or
 * one intel-ipsec-mb key per SA, and {@link selectGcmEngine}, which picks one
 * of them or node:crypto (`--crypto native|openssl|ipsec-mb|node`).
 *
 * @example
 * import { afPacket, tap } from '../io/index.js';
 *
 * const wire = afPacket('dx-w0', { netns: 'dxlab-t2-dx', etherType: 0x88e5 });
 * const host = tap('dx0', { netns: 'dxlab-t2-dx' });
 * host.start((frames) => wire.send(frames.map(protect)));
 * wire.start((frames) => host.send(frames.map(validate)), (err) => log(err.message));
 * // ...
 * console.log(wire.stats().rxDropped, host.stats().link?.txDropped);
 * wire.close();
 * host.close();
 *
 * @example
 * import { memoryWire } from '../io/index.js';
 *
 * const [a, b] = memoryWire({ loss: (_frame, from) => from === 'mem0' && Math.random() < 0.01 });
 * b.start((frames) => console.log(`${frames.length} frames`));
 * a.send([frame1, frame2]); // delivered together, on a later turn of the event loop
 */
export type {
  DataPathTuning,
  FrameIo,
  FrameIoKind,
  FrameIoSettings,
  FrameIoStats,
  LinkStats,
  OnFrames,
  OnIoError,
  ServeOrder,
  StageTime,
  StageTimes,
  Startable,
} from './frame-io.js';
export { IoError, type IoErrorCode } from './errors.js';
export { afPacket, type AfPacketOptions, type PacketRing } from './af-packet.js';
export { tap, type TapOptions } from './tap.js';
export { memoryWire, type MemoryWireOptions } from './memory-wire.js';
export { nativeAvailable } from './native.js';
export {
  opensslGcmEngine,
  ipsecMbGcmEngine,
  nativeGcmEngines,
  isNativeGcmEngine,
  nativeGcmInfo,
  selectGcmEngine,
  CRYPTO_CHOICES,
  GCM_BATCH_FIELDS,
  type CryptoChoice,
  type IpsecMbInfo,
  type NativeGcmEngineName,
  type NativeGcmEngine,
  type NativeGcmInfo,
  type NativeGcmKey,
  type SelectedGcmEngine,
} from './native-gcm.js';
export {
  DEFAULT_BATCH_FRAMES,
  DEFAULT_MAX_FRAME_OCTETS,
  DEFAULT_RCVBUF_OCTETS,
  DEFAULT_SNDBUF_OCTETS,
  DEFAULT_TAP_TXQUEUELEN,
  ETH_P_ALL,
} from './constants.js';
export {
  FastPath,
  LagFastPath,
  FAST_PATH_MAX_CLEAR_TEXT,
  FAST_PATH_MAX_RX_SAS,
  FAST_PATH_MAX_TAPS,
  FAST_PATH_MAX_LAG_MEMBERS,
  type FastPathConfig,
  type FastPathOutput,
  type FastPathPortConfig,
  type FastPathStats,
  type LagFastPathConfig,
  type LagFastPathStats,
} from './fastpath.js';
export {
  LINKTYPE_ETHERNET,
  PcapngWriter,
  parseCapture,
  readCaptureFile,
  serializePcap,
  serializePcapng,
  type Capture,
  type CaptureInterface,
  type CapturedFrame,
} from './pcap.js';
export { tcpConnect, tcpListen, tcpMd5Unavailable, TCP_MD5_MAX_KEY_OCTETS, type TcpConnectOptions, type TcpListenOptions, type TcpSocketOptions } from './tcp-md5.js';
