/**
 * AWS topology 1 over a LAG (topologies/lag-router-switch-dx.yaml, root):
 * the customer switch bridges the router's port to a 2-member LAG towards
 * the DX device. The LAG forms with both members secured and BGP between
 * the router and the DX device is Established across it; a capture of a
 * member's decrypted side holds LACPDUs that tshark reads as LACP, its wire
 * side none in clear; a member cut leaves the other carrying the pings and
 * BGP up, and the member rejoins when restored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { LabSession } from '../helpers/lab-session.js';
import { tshark } from '../helpers/tshark.js';

const isRoot = process.getuid?.() === 0;

interface StatusJson {
  nodes: Array<{ name: string; bgp: Array<{ state: string }>; lags?: Array<{ logicalPortUp: boolean; distributing: string[] }> }>;
}

describe.skipIf(!isRoot)('LAG in topology 1: router -- switch == 2 members == DX device', () => {
  const session = new LabSession('w');
  const { scratch } = session;
  const dxlab = (...args: string[]) => session.dxlab(...args);
  const status = () => JSON.parse(dxlab('status', '--json').stdout) as StatusJson;
  const lagOf = (s: StatusJson, node: string) => s.nodes.find((n) => n.name === node)!.lags?.[0];
  const bgp = (s: StatusJson) => s.nodes.find((n) => n.name === 'router')!.bgp[0]?.state;
  const waitFor = (what: string, cond: (s: StatusJson) => boolean, ms = 60_000) => session.waitFor(what, status, cond, ms);
  const ping = (n: number) => {
    const netns = session.netns('router');
    return spawnSync('ip', ['netns', 'exec', netns, 'ping', '-c', String(n), '-i', '0.2', '-W', '1', '169.254.200.2'], { encoding: 'utf8', timeout: 30_000 }).stdout;
  };

  beforeAll(() => {
    session.upFile(join(ROOT, 'topologies/lag-router-switch-dx.yaml'));
  }, 120_000);

  afterAll(() => {
    session.down();
  }, 60_000);

  it('forms with both members secured and distributing; BGP router <-> DX device Established across the switch and the LAG', async () => {
    await waitFor('LAG up, BGP Established', (s) => ['switch', 'dx'].every((n) => lagOf(s, n)?.distributing.length === 2) && bgp(s) === 'Established', 90_000);
    expect(ping(5)).toMatch(/5 packets transmitted, 5 received/);
  }, 120_000);

  it("a member's decrypted capture holds LACPDUs tshark reads as LACP; its wire capture has none in clear", () => {
    const dec = join(scratch, 'dx-eth1-dec.pcapng');
    const wire = join(scratch, 'dx-eth1-wire.pcapng');
    expect(dxlab('capture', 'dx', 'eth1', '--decrypted', '--out', dec, '--duration', '3').status).toBe(0);
    expect(dxlab('capture', 'dx', 'eth1', '--wire', '--out', wire, '--duration', '3').status).toBe(0);
    const lacp = tshark(dec, 'lacp', ['lacp.actor.sysid', 'lacp.partner.sysid']);
    expect(lacp.length).toBeGreaterThanOrEqual(2);
    expect(tshark(wire, 'lacp || eth.type == 0x8809', ['frame.number'])).toEqual([]);
    expect(tshark(wire, 'macsec', ['frame.number']).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('a member cut: the other carries the pings, BGP stays up; restored: both distribute again', async () => {
    expect(dxlab('wire', 'cut', 'switch:eth2').status).toBe(0);
    await waitFor('one member left', (s) => lagOf(s, 'switch')?.distributing.join() === 'eth3' && lagOf(s, 'dx')?.distributing.join() === 'eth2', 30_000);
    expect(ping(5)).toMatch(/5 packets transmitted, 5 received/);
    expect(bgp(status())).toBe('Established');
    expect(dxlab('wire', 'restore', 'switch:eth2').status).toBe(0);
    await waitFor('both members back', (s) => ['switch', 'dx'].every((n) => lagOf(s, n)?.distributing.length === 2), 60_000);
  }, 120_000);
});
