/**
 * A MACsec port: a SecY (802.1AE) and a KaY (802.1X MKA) between the wire
 * and the controlled side, driven by one clock. The KaY's SecY commands are
 * applied here; the controlled port's state (blocked, clear, secured) decides
 * which frames pass; MKPDUs go between the wire and the KaY only.
 *
 * Data path: with the native GCM engine on real devices, the addon's fast
 * path (src/io/fastpath.ts) takes the frames whose outcome is the common one
 * (encrypted out, validated in, or untagged both ways under no_encrypt)
 * without calling into JavaScript; this class decides every other frame
 * with the reference SecY. Captures and a bridge turn the fast path off, so
 * that every frame is seen here. A LAG member's fast path serves its wire
 * only: its LAG's fast path (lag-port.ts) sends through it and it delivers
 * to the LAG's TAPs. The config's `fastPath: false` (from
 * DXLAB_FASTPATH=0, read by the node's process entry) turns it off too.
 *
 * MTU: a protected frame is 32 octets longer than its cleartext (16 of
 * SecTAG with SCI, 16 of ICV), so the wire's MTU must be at least the TAP's
 * MTU + 32 (+4 for a VLAN tag the node adds). A frame too long for the wire is
 * counted in OutPktsTooLong, never dropped silently.
 */
import { randomBytes } from 'node:crypto';
import { toHex } from '../shared/bytes.js';
import type { Secret } from '../shared/secret.js';
import { serializeKeyFile, type KeyFile, type KeyFileSak } from '../shared/key-file.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ICV_LEN, SECTAG_SCI_LEN, SecY, sciFromMac, sciToHex, type GcmEngine, type Sci, type SecYSnapshot } from '../macsec/index.js';
import { FAST_PATH_MAX_CLEAR_TEXT, FAST_PATH_MAX_RX_SAS, FastPath, isNativeGcmEngine, selectGcmEngine, type FastPathStats } from '../io/index.js';
import { KaY, MkaError, ETHERTYPE_EAPOL, type ControlledPortState, type EncryptionMode, type KayEvent, type KayOutput, type KayStatus } from '../mka/index.js';
import { knobConfigValue, type MacsecConfig, type PortConfig, type TapConfig } from './config.js';
import { MACSEC_KNOBS, type KnobApply, type MacsecKnob } from './knobs.js';
import { NodeError } from './errors.js';
import { Port, pushEvent, type PortDeps, type TapBinding } from './port.js';
import type { CaptureFile } from './capture.js';
import { applySecYCommand } from './secy-commands.js';
import { VLAN_TAG_LEN } from './vlan.js';
import { StaticKeying, staticSasSummary, type StaticSasConfig } from './static-sas.js';

/** What keys the port's SecY: MKA's KaY, or the static SAs of `macsec.staticSas` (static-sas.ts), which answers the same calls. */
type Keying = Pick<KaY, 'start' | 'stop' | 'receive' | 'tick' | 'reportPn' | 'setMode' | 'requestRekey' | 'addKey' | 'setKeyChain' | 'status'> & { readonly config: object };

/** MACsec's growth of a frame: SecTAG with SCI (802.1AE-2018 9.3) + ICV (14.5). */
export const MACSEC_OVERHEAD = SECTAG_SCI_LEN + ICV_LEN;
/** Ethernet header octets not counted in an MTU. */
const ETH_HEADER = 14;

export interface PortEvent extends KayEvent {
  port: string;
  time: string;
}

export interface MacsecPortDeps extends PortDeps {
  /** Where key exports go; undefined: none. */
  keyExportPath?: string;
  onEvent(e: PortEvent): void;
}

export class MacsecPort extends Port {
  readonly secy: SecY;
  readonly sci: Sci;
  /** The SecY's AES-GCM engine ('ipsec-mb', 'openssl' or 'node'), as `status()` reports it. */
  readonly gcmEngine: GcmEngine;
  private kay: Keying;
  private portState: ControlledPortState = 'blocked';
  private clearText = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private eapolEtherType: number;
  readonly events: PortEvent[] = [];
  private readonly saks: KeyFileSak[] = [];
  private macsec: MacsecConfig;
  /** The addon's fast path, or undefined (and why) when this port runs without it. */
  private readonly fastPath: FastPath | undefined;
  private readonly fastPathOff: string | undefined;
  /** Set when the addon refused the last configuration. */
  private fastPathError: string | undefined;
  /** The fast path reads the wire and the port's TAPs now (attachFastPath). */
  private fastPathAttached = false;

  constructor(
    config: PortConfig,
    protected override readonly deps: MacsecPortDeps,
  ) {
    super(config, deps);
    this.macsec = config.macsec!;
    const mac = deps.wire.mac();
    this.sci = sciFromMac(mac, this.macsec.sciPort);
    const selected = selectGcmEngine(this.macsec.crypto);
    if (selected.fallback) deps.log.warn('native AES-GCM unavailable: node:crypto runs the data plane', { port: config.name, reason: selected.fallback });
    this.gcmEngine = selected.engine;
    this.secy = new SecY({ txSci: this.sci, maxFrameLength: deps.wire.mtu() + ETH_HEADER, engine: this.gcmEngine });
    this.eapolEtherType = this.macsec.eapolEtherType ?? ETHERTYPE_EAPOL;
    this.kay = this.makeKay(this.macsec);
    this.checkMtu();
    if (this.macsec.fastPath === false) this.fastPathOff = 'fastPath false (DXLAB_FASTPATH=0)';
    else if (!isNativeGcmEngine(this.gcmEngine)) this.fastPathOff = 'crypto node: node:crypto runs every frame';
    // The TAPs are checked whenever they change (VIFs come and go); the wire only once.
    else if (deps.wire.kind !== 'afPacket') this.fastPathOff = 'devices not served by the addon';
    if (!this.fastPathOff) {
      try {
        this.fastPath = FastPath.create();
      } catch (e) {
        this.fastPathOff = (e as Error).message;
      }
    }
    this.secy.onChange = () => this.syncFastPath();
  }

  /** Why the fast path takes no frames now, or undefined when it takes them. */
  private fastPathIdle(): string | undefined {
    if (!this.fastPath) return this.fastPathOff ?? 'not available';
    if (!this.started) return 'port stopped';
    if (!this.fastPathAttached) return this.aggregator ? 'wire not served by the addon' : this.deps.taps.length === 0 ? 'no TAP on the port' : 'devices not served by the addon';
    if (this.capturing) return 'capture running: every frame goes through the reference SecY';
    if (this.bridgePeers.length) return 'bridged port';
    // Clear-text EtherTypes cannot be cut short, or frames of the missing ones would be encrypted.
    if (this.clearText.size > FAST_PATH_MAX_CLEAR_TEXT) return `more than ${FAST_PATH_MAX_CLEAR_TEXT} clear-text EtherTypes`;
    return this.fastPathError;
  }

  /** The port's fast path for its LAG's (lag-port.ts) to send through and deliver from, or undefined. */
  override lagFastPath(): FastPath | undefined {
    return this.fastPath;
  }

  /**
   * Hands the fast path the SecY's tables and the port's state; called after
   * every change of either.
   */
  private syncFastPath(): void {
    const fp = this.fastPath;
    if (!fp) return;
    const tables = this.secy.fastPathTables();
    this.fastPathError = undefined;
    try {
      fp.configure({
        enabled: this.fastPathIdle() === undefined,
        blocked: this.portState === 'blocked',
        // A LAG member delivers to its LAG's TAPs (lag.c); its own table is not read then.
        taps: this.aggregator ? [-1] : this.deps.taps.map((t) => t.config.vlan ?? -1),
        eapolEtherType: this.eapolEtherType,
        clearText: [...this.clearText].slice(0, FAST_PATH_MAX_CLEAR_TEXT),
        ...tables,
        // Receive SAs past the addon's table size stay with the reference SecY.
        rx: tables.rx.slice(0, FAST_PATH_MAX_RX_SAS),
      });
    } catch (e) {
      // Never let the fast path break the port: off, every frame to the reference SecY.
      this.fastPathError = `refused by the addon: ${(e as Error).message}`;
      this.deps.log.warn('fast path turned off', { port: this.name, error: (e as Error).message });
      fp.configure({ enabled: false, blocked: true, taps: [-1], eapolEtherType: this.eapolEtherType, clearText: [], ...tables, tx: undefined, rx: [] });
    }
  }

  /** Whether the fast path takes frames now, and what it did. */
  fastPathStatus(): { active: boolean; reason?: string } & Partial<FastPathStats> {
    // A LAG member's frames take the fast path only while its LAG's does too (the C checks both).
    const own = this.fastPathIdle();
    const lag = this.aggregator?.fastPathIdle();
    const reason = own ?? (lag !== undefined ? `LAG: ${lag}` : undefined);
    return { active: reason === undefined, ...(reason ? { reason } : {}), ...this.fastPath?.stats() };
  }

  override addCapture(c: CaptureFile): void {
    super.addCapture(c);
    this.syncFastPath();
  }

  override removeCapture(c: CaptureFile): Promise<void> {
    const closed = super.removeCapture(c);
    this.syncFastPath();
    return closed;
  }

  override get kind(): 'macsec' {
    return 'macsec';
  }

  private makeKay(m: MacsecConfig): Keying {
    const { sciPort: _p, crypto: _c, pnThreshold, keyChain, staticSas, ...knobs } = m;
    if (staticSas) return new StaticKeying(staticSas, m);
    return new KaY(
      { ...knobs, sci: this.sci, keyChain, ...(pnThreshold !== undefined ? { pnExhaustionThreshold: pnThreshold } : {}) },
      // A plain Uint8Array: the KaY copies with .slice(), which on a Buffer would alias.
      { random: (n) => new Uint8Array(randomBytes(n)) },
    );
  }

  private checkMtu(taps: readonly TapConfig[] = this.config.taps): void {
    const wireMtu = this.deps.wire.mtu();
    for (const t of taps) {
      const need = t.mtu + MACSEC_OVERHEAD + (t.vlan !== undefined ? VLAN_TAG_LEN : 0);
      if (wireMtu < need) {
        this.deps.log.warn('wire MTU too small for MACsec: longer frames will count in OutPktsTooLong', {
          port: this.name,
          wire: this.config.wire,
          wireMtu,
          tap: t.name,
          tapMtu: t.mtu,
          needed: need,
        });
      }
    }
  }

  override start(): void {
    super.start();
    this.attachFastPath();
    this.handle(this.kay.start(this.deps.now()));
    this.syncFastPath();
  }

  /**
   * Hands the fast path the wire and the port's TAPs as they are now (TAP i
   * of its configuration is `taps[i]`), or takes it off them when it cannot
   * serve them (no TAP left). Called at start and whenever a VIF comes, goes
   * or moves; the caller syncs the configuration after.
   */
  private attachFastPath(): void {
    if (!this.fastPath || !this.started) return;
    const taps = this.deps.taps.map((t) => t.io);
    this.fastPathAttached = false;
    try {
      // A LAG member's fast path takes its wire only: the TAPs are its LAG's.
      if (this.aggregator && FastPath.canServeWire(this.deps.wire)) {
        this.fastPath.attach(this.deps.wire, []);
        this.fastPathAttached = true;
      } else if (!this.aggregator && FastPath.canServe(this.deps.wire, taps)) {
        this.fastPath.attach(this.deps.wire, taps);
        this.fastPathAttached = true;
      } else this.fastPath.detach();
    } catch (e) {
      this.deps.log.warn('fast path not attached: the reference SecY runs every frame', { port: this.name, error: (e as Error).message });
    }
  }

  override attachTap(t: TapBinding): void {
    super.attachTap(t);
    this.checkMtu([t.config]);
    this.attachFastPath();
    this.syncFastPath();
  }

  override detachTap(name: string): TapBinding | undefined {
    const t = super.detachTap(name);
    this.attachFastPath();
    this.syncFastPath();
    return t;
  }

  override stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.started) this.handle(this.kay.stop(this.deps.now()), false);
    this.fastPath?.detach();
    this.fastPathAttached = false;
    return super.stop();
  }

  /** Applies what the KaY asked for: MKPDUs out, SecY commands, events, the next timer. */
  private handle(out: KayOutput, schedule = true): void {
    const stateBefore = this.portState;
    for (const c of out.commands) {
      if (c.op === 'createTxSa' || c.op === 'createRxSa') this.recordSak(c.op === 'createTxSa' ? this.sci : c.sci, c);
      const port = applySecYCommand(this.secy, c);
      if (port) {
        this.portState = port.state;
        this.clearText = new Set(port.clearTextEtherTypes);
      }
    }
    if (out.mkpdus.length) {
      this.counters.txMkpdu += out.mkpdus.length;
      if (this.capturing) {
        const t = this.deps.wallNs();
        for (const f of out.mkpdus) {
          this.capture('wire', f, t);
          this.capture('decrypted', f, t);
        }
      }
      this.deps.wire.send(out.mkpdus);
    }
    for (const e of out.events) this.recordEvent(e);
    if (out.commands.length) this.syncFastPath();
    if (schedule && this.started) this.schedule(out.nextDeadline);
    // After the KaY's own frames and timer: LACP may send on the port at once.
    if ((this.portState === 'blocked') !== (stateBefore === 'blocked')) this.aggregator?.memberChanged(this);
  }

  private schedule(deadline: number): void {
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, deadline - this.deps.now());
    this.timer = setTimeout(() => this.onTimer(), delay);
    this.timer.unref?.();
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = this.deps.now();
    this.reportPn(now);
    this.handle(this.kay.tick(now));
  }

  /** Tells the KaY the transmit PN (LPN reporting, PN exhaustion: 802.1X-2020 9.8). */
  private reportPn(now: number): void {
    const an = this.secy.encodingSa;
    if (an === undefined) return;
    const nextPn = this.secy.txSaNextPn(an);
    if (nextPn !== undefined) this.handle(this.kay.reportPn(now, { txNextPn: [{ an, nextPn }] }), false);
  }

  private recordEvent(e: KayEvent): void {
    const ev: PortEvent = { ...e, port: this.name, time: new Date().toISOString() };
    pushEvent(this.events, ev);
    this.deps.log.info(`kay: ${e.type}`, { port: this.name, reason: e.reason, ...(e.kn !== undefined ? { kn: e.kn } : {}), ...(e.an !== undefined ? { an: e.an } : {}) });
    this.deps.onEvent(ev);
  }

  /** Keeps SAKs for an explicit key export only (capture.keys in the config). */
  private recordSak(sci: Sci, c: { an: number; sak: { expose(): Uint8Array }; ssci?: number; salt?: Uint8Array; nextPn?: bigint; lowestPn?: bigint }): void {
    if (!this.deps.keyExportPath) return;
    const suite = this.secy.cipherSuite;
    const entry: KeyFileSak = {
      sci: sciToHex(sci),
      an: c.an,
      suite: suite.cliName,
      sak: toHex(c.sak.expose()),
      firstPn: (c.nextPn ?? c.lowestPn ?? 1n).toString(),
      from: new Date().toISOString(),
    };
    if (c.ssci !== undefined) entry.ssci = c.ssci;
    if (c.salt) entry.salt = toHex(c.salt);
    if (this.saks.some((s) => s.sci === entry.sci && s.an === entry.an && s.sak === entry.sak)) return;
    this.saks.push(entry);
    this.writeKeyExport();
  }

  private writeKeyExport(): void {
    const path = this.deps.keyExportPath!;
    const kf: KeyFile = {
      version: 1,
      cas: this.macsec.keyChain.map((k) => ({ ckn: toHex(k.ckn), cak: toHex(k.cak.expose()) })),
      saks: this.saks,
    };
    try {
      writeFileSync(path, serializeKeyFile(kf), { mode: 0o600 });
      // Wireshark 4.6's MACsec SAK table (psk_config_data): one `HEX,"label"` line per
      // SAK; it has no XPN support, so XPN SAKs are left out.
      const lines = this.saks.filter((s) => !s.suite.includes('xpn')).map((s) => `${s.sak},"${s.sci}/AN${s.an}"`);
      writeFileSync(path.replace(/\.keys\.json$/, '.wireshark-macsec-keys.txt'), lines.join('\n') + (lines.length ? '\n' : ''), { mode: 0o600 });
    } catch (e) {
      this.deps.log.warn('cannot write key export', { port: this.name, path, error: (e as Error).message });
    }
  }

  // ------------------------------------------------------------ frames

  /**
   * The clear capture of a MACsec port holds what crossed the SecY: every
   * frame it protected (as it was before) and every frame it validated (as
   * it came out), so that the wire capture decrypts to exactly these frames.
   */
  override fromControlledSide(frames: Uint8Array[]): void {
    const out: Uint8Array[] = [];
    const t = this.capturing ? this.deps.wallNs() : 0n;
    for (const f of frames) {
      const etherType = (f[12]! << 8) | f[13]!;
      if (this.clearText.has(etherType)) {
        this.counters.txClearText++;
        out.push(f);
        if (this.capturing) {
          this.capture('clear', f, t);
          this.capture('wire', f, t);
          this.capture('decrypted', f, t);
        }
        continue;
      }
      if (this.portState === 'blocked') {
        this.counters.txBlocked++;
        continue;
      }
      const r = this.secy.protect(f);
      if (!r.ok) continue;
      out.push(r.frame);
      if (this.capturing) {
        this.capture('clear', f, t);
        this.capture('wire', r.frame, t);
        this.capture('decrypted', f, t);
      }
    }
    if (out.length) this.deps.wire.send(out);
    for (const e of this.secy.takeEvents()) {
      this.deps.log.info(`secy: ${e.type}`, { port: this.name, an: e.an });
      this.reportPn(this.deps.now());
    }
  }

  protected override fromWire(frames: Uint8Array[]): void {
    const delivered: Uint8Array[] = [];
    const t = this.capturing ? this.deps.wallNs() : 0n;
    for (const f of frames) {
      if (this.capturing) this.capture('wire', f, t);
      const etherType = f.length >= 14 ? (f[12]! << 8) | f[13]! : -1;
      if (etherType === this.eapolEtherType) {
        // MKPDUs belong to the uncontrolled port: the KaY's, never the TAP's.
        this.counters.rxMkpdu++;
        if (this.capturing) this.capture('decrypted', f, t);
        this.handle(this.kay.receive(this.deps.now(), f));
        continue;
      }
      if (this.clearText.has(etherType)) {
        this.counters.rxClearText++;
        if (this.capturing) {
          this.capture('decrypted', f, t);
          this.capture('clear', f, t);
        }
        delivered.push(f);
        continue;
      }
      const r = this.secy.validate(f);
      if (this.capturing) {
        this.capture('decrypted', r.ok ? r.frame : f, t);
        if (r.ok) this.capture('clear', r.frame, t);
      }
      if (!r.ok) {
        if (this.deps.log.debugEnabled) this.deps.log.debug('frame dropped', { port: this.name, verdict: r.verdict, ...(r.badTag ? { badTag: r.badTag } : {}) });
        continue;
      }
      if (this.portState === 'blocked') {
        this.counters.rxBlocked++;
        continue;
      }
      delivered.push(r.frame);
    }
    this.deliver(delivered, false);
  }

  // ------------------------------------------------------------ control

  override operational(): boolean {
    return super.operational() && this.portState !== 'blocked';
  }

  override memberSummary(): Record<string, unknown> {
    const k = this.kay.status();
    return {
      ...super.memberSummary(),
      sci: sciToHex(this.sci),
      controlledPort: this.portState,
      mka: { mode: k.mode, secured: k.secured, cpState: k.cpState, ...(k.notSecured ? { notSecured: k.notSecured.code } : {}) },
      fastPath: this.fastPathStatus(),
    };
  }

  kayStatus(): KayStatus {
    return this.kay.status();
  }

  /**
   * The port's MACsec state for a client that drives it (contract of the AWS
   * binding): the mode, the key chain by CKN (never a CAK) with the pair in
   * use, whether the port is secured and with which CKN. An empty chain is
   * `keyChain: []`, not secured, `notSecured.code` 'noKey'.
   */
  override status(): Record<string, unknown> {
    const kay = this.kay.status();
    const inUse = kay.keyChain.inUse;
    return {
      ...super.status(),
      mode: kay.mode,
      secured: kay.secured,
      keyChain: this.keyChainCkns().map((ckn) => ({ ckn, inUse: ckn === inUse })),
      cknInUse: kay.secured && inUse !== undefined ? inUse : null,
      sci: sciToHex(this.sci),
      controlledPort: this.portState,
      encodingAn: this.secy.encodingSa ?? null,
      cipherSuite: this.secy.cipherSuite.name,
      keying: this.macsec.staticSas ? 'staticSas' : 'mka',
      ...(this.macsec.staticSas ? { staticSas: staticSasSummary(this.macsec.staticSas) } : {}),
      // Every knob as it is now (set live or from the configuration; null: the default), as a configuration file writes it: no key.
      knobs: Object.fromEntries((Object.keys(MACSEC_KNOBS) as MacsecKnob[]).map((k) => [k, knobConfigValue(this.macsec, k)])),
      crypto: this.gcmEngine.name,
      fastPath: this.fastPathStatus(),
      kay,
    };
  }

  secyCounters(): SecYSnapshot {
    return this.secy.snapshot();
  }

  /**
   * Adds a CKN/CAK pair as the newest of the key chain; the port keeps `cak`
   * (and zeroes it when the pair is removed).
   * @throws NodeError('badRequest') when the chain holds three pairs already
   *   or holds this CKN (AWS: at most three pairs, an associated key cannot be
   *   modified); the chain is unchanged then.
   */
  addKey(ckn: Uint8Array, cak: Secret): void {
    let out: KayOutput;
    try {
      out = this.kay.addKey(this.deps.now(), { ckn, cak });
    } catch (e) {
      if (e instanceof MkaError) throw new NodeError('badRequest', `port ${this.name}: ${e.message}`, { cause: e });
      throw e;
    }
    this.keyChainChanged(out, [...this.macsec.keyChain, { ckn: ckn.slice(), cak }]);
  }

  /**
   * Removes a pair; its CAK is zeroed (and the KaY's CAK, ICK and KEK of it).
   * The last pair may go: the port is then left with no key, MKA idle and
   * the mode alone deciding what passes (AWS DisassociateMacSecKey of the
   * connection's only key).
   * @throws NodeError('badRequest') when the CKN is not in the chain.
   */
  removeKey(ckn: Uint8Array): void {
    const hex = toHex(ckn);
    const chain = this.macsec.keyChain.filter((k) => toHex(k.ckn) !== hex);
    if (chain.length === this.macsec.keyChain.length) throw new NodeError('badRequest', `port ${this.name}: no CKN ${hex} in the key chain`);
    const removed = this.macsec.keyChain.filter((k) => !chain.includes(k));
    this.keyChainChanged(this.kay.setKeyChain(this.deps.now(), chain), chain);
    for (const k of removed) k.cak.destroy();
  }

  private keyChainChanged(out: KayOutput, chain: MacsecConfig['keyChain']): void {
    this.macsec = { ...this.macsec, keyChain: chain };
    this.handle(out);
    if (this.deps.keyExportPath) this.writeKeyExport();
  }

  setMode(mode: EncryptionMode): void {
    this.handle(this.kay.setMode(this.deps.now(), mode));
    this.macsec = { ...this.macsec, mode };
  }

  /**
   * Changes one MACsec knob (knobs.ts): live on the SecY and in the KaY
   * where 802.1AE-2018 10.7 allows it, else by a restart of the port's KaY.
   * @param value resolved as the configuration resolves it (config.ts resolveMacsecKnob).
   * @returns the value before (as a configuration writes it, null: the default) and how it was applied.
   * @throws NodeError('badRequest') when the KaY or the SecY cannot run the
   *   new value; nothing changed then.
   */
  setKnob<K extends MacsecKnob>(knob: K, value: NonNullable<MacsecConfig[K]>): { from: unknown; applied: KnobApply } {
    const from = knobConfigValue(this.macsec, knob);
    const next: MacsecConfig = { ...this.macsec, [knob]: value };
    const applied = MACSEC_KNOBS[knob].apply;
    if (knob === 'mode') this.setMode(value as EncryptionMode);
    else if (applied === 'live') {
      // The KaY keeps its copy for every later 'configure' it issues (a new SAK), so both change.
      const c = this.kay.config as unknown as Record<string, unknown>;
      c[knob] = value;
      // validateFrames applies while secured; unsecured the KaY sets check or disabled (kay.ts settings()).
      if (knob !== 'validateFrames' || this.portState === 'secured') this.secy.configure({ [knob]: value });
      this.macsec = next;
    } else this.restartKay(next, knob);
    this.deps.log.info('knob set', { port: this.name, knob, applied });
    return { from, applied };
  }

  /** A new KaY with `next` in place of the running one: the old one stops (SAs deleted), the new one starts with a new MI. */
  private restartKay(next: MacsecConfig, knob: string): void {
    if (next.confidentialityOffset !== undefined && next.confidentialityOffset !== 0 && next.confidentialityOffset !== 'none') {
      throw new NodeError('badRequest', `${knob}: offset ${next.confidentialityOffset} is not supported by the SecY: dxlab, Linux and AWS use offset 0 only`);
    }
    let kay: Keying;
    try {
      kay = this.makeKay(next);
    } catch (e) {
      if (e instanceof MkaError) throw new NodeError('badRequest', `${knob}: ${e.message}`, { cause: e });
      throw e;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.started) this.handle(this.kay.stop(this.deps.now()), false);
    this.kay = kay;
    this.macsec = next;
    this.eapolEtherType = next.eapolEtherType ?? ETHERTYPE_EAPOL;
    if (this.started) this.handle(this.kay.start(this.deps.now()));
    this.syncFastPath();
  }

  rekey(): void {
    this.handle(this.kay.requestRekey(this.deps.now()));
  }

  /**
   * Replaces the port's keying: static SAs (`macsec.staticSas`) in place of
   * MKA or of other static SAs, or, with undefined, MKA again with the key
   * chain the port had (empty when it started with static SAs: `addKey`).
   * The old keying stops first (its SAs deleted), as a knob's KaY restart.
   */
  setStaticSas(sas: StaticSasConfig | undefined): void {
    const { staticSas: _old, ...rest } = this.macsec;
    this.restartKay(sas ? { ...rest, staticSas: sas } : rest, 'staticSas');
    this.deps.log.info(sas ? 'static SAs installed' : 'static SAs removed: MKA', { port: this.name, ...(sas ? staticSasSummary(sas) : {}) });
  }

  keyChainCkns(): string[] {
    return this.macsec.keyChain.map((k) => toHex(k.ckn));
  }

  /** Writes the key export now (also used when a capture starts with keys). */
  exportKeys(path: string): void {
    const kf: KeyFile = { version: 1, cas: this.macsec.keyChain.map((k) => ({ ckn: toHex(k.ckn), cak: toHex(k.cak.expose()) })), saks: this.saks };
    writeFileSync(path, serializeKeyFile(kf), { mode: 0o600 });
  }
}

/** The key export path of a port. */
export function keyExportPath(dir: string, node: string, port: string): string {
  return join(dir, `${node}-${port}.keys.json`);
}
