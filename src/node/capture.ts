/**
 * Capture files of a port, as pcapng with the interface's name: written in
 * blocks and flushed by the node's timer, so that a capture costs the frame
 * path no system call per frame. Stopped by its duration, by the control
 * socket or when the node stops.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { PcapngWriter } from '../io/pcap.js';
import { NodeError } from './errors.js';

export type CaptureSide = 'wire' | 'clear' | 'decrypted';

export class CaptureFile {
  private fd: number;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private readonly writer: PcapngWriter;
  private readonly iface: number;
  frames = 0;
  closed = false;

  /** @throws NodeError('capture') when the file cannot be created. */
  constructor(
    readonly path: string,
    readonly side: CaptureSide,
    interfaceName: string,
    description: string,
    readonly stopAtMs?: number,
  ) {
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new NodeError('capture', `cannot create capture ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    this.writer = new PcapngWriter((b) => this.push(b), { application: 'dxlab' });
    this.iface = this.writer.addInterface(interfaceName, 1, description);
    this.flush();
  }

  private push(block: Uint8Array): void {
    this.pending.push(block);
    this.pendingBytes += block.length;
    if (this.pendingBytes > 1 << 20) this.flush();
  }

  write(timeNs: bigint, frame: Uint8Array): void {
    if (this.closed) return;
    this.frames++;
    this.writer.writeFrame(this.iface, timeNs, frame);
  }

  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const all = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    writeSync(this.fd, all);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
