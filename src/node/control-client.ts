/**
 * The client side of a node's control socket: one request, one answer; or a
 * subscription that delivers events until closed.
 */
import { createConnection, type Socket } from 'node:net';
import { NodeError } from './errors.js';

export interface ControlAnswer {
  id: unknown;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

/**
 * Sends one request and resolves with the answer's result.
 * @throws NodeError('badRequest' ...) carrying the node's error code and message,
 *   or NodeError('device') when the socket cannot be reached.
 */
export function controlRequest(path: string, req: Record<string, unknown>, onEvent?: (e: unknown) => void): Promise<{ result: unknown; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let buf = '';
    let answered = false;
    s.setEncoding('utf8');
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (!answered) reject(new NodeError('device', `cannot reach the node's control socket ${path}: ${e.code ?? e.message}`));
    });
    s.on('connect', () => s.write(JSON.stringify({ id: 1, ...req }) + '\n'));
    s.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as ControlAnswer & { event?: unknown };
        if (msg.event !== undefined) {
          onEvent?.(msg.event);
          continue;
        }
        answered = true;
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
      if (!answered) reject(new NodeError('device', `the node closed its control socket ${path} without answering`));
    });
  });
}
