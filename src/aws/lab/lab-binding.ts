/**
 * The Direct Connect API bound to a running lab: each connection is a DX
 * device port of the lab (plan.ts), and every committed change reaches the
 * node through its control socket at once (well within one MKA hello):
 *
 * - a port's key chain follows the connection's (or its LAG's) keys, oldest
 *   first, so that the KaY tries the newest and falls back to the last that
 *   worked (V7): `addKey` / `removeKey`; its mode follows encryptionMode
 *   (`setMode`); a port newly bound gets the cipher suites of its bandwidth
 *   (V2, `set cipherSuites`);
 * - a LAG of the topology is its API LAG: a change to the LAG's keys or
 *   mode (AssociateMacSecKey with a lagId, UpdateLag) is one operation on
 *   the node's LAG (`addKey` / `removeKey` / `setMode` with `lag`, and
 *   `setMinimumLinks`), reaching every member at once; a member connection
 *   leaving the LAG (DisassociateConnectionFromLag) has LACP disabled on its
 *   port (`lagMember`, out of the bundle), and rejoining enables it again;
 * - DeleteConnection takes the port down (its wire's carrier, as a pulled
 *   cable), and a port bound again comes up;
 * - a private VIF is a TAP on the port's VLAN with AWS's passive BGP speaker
 *   (`addVif`), moved with AssociateVirtualInterface (`moveVif`), removed
 *   with DeleteVirtualInterface (`removeVif`).
 *
 * What only the lab knows is read from a snapshot the binding refreshes
 * (every `pollMs` and after each change): the wire's carrier (a connection
 * is `pending` until its port's link has been up, `available` while it is
 * up, `down` after), whether MKA secured the port and with which CKN, each
 * VIF's BGP state. A node that fails a command, or cannot be reached, is
 * logged; the API's state stays the truth and the next change pushes the
 * whole desired state of the port again.
 *
 * A DX node that restarts (killed and restarted by its supervisor, `dxlab
 * restart`) comes back with its configuration file's state, not the API's:
 * the snapshot sees its new `startedAt`, and the binding gives it the API's
 * state again, as AWS provisions a device that rebooted: the key chains,
 * modes, LAG settings and cipher suites of its bound ports, its VIFs' TAPs,
 * and the ports of deleted connections down again (onNodeRestart; the
 * service pushes what its store holds).
 */
import { execFile } from 'node:child_process';
import { BGP_HOLD_TIME_S, BGP_KEEPALIVE_S, controlRequest, type NodeError } from '../../node/index.js';
import { setWireCarrier } from '../../lab/index.js';
import { toHex } from '../../shared/bytes.js';
import type { DataPlaneChange, DxLagConfig, DxPortBinding, DxPortConfig, DxPortSlot, DxVifConfig, LocationSpec, PortEncryption, PortLink } from '../binding.js';
import { LAB_POLL_MS } from './constants.js';
import { labQuotaNeeds, type LabLag, type LabPlan, type LabPort } from './plan.js';
import { nodeView, type LagView, type NodeView, type PortView } from './node-view.js';

/** One request on a node's control socket; resolves with its result, rejects with the node's error. */
export type NodeControl = (port: Pick<LabPort, 'node' | 'socket'>, request: Record<string, unknown>) => Promise<unknown>;

/** The wire of a port: its carrier, and taking it down or up. */
export interface WireControl {
  carrier(port: LabPort): Promise<'up' | 'down'>;
  set(port: LabPort, carrier: 'up' | 'down'): Promise<void>;
}

export const socketControl: NodeControl = async (port, request) => (await controlRequest(port.socket, request, undefined, { node: port.node })).result;

/** The lab's wires: `ip -j link show` in the node's namespace for the carrier; `dxlab wire cut|restore` to set it. */
export function labWires(lab: string): WireControl {
  return {
    carrier: (p) =>
      new Promise((resolve) => {
        execFile('ip', ['-n', p.netns, '-j', 'link', 'show', 'dev', p.wire], { encoding: 'utf8' }, (err, out) => {
          if (err) return resolve('down');
          try {
            const link = (JSON.parse(out) as Array<{ operstate?: string }>)[0];
            resolve(link?.operstate === 'UP' ? 'up' : 'down');
          } catch {
            resolve('down');
          }
        });
      }),
    set: async (p, carrier) => {
      setWireCarrier(lab, p.node, p.port, carrier);
    },
  };
}

export interface LabBindingOptions {
  plan: LabPlan;
  /** @default socketControl */
  control?: NodeControl;
  /** @default labWires(plan.lab) */
  wires?: WireControl;
  /** One line per failure or noteworthy event (never key material). @default nothing */
  log?: (line: string) => void;
}

/** The TAP of a VIF on the DX node: `dxv` and the VIF id's 8 characters (at most 15, IFNAMSIZ). */
export function vifTapName(virtualInterfaceId: string): string {
  return `dxv${virtualInterfaceId.slice(-8)}`;
}

export class LabBinding implements DxPortBinding {
  readonly description: string;
  readonly plan: LabPlan;
  readonly #control: NodeControl;
  readonly #wires: WireControl;
  readonly #log: (line: string) => void;
  /** connectionId -> its port. */
  readonly #bound = new Map<string, LabPort>();
  /** Connections whose port's link has been up since they were bound. */
  readonly #everUp = new Set<string>();
  /** virtualInterfaceId -> where its TAP is. */
  readonly #vifs = new Map<string, { tap: string; port: LabPort }>();
  /** Ports whose wire this binding took down (DeleteConnection). */
  readonly #down = new Set<string>();
  readonly #views = new Map<string, NodeView>();
  /** Node -> when its process started, as its last status said. */
  readonly #started = new Map<string, string>();
  /** Ports whose cipher suites this binding set (a port bound by the API), again after their node restarted. */
  readonly #suitesSet = new Set<string>();
  /** Ports of a restarted node that get their cipher suites again with their next push. */
  readonly #suitesLost = new Set<string>();
  #restarted: ((node: string) => void) | undefined;
  readonly #carrier = new Map<string, 'up' | 'down'>();
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LabBindingOptions) {
    this.plan = options.plan;
    this.#control = options.control ?? socketControl;
    this.#wires = options.wires ?? labWires(options.plan.lab);
    this.#log = options.log ?? (() => {});
    this.description = `lab ${this.plan.lab}: ${this.plan.ports.length} DX port(s)${this.plan.lags.length ? `, ${this.plan.lags.length} LAG(s)` : ''} at ${this.plan.locations.map((l) => l.locationCode).join(', ') || 'no location'}`;
  }

  // ---- what the API asks ----

  locations(region: string): readonly LocationSpec[] {
    return this.plan.locations.filter((l) => l.region === region);
  }

  quotaNeeds(region: string): { connectionsAt: Readonly<Record<string, number>>; lags: number } {
    return labQuotaNeeds(this.plan, region);
  }

  placeConnection(location: LocationSpec, _bandwidth: string, lagDevice: string | undefined): string {
    return lagDevice ?? location.devices[0]!;
  }

  ports(location: LocationSpec, bandwidth: string): readonly DxPortSlot[] {
    return this.plan.ports.filter((p) => p.location === location.locationCode && p.bandwidth === bandwidth).map((p) => ({ port: p.id, device: p.device }));
  }

  portLink(connectionId: string): PortLink {
    const p = this.#bound.get(connectionId);
    if (!p) return 'unbound';
    if (this.#serviceUp(p)) return 'up';
    return this.#everUp.has(connectionId) ? 'down' : 'pending';
  }

  portEncryption(connectionId: string): PortEncryption {
    const p = this.#bound.get(connectionId);
    const v = p && this.#linkUp(p) ? this.portView(p) : undefined;
    return v?.secured && v.cknInUse ? { secured: true, ckn: v.cknInUse } : { secured: false };
  }

  bgpStatus(virtualInterfaceId: string): 'up' | 'down' | 'unknown' {
    const v = this.#vifs.get(virtualInterfaceId);
    if (!v) return 'unknown';
    const view = this.#views.get(v.port.node);
    if (!view) return 'unknown';
    const states = view.bgp.get(v.tap);
    // A VIF over a node's LAG rides its logical port, not the member it was placed by.
    const linkUp = v.port.lag !== undefined ? this.lagLink(v.port.lag) === 'up' : this.#linkUp(v.port);
    return states && states.length > 0 && states.every((s) => s === 'Established') && linkUp ? 'up' : 'down';
  }

  lagLink(lagPort: string): 'up' | 'down' | undefined {
    const l = this.plan.lags.find((x) => x.id === lagPort);
    if (!l) return undefined;
    const view = this.#views.get(l.node)?.lags.get(l.name);
    return view?.logicalPortUp ? 'up' : 'down';
  }

  dataPlaneLag(name: string): { lag: string; members: readonly string[] } | undefined {
    const l = this.plan.lags.find((x) => x.id === name || x.members.includes(name));
    return l && { lag: l.id, members: l.members };
  }

  /** What the node last said about one of its LAGs (undefined: not reached yet, or not answering). */
  lagView(l: Pick<LabLag, 'node' | 'name'>): LagView | undefined {
    return this.#views.get(l.node)?.lags.get(l.name);
  }

  /** What the node last said about a port (undefined: not reached yet, or not answering). */
  portView(p: LabPort): PortView | undefined {
    return this.#views.get(p.node)?.ports.get(p.port);
  }

  /** The port a connection is bound to, as this binding knows it. */
  portOf(connectionId: string): LabPort | undefined {
    return this.#bound.get(connectionId);
  }

  #linkUp(p: LabPort): boolean {
    return this.#carrier.get(p.id) === 'up' && this.#views.has(p.node);
  }

  /**
   * Up as Direct Connect shows a connection: its link is up and, in
   * must_encrypt, MKA has secured it (V9, directconnect-api.md: "the
   * connection goes down when the encryption is down"; should_encrypt falls
   * back to clear and stays available).
   */
  #serviceUp(p: LabPort): boolean {
    if (!this.#linkUp(p)) return false;
    const v = this.portView(p);
    return !(v?.mode === 'must_encrypt' && !v.secured);
  }

  /**
   * Takes note of connections and VIFs that are bound already (the store's,
   * when the service starts) without pushing anything to the nodes:
   * reconciliation decides what is pushed. `up`: the connection was
   * available before (it shows `down`, not `pending`, while its link is down).
   */
  learn(connections: ReadonlyArray<{ connectionId: string; port: string; up: boolean }>, vifs: ReadonlyArray<{ virtualInterfaceId: string; port: string; tap?: string | undefined }>): void {
    for (const c of connections) {
      const p = this.#port(c.port);
      if (!p) continue;
      this.#bound.set(c.connectionId, p);
      if (c.up) this.#everUp.add(c.connectionId);
    }
    for (const v of vifs) {
      const p = this.#port(v.port);
      if (p) this.#vifs.set(v.virtualInterfaceId, { tap: v.tap ?? vifTapName(v.virtualInterfaceId), port: p });
    }
  }

  #port(id: string | undefined): LabPort | undefined {
    return id === undefined ? undefined : this.plan.ports.find((p) => p.id === id);
  }

  // ---- the snapshot ----

  /** Asks every DX node for its status and every port's wire for its carrier. */
  async refresh(): Promise<void> {
    const nodes = [...new Map(this.plan.ports.map((p) => [p.node, p])).values()];
    const restarted: string[] = [];
    await Promise.all([
      ...nodes.map(async (p) => {
        try {
          const view = nodeView(await this.#control(p, { cmd: 'status' }));
          this.#views.set(p.node, view);
          const before = this.#started.get(p.node);
          if (view.startedAt === undefined) return;
          this.#started.set(p.node, view.startedAt);
          if (before !== undefined && before !== view.startedAt) restarted.push(p.node);
        } catch {
          this.#views.delete(p.node);
        }
      }),
      ...this.plan.ports.map(async (p) => this.#carrier.set(p.id, await this.#wires.carrier(p))),
    ]);
    for (const [id, p] of this.#bound) if (this.#serviceUp(p)) this.#everUp.add(id);
    for (const node of restarted) this.#nodeRestarted(node);
  }

  /**
   * Who gives a restarted DX node the API's state again: called with the
   * node's name once its new process answers (the lab's API service pushes
   * the desired state of every connection, LAG and VIF on it).
   */
  onNodeRestart(handler: (node: string) => void): void {
    this.#restarted = handler;
  }

  #nodeRestarted(node: string): void {
    const view = this.#views.get(node);
    this.#log(`lab ${this.plan.lab}: DX node ${node} restarted (started ${view?.startedAt ?? '?'}); it gets the API's state again`);
    for (const p of this.plan.ports) if (p.node === node && this.#suitesSet.has(p.id)) this.#suitesLost.add(p.id);
    // A VIF's TAP the new process does not have (one the API added) is added again with the VIF's push.
    for (const [id, v] of this.#vifs) if (v.port.node === node && !view?.taps.has(v.tap)) this.#vifs.delete(id);
    // A deleted connection's port stays down, with an empty key chain, as its removal left it.
    const removed = [...this.#down].flatMap((id) => {
      const p = this.#port(id);
      return p && p.node === node ? [p] : [];
    });
    if (removed.length) void this.apply(removed.map((p) => ({ kind: 'portRemoved', connectionId: '', port: p.id }) as const));
    this.#restarted?.(node);
  }

  /** Refreshes every `intervalMs` until stop(). */
  start(intervalMs = LAB_POLL_MS): void {
    const tick = () => {
      this.#timer = setTimeout(() => void this.refresh().finally(() => this.#timer !== undefined && tick()), intervalMs);
      this.#timer.unref?.();
    };
    tick();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Resolves once every change handed over so far has been applied. */
  settled(): Promise<void> {
    return this.#queue;
  }

  // ---- pushing changes ----

  apply(changes: readonly DataPlaneChange[]): Promise<void> {
    // One change at a time, in commit order, across requests.
    const run = this.#queue.then(async () => {
      for (const c of changes) {
        try {
          await this.#applyOne(c);
        } catch (e) {
          this.#log(`lab ${this.plan.lab}: ${describeChange(c)} not applied: ${(e as NodeError).message ?? String(e)}; the API keeps it and pushes the port's whole state again with its next change`);
        }
      }
      await this.refresh();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #applyOne(c: DataPlaneChange): Promise<void> {
    if (c.kind === 'port') return this.#applyPort(c.config);
    if (c.kind === 'lag') return this.#applyLag(c.config);
    if (c.kind === 'portRemoved') return this.#removePort(c.connectionId, c.port);
    if (c.kind === 'vif') return this.#applyVif(c.config);
    return this.#removeVif(c.virtualInterfaceId);
  }

  async #applyPort(config: DxPortConfig): Promise<void> {
    const p = this.#port(config.port);
    if (!p) {
      this.#bound.delete(config.connectionId);
      return;
    }
    const before = this.#bound.get(config.connectionId);
    for (const [id, q] of this.#bound) if (q.id === p.id && id !== config.connectionId) this.#bound.delete(id);
    this.#bound.set(config.connectionId, p);
    // After its node restarted, a port the API bound runs its configuration file's suites again.
    const suitesLost = this.#suitesLost.delete(p.id);
    const newlyBound = before?.id !== p.id || suitesLost;
    if (this.#down.has(p.id)) {
      await this.#wires.set(p, 'up');
      this.#down.delete(p.id);
    }
    // A member port of a node's LAG: in the LAG while its connection is in the LAG's API LAG, out of it otherwise.
    if (p.lag !== undefined) await this.#setMember(p, config.lagPort === p.lag);
    const m = config.macsec;
    if (!m) return;
    if (newlyBound) {
      // V2: the cipher suites of the connection's bandwidth (XPN preferred), as the node's configuration writes them.
      const suites = m.cipherSuites.map((s) => s.toLowerCase());
      await this.#control(p, { cmd: 'set', port: p.port, knob: 'cipherSuites', value: suites });
      this.#suitesSet.add(p.id);
    }
    const view = nodeView(await this.#control(p, { cmd: 'status' })).ports.get(p.port);
    const have = view?.ckns ?? [];
    const want = m.keyChain.map((k) => k.ckn.toUpperCase());
    const add = m.keyChain.filter((k) => !have.includes(k.ckn.toUpperCase()));
    const remove = have.filter((ckn) => !want.includes(ckn));
    const addKeys = async () => {
      // Oldest first: the last added is the newest, which the KaY tries first (V7).
      for (const k of add) await this.#control(p, { cmd: 'addKey', port: p.port, ckn: k.ckn.toLowerCase(), cak: toHex(k.cak.expose()) });
    };
    const removeKeys = async () => {
      for (const ckn of remove) await this.#control(p, { cmd: 'removeKey', port: p.port, ckn: ckn.toLowerCase() });
    };
    // Adding first keeps a working key in the chain while keys rotate; a full chain (three) makes room first.
    if (have.length + add.length <= 3) {
      await addKeys();
      await removeKeys();
    } else {
      await removeKeys();
      await addKeys();
    }
    if (view?.mode !== m.mode) await this.#control(p, { cmd: 'setMode', port: p.port, mode: m.mode });
  }

  /** LACP on a member port of a node's LAG, enabled or not, as the node's `lag` status says it is not yet. */
  async #setMember(p: LabPort, member: boolean): Promise<void> {
    const lag = this.plan.lags.find((l) => l.id === p.lag)!;
    const status = nodeView(await this.#control(p, { cmd: 'status' })).lags.get(lag.name);
    if (status && status.lacpEnabled.get(p.port) === member) return;
    await this.#control(p, { cmd: 'lagMember', lag: lag.name, port: p.port, member });
  }

  /**
   * A LAG's members all at once. On a node's LAG whose members are exactly
   * the API LAG's ports, the keys and mode change by one command each on
   * the LAG (every member together, as AWS configures MACsec at the LAG
   * level); then each member port is brought to its whole desired state (a
   * member whose chain differed, or that is newly bound). Any other LAG
   * (an API LAG over standalone ports) is applied member by member.
   */
  async #applyLag(config: DxLagConfig): Promise<void> {
    const lag = config.lagPort !== undefined ? this.plan.lags.find((l) => l.id === config.lagPort) : undefined;
    if (lag) await this.#applyNodeLag(lag, config);
    for (const member of config.members) await this.#applyPort(member);
  }

  async #applyNodeLag(lag: LabLag, config: DxLagConfig): Promise<void> {
    const at = { node: lag.node, socket: lag.socket };
    const view = nodeView(await this.#control(at, { cmd: 'status' }));
    const lagView = view.lags.get(lag.name);
    if (lagView && lagView.minimumLinks !== config.minimumLinks) await this.#control(at, { cmd: 'setMinimumLinks', lag: lag.name, minimumLinks: config.minimumLinks });
    const m = config.members.find((x) => x.macsec)?.macsec;
    const members = lag.members.map((id) => view.ports.get(id.slice(lag.node.length + 1)));
    // Only while every node member is a member of the API LAG: one that left runs its own (empty) chain.
    const inApiLag = lag.members.every((id) => config.members.some((x) => x.port === id));
    if (!m || !inApiLag || members.some((v) => v === undefined)) return;
    const want = m.keyChain.map((k) => k.ckn.toUpperCase());
    const heldByAll = (ckn: string) => members.every((v) => v!.ckns.includes(ckn));
    const heldByNone = (ckn: string) => members.every((v) => !v!.ckns.includes(ckn));
    const add = m.keyChain.filter((k) => heldByNone(k.ckn.toUpperCase()));
    const remove = [...new Set(members.flatMap((v) => v!.ckns))].filter((ckn) => !want.includes(ckn) && heldByAll(ckn));
    const longest = Math.max(...members.map((v) => v!.ckns.length));
    const addKeys = async () => {
      // Oldest first: the last added is the newest, which every member's KaY tries first (V7).
      for (const k of add) await this.#control(at, { cmd: 'addKey', lag: lag.name, ckn: k.ckn.toLowerCase(), cak: toHex(k.cak.expose()) });
    };
    const removeKeys = async () => {
      for (const ckn of remove) await this.#control(at, { cmd: 'removeKey', lag: lag.name, ckn: ckn.toLowerCase() });
    };
    // As for a port: adding first keeps a working key while keys rotate; a full chain makes room first.
    if (longest + add.length <= 3) {
      await addKeys();
      await removeKeys();
    } else {
      await removeKeys();
      await addKeys();
    }
    if (members.some((v) => v!.mode !== m.mode)) await this.#control(at, { cmd: 'setMode', lag: lag.name, mode: m.mode });
  }

  async #removePort(connectionId: string, portId: string | undefined): Promise<void> {
    const p = this.#bound.get(connectionId) ?? this.#port(portId);
    this.#bound.delete(connectionId);
    this.#everUp.delete(connectionId);
    if (!p) return;
    // AWS takes the port down: the wire goes down (both ends lose carrier), then the key chain is emptied.
    await this.#wires.set(p, 'down');
    this.#down.add(p.id);
    const view = nodeView(await this.#control(p, { cmd: 'status' })).ports.get(p.port);
    for (const ckn of view?.ckns ?? []) await this.#control(p, { cmd: 'removeKey', port: p.port, ckn: ckn.toLowerCase() });
    if (view?.mode !== undefined && view.mode !== 'should_encrypt') await this.#control(p, { cmd: 'setMode', port: p.port, mode: 'should_encrypt' });
  }

  async #applyVif(config: DxVifConfig): Promise<void> {
    const target = config.connectionIds.map((id) => this.#bound.get(id)).find((p) => p !== undefined);
    const at = this.#vifs.get(config.virtualInterfaceId);
    if (!target) {
      this.#log(`lab ${this.plan.lab}: VIF ${config.virtualInterfaceId} waits: ${config.connectionIds.join(', ') || 'its connection'} has no lab port yet`);
      return;
    }
    if (at && at.port.id === target.id) return;
    // Over a node's LAG the TAP is on the LAG's logical port, whichever member stands for it.
    if (at && at.port.lag !== undefined && at.port.lag === target.lag) return;
    const tap = at?.tap ?? config.tap ?? vifTapName(config.virtualInterfaceId);
    // A VIF of a LAG sits on the node LAG's logical port, not on the member that stands for it here.
    const onNode = (target.lag !== undefined ? this.plan.lags.find((l) => l.id === target.lag)?.name : undefined) ?? target.port;
    if (at && at.port.node === target.node) {
      // The blog's step 4: the VIF moves, its BGP session restarts over the new port (the downtime AWS documents).
      await this.#control(target, { cmd: 'moveVif', name: tap, to: onNode, vlan: config.vlan });
    } else {
      if (at) await this.#control(at.port, { cmd: 'removeVif', name: tap });
      await this.#control(target, { cmd: 'addVif', port: onNode, tap: { ...vifTap(this.plan.lab, target, config), name: tap } });
    }
    this.#vifs.set(config.virtualInterfaceId, { tap, port: target });
  }

  async #removeVif(virtualInterfaceId: string): Promise<void> {
    const at = this.#vifs.get(virtualInterfaceId);
    if (!at) return;
    this.#vifs.delete(virtualInterfaceId);
    await this.#control(at.port, { cmd: 'removeVif', name: at.tap });
  }
}

/** The TAP of a VIF on AWS's side, as a port's `taps[]` entry of the node configuration (contract §2 addVif). */
export function vifTap(lab: string, p: LabPort, v: DxVifConfig): Record<string, unknown> {
  const addr = (a: string) => a.split('/')[0]!;
  return {
    name: vifTapName(v.virtualInterfaceId),
    vlan: v.vlan,
    mtu: v.mtu,
    alias: `dxlab ${lab} ${p.id} vif ${v.virtualInterfaceId}`,
    addresses: [v.amazonAddress],
    bgp: {
      speaker: 'builtin',
      localAsn: v.amazonSideAsn,
      peerAsn: v.customerAsn,
      peerAddress: addr(v.customerAddress),
      localAddress: addr(v.amazonAddress),
      holdTimeS: BGP_HOLD_TIME_S,
      keepaliveS: BGP_KEEPALIVE_S,
      md5Key: v.authKey,
      prefixes: [],
      // AWS's side waits for the customer router to connect, as the lab's DX side does.
      passive: true,
    },
  };
}

/** A change in a log line: what and where, never a key. */
function describeChange(c: DataPlaneChange): string {
  if (c.kind === 'port') return `port ${c.config.port ?? '(unbound)'} of ${c.config.connectionId}`;
  // A restarted node's deleted port is pushed down again with no connection of its own.
  if (c.kind === 'portRemoved') return c.connectionId ? `removal of ${c.connectionId}` : `port ${c.port ?? '?'} down again`;
  if (c.kind === 'lag') return `LAG ${c.config.lagPort ?? c.config.lagId} (${c.config.members.length} member(s))`;
  if (c.kind === 'vif') return `VIF ${c.config.virtualInterfaceId}`;
  return `removal of VIF ${c.virtualInterfaceId}`;
}
