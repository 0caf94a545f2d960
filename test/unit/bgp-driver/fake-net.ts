/**
 * An in-memory TCP for the builtin speaker's driver tests: listeners by
 * address, connections delivered on microtasks (so fake timers do not hold
 * them back), a mute switch per destination (a silent link), and a fake
 * routing table.
 */
import { EventEmitter } from 'node:events';
import { resolveNodeConfig } from '../../../src/node/index.js';
import type { BgpConfig } from '../../../src/node/config.js';
import type { BgpTransport, FibRoute, RouteTable, TcpSocketLike } from '../../../src/node/bgp/index.js';

export class FakeSocket extends EventEmitter implements TcpSocketLike {
  peer?: FakeSocket;
  closed = false;
  /** end() was called: this side sent its FIN. */
  ended = false;
  /** unref() was called: the socket no longer keeps its process running (net.Socket#unref). */
  unrefed = false;
  constructor(
    readonly remoteAddress: string,
    private readonly net: FakeNet,
  ) {
    super();
  }
  write(data: Uint8Array): boolean {
    const p = this.peer;
    if (this.closed || !p || this.net.muted.has(this.remoteAddress)) return !this.closed;
    const copy = Buffer.from(data);
    queueMicrotask(() => !p.closed && p.emit('data', copy));
    return true;
  }
  end(): void {
    this.ended = true;
    // The peer's FIN never comes over a link that is down (`net.finLost`): the socket stays half-closed.
    if (this.net.finLost) return;
    // After the data already written, as a FIN follows the data.
    queueMicrotask(() => this.destroy());
  }
  unref(): void {
    this.unrefed = true;
  }
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.emit('close'));
    this.peer?.destroy();
  }
}

/** Addresses -> listeners; `muted` holds destination addresses whose traffic is lost (a silent link). */
export class FakeNet {
  readonly listeners = new Map<string, (s: TcpSocketLike) => void>();
  readonly muted = new Set<string>();
  /** No FIN crosses: a socket that ends stays half-closed, as when the lab's TAPs are down at `dxlab down`. */
  finLost = false;
  readonly sockets: FakeSocket[] = [];
  connects = 0;

  transport(local: string, peer: string): BgpTransport {
    return {
      listen: async (on) => {
        this.listeners.set(local, on);
      },
      connect: () => {
        this.connects++;
        const mine = new FakeSocket(peer, this);
        this.sockets.push(mine);
        const on = this.listeners.get(peer);
        queueMicrotask(() => {
          if (!on) {
            mine.emit('error', new Error(`connect ECONNREFUSED ${peer}:179`));
            mine.destroy();
            return;
          }
          const theirs = new FakeSocket(local, this);
          this.sockets.push(theirs);
          mine.peer = theirs;
          theirs.peer = mine;
          on(theirs);
          mine.emit('connect');
        });
        return mine;
      },
      close: async () => {
        this.listeners.delete(local);
      },
    };
  }
}

export class FakeRoutes implements RouteTable {
  readonly table = new Map<string, FibRoute>();
  async replace(r: FibRoute): Promise<void> {
    this.table.set(r.prefix, r);
  }
  async remove(prefix: string): Promise<void> {
    this.table.delete(prefix);
  }
}

/** A TAP's resolved BGP settings, through the node's config parser. */
export function bgp(tapAddresses: string[], b: Record<string, unknown>): BgpConfig {
  return resolveNodeConfig({ name: 'n', kind: 'router', ports: [{ name: 'p', wire: 'w', taps: [{ name: 't0', addresses: tapAddresses, bgp: b }] }] }, 'test').ports[0]!.taps[0]!.bgp!;
}
