/**
 * The kernel side of the builtin speaker: TCP through the addon's MD5
 * sockets (src/io/tcp-md5.ts), routes through iproute2, and the kernel's TCP
 * MD5 drop counters, all inside the node's namespace.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BGP_PORT } from '../../bgp/index.js';
import { tcpConnect, tcpListen, tcpMd5Unavailable } from '../../io/index.js';
import { connect, createServer, type Server } from 'node:net';
import type { BgpTransport, FibRoute, RouteTable, TcpSocketLike } from './types.js';

export interface KernelTransportOptions {
  localAddress: string;
  peerAddress: string;
  /** @default 179 */
  port?: number;
  /** Port to connect to on the peer. @default port */
  peerPort?: number;
  md5Key?: Uint8Array;
  netns?: string;
}

/** "::ffff:192.0.2.1" -> "192.0.2.1": an IPv4 peer as an IPv6 socket reports it. */
export function plainAddress(a: string | undefined): string {
  return (a ?? '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').toLowerCase();
}

/**
 * TCP on the VIF address with the peer's MD5 key on the listener and on
 * every outgoing socket. Without the addon and without a key, Node's own
 * sockets do (in the process's namespace only).
 */
export function kernelTransport(o: KernelTransportOptions): BgpTransport {
  let server: Server | undefined;
  const port = o.port ?? BGP_PORT;
  if (!o.md5Key?.length && !o.netns && tcpMd5Unavailable() !== null) {
    return {
      async listen(onConnection) {
        const s = createServer((c) => onConnection(c));
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen({ host: o.localAddress, port }, () => resolve());
        });
        server = s;
      },
      connect: () => connect({ host: o.peerAddress, port: o.peerPort ?? port, localAddress: o.localAddress }),
      async close() {
        const s = server;
        server = undefined;
        if (s) await new Promise<void>((r) => s.close(() => r()));
      },
    };
  }
  return {
    async listen(onConnection) {
      server = await tcpListen(
        { address: o.localAddress, port, netns: o.netns, md5: o.md5Key && o.md5Key.length > 0 ? [{ address: o.peerAddress, key: o.md5Key }] : [] },
        (s) => onConnection(s),
      );
    },
    connect(): TcpSocketLike {
      return tcpConnect({ localAddress: o.localAddress, host: o.peerAddress, port: o.peerPort ?? port, md5Key: o.md5Key, netns: o.netns });
    },
    async close() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}

function ipArgs(netns: string | undefined, args: string[]): string[] {
  return netns ? ['-n', netns, ...args] : args;
}

/**
 * The namespace's main routing table through `ip route replace|del ... proto bgp`.
 * Calls run one after another, in order, so a withdraw never overtakes the install it undoes.
 */
export function kernelRoutes(netns?: string): RouteTable {
  let chain: Promise<unknown> = Promise.resolve();
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile('ip', ipArgs(netns, args), { encoding: 'utf8' }, (err, _out, stderr) => {
        if (err) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else resolve();
      });
    });
  const queue = (args: string[], tolerate?: RegExp) => {
    const p = chain.then(() => run(args)).catch((e: Error) => {
      if (tolerate?.test(e.message)) return;
      throw e;
    });
    chain = p.catch(() => undefined);
    return p;
  };
  const fam = (prefix: string) => (prefix.includes(':') ? '-6' : '-4');
  return {
    replace: (r: FibRoute) => queue([fam(r.prefix), 'route', 'replace', r.prefix, 'via', r.nextHop, ...(r.dev ? ['dev', r.dev] : []), 'proto', 'bgp']),
    remove: (prefix: string) => queue([fam(prefix), 'route', 'del', prefix, 'proto', 'bgp'], /No such process|No such file|not found/i),
  };
}

/** The TcpExt counters of segments the kernel dropped for TCP MD5 reasons (RFC 2385 §3, Linux tcp_inbound_md5_hash). */
export interface Md5DropCounters {
  /** Signed segment, no key for its source (TCPMD5Unexpected). */
  unexpected: number;
  /** Unsigned segment, a key is configured (TCPMD5NotFound). */
  notFound: number;
  /** Signature does not verify: a different key (TCPMD5Failure). */
  failure: number;
}

/** Parses /proc/net/netstat (pairs of "TcpExt:" name and value lines). */
export function parseMd5Counters(netstat: string): Md5DropCounters | null {
  const lines = netstat.split('\n').filter((l) => l.startsWith('TcpExt:'));
  if (lines.length < 2) return null;
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  const get = (n: string) => values[names.indexOf(n)] ?? 0;
  return { unexpected: get('TCPMD5Unexpected'), notFound: get('TCPMD5NotFound'), failure: get('TCPMD5Failure') };
}

/** The namespace's MD5 drop counters: the process's own /proc/net/netstat, or `ip netns exec` for another namespace. */
export function readMd5Counters(netns?: string): Promise<Md5DropCounters | null> {
  if (!netns) {
    try {
      return Promise.resolve(parseMd5Counters(readFileSync('/proc/net/netstat', 'utf8')));
    } catch {
      return Promise.resolve(null);
    }
  }
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', netns, 'cat', '/proc/net/netstat'], { encoding: 'utf8' }, (err, out) => resolve(err ? null : parseMd5Counters(out)));
  });
}
