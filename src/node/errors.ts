/**
 * The node process's error: a bad configuration, a device it cannot open, a
 * control request it cannot carry out. Per-frame problems are counted, never
 * thrown.
 */
export type NodeErrorCode =
  | 'config'
  | 'device'
  | 'mtu'
  | 'badRequest'
  | 'unknownPort'
  | 'unknownCommand'
  | 'capture'
  /** A node did not answer its control socket in time (control-client.ts). */
  | 'timeout';

export class NodeError extends Error {
  override readonly name = 'NodeError';

  constructor(
    readonly code: NodeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
