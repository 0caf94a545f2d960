/**
 * Interop with a real peer: our DX device against the Linux kernel's MACsec
 * and wpa_supplicant's MKA in a VM (topologies/linux-peer-dx.yaml), one VM
 * boot for the whole file (CI's budget: the image test boots the other).
 * MKA secures with a 32-octet CAK and our DX device as key server, then,
 * after both sides change to a 16-octet CAK, with wpa_supplicant as key
 * server; pings pass both ways, BIRD in the guest and our speaker reach
 * Established over MACsec, and the kernel's SecY counters and ours agree
 * (PNs, packets and octets each way); a SAK rekey from our key server
 * loses none of the guest's pings every 0.2 s; our DX node restarted
 * secures again with wpa_supplicant; wpa_supplicant as key
 * server rekeys when our KaY restarts (a new live peer) and we follow; our
 * port in must_encrypt against a wrong CAK in the guest lets nothing pass
 * and nothing but MACsec and EAPOL onto the wire (the test's own AF_PACKET
 * sockets), then secures with the right one. Last, static SAs (no MKA on either
 * side: our port's `staticSas`, the guest's `ip macsec`) for each of the four
 * suites in turn, XPN with PNs crossing 2^32. Before those, the guided
 * scenario cipher-mismatch-linux (issue 18) runs on this same VM (`dxlab
 * scenario run --attach`) while wpa_supplicant still runs MKA, CI's budget of
 * two VM boots allowing no boot of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, labDown, labUp, loadTopology, restartNode, type LabNodeState, type LabState } from '../../src/lab/index.js';
import { GUEST_WPA_CONF, staticSasLines, wpaSupplicantConf, writeFileLine, type GuestStaticSa } from '../../src/lab/images/guest-config.js';
import { controlRequest } from '../../src/node/index.js';
import { readCaptureFile } from '../../src/io/index.js';
import { ROOT, dxlab } from '../helpers/cli.js';
import { deterministic, quotedChecks } from '../helpers/scenario-run.js';
import { watchWire } from '../helpers/wire-watch.js';

const isRoot = process.getuid?.() === 0;
const lab = `lp${randomBytes(3).toString('hex')}`;

type Port = { secured: boolean; cipherSuite: string | null; kay: { secured: boolean; participants: Array<{ ckn: string; keyServer?: { self: boolean } }> } };
type Sa = { an: number; inUse: boolean; nextPn: number | string };
type Counters = { secy: { txSc: Record<string, number>; txSas: Sa[]; rxScs: Array<Record<string, number> & { sas: Sa[] }> } };

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(!isRoot)('linux-peer interop (wpa_supplicant 2.10 and Linux 6.1 macsec in a VM)', () => {
  let state: LabState;
  let peer: LabNodeState;
  let dx: LabNodeState;
  let qemuPids: number[] = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'dxlab-lpeer-'));
  const savedStateDir = process.env.DXLAB_STATE_DIR;
  // A guest answers in seconds under TCG (no KVM) on a loaded machine; bounds below are loose for that reason.
  const ask = async (n: LabNodeState, req: Record<string, unknown>) => (await controlRequest(n.socket, req, undefined, { node: n.name, timeoutMs: 90_000 })).result;
  const guest = async (line: string) => (await ask(peer, { cmd: 'exec', line, timeoutMs: 60_000 })) as { status: number; output: string };
  const port = async (n: LabNodeState) => (await ask(n, { cmd: 'status', port: 'eth1', fresh: true })) as Port;
  const securedBoth = async () => {
    const [a, b] = [await port(dx), await port(peer)];
    return a.secured && b.secured && ([a, b] as const);
  };

  beforeAll(async () => {
    process.env.DXLAB_STATE_DIR = stateDir;
    // Cached after the first build on a machine (linux-peer-image.test.ts builds it in CI).
    await buildImage();
    state = await labUp(loadTopology(join(ROOT, 'topologies', 'linux-peer-dx.yaml')), lab, undefined, { supervisorArgs: ['--no-api'] });
    peer = state.nodes.find((n) => n.name === 'peer')!;
    dx = state.nodes.find((n) => n.name === 'dx')!;
    qemuPids = execFileSync('ip', ['netns', 'pids', peer.netns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('qemu-system');
      } catch {
        return false;
      }
    });
    expect(qemuPids.length).toBe(1);
  }, 1_800_000);

  afterAll(async () => {
    const r = await labDown(lab);
    expect(r.leftover).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`dxlab-${lab}-`);
    // The guest's QEMU ran in the node's namespace: gone with it.
    // (a process that ended but is not reaped yet, a zombie, counts as gone)
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (const pid of qemuPids) expect(alive(pid), `qemu ${pid}`).toBe(false);
    if (savedStateDir === undefined) delete process.env.DXLAB_STATE_DIR;
    else process.env.DXLAB_STATE_DIR = savedStateDir;
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(join(ROOT, 'pcaps', lab), { recursive: true, force: true });
  }, 120_000);

  it('secures with a 32-octet CAK, our DX device the key server (priority 16 against 32), GCM-AES-128 on both', async () => {
    const [ours, theirs] = await until('both secured', securedBoth, 120_000);
    expect(ours.cipherSuite).toBe('GCM-AES-128');
    expect(theirs.cipherSuite).toBe('GCM-AES-128');
    expect(ours.kay.participants[0]!.keyServer?.self).toBe(true);
    expect(theirs.kay.participants[0]!.keyServer?.self, JSON.stringify(theirs.kay)).toBe(false);
    expect(theirs.kay.participants[0]!.ckn).toBe(ours.kay.participants[0]!.ckn);
    // The guest's timeline, derived from its readings, names what our KaY's would: our DX device live and key server, secured.
    const { events } = (await ask(peer, { cmd: 'events', port: 'eth1' })) as { events: Array<{ type: string; peer?: string; port: string; time: string }> };
    const types = events.map((e) => e.type);
    for (const t of ['started', 'peerLive', 'keyServerElected', 'sakInUse', 'secured']) expect(types, JSON.stringify(events)).toContain(t);
    const sci = (ours as unknown as { sci: string }).sci;
    expect(events.find((e) => e.type === 'keyServerElected')!.peer).toBe(`${sci.slice(0, 12).match(/../g)!.join(':')}/${Number.parseInt(sci.slice(12), 16)}`);
    expect(types.indexOf('secured')).toBeGreaterThan(types.indexOf('started'));
  }, 180_000);

  it('pings pass both ways over MACsec, and BGP between BIRD in the guest and our speaker is Established', async () => {
    const fromGuest = await guest('ping -c 3 -W 3 169.254.100.2');
    expect(fromGuest.status, fromGuest.output).toBe(0);
    execFileSync('ip', ['netns', 'exec', dx.netns, 'ping', '-c', '3', '-W', '3', '169.254.100.1'], { stdio: 'ignore' });
    await until('BGP Established on both speakers', async () => {
      const ours = (await ask(dx, { cmd: 'bgp' })) as { peers: Array<{ state: string }> };
      const theirs = (await ask(peer, { cmd: 'bgp', fresh: true })) as { peers: Array<{ state: string }> };
      return ours.peers[0]?.state === 'Established' && theirs.peers[0]?.state === 'Established';
    }, 180_000);
  }, 300_000);

  it("the kernel's SecY and ours agree each way: on the PNs, and on packets and octets of a secured exchange (frame for frame from the guest, within two frames towards it); neither refuses one", async () => {
    // Each side's next PN to receive is the other's next PN to send, and neither counts more received than the
    // other sent. Ours is read before and after the kernel's, so each of its values is bounded by our two
    // readings (a frame in flight, a keepalive between two readings).
    const read = async (n: LabNodeState) => (await ask(n, { cmd: 'counters', port: 'eth1', fresh: true })) as Counters;
    const rx = (c: Counters, k: string) => c.secy.rxScs.reduce((s, sc) => s + Number(sc[k] ?? 0), 0);
    const txSa = (c: Counters) => c.secy.txSas.find((sa) => sa.inUse)!;
    const rxSa = (c: Counters) => c.secy.rxScs.flatMap((sc) => sc.sas).find((sa) => sa.inUse)!;
    const ping = await guest('ping -c 10 -i 0.2 -W 3 169.254.100.2');
    expect(ping.status, ping.output).toBe(0);
    const [o1, k, o2] = [await read(dx), await read(peer), await read(dx)];
    const seen = JSON.stringify({ o1: o1.secy, k: k.secy, o2: o2.secy });
    const between = (v: number, lo: number, hi: number, what: string) => {
      expect(v, `${what}: ${seen}`).toBeGreaterThanOrEqual(lo);
      expect(v, `${what}: ${seen}`).toBeLessThanOrEqual(hi);
    };
    expect(txSa(k).an, seen).toBe(rxSa(o2).an);
    expect(rxSa(k).an, seen).toBe(txSa(o2).an);
    between(Number(rxSa(k).nextPn), Number(txSa(o1).nextPn), Number(txSa(o2).nextPn), 'kernel rx next PN against our tx next PN');
    between(Number(txSa(k).nextPn), Number(rxSa(o1).nextPn), Number(rxSa(o2).nextPn), 'kernel tx next PN against our rx next PN');
    expect(rx(k, 'inPktsOK'), seen).toBeLessThanOrEqual(o2.secy.txSc.outPktsEncrypted!);
    expect(rx(k, 'inOctetsDecrypted'), seen).toBeLessThanOrEqual(o2.secy.txSc.outOctetsEncrypted!);
    expect(rx(o1, 'inPktsOK'), seen).toBeLessThanOrEqual(k.secy.txSc.outPktsEncrypted!);
    expect(rx(o1, 'inOctetsDecrypted'), seen).toBeLessThanOrEqual(k.secy.txSc.outOctetsEncrypted!);
    // The ten pings crossed: both counted at least that many each way.
    expect(rx(k, 'inPktsOK'), seen).toBeGreaterThanOrEqual(10);
    expect(rx(o2, 'inPktsOK'), seen).toBeGreaterThanOrEqual(10);
    // Frame for frame: 20 more pings, then the same readings; the difference between the totals (ours minus
    // the kernel's; the first frames of a session may cross before the receiver has the SC, our inPktsNoSCI)
    // is the same before and after, each known to lie between what our two readings give.
    const span = (a: Counters, b: Counters, kern: Counters) => ({
      toGuestPkts: [a.secy.txSc.outPktsEncrypted! - rx(kern, 'inPktsOK'), b.secy.txSc.outPktsEncrypted! - rx(kern, 'inPktsOK')],
      toGuestOctets: [a.secy.txSc.outOctetsEncrypted! - rx(kern, 'inOctetsDecrypted'), b.secy.txSc.outOctetsEncrypted! - rx(kern, 'inOctetsDecrypted')],
      fromGuestPkts: [rx(a, 'inPktsOK') - kern.secy.txSc.outPktsEncrypted!, rx(b, 'inPktsOK') - kern.secy.txSc.outPktsEncrypted!],
      fromGuestOctets: [rx(a, 'inOctetsDecrypted') - kern.secy.txSc.outOctetsEncrypted!, rx(b, 'inOctetsDecrypted') - kern.secy.txSc.outOctetsEncrypted!],
    });
    const first = span(o1, o2, k);
    expect((await guest('ping -c 20 -i 0.2 -W 3 169.254.100.2')).status).toBe(0);
    // A frame in flight while the three readings are taken (a BGP keepalive or ARP inside QEMU's queue
    // under TCG) shows for one reading only: read again, up to five times, until the readings agree.
    const agree = (x: ReturnType<typeof span>) => (['toGuestPkts', 'toGuestOctets', 'fromGuestPkts', 'fromGuestOctets'] as const).every((key) => Math.max(first[key][0]!, x[key][0]!) <= Math.min(first[key][1]!, x[key][1]!));
    let [p1, k2, p2] = [await read(dx), await read(peer), await read(dx)];
    for (let i = 1; i < 5 && !agree(span(p1, p2, k2)); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      [p1, k2, p2] = [await read(dx), await read(peer), await read(dx)];
    }
    const second = span(p1, p2, k2);
    expect(rx(k2, 'inPktsOK') - rx(k, 'inPktsOK'), seen).toBeGreaterThanOrEqual(20);
    // Towards the guest, a fresh clone's CI run (and a rerun) saw one frame of 62 octets that our SecY
    // sent and the kernel's never counted as received, OK or refused: lost between our wire and the
    // guest's macsec0 (our forwarder, the TAP, QEMU's virtio queue under TCG), not yet found where. Up to
    // two such frames towards the guest are allowed, and the count is printed; from the guest it is exact.
    const SLACK = { toGuestPkts: 2, toGuestOctets: 2 * 1600, fromGuestPkts: 0, fromGuestOctets: 0 } as const;
    for (const key of ['toGuestPkts', 'toGuestOctets', 'fromGuestPkts', 'fromGuestOctets'] as const) {
      const gap = Math.max(first[key][0]!, second[key][0]!) - Math.min(first[key][1]!, second[key][1]!);
      if (gap > 0) console.log(`linux-peer interop: ${key} differ by ${gap} across the exchange`);
      expect(gap, `${key}: ${JSON.stringify({ first, second, k2: k2.secy, p2: p2.secy })}`).toBeLessThanOrEqual(SLACK[key]);
    }
    // Neither refused a frame of the exchange. (Before it, at the session's start, our node once counted one
    // frame of the guest's InPktsLate: a frame under the first SAK after the rollover to the next.)
    const refused = (c: Counters) => rx(c, 'inPktsNotValid') + rx(c, 'inPktsInvalid') + rx(c, 'inPktsLate');
    expect(refused(k2) - refused(k), seen).toBe(0);
    expect(refused(p2) - refused(o2), seen).toBe(0);
  }, 240_000);

  it('iperf3 passes both ways over MACsec (a server in the guest, the client in our DX node\'s namespace, then reversed); the peer\'s wire capture holds only MACsec and EAPOL', async () => {
    // The VM node captures its wire (every frame its forwarder copies); its clear and decrypted sides are refused.
    const pcap = join(stateDir, 'peer-wire.pcapng');
    await expect(ask(peer, { cmd: 'capture', port: 'eth1', side: 'clear', path: pcap })).rejects.toThrow(/captures its wire only/);
    expect(await ask(peer, { cmd: 'capture', port: 'eth1', side: 'wire', path: pcap })).toEqual({ path: pcap });
    const srv = await guest('iperf3 -s -D -I /run/dxlab/iperf3.pid');
    expect(srv.status, srv.output).toBe(0);
    // The daemon returns before it listens: wait for its socket (port 5201).
    await until('iperf3 listening in the guest', async () => (await guest('ss -ltn | grep -q ":5201 "')).status === 0, 60_000);
    const run = async (reverse: boolean) => {
      const client = () => spawnSync('ip', ['netns', 'exec', dx.netns, 'iperf3', '-c', '169.254.100.1', '-t', '3', '-J', ...(reverse ? ['-R'] : [])], { encoding: 'utf8', timeout: 120_000 });
      let r = client();
      // iperf3's server closes its listening socket at the end of a test and opens it again: a client right
      // after the last one can find it closed (CI saw "Connection refused" once, the guest's CPU being emulated).
      for (let tries = 1; tries < 10 && /Connection refused|server is busy/.test(r.stdout); tries++) {
        await new Promise((done) => setTimeout(done, 1000));
        r = client();
      }
      const out = `${r.stdout}${r.stderr}`.slice(0, 3000);
      expect(r.status, out).toBe(0);
      const j = JSON.parse(r.stdout) as { error?: string; end: { sum_received?: { bytes: number; bits_per_second: number } } };
      expect(j.error, out).toBeUndefined();
      expect(j.end.sum_received, out).toBeDefined();
      return j.end.sum_received!;
    };
    const toGuest = await run(false);
    const fromGuest = await run(true);
    console.log(`linux-peer interop: iperf3 towards the guest ${(toGuest.bits_per_second / 1e6).toFixed(1)} Mbit/s, from it ${(fromGuest.bits_per_second / 1e6).toFixed(1)} Mbit/s (TCG, loaded machine)`);
    // A TCP stream crossed each way (any rate: the guest's CPU is emulated).
    expect(toGuest.bytes).toBeGreaterThan(100_000);
    expect(fromGuest.bytes).toBeGreaterThan(100_000);
    await guest('kill $(cat /run/dxlab/iperf3.pid); true');
    const stopped = (await ask(peer, { cmd: 'capture', port: 'eth1', stop: true })) as { stopped: boolean; captures: Array<{ frames: number }> };
    expect(stopped.stopped).toBe(true);
    const frames = readCaptureFile(pcap).frames;
    expect(frames.length).toBe(stopped.captures[0]!.frames);
    const types = new Map<number, number>();
    for (const f of frames) types.set((f.data[12]! << 8) | f.data[13]!, (types.get((f.data[12]! << 8) | f.data[13]!) ?? 0) + 1);
    // Both streams' segments, protected: far more than the MKPDUs of a few seconds.
    expect(types.get(0x88e5) ?? 0, JSON.stringify([...types])).toBeGreaterThan(100);
    expect([...types.keys()].filter((et) => et !== 0x88e5 && et !== 0x888e), JSON.stringify([...types])).toEqual([]);
  }, 300_000);

  it('a SAK rekey forced from our key server while the guest pings every 0.2 s: both move to the new AN, no ping lost', async () => {
    const an = async (n: LabNodeState) => (await port(n)) as unknown as { encodingAn: number | null };
    const before = { ours: (await an(dx)).encodingAn, theirs: (await an(peer)).encodingAn };
    expect(before.ours, JSON.stringify(before)).not.toBeNull();
    expect(before.theirs, JSON.stringify(before)).toBe(before.ours);
    // 40 pings (8 s) in the background of the guest's shell, the rekey asked for while they run.
    const start = await guest('ping -c 40 -i 0.2 -W 3 169.254.100.2 > /run/dxlab/rekey-ping.txt 2>&1 &');
    expect(start.status, start.output).toBe(0);
    await ask(dx, { cmd: 'rekey', port: 'eth1' });
    const after = await until('both sides transmitting with the new AN', async () => {
      const [o, k] = [(await an(dx)).encodingAn, (await an(peer)).encodingAn];
      return o !== null && o !== before.ours && k === o && { ours: o, theirs: k };
    }, 60_000);
    const done = await until('the pings done', async () => {
      const r = await guest('cat /run/dxlab/rekey-ping.txt');
      return /packets transmitted/.test(r.output) && r.output;
    }, 60_000);
    expect(done, done).toMatch(/40 packets transmitted, 40 received, 0% packet loss/);
    // The guest's timeline has the move to the new AN.
    const { events } = (await ask(peer, { cmd: 'events', port: 'eth1' })) as { events: Array<{ type: string; an?: number }> };
    expect(events.filter((e) => e.type === 'sakInUse').map((e) => e.an)).toContain(after.theirs);
  }, 240_000);

  it('our DX node restarted (a new process, a new MI on the same SCI): wpa_supplicant takes it as a live peer again and the link re-secures, pings pass', async () => {
    // wpa_supplicant ignores a new MI with a live peer's SCI until that peer's Life Time (6 s) ends (by hand in
    // the issue: re-secured 6 to 7 s after the restart). The time is printed, not asserted (a loaded machine).
    const t0 = Date.now();
    const r = await restartNode(lab, 'dx');
    expect(r.stoppedPids.length).toBe(1);
    await until('secured again after the restart', securedBoth, 120_000);
    console.log(`linux-peer interop: secured again ${((Date.now() - t0) / 1000).toFixed(1)} s after our DX node's restart began`);
    const ping = await until('a ping from the guest', async () => (await guest('ping -c 2 -W 3 169.254.100.2')).status === 0, 60_000);
    expect(ping).toBe(true);
  }, 300_000);

  /** The pair both sides hold from the 16-octet test on. */
  const key = { ckn: randomBytes(16).toString('hex'), cak: randomBytes(16).toString('hex') };
  /** wpa_supplicant restarted in the guest with `cak` for the 16-octet CKN, key server (priority 0). */
  const restartWpa = async (cak: string) => {
    const conf = wpaSupplicantConf({ mode: 'should_encrypt', ckn: key.ckn, cak, priority: 0 });
    for (const line of [writeFileLine(GUEST_WPA_CONF, conf), 'wpa_cli -i eth0 terminate; sleep 1', `wpa_supplicant -B -i eth0 -D macsec_linux -c ${GUEST_WPA_CONF}`]) {
      const r = await guest(line);
      expect(r.status, r.output).toBe(0);
    }
  };

  it('secures again with a 16-octet CAK, wpa_supplicant the key server (priority 0), and pings pass', async () => {
    const old = (await port(dx)).kay.participants[0]!.ckn;
    await ask(dx, { cmd: 'addKey', port: 'eth1', ...key });
    await ask(dx, { cmd: 'removeKey', port: 'eth1', ckn: old });
    await restartWpa(key.cak);
    const [ours, theirs] = await until('both secured on the 16-octet CAK', async () => {
      const pair = await securedBoth();
      return pair && pair[1].kay.participants[0]?.ckn === key.ckn && pair;
    }, 120_000);
    expect(ours.kay.participants[0]!.ckn).toBe(key.ckn);
    expect(theirs.kay.participants[0]!.keyServer?.self, JSON.stringify(theirs.kay)).toBe(true);
    expect(ours.kay.participants[0]!.keyServer?.self, JSON.stringify(ours.kay.participants)).toBe(false);
    const ping = await until('a ping from the guest', async () => (await guest('ping -c 2 -W 3 169.254.100.2')).status === 0, 60_000);
    expect(ping).toBe(true);
    execFileSync('ip', ['netns', 'exec', dx.netns, 'ping', '-c', '3', '-W', '3', '169.254.100.1'], { stdio: 'ignore' });
  }, 300_000);

  it('wpa_supplicant as key server rekeys when its live peer list changes (our KaY restarted, a new MI): we follow onto its new SAK and AN', async () => {
    // wpa_supplicant has no command that forces a new SAK (hostap's ieee802_1x_kay_new_sak has no caller): as key
    // server it makes one when it elects itself anew, each time its live peer list changes, or at PN exhaustion
    // (README, linux-peer). A knob applied by a KaY restart gives our port a new MI: a new live peer for it.
    type Guest = Port & { encodingAn: number | null; wpaSupplicant?: Record<string, string> };
    const before = (await port(peer)) as Guest;
    const distributed = (g: Guest) => Number(g.wpaSupplicant?.['Number of Keys Distributed'] ?? NaN);
    expect(before.kay.participants[0]!.keyServer?.self).toBe(true);
    expect(Number.isFinite(distributed(before)), JSON.stringify(before.wpaSupplicant)).toBe(true);
    const set = (await ask(dx, { cmd: 'set', port: 'eth1', knob: 'keyServerPriority', value: 64 })) as { applied: string };
    expect(set.applied).toBe('kayRestart');
    const [ours, theirs] = await until('secured again on a new SAK from wpa_supplicant', async () => {
      const [o, k] = [await port(dx), (await port(peer)) as Guest];
      return o.secured && k.secured && distributed(k) > distributed(before) && k.encodingAn !== before.encodingAn && ([o as Port & { encodingAn: number | null }, k] as const);
    }, 120_000);
    expect(theirs.kay.participants[0]!.keyServer?.self).toBe(true);
    expect(ours.kay.participants[0]!.keyServer?.self).toBe(false);
    // Each side transmits with the AN wpa_supplicant distributed last.
    expect(ours.encodingAn, JSON.stringify({ ours: ours.encodingAn, theirs: theirs.encodingAn })).toBe(theirs.encodingAn);
    const ping = await until('a ping from the guest on the new SAK', async () => (await guest('ping -c 2 -W 3 169.254.100.2')).status === 0, 60_000);
    expect(ping).toBe(true);
  }, 300_000);

  it('our port must_encrypt, the guest restarted with a wrong CAK: nothing passes and no clear frame leaves our node (seen on the wire by the test); the right CAK again: secured', async () => {
    // The test's own AF_PACKET sockets on both ends of the wire (not a node's capture): only MACsec and EAPOL.
    const link = state.links[0]!;
    const end = (name: string) => state.nodes.find((n) => n.name === name.split(':')[0])!.netns;
    const watch = watchWire([{ netns: end(link.a), ifname: link.wires[0] }, { netns: end(link.b), ifname: link.wires[1] }], [0x88e5, 0x888e]);
    try {
      await ask(dx, { cmd: 'setMode', port: 'eth1', mode: 'must_encrypt' });
      await restartWpa(randomBytes(16).toString('hex'));
      const down = await until('our port not secured (the old peer gone, the new one with a CAK we lack)', async () => {
        const p = (await port(dx)) as Port & { controlledPort: string };
        return !p.secured && p;
      }, 120_000);
      expect(down.controlledPort).toBe('blocked');
      // Traffic both ways while it is so: pings and BGP's keepalives and reconnects, ARP for the VIF's peer.
      const fromDx = spawnSync('ip', ['netns', 'exec', dx.netns, 'ping', '-c', '10', '-i', '0.2', '-W', '1', '169.254.100.1'], { encoding: 'utf8' });
      expect(fromDx.status, fromDx.stdout).not.toBe(0);
      expect(fromDx.stdout).toMatch(/ 0 received/);
      const fromGuest = await guest('ping -c 5 -i 0.2 -W 1 169.254.100.2');
      expect(fromGuest.status, fromGuest.output).not.toBe(0);
      expect(watch.offending(), JSON.stringify({ counts: watch.counts(), offenders: watch.offenders() })).toBe(0);
      // The sockets saw the wire: the guest's MKPDUs at least.
      expect(watch.counts()['888e'] ?? 0).toBeGreaterThan(0);
      await restartWpa(key.cak);
      await until('both secured again', securedBoth, 120_000);
      const ping = await until('a ping from the guest', async () => (await guest('ping -c 2 -W 3 169.254.100.2')).status === 0, 60_000);
      expect(ping).toBe(true);
      expect(watch.offending(), JSON.stringify({ counts: watch.counts(), offenders: watch.offenders() })).toBe(0);
      expect(watch.counts()['88e5'] ?? 0).toBeGreaterThan(0);
    } finally {
      watch.close();
      await ask(dx, { cmd: 'setMode', port: 'eth1', mode: 'should_encrypt' });
    }
  }, 400_000);

  it('dxlab set on the linux-peer: mode no_encrypt on both ends stops wpa_supplicant and clear pings pass; should_encrypt again secures, pings pass; its timeline says so', async () => {
    await ask(dx, { cmd: 'setMode', port: 'eth1', mode: 'no_encrypt' });
    const off = dxlab('set', 'peer', 'eth1', 'mode', 'no_encrypt', '--name', lab);
    expect(off.status, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/no_encrypt/);
    const clear = await until('the guest in no_encrypt', async () => {
      const p = (await port(peer)) as unknown as { mode: string; secured: boolean; kay: { notSecured?: { code: string } } };
      return p.mode === 'no_encrypt' && p;
    }, 60_000);
    expect(clear.kay.notSecured?.code).toBe('mkaDisabled');
    expect(await until('a clear ping from the guest', async () => (await guest('ping -c 2 -W 3 169.254.100.2')).status === 0, 60_000)).toBe(true);
    expect((await guest('ip link show macsec0')).status).not.toBe(0);
    await ask(dx, { cmd: 'setMode', port: 'eth1', mode: 'should_encrypt' });
    const on = dxlab('set', 'peer', 'eth1', 'mode', 'should_encrypt', '--name', lab);
    expect(on.status, on.stderr).toBe(0);
    await until('both secured again', securedBoth, 120_000);
    expect(await until('a ping over MACsec', async () => (await guest('ping -c 2 -W 3 169.254.100.2')).status === 0, 60_000)).toBe(true);
    const { events } = (await ask(peer, { cmd: 'events', port: 'eth1' })) as { events: Array<{ type: string; reason: string }> };
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining([expect.stringContaining('mode should_encrypt -> no_encrypt'), expect.stringContaining('mode no_encrypt -> should_encrypt')]));
    // A knob of our own nodes is still refused by name.
    const knob = dxlab('set', 'peer', 'eth1', 'replayWindow', '5', '--name', lab);
    expect(knob.status).not.toBe(0);
    expect(knob.stderr).toMatch(/a linux-peer answers .*setMode/);
  }, 400_000);

  it("our DX device with AWS's suites only (GCM-AES-XPN-256, GCM-AES-256) against wpa_supplicant, which has GCM-AES-128 alone: not secured, noCommonCipherSuite", async () => {
    // As a configuration writes the knob: the list of suites (the same list AWS's rules give a 10G+ port).
    await ask(dx, { cmd: 'set', port: 'eth1', knob: 'cipherSuites', value: ['gcm-aes-xpn-256', 'gcm-aes-256'] });
    const st = await until('our port reports noCommonCipherSuite', async () => {
      const p = (await ask(dx, { cmd: 'status', port: 'eth1' })) as Port & { kay: { notSecured?: { code: string } } };
      return p.kay.notSecured?.code === 'noCommonCipherSuite' && p;
    }, 120_000);
    expect(st.secured).toBe(false);
  }, 180_000);

  it('the scenario cipher-mismatch-linux, on this VM: every check holds, its guide quotes what it prints, the lab is left running', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'dxlab.js'), 'scenario', 'run', 'cipher-mismatch-linux', '--attach', '--name', lab, '--no-pause', '--json'], { cwd: ROOT, encoding: 'utf8', env: process.env, timeout: 600_000 });
    const json = JSON.parse(r.stdout || '{}') as { passed?: boolean; kept?: boolean; steps?: Array<{ text: string; held?: boolean; error?: string }>; seconds?: { up: number; steps: number; down: number } };
    process.stderr.write(`scenario cipher-mismatch-linux (attached): ${JSON.stringify(json.seconds)}\n`);
    expect((json.steps ?? []).filter((x) => x.held === false || x.error).map((x) => x.text), r.stderr).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
    expect(json.passed).toBe(true);
    expect(json.seconds?.up).toBe(0);
    expect(r.stderr).toContain(`lab ${lab} left running`);
    const printed = new Set((json.steps ?? []).filter((x) => x.held !== undefined).map((x) => deterministic(x.text)));
    const quoted = quotedChecks(readFileSync(join(ROOT, 'lab', 'cipher-mismatch-linux', 'README.md'), 'utf8'));
    expect(quoted.length).toBeGreaterThan(0);
    expect(quoted.filter((q) => !printed.has(q))).toEqual([]);
    // Attached: the lab is still up (afterAll takes it down and checks that nothing is left).
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(`dxlab-${lab}-`);
  }, 600_000);

  it('static SAs, no MKA on either side, for each suite in turn (XPN from just below 2^32, across it): pings pass both ways, each side counts them OK, neither refuses one for its ICV or SA', async () => {
    const read = async (n: LabNodeState) => (await ask(n, { cmd: 'counters', port: 'eth1', fresh: true })) as Counters;
    const rx = (c: Counters, k: string) => c.secy.rxScs.reduce((s, sc) => s + Number(sc[k] ?? 0), 0);
    const refused = (c: Counters) => rx(c, 'inPktsNotValid') + rx(c, 'inPktsInvalid') + rx(c, 'inPktsNoSCI') + rx(c, 'inPktsUnknownSCI') + rx(c, 'inPktsNotUsingSA') + rx(c, 'inPktsUnusedSA');
    const txPn = (c: Counters) => BigInt(c.secy.txSas.find((sa) => sa.inUse)!.nextPn);
    // wpa_supplicant goes (it deletes its macsec0); from here the guest's macsec0 is made by `ip macsec`.
    const stop = await guest('wpa_cli -i eth0 terminate; sleep 1; ip link del macsec0 2>/dev/null; cat /sys/class/net/eth0/address');
    expect(stop.status, stop.output).toBe(0);
    const guestSci = `${stop.output.trim().split('\n').pop()!.replace(/:/g, '')}0001`;
    expect(guestSci).toMatch(/^[0-9a-f]{16}$/);
    const ourSci = ((await port(dx)) as unknown as { sci: string }).sci;
    const TWO_32 = 1n << 32n;
    for (const suite of ['gcm-aes-128', 'gcm-aes-256', 'gcm-aes-xpn-128', 'gcm-aes-xpn-256'] as const) {
      const xpn = suite.includes('xpn');
      const len = suite.endsWith('256') ? 32 : 16;
      // A key and salt per direction; our SSCI 1, the guest's 2; XPN's first PN three below 2^32.
      const sa = (an: number, ssci: number): GuestStaticSa => ({ an, key: randomBytes(len).toString('hex'), pn: xpn ? TWO_32 - 3n : 1000n, ...(xpn ? { ssci, salt: randomBytes(12).toString('hex') } : {}) });
      const ours = sa(2, 1);
      const theirs = sa(3, 2);
      const asOurs = (s: GuestStaticSa) => ({ an: s.an, key: s.key, pn: s.pn.toString(), ...(xpn ? { ssci: s.ssci, salt: s.salt } : {}) });
      const set = await ask(dx, { cmd: 'staticSas', port: 'eth1', staticSas: { cipherSuite: suite, peerSci: guestSci, tx: asOurs(ours), rx: [asOurs(theirs)] } });
      expect(JSON.stringify(set)).not.toContain(ours.key);
      for (const line of staticSasLines({ cipherSuite: suite, peerSci: ourSci, tx: theirs, rx: [ours] })) {
        const r = await guest(line);
        expect(r.status, `${suite}: ${line.split(' key ')[0]}: ${r.output}`).toBe(0);
      }
      // The guest's net script puts vif0 and its address back on the new macsec0 within a second or two.
      await until(`${suite}: a first ping from the guest`, async () => (await guest('ping -c 1 -W 2 169.254.100.2')).status === 0, 60_000);
      const [o1, k1] = [await read(dx), await read(peer)];
      const ping = await guest('ping -c 10 -i 0.2 -W 3 169.254.100.2');
      expect(ping.status, `${suite}: ${ping.output}`).toBe(0);
      execFileSync('ip', ['netns', 'exec', dx.netns, 'ping', '-c', '3', '-W', '3', '169.254.100.1'], { stdio: 'ignore' });
      const [o2, k2] = [await read(dx), await read(peer)];
      const seen = `${suite}: ${JSON.stringify({ o1: o1.secy, o2: o2.secy, k1: k1.secy, k2: k2.secy })}`;
      expect((await port(dx)).cipherSuite, seen).toBe(suite.toUpperCase());
      expect(rx(o2, 'inPktsOK') - rx(o1, 'inPktsOK'), seen).toBeGreaterThanOrEqual(13);
      expect(rx(k2, 'inPktsOK') - rx(k1, 'inPktsOK'), seen).toBeGreaterThanOrEqual(13);
      expect(refused(o2) - refused(o1), seen).toBe(0);
      expect(refused(k2) - refused(k1), seen).toBe(0);
      // Replay window 0: a frame from the guest that arrives after a later one is InPktsLate. Three runs of six
      // (GCM-AES-XPN-256 twice, GCM-AES-128 once) saw our node count one or two such from the guest in one suite;
      // not yet found whether the guest's kernel or our node's path reorders them (README, linux-peer). Up to
      // two, printed.
      const late = rx(o2, 'inPktsLate') + rx(k2, 'inPktsLate');
      if (late > 0) console.log(`linux-peer interop: ${suite}: InPktsLate ours ${rx(o2, 'inPktsLate')}, the kernel's ${rx(k2, 'inPktsLate')}`);
      expect(late, seen).toBeLessThanOrEqual(2);
      if (xpn) {
        // Both directions went past 2^32, and frames with PNs above it verified on both sides: the upper half of
        // the PN (not on the wire, only in the IV) agrees. Read on our side, since `ip -j macsec show` (iproute2
        // 6.1) showed an XPN SA's PN modulo 2^32 here (32 where our receive SA had 2^32+32).
        const rxPn = (c: Counters) => BigInt(c.secy.rxScs.flatMap((sc) => sc.sas).find((sa) => sa.inUse)!.nextPn);
        expect(txPn(o2) > TWO_32 && rxPn(o2) > TWO_32, seen).toBe(true);
      }
    }
  }, 600_000);
});
