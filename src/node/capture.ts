/**
 * Capture files of a port, as pcapng with the interface's name: written in
 * blocks and flushed by the node's timer, so that a capture costs the frame
 * path no system call per frame. Stopped by its duration, by the control
 * socket or when the node stops.
 *
 * Every file-system call goes through fs/promises: a slow or odd file system
 * delays the capture, never the node's event loop (MKA, the data path and
 * the control socket share it). Writes are chained, so blocks land in order.
 */
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { PcapngWriter } from '../io/index.js';
import { prepareCapturePath } from './capture-path.js';
import { NodeError } from './errors.js';

export type CaptureSide = 'wire' | 'clear' | 'decrypted';

/** What status answers show of a capture. */
export interface CaptureInfo {
  side: CaptureSide;
  path: string;
  frames: number;
}

export class CaptureFile {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private readonly writer: PcapngWriter;
  private readonly iface: number;
  /** The chain of writes; each flush appends to it. */
  private written: Promise<void> = Promise.resolve();
  private closing?: Promise<void>;
  frames = 0;
  /** Why writing stopped (the OS error), when it failed. */
  failed?: string;

  private constructor(
    readonly path: string,
    readonly side: CaptureSide,
    private readonly handle: FileHandle,
    interfaceName: string,
    description: string,
    readonly stopAtMs?: number,
  ) {
    this.writer = new PcapngWriter((b) => this.push(b), { application: 'dxlab' });
    this.iface = this.writer.addInterface(interfaceName, 1, description);
    void this.flush();
  }

  /**
   * Checks the path, makes missing directories and creates the file.
   * @param path absolute; see {@link prepareCapturePath}.
   * @throws NodeError('badRequest') for a path refused, NodeError('capture') when the file cannot be created.
   */
  static async create(path: string, side: CaptureSide, interfaceName: string, description: string, stopAtMs?: number): Promise<CaptureFile> {
    const file = await prepareCapturePath(path);
    let handle: FileHandle;
    try {
      // A FIFO opened for writing waits for a reader, and would hold a thread
      // of the pool meanwhile: a non-blocking open first fails with ENXIO when
      // nobody reads (open(2), fifo(7)). The capture itself is written through
      // a blocking descriptor, so that a slow reader slows the writes down
      // (one at a time) instead of failing them with EAGAIN.
      if ((await stat(file).catch(() => undefined))?.isFIFO()) {
        const probe = await open(file, constants.O_WRONLY | constants.O_NONBLOCK).catch((e: unknown) => {
          const code = (e as NodeJS.ErrnoException).code;
          throw new NodeError('capture', `cannot write capture to FIFO ${file}: ${code === 'ENXIO' ? 'nobody reads it' : (code ?? (e as Error).message)}`, { cause: e });
        });
        handle = await open(file, 'w').finally(() => probe.close());
      } else handle = await open(file, 'w');
    } catch (e) {
      if (e instanceof NodeError) throw e;
      throw new NodeError('capture', `cannot create capture ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    return new CaptureFile(file, side, handle, interfaceName, description, stopAtMs);
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  private push(block: Uint8Array): void {
    this.pending.push(block);
    this.pendingBytes += block.length;
    if (this.pendingBytes > 1 << 20) void this.flush();
  }

  write(timeNs: bigint, frame: Uint8Array): void {
    if (this.closed || this.failed) return;
    this.frames++;
    this.writer.writeFrame(this.iface, timeNs, frame);
  }

  /** Hands what is pending to the file; resolves when every write so far is done. */
  flush(): Promise<void> {
    if (this.pending.length === 0 || this.closed || this.failed) return this.written;
    const all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.written = this.written.then(async () => {
      if (this.failed) return;
      try {
        for (let off = 0; off < all.length; ) off += (await this.handle.write(all, off, all.length - off)).bytesWritten;
      } catch (e) {
        this.failed = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      }
    });
    return this.written;
  }

  /** Writes what is pending and closes the file; resolves when it is complete on disk. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const last = this.flush();
    this.closing = last.then(() => this.handle.close()).catch((e: unknown) => {
      this.failed ??= (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    });
    return this.closing;
  }

  info(): CaptureInfo {
    return { side: this.side, path: this.path, frames: this.frames };
  }
}
