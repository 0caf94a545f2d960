/**
 * `dxlab graph` as a user runs it: a topology file to text or SVG, a running
 * lab's topology through --name (or the only lab), and a hint about graph's
 * own usage when there is nothing to draw. Labs here are state files in a
 * scratch DXLAB_STATE_DIR: graph reads no more than that.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
import { layoutProblems } from '../../helpers/svg-layout.js';
import { tempDir } from '../../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../../bin/dxlab.js', import.meta.url));
const tmp = tempDir('dxlab-graph-');

function graph(args: string[], o: { cwd?: string; stateDir: string }) {
  const r = spawnSync(process.execPath, [BIN, 'graph', ...args], { cwd: o.cwd ?? ROOT, encoding: 'utf8', env: { ...process.env, DXLAB_STATE_DIR: o.stateDir }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A scratch state folder holding the state files of labs built from these topology files. */
function stateDir(name: string, labs: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [lab, topology] of Object.entries(labs)) {
    mkdirSync(join(dir, lab), { recursive: true });
    writeFileSync(join(dir, lab, 'state.json'), JSON.stringify({ lab, kind: 'topology', topology, createdAt: new Date(0).toISOString(), captureDir: join(tmp, 'pcaps'), nodes: [], links: [] }));
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const emptyCwd = join(tmp, 'cwd');
mkdirSync(emptyCwd, { recursive: true });
const RDX = join(ROOT, 'topologies/router-dx.yaml');
const RSDX = join(ROOT, 'topologies/router-switch-dx.yaml');

describe('dxlab graph', () => {
  for (const file of [RDX, RSDX]) {
    it(`--svg of ${file.split('/').pop()}: the image's texts fit its canvas and stay off the boxes`, () => {
      const out = join(tmp, `${file.split('/').pop()}.svg`);
      const r = graph([file, '--svg', out], { stateDir: stateDir('none-svg', {}) });
      expect(r.status, r.stderr).toBe(0);
      expect(layoutProblems(readFileSync(out, 'utf8'))).toEqual([]);
    });
  }

  it('--json of a topology file shows its CKNs but no CAK', () => {
    const r = graph([RDX, '--json'], { stateDir: stateDir('none-json', {}) });
    expect(r.status, r.stderr).toBe(0);
    const cak = /cak:\s*"?([0-9a-fA-F]{32,64})/.exec(readFileSync(RDX, 'utf8'))![1]!;
    expect(r.stdout).not.toContain(cak.toLowerCase());
    expect(r.stdout).not.toContain(cak);
    expect((JSON.parse(r.stdout) as { links: Array<{ macsec?: { keyChain: Array<{ ckn: string }> } }> }).links[0]!.macsec!.keyChain[0]!.ckn).toMatch(/^[0-9a-f]+$/i);
  });

  it('--name LAB draws the topology that lab was built from', () => {
    const dir = stateDir('two', { alpha: RDX, beta: RSDX });
    const r = graph(['--name', 'beta'], { cwd: emptyCwd, stateDir: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('router-switch-dx (lab beta)');
    expect(r.stdout).toMatch(/switch:eth2\s+== MACsec should_encrypt/);
    const svg = join(tmp, 'beta.svg');
    expect(graph(['--name', 'alpha', '--svg', svg], { cwd: emptyCwd, stateDir: dir }).status).toBe(0);
    expect(readFileSync(svg, 'utf8')).toContain('>router-dx</text>');
  });

  it('with neither a topology nor --name: the only running lab', () => {
    const r = graph([], { cwd: emptyCwd, stateDir: stateDir('one', { only: RDX }) });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('router-dx (lab only)');
  });

  it("nothing to draw, or several labs: a usage error that says how graph is used, not how up is", () => {
    const none = graph([], { cwd: emptyCwd, stateDir: stateDir('none', {}) });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/dxlab graph TOPOLOGY/);
    expect(none.stderr).toMatch(/dxlab graph --name LAB/);
    expect(none.stderr).not.toMatch(/dxlab up/);
    const two = graph([], { cwd: emptyCwd, stateDir: stateDir('two-again', { alpha: RDX, beta: RSDX }) });
    expect(two.status).toBe(2);
    expect(two.stderr).toMatch(/several labs run \(alpha, beta\): give --name LAB/);
  });

  it('a lab whose topology file is gone, a lab that does not exist', () => {
    const dir = stateDir('gone', { gone: join(tmp, 'deleted.yaml') });
    const r = graph(['--name', 'gone'], { cwd: emptyCwd, stateDir: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`lab gone was built from ${join(tmp, 'deleted.yaml')}, which is gone`);
    expect(graph(['--name', 'nosuch'], { cwd: emptyCwd, stateDir: dir }).status).toBe(2);
  });

  it('--format dot and mermaid: each node by kind, each link hop by hop with its ports, mode, suites and VIF; no CAK', () => {
    const ATTACKER = join(ROOT, 'topologies/attacker-router-dx.yaml');
    const cak = /cak:\s*"?([0-9a-fA-F]{32,64})/.exec(readFileSync(ATTACKER, 'utf8'))![1]!;
    const dot = graph([ATTACKER, '--format', 'dot'], { stateDir: stateDir('none-dot', {}) });
    expect(dot.status, dot.stderr).toBe(0);
    expect(dot.stdout).toMatch(/^graph "attacker-router-dx" \{\n/);
    expect(dot.stdout).toContain('"mallory" [label="mallory\\nattacker"];');
    expect(dot.stdout).toContain('"router" -- "mallory" [label="router:eth1 - dx:eth1\\nMACsec should_encrypt\\ngcm-aes-xpn-256 / gcm-aes-256\\nVIF private-vif vlan 100", color="#c0392b", penwidth=3];');
    expect(dot.stdout).toContain('"mallory" -- "dx" [color="#c0392b", penwidth=3];');
    const mermaid = graph([RDX, '--format', 'mermaid'], { stateDir: stateDir('none-mermaid', {}) });
    expect(mermaid.stdout.split('\n')).toEqual(['graph LR', '  n_router["router<br/>router"]', '  n_dx["dx<br/>dx-device"]', '  n_router ===|"router:eth1 - dx:eth1<br/>MACsec should_encrypt<br/>gcm-aes-xpn-256 / gcm-aes-256<br/>VIF private-vif vlan 100"| n_dx', '']);
    for (const out of [dot.stdout, mermaid.stdout]) expect(out.toLowerCase()).not.toContain(cak.toLowerCase());
  });

  it('--format png --out FILE: the SVG as a PNG (rsvg-convert), no browser; svg and dot to a file; bad combinations refused', () => {
    const dir = stateDir('none-png', {});
    const png = join(tmp, 'rdx.png');
    const r = graph([RDX, '--format', 'png', '--out', png], { stateDir: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(png).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const svg = join(tmp, 'rdx-format.svg');
    expect(graph([RDX, '--format', 'svg', '--out', svg], { stateDir: dir }).status).toBe(0);
    expect(layoutProblems(readFileSync(svg, 'utf8'))).toEqual([]);
    expect(graph([RDX, '--format', 'png'], { stateDir: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('--format png needs --out FILE') });
    expect(graph([RDX, '--out', png], { stateDir: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('--out needs --format') });
    expect(graph([RDX, '--format', 'gif', '--out', png], { stateDir: dir }).status).toBe(2);
  });
});
