/**
 * The FrameIo over an addon handle, shared by {@link afPacket} and
 * {@link tap}: turns each batch the addon delivers into `Uint8Array` views,
 * the addon's errors into IoErrors, its counters into FrameIoStats.
 */
import { IoError, ioErrorFromNative } from './errors.js';
import type { FrameIo, FrameIoKind, FrameIoSettings, FrameIoStats, OnFrames, OnIoError } from './frame-io.js';
import type { NativeAddon, NativeHandle, NativeOffloadStats, NativeStats } from './native.js';
import { NETNS_RUN_DIR } from './constants.js';

/**
 * How received batches cross into JavaScript. 'batch' (the default): one
 * Buffer with the frames back to back plus lengths, sliced into views here.
 * 'perFrame': one Buffer per frame made by the addon. Kept for bench/io.ts,
 * which measures the two.
 * @internal
 */
export type DeliveryMode = 'batch' | 'perFrame';

/** `/run/netns/NAME` for a bare name; a path is used as given. */
export function netnsPath(netns: string): string {
  return netns.includes('/') ? netns : `${NETNS_RUN_DIR}/${netns}`;
}

/**
 * A FrameIo over one open addon handle. Made by {@link afPacket} and
 * {@link tap}; owns the handle and closes it in `close()`.
 */
export class NativeFrameIo implements FrameIo {
  readonly name: string;
  private closed = false;
  private started = false;
  private readonly lengths: Uint32Array;

  constructor(
    readonly kind: FrameIoKind,
    private readonly native: NativeAddon,
    private readonly handle: NativeHandle,
    private readonly delivery: DeliveryMode,
  ) {
    const info = native.info(handle);
    this.name = info.name;
    // Backed by its own ArrayBuffer so that V8 never keeps it on its heap: the
    // addon writes the lengths of each batch straight into it.
    this.lengths = new Uint32Array(new ArrayBuffer(4 * Math.max(info.deliveryFrames ?? info.batch, 16)));
  }

  /** The addon's handle, for the native fast path (src/io/fastpath.ts). @internal */
  get nativeHandle(): NativeHandle {
    return this.handle;
  }

  start(onFrames: OnFrames, onError?: OnIoError): void {
    this.assertOpen();
    if (this.started) throw new IoError('alreadyStarted', `${this.name}: already started`, { interface: this.name });
    const lengths = this.lengths;
    const deliver =
      this.delivery === 'batch'
        ? (data: Buffer | Buffer[], count: number) => {
            const buf = data as Buffer;
            const ab = buf.buffer;
            let o = buf.byteOffset;
            const frames = new Array<Uint8Array>(count);
            for (let i = 0; i < count; i++) {
              const len = lengths[i]!;
              frames[i] = new Uint8Array(ab, o, len);
              o += len;
            }
            onFrames(frames);
          }
        : (data: Buffer | Buffer[]) => onFrames(data as Buffer[]);
    const name = this.name;
    const kind = this.errorKind;
    const errorHandler = onError
      ? (e: Error) => {
          onError(ioErrorFromNative(e, `receive on ${name}`, kind, name));
        }
      : undefined;
    try {
      this.native.start(this.handle, deliver, errorHandler, this.delivery === 'perFrame', lengths);
    } catch (e) {
      throw ioErrorFromNative(e, `start ${this.name}`, this.errorKind, this.name);
    }
    this.started = true;
  }

  stop(): void {
    if (this.closed || !this.started) return;
    this.native.stop(this.handle);
    this.started = false;
  }

  isStarted(): boolean {
    return this.started;
  }

  send(frames: readonly Uint8Array[]): number {
    this.assertOpen();
    try {
      return this.native.send(this.handle, frames);
    } catch (e) {
      throw ioErrorFromNative(e, `send on ${this.name}`, this.errorKind, this.name);
    }
  }

  stats(): FrameIoStats {
    const s: NativeStats = this.native.stats(this.handle);
    const out: FrameIoStats = {
      rxPackets: s.rxPackets,
      rxBytes: s.rxBytes,
      rxDropped: this.kind === 'tap' ? (s.link?.txDropped ?? 0) : (s.socketDrops ?? 0),
      rxTruncated: s.rxTruncated,
      rxErrors: s.rxErrors,
      txPackets: s.txPackets,
      txBytes: s.txBytes,
      txDropped: s.txDropped,
      txErrors: s.txErrors,
    };
    if (s.lastRxError !== undefined) out.lastRxError = s.lastRxError;
    if (s.lastTxError !== undefined) out.lastTxError = s.lastTxError;
    if (s.link) out.link = s.link;
    if (s.stages) out.stages = s.stages;
    if (!this.closed) out.settings = this.settings();
    return out;
  }

  /** Queue depths and modes, as the kernel has them now. */
  settings(): FrameIoSettings {
    const i = this.native.info(this.handle);
    const out: FrameIoSettings = { batch: i.batch };
    if (this.kind === 'tap') {
      out.offload = i.offload;
      out.coalesce = i.coalesce;
      if (i.txqueuelen !== undefined) out.txqueuelen = i.txqueuelen;
    } else {
      out.ring = i.ring;
      if (i.rcvbufOctets !== undefined) out.rcvbufOctets = i.rcvbufOctets;
      if (i.sndbufOctets !== undefined) out.sndbufOctets = i.sndbufOctets;
      if (i.ringRxOctets !== undefined) out.ringRxOctets = i.ringRxOctets;
      if (i.ringTxSlots !== undefined) out.ringTxSlots = i.ringTxSlots;
    }
    return out;
  }

  /**
   * Counters of a TAP opened with offloads (super-frames segmented, GSO
   * frames written); undefined for any other endpoint.
   */
  offloadStats(): NativeOffloadStats | undefined {
    return this.native.stats(this.handle).offload;
  }

  mac(): Uint8Array {
    this.assertOpen();
    try {
      const b = this.native.mac(this.handle);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      throw ioErrorFromNative(e, `read the MAC address of ${this.name}`, this.errorKind, this.name);
    }
  }

  /** IFF_UP and IFF_RUNNING (carrier) of the interface; false once closed or gone. */
  carrier(): boolean {
    if (this.closed) return false;
    return this.native.carrier(this.handle);
  }

  mtu(): number {
    this.assertOpen();
    try {
      return this.native.mtu(this.handle);
    } catch (e) {
      throw ioErrorFromNative(e, `read the MTU of ${this.name}`, this.errorKind, this.name);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.started = false;
    this.native.close(this.handle);
  }

  isClosed(): boolean {
    return this.closed;
  }

  private get errorKind(): 'socket' | 'tap' {
    return this.kind === 'tap' ? 'tap' : 'socket';
  }

  private assertOpen(): void {
    if (this.closed) throw new IoError('closed', `${this.name}: closed`, { interface: this.name });
  }
}
