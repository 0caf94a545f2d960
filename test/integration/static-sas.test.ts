/**
 * topologies/static-sas.yaml as a user brings it up (root): a link keyed by
 * static SAs, no MKA. Both ends secured from the start, the wire carries
 * MACsec and not one MKPDU, a ping crosses both ways with XPN's PNs going
 * past 2^32 (they start 256 below it), no frame refused, and the SAKs are
 * in neither the lab's kept topology, its logs nor any answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, LabSession } from '../helpers/lab-session.js';
import { tshark } from '../helpers/tshark.js';

const isRoot = process.getuid?.() === 0;
const TOPOLOGY = 'topologies/static-sas.yaml';
const KEYS = ['2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c', '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'];
const TWO_32 = 1n << 32n;

interface SaJson {
  an: number;
  inUse: boolean;
  nextPn: string;
}
interface Counters {
  ports: Array<{ name: string; secy: { txSas: SaJson[]; rxScs: Array<Record<string, unknown> & { sas: SaJson[] }> } }>;
}

describe.skipIf(!isRoot)('static SAs from a topology', () => {
  const s = new LabSession('ss');

  beforeAll(async () => {
    s.upFile(TOPOLOGY);
    await s.waitFor('both ends secured', () => s.status(), s.secured('router', 'dx'), 30_000);
  }, 120_000);
  afterAll(() => s.down(), 60_000);

  it('status says static SAs, the SCIs are the wires the lab gave each end', () => {
    for (const node of ['router', 'dx']) {
      const st = s.nodeStatus<{ ports: Array<{ keying: string; sci: string; cipherSuite: string; staticSas: { peerSci: string } }> }>(node);
      expect(st.ports[0]!.keying).toBe('staticSas');
      expect(st.ports[0]!.cipherSuite).toBe('GCM-AES-XPN-256');
    }
    const [r, d] = ['router', 'dx'].map((n) => s.nodeStatus<{ ports: Array<{ sci: string; staticSas: { peerSci: string } }> }>(n).ports[0]!);
    expect(r!.staticSas.peerSci).toBe(d!.sci);
    expect(d!.staticSas.peerSci).toBe(r!.sci);
    // The SCI is the wire's MAC and port 1.
    const wire = s.state().nodes.find((n) => n.name === 'router')!.wires.eth1!;
    const mac = (JSON.parse(execFileSync('ip', ['-n', s.netns('router'), '-j', 'link', 'show', 'dev', wire], { encoding: 'utf8' })) as Array<{ address: string }>)[0]!.address;
    expect(r!.sci).toBe(`${mac.replace(/:/g, '')}0001`);
  });

  it('a ping crosses both ways, PNs past 2^32 on both sides, nothing refused; the wire has MACsec and no MKPDU', async () => {
    const pcap = join(s.scratch, 'wire.pcapng');
    // The capture runs in the foreground for its duration: beside the ping.
    const cap = spawn(process.execPath, [BIN, 'capture', 'router', 'eth1', '--wire', '--duration', '5', '--out', pcap, '--name', s.lab], { env: s.env, stdio: 'ignore' });
    const captured = new Promise<number | null>((r) => cap.once('exit', r));
    await s.waitFor('the capture started', () => statSync(pcap, { throwIfNoEntry: false }), (x) => x !== undefined, 20_000);
    const ping = s.exec('router', 'ping', '-c', '300', '-i', '0.005', '-W', '2', '-q', '169.254.100.2');
    expect(ping.stdout).toMatch(/300 packets transmitted, 300 received/);
    for (const node of ['router', 'dx']) {
      const c = s.json<Counters>('show', 'counters', node);
      const secy = c.ports[0]!.secy;
      const seen = `${node}: ${JSON.stringify(secy)}`;
      expect(BigInt(secy.txSas.find((x) => x.inUse)!.nextPn) > TWO_32, seen).toBe(true);
      expect(BigInt(secy.rxScs[0]!.sas.find((x) => x.inUse)!.nextPn) > TWO_32, seen).toBe(true);
      expect(Number(secy.rxScs[0]!.inPktsOK), seen).toBeGreaterThanOrEqual(300);
      for (const k of ['inPktsNotValid', 'inPktsInvalid', 'inPktsNotUsingSA', 'inPktsUnusedSA', 'inPktsLate']) expect(Number(secy.rxScs[0]![k] ?? 0), `${seen} ${k}`).toBe(0);
    }
    expect(await captured).toBe(0);
    const frames = tshark(pcap, undefined, ['eth.type']);
    expect(frames.filter((t) => t === '0x88e5').length).toBeGreaterThanOrEqual(600);
    expect(frames.filter((t) => t === '0x888e')).toEqual([]);
    expect(frames.filter((t) => t !== '0x88e5')).toEqual([]);
  });

  it('no SAK in the kept topology, the logs, status or graph; the node configurations holding them are root-only', () => {
    const dir = join(s.stateDir, s.lab);
    const texts = [
      ...readdirSync(dir).filter((f) => /\.(log|json)$/.test(f) && !['router.json', 'dx.json'].includes(f)).map((f) => readFileSync(join(dir, f), 'utf8')),
      s.dxlab('status', '--json').stdout,
      s.dxlab('graph', '--json').stdout,
      s.dxlab('show', 'macsec', 'dx').stdout,
    ];
    for (const t of texts) for (const k of KEYS) expect(t.toLowerCase()).not.toContain(k);
    for (const f of ['router.json', 'dx.json']) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
  });
});
