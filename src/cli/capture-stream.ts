/**
 * `dxlab capture ... --out -`: the capture streamed to stdout as pcapng, so
 * that `dxlab capture NODE PORT --wire --out - | wireshark -k -i -` shows the
 * link live.
 *
 * How: the node writes the capture to a FIFO this command made in a private
 * temporary folder (the node runs in another network namespace, but in the
 * same mount namespace, so the path is the same for both), and this command
 * copies the FIFO to stdout. The node writes a pcapng file exactly as to a
 * regular one (section and interface blocks first, then frame blocks flushed
 * every 200 ms), so the stream is a valid pcapng from its first octet.
 *
 * Order matters with FIFOs (fifo(7)): the read end is opened first, without
 * blocking, so that the node's open for writing finds a reader; it is read
 * only after the node answered (its write end is open), since a read end
 * with no writer yet reads as end-of-file.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CaptureStream {
  /** The FIFO the node is to write. */
  fifo: string;
  /** Starts copying the FIFO to stdout; call once the node has opened it. */
  start(): void;
  /** Resolves when stdout went away (the reader, e.g. tshark, exited). */
  readonly readerGone: Promise<void>;
  /** Resolves when the node closed the FIFO and all of it reached stdout, or after `ms`. */
  finished(ms: number): Promise<void>;
  /** Removes the FIFO and its folder. */
  close(): void;
}

/** @param parent where the FIFO's folder is made: a folder the node can open (a container node: the lab's capture folder). */
export function openCaptureStream(out: NodeJS.WritableStream = process.stdout, parent = tmpdir()): CaptureStream {
  const dir = mkdtempSync(join(parent, 'dxlab-stream-'));
  const fifo = join(dir, 'capture.pcapng');
  execFileSync('mkfifo', ['-m', '600', fifo]);
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  let sock: Socket | undefined;
  let done: () => void = () => undefined;
  const ended = new Promise<void>((r) => (done = r));
  // main() ends the process on EPIPE (a `| head` is no error of ours); here the
  // capture must first be stopped in the node and the FIFO removed, so that
  // handler stands aside until close().
  const others = out.listeners('error') as Array<(...a: unknown[]) => void>;
  out.removeAllListeners('error');
  const readerGone = new Promise<void>((r) => {
    // `on`, not `once`: a second EPIPE must find a listener too, or it would end the process unhandled.
    out.on('error', () => r());
    out.on('close', () => r());
  });
  return {
    fifo,
    readerGone,
    start() {
      sock = new Socket({ fd, readable: true, writable: false });
      sock.on('error', () => done());
      sock.on('end', () => done());
      sock.on('close', () => done());
      sock.pipe(out as NodeJS.WritableStream, { end: false });
    },
    async finished(ms) {
      if (!sock) return;
      await new Promise<void>((r) => {
        const t = setTimeout(r, ms);
        void ended.then(() => {
          clearTimeout(t);
          r();
        });
      });
    },
    close() {
      // The socket owns the descriptor once made; before that it is closed here.
      if (sock) sock.destroy();
      else closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
      for (const l of others) out.on('error', l);
    },
  };
}
