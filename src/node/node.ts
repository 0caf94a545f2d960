/**
 * One lab device (dx-device, router or switch) as a process: opens its ports'
 * devices, runs a SecY and a KaY per MACsec port, bridges a switch's ports,
 * serves the control socket and writes captures. The only timers of dxlab's
 * data plane live here and in the ports.
 *
 * @example
 * const node = new LabNode(loadNodeConfig('dx.yaml'));
 * await node.start();
 * process.on('SIGTERM', () => node.stop().then(() => process.exit(0)));
 */
import { execFileSync } from 'node:child_process';
import { dirname, isAbsolute, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afPacket, tap, type FrameIo, type PacketRing, type ServeOrder } from '../io/index.js';
import { macToString } from '../shared/bytes.js';
import { CaptureFile, type CaptureInfo, type CaptureSide } from './capture.js';
import { resolveVifRequest, type NodeConfig, type PortConfig, type TapConfig } from './config.js';
import { ControlServer } from './control.js';
import { NodeError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { MacsecPort, keyExportPath, type PortEvent } from './macsec-port.js';
import { Port, type TapBinding } from './port.js';
import { Attacker } from './attacker.js';
import { InPath, InPathPort } from './in-path.js';
import { ProviderPath } from './provider.js';
import { LagPort, type LagEvent } from './lag-port.js';
import { createSpeaker, type BgpSpeaker, type SpeakerContext } from './bgp/index.js';
import type { BgpConfig } from './config.js';

/** Makes a TAP's BGP speaker; tests hand in fakes. */
export type SpeakerFactory = (tap: string, config: BgpConfig, ctx: SpeakerContext) => BgpSpeaker;

/** How the node opens its devices; tests hand in the memory wire. */
/** A port or a LAG's logical port: what VIF TAPs sit on. */
type VifHolder = Pick<Port, 'name' | 'taps' | 'attachTap' | 'detachTap'>;

export interface DeviceFactory {
  wire(port: PortConfig, netns?: string): FrameIo;
  tap(t: TapConfig, netns?: string): FrameIo;
  /** Sets MTU, MAC and addresses and brings the TAP up. */
  configureTap?(t: TapConfig, netns?: string): void;
}

function ip(netns: string | undefined, args: string[]): void {
  execFileSync('ip', netns ? ['-n', netns, ...args] : args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * How the kernel devices are opened. The node process's entry hands in the
 * user's DXLAB_TAP_OFFLOAD, DXLAB_TAP_COALESCE and DXLAB_PACKET_RING
 * (src/cli/node-env.ts); the defaults are the io layer's.
 */
export interface KernelDeviceOptions {
  /** TAP offloads through a virtio_net_hdr (io/tap.ts `offload`). @default true */
  tapOffload?: boolean;
  /** With offloads, TCP segments coalesced on send (io/tap.ts `coalesce`). @default true */
  tapCoalesce?: boolean;
  /** PACKET_MMAP rings on the wire (io/af-packet.ts `ring`). @default 'off' */
  packetRing?: PacketRing;
  /** Frames per read batch of the wire and the TAPs (io `batch`). @default 64 */
  batch?: number;
  /** Experiments on the wire and the TAPs (io `busyPollUs`, `serve`). */
  busyPollUs?: number;
  serve?: ServeOrder;
  /** SO_BUSY_POLL on the wire (io/af-packet.ts `soBusyPoll`). @default 0 */
  soBusyPoll?: number;
}

/** The options both the wire and the TAPs take. */
function tuning(o: KernelDeviceOptions): { batch?: number; busyPollUs?: number; serve?: ServeOrder } {
  return {
    ...(o.batch !== undefined ? { batch: o.batch } : {}),
    ...(o.busyPollUs !== undefined ? { busyPollUs: o.busyPollUs } : {}),
    ...(o.serve !== undefined ? { serve: o.serve } : {}),
  };
}

/** Real devices: AF_PACKET on the wire, TAPs configured with iproute2. */
export function kernelDevicesWith(o: KernelDeviceOptions): DeviceFactory {
  return {
    ...kernelDevices,
    wire: (p, netns) =>
      afPacket(p.wire, { ...(netns ? { netns } : {}), ...tuning(o), ...(o.packetRing ? { ring: o.packetRing } : {}), ...(o.soBusyPoll !== undefined ? { soBusyPoll: o.soBusyPoll } : {}) }),
    tap: (t, netns) =>
      tap(t.name, {
        ...(netns ? { netns } : {}),
        ...tuning(o),
        ...(o.tapOffload !== undefined ? { offload: o.tapOffload } : {}),
        ...(o.tapCoalesce !== undefined ? { coalesce: o.tapCoalesce } : {}),
      }),
  };
}

/** Real devices with the io layer's defaults. */
export const kernelDevices: DeviceFactory = {
  wire: (p, netns) => afPacket(p.wire, netns ? { netns } : {}),
  tap: (t, netns) => tap(t.name, netns ? { netns } : {}),
  configureTap(t, netns) {
    try {
      ip(netns, ['link', 'set', 'dev', t.name, 'mtu', String(t.mtu), ...(t.mac ? ['address', macToString(t.mac)] : []), ...(t.alias ? ['alias', t.alias] : [])]);
      for (const a of t.addresses) ip(netns, ['addr', 'replace', a, 'dev', t.name]);
      ip(netns, ['link', 'set', 'dev', t.name, 'up']);
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      throw new NodeError('device', `cannot configure TAP ${t.name}: ${err.stderr?.toString().trim() || err.message}`);
    }
  },
};

const FLUSH_INTERVAL_MS = 200;

export class LabNode {
  readonly ports: Port[] = [];
  /** The LAGs' logical ports over some of the ports (config `lags`). */
  readonly lags: LagPort[] = [];
  /** One BGP speaker per TAP with a `bgp` section, started after the ports. */
  readonly speakers: BgpSpeaker[] = [];
  readonly log: Logger;
  /** A provider's or attacker's forwarder between its two ports. */
  inPath?: InPath;
  private control?: ControlServer;
  private flushTimer?: NodeJS.Timeout;
  /** Capture paths being checked and created, so that two requests cannot open one file. */
  private readonly opening = new Set<string>();
  private stopping = false;
  /** The VIF change running now (addVif, removeVif, moveVif run one at a time). */
  private vifOps: Promise<unknown> = Promise.resolve();
  private readonly subscribers = new Set<(e: PortEvent | LagEvent) => void>();
  private readonly t0 = performance.now();

  constructor(
    readonly config: NodeConfig,
    private readonly devices: DeviceFactory = kernelDevices,
    log?: Logger,
    private readonly bgpSpeaker: SpeakerFactory = createSpeaker,
  ) {
    this.log = log ?? createLogger(config.logLevel, `dxlab:node:${config.name}`);
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /**
   * Opens every device, starts the ports and the control socket.
   * @throws NodeError or IoError naming the device; what was opened is closed again.
   */
  async start(): Promise<void> {
    const { config: c, devices } = this;
    try {
      for (const p of c.ports) {
        const wire = devices.wire(p, c.netns);
        const taps: TapBinding[] = [];
        try {
          for (const t of p.taps) taps.push(this.openTap(t));
        } catch (e) {
          wire.close();
          for (const t of taps) t.io.close();
          throw e;
        }
        const deps = {
          wire,
          taps,
          now: () => this.now(),
          wallNs: () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n,
          log: this.log,
        };
        const port = p.macsec
          ? new MacsecPort(p, {
              ...deps,
              keyExportPath: p.capture.keys ? keyExportPath(c.captureDir, c.name, p.name) : undefined,
              onEvent: (e) => this.subscribers.forEach((s) => s(e)),
            })
          : c.inPath?.ports.includes(p.name)
            ? new InPathPort(p, deps)
            : new Port(p, deps);
        this.ports.push(port);
      }
      if (c.inPath) {
        const ip = c.inPath;
        const ports = ip.ports.map((n) => this.ports.find((p) => p.name === n)) as [InPathPort, InPathPort];
        const behaviour = ip.provider ? new ProviderPath(ip.provider, ip.roles, Math.random) : new Attacker(Math.random);
        this.inPath = new InPath(ports, ip.peers, behaviour, () => this.now());
      }
      for (const l of c.lags) this.lags.push(this.openLag(l));
      const bridged = [...this.ports, ...this.lags].filter((p) => c.bridge.includes(p.name));
      for (const p of bridged) p.bridgePeers = bridged.filter((q) => q !== p);
      for (const p of this.ports) {
        for (const side of ['wire', 'clear', 'decrypted'] as const) {
          if (p.config.capture[side]) await this.startCapture(p.name, side);
        }
      }
      this.control = new ControlServer(c.controlSocket, this, this.log);
      await this.control.listen();
      for (const p of this.ports) p.start();
      for (const l of this.lags) l.start();
      this.flushTimer = setInterval(() => this.ports.forEach((p) => void p.flushCaptures(this.now())), FLUSH_INTERVAL_MS);
      this.flushTimer.unref();
      for (const t of [...c.ports.flatMap((p) => p.taps), ...c.lags.flatMap((l) => l.taps)]) await this.startSpeakers(t);
      this.log.info('node started', { kind: c.kind, ports: c.ports.map((p) => p.name), controlSocket: c.controlSocket });
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /** Stops the ports (the KaYs delete their SAs), closes devices, captures and the control socket. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    // Speakers first: their Cease still crosses the link, and their routes go while the TAPs exist.
    await Promise.all(this.speakers.map((s) => s.stop()));
    this.speakers.length = 0;
    for (const l of this.lags) l.stop();
    this.lags.length = 0;
    const closing: Array<Promise<void>> = [];
    for (const p of this.ports) {
      try {
        closing.push(p.stop());
      } catch (e) {
        this.log.warn('error stopping port', { port: p.name, error: (e as Error).message });
      }
    }
    this.ports.length = 0;
    this.inPath?.stop();
    await Promise.all(closing);
    await this.control?.close();
    this.control = undefined;
  }

  /**
   * Opens a TAP and sets its MTU, MAC, alias and addresses: for the
   * configuration's TAPs at start and for a VIF added live (one way to make a VIF).
   * @throws NodeError('device') or IoError naming the TAP; it is closed again then.
   */
  private openTap(t: TapConfig): TapBinding {
    const io = this.devices.tap(t, this.config.netns);
    try {
      this.devices.configureTap?.(t, this.config.netns);
    } catch (e) {
      io.close();
      throw e;
    }
    return { config: t, io };
  }

  /**
   * Starts the BGP sessions of a TAP (its `bgp` section), at start and for a
   * VIF added or moved live.
   * @throws what a speaker's start throws; the TAP's sessions started so far stay in `speakers` (the caller stops them).
   */
  private async startSpeakers(t: TapConfig): Promise<void> {
    const c = this.config;
    for (const b of t.bgpSessions) {
      const speaker = this.bgpSpeaker(t.name, b, { nodeName: c.name, runDir: dirname(c.controlSocket), netns: c.netns, log: this.log, now: () => this.now() });
      this.speakers.push(speaker);
      await speaker.start();
    }
  }

  /** Stops the BGP sessions of one TAP (their Cease still crosses the link) and forgets them. */
  private async stopSpeakers(tap: string): Promise<void> {
    const mine = this.speakers.filter((s) => s.tap === tap);
    for (const s of mine) this.speakers.splice(this.speakers.indexOf(s), 1);
    await Promise.all(mine.map((s) => s.stop()));
  }

  /** VIF changes one at a time, so that a check and the change it guards see the same TAPs. */
  private serialized<T>(op: () => Promise<T>): Promise<T> {
    const run = this.vifOps.then(op);
    this.vifOps = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** @throws NodeError('unknownVif') */
  /** Where VIFs sit: the ports, and the LAGs' logical ports. */
  private vifHolders(): VifHolder[] {
    return [...this.ports, ...this.lags];
  }

  private portOfTap(name: string): VifHolder {
    const p = this.vifHolders().find((q) => q.taps.some((t) => t.config.name === name));
    if (!p) throw new NodeError('unknownVif', `no VIF (TAP) '${name}' on node ${this.config.name} (TAPs: ${this.vifHolders().flatMap((q) => q.taps.map((t) => t.config.name)).join(', ') || 'none'})`);
    return p;
  }

  /**
   * The port or LAG a VIF can go on. A LAG's member is refused: what it
   * collects goes to its LAG's TAPs, so a TAP of its own would hear nothing.
   * @throws NodeError('unknownPort' | 'badRequest')
   */
  private vifHolder(name: string | undefined): VifHolder {
    const lag = name === undefined ? undefined : this.lags.find((l) => l.name === name);
    if (lag) return lag;
    const member = name === undefined ? undefined : this.lags.find((l) => l.config.members.includes(name));
    if (member) throw new NodeError('badRequest', `port ${name} is a member of LAG ${member.name}: a VIF goes on the LAG ('${member.name}')`);
    if (name !== undefined && !this.ports.some((x) => x.name === name) && this.lags.length) {
      throw new NodeError('unknownPort', `no port or LAG '${name}' on node ${this.config.name} (ports: ${this.ports.map((x) => x.name).join(', ')}; LAGs: ${this.lags.map((l) => l.name).join(', ')})`);
    }
    return this.port(name);
  }

  /**
   * Adds a VIF on a running node (control `addVif`): the TAP as a port's
   * `taps[]` entry of the configuration describes it, on its VLAN of that
   * port (or untagged), with its addresses and BGP session(s), made by the
   * code that makes the configuration's TAPs.
   * @throws NodeError('unknownPort' | 'vifExists' | 'badRequest') before
   *   anything is made; NodeError('device') or a speaker's error when the TAP
   *   or its BGP cannot start: what was made is removed again.
   */
  addVif(portName: string, raw: unknown): Promise<{ name: string; port: string; vlan: number | null }> {
    return this.serialized(async () => {
      const p = this.vifHolder(portName);
      const names = new Set(this.vifHolders().flatMap((q) => q.taps.map((t) => t.config.name)));
      const t = resolveVifRequest(raw, { names, vlans: new Set(p.taps.map((x) => x.config.vlan)) });
      const wire = this.ports.find((q) => q.config.wire === t.name);
      if (wire) throw new NodeError('badRequest', `tap/name: '${t.name}' is the wire of port ${wire.name}`);
      const binding = this.openTap(t);
      p.attachTap(binding);
      try {
        await this.startSpeakers(t);
      } catch (e) {
        await this.stopSpeakers(t.name);
        p.detachTap(t.name);
        binding.io.close();
        throw e;
      }
      this.log.info('VIF added', { tap: t.name, port: p.name, vlan: t.vlan ?? null, bgp: t.bgpSessions.length });
      return { name: t.name, port: p.name, vlan: t.vlan ?? null };
    });
  }

  /**
   * Removes a VIF (control `removeVif`): its BGP sessions stop (their Cease
   * crosses the link while the TAP is there), then the TAP closes and is gone.
   * @throws NodeError('unknownVif')
   */
  removeVif(name: string): Promise<{ name: string; port: string }> {
    return this.serialized(async () => {
      const p = this.portOfTap(name);
      await this.stopSpeakers(name);
      p.detachTap(name)!.io.close();
      this.log.info('VIF removed', { tap: name, port: p.name });
      return { name, port: p.name };
    });
  }

  /**
   * Moves a VIF to another port (control `moveVif`; AWS
   * AssociateVirtualInterface): the TAP device, its MAC and addresses stay,
   * its frames now cross `to` (tagged with `vlan`, else its VLAN as before),
   * and its BGP sessions restart over the new port.
   * @throws NodeError('unknownVif' | 'unknownPort' | 'badRequest') before anything changed.
   */
  moveVif(name: string, toName: string, vlan?: number): Promise<{ name: string; port: string; vlan: number | null }> {
    return this.serialized(async () => {
      const from = this.portOfTap(name);
      const to = this.vifHolder(toName);
      if (vlan !== undefined && !(Number.isInteger(vlan) && vlan >= 1 && vlan <= 4094)) throw new NodeError('badRequest', `'vlan' must be an integer from 1 to 4094, got ${JSON.stringify(vlan)}`);
      const cur = from.taps.find((t) => t.config.name === name)!;
      const next = vlan ?? cur.config.vlan;
      const clash = to.taps.find((t) => t.config.name !== name && t.config.vlan === next);
      if (clash) throw new NodeError('badRequest', `${vlan !== undefined ? "'vlan'" : `'vlan' (the TAP's, ${next ?? 'untagged'})`}: port ${to.name} has TAP ${clash.config.name} ${next === undefined ? 'untagged' : `on VLAN ${next}`} already`);
      await this.stopSpeakers(name);
      const b = from.detachTap(name)!;
      const { vlan: _old, ...rest } = b.config;
      const config: TapConfig = next === undefined ? rest : { ...rest, vlan: next };
      to.attachTap({ config, io: b.io });
      this.log.info('VIF moved', { tap: name, from: from.name, to: to.name, vlan: next ?? null });
      await this.startSpeakers(config);
      return { name, port: to.name, vlan: next ?? null };
    });
  }

  /** Each VIF (TAP) of the node: its port, VLAN, addresses and BGP sessions' state. */
  vifs(): Array<Record<string, unknown>> {
    return this.vifHolders().flatMap((p) =>
      p.taps.map(({ config: t }) => ({
        name: t.name,
        port: p.name,
        vlan: t.vlan ?? null,
        mtu: t.mtu,
        mac: t.mac ? macToString(t.mac) : null,
        addresses: t.addresses,
        bgp: this.speakers
          .filter((s) => s.tap === t.name)
          .map((s) => {
            const b = s.status();
            return { localAddress: b.localAddress, peerAddress: b.peerAddress, localAsn: b.localAsn, peerAsn: b.peerAsn, state: b.state };
          }),
      })),
    );
  }

  /** @throws NodeError('unknownPort') */
  port(name: string | undefined): Port {
    if (name === undefined && this.ports.length === 1) return this.ports[0]!;
    const p = this.ports.find((x) => x.name === name);
    if (!p) throw new NodeError('unknownPort', `no port '${name ?? ''}' on node ${this.config.name} (ports: ${this.ports.map((x) => x.name).join(', ')})`);
    return p;
  }

  /** @throws NodeError('unknownPort' | 'badRequest') */
  macsecPort(name: string | undefined): MacsecPort {
    const p = this.port(name);
    if (!(p instanceof MacsecPort)) throw new NodeError('badRequest', `port ${p.name} of node ${this.config.name} has no MACsec`);
    return p;
  }

  /** A LAG's logical port over member ports, its TAPs opened and configured. */
  private openLag(l: NodeConfig['lags'][number]): LagPort {
    const { config: c, devices } = this;
    const members = l.members.map((m) => this.ports.find((p) => p.name === m)!);
    const taps: TapBinding[] = [];
    try {
      for (const t of l.taps) {
        taps.push({ config: t, io: devices.tap(t, c.netns) });
        devices.configureTap?.(t, c.netns);
      }
      return new LagPort(l, members, members[0]!.wireMac(), { taps, now: () => this.now(), log: this.log, onEvent: (e) => this.subscribers.forEach((s) => s(e)) });
    } catch (e) {
      for (const t of taps) t.io.close();
      throw e;
    }
  }

  /** @throws NodeError('badRequest') when the node has no LAG of that name (or several and none named). */
  lag(name: string | undefined): LagPort {
    if (name === undefined && this.lags.length === 1) return this.lags[0]!;
    const l = this.lags.find((x) => x.name === name);
    if (!l) throw new NodeError('badRequest', `no LAG '${name ?? ''}' on node ${this.config.name} (LAGs: ${this.lags.map((x) => x.name).join(', ') || 'none'})`);
    return l;
  }

  subscribe(fn: (e: PortEvent | LagEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /**
   * Starts a capture of one side of a port. Nothing blocks the event loop
   * meanwhile: the path is checked and the file made through fs/promises.
   * @param path absolute (the node's working directory is nobody's concern);
   *   default `<captureDir>/<node>-<port>-<side>.pcapng`.
   * @returns the absolute path of the pcapng file.
   * @throws NodeError('unknownPort' | 'badRequest' | 'capture') naming the port or path.
   */
  async startCapture(portName: string | undefined, side: CaptureSide, path?: string, durationS?: number): Promise<string> {
    const p = this.port(portName);
    if (side !== 'clear' && side !== 'wire' && side !== 'decrypted') throw new NodeError('badRequest', `capture side must be wire, clear or decrypted, got '${side}'`);
    const file = path ?? resolve(this.config.captureDir, `${this.config.name}-${p.name}-${side}.pcapng`);
    // A relative path matches nothing here; CaptureFile.create refuses it with the reason.
    const key = isAbsolute(file) ? resolve(file) : file;
    const running = this.ports.flatMap((q) => q.listCaptures().map((c) => ({ ...c, port: q.name }))).find((c) => c.path === key);
    if (running || this.opening.has(key)) throw new NodeError('badRequest', `a capture to ${key} runs already${running ? ` (port ${running.port}, ${running.side})` : ''}: stop it first`);
    const ifname = side === 'clear' ? (p.config.taps[0]?.name ?? p.name) : p.config.wire;
    const desc = `dxlab ${this.config.name} port ${p.name}: ${side === 'wire' ? 'the wire (MACsec and MKPDUs)' : side === 'clear' ? 'the controlled side (cleartext)' : 'the wire, MACsec frames decrypted'}`;
    this.opening.add(key);
    let capture: CaptureFile;
    try {
      capture = await CaptureFile.create(file, side, ifname, desc, durationS !== undefined ? this.now() + durationS * 1000 : undefined);
    } finally {
      this.opening.delete(key);
    }
    // The node may have stopped while the file was being made.
    if (this.stopping || !this.ports.includes(p)) {
      await capture.close();
      throw new NodeError('capture', `node ${this.config.name} stopped before the capture to ${capture.path} began`);
    }
    p.addCapture(capture);
    return capture.path;
  }

  /**
   * Stops the capture writing `path` on the port, or every capture of the port without one.
   * @returns the captures stopped, once their files are complete.
   */
  stopCaptures(portName: string | undefined, path?: string): Promise<CaptureInfo[]> {
    return this.port(portName).stopCaptures(path === undefined ? undefined : resolve(path));
  }

  status(): Record<string, unknown> {
    return {
      name: this.config.name,
      kind: this.config.kind,
      pid: process.pid,
      // When this process started: a new value is a restarted node, also in a container where the PID repeats.
      startedAt: new Date(performance.timeOrigin + this.t0).toISOString(),
      uptimeS: Math.round(this.now() / 1000),
      ports: this.ports.map((p) => p.status()),
      vifs: this.vifs(),
      ...(this.inPath ? { inPath: this.inPath.status() } : {}),
      ...(this.lags.length > 0 ? { lags: this.lags.map((l) => l.status()) } : {}),
      ...(this.speakers.length > 0 ? { bgp: this.speakers.map((s) => s.status()) } : {}),
    };
  }

  /** @throws NodeError('badRequest') when no TAP of that name runs BGP. */
  speaker(tap: string | undefined): BgpSpeaker {
    if (tap === undefined && this.speakers.length === 1) return this.speakers[0]!;
    const s = this.speakers.find((x) => x.tap === tap);
    if (!s) throw new NodeError('badRequest', `no BGP session on TAP '${tap ?? ''}' of node ${this.config.name} (BGP on: ${this.speakers.map((x) => x.tap).join(', ') || 'none'})`);
    return s;
  }

  counters(): Record<string, unknown> {
    return {
      name: this.config.name,
      ports: this.ports.map((p) => ({
        name: p.name,
        port: p.counters,
        io: p.ioStats(),
        ...(p instanceof MacsecPort ? { secy: p.secyCounters(), mka: p.kayStatus().counters, fastPath: p.fastPathStatus() } : {}),
      })),
      ...(this.inPath ? { inPath: this.inPath.counters() } : {}),
    };
  }
}
