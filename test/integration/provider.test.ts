/**
 * A provider inside the link (root): topologies/provider-router-dx.yaml as
 * shipped, the customer router and the DX device behind an 802.1ad provider
 * bridge. Each mode's lesson, asserted from the nodes' status and the
 * provider's counters: behind provider-bridge MKA never comes up (its
 * MKPDUs to 01:80:C2:00:00:03 are filtered) until both ends send them to
 * 01:80:C2:00:00:00; filter-all stops that address too, and only one
 * outside 01:80:C2:00:00:00-0F gets across; transparent passes the PAE
 * group address; a circuit MTU of 1500 drops the largest protected frames
 * (counted) while small ones pass; latency is added to every frame. Every
 * knob is changed live with `dxlab set`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { LabSession } from '../helpers/lab-session.js';

const isRoot = process.getuid?.() === 0;

interface ProviderCounters {
  rx: number;
  forwarded: number;
  filteredReserved: number;
  mtuExceeded: number;
  lastFiltered: string[];
}
type Dirs = Record<string, ProviderCounters>;

describe.skipIf(!isRoot)('provider: provider-router-dx', () => {
  const s = new LabSession('pv');
  const counters = () => s.json<{ inPath: Dirs }>('show', 'counters', 'isp').inPath;
  const toDx = (d: Dirs) => d['router -> dx']!;
  const toRouter = (d: Dirs) => d['dx -> router']!;
  const ping = (size: number) => s.exec('router', 'ping', '-c', '2', '-i', '0.3', '-W', '2', '-M', 'do', '-s', String(size), '169.254.100.2').status;
  const setBoth = (knob: string, value: string) => {
    for (const n of ['router', 'dx']) expect(s.dxlab('set', n, 'eth1', knob, value).status).toBe(0);
  };

  beforeAll(() => {
    s.up(readFileSync(join(ROOT, 'topologies/provider-router-dx.yaml'), 'utf8'));
  }, 120_000);

  afterAll(() => s.down(), 60_000);

  it('status and graph show the provider in the link, facing each end', () => {
    const st = s.status();
    const isp = st.nodes.find((n) => n.name === 'isp')!;
    expect(isp.ports.map((p) => [p.name, p.kind, p.mode])).toEqual([
      ['eth1', 'inPath', 'provider-bridge'],
      ['eth2', 'inPath', 'provider-bridge'],
    ]);
    expect(s.dxlab('status').stdout).toMatch(/isp\s+provider\s+\d+\s+eth1\s+provider-bridge\s+in path, faces router\n/);
    // A running lab's graph gives the link's state now (the provider eats EAPOL: MKA has not secured it).
    expect(s.dxlab('graph').stdout).toMatch(/router:eth1\s+== MACsec should_encrypt, gcm-aes-xpn-256 \/ gcm-aes-256 via isp: (negotiating|fallback) [^\n]*=+\s+dx:eth1/);
  });

  it('provider-bridge: the MKPDUs to 01:80:C2:00:00:03 are filtered both ways, and MKA never comes up', async () => {
    // Many Hello Times (0.5 s in the fast profile) past MKA Life Time (1.5 s), each end's MKPDUs filtered.
    const d = await s.waitFor('MKPDUs filtered both ways', counters, (x) => toDx(x).filteredReserved >= 6 && toRouter(x).filteredReserved >= 6);
    expect(toDx(d).lastFiltered).toContain('01:80:c2:00:00:03');
    const st = s.status();
    expect([s.port(st, 'router')?.secured, s.port(st, 'dx')?.secured]).toEqual([false, false]);
  }, 60_000);

  it('provider-bridge: MKA to the Nearest Customer Bridge address 01:80:C2:00:00:00 on both ends gets across, and the link secures', async () => {
    setBoth('eapolDestination', '01:80:c2:00:00:00');
    await s.waitFor('secured across the provider bridge', () => s.status(), s.secured('router', 'dx'));
    const before = toDx(counters()).filteredReserved;
    expect(ping(56)).toBe(0);
    // Nothing more filtered towards the DX device once both ends moved.
    await new Promise((r) => setTimeout(r, 1500));
    expect(toDx(counters()).filteredReserved).toBe(before);
  }, 90_000);

  it('filter-all: 01:80:C2:00:00:00 is filtered too; only an address outside 00-0F (the broadcast address) helps', async () => {
    expect(s.dxlab('set', 'isp', 'mode', 'filter-all').stdout).toBe('isp: mode provider-bridge -> filter-all (applied live)\n');
    await s.waitFor('MKA down behind filter-all', () => s.status(), (x) => s.port(x, 'router')?.secured === false && s.port(x, 'dx')?.secured === false);
    expect(toDx(counters()).lastFiltered).toContain('01:80:c2:00:00:00');
    setBoth('eapolDestination', 'ff:ff:ff:ff:ff:ff');
    await s.waitFor('secured with MKPDUs to the broadcast address', () => s.status(), s.secured('router', 'dx'));
    expect(ping(56)).toBe(0);
  }, 120_000);

  it('transparent: the PAE group address 01:80:C2:00:00:03 passes', async () => {
    expect(s.dxlab('set', 'isp', 'mode', 'transparent').status).toBe(0);
    setBoth('eapolDestination', '01:80:c2:00:00:03');
    await s.waitFor('secured through a transparent provider', () => s.status(), s.secured('router', 'dx'));
    expect(ping(56)).toBe(0);
  }, 90_000);

  it('a circuit MTU of 1500 drops the largest protected frames, counted; small frames and MKA pass; none restores it', async () => {
    expect(ping(1472)).toBe(0);
    expect(s.dxlab('set', 'isp', 'mtu', '1500').stdout).toBe('isp: mtu none -> 1500 (applied live)\n');
    const before = toDx(counters()).mtuExceeded;
    // 1500 octets of IPv4 + the VLAN tag + 32 of MACsec: 1536 after the Ethernet header, over 1500.
    expect(ping(1472)).not.toBe(0);
    expect(toDx(counters()).mtuExceeded).toBeGreaterThan(before);
    expect(ping(1400)).toBe(0);
    expect(s.status().nodes.every((n) => n.kind === 'provider' || n.ports[0]?.secured === true)).toBe(true);
    expect(s.dxlab('set', 'isp', 'mtu', 'none').status).toBe(0);
    expect(ping(1472)).toBe(0);
  }, 60_000);

  it('latency is added to each frame each way; a bad value is refused naming the knob and changes nothing', () => {
    expect(s.dxlab('set', 'isp', 'latencyMs', '150').status).toBe(0);
    const r = s.exec('router', 'ping', '-c', '2', '-i', '0.5', '-W', '3', '169.254.100.2');
    expect(r.status).toBe(0);
    // The delay is a lower bound on every round trip: two crossings of 150 ms.
    const rtts = [...r.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
    expect(rtts.length).toBe(2);
    for (const t of rtts) expect(t).toBeGreaterThanOrEqual(300);
    const bad = s.dxlab('set', 'isp', 'lossPercent', '120');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/lossPercent: must be a number from 0 to 100, got "120"/);
    expect(s.json<{ knob: string; from: unknown; to: unknown }>('set', 'isp', 'latencyMs', '0')).toEqual({ knob: 'latencyMs', from: 150, to: 0 });
  }, 60_000);
});
