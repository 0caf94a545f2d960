/**
 * Both AWS topologies (root): up, MKA secures, BGP reaches Established over
 * MACsec, the wire capture holds no cleartext ARP or TCP 179, and down leaves
 * no namespace, link, TAP or process behind. Then `dxlab demo --json` (under
 * a free name, leaving a lab named demo alone), and `down` and `link down`
 * with an empty or garbled state file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labDown, labUp, loadTopology, type LabState } from '../../src/lab/index.js';
import { controlRequest } from '../../src/node/index.js';
import type { KayStatus } from '../../src/mka/index.js';
import { ROOT, dxlab } from '../helpers/cli.js';
import { tshark } from '../helpers/tshark.js';
import { tempDir } from '../helpers/tmp.js';

const isRoot = process.getuid?.() === 0;

async function until(what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function nothingLeft(lab: string, state: LabState): void {
  expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
  const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
  for (const l of state.links) for (const w of l.wires) expect(links).not.toContain(w);
  for (const n of state.nodes) {
    for (const t of n.taps) expect(links).not.toContain(t.name);
    expect(() => process.kill(n.pid, 0)).toThrow();
  }
}

for (const file of ['router-dx.yaml', 'router-switch-dx.yaml']) {
  describe.skipIf(!isRoot)(`topology ${file}`, () => {
    const lab = `t${randomBytes(3).toString('hex')}`;
    let state: LabState | undefined;
    afterAll(async () => {
      const r = await labDown(lab);
      expect(r.leftover).toEqual([]);
      if (state) nothingLeft(lab, state);
      rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
    }, 60_000);

    it('comes up: MKA secured, BGP Established over MACsec, ping across the VIF', async () => {
      const topo = loadTopology(join(ROOT, 'topologies', file));
      state = await labUp(topo, lab);
      const router = state.nodes.find((n) => n.kind === 'router')!;
      const macsecNodes = state.nodes.filter((n) => n.kind !== 'router' || topo.links.some((l) => l.macsec && (l.a.node === n.name || l.b.node === n.name)));
      await until('MKA secured', async () => {
        for (const n of macsecNodes) {
          const st = (await controlRequest(n.socket, { cmd: 'status' })).result as { ports: Array<{ kind: string; kay?: KayStatus }> };
          if (!st.ports.filter((p) => p.kind === 'macsec').every((p) => p.kay!.secured)) return false;
        }
        return true;
      }, 15_000);
      const sessions = topo.vifs[0]!.ipv6 ? 2 : 1;
      await until('BGP Established', async () => {
        const peers = ((await controlRequest(router.socket, { cmd: 'bgp' })).result as { peers: Array<{ state: string }> }).peers;
        return peers.length === sessions && peers.every((p) => p.state === 'Established');
      }, 60_000);
      if (sessions === 2) await until('the IPv6 route', async () => /2001:db8:2000::\/56 via .* proto bgp/.test(execFileSync('ip', ['-n', router.netns, '-6', 'route'], { encoding: 'utf8' })), 10_000);
      const peer = topo.vifs[0]!.ipv4[1].split('/')[0]!;
      const ping = execFileSync('ip', ['netns', 'exec', router.netns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', peer], { encoding: 'utf8' });
      expect(ping).toMatch(/3 received/);
      // The routes BGP learnt are in the router's table.
      expect(execFileSync('ip', ['-n', router.netns, 'route'], { encoding: 'utf8' })).toMatch(/172\.31\.0\.0\/16 via .* proto bgp/);
    }, 120_000);

    it("the CAKs are in the lab's root-only key file, which the node configs reference; no config or state holds one", () => {
      const topo = loadTopology(join(ROOT, 'topologies', file));
      const caks = topo.links.flatMap((l) => l.macsec?.keyChain.map((k) => k.cak) ?? []);
      expect(caks.length).toBeGreaterThan(0);
      expect(state!.keyFiles).toHaveLength(1);
      const keyFile = state!.keyFiles![0]!;
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(keyFile, 'utf8')).toContain(caks[0]);
      const referenced = state!.nodes.flatMap((n) => (JSON.parse(readFileSync(n.config, 'utf8')) as { ports: Array<{ macsec?: { keyFile?: string } }> }).ports.flatMap((p) => (p.macsec ? [p.macsec.keyFile] : [])));
      expect(referenced.length).toBeGreaterThan(0);
      expect(new Set(referenced)).toEqual(new Set([keyFile]));
      for (const f of [...state!.nodes.map((n) => n.config), join(keyFile, '..', 'state.json')]) for (const cak of caks) expect(readFileSync(f, 'utf8')).not.toContain(cak);
    });

    it('the wire capture holds no cleartext ARP or TCP 179, only MACsec and MKPDUs', async () => {
      const topo = loadTopology(join(ROOT, 'topologies', file));
      const c = topo.captures[0]!;
      const n = state!.nodes.find((x) => x.name === c.node)!;
      const wire = join(state!.captureDir, `${c.node}-${c.port}-wire.pcapng`);
      const decrypted = join(state!.captureDir, `${c.node}-${c.port}-decrypted.pcapng`);
      for (const side of ['wire', 'decrypted']) await controlRequest(n.socket, { cmd: 'capture', port: c.port, stop: join(state!.captureDir, `${c.node}-${c.port}-${side}.pcapng`) });
      expect(tshark(wire, 'arp || tcp.port == 179 || !(eth.type == 0x88e5 || eth.type == 0x888e)', ['frame.number'])).toEqual([]);
      // ...while the decrypted copy shows them: they did cross this link, inside MACsec.
      expect(tshark(decrypted, 'arp', ['frame.number']).length).toBeGreaterThan(0);
      expect(tshark(decrypted, 'bgp.type == 1', ['frame.number']).length).toBeGreaterThan(0);
    });
  });
}

describe.skipIf(!isRoot)('dxlab demo', () => {
  const root = tempDir('dxlab-demo-state-');
  it('brings up topology 2 under a free name (a lab named demo is in the way), reaches Established, loses no ping, writes captures and keys, leaves nothing and the other lab untouched', () => {
    // Someone else's lab named demo, in a private state root: the demo must
    // neither tear it down nor touch its folder.
    mkdirSync(join(root, 'demo'));
    const theirs = JSON.stringify({ lab: 'demo', kind: 'topology', owner: { uid: 4242, checkout: '/elsewhere' }, nodes: [], links: [] });
    writeFileSync(join(root, 'demo', 'state.json'), theirs);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/dxlab.js'), 'demo', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DXLAB_STATE_DIR: root } });
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as { lab: string; secureMs: number; bgpState: string; pingLossPct: number; captures: Array<{ side: string; path: string }>; keys: string; leftover: string[] };
    try {
      expect(d.lab).toMatch(/^demo-[2-9]$/);
      expect(d.bgpState).toBe('Established');
      expect(d.pingLossPct).toBe(0);
      expect(d.leftover).toEqual([]);
      expect(d.captures.map((c) => c.side).sort()).toEqual(['clear', 'decrypted', 'wire']);
      expect(d.keys).toMatch(/\.keys\.json$/);
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${d.lab}-`);
      expect(existsSync(join(root, d.lab))).toBe(false);
      expect(readFileSync(join(root, 'demo', 'state.json'), 'utf8')).toBe(theirs);
    } finally {
      rmSync(join(ROOT, 'pcaps', d.lab), { recursive: true, force: true });
    }
  }, 150_000);

  it('--name of a lab that exists: refused, that lab untouched', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/dxlab.js'), 'demo', '--name', 'demo'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DXLAB_STATE_DIR: root } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/a lab named 'demo' exists already/);
    expect(existsSync(join(root, 'demo', 'state.json'))).toBe(true);
  });
});

describe.skipIf(!isRoot)('down with an unreadable state file', () => {
  const root = tempDir('dxlab-corrupt-state-');
  for (const [what, content, verb] of [
    ['an empty', '', ['down']],
    ['a garbled', '{"lab": "x", "kind": "link", "nodes": [{"node": "rt", "ne', ['link', 'down']],
  ] as const) {
    it(`${verb.join(' ')} with ${what} state.json removes the lab's namespaces, its folder, and says it went by the names`, () => {
      const lab = `c${randomBytes(3).toString('hex')}`;
      const namespaces = [`dxlab-${lab}-rt`, `dxlab-${lab}-dx`];
      try {
        for (const ns of namespaces) execFileSync('ip', ['netns', 'add', ns]);
        mkdirSync(join(root, lab));
        writeFileSync(join(root, lab, 'state.json'), content);
        writeFileSync(join(root, lab, 'rt.log'), 'a node log\n');
        const r = spawnSync(process.execPath, [join(ROOT, 'bin/dxlab.js'), ...verb, lab, '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DXLAB_STATE_DIR: root } });
        expect(r.status, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout) as { removed: string[]; leftover: string[]; notes: string[] };
        expect(out.leftover).toEqual([]);
        expect(out.removed.sort()).toEqual(namespaces.map((ns) => `netns ${ns}`).sort());
        expect(r.stderr).toMatch(new RegExp(`state file .*${lab}/state\\.json is unreadable \\((empty|not JSON)`));
        expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
        expect(existsSync(join(root, lab))).toBe(false);
      } finally {
        for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
      }
    });
  }

  it('status with an empty state file: one line saying so, not a JSON parser error', () => {
    const lab = `c${randomBytes(3).toString('hex')}`;
    mkdirSync(join(root, lab));
    writeFileSync(join(root, lab, 'state.json'), '');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/dxlab.js'), 'status', '--name', lab], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DXLAB_STATE_DIR: root } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`dxlab: lab ${lab}: its state file ${join(root, lab, 'state.json')} is unreadable (empty); dxlab down ${lab} removes the lab by its names`);
  });
});

describe.skipIf(!isRoot)('down after a crash', () => {
  it('a dxlab up killed with SIGKILL halfway leaves nothing that dxlab down does not remove, even without its state file', async () => {
    const lab = `k${randomBytes(3).toString('hex')}`;
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(ROOT, 'bin/dxlab.js'), 'up', join(ROOT, 'topologies/router-switch-dx.yaml'), '--name', lab], { stdio: 'ignore' });
    await until('namespaces and a node process', async () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(`dxlab-${lab}-dx`) && execFileSync('ps', ['ax', '-o', 'args'], { encoding: 'utf8' }).includes(`/${lab}/`), 20_000);
    child.kill('SIGKILL');
    rmSync(join('/run/dxlab', lab, 'state.json'), { force: true });
    const r = dxlab('down', lab, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).leftover).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
    expect(execFileSync('ps', ['ax', '-o', 'args'], { encoding: 'utf8' })).not.toContain(`/${lab}/`);
    rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
  }, 60_000);
});

describe.skipIf(!isRoot)('two labs side by side', () => {
  it('the same topology under two names: both secure and pass a ping, and each down removes only its own', async () => {
    const names = [`a${randomBytes(3).toString('hex')}`, `b${randomBytes(3).toString('hex')}`];
    const topo = loadTopology(join(ROOT, 'topologies/router-dx.yaml'));
    try {
      const labs = await Promise.all(names.map((n) => labUp(topo, n)));
      for (const lab of labs) {
        const router = lab.nodes.find((n) => n.kind === 'router')!;
        await until('MKA secured', async () => ((await controlRequest(router.socket, { cmd: 'status', port: 'eth1' })).result as { kay: KayStatus }).kay.secured, 15_000);
        expect(execFileSync('ip', ['netns', 'exec', router.netns, 'ping', '-c', '2', '-i', '0.2', '-W', '2', '169.254.100.2'], { encoding: 'utf8' })).toMatch(/2 received/);
      }
      // A process a user left running in a node's namespace goes with the lab.
      const marker = String(900000 + Math.floor(Math.random() * 99999));
      const { spawn } = await import('node:child_process');
      spawn('ip', ['netns', 'exec', labs[0]!.nodes[0]!.netns, 'sleep', marker], { detached: true, stdio: 'ignore' }).unref();
      await until('the process runs', async () => execFileSync('ps', ['ax', '-o', 'args'], { encoding: 'utf8' }).includes(`sleep ${marker}`), 5000);
      await labDown(names[0]!);
      expect(execFileSync('ps', ['ax', '-o', 'args'], { encoding: 'utf8' })).not.toContain(`sleep ${marker}`);
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      expect(left).not.toContain(`dxlab-${names[0]}-`);
      expect(left).toContain(`dxlab-${names[1]}-router`);
    } finally {
      for (const n of names) {
        await labDown(n);
        rmSync(join(ROOT, 'pcaps', n), { recursive: true, force: true });
      }
    }
  }, 90_000);
});
