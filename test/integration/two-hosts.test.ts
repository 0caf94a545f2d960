/**
 * A lab across two hosts (root): two network namespaces play two hosts,
 * joined by a veth underlay with their own addresses (192.0.2.1 and
 * 192.0.2.2, as topologies/router-dx-two-hosts.yaml names them). On each,
 * `dxlab up --on-host a|b` brings up its half of router-dx (the router on
 * a, the DX device on b) with its own state folder; the link is a VXLAN
 * tunnel over the underlay. MKA secures across it, BGP reaches Established,
 * a TCP stream (iperf3) passes, and a capture of the underlay shows VXLAN
 * carrying nothing but MACsec and EAPOL frames. `down` on each host removes
 * that host's half and leaves the other's alone; everything is removed
 * afterwards, also when a test fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { tshark } from '../helpers/tshark.js';
import { hostStatus, iperf3, makeTwoHosts, until, type TwoHosts } from '../helpers/two-hosts.js';
import { controlRequest } from '../../src/node/index.js';
import type { KayStatus } from '../../src/mka/index.js';

async function untilAsync(what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isRoot = process.getuid?.() === 0;
const TOPO = 'topologies/router-dx-two-hosts.yaml';
const tag = randomBytes(3).toString('hex');
const LAB = `vxlan-${tag}`;
/** What the tunnel needs: wire MTU 1536 (TAP 1500 + MACsec 32 + VLAN tag 4) + VXLAN 50 over IPv4. */
const UNDERLAY_MTU = 1586;
const PATIENCE = 30_000;
const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

describe.skipIf(!isRoot)('a lab across two hosts, its link in VXLAN', () => {
  let t: TwoHosts | undefined;
  let capture: ChildProcess | undefined;
  let vni = 0;
  const pcap = () => join(t!.scratch, 'underlay.pcapng');
  const onHost = (h: 'a' | 'b', ...args: string[]) => t!.dxlab(h, ...args);
  const statusOf = (h: 'a' | 'b') => hostStatus(t!, h, LAB);

  beforeAll(async () => {
    t = makeTwoHosts('vxlan', tag, UNDERLAY_MTU);
  }, 60_000);

  afterAll(async () => {
    if (capture?.exitCode === null) capture.kill('SIGKILL');
    if (t) for (const h of ['a', 'b'] as const) onHost(h, 'down', LAB);
    t?.remove();
    rmSync(join(ROOT, 'pcaps', LAB), { recursive: true, force: true });
    expect(namespaces()).not.toMatch(new RegExp(`${LAB}|${tag}`));
  }, 60_000);

  // A host the topology does not name (`--on-host ../etc/passwd`) is refused before this, by hostPart (test/unit/lab/hosts.test.ts).
  it("refuses the other host's part (its underlay address is not here), changing nothing", () => {
    const wrong = onHost('a', 'up', TOPO, '--on-host', 'b', '--name', LAB, '--no-api');
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/topology\.hosts\.b\.underlay\.address: 192\.0\.2\.2 is on no interface of this host/);
    expect(namespaces()).not.toContain(LAB);
    expect(existsSync(join(t!.hosts.a.stateDir, LAB))).toBe(false);
  });

  it("brings up each host's half: MKA secures across the tunnel, BGP Established, a TCP stream passes", async () => {
    const upA = onHost('a', 'up', TOPO, '--on-host', 'a', '--name', LAB, '--no-api');
    expect(upA.status, upA.stderr).toBe(0);
    // The underlay fits the tunnel: no MTU warning.
    expect(upA.stderr).not.toMatch(/warning/);
    const upB = onHost('b', 'up', TOPO, '--on-host', 'b', '--name', LAB, '--no-api');
    expect(upB.status, upB.stderr).toBe(0);
    // Each host runs its half only, with its end of one tunnel (one VNI, towards the other's address).
    const [sa, sb] = [statusOf('a'), statusOf('b')];
    expect(sa.nodes.map((n) => n.name)).toEqual(['router']);
    expect(sb.nodes.map((n) => n.name)).toEqual(['dx']);
    expect(sa.host!.tunnels).toHaveLength(1);
    expect(sa.host!.tunnels[0]).toMatchObject({ remote: '192.0.2.2', vni: sb.host!.tunnels[0]!.vni });
    expect(sb.host!.tunnels[0]).toMatchObject({ remote: '192.0.2.1' });
    vni = sa.host!.tunnels[0]!.vni;
    const wire = execFileSync('ip', ['-n', `dxlab-${LAB}-router`, '-d', 'link', 'show', 'type', 'vxlan'], { encoding: 'utf8' });
    expect(wire).toMatch(new RegExp(`vxlan id ${sa.host!.tunnels[0]!.vni} remote 192\\.0\\.2\\.2 local 192\\.0\\.2\\.1 .*dstport 4789`));

    // Polled on the nodes' control sockets (each in its host's state folder): a dxlab process per poll costs seconds on a loaded machine.
    const sockets = [join(t!.hosts.a.stateDir, LAB, 'router.sock'), join(t!.hosts.b.stateDir, LAB, 'dx.sock')];
    const ask = (cmd: string) => Promise.all(sockets.map((socket) => controlRequest(socket, { cmd }).then((r) => r.result as { ports?: Array<{ kay?: KayStatus }>; peers?: Array<{ state: string }> })));
    await untilAsync('MKA secured on both hosts', async () => (await ask('status')).every((r) => r.ports!.every((p) => p.kay?.secured)), PATIENCE);
    // The underlay as seen on host a, both directions of the tunnel, from here on. Not from
    // the start: the router, up first and alone, falls back to clear after its MKA Life Time
    // (should_encrypt, as AWS's) and its kernel's first ND and ARP frames cross in the clear
    // until host b's DX device answers.
    capture = spawn('ip', ['netns', 'exec', t!.hosts.a.ns, 'dumpcap', '-q', '-i', t!.hosts.a.veth, '-f', 'udp port 4789', '-w', pcap()], { stdio: 'ignore' });
    await until('the underlay capture running', () => existsSync(pcap()), 10_000);
    await untilAsync('BGP Established on both hosts', async () => (await ask('bgp')).every((r) => r.peers!.length === 2 && r.peers!.every((p) => p.state === 'Established')), 60_000);
    // Established first, then the UPDATE: the learnt route reaches the router's table a moment later.
    await until('the route learnt over BGP', () => /172\.31\.0\.0\/16 via 169\.254\.100\.2 .*proto bgp/.test(execFileSync('ip', ['-n', `dxlab-${LAB}-router`, 'route'], { encoding: 'utf8' })), 15_000);

    const r = await iperf3(`dxlab-${LAB}-router`, `dxlab-${LAB}-dx`, '169.254.100.2', 2);
    expect(r.bytes).toBeGreaterThan(1_000_000);
  }, 180_000);

  it('once secured, the underlay carries VXLAN with only MACsec and EAPOL frames inside, unfragmented', async () => {
    capture!.kill('SIGINT');
    await new Promise((r) => capture!.once('exit', r));
    // One line per packet of the tunnel: addresses, port, fragment bits, and each eth.type (outer IPv4's, then the inner frame's).
    const packets = tshark(pcap(), 'udp.port == 4789', ['ip.src', 'ip.dst', 'udp.dstport', 'ip.flags.mf', 'ip.frag_offset', 'vxlan.vni', 'eth.type']).map((l) => l.split('\t'));
    expect(packets.length).toBeGreaterThan(100);
    const inner = new Set(packets.map((p) => p[6]!.split(',').pop()));
    expect([...inner].sort()).toEqual(['0x888e', '0x88e5']);
    // Both directions, between the two underlay addresses, to VXLAN's port, on the link's VNI.
    const flows = new Set(packets.map((p) => p.slice(0, 3).join(' ')));
    expect([...flows].sort()).toEqual(['192.0.2.1 192.0.2.2 4789', '192.0.2.2 192.0.2.1 4789']);
    expect(new Set(packets.map((p) => Number(p[5])))).toEqual(new Set([vni]));
    // The underlay's MTU fits: no packet of the tunnel was fragmented.
    expect(packets.filter((p) => !['0', 'False'].includes(p[3]!) || p[4] !== '0')).toEqual([]);
  }, 60_000);

  it("down on one host removes its half and leaves the other's", () => {
    const r = onHost('a', 'down', LAB);
    expect(r.status, r.stderr).toBe(0);
    const ns = namespaces();
    expect(ns).not.toContain(`dxlab-${LAB}-router`);
    expect(ns).toContain(`dxlab-${LAB}-dx`);
    expect(statusOf('b').nodes.map((n) => [n.name, n.running])).toEqual([['dx', true]]);
    expect(onHost('b', 'down', LAB).status).toBe(0);
    expect(namespaces()).not.toContain(LAB);
  }, 60_000);
});
