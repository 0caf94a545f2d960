/**
 * minimumLinks on a live LAG (root): lag-router-dx with minimumLinks 2 and a
 * BGP hold time of 6 s (keepalive 2 s) instead of AWS's 90 s, so that the
 * test waits for events on short timers (LACP is fast already), and a
 * connect retry time of 3 s instead of RFC 4271's 120 s: an attempt that
 * fails while the LAG is still coming back (TCP lost in OpenSent, the FSM
 * then waits in Active for ConnectRetryTimer, §8.2.2) is retried within
 * seconds, as on a loaded machine it may well fail. One member
 * cut: the LAG's logical port goes down on both nodes at once (the member's
 * carrier), nothing crosses (pings all lost), and BGP goes down when its
 * hold timer runs out; the member restored: the logical port comes back and
 * BGP is Established again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { LabSession } from '../helpers/lab-session.js';

const isRoot = process.getuid?.() === 0;

interface StatusJson {
  nodes: Array<{ name: string; netns?: string; bgp: Array<{ state: string }>; lags?: Array<{ name: string; logicalPortUp: boolean; distributing: string[] }> }>;
}

describe.skipIf(!isRoot)('LAG minimumLinks 2: below it the logical port and BGP go down', () => {
  const session = new LabSession('m');
  const dxlab = (...args: string[]) => session.dxlab(...args);
  const status = () => JSON.parse(dxlab('status', '--json').stdout) as StatusJson;
  const lagUp = (s: StatusJson) => s.nodes.every((n) => n.lags?.[0]?.logicalPortUp === true);
  const lagDown = (s: StatusJson) => s.nodes.every((n) => n.lags?.[0]?.logicalPortUp === false);
  const bgp = (s: StatusJson) => s.nodes.find((n) => n.name === 'router')!.bgp[0]?.state;
  const waitFor = (what: string, cond: (s: StatusJson) => boolean, ms: number) => session.waitFor(what, status, cond, ms);

  beforeAll(() => {
    const text = readFileSync(join(ROOT, 'topologies/lag-router-dx.yaml'), 'utf8').replace('minimumLinks: 0', 'minimumLinks: 2').replace('amazonAsn: 64512', 'amazonAsn: 64512\n        holdTimeS: 6\n        connectRetryS: 3');
    expect(text).toContain('minimumLinks: 2');
    expect(text).toContain('holdTimeS: 6');
    expect(text).toContain('connectRetryS: 3');
    session.up(text);
  }, 120_000);

  afterAll(() => {
    session.down();
  }, 60_000);

  it('both members up: the logical port is up and BGP Established', async () => {
    await waitFor('LAG up, BGP Established', (s) => lagUp(s) && bgp(s) === 'Established', 90_000);
  }, 120_000);

  it('one member cut: the logical port goes down on both nodes, no ping crosses, BGP goes down at its hold time', async () => {
    expect(dxlab('wire', 'cut', 'router:eth1').status).toBe(0);
    await waitFor('logical port down', lagDown, 30_000);
    expect(dxlab('status').stdout).toMatch(/LAG router lag1: logical port down, 1 of 2 members distributing, minimumLinks 2/);
    const netns = session.netns('router');
    const ping = spawnSync('ip', ['netns', 'exec', netns, 'ping', '-c', '3', '-i', '0.3', '-W', '1', '169.254.100.2'], { encoding: 'utf8', timeout: 30_000 });
    expect(ping.stdout).toMatch(/3 packets transmitted, 0 received/);
    // The session ends when its hold time (6 s here) runs out with no keepalive through.
    await waitFor('BGP down', (s) => bgp(s) !== 'Established', 60_000);
  }, 120_000);

  it('the member restored: the logical port is up again and BGP Established', async () => {
    expect(dxlab('wire', 'restore', 'router:eth1').status).toBe(0);
    await waitFor('LAG up, BGP Established again', (s) => lagUp(s) && bgp(s) === 'Established', 90_000);
  }, 120_000);
});
