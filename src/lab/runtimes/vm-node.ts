/**
 * The process of a VM node (`dxlab vm-node --config FILE`, started by the
 * qemu-vm runtime in the node's namespace): it boots the linux-peer guest,
 * joins the guest's NIC to the node's wire and answers the node's control
 * socket for it.
 *
 * The guest's NIC is a TAP in the namespace (QEMU's `-netdev tap`), and a
 * forwarder here copies every frame between an AF_PACKET socket on the
 * wire veth and one on the TAP: a Linux bridge would drop EAPOL (01:80:C2:
 * 00:00:03) unless its group_fwd_mask allows it, and can never pass LACP
 * (DESIGN.md). The guest's NIC takes the wire veth's MAC address, so its
 * SCI names the lab's wire as our nodes' SCIs do.
 *
 * The control socket speaks the node's protocol (src/node/control.ts):
 * `status`, `counters` and `bgp` are read from the guest (`ip -s macsec
 * show`, `wpa_cli status`, `birdc show protocols`) and translated
 * (images/guest-status.ts); `events` is the timeline derived from successive
 * readings (images/guest-events.ts); `exec` runs a shell line in the guest;
 * `capture` writes the wire side (every frame the forwarder copies);
 * `setMode` changes the guest's mode (guest-config.ts modeChangeLines); the
 * knobs of our own nodes (`set`, `rekey`, `addKey`, ...) are refused by name.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { afPacket, type FrameIo } from '../../io/index.js';
import { CaptureFile, JsonLineServer, createLogger, type JsonRequest } from '../../node/index.js';
import { parseKeyFile } from '../../shared/key-file.js';
import { LabError } from '../errors.js';
import { run } from '../host.js';
import { GuestConsole } from '../images/guest-console.js';
import { guestSetupLines, modeChangeLines, GUEST_BIRD_SOCKET, type GuestBgpSession, type GuestPlan, type GuestStaticSa, type GuestStaticSas } from '../images/guest-config.js';
import { guestPortStatus, parseBirdProtocols, STATUS_LINE } from '../images/guest-status.js';
import { buildImage, findImage } from '../images/linux-peer.js';
import { guestEvents, type GuestReading } from '../images/guest-events.js';
import type { KayEvent } from '../../mka/index.js';

/** How old the status the control socket answers may be (a guest under TCG takes a while to answer). */
export const STATUS_REFRESH_MS = 2000;

/** How many events the node keeps (the oldest go first), as many as a busy port's KaY would in a class. */
const MAX_EVENTS = 1000;

/** An event of the guest's port, as our nodes' PortEvent: with its port and time. */
type GuestPortEvent = KayEvent & { port: string; time: string };

/** The TAP of the guest's NIC, inside the node's own namespace (one VM per namespace, so the name is free). */
export const GUEST_NIC_TAP = 'dxvm0';

interface VmNodeConfig {
  name: string;
  controlSocket: string;
  captureDir?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  linuxPeer?: { memoryMb?: number };
  ports: Array<{
    name: string;
    wire: string;
    taps: Array<{ name: string; vlan?: number; mtu: number; addresses: string[]; bgp?: GuestBgpSession | GuestBgpSession[] }>;
    macsec?: { mode: 'should_encrypt' | 'must_encrypt' | 'no_encrypt'; keyFile?: string; keyServerPriority?: number; replayWindow?: number; replayProtect?: boolean; cipherSuites?: string[]; staticSas?: ConfigStaticSas };
  }>;
}

/** A port's `macsec.staticSas` as the lab writes it in a node configuration (lab.ts staticSasOfEnd). */
interface ConfigStaticSas {
  cipherSuite: string;
  /** MAC/port, or 16 hex digits. */
  peerSci: string;
  tx: ConfigStaticSa;
  rx: ConfigStaticSa[];
}
interface ConfigStaticSa {
  an: number;
  key: string;
  pn?: number | string;
  ssci?: number;
  salt?: string;
}

/** A configuration's static SAs as the guest's `ip macsec` takes them (guest-config.ts staticSasLines). */
function guestStaticSas(s: ConfigStaticSas, m: { replayProtect?: boolean; replayWindow?: number }): GuestStaticSas {
  const [mac, port] = s.peerSci.split('/');
  const peerSci = port === undefined ? s.peerSci.toLowerCase() : `${mac!.replace(/:/g, '').toLowerCase()}${Number(port).toString(16).padStart(4, '0')}`;
  const sa = (x: ConfigStaticSa): GuestStaticSa => ({ an: x.an, key: x.key, pn: BigInt(x.pn ?? 1), ...(x.ssci !== undefined ? { ssci: x.ssci } : {}), ...(x.salt ? { salt: x.salt } : {}) });
  return { cipherSuite: s.cipherSuite, peerSci, tx: sa(s.tx), rx: s.rx.map(sa), ...(m.replayProtect !== undefined ? { replayProtect: m.replayProtect } : {}), ...(m.replayWindow !== undefined ? { replayWindow: m.replayWindow } : {}) };
}

/** What the guest is told, from the node configuration (its key file read here: the CAK goes to the guest only). */
export function guestPlan(c: VmNodeConfig, nicMtu: number): GuestPlan {
  if (c.ports.length !== 1) throw new LabError('topology', `node ${c.name}: a linux-peer has one port (its NIC), got ${c.ports.length}`);
  const p = c.ports[0]!;
  const vifs = p.taps.map((t) => ({ ...(t.vlan !== undefined ? { vlan: t.vlan } : {}), mtu: t.mtu, addresses: t.addresses, bgp: t.bgp === undefined ? [] : Array.isArray(t.bgp) ? t.bgp : [t.bgp] }));
  if (p.macsec?.staticSas) return { nicMtu, static: guestStaticSas(p.macsec.staticSas, p.macsec), vifs };
  let mka: GuestPlan['mka'];
  if (p.macsec && p.macsec.mode !== 'no_encrypt') {
    if (!p.macsec.keyFile) throw new LabError('topology', `node ${c.name}: port ${p.name} has MACsec but no key file`);
    const keys = parseKeyFile(readFileSync(p.macsec.keyFile, 'utf8'), p.macsec.keyFile);
    const first = keys.cas[0];
    if (!first) throw new LabError('topology', `node ${c.name}: the key chain of port ${p.name} is empty`);
    // wpa_supplicant's network block holds one CKN/CAK: the chain's first pair (the one our side tries first).
    mka = { mode: p.macsec.mode, ckn: first.ckn, cak: first.cak, ...(p.macsec.keyServerPriority !== undefined ? { priority: p.macsec.keyServerPriority } : {}), ...(p.macsec.replayWindow !== undefined ? { replayWindow: p.macsec.replayWindow } : {}), ...(p.macsec.replayProtect !== undefined ? { replayProtect: p.macsec.replayProtect } : {}) };
  }
  return {
    nicMtu,
    ...(mka ? { mka } : {}),
    vifs,
  };
}

/** Runs the VM node until SIGTERM/SIGINT or until QEMU exits. */
export async function runVmNode(configFile: string): Promise<void> {
  const c = JSON.parse(readFileSync(configFile, 'utf8')) as VmNodeConfig;
  const log = createLogger(c.logLevel ?? 'info', `dxlab:vm:${c.name}`);
  const port = c.ports[0];
  if (!port) throw new LabError('topology', `node ${c.name}: a linux-peer needs one link`);
  const link = JSON.parse(run('ip', ['-j', 'link', 'show', 'dev', port.wire]))[0] as { mtu: number; address: string };
  const plan = guestPlan(c, link.mtu);
  const img = findImage() ?? (await buildImage((l) => log.info(l)));

  // The guest's NIC: a TAP silent towards this namespace's kernel (no IPv6, no ARP), at the wire's MTU.
  run('ip', ['tuntap', 'add', 'dev', GUEST_NIC_TAP, 'mode', 'tap']);
  run('sysctl', ['-qw', `net.ipv6.conf.${GUEST_NIC_TAP}.disable_ipv6=1`]);
  run('ip', ['link', 'set', 'dev', GUEST_NIC_TAP, 'mtu', String(link.mtu), 'arp', 'off', 'up']);

  const wire = afPacket(port.wire);
  const nic = afPacket(GUEST_NIC_TAP);
  const forwarded = { toGuest: 0, fromGuest: 0 };
  // Wire captures: every frame the forwarder copies, both ways, as it is on the lab's wire (MACsec and MKPDUs).
  const captures = new Set<CaptureFile>();
  const capture = (frames: Uint8Array[]) => {
    if (captures.size === 0) return;
    const t = BigInt(Date.now()) * 1_000_000n;
    for (const c of captures) for (const f of frames) c.write(t, f);
  };
  wire.start((frames) => (capture(frames), (forwarded.toGuest += nic.send(frames))), (e) => log.warn('wire', { error: e.message }));
  nic.start((frames) => (capture(frames), (forwarded.fromGuest += wire.send(frames))), (e) => log.warn('guest nic', { error: e.message }));
  const stopCapture = async (c: CaptureFile) => {
    captures.delete(c);
    await c.close();
    return c.info();
  };
  const captureFlusher = setInterval(() => {
    for (const c of captures) void (c.failed || (c.stopAtMs !== undefined && Date.now() >= c.stopAtMs) ? stopCapture(c) : c.flush());
  }, 500);
  captureFlusher.unref();

  log.info('booting the guest', { image: img.dir, kernel: img.release });
  let guest: GuestConsole;
  try {
    guest = await GuestConsole.boot(img, {
      memMb: c.linuxPeer?.memoryMb ?? 384,
      timeoutMs: 180_000,
      // No checksum or segmentation offload: every frame crosses the forwarder whole and final (DESIGN.md, pitfalls).
      extra: ['-netdev', `tap,id=nic0,ifname=${GUEST_NIC_TAP},script=no,downscript=no,vhost=off`, '-device', `virtio-net-pci,netdev=nic0,mac=${link.address},csum=off,guest_csum=off`],
    });
  } catch (e) {
    closeIo([wire, nic]);
    throw e;
  }
  for (const line of guestSetupLines(plan)) {
    const r = await guest.run(line);
    // The line may hold the CAK: say which step failed by its command word only.
    if (r.status !== 0) {
      await guest.shutdown(5000);
      closeIo([wire, nic]);
      throw new LabError('process', `node ${c.name}: guest setup step '${line.split(' ')[0]}' exited ${r.status}: ${r.output.trim().slice(0, 300)}`);
    }
  }
  log.info('guest ready', { mka: !!plan.mka, staticSas: !!plan.static, vifs: plan.vifs.length });

  // The port's timeline: what changed between two readings of the guest (guest-events.ts), as our KaY's events.
  const events: GuestPortEvent[] = [];
  const followers = new Set<(e: GuestPortEvent) => void>();
  const record = (e: KayEvent) => {
    const ev: GuestPortEvent = { ...e, port: port.name, time: new Date(e.at).toISOString() };
    events.push(ev);
    if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
    for (const f of followers) f(ev);
  };
  record({ at: Date.now(), type: 'started', reason: `guest set up: ${plan.static ? 'static SAs by ip macsec' : plan.mka ? `wpa_supplicant in ${plan.mka.mode}` : 'no MACsec'}` });
  let seen: GuestReading | undefined;

  // The guest answers slowly under TCG (each console command forks tools in an emulated CPU), so the
  // control socket answers from the last reading, refreshed every STATUS_REFRESH_MS; `fresh: true` reads now.
  const read = async () => {
    const r = await guest.run(STATUS_LINE);
    const portStatus = guestPortStatus(r.output, { name: port.name, wire: port.wire, taps: port.taps, mode: plan.mka?.mode ?? port.macsec?.mode ?? null, keying: plan.static ? 'staticSas' : 'mka' });
    const reading = portStatus as unknown as GuestReading;
    for (const e of guestEvents(seen, reading, Date.now())) record(e);
    seen = reading;
    const sessions = plan.vifs.flatMap((v) => v.bgp);
    const bgp = sessions.length ? parseBirdProtocols((await guest.run(`birdc -s ${GUEST_BIRD_SOCKET} show protocols all`)).output, sessions, port.taps[0]?.name ?? '') : [];
    return { port: portStatus, bgp, at: Date.now() };
  };
  let last = await read();
  let reading: Promise<typeof last> | undefined;
  const refresh = () => (reading ??= read().then((x) => ((last = x), x)).finally(() => (reading = undefined)));
  const reader = setInterval(() => void refresh().catch((e: Error) => log.warn('guest status', { error: e.message })), STATUS_REFRESH_MS);
  // A fresh answer comes from a reading that starts after the request: one already under way may predate it.
  const fresh = async () => {
    if (reading) await reading.catch(() => undefined);
    return refresh();
  };
  const current = (req: JsonRequest) => (req.fresh === true ? fresh() : Promise.resolve(last));
  const server = new JsonLineServer(c.controlSocket, {
    log,
    codeOf: (e) => (e instanceof LabError ? 'badRequest' : undefined),
    handle: async (req: JsonRequest, conn) => {
      switch (req.cmd) {
        case 'status': {
          if (typeof req.port === 'string' && req.port !== port.name) throw new LabError('topology', `no port '${req.port}' on node ${c.name} (ports: ${port.name})`);
          const s = await current(req);
          if (req.port) return s.port;
          return { name: c.name, kind: 'linux-peer', pid: process.pid, uptimeS: Math.round(process.uptime()), ports: [s.port], vifs: [], ...(s.bgp.length ? { bgp: s.bgp } : {}), guest: { image: img.dir, kernel: img.release, forwarded, readAt: new Date(s.at).toISOString() } };
        }
        case 'counters': {
          const s = await current(req);
          const all = { name: c.name, ports: [{ name: port.name, secy: s.port.secy, io: { wire: wire.stats(), guestNic: nic.stats(), forwarded } }] };
          return req.port ? all.ports[0] : all;
        }
        case 'events':
          if (typeof req.port === 'string' && req.port !== port.name) throw new LabError('topology', `no port '${req.port}' on node ${c.name} (ports: ${port.name})`);
          if (req.follow === true) {
            const push = (e: GuestPortEvent) => conn.push(e);
            followers.add(push);
            conn.onClose(() => followers.delete(push));
          }
          return { events };
        case 'capture': {
          // The wire side only: frames as the forwarder copies them. The clear and decrypted sides are inside the
          // guest's kernel (its SAKs never leave it): `dxlab exec NODE -- tcpdump -i macsec0` there.
          if (typeof req.port === 'string' && req.port !== port.name) throw new LabError('topology', `no port '${req.port}' on node ${c.name} (ports: ${port.name})`);
          if (req.stop !== undefined) {
            const which = [...captures].filter((x) => req.stop === true || x.path === req.stop);
            const infos = await Promise.all(which.map(stopCapture));
            return { stopped: infos.length > 0, captures: infos };
          }
          if (req.side !== 'wire') throw new LabError('topology', `a linux-peer captures its wire only ('side': 'wire'): its clear and decrypted frames are in the guest's kernel, which holds the SAKs (dxlab exec ${c.name} -- tcpdump -i macsec0)`);
          const durationS = req.durationS;
          if (durationS !== undefined && (typeof durationS !== 'number' || !(durationS > 0))) throw new LabError('topology', `'durationS' must be a positive number`);
          const path = typeof req.path === 'string' && req.path ? req.path : resolve(c.captureDir ?? 'pcaps', `${c.name}-${port.name}-wire.pcapng`);
          if (!isAbsolute(path)) throw new LabError('topology', `'path' must be absolute (the node's working directory is not the client's), got '${path}'`);
          if ([...captures].some((x) => x.path === resolve(path))) throw new LabError('topology', `a capture to ${path} runs already: stop it first`);
          const file = await CaptureFile.create(path, 'wire', port.wire, `dxlab ${c.name} port ${port.name}: the wire (MACsec and MKPDUs), as the VM node forwards it`, durationS !== undefined ? Date.now() + (durationS as number) * 1000 : undefined);
          captures.add(file);
          return { path: file.path };
        }
        case 'setMode': {
          if (typeof req.port === 'string' && req.port !== port.name) throw new LabError('topology', `no port '${req.port}' on node ${c.name} (ports: ${port.name})`);
          const to = req.mode;
          if (to !== 'should_encrypt' && to !== 'must_encrypt' && to !== 'no_encrypt') throw new LabError('topology', `mode must be should_encrypt, must_encrypt or no_encrypt, got '${String(to)}'`);
          if (plan.static) throw new LabError('topology', `${c.name} ${port.name} has static SAs: its macsec0 is keyed by hand, with no MKA and no mode to change`);
          // A guest started in no_encrypt has its keys from the same key file: the plan as if started in the new mode.
          const mka = plan.mka ?? (port.macsec?.keyFile ? guestPlan({ ...c, ports: [{ ...port, macsec: { ...port.macsec, mode: to } }] }, link.mtu).mka : undefined);
          if (!mka) throw new LabError('topology', `${c.name} ${port.name} has no MACsec (the link has no key): no mode to set`);
          const from = plan.mka ? plan.mka.mode : 'no_encrypt';
          for (const line of modeChangeLines({ ...plan, mka }, from, to)) {
            const r = await guest.run(line);
            // The line may hold the CAK: named by its command word only.
            if (r.status !== 0) throw new LabError('process', `node ${c.name}: mode ${to}: guest step '${line.split(' ')[0]}' exited ${r.status}: ${r.output.trim().slice(0, 300)}`);
          }
          plan.mka = { ...mka, mode: to };
          log.info('mode set', { port: port.name, from, to });
          record({ at: Date.now(), type: 'started', reason: `mode ${from} -> ${to}${to === 'no_encrypt' ? ': wpa_supplicant stopped, the VIFs on eth0' : from === 'no_encrypt' ? ': wpa_supplicant started' : ": wpa_supplicant's policy is strict in both (the guest's should_encrypt never falls back)"}` });
          return { mode: to };
        }
        case 'bgp':
          return { peers: (await current(req)).bgp };
        case 'exec': {
          if (typeof req.line !== 'string' || !req.line.trim() || req.line.includes('\n')) throw new LabError('topology', "'line' must be one non-empty shell line");
          const r = await guest.run(req.line, typeof req.timeoutMs === 'number' ? req.timeoutMs : 60_000);
          return { status: r.status, output: r.output };
        }
        default:
          throw new LabError('topology', `a linux-peer answers status, counters, events, bgp, capture (its wire), exec and setMode; '${String(req.cmd)}' is for our own nodes (change the guest with dxlab exec ${c.name} -- ...)`);
      }
    },
  });
  await server.listen();
  log.info('control socket', { path: c.controlSocket });

  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { why });
      clearInterval(reader);
      clearInterval(captureFlusher);
      // The guest keeps nothing (its disk writes go to a throwaway overlay): QEMU is killed, not shut down, so
      // that it is gone within `down`'s grace and reaped here rather than left to the namespace's removal.
      void (async () => {
        await server.close().catch(() => undefined);
        await Promise.all([...captures].map(stopCapture)).catch(() => undefined);
        const exited = new Promise((r) => guest.qemu.once('exit', r));
        guest.kill();
        await exited;
        closeIo([wire, nic]);
        done();
      })();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    guest.qemu.once('exit', (code, sig) => {
      if (stopping) return;
      log.error('qemu exited', { code, signal: sig });
      clearInterval(reader);
      clearInterval(captureFlusher);
      void Promise.all([...captures].map(stopCapture)).catch(() => undefined);
      closeIo([wire, nic]);
      process.exitCode = 1;
      void server.close().finally(done);
    });
  });
}

function closeIo(ios: FrameIo[]): void {
  for (const io of ios) io.close();
}
