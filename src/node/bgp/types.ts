/**
 * What every BGP speaker of a node (builtin or BIRD) offers: start, stop,
 * and one status per peer in the same shape, and the pieces the builtin
 * speaker is built from (TCP transport, kernel route table), handed in so
 * that tests can replace them.
 */
import type { EventEmitter } from 'node:events';
import type { BgpState } from '../../bgp/index.js';

/** One peer's status, as `status` and the `bgp` control command show it. */
export interface BgpPeerStatus {
  /** The TAP (VIF) the session runs on. */
  tap: string;
  speaker: 'builtin' | 'bird';
  localAsn: number;
  peerAsn: number;
  localAddress: string;
  peerAddress: string;
  /** RFC 4271 §8.2.2 state name. */
  state: BgpState;
  /** Seconds in Established, or null. */
  uptimeS: number | null;
  prefixes: {
    received: { ipv4: number; ipv6: number };
    advertised: { ipv4: number; ipv6: number };
  };
  /** Hold time and keepalive in use (negotiated when Established, else configured), seconds. */
  holdTimeS: number;
  keepaliveS: number;
  /** Seconds between attempts to connect (configured). */
  connectRetryS: number;
  md5: boolean;
  passive: boolean;
  /** Why the session is down or last went down; null when nothing went wrong. */
  lastError: string | null;
  /** Speaker-specific counters (the builtin's BGP4-MIB-named message counters). */
  counters?: Record<string, number>;
}

/** One speaker on one TAP (the `Startable` contract of the node). */
export interface BgpSpeaker {
  readonly tap: string;
  /** @throws NodeError('config' | 'device') or IoError when the speaker cannot start (socket, BIRD binary, bad settings). */
  start(): Promise<void>;
  /** Closes the session (Cease), removes the routes it installed, releases sockets and processes. Never throws. */
  stop(): Promise<void>;
  status(): BgpPeerStatus;
}

/** The part of a TCP socket the builtin speaker uses (net.Socket fits). */
export interface TcpSocketLike extends EventEmitter {
  write(data: Uint8Array): boolean;
  end(): void;
  destroy(): void;
  /** Lets the process exit while the socket is open (net.Socket#unref); pending writes and the FIN still go out first. */
  unref?(): void;
  readonly remoteAddress?: string | undefined;
}

/** TCP for one peer: a listener on the local address, outgoing connections to the peer. */
export interface BgpTransport {
  /** Starts accepting; `onConnection` gets each connection with its remote address. */
  listen(onConnection: (s: TcpSocketLike) => void): Promise<void>;
  /** Starts a connection to the peer; it emits 'connect', 'data', 'error', 'close'. */
  connect(): TcpSocketLike;
  close(): Promise<void>;
}

/** A route to put into the namespace's routing table. */
export interface FibRoute {
  prefix: string;
  nextHop: string;
  dev?: string;
}

/** The namespace's routing table (main table) as the builtin speaker changes it. */
export interface RouteTable {
  /** Adds or replaces. Rejects with the reason the kernel gave. */
  replace(route: FibRoute): Promise<void>;
  /** Removes a route this speaker installed; a missing route is not an error. */
  remove(prefix: string): Promise<void>;
}
