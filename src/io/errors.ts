/**
 * The I/O layer's error: sockets, TAP devices, the native addon and capture
 * files. `code` is what callers branch on; the message names the interface
 * or file and the value seen. Errors from the operating system keep its
 * error name (`ENODEV`, `EPERM`, ...), the call that failed and the interface
 * as `errno`, `syscall` and `interface`.
 *
 * Per-frame outcomes are not errors: a frame the kernel refuses on send is
 * counted (`txDropped`, `txErrors` in FrameIoStats), never thrown.
 */
import { DxlabError } from '../shared/errors.js';

export type IoErrorCode =
  /** The native addon is not built, or the platform is not Linux. */
  | 'addonNotLoaded'
  /** An AF_PACKET socket call failed; see `errno` and `syscall`. */
  | 'socket'
  /** A TAP device call failed; see `errno` and `syscall`. */
  | 'tap'
  /** ENODEV/ENXIO: no interface of that name; or no such namespace file. */
  | 'notFound'
  /** EPERM/EACCES: AF_PACKET, TAP and setns need root (CAP_NET_RAW, CAP_NET_ADMIN, CAP_SYS_ADMIN). */
  | 'permission'
  /** EBUSY: a TAP that another process already holds. */
  | 'busy'
  /** An option or argument of the wrong type or out of range. */
  | 'invalidArgument'
  /** start() on an endpoint already started. */
  | 'alreadyStarted'
  /** The endpoint was closed. */
  | 'closed'
  | 'captureFormat'
  | 'captureTruncated'
  | 'file';

export interface IoErrorOptions {
  cause?: unknown;
  /** The OS error name, e.g. 'ENODEV'. */
  errno?: string;
  /** The system call or step that failed, e.g. 'TUNSETIFF'. */
  syscall?: string;
  /** The interface concerned. */
  interface?: string;
}

export class IoError extends DxlabError<IoErrorCode> {
  override readonly name = 'IoError';
  readonly errno: string | undefined;
  readonly syscall: string | undefined;
  readonly interface: string | undefined;

  constructor(code: IoErrorCode, message: string, options?: IoErrorOptions) {
    super(code, message, options);
    this.errno = options?.errno;
    this.syscall = options?.syscall;
    this.interface = options?.interface;
  }
}

/** The shape of an error thrown by the addon (src/io/native/handle.c, dxio_make_error). */
interface NativeError extends Error {
  code?: string;
  syscall?: string;
  interface?: string;
}

/**
 * Wraps an error thrown by the addon in an IoError, keeping it as `cause`.
 * `what` says what was being done ("open AF_PACKET socket on veth0"); `kind`
 * picks the code of a system error that has no code of its own.
 */
export function ioErrorFromNative(e: unknown, what: string, kind: 'socket' | 'tap', ifname?: string): IoError {
  if (e instanceof IoError) return e;
  const n = e as NativeError;
  const raw = typeof n?.code === 'string' ? n.code : undefined;
  const errno = raw?.startsWith('E') && raw !== 'ECLOSED' && raw !== 'EALREADY' ? raw : undefined;
  const syscall = n?.syscall;
  const iface = n?.interface ?? ifname;
  let code: IoErrorCode = kind;
  let hint = '';
  if (raw === 'ERR_INVALID_ARG_TYPE' || e instanceof TypeError) code = 'invalidArgument';
  else if (raw === 'ECLOSED') code = 'closed';
  else if (raw === 'EALREADY') code = 'alreadyStarted';
  else if (errno === 'EPERM' || errno === 'EACCES') {
    code = 'permission';
    hint = ' (AF_PACKET sockets, TAP devices and network namespaces need root)';
  } else if (errno === 'ENODEV' || errno === 'ENXIO' || (syscall === 'setns' && errno === 'ENOENT')) code = 'notFound';
  else if (errno === 'EBUSY') code = 'busy';
  const options: IoErrorOptions = { cause: e };
  if (errno !== undefined) options.errno = errno;
  if (syscall !== undefined) options.syscall = syscall;
  if (iface !== undefined) options.interface = iface;
  return new IoError(code, `${what}: ${n?.message ?? String(e)}${hint}`, options);
}
