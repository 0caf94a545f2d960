/**
 * BGP through dxlab's MACsec link (root): `linkUp` builds two namespaces and
 * two node processes; each node is restarted with a `bgp` section on its
 * TAP (the builtin speaker on both, the router active, the DX device
 * passive, TCP MD5 on), and the session reaches Established across the
 * secured link: the routes each side advertises appear in the other
 * namespace's table. Runs the built CLI (dist/), as the link test does.
 * Everything is removed afterwards, also when a test fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { linkDown, linkUp, stopProcess, type LinkState } from '../../../src/lab/index.js';
import { spawnInNetns } from '../../../src/lab/host.js';
import { stateFile } from '../../../src/lab/paths.js';
import { controlRequest } from '../../../src/node/index.js';
import type { BgpPeerStatus } from '../../../src/node/bgp/index.js';
import { nativeAvailable } from '../../../src/io/index.js';

const isRoot = process.getuid?.() === 0;
const LAB = `tb-${randomBytes(3).toString('hex')}`;
const BIN = resolve('bin/dxlab.js');

async function until(what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!isRoot || !nativeAvailable())('BGP between two nodes through the MACsec link', () => {
  let lab: LinkState;

  beforeAll(async () => {
    lab = await linkUp({ name: LAB, fast: true, logLevel: 'warn' });
    const bgp = {
      rt: { localAsn: 64512, peerAsn: 7224, peerAddress: '169.254.100.2', md5Key: 'lab md5', holdTimeS: 9, keepaliveS: 3, prefixes: ['198.51.100.0/24'] },
      dx: { localAsn: 7224, peerAsn: 64512, peerAddress: '169.254.100.1', md5Key: 'lab md5', holdTimeS: 9, keepaliveS: 3, passive: true, prefixes: ['10.100.0.0/16'] },
    };
    for (const n of lab.nodes) {
      await stopProcess(n.pid);
      const config = JSON.parse(readFileSync(n.config, 'utf8'));
      config.ports[0].taps[0].bgp = bgp[n.node];
      writeFileSync(n.config, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
      n.pid = spawnInNetns(n.netns, [process.execPath, BIN, 'node', '--config', n.config], n.log);
      // linkDown stops the processes named in the state file.
      writeFileSync(stateFile(LAB), JSON.stringify(lab, null, 2) + '\n');
    }
  });

  afterAll(async () => {
    const r = await linkDown(LAB);
    expect(r.leftover).toEqual([]);
  });

  it('MKA secures, then the builtin speakers reach Established with TCP MD5 and exchange routes', async () => {
    const peer = async (socket: string) => {
      try {
        return ((await controlRequest(socket, { cmd: 'bgp' })).result as { peers: BgpPeerStatus[] }).peers[0];
      } catch {
        return undefined;
      }
    };
    const secured = async (socket: string) => {
      try {
        return ((await controlRequest(socket, { cmd: 'status', port: 'eth1' })).result as { kay: { secured: boolean } }).kay.secured;
      } catch {
        return false;
      }
    };
    const [rt, dx] = [lab.nodes.find((n) => n.node === 'rt')!, lab.nodes.find((n) => n.node === 'dx')!];
    await until('MKA secured', async () => (await secured(rt.socket)) && (await secured(dx.socket)), 20_000);
    await until('Established', async () => (await peer(rt.socket))?.state === 'Established' && (await peer(dx.socket))?.state === 'Established', 30_000);
    const p = (await peer(rt.socket))!;
    expect(p).toMatchObject({ speaker: 'builtin', md5: true, holdTimeS: 9, keepaliveS: 3, lastError: null });
    const routes = (ns: string) => execFileSync('ip', ['-n', ns, 'route', 'show'], { encoding: 'utf8' });
    await until('routes', async () => /10\.100\.0\.0\/16 via 169\.254\.100\.2 .*proto bgp/.test(routes(rt.netns)) && /198\.51\.100\.0\/24 via 169\.254\.100\.1 .*proto bgp/.test(routes(dx.netns)), 10_000);
    // The session's segments travelled inside MACsec: the DX side's SecY validated frames from the router.
    const c = (await controlRequest(dx.socket, { cmd: 'counters', port: 'eth1' })).result as { secy: { rxScs: Array<{ inPktsOK: number }> } };
    expect(c.secy.rxScs[0]!.inPktsOK).toBeGreaterThan(5);
  });
});
