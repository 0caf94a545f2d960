/**
 * What the lab verbs print on a live lab (root): AWS topology 1 (router --
 * switch -- DX device) has a node with only a plain port, a node with a plain
 * and a MACsec port, and a BGP session; status, show, set and graph run as a
 * user runs them, from the built dxlab, with a private DXLAB_STATE_DIR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const BIN = fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url));

describe.skipIf(!isRoot)('lab output: router-switch-dx', () => {
  const lab = `o${randomBytes(3).toString('hex')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-output-'));
  const dxlab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DXLAB_STATE_DIR: stateDir }, timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    const up = dxlab('up', 'topologies/router-switch-dx.yaml', '--name', lab);
    expect(up.status, up.stderr).toBe(0);
    const end = Date.now() + 90_000;
    for (;;) {
      const s = JSON.parse(dxlab('status', '--json').stdout) as { nodes: Array<{ ports: Array<{ kind: string; secured: boolean | null }>; bgp: Array<{ state: string }> }> };
      const secured = s.nodes.every((n) => n.ports.every((p) => p.kind !== 'macsec' || p.secured));
      const bgp = s.nodes.flatMap((n) => n.bgp);
      if (secured && bgp.length === 2 && bgp.every((b) => b.state === 'Established')) break;
      if (Date.now() > end) throw new Error(`lab ${lab} not secured with BGP Established: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 120_000);

  afterAll(() => {
    const down = dxlab('down', lab);
    rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    expect(down.status, down.stderr).toBe(0);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
  }, 60_000);

  it('status: every port with its mode and MACsec state, every BGP session with state and prefixes', () => {
    const r = dxlab('status');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^node\s+kind\s+pid\s+port\s+mode\s+MACsec$/);
    expect(r.stdout).toMatch(/\nrouter\s+router\s+\d+\s+eth1\s+-\s+plain port\n/);
    expect(r.stdout).toMatch(/\nswitch\s+switch\s+\d+\s+eth2\s+should_encrypt\s+secured\n/);
    expect(r.stdout).toMatch(/\ndx\s+dx-device\s+\d+\s+eth1\s+should_encrypt\s+secured\n/);
    expect(r.stdout).toMatch(/\nrouter\s+private-vif\s+169\.254\.200\.1 AS65001\s+169\.254\.200\.2 AS64512\s+Established\s+\d[^\n]*\s+IPv4 1\s+IPv4 1\n/);
  });

  it('show bgp: aligned text, never JSON; a node without BGP exits 1', () => {
    const r = dxlab('show', 'bgp', 'router');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[{}"]/);
    expect(r.stdout).toMatch(/^router \S+ \(VIF private-vif\): BGP 169\.254\.200\.1 AS65001 <-> 169\.254\.200\.2 AS64512, builtin speaker\n {2}state\s+Established, up /);
    expect(r.stdout).toMatch(/received\s+IPv4 1, IPv6 0\n\s+advertised\s+IPv4 1, IPv6 0\n\s+hold time\s+90 s, keepalive 30 s, connect retry 120 s\n\s+TCP MD5\s+no\n\s+last error\s+-\n$/);
    const none = dxlab('show', 'bgp', 'switch');
    expect([none.status, none.stdout, none.stderr]).toEqual([1, '', `dxlab: node switch runs no BGP session\n`]);
  });

  it('show mka and show macsec: a node with only a plain port exits 1 saying where MACsec runs; a plain port named exits 2', () => {
    for (const what of ['mka', 'macsec']) {
      const r = dxlab('show', what, 'router');
      expect([r.status, r.stdout, r.stderr]).toEqual([1, '', 'dxlab: node router has no MACsec port (eth1: plain); MACsec runs on switch eth2, dx eth1\n']);
      const named = dxlab('show', what, 'switch', 'eth1');
      expect(named.status).toBe(2);
      expect(named.stderr).toMatch(/^dxlab: port eth1 of node switch is a plain port/);
    }
    const mka = dxlab('show', 'mka', 'switch');
    expect(mka.status, mka.stderr).toBe(0);
    expect(mka.stdout).toMatch(/^switch eth2: MKA Secured, mode should_encrypt, controlled port secured\n/);
  });

  it('set: one line saying what changed', () => {
    expect(dxlab('set', 'switch', 'eth2', 'mode', 'must_encrypt').stdout).toBe('switch eth2: mode should_encrypt -> must_encrypt\n');
    expect(dxlab('set', 'switch', 'eth2', 'mode', 'should_encrypt').stdout).toBe('switch eth2: mode must_encrypt -> should_encrypt\n');
    expect(dxlab('set', 'dx', 'eth1', 'rekey').stdout).toBe('dx eth1: rekey requested: this node is the key server and distributes a new SAK\n');
    const plain = dxlab('set', 'router', 'eth1', 'mode', 'must_encrypt');
    expect(plain.status).toBe(2);
  });

  it('graph: the running lab, by --name and as the only lab', () => {
    for (const args of [['--name', lab], []]) {
      const r = dxlab('graph', ...args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe(`router-switch-dx (lab ${lab})`);
    }
  });
});
