/**
 * Two nodes on the memory wire (no root): MKA secures, frames cross the
 * controlled ports both ways (untagged and on a VLAN), the control socket
 * answers, captures and the key export are written and decrypt offline.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { memoryWire, type FrameIo } from '../../../src/io/index.js';
import { LabNode, controlRequest, type DeviceFactory } from '../../../src/node/index.js';
import { readCaptureFile } from '../../../src/io/pcap.js';
import { isMacsecFrame } from '../../../src/macsec/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { memoryNodeConfig } from '../../helpers/memory-node.js';
import { dxlabJson } from '../../helpers/cli.js';
import { until } from '../../helpers/until.js';

const tmp = tempDir();
const CKN = '11'.repeat(32);
const CAK = '22'.repeat(32);

function nodeConfig(name: string, priority: number, extra: Record<string, unknown> = {}) {
  return memoryNodeConfig(name, tmp, {
    ports: [
      {
        name: 'eth1',
        wire: `${name}-w`,
        taps: [{ name: `${name}-t0` }, { name: `${name}-t100`, vlan: 100 }],
        macsec: { keyChain: [{ ckn: CKN, cak: CAK }], keyServerPriority: priority, helloTimeMs: 200, lifeTimeMs: 600, ...extra },
        capture: { wire: true, clear: true, decrypted: true, keys: true },
      },
    ],
  });
}

/** Wires both nodes' wires together; each TAP is a memory wire whose far end the test holds. */
function devices(wires: [FrameIo, FrameIo]) {
  const hosts = new Map<string, FrameIo>();
  const f = (i: number): DeviceFactory => ({
    wire: () => wires[i]!,
    tap: (t) => {
      const [ours, host] = memoryWire({ names: [t.name, `${t.name}-host`], mtu: t.mtu });
      hosts.set(t.name, host);
      return ours;
    },
  });
  return { hosts, dx: f(0), rt: f(1) };
}

function frame(src: number, dst: number, etherType: number, len: number, fill: number): Uint8Array {
  const f = new Uint8Array(14 + len).fill(fill);
  f.set([2, 0, 0, 0, 0, dst, 2, 0, 0, 0, 0, src]);
  f[12] = etherType >> 8;
  f[13] = etherType & 0xff;
  return f;
}

describe('two nodes on the memory wire', () => {
  const wires = memoryWire({ names: ['dx-w', 'rt-w'], mtu: 1600 });
  const d = devices(wires);
  const dx = new LabNode(nodeConfig('dx', 16), d.dx);
  const rt = new LabNode(nodeConfig('rt', 32), d.rt);
  afterAll(async () => {
    await dx.stop();
    await rt.stop();
  });

  it('secure, then carry frames both ways on the untagged TAP and on VLAN 100 only', async () => {
    await dx.start();
    await rt.start();
    const status = () => (dx.status().ports as Array<{ kay: { secured: boolean } }>)[0]!.kay.secured && (rt.status().ports as Array<{ kay: { secured: boolean } }>)[0]!.kay.secured;
    await until(status);
    const got = new Map<string, Uint8Array[]>();
    for (const [name, host] of d.hosts) host.start((fs) => got.set(name, [...(got.get(name) ?? []), ...fs]));
    d.hosts.get('rt-t0')!.send([frame(2, 1, 0x0800, 100, 0xaa)]);
    d.hosts.get('dx-t0')!.send([frame(1, 2, 0x0806, 28, 0xbb)]);
    d.hosts.get('rt-t100')!.send([frame(2, 1, 0x0800, 200, 0xcc)]);
    await until(() => (got.get('dx-t0')?.length ?? 0) >= 1 && (got.get('rt-t0')?.length ?? 0) >= 1 && (got.get('dx-t100')?.length ?? 0) >= 1);
    expect(Buffer.from(got.get('dx-t0')![0]!).equals(Buffer.from(frame(2, 1, 0x0800, 100, 0xaa)))).toBe(true);
    expect(Buffer.from(got.get('rt-t0')![0]!).equals(Buffer.from(frame(1, 2, 0x0806, 28, 0xbb)))).toBe(true);
    // The VLAN 100 frame arrives untagged on the VLAN 100 TAP, and on no other.
    expect(Buffer.from(got.get('dx-t100')![0]!).equals(Buffer.from(frame(2, 1, 0x0800, 200, 0xcc)))).toBe(true);
    expect(got.get('dx-t0')).toHaveLength(1);
    expect(got.get('rt-t100') ?? []).toHaveLength(0);
  });

  it('the control socket answers status, counters and events, and refuses bad requests', async () => {
    const sock = join(tmp, 'dx.sock');
    const st = (await controlRequest(sock, { cmd: 'status' })).result as { ports: Array<{ kay: { secured: boolean; sak: { kn: number } } }> };
    expect(st.ports[0]!.kay.secured).toBe(true);
    const c = (await controlRequest(sock, { cmd: 'counters', port: 'eth1' })).result as { secy: { txSc: { outPktsEncrypted: number }; rxScs: Array<{ inPktsOK: number }> } };
    expect(c.secy.txSc.outPktsEncrypted).toBeGreaterThanOrEqual(1);
    expect(c.secy.rxScs[0]!.inPktsOK).toBeGreaterThanOrEqual(2);
    const ev = (await controlRequest(sock, { cmd: 'events' })).result as { events: Array<{ type: string }> };
    expect(ev.events.map((e) => e.type)).toEqual(expect.arrayContaining(['started', 'peerLive', 'keyServerElected', 'sakInUse', 'secured']));
    await expect(controlRequest(sock, { cmd: 'setMode', port: 'eth1', mode: 'sometimes' })).rejects.toThrow(/mode must be should_encrypt/);
    await expect(controlRequest(sock, { cmd: 'frobnicate' })).rejects.toThrow(/unknown cmd/);
    await expect(controlRequest(sock, { cmd: 'status', port: 'eth9' })).rejects.toThrow(/no port 'eth9'/);
    await expect(controlRequest(sock, { cmd: 'addKey', port: 'eth1', ckn: 'zz', cak: CAK })).rejects.toThrow(/not hexadecimal/);
    // A bad request changes nothing.
    const after = (await controlRequest(sock, { cmd: 'status' })).result as typeof st;
    expect(after.ports[0]!.kay.sak.kn).toBe(st.ports[0]!.kay.sak.kn);
    expect(JSON.stringify(after)).not.toContain(CAK);
  });

  it('rekey on request moves both sides to the next AN; nothing is lost', async () => {
    const sock = join(tmp, 'dx.sock');
    const before = (dx.status().ports as Array<{ kay: { sak: { kn: number; an: number } } }>)[0]!.kay.sak;
    await controlRequest(sock, { cmd: 'rekey', port: 'eth1' });
    await until(() => {
      const a = (dx.status().ports as Array<{ kay: { sak?: { kn: number } } }>)[0]!.kay.sak;
      const b = (rt.status().ports as Array<{ kay: { sak?: { kn: number } } }>)[0]!.kay.sak;
      return a?.kn === before.kn + 1 && b?.kn === before.kn + 1;
    });
    const sak = (rt.status().ports as Array<{ kay: { sak: { an: number } } }>)[0]!.kay.sak;
    expect(sak.an).toBe((before.an + 1) % 4);
  });

  it('captures: the decrypted copy of the wire holds the cleartext frames; the key export decrypts the wire offline', async () => {
    await Promise.all([dx, rt].flatMap((n) => n.ports.map((p) => p.flushCaptures(n.now()))));
    const wire = join(tmp, 'rt-eth1-wire.pcapng');
    const clear = join(tmp, 'rt-eth1-clear.pcapng');
    const dec = join(tmp, 'rt-eth1-decrypted.pcapng');
    const keys = join(tmp, 'rt-eth1.keys.json');
    for (const f of [wire, clear, dec, keys]) expect(existsSync(f), f).toBe(true);
    const w = readCaptureFile(wire);
    expect(w.format).toBe('pcapng');
    expect(w.interfaces[0]!.name).toBe('rt-w');
    expect(w.frames.some((f) => isMacsecFrame(f.data))).toBe(true);
    expect(w.frames.every((f) => isMacsecFrame(f.data) || (f.data[12] === 0x88 && f.data[13] === 0x8e))).toBe(true);
    const clearFrames = readCaptureFile(clear).frames.map((f) => Buffer.from(f.data).toString('hex'));
    const decFrames = readCaptureFile(dec).frames.filter((f) => !(f.data[12] === 0x88 && f.data[13] === 0x8e)).map((f) => Buffer.from(f.data).toString('hex'));
    expect(decFrames.sort()).toEqual(clearFrames.sort());
    const kf = JSON.parse(readFileSync(keys, 'utf8'));
    expect(kf.cas[0].ckn).toBe(CKN);
    const out = join(tmp, 'rt-offline.pcap');
    const r = dxlabJson<{ decrypted: number; icvFailed: number; noKey: number }>('pcap', 'decrypt', wire, '--out', out, '--ckn', CKN, '--cak', CAK);
    expect(r.decrypted).toBe(w.frames.filter((f) => isMacsecFrame(f.data)).length);
    const r2 = dxlabJson<{ decrypted: number }>('pcap', 'decrypt', wire, '--out', out, '--keys', keys);
    expect(r2.decrypted).toBe(r.decrypted);
  });
});
