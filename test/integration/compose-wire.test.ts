/**
 * `dxlab compose-wire create` as a Compose lab's `wire-K` service runs it,
 * between two network namespaces of the test's own (no Docker): a second
 * run while the pair stands (a second `compose up` without `down` starts
 * the completed one-shot services again) sets the end up again and makes
 * nothing; an interface of that name that is not the service's veth is
 * refused and left as it was.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const tag = `${process.pid % 100000}`;
const NS_A = `dxcw-a-${tag}`;
const NS_B = `dxcw-b-${tag}`;
const WIRE = `cwa${tag}`;
const PEER = `cwb${tag}`;
const MAC = '02:00:00:c0:00:01';
const PEER_MAC = '02:00:00:c0:00:02';
let holder: ChildProcess | undefined;

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
const inNs = (ns: string, ...args: string[]) => sh('ip', ['netns', 'exec', ns, ...args]);
const link = (ns: string, dev: string) => {
  const r = inNs(ns, 'ip', '-j', '-d', 'link', 'show', 'dev', dev);
  return r.status === 0 ? (JSON.parse(r.stdout) as Array<{ address: string; mtu: number; operstate: string; flags: string[]; linkinfo?: { info_kind?: string } }>)[0] : undefined;
};
const create = (mac = MAC, mtu = 1500) =>
  inNs(NS_A, process.execPath, `${ROOT}bin/dxlab.js`, 'compose-wire', 'create', '--wire', WIRE, '--alias', 'dxlab test a', '--mac', mac, '--mtu', String(mtu), '--peer-pid', String(holder!.pid), '--peer-wire', PEER, '--peer-mac', PEER_MAC);

describe('compose-wire create, run again', () => {
  beforeAll(() => {
    for (const ns of [NS_A, NS_B]) expect(sh('ip', ['netns', 'add', ns]).status).toBe(0);
    // The peer namespace's process, as a holder container's PID 1 is.
    holder = spawn('ip', ['netns', 'exec', NS_B, 'sleep', '600'], { stdio: 'ignore' });
  });
  afterAll(() => {
    holder?.kill('SIGKILL');
    for (const ns of [NS_A, NS_B]) sh('ip', ['netns', 'del', ns]);
  });

  it('a second run with the pair standing succeeds and makes nothing; a foreign interface by the name is refused and left as it was', async () => {
    // `ip netns exec` has forked sleep by the time it is in NS_B; wait for the exec.
    for (let i = 0; i < 50 && sh('readlink', [`/proc/${holder!.pid}/exe`]).stdout.trim().endsWith('/ip'); i++) await new Promise((r) => setTimeout(r, 20));
    const first = create();
    expect(first.status, first.stderr).toBe(0);
    expect(link(NS_A, WIRE)).toMatchObject({ address: MAC, mtu: 1500, linkinfo: { info_kind: 'veth' } });
    expect(link(NS_B, PEER)).toMatchObject({ address: PEER_MAC, linkinfo: { info_kind: 'veth' } });

    // The end set down, as after a holder's restart of its port: the second run sets it up again.
    expect(inNs(NS_A, 'ip', 'link', 'set', 'dev', WIRE, 'down').status).toBe(0);
    const second = create();
    expect(second.status, second.stderr).toBe(0);
    expect(link(NS_A, WIRE)!.flags).toContain('UP');
    expect(inNs(NS_A, 'ip', '-j', 'link', 'show', 'type', 'veth').stdout.match(/"ifname"/g)).toHaveLength(1);

    // Asked for another MAC: not the interface this service makes.
    const other = create('02:00:00:c0:00:09');
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(new RegExp(`${WIRE} exists already in this namespace and is not the veth this service makes`));
    expect(link(NS_A, WIRE)).toMatchObject({ address: MAC, mtu: 1500 });

    // A bridge by the name: refused, not taken.
    expect(inNs(NS_A, 'ip', 'link', 'del', WIRE).status).toBe(0);
    expect(inNs(NS_A, 'ip', 'link', 'add', WIRE, 'address', MAC, 'type', 'bridge').status).toBe(0);
    const bridge = create();
    expect(bridge.status).not.toBe(0);
    expect(bridge.stderr).toMatch(/is not the veth this service makes/);
    expect(link(NS_A, WIRE)!.linkinfo?.info_kind).toBe('bridge');
    expect(link(NS_B, PEER)).toBeUndefined();
  });
});
