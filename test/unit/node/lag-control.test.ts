/**
 * The control socket's LAG-wide commands (no root: two nodes joined by a
 * 2-member LAG on memory wires): `addKey`, `removeKey` and `setMode` with
 * `"lag"` change every member at once (AWS: MACsec is configured at the LAG
 * level, directconnect-api.md V8, V15); `setMinimumLinks` and `lagMember`
 * change the LAG itself. A refusal names what was wrong and changes no
 * member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { memoryWire } from '../../../src/io/index.js';
import { LabNode, NodeError, controlRequest, type DeviceFactory } from '../../../src/node/index.js';
import { lagNodeConfig } from '../../helpers/memory-lag.js';
import type { KayStatus } from '../../../src/mka/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { until } from '../../helpers/until.js';

const tmp = tempDir();
const CKN = '11'.repeat(32);
const CAK = '22'.repeat(32);
const CKN2 = '44'.repeat(32);
const CAK2 = '55'.repeat(32);
const suffix = randomBytes(3).toString('hex');
const sock = (name: string) => join(tmp, `${name}-${suffix}.sock`);

const config = (name: string, priority: number) => lagNodeConfig(name, { priority, socket: sock(name), captureDir: tmp, ckn: CKN, cak: CAK, lagTaps: [{ name: `${name}-lag` }] });

const wires = [0, 1].map((i) => memoryWire({ names: [`dx-w${i + 1}`, `rt-w${i + 1}`], macs: [Uint8Array.of(2, 0, 0, 0xd, 0, i + 1), Uint8Array.of(2, 0, 0, 0xe, 0, i + 1)], mtu: 1600 }));
const devices = (side: 0 | 1): DeviceFactory => ({
  wire: (p) => wires[Number(p.name.slice(3)) - 1]![side],
  tap: (t) => memoryWire({ names: [t.name, `${t.name}-host`], mtu: t.mtu })[0],
});
const dx = new LabNode(config('dx', 16), devices(0));
const rt = new LabNode(config('rt', 32), devices(1));

interface LagView {
  minimumLinks: number;
  logicalPortUp: boolean;
  ports: Array<{ name: string; distributing: boolean; lacpEnabled: boolean; mux: string }>;
}
const nodes: Record<string, LabNode> = { dx, rt };
const lagOf = async (node: string) => ((await controlRequest(sock(node), { cmd: 'lag', lag: 'lag1' })).result as { lags: LagView[] }).lags[0]!;
const kay = async (node: string, port: string) => ((await controlRequest(sock(node), { cmd: 'status', port })).result as { kay: KayStatus }).kay;
const chain = async (node: string, port: string) => (await kay(node, port)).participants.map((p) => p.ckn);
// Read from the node object for the polls (until() takes a synchronous condition).
const lagNow = (node: string) => (nodes[node]!.status() as unknown as { lags: LagView[] }).lags[0]!;
const distributing = (node: string) => lagNow(node).ports.filter((p) => p.distributing).map((p) => p.name);
/** The CKN MKA secured the member with, if it is secured. */
const securedWith = (node: string, port: string) => {
  const k = (nodes[node]!.port(port).status() as { kay: KayStatus }).kay;
  return k.secured ? k.keyChain.inUse : undefined;
};

async function refusal(node: string, req: Record<string, unknown>): Promise<string> {
  try {
    await controlRequest(sock(node), req);
  } catch (e) {
    expect(e).toBeInstanceOf(NodeError);
    expect((e as { remoteCode?: string }).remoteCode).toBe('badRequest');
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(req)} was accepted`);
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

describe('LAG-wide keys', () => {
  it('addKey with "lag" adds the pair to every member, and answers each chain without a CAK', async () => {
    for (const node of ['dx', 'rt']) {
      const r = (await controlRequest(sock(node), { cmd: 'addKey', lag: 'lag1', ckn: CKN2, cak: CAK2 })).result;
      expect(r).toEqual({
        lag: 'lag1',
        members: [
          { port: 'eth1', keyChain: [CKN, CKN2] },
          { port: 'eth2', keyChain: [CKN, CKN2] },
        ],
      });
      expect(JSON.stringify(r)).not.toContain(CAK2);
    }
  });

  it('every member secures with the new (newest) key', async () => {
    await until(() => securedWith('dx', 'eth1') === CKN2 && securedWith('dx', 'eth2') === CKN2, 10_000);
  });

  it('a CKN a member holds already is refused, naming the member, and no chain changes', async () => {
    const m = await refusal('dx', { cmd: 'addKey', lag: 'lag1', ckn: CKN2, cak: '66'.repeat(32) });
    expect(m).toMatch(/LAG lag1: member eth1 holds CKN 4444.* already/);
    expect(await chain('dx', 'eth1')).toEqual([CKN, CKN2]);
    expect(await chain('dx', 'eth2')).toEqual([CKN, CKN2]);
  });

  it('removeKey with "lag" removes the old pair from every member; the LAG stays secured', async () => {
    for (const node of ['dx', 'rt']) {
      const r = (await controlRequest(sock(node), { cmd: 'removeKey', lag: 'lag1', ckn: CKN })).result as { members: Array<{ keyChain: string[] }> };
      expect(r.members.map((x) => x.keyChain)).toEqual([[CKN2], [CKN2]]);
    }
    await until(() => securedWith('dx', 'eth1') === CKN2 && securedWith('dx', 'eth2') === CKN2, 10_000);
  });

  it('removeKey of a CKN no member holds is refused and changes nothing', async () => {
    const m = await refusal('dx', { cmd: 'removeKey', lag: 'lag1', ckn: CKN });
    expect(m).toBe(`LAG lag1: no CKN ${CKN} in the key chain of member eth1, eth2`);
    expect(await chain('dx', 'eth2')).toEqual([CKN2]);
  });

  it('an unknown LAG is refused by name', async () => {
    expect(await refusal('dx', { cmd: 'addKey', lag: 'nope', ckn: CKN, cak: CAK })).toMatch(/no LAG 'nope' on node dx \(LAGs: lag1\)/);
  });
});

describe('LAG-wide mode', () => {
  it('setMode with "lag" sets every member', async () => {
    const r = (await controlRequest(sock('dx'), { cmd: 'setMode', lag: 'lag1', mode: 'must_encrypt' })).result;
    expect(r).toEqual({ lag: 'lag1', mode: 'must_encrypt', members: ['eth1', 'eth2'] });
    expect((await kay('dx', 'eth1')).mode).toBe('must_encrypt');
    expect((await kay('dx', 'eth2')).mode).toBe('must_encrypt');
  });
  it('a bad mode is refused and no member changes', async () => {
    expect(await refusal('dx', { cmd: 'setMode', lag: 'lag1', mode: 'sometimes' })).toMatch(/mode must be/);
    expect((await kay('dx', 'eth2')).mode).toBe('must_encrypt');
  });
});

describe('the LAG itself', () => {
  it('setMinimumLinks out of 0..members is refused, the LAG unchanged', async () => {
    expect(await refusal('dx', { cmd: 'setMinimumLinks', lag: 'lag1', minimumLinks: 3 })).toBe("'minimumLinks' must be an integer from 0 to LAG lag1's 2 members, got 3");
    expect(await refusal('dx', { cmd: 'setMinimumLinks', lag: 'lag1', minimumLinks: '1' })).toMatch(/got "1"/);
    expect((await lagOf('dx')).minimumLinks).toBe(0);
  });

  it('setMinimumLinks 2 applies live', async () => {
    // The key and mode changes before may have a member re-securing (not distributing) for a moment: both must be back first.
    await until(() => distributing('dx').length === 2 && lagNow('dx').logicalPortUp, 15_000);
    const r = (await controlRequest(sock('dx'), { cmd: 'setMinimumLinks', lag: 'lag1', minimumLinks: 2 })).result;
    expect(r).toEqual({ lag: 'lag1', minimumLinks: 2, logicalPortUp: true });
    expect((await lagOf('dx')).minimumLinks).toBe(2);
  });

  it('lagMember false takes a member out (LACP disabled, not distributing); below minimumLinks 2 the logical port goes down', async () => {
    const r = (await controlRequest(sock('dx'), { cmd: 'lagMember', lag: 'lag1', port: 'eth1', member: false })).result;
    expect(r).toEqual({ lag: 'lag1', port: 'eth1', member: false });
    await until(() => distributing('dx').join() === 'eth2' && !lagNow('dx').logicalPortUp, 10_000);
    expect((await lagOf('dx')).ports.find((p) => p.name === 'eth1')!.lacpEnabled).toBe(false);
  });

  it('lagMember true puts it back: both members distribute again', async () => {
    await controlRequest(sock('dx'), { cmd: 'lagMember', lag: 'lag1', port: 'eth1', member: true });
    await until(() => distributing('dx').length === 2 && lagNow('dx').logicalPortUp, 15_000);
  });

  it('a port that is not a member cannot join, and the answer says why', async () => {
    expect(await refusal('dx', { cmd: 'lagMember', lag: 'lag1', port: 'eth3', member: true })).toBe(
      "port eth3 is not one of LAG lag1's member ports (eth1, eth2): a node's LAG has the members its topology gave it, and only those can leave it and rejoin it live",
    );
    expect(await refusal('dx', { cmd: 'lagMember', lag: 'lag1', port: 'eth1', member: 'no' })).toBe("'member' must be true or false");
  });
});
