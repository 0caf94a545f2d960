/**
 * Interop (root): the builtin speaker in one namespace, BIRD 2 in another,
 * a plain veth between them (no MACsec). Without and with TCP MD5 the
 * session reaches Established, IPv4 and IPv6 prefixes cross both ways and
 * land in the other namespace's main table, withdrawals remove them, the
 * end of the session removes the builtin's routes; a wrong MD5 key keeps the
 * session down with the reason in the status. Namespaces, BIRD processes
 * and files are removed afterwards, also when a test fails.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, resolveNodeConfig } from '../../../src/node/index.js';
import type { BgpConfig } from '../../../src/node/config.js';
import { BuiltinSpeaker, createSpeaker, type BgpSpeaker } from '../../../src/node/bgp/index.js';
import { nativeAvailable } from '../../../src/io/index.js';

const isRoot = process.getuid?.() === 0;
const hasBird = spawnSync('bird', ['--version']).status === 0;
const ID = randomBytes(3).toString('hex');
const NS_A = `dxlab-bgp${ID}-a`;
const NS_B = `dxlab-bgp${ID}-b`;
const IF_A = `bg${ID}a`;
const IF_B = `bg${ID}b`;
const A4 = '169.254.200.1';
const B4 = '169.254.200.2';
const A6 = 'fd00:dd::1';
const B6 = 'fd00:dd::2';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

function routes(ns: string, family: '-4' | '-6'): string {
  return ip('-n', ns, family, 'route', 'show');
}

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TAP's resolved BGP settings, through the node's config parser. */
function bgpConfig(tap: string, addresses: string[], bgp: Record<string, unknown>): BgpConfig {
  const c = resolveNodeConfig({ name: 'n', kind: 'router', ports: [{ name: 'p', wire: 'w', taps: [{ name: tap, addresses, bgp }] }] }, 'test');
  return c.ports[0]!.taps[0]!.bgp!;
}

describe.skipIf(!isRoot || !hasBird || !nativeAvailable())('builtin speaker <-> BIRD 2 on a veth between two namespaces', () => {
  const dir = mkdtempSync(join(tmpdir(), `dxlab-bgp-${ID}-`));
  const log = createLogger('warn', 'test');
  let speakers: BgpSpeaker[] = [];

  beforeAll(() => {
    for (const ns of [NS_A, NS_B]) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    ip('link', 'add', IF_A, 'netns', NS_A, 'type', 'veth', 'peer', 'name', IF_B, 'netns', NS_B);
    ip('-n', NS_A, 'addr', 'add', `${A4}/30`, 'dev', IF_A);
    ip('-n', NS_B, 'addr', 'add', `${B4}/30`, 'dev', IF_B);
    ip('-n', NS_A, 'addr', 'add', `${A6}/64`, 'dev', IF_A, 'nodad');
    ip('-n', NS_B, 'addr', 'add', `${B6}/64`, 'dev', IF_B, 'nodad');
    ip('-n', NS_A, 'link', 'set', IF_A, 'up');
    ip('-n', NS_B, 'link', 'set', IF_B, 'up');
  });

  afterEach(async () => {
    await Promise.all(speakers.map((s) => s.stop()));
    speakers = [];
  });

  afterAll(async () => {
    await Promise.all(speakers.map((s) => s.stop()));
    for (const ns of [NS_A, NS_B]) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function pair(keys: { builtin?: string; bird?: string }): Promise<{ builtin: BuiltinSpeaker; bird: BgpSpeaker }> {
    const builtin = createSpeaker(
      IF_A,
      bgpConfig(IF_A, [`${A4}/30`, `${A6}/64`], {
        localAsn: 64512,
        peerAsn: 7224,
        peerAddress: B4,
        holdTimeS: 9,
        keepaliveS: 3,
        prefixes: ['198.51.100.0/24', '2001:db8:a::/48'],
        ...(keys.builtin ? { md5Key: keys.builtin } : {}),
      }),
      { nodeName: `a${ID}`, runDir: dir, netns: NS_A, log, now: () => performance.now() },
    ) as BuiltinSpeaker;
    const bird = createSpeaker(
      IF_B,
      bgpConfig(IF_B, [`${B4}/30`, `${B6}/64`], {
        speaker: 'bird',
        localAsn: 7224,
        peerAsn: 64512,
        peerAddress: A4,
        holdTimeS: 9,
        keepaliveS: 3,
        prefixes: ['203.0.113.0/24', '2001:db8:b::/48'],
        ...(keys.bird ? { md5Key: keys.bird } : {}),
      }),
      { nodeName: `b${ID}`, runDir: dir, netns: NS_B, log, now: () => performance.now() },
    );
    speakers.push(builtin, bird);
    await bird.start();
    await builtin.start();
    return { builtin, bird };
  }

  it('establishes without MD5, exchanges IPv4 and IPv6 prefixes, withdraws them, and cleans up when the session ends', async () => {
    const { builtin, bird } = await pair({});
    await until('Established', () => builtin.status().state === 'Established' && bird.status().state === 'Established', 30_000);

    // BIRD's prefixes in the builtin's namespace, with BIRD's addresses as next hops.
    await until('routes from BIRD', () => /203\.0\.113\.0\/24 via 169\.254\.200\.2 .*proto bgp/.test(routes(NS_A, '-4')) && /2001:db8:b::\/48 via fd00:dd::2 .*proto bgp/.test(routes(NS_A, '-6')), 10_000);
    // The builtin's prefixes in BIRD's namespace (BIRD's kernel protocol).
    await until('routes from the builtin', () => /198\.51\.100\.0\/24 via 169\.254\.200\.1/.test(routes(NS_B, '-4')) && /2001:db8:a::\/48 via fd00:dd::1/.test(routes(NS_B, '-6')), 10_000);

    const s = builtin.status();
    expect(s.prefixes).toEqual({ received: { ipv4: 1, ipv6: 1 }, advertised: { ipv4: 1, ipv6: 1 } });
    expect(s.holdTimeS).toBe(9);
    expect(s.lastError ?? '').not.toMatch(/MD5|Hold Timer|route|TCP:/);
    await until('BIRD counts', () => {
      const b = bird.status().prefixes;
      return b.received.ipv4 === 1 && b.received.ipv6 === 1 && b.advertised.ipv4 === 1 && b.advertised.ipv6 === 1;
    }, 5_000);

    // The builtin withdraws both of its prefixes: BIRD's namespace loses them.
    builtin.setPrefixes([]);
    await until('withdrawn in BIRD', () => !routes(NS_B, '-4').includes('198.51.100.0/24') && !routes(NS_B, '-6').includes('2001:db8:a::/48'), 10_000);
    expect(builtin.status().prefixes.advertised).toEqual({ ipv4: 0, ipv6: 0 });

    // BIRD withdraws its IPv4 prefix (static protocol disabled): gone from the builtin's table.
    await (bird as unknown as { birdc(a: string[]): Promise<string> }).birdc(['disable', 'static4']);
    await until('IPv4 withdrawn by BIRD', () => !routes(NS_A, '-4').includes('203.0.113.0/24'), 10_000);
    expect(routes(NS_A, '-6')).toContain('2001:db8:b::/48');
    expect(builtin.status().prefixes.received).toEqual({ ipv4: 0, ipv6: 1 });

    // BIRD goes away: the session drops and the builtin removes what it installed.
    await bird.stop();
    await until('session down', () => builtin.status().state !== 'Established', 15_000);
    await until('routes removed', () => !routes(NS_A, '-6').includes('2001:db8:b::/48'), 5_000);
    expect(builtin.status().lastError).toMatch(/Cease|TCP connection failed/);
  });

  it('establishes with a matching TCP MD5 key', async () => {
    const { builtin, bird } = await pair({ builtin: 'dx-lab md5 key', bird: 'dx-lab md5 key' });
    await until('Established', () => builtin.status().state === 'Established' && bird.status().state === 'Established', 30_000);
    expect(builtin.status().md5).toBe(true);
    await until('routes from BIRD', () => routes(NS_A, '-4').includes('203.0.113.0/24'), 10_000);
  });

  it('stays down with a wrong MD5 key, and says why', async () => {
    const { builtin, bird } = await pair({ builtin: 'the right key', bird: 'a wrong key' });
    await until('MD5 reason in status', () => /wrong MD5 signature/.test(builtin.status().lastError ?? ''), 20_000);
    expect(builtin.status().state).not.toBe('Established');
    expect(bird.status().state).not.toBe('Established');
    expect(routes(NS_A, '-4')).not.toContain('203.0.113.0/24');
  });

  it('stays down when only the peer signs, and says why', async () => {
    const { builtin } = await pair({ bird: 'only bird has it' });
    await until('MD5 reason in status', () => /TCPMD5Unexpected/.test(builtin.status().lastError ?? ''), 20_000);
    expect(builtin.status().state).not.toBe('Established');
  });
});
