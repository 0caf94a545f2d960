/**
 * The client side of a node's control socket: one request, one answer; or a
 * subscription that delivers events until closed.
 *
 * Every request has a deadline: a node whose event loop is stuck still
 * accepts connections (the kernel queues them), so without one a client
 * would wait forever. A subscription's deadline ends with its first answer.
 */
import { createConnection, type Socket } from 'node:net';
import { NodeError } from './errors.js';

export interface ControlAnswer {
  id: unknown;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

/** How long a node has to answer when neither the caller nor DXLAB_CONTROL_TIMEOUT_S says. */
export const CONTROL_TIMEOUT_MS = 5000;

export interface ControlRequestOptions {
  /**
   * Milliseconds until the first answer; 0 waits forever.
   * @default DXLAB_CONTROL_TIMEOUT_S seconds from the environment, else {@link CONTROL_TIMEOUT_MS}
   */
  timeoutMs?: number;
  /** The node's name, for error messages. */
  node?: string;
}

/**
 * The deadline from the environment: DXLAB_CONTROL_TIMEOUT_S (seconds, 0 for none).
 * @throws NodeError('config') when it is not a number of seconds.
 */
export function controlTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.DXLAB_CONTROL_TIMEOUT_S;
  if (v === undefined || v === '') return CONTROL_TIMEOUT_MS;
  const s = Number(v);
  if (!Number.isFinite(s) || s < 0) throw new NodeError('config', `DXLAB_CONTROL_TIMEOUT_S must be a number of seconds (0 for no limit), got '${v}'`);
  return s * 1000;
}

/**
 * Sends one request and resolves with the answer's result. With `onEvent`,
 * the socket stays open after the answer and delivers events.
 * @throws NodeError('badRequest' ...) carrying the node's error code and message,
 *   NodeError('device') when the socket cannot be reached or closes without answering,
 *   NodeError('timeout') when no answer comes in time.
 */
export function controlRequest(
  path: string,
  req: Record<string, unknown>,
  onEvent?: (e: unknown) => void,
  options: ControlRequestOptions = {},
): Promise<{ result: unknown; socket: Socket }> {
  const who = options.node ? `node ${options.node}` : 'the node';
  return new Promise((resolve, reject) => {
    // Thrown here, a bad DXLAB_CONTROL_TIMEOUT_S rejects the promise.
    const timeoutMs = options.timeoutMs ?? controlTimeoutMs();
    const s = createConnection(path);
    let buf = '';
    let answered = false;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            if (answered) return;
            answered = true;
            s.destroy();
            reject(new NodeError('timeout', `${who} did not answer on ${path} within ${timeoutMs / 1000} s`));
          }, timeoutMs)
        : undefined;
    const settle = () => {
      answered = true;
      clearTimeout(timer);
    };
    s.setEncoding('utf8');
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (answered) return;
      settle();
      reject(new NodeError('device', `cannot reach ${who}'s control socket ${path}: ${e.code ?? e.message}`));
    });
    s.on('connect', () => s.write(JSON.stringify({ id: 1, ...req }) + '\n'));
    s.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg: ControlAnswer & { event?: unknown };
        try {
          msg = JSON.parse(line) as ControlAnswer & { event?: unknown };
        } catch {
          if (!answered) {
            settle();
            s.destroy();
            reject(new NodeError('device', `${who} answered on ${path} with a line that is not JSON`));
          }
          return;
        }
        if (msg.event !== undefined) {
          onEvent?.(msg.event);
          continue;
        }
        if (answered) continue;
        settle();
        if (!msg.ok) {
          s.destroy();
          const err = new NodeError('badRequest', msg.error?.message ?? 'request failed');
          (err as { remoteCode?: string }).remoteCode = msg.error?.code;
          reject(err);
          return;
        }
        if (!onEvent) s.end();
        resolve({ result: msg.result, socket: s });
      }
    });
    s.on('close', () => {
      if (answered) return;
      settle();
      reject(new NodeError('device', `${who} closed its control socket ${path} without answering`));
    });
  });
}
