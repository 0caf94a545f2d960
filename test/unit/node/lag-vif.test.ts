/**
 * Live VIFs on a LAG's logical port (no root: two nodes joined by a 2-member
 * LAG on memory wires), as the AWS binding drives them for a VIF whose
 * connection is a LAG (CreatePrivateVirtualInterface with a dxlag- ID):
 * `addVif` with the LAG's name puts the TAP on the logical port, so its
 * frames are distributed over the members and what the members collect
 * reaches it; a member's own name is refused (its LAG's TAPs get what it
 * collects, a TAP of its own would hear nothing); `moveVif` takes the TAP
 * to the LAG and back; `removeVif` closes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { memoryWire } from '../../../src/io/index.js';
import { LabNode, controlRequest, type DeviceFactory } from '../../../src/node/index.js';
import { hostTaps, lagNodeConfig } from '../../helpers/memory-lag.js';
import { tempDir } from '../../helpers/tmp.js';
import { until } from '../../helpers/until.js';

const tmp = tempDir();
const CKN = '11'.repeat(32);
const CAK = '22'.repeat(32);
const suffix = randomBytes(3).toString('hex');
const sock = (name: string) => join(tmp, `${name}-${suffix}.sock`);

const config = (name: string, priority: number) => lagNodeConfig(name, { priority, socket: sock(name), captureDir: tmp, ckn: CKN, cak: CAK, ports: 3 });

const wires = [0, 1, 2].map((i) => memoryWire({ names: [`dx-w${i + 1}`, `rt-w${i + 1}`], macs: [Uint8Array.of(2, 0, 0, 0xd, 0, i + 1), Uint8Array.of(2, 0, 0, 0xe, 0, i + 1)], mtu: 1600 }));
const { hosts, tap: memoryTap } = hostTaps();
const devices = (side: 0 | 1): DeviceFactory => ({ wire: (p) => wires[Number(p.name.slice(3)) - 1]![side], tap: memoryTap });
const dx = new LabNode(config('dx', 16), devices(0));
const rt = new LabNode(config('rt', 32), devices(1));
const nodes: Record<string, LabNode> = { dx, rt };
const got = new Map<string, Uint8Array[]>();
const listen = (tap: string) => hosts.get(tap)!.start((fs) => got.set(tap, [...(got.get(tap) ?? []), ...fs]));
const distributing = (node: string) => (nodes[node]!.status() as unknown as { lags: Array<{ ports: Array<{ name: string; distributing: boolean }> }> }).lags[0]!.ports.filter((p) => p.distributing).map((p) => p.name);
const vifs = async (node: string) => ((await controlRequest(sock(node), { cmd: 'status' })).result as { vifs: Array<{ name: string; port: string; vlan: number | null }> }).vifs;
const tap = (name: string, vlan: number, address: string) => ({ name, vlan, mtu: 1500, addresses: [address] });

/** An Ethernet frame from host `src` to host `dst` with a payload of `len` octets; `id` in its last octet. */
function frame(src: number, dst: number, id: number): Uint8Array {
  const f = new Uint8Array(14 + 100).fill(0xaa);
  f.set([2, 0, 0, 0, 0, dst, 2, 0, 0, 0, 0, src, 0x08, 0x00]);
  f[f.length - 1] = id;
  return f;
}

/** Sends frames of many flows from one host TAP; resolves once the other has them all. */
async function across(from: string, to: string): Promise<void> {
  const before = got.get(to)?.length ?? 0;
  // Many source MACs: the distributor's flow hash spreads them over both members.
  hosts.get(from)!.send(Array.from({ length: 32 }, (_, i) => frame(i + 1, 0x99, i)));
  await until(() => (got.get(to)?.length ?? 0) >= before + 32, 10_000);
}

beforeAll(async () => {
  await dx.start();
  await rt.start();
  await until(() => distributing('dx').length === 2 && distributing('rt').length === 2, 15_000);
}, 20_000);
afterAll(async () => {
  await dx.stop();
  await rt.stop();
});

describe('VIFs on a LAG', () => {
  it('addVif with the LAG name: the TAP is on the logical port; frames of many flows cross both members, both ways', async () => {
    for (const [node, addr] of [['dx', '169.254.7.2/30'], ['rt', '169.254.7.1/30']] as const) {
      const r = (await controlRequest(sock(node), { cmd: 'addVif', port: 'lag1', tap: tap(`${node}-v7`, 7, addr) })).result;
      expect(r).toEqual({ name: `${node}-v7` });
      expect((await vifs(node)).find((v) => v.name === `${node}-v7`)).toMatchObject({ port: 'lag1', vlan: 7 });
      listen(`${node}-v7`);
    }
    const lag = (node: string) => (nodes[node]!.status() as unknown as { lags: Array<{ taps: Array<{ name: string }> }> }).lags[0]!.taps.map((t) => t.name);
    expect(lag('dx')).toEqual(['dx-v7']);
    const byMember = () => (nodes.rt!.lags[0]!.counters.txByMember as Record<string, number>);
    const sent = { ...byMember() };
    await across('rt-v7', 'dx-v7');
    await across('dx-v7', 'rt-v7');
    // Distributed: each member carried some of the rt -> dx flows.
    expect(byMember().eth1! - sent.eth1!).toBeGreaterThan(0);
    expect(byMember().eth2! - sent.eth2!).toBeGreaterThan(0);
  });

  it("addVif on a LAG's member is refused, naming the LAG; nothing is made", async () => {
    const before = await vifs('dx');
    await expect(controlRequest(sock('dx'), { cmd: 'addVif', port: 'eth1', tap: tap('dx-v8', 8, '169.254.8.2/30') })).rejects.toThrow(/port eth1 is a member of LAG lag1: a VIF goes on the LAG \('lag1'\)/);
    await expect(controlRequest(sock('dx'), { cmd: 'addVif', port: 'lag9', tap: tap('dx-v8', 8, '169.254.8.2/30') })).rejects.toThrow(/no port or LAG 'lag9' on node dx \(ports: eth1, eth2, eth3; LAGs: lag1\)/);
    expect(await vifs('dx')).toEqual(before);
    expect(hosts.has('dx-v8')).toBe(false);
  });

  it('moveVif off the LAG to eth3 and back: the same TAP, frames cross each way it sits', async () => {
    for (const node of ['dx', 'rt']) {
      const r = (await controlRequest(sock(node), { cmd: 'moveVif', name: `${node}-v7`, to: 'eth3' })).result;
      expect(r).toMatchObject({ name: `${node}-v7`, port: 'eth3', vlan: 7 });
    }
    await across('rt-v7', 'dx-v7');
    for (const node of ['dx', 'rt']) {
      const r = (await controlRequest(sock(node), { cmd: 'moveVif', name: `${node}-v7`, to: 'lag1' })).result;
      expect(r).toMatchObject({ name: `${node}-v7`, port: 'lag1', vlan: 7 });
    }
    // Back on the LAG: the 32 frames are the LAG's to distribute (eth3's wire also carries its MKPDUs, so it is not counted).
    const sum = () => Object.values(nodes.rt!.lags[0]!.counters.txByMember).reduce((a, b) => a + b, 0);
    const before = sum();
    await across('rt-v7', 'dx-v7');
    expect(sum() - before).toBe(32);
  });

  it('removeVif takes the TAP off the LAG and out of the status', async () => {
    for (const node of ['dx', 'rt']) expect((await controlRequest(sock(node), { cmd: 'removeVif', name: `${node}-v7` })).result).toMatchObject({ name: `${node}-v7` });
    expect((await vifs('dx')).some((v) => v.name === 'dx-v7')).toBe(false);
    expect((nodes.dx!.status() as unknown as { lags: Array<{ taps: unknown[] }> }).lags[0]!.taps).toEqual([]);
  });
});
