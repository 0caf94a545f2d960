/**
 * Namespaces, links and endpoints for the I/O integration tests, under names
 * unique to the run (a random tag; interface names stay within 15
 * characters), all removed by cleanup() whatever happened before.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { FrameIo } from '../../../src/io/index.js';

export const isRoot = process.getuid?.() === 0;

export class TestNet {
  /** 6 hex digits, so that 'dx' + 3 letters + tag + 1 letter is 12 characters. */
  readonly tag = randomBytes(3).toString('hex');
  private readonly namespaces: string[] = [];
  private readonly endpoints: FrameIo[] = [];

  /** Creates namespace `dxt-io-<tag>-<suffix>` with IPv6 off, so that the kernel stays quiet on its links. */
  netns(suffix: string): string {
    const name = `dxt-io-${this.tag}-${suffix}`;
    ip('netns', 'add', name);
    this.namespaces.push(name);
    for (const key of ['all', 'default']) execFileSync('ip', ['netns', 'exec', name, 'sysctl', '-qw', `net.ipv6.conf.${key}.disable_ipv6=1`]);
    return name;
  }

  /** An interface name for this run: `dx<kind><tag><suffix>`. */
  ifname(kind: string, suffix = ''): string {
    const n = `dx${kind}${this.tag}${suffix}`;
    if (n.length > 15) throw new Error(`interface name ${n} longer than 15 characters`);
    return n;
  }

  /** Remembers an endpoint so that cleanup() closes it. */
  track<T extends FrameIo>(io: T): T {
    this.endpoints.push(io);
    return io;
  }

  /** Closes the endpoints opened so far (between tests). */
  closeEndpoints(): void {
    for (const io of this.endpoints.splice(0)) io.close();
  }

  /** Closes every endpoint, then deletes every namespace (and with it every veth and TAP inside). */
  cleanup(): void {
    const errors: unknown[] = [];
    for (const io of this.endpoints.splice(0)) {
      try {
        io.close();
      } catch (e) {
        errors.push(e);
      }
    }
    for (const ns of this.namespaces.splice(0)) {
      try {
        ip('netns', 'del', ns);
      } catch (e) {
        errors.push(e);
      }
    }
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    if (left.includes(this.tag)) errors.push(new Error(`namespaces left behind: ${left}`));
    if (errors.length) throw new AggregateError(errors, 'test network cleanup failed');
  }
}

/** Runs `ip` with these arguments; throws with its stderr. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `ip -j -n ns link show dev name`, parsed. */
export function linkInfo(ns: string, name: string): { txqlen: number; mtu: number; operstate: string; flags: string[] } {
  return (JSON.parse(ip('-j', '-n', ns, 'link', 'show', 'dev', name)) as { txqlen: number; mtu: number; operstate: string; flags: string[] }[])[0]!;
}

/** True when the interface exists in the namespace. */
export function linkExists(ns: string | undefined, name: string): boolean {
  try {
    ip(...(ns ? ['-n', ns] : []), 'link', 'show', 'dev', name);
    return true;
  } catch {
    return false;
  }
}

export const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
