/**
 * A Unix socket that speaks one JSON object per line each way: the node's
 * control socket (control.ts) and the lab supervisor's. A request is
 * `{"id", "cmd", ...}`; the answer `{"id", "ok": true, "result"}` or
 * `{"id", "ok": false, "error": {"code", "message"}}`. A handler may push
 * events on the same connection (`{"id", "event"}`) until the client goes,
 * and register what to undo then. A line that is not a JSON object, or one
 * longer than 64 KiB, gets `badRequest`; the handler's own errors keep their
 * code, and anything else is `internal` (and logged).
 */
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

/** Requests longer than this are refused (a CKN/CAK request is a few hundred octets). */
export const MAX_REQUEST_LINE = 64 * 1024;

export type JsonRequest = { id?: unknown; cmd?: unknown; [k: string]: unknown };

export interface JsonLineConnection {
  /** Sends `{"id", "event"}` on this connection while it is open. */
  push(event: unknown): void;
  /** Runs `undo` when the connection closes (a subscription's end). */
  onClose(undo: () => void): void;
}

export interface JsonLineServerOptions {
  /** Answers one request: a value, or a promise of one. */
  handle(req: JsonRequest, conn: JsonLineConnection): unknown;
  /** The code of a refusal the handler threw on purpose; undefined makes it `internal`. */
  codeOf(e: unknown): string | undefined;
  log: { warn(msg: string, fields?: Record<string, unknown>): void };
  /** JSON.stringify's replacer for answers (e.g. bigints as strings). */
  replacer?: (key: string, value: unknown) => unknown;
  /** At close, end connections (their last answers still go out) rather than destroy them. */
  endOnClose?: boolean;
}

export class JsonLineServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly path: string,
    private readonly o: JsonLineServerOptions,
  ) {}

  /** Listens, replacing a socket file a killed process left behind. */
  async listen(): Promise<void> {
    rmSync(this.path, { force: true });
    this.server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.path, () => resolve());
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) if (this.o.endOnClose) s.end();
    else s.destroy();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
    rmSync(this.path, { force: true });
  }

  private accept(s: Socket): void {
    this.sockets.add(s);
    let buf = '';
    const undos: Array<() => void> = [];
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) this.line(s, line, undos);
      }
      if (buf.length > MAX_REQUEST_LINE) {
        this.send(s, { id: null, ok: false, error: { code: 'badRequest', message: `request longer than ${MAX_REQUEST_LINE} octets` } });
        s.destroy();
      }
    });
    const done = () => {
      undos.forEach((u) => u());
      undos.length = 0;
      this.sockets.delete(s);
    };
    s.on('close', done);
    s.on('error', done);
  }

  private send(s: Socket, msg: unknown): void {
    if (!s.destroyed) s.write(JSON.stringify(msg, this.o.replacer) + '\n');
  }

  private line(s: Socket, line: string, undos: Array<() => void>): void {
    let req: JsonRequest;
    try {
      req = JSON.parse(line);
      if (typeof req !== 'object' || req === null || Array.isArray(req)) throw new Error('not an object');
    } catch {
      this.send(s, { id: null, ok: false, error: { code: 'badRequest', message: 'each line must be one JSON object' } });
      return;
    }
    const id = req.id ?? null;
    const conn: JsonLineConnection = { push: (event) => this.send(s, { id, event }), onClose: (undo) => undos.push(undo) };
    // Most requests answer at once; some wait for the file system or a process, never blocking the loop.
    Promise.resolve()
      .then(() => this.o.handle(req, conn))
      .then(
        (result) => this.send(s, { id, ok: true, result }),
        (e: unknown) => {
          const code = this.o.codeOf(e);
          if (code === undefined) this.o.log.warn('control request failed', { cmd: String(req.cmd), error: (e as Error).message });
          this.send(s, { id, ok: false, error: { code: code ?? 'internal', message: (e as Error).message } });
        },
      );
  }
}
