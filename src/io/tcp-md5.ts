/**
 * TCP sockets with TCP MD5 signatures (RFC 2385), as BGP uses them (AWS
 * Direct Connect's `authKey`), through the dxio addon (src/io/native/tcp-md5.c).
 *
 * RFC 2385 §2 signs the SYN too, so the key must be on the socket before
 * connect() or, for a listener, before the peer's SYN arrives. Node's `net`
 * creates, binds and connects a socket in one call, so the addon creates and
 * binds the socket (in a given network namespace if asked), sets the keys,
 * and hands the fd to Node. Verified on Node 20.20 (two namespaces on a
 * veth, matching keys connect, a wrong key leaves the client in 'opening'
 * and moves TcpExtTCPMD5Failure on the listener's side):
 * - listener: `server.listen({ fd })` takes a bound, not yet listening
 *   socket and calls listen(2) on it (lib/net.js createServerHandle opens the
 *   fd as a TCP handle);
 * - client: `new net.Socket({ fd })` wraps the bound, unconnected socket
 *   (uv_guess_handle says TCP), and `socket.connect({ port, host })` then
 *   connects THAT handle (lib/net.js Socket.prototype.connect creates a new
 *   handle only when `_handle` is null), keeping the bind and the key.
 *
 * @example
 * import { tcpListen, tcpConnect } from '../io/index.js';
 * const server = await tcpListen({ address: '169.254.100.2', port: 179, md5: [{ address: '169.254.100.1', key }] }, (s) => serve(s));
 * const s = tcpConnect({ localAddress: '169.254.100.1', host: '169.254.100.2', port: 179, md5Key: key });
 * s.on('connect', () => s.write(open));
 */
import { createServer, Socket, isIPv6, type Server } from 'node:net';
import { IoError, ioErrorFromNative } from './errors.js';
import { loadNative } from './native.js';

interface TcpMd5Addon {
  tcpSocket(family: 4 | 6, netns: string, address: string, port: number): number;
  tcpMd5(fd: number, address: string, key: Uint8Array): void;
  tcpClose(fd: number): void;
}

/** The longest key the kernel takes (TCP_MD5SIG_MAXKEYLEN, include/uapi/linux/tcp.h). */
export const TCP_MD5_MAX_KEY_OCTETS = 80;

function addon(): TcpMd5Addon {
  const a = loadNative() as unknown as Partial<TcpMd5Addon>;
  if (typeof a.tcpSocket !== 'function' || typeof a.tcpMd5 !== 'function') {
    throw new IoError('addonNotLoaded', 'the dxio addon was built without TCP MD5 support (src/io/native/tcp-md5.c): rebuild it with `npm rebuild`');
  }
  return a as TcpMd5Addon;
}

/** Null when TCP MD5 sockets can be made here, else why not (shown in a BGP peer's status). */
export function tcpMd5Unavailable(): string | null {
  try {
    addon();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function netnsPath(netns: string | undefined): string {
  if (!netns) return '';
  return netns.startsWith('/') ? netns : `/run/netns/${netns}`;
}

export interface TcpSocketOptions {
  /** Local address to bind (IPv4 or IPv6 text); its family is the socket's. */
  address: string;
  /** @default 0 (any port) */
  port?: number;
  /** Network namespace (a name under /run/netns, or a path) to create the socket in. @default the process's */
  netns?: string;
}

/**
 * A bound TCP socket's fd, not yet listening or connected.
 * @throws IoError('socket' | 'permission' | 'notFound' | 'invalidArgument' | 'addonNotLoaded').
 */
export function openTcpSocket(o: TcpSocketOptions): number {
  const a = addon();
  try {
    return a.tcpSocket(isIPv6(o.address) ? 6 : 4, netnsPath(o.netns), o.address, o.port ?? 0);
  } catch (e) {
    throw ioErrorFromNative(e, `open TCP socket on ${o.address}:${o.port ?? 0}${o.netns ? ` in ${o.netns}` : ''}`, 'socket');
  }
}

/**
 * Sets (or, with an empty key, deletes) the RFC 2385 key for one peer address on a socket.
 * @throws IoError('invalidArgument') for a key longer than 80 octets; IoError('socket') when the kernel refuses.
 */
export function setTcpMd5Key(fd: number, peerAddress: string, key: Uint8Array): void {
  if (key.length > TCP_MD5_MAX_KEY_OCTETS) throw new IoError('invalidArgument', `TCP MD5 key of ${key.length} octets: at most ${TCP_MD5_MAX_KEY_OCTETS}`);
  try {
    addon().tcpMd5(fd, peerAddress, key);
  } catch (e) {
    throw ioErrorFromNative(e, `set TCP MD5 key for ${peerAddress}`, 'socket');
  }
}

/** Closes an fd from {@link openTcpSocket} that was never handed to Node (Node closes the others). */
export function closeTcpSocket(fd: number): void {
  addon().tcpClose(fd);
}

export interface TcpListenOptions extends TcpSocketOptions {
  /** Keys per peer address; connections from those peers must be signed with them. @default none */
  md5?: ReadonlyArray<{ address: string; key: Uint8Array }>;
  /** @default 16 */
  backlog?: number;
}

/**
 * A listening server whose socket carries the TCP MD5 keys.
 * @throws IoError as {@link openTcpSocket} and {@link setTcpMd5Key}; the listen(2) error (e.g. EADDRINUSE) as Node raises it.
 */
export async function tcpListen(o: TcpListenOptions, onConnection: (s: Socket) => void): Promise<Server> {
  const fd = openTcpSocket(o);
  try {
    for (const p of o.md5 ?? []) setTcpMd5Key(fd, p.address, p.key);
  } catch (e) {
    addon().tcpClose(fd);
    throw e;
  }
  const server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    // The handle owns the fd from here on: Node closes it when listen fails.
    server.once('error', reject);
    server.listen({ fd, backlog: o.backlog ?? 16 }, () => resolve());
  });
  return server;
}

export interface TcpConnectOptions {
  localAddress: string;
  host: string;
  port: number;
  /** Key for `host`, set before the SYN. @default none (unsigned) */
  md5Key?: Uint8Array;
  netns?: string;
}

/**
 * Starts a connection from a socket bound to `localAddress` and signed with `md5Key`;
 * returns at once, the socket emits 'connect' or 'error' as net.connect's does.
 * @throws IoError as {@link openTcpSocket} and {@link setTcpMd5Key}.
 */
export function tcpConnect(o: TcpConnectOptions): Socket {
  const fd = openTcpSocket({ address: o.localAddress, netns: o.netns });
  let s: Socket;
  try {
    if (o.md5Key && o.md5Key.length > 0) setTcpMd5Key(fd, o.host, o.md5Key);
    s = new Socket({ fd, readable: true, writable: true });
  } catch (e) {
    addon().tcpClose(fd);
    throw e;
  }
  s.connect({ port: o.port, host: o.host });
  return s;
}
