/**
 * The I/O layer's error: sockets, TAP devices, the native addon and capture
 * files. `code` is what callers branch on; the message names the interface
 * or file and the value seen.
 */
export type IoErrorCode =
  | 'addonNotLoaded'
  | 'socket'
  | 'tap'
  | 'notFound'
  | 'permission'
  | 'closed'
  | 'captureFormat'
  | 'captureTruncated'
  | 'file';

export class IoError extends Error {
  override readonly name = 'IoError';

  constructor(
    readonly code: IoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
