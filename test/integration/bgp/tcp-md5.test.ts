/**
 * TCP MD5 sockets (root): the addon creates and binds sockets inside two
 * namespaces joined by a veth; with equal keys a connection opens and
 * carries data (IPv4 and IPv6), with different keys it never opens and the
 * listener's namespace counts TcpExtTCPMD5Failure; bad keys are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import { IoError, nativeAvailable } from '../../../src/io/index.js';
import { closeTcpSocket, openTcpSocket, setTcpMd5Key, tcpConnect, tcpListen } from '../../../src/io/tcp-md5.js';
import { readMd5Counters } from '../../../src/node/bgp/index.js';

const isRoot = process.getuid?.() === 0;
const ID = randomBytes(3).toString('hex');
const NS_A = `dxlab-md5${ID}-a`;
const NS_B = `dxlab-md5${ID}-b`;
const key = (s: string) => new TextEncoder().encode(s);

function ip(...args: string[]): void {
  execFileSync('ip', args);
}

/** Connects and returns the echo of "ping", or null when no connection opens within `ms`. */
function exchange(s: Socket, ms: number): Promise<string | null> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      s.destroy();
      resolve(null);
    }, ms);
    s.on('connect', () => s.write('ping'));
    s.on('data', (d) => {
      clearTimeout(t);
      s.destroy();
      resolve(d.toString());
    });
    s.on('error', () => undefined);
  });
}

describe.skipIf(!isRoot || !nativeAvailable())('TCP MD5 sockets between two namespaces', () => {
  const servers: Server[] = [];

  beforeAll(() => {
    for (const ns of [NS_A, NS_B]) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    ip('link', 'add', `md${ID}a`, 'netns', NS_A, 'type', 'veth', 'peer', 'name', `md${ID}b`, 'netns', NS_B);
    ip('-n', NS_A, 'addr', 'add', '169.254.210.1/30', 'dev', `md${ID}a`);
    ip('-n', NS_B, 'addr', 'add', '169.254.210.2/30', 'dev', `md${ID}b`);
    ip('-n', NS_A, 'addr', 'add', 'fd00:210::1/64', 'dev', `md${ID}a`, 'nodad');
    ip('-n', NS_B, 'addr', 'add', 'fd00:210::2/64', 'dev', `md${ID}b`, 'nodad');
    ip('-n', NS_A, 'link', 'set', `md${ID}a`, 'up');
    ip('-n', NS_B, 'link', 'set', `md${ID}b`, 'up');
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    for (const ns of [NS_A, NS_B]) spawnSync('ip', ['netns', 'del', ns]);
  });

  async function echoServer(address: string, port: number, peer: string, k: string): Promise<void> {
    servers.push(await tcpListen({ address, port, netns: NS_A, md5: [{ address: peer, key: key(k) }] }, (s) => s.on('data', (d) => s.write(`echo ${d}`))));
  }

  it('equal keys: the connection opens and carries data, IPv4 and IPv6', async () => {
    await echoServer('169.254.210.1', 1790, '169.254.210.2', 'k1');
    await echoServer('fd00:210::1', 1791, 'fd00:210::2', 'k1');
    expect(await exchange(tcpConnect({ localAddress: '169.254.210.2', host: '169.254.210.1', port: 1790, md5Key: key('k1'), netns: NS_B }), 5000)).toBe('echo ping');
    expect(await exchange(tcpConnect({ localAddress: 'fd00:210::2', host: 'fd00:210::1', port: 1791, md5Key: key('k1'), netns: NS_B }), 5000)).toBe('echo ping');
  });

  it('different keys, or no key: no connection; the listener\'s namespace counts the drops', async () => {
    await echoServer('169.254.210.1', 1792, '169.254.210.2', 'k2');
    const before = (await readMd5Counters(NS_A))!;
    expect(await exchange(tcpConnect({ localAddress: '169.254.210.2', host: '169.254.210.1', port: 1792, md5Key: key('not k2'), netns: NS_B }), 1500)).toBeNull();
    expect(await exchange(tcpConnect({ localAddress: '169.254.210.2', host: '169.254.210.1', port: 1792, netns: NS_B }), 1500)).toBeNull();
    const after = (await readMd5Counters(NS_A))!;
    expect(after.failure).toBeGreaterThan(before.failure);
    expect(after.notFound).toBeGreaterThan(before.notFound);
  });

  it('refuses a key over 80 octets, and an address that does not parse', () => {
    const fd = openTcpSocket({ address: '169.254.210.1', netns: NS_A });
    try {
      expect(() => setTcpMd5Key(fd, '169.254.210.2', new Uint8Array(81))).toThrow(IoError);
      expect(() => setTcpMd5Key(fd, 'not-an-address', key('k'))).toThrow(/inet_pton/);
    } finally {
      closeTcpSocket(fd);
    }
  });
});
