/**
 * A capture driven from the command line, shared by `dxlab capture` and
 * `dxlab node capture`: the output path resolved where the user typed it and
 * checked before the node is asked, then the command stays until the
 * capture ends (its duration, a `--stop` from elsewhere, the node stopping)
 * or the user stops it (Ctrl-C, SIGTERM), and then stops it in the node.
 *
 * Why it polls: a signal listener does not keep Node's event loop alive, so
 * a command that only waits for SIGINT exits at once and leaves the capture
 * running in the node. Asking the node every POLL_MS keeps the command alive
 * for a reason, and notices a capture that ended without it.
 */
import { resolve } from 'node:path';
import { NodeError, checkCapturePath, type CaptureInfo, type CaptureSide } from '../node/index.js';
import { CliError } from './errors.js';

/** How often the command asks whether its capture still runs. */
const POLL_MS = 500;

/** Sends one control request to the node; throws CliError. */
export type Ask = (req: Record<string, unknown>) => Promise<unknown>;

export interface CaptureTarget {
  /** For messages. */
  node: string;
  /** Undefined: the node's only port. */
  port?: string;
}

export interface CaptureRun {
  path: string;
  side: CaptureSide;
  /** Frames written: the node's count when stopped here, else as last seen. */
  frames: number;
  /** Why it ended. */
  ended: 'signal' | 'abort' | 'duration' | 'stopped';
}

/**
 * The --out path, absolute against the user's working directory and checked.
 * @throws CliError('usage') naming --out and the reason.
 */
export async function outPath(out: string, field = '--out'): Promise<string> {
  try {
    return (await checkCapturePath(resolve(process.cwd(), out), field)).path;
  } catch (e) {
    if (e instanceof NodeError) throw new CliError('usage', e.message, { cause: e });
    throw e;
  }
}

/** The captures a status answer lists: a port's, or every port's of a node. */
function capturesOf(status: unknown): CaptureInfo[] {
  const s = status as { captures?: CaptureInfo[]; ports?: Array<{ captures?: CaptureInfo[] }> };
  return s.captures ?? (s.ports ?? []).flatMap((p) => p.captures ?? []);
}

/** Resolves with the first of SIGINT and SIGTERM; `off` removes the listeners. */
function signals(): { next: Promise<NodeJS.Signals>; off: () => void } {
  let off = () => undefined as void;
  const next = new Promise<NodeJS.Signals>((res) => {
    const on = (sig: NodeJS.Signals) => {
      off();
      res(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
    off = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
  });
  return { next, off };
}

function sleepOr<T>(ms: number, other: Promise<T>): Promise<T | undefined> {
  return new Promise((res) => {
    const t = setTimeout(() => res(undefined), ms);
    void other.then((v) => {
      clearTimeout(t);
      res(v);
    });
  });
}

/**
 * Starts a capture and returns when it has ended, stopping it on SIGINT or SIGTERM.
 * @param out absolute, from {@link outPath}; undefined: the node's default path.
 * @param started told the path once the node writes it.
 * @throws CliError from `ask`; CliError('failed') when the node stops answering meanwhile.
 */
export async function runCapture(
  ask: Ask,
  t: CaptureTarget,
  o: { side: CaptureSide; out?: string; durationS?: number; /** Stops the capture as a signal does (the reader of a stream went away). */ abort?: Promise<unknown> },
  started: (path: string) => void,
): Promise<CaptureRun> {
  // Listening before the node is asked: a Ctrl-C while it opens the file still stops the capture.
  const sig = signals();
  const stop = o.abort ? Promise.race([sig.next, o.abort.then(() => 'abort' as const)]) : sig.next;
  try {
    const port = t.port === undefined ? {} : { port: t.port };
    const { path } = (await ask({ cmd: 'capture', ...port, side: o.side, ...(o.out ? { path: o.out } : {}), ...(o.durationS !== undefined ? { durationS: o.durationS } : {}) })) as { path: string };
    started(path);
    let frames = 0;
    for (;;) {
      const got = await sleepOr(POLL_MS, stop);
      if (got) {
        const r = (await ask({ cmd: 'capture', ...port, stop: path })) as { captures?: CaptureInfo[] };
        return { path, side: o.side, frames: r.captures?.[0]?.frames ?? frames, ended: got === 'abort' ? 'abort' : 'signal' };
      }
      let status: unknown;
      try {
        status = await ask({ cmd: 'status', ...port });
      } catch (e) {
        throw new CliError('failed', `${(e as Error).message}; the capture to ${path} may be incomplete`, { cause: e });
      }
      const mine = capturesOf(status).find((c) => c.path === path);
      if (!mine) return { path, side: o.side, frames, ended: o.durationS !== undefined ? 'duration' : 'stopped' };
      frames = mine.frames;
    }
  } finally {
    sig.off();
  }
}

/**
 * Stops the capture writing `path` (resolved against the working directory), or every capture of the port.
 * @returns the captures stopped.
 * @throws CliError('usage') when `path` names no running capture.
 */
export async function stopCapture(ask: Ask, t: CaptureTarget, path: string | undefined): Promise<CaptureInfo[]> {
  const port = t.port === undefined ? {} : { port: t.port };
  const target = path ? resolve(process.cwd(), path) : undefined;
  const r = (await ask({ cmd: 'capture', ...port, stop: target ?? true })) as { stopped: boolean; captures?: CaptureInfo[] };
  if (target && !r.stopped) {
    const running = capturesOf(await ask({ cmd: 'status', ...port })).map((c) => c.path);
    throw new CliError('usage', `--stop ${target}: no such capture on ${t.node}${t.port ? ` ${t.port}` : ''} (running: ${running.join(', ') || 'none'})`);
  }
  return r.captures ?? [];
}
