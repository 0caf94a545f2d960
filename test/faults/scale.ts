/**
 * Many secured links at once (`npm run bench:scale`, bench/scale.ts; 8 links
 * as test/integration/scale.test.ts): a generated topology of N links, each
 * between its own router `rI` and DX device `dI` (2N node processes), with a
 * VIF and a /30 per link; brought up, every port secured, a ping across each
 * link, RSS per node, and down with nothing left.
 */
import { spawnSync } from 'node:child_process';
import { FaultLab, procUsage, type LabStatus } from './lab-host.js';

/** MKA Life Time of the default and the fast profile (802.1X-2020 Table 9-3; README "Topology files"). */
export const LIFE_TIME_MS = { default: 6000, fast: 1500 } as const;

/** The VIF addresses of link `i` (0-based): 10.77.I.1/30 on the router, .2 on the DX device. */
export function scaleAddresses(i: number): [string, string] {
  if (!Number.isInteger(i) || i < 0 || i > 255) throw new RangeError(`link index ${i} out of 0..255`);
  return [`10.77.${i}.1/30`, `10.77.${i}.2/30`];
}

/** A topology of `links` router--DX links with MACsec and an untagged VIF each. */
export function scaleTopology(links: number, profile: 'default' | 'fast'): string {
  if (!Number.isInteger(links) || links < 1 || links > 256) throw new RangeError(`links: 1 to 256, got ${links}`);
  const lines = [
    'name: scale',
    'topology:',
    '  defaults:',
    '    mtu: 1500',
    '    macsec:',
    '      mode: should_encrypt',
    '      cipherSuites: [gcm-aes-xpn-256, gcm-aes-256]',
    ...(profile === 'fast' ? ['      profile: fast'] : []),
    '      keyChain:',
    '        - ckn: 5ca1e5ca1e5ca1e5ca1e5ca1e5ca1e5ca1e5ca1e5ca1e5ca1e5ca1e5ca1e5ca1',
    '          cak: 0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de',
    '  nodes:',
  ];
  for (let i = 0; i < links; i++) lines.push(`    r${i}: { kind: router }`, `    d${i}: { kind: dx-device }`);
  lines.push('  links:');
  for (let i = 0; i < links; i++) lines.push(`    - { endpoints: [r${i}:eth1, d${i}:eth1], macsec: true }`);
  lines.push('  vifs:');
  for (let i = 0; i < links; i++) {
    const [a, b] = scaleAddresses(i);
    lines.push(`    - { name: v${i}, endpoints: [r${i}:eth1, d${i}:eth1], ipv4: [${a}, ${b}] }`);
  }
  return lines.join('\n') + '\n';
}

export interface ScaleResult {
  links: number;
  nodes: number;
  upMs: number;
  /** From `up` returning (every node answering) to every port secured. */
  securedAfterUpMs: number;
  lifeTimeMs: number;
  /** Links whose ping got a reply. */
  pinged: number;
  rssKb: { min: number; median: number; max: number; total: number; overTarget: string[] };
  /** PSS: shared pages (the node binary's code) divided among the processes; the total is what they cost together. */
  pssKb: { median: number; total: number };
  downMs: number;
  left: string[];
}

/** 80 MB per node, the target. */
export const RSS_TARGET_KB = 80 * 1024;

/** One run at `links` links. @throws when up fails or the ports do not secure within `secureWithinMs` */
export async function runScale(links: number, options: { profile?: 'default' | 'fast'; secureWithinMs?: number; log?: (l: string) => void } = {}): Promise<ScaleResult> {
  const profile = options.profile ?? 'default';
  const log = options.log ?? (() => {});
  const lab = new FaultLab('sc', scaleTopology(links, profile));
  const result: Partial<ScaleResult> = { links, nodes: 2 * links, lifeTimeMs: LIFE_TIME_MS[profile] };
  try {
    const t0 = Date.now();
    lab.up('--no-api');
    result.upMs = Date.now() - t0;
    log(`${links} links: up in ${result.upMs} ms`);
    const t1 = Date.now();
    let last: LabStatus | undefined;
    await lab.waitFor('every port secured', () => (last = lab.status()), FaultLab.allSecured, options.secureWithinMs ?? 120_000).catch((e: Error) => {
      const notYet = last?.nodes.filter((n) => !n.running || n.ports.some((p) => p.secured !== true)).map((n) => n.name);
      throw new Error(`${e.message.slice(0, 200)}; not secured: ${notYet?.join(' ')}`);
    });
    result.securedAfterUpMs = Date.now() - t1;
    log(`${links} links: all secured ${result.securedAfterUpMs} ms after up returned`);
    let pinged = 0;
    for (let i = 0; i < links; i++) {
      const dst = scaleAddresses(i)[1].split('/')[0]!;
      // -c 3 -W 2: the first may wait for ARP; one reply is enough.
      const p = spawnSync('ip', ['netns', 'exec', lab.netns(`r${i}`), 'ping', '-n', '-c', '3', '-i', '0.2', '-W', '2', dst], { encoding: 'utf8', timeout: 30_000 });
      if (/ [1-9]\d* received/.test(p.stdout)) pinged++;
      else log(`link ${i}: no reply: ${p.stdout.split('\n').at(-3)}`);
    }
    result.pinged = pinged;
    const usage = lab.status().nodes.map((n) => ({ name: n.name, use: procUsage(n.pid) }));
    const rss = usage.map((u) => ({ name: u.name, kb: u.use?.rssKb ?? NaN }));
    const pss = usage.map((u) => u.use?.pssKb ?? NaN).sort((a, b) => a - b);
    result.pssKb = { median: pss[Math.floor(pss.length / 2)]!, total: pss.reduce((a, b) => a + b, 0) };
    const sorted = rss.map((r) => r.kb).sort((a, b) => a - b);
    result.rssKb = {
      min: sorted[0]!,
      median: sorted[Math.floor(sorted.length / 2)]!,
      max: sorted.at(-1)!,
      total: sorted.reduce((a, b) => a + b, 0),
      overTarget: rss.filter((r) => r.kb > RSS_TARGET_KB).map((r) => `${r.name} ${Math.round(r.kb / 1024)} MB`),
    };
  } finally {
    const t2 = Date.now();
    const d = lab.down();
    result.downMs = Date.now() - t2;
    result.left = d.left;
    if (d.status !== 0) result.left = [...d.left, `dxlab down exited ${d.status}: ${d.stderr.trim()}`];
  }
  return result as ScaleResult;
}
