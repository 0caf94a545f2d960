/**
 * minimumLinks on a live LAG (root): lag-router-dx with minimumLinks 2 and a
 * BGP hold time of 6 s (keepalive 2 s) instead of AWS's 90 s, so that the
 * test waits for events on short timers (LACP is fast already). One member
 * cut: the LAG's logical port goes down on both nodes at once (the member's
 * carrier), nothing crosses (pings all lost), and BGP goes down when its
 * hold timer runs out; the member restored: the logical port comes back and
 * BGP is Established again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const BIN = fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url));

interface StatusJson {
  nodes: Array<{ name: string; netns?: string; bgp: Array<{ state: string }>; lags?: Array<{ name: string; logicalPortUp: boolean; distributing: string[] }> }>;
}

describe.skipIf(!isRoot)('LAG minimumLinks 2: below it the logical port and BGP go down', () => {
  const lab = `m${randomBytes(3).toString('hex')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-lagmin-'));
  const topoDir = mkdtempSync(join(tmpdir(), 'dxlab-lagmin-topo-'));
  const topo = join(topoDir, 'lag-min-links.yaml');
  const env = { ...process.env, DXLAB_STATE_DIR: stateDir };
  const dxlab = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--name', lab], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
  const status = () => JSON.parse(dxlab('status', '--json').stdout) as StatusJson;
  const lagUp = (s: StatusJson) => s.nodes.every((n) => n.lags?.[0]?.logicalPortUp === true);
  const lagDown = (s: StatusJson) => s.nodes.every((n) => n.lags?.[0]?.logicalPortUp === false);
  const bgp = (s: StatusJson) => s.nodes.find((n) => n.name === 'router')!.bgp[0]?.state;
  const waitFor = async (what: string, cond: (s: StatusJson) => boolean, ms: number) => {
    const end = Date.now() + ms;
    for (;;) {
      const s = status();
      if (cond(s)) return s;
      if (Date.now() > end) throw new Error(`${what}: not reached: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  beforeAll(() => {
    const text = readFileSync(join(ROOT, 'topologies/lag-router-dx.yaml'), 'utf8').replace('minimumLinks: 0', 'minimumLinks: 2').replace('amazonAsn: 64512', 'amazonAsn: 64512\n        holdTimeS: 6');
    expect(text).toContain('minimumLinks: 2');
    expect(text).toContain('holdTimeS: 6');
    writeFileSync(topo, text);
    const up = spawnSync(process.execPath, [BIN, 'up', topo, '--name', lab], { cwd: ROOT, encoding: 'utf8', env, timeout: 90_000 });
    expect(up.status, up.stderr).toBe(0);
  }, 120_000);

  afterAll(() => {
    const down = spawnSync(process.execPath, [BIN, 'down', lab], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
    rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(topoDir, { recursive: true, force: true });
    expect(down.status, down.stderr).toBe(0);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
  }, 60_000);

  it('both members up: the logical port is up and BGP Established', async () => {
    await waitFor('LAG up, BGP Established', (s) => lagUp(s) && bgp(s) === 'Established', 90_000);
  }, 120_000);

  it('one member cut: the logical port goes down on both nodes, no ping crosses, BGP goes down at its hold time', async () => {
    expect(dxlab('wire', 'cut', 'router:eth1').status).toBe(0);
    await waitFor('logical port down', lagDown, 30_000);
    expect(dxlab('status').stdout).toMatch(/LAG router lag1: logical port down, 1 of 2 members distributing, minimumLinks 2/);
    const netns = (JSON.parse(readFileSync(join(stateDir, lab, 'state.json'), 'utf8')) as { nodes: Array<{ name: string; netns: string }> }).nodes.find((n) => n.name === 'router')!.netns;
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
