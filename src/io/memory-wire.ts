/**
 * An in-memory wire: two connected FrameIo endpoints in one process, for
 * tests of everything above the I/O layer (two KaYs, two SecYs, a node)
 * without root, namespaces or the addon.
 *
 * It behaves like a veth pair seen through AF_PACKET where that matters to
 * callers: delivery is asynchronous (never inside `send`) and in batches;
 * frames sent in one turn of the event loop arrive together; an endpoint does
 * not receive its own frames; frames wait in a bounded queue while the
 * receiver is stopped; frames longer than MTU + 14 (+ 4 with an 802.1Q tag)
 * are refused with EMSGSIZE as packet_snd refuses them. Sent frames are
 * copied, received ones belong to the receiver.
 *
 * Hooks make the wire imperfect on purpose: `loss` drops chosen frames,
 * `reorder` rearranges (or duplicates, or drops) each batch in flight,
 * `delayMs` holds frames back.
 */
import { IoError } from './errors.js';
import type { FrameIo, FrameIoStats, OnFrames, OnIoError } from './frame-io.js';
import {
  DEFAULT_BATCH_FRAMES,
  DEFAULT_MEMORY_QUEUE_FRAMES,
  ETHERNET_HEADER_OCTETS,
  VLAN_TAG_OCTETS,
} from './constants.js';

export interface MemoryWireOptions {
  /** @default ['mem0', 'mem1'] */
  names?: readonly [string, string];
  /** @default [02:00:00:00:00:01, 02:00:00:00:00:02] */
  macs?: readonly [Uint8Array, Uint8Array];
  /** @default 1500 */
  mtu?: number;
  /** Frames an endpoint holds before it drops (`rxDropped`). @default 10000 */
  queueFrames?: number;
  /** Most frames per `onFrames` call. @default 64 */
  batch?: number;
  /** Returns true to lose a frame on the wire (counted nowhere, as on a real wire). */
  loss?: (frame: Uint8Array, from: string) => boolean;
  /** Rearranges one batch in flight; may also duplicate or leave out frames. */
  reorder?: (frames: Uint8Array[], from: string) => Uint8Array[];
  /** Whether endpoint `name` has carrier now (a test's cable pull). @default always */
  carrier?: (name: string) => boolean;
  /** Milliseconds a frame spends on the wire; 0 means the next event loop turn. @default 0 */
  delayMs?: number | ((frame: Uint8Array, from: string) => number);
}

/**
 * Makes a wire and returns its two ends; what one sends the other receives.
 * @throws IoError('invalidArgument') for a bad MTU, batch, queue size or MAC.
 */
export function memoryWire(options: MemoryWireOptions = {}): [FrameIo, FrameIo] {
  const names = options.names ?? ['mem0', 'mem1'];
  const macs = options.macs ?? [Uint8Array.of(2, 0, 0, 0, 0, 1), Uint8Array.of(2, 0, 0, 0, 0, 2)];
  const mtu = options.mtu ?? 1500;
  const batch = options.batch ?? DEFAULT_BATCH_FRAMES;
  const queueFrames = options.queueFrames ?? DEFAULT_MEMORY_QUEUE_FRAMES;
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new IoError('invalidArgument', `memory wire: mtu ${mtu} out of range 68..65535`);
  if (!Number.isInteger(batch) || batch < 1) throw new IoError('invalidArgument', `memory wire: batch ${batch} must be a positive integer`);
  if (!Number.isInteger(queueFrames) || queueFrames < 0) throw new IoError('invalidArgument', `memory wire: queueFrames ${queueFrames} must be an integer >= 0`);
  for (const m of macs) if (m.length !== 6) throw new IoError('invalidArgument', `memory wire: MAC address must be 6 octets, got ${m.length}`);
  const a = new MemoryEndpoint(names[0], macs[0].slice(), mtu, batch, queueFrames, options);
  const b = new MemoryEndpoint(names[1], macs[1].slice(), mtu, batch, queueFrames, options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryEndpoint implements FrameIo {
  readonly kind = 'memory' as const;
  peer: MemoryEndpoint | undefined;
  private onFrames: OnFrames | undefined;
  private closed = false;
  private readonly rxQueue: Uint8Array[] = [];
  private inFlight: Uint8Array[] = [];
  private flushScheduled = false;
  private drainScheduled = false;
  private readonly counters: FrameIoStats = {
    rxPackets: 0,
    rxBytes: 0,
    rxDropped: 0,
    rxTruncated: 0,
    rxErrors: 0,
    txPackets: 0,
    txBytes: 0,
    txDropped: 0,
    txErrors: 0,
  };

  constructor(
    readonly name: string,
    private readonly macAddress: Uint8Array,
    private readonly mtuOctets: number,
    private readonly batch: number,
    private readonly queueFrames: number,
    private readonly hooks: MemoryWireOptions,
  ) {}

  start(onFrames: OnFrames, _onError?: OnIoError): void {
    this.assertOpen();
    if (this.onFrames) throw new IoError('alreadyStarted', `${this.name}: already started`, { interface: this.name });
    this.onFrames = onFrames;
    if (this.rxQueue.length > 0) this.scheduleDrain();
  }

  stop(): void {
    this.onFrames = undefined;
  }

  isStarted(): boolean {
    return this.onFrames !== undefined;
  }

  send(frames: readonly Uint8Array[]): number {
    this.assertOpen();
    if (!Array.isArray(frames)) throw new IoError('invalidArgument', `${this.name}: frames must be an array of Uint8Array`);
    let accepted = 0;
    const delays = new Map<number, Uint8Array[]>();
    for (const frame of frames) {
      if (!(frame instanceof Uint8Array)) throw new IoError('invalidArgument', `${this.name}: frames must be an array of Uint8Array`);
      const refused = this.refusal(frame);
      if (refused) {
        this.counters.txErrors++;
        this.counters.lastTxError = refused;
        continue;
      }
      accepted++;
      this.counters.txPackets++;
      this.counters.txBytes += frame.length;
      if (this.hooks.loss?.(frame, this.name)) continue;
      const copy = frame.slice();
      const d = this.hooks.delayMs;
      const delay = typeof d === 'function' ? d(copy, this.name) : (d ?? 0);
      if (delay > 0) {
        const group = delays.get(delay);
        if (group) group.push(copy);
        else delays.set(delay, [copy]);
      } else {
        this.inFlight.push(copy);
      }
    }
    if (this.inFlight.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        const batch = this.inFlight;
        this.inFlight = [];
        this.arrive(batch);
      });
    }
    for (const [delay, group] of delays) setTimeout(() => this.arrive(group), delay);
    return accepted;
  }

  stats(): FrameIoStats {
    return { ...this.counters };
  }

  mac(): Uint8Array {
    this.assertOpen();
    return this.macAddress.slice();
  }

  mtu(): number {
    this.assertOpen();
    return this.mtuOctets;
  }

  carrier(): boolean {
    return !this.closed && (this.hooks.carrier?.(this.name) ?? true);
  }

  close(): void {
    this.closed = true;
    this.onFrames = undefined;
    this.rxQueue.length = 0;
    this.inFlight = [];
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Why the kernel would refuse this frame (packet_snd), as an errno name. */
  private refusal(frame: Uint8Array): string | undefined {
    if (frame.length < ETHERNET_HEADER_OCTETS) return 'EINVAL';
    const tagged = frame[12] === 0x81 && frame[13] === 0x00;
    if (frame.length > this.mtuOctets + ETHERNET_HEADER_OCTETS + (tagged ? VLAN_TAG_OCTETS : 0)) return 'EMSGSIZE';
    return undefined;
  }

  /** Frames leaving this end reach the peer. */
  private arrive(frames: Uint8Array[]): void {
    if (this.closed || !this.peer) return;
    const batch = this.hooks.reorder ? this.hooks.reorder(frames, this.name) : frames;
    this.peer.receive(batch);
  }

  private receive(frames: Uint8Array[]): void {
    if (this.closed) return;
    for (const f of frames) {
      if (this.rxQueue.length >= this.queueFrames) this.counters.rxDropped++;
      else this.rxQueue.push(f);
    }
    if (this.onFrames) this.drain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.onFrames && this.rxQueue.length > 0) {
      const chunk = this.rxQueue.splice(0, this.batch);
      for (const f of chunk) {
        this.counters.rxPackets++;
        this.counters.rxBytes += f.length;
      }
      this.onFrames(chunk);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new IoError('closed', `${this.name}: closed`, { interface: this.name });
  }
}
