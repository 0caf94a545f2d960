/**
 * Direct Connect's core: finding resources, the states they show (stored,
 * or from the data plane when one is bound), saving them with the time of
 * their next timed change, the desired state of their ports for the data
 * plane, and what time does by itself (provisioning, key validation,
 * scheduled disassociation (V11), purging deleted resources).
 *
 * The operations are in connections.ts, macsec-keys.ts, lags.ts, vifs.ts
 * and tags.ts; each takes this core and the request context, and throws an
 * AwsServiceError that leaves the store untouched (the request's transaction
 * rolls back).
 */
import type { ApiTimings, DxQuotas } from '../constants.js';
import { DELETED_RETENTION_MS, MAX_TAGS_PER_RESOURCE, SECRET_DELETION_DISASSOCIATE_MS } from '../constants.js';
import type { CipherSuiteName, DataPlaneChange, DxPortBinding, DxPortConfig, LocationSpec, PortKey } from '../binding.js';
import type { BackendDeps, RequestContext } from '../context.js';
import { dxClientError } from '../errors.js';
import { dxId, type DxIdPrefix } from '../ids.js';
import type { SecretsBackend } from '../secretsmanager/backend.js';
import type { SecretDoc } from '../secretsmanager/model.js';
import { Secret } from '../../shared/secret.js';
import { PORT_ENCRYPTION_DOWN, portEncryptionUp, type BgpStatus, type ConnectionState, type LagState, type VifState } from './enums.js';
import { connectionNotFound, idFormat, isDeleted, lagNotFound, vifNotFound } from './errors.js';
import type { ConnectionDoc, KeyDoc, LagDoc, VifDoc } from './model.js';
import { connectionOutput, lagOutput, vifOutput } from './shapes.js';

const ID_PATTERN: Record<DxIdPrefix, RegExp> = {
  dxcon: /^dxcon-[a-z0-9]{8}$/,
  dxlag: /^dxlag-[a-z0-9]{8}$/,
  dxvif: /^dxvif-[a-z0-9]{8}$/,
  dxpeer: /^dxpeer-[a-z0-9]{8}$/,
};

/** A VIF that is neither deleting nor deleted: it holds its place on a connection, LAG or gateway. */
export const isLiveVif = (v: VifDoc): boolean => v.state !== 'deleted' && v.state !== 'deleting';

/** The tag naming the data-plane port a connection is bound to (a lab's `node:port`). */
export const DATA_PLANE_PORT_TAG = 'dxlab:port';

/** States in which a resource is gone, or going, for good. */
export const GONE: ReadonlySet<string> = new Set(['deleting', 'deleted', 'rejected']);

/** The secret name under which Direct Connect keeps a CKN/CAK pair (the blog's observed form; README). */
export function dxSecretName(region: string, ckn: string): string {
  return `directconnect!prod/${region}/dxmacsec/${ckn}`;
}

/** What Direct Connect stores in its secret: the pair, as JSON. */
export interface StoredKeyPair {
  ckn: string;
  cak: string;
}

export const DX_OWNING_SERVICE = 'directconnect';

/** V2: the cipher suites of a MACsec port by its speed. */
export function cipherSuitesFor(bandwidth: string): CipherSuiteName[] {
  return bandwidth === '10Gbps' ? ['GCM-AES-XPN-256', 'GCM-AES-256'] : ['GCM-AES-XPN-256'];
}

export class DirectConnectCore {
  constructor(
    readonly deps: BackendDeps,
    readonly binding: DxPortBinding,
    readonly timings: ApiTimings,
    readonly secrets: SecretsBackend,
    /** The quotas set for the service (quotas.ts applies them, with what the binding needs). */
    readonly quotas: DxQuotas,
  ) {}

  get store() {
    return this.deps.store;
  }

  newId(prefix: DxIdPrefix, kind: 'connection' | 'lag' | 'vif' | undefined): string {
    for (;;) {
      const id = dxId(this.deps.random, prefix);
      if (kind === undefined || !this.store.get(kind, id)) return id;
    }
  }

  // ---- lookups ----

  checkId(field: string, value: string, prefix: DxIdPrefix): void {
    if (!ID_PATTERN[prefix].test(value)) throw idFormat(field, value, prefix);
  }

  location(ctx: RequestContext, code: string): LocationSpec {
    const all = this.binding.locations(ctx.region);
    const l = all.find((x) => x.locationCode === code);
    if (!l) {
      throw dxClientError(`Location '${code.slice(0, 64)}' is not a Direct Connect location in ${ctx.region}${all.length ? ` (DescribeLocations: ${all.map((x) => x.locationCode).join(', ')})` : ''}.`);
    }
    return l;
  }

  /** A connection of the request's region, deleted or not. */
  connection(ctx: RequestContext, id: string, field = 'connectionId'): ConnectionDoc {
    this.checkId(field, id, 'dxcon');
    const c = this.store.get<ConnectionDoc>('connection', id);
    if (!c || c.region !== ctx.region) throw connectionNotFound(id);
    return c;
  }

  /** A connection that is not deleted. */
  liveConnection(ctx: RequestContext, id: string, field = 'connectionId'): ConnectionDoc {
    const c = this.connection(ctx, id, field);
    if (GONE.has(c.state)) throw isDeleted(id, c.state);
    return c;
  }

  lag(ctx: RequestContext, id: string, field = 'lagId'): LagDoc {
    this.checkId(field, id, 'dxlag');
    const l = this.store.get<LagDoc>('lag', id);
    if (!l || l.region !== ctx.region) throw lagNotFound(id);
    return l;
  }

  liveLag(ctx: RequestContext, id: string, field = 'lagId'): LagDoc {
    const l = this.lag(ctx, id, field);
    if (l.deletedAt !== undefined) throw isDeleted(id, 'deleted');
    return l;
  }

  vif(ctx: RequestContext, id: string): VifDoc {
    this.checkId('virtualInterfaceId', id, 'dxvif');
    const v = this.store.get<VifDoc>('vif', id);
    if (!v || v.region !== ctx.region) throw vifNotFound(id);
    return v;
  }

  /** A connection or LAG by an id that may be either (AssociateMacSecKey, VIF operations). */
  liveConnectionOrLag(ctx: RequestContext, id: string, field = 'connectionId'): { kind: 'connection'; doc: ConnectionDoc } | { kind: 'lag'; doc: LagDoc } {
    if (id.startsWith('dxlag-')) return { kind: 'lag', doc: this.liveLag(ctx, id, field) };
    if (!id.startsWith('dxcon-')) throw dxClientError(`${field} '${id.slice(0, 64)}' has an invalid format: expected dxcon- or dxlag- followed by 8 characters`);
    return { kind: 'connection', doc: this.liveConnection(ctx, id, field) };
  }

  /** The connections of a LAG that are not deleted, in creation order. */
  members(lagId: string): ConnectionDoc[] {
    return this.store.children<ConnectionDoc>('connection', lagId).filter((c) => !GONE.has(c.state));
  }

  /** The VIFs on a connection or LAG that are not deleted. */
  liveVifsOn(id: string): VifDoc[] {
    return this.store.children<VifDoc>('vif', id).filter(isLiveVif);
  }

  // ---- the states shown ----

  connectionState(c: ConnectionDoc): ConnectionState {
    if (GONE.has(c.state)) return c.state;
    const link = this.binding.portLink(c.connectionId);
    if (link === undefined) return c.state;
    // Bound to a data-plane port: AWS's states follow that port (README "The AWS API bound to a lab").
    if (link === 'unbound' || c.port === undefined) return 'requested';
    if (link === 'up') return 'available';
    return link;
  }

  /**
   * Binds a connection to a free data-plane port of its location and speed
   * (on `device` when given: a LAG's members share one device, V16), when
   * the binding has ports and one is free; otherwise the connection stays
   * unbound, `requested`, until a port is freed (bindWaiting).
   */
  claimPort(c: ConnectionDoc, device?: string): ConnectionDoc {
    if (!this.binding.ports || c.port !== undefined || GONE.has(c.state)) return c;
    const location = this.binding.locations(c.region).find((l) => l.locationCode === c.location);
    if (!location) return c;
    const taken = new Set(this.store.list<ConnectionDoc>('connection', c.region).flatMap((r) => (r.doc.port !== undefined && !GONE.has(r.doc.state) && r.doc.connectionId !== c.connectionId ? [r.doc.port] : [])));
    const free = this.binding.ports(location, c.bandwidth).find((s) => !taken.has(s.port) && (device === undefined || s.device === device));
    if (!free) return c;
    // The port shows as a tag, so that a user (and `dxlab set`) can tell which lab port a connection is.
    const tags = c.tags.filter((t) => t.key !== DATA_PLANE_PORT_TAG);
    if (tags.length < MAX_TAGS_PER_RESOURCE) tags.push({ key: DATA_PLANE_PORT_TAG, value: free.port });
    return { ...c, port: free.port, awsDevice: free.device, tags };
  }

  /** A port was freed: the oldest unbound connection of that location and speed takes it, if one waits. */
  bindWaiting(ctx: RequestContext, freed: ConnectionDoc): void {
    if (!this.binding.ports) return;
    for (const r of this.store.list<ConnectionDoc>('connection', freed.region)) {
      const c = r.doc;
      if (c.port !== undefined || GONE.has(c.state) || c.location !== freed.location || c.bandwidth !== freed.bandwidth) continue;
      const lag = c.lagId !== undefined ? this.store.get<LagDoc>('lag', c.lagId) : undefined;
      const bound = this.claimPort(c, lag?.awsDevice);
      if (bound.port === undefined) continue;
      this.saveConnection(bound);
      this.pushPort(ctx, bound);
      return;
    }
  }

  /**
   * A LAG is available while at least max(1, minimumLinks) members are; while
   * every member is still being provisioned it is pending (the CLI examples
   * show a new LAG `pending`); otherwise down (also when it has no member).
   */
  lagState(l: LagDoc, members: readonly ConnectionDoc[] = this.members(l.lagId)): LagState {
    if (l.deletedAt !== undefined) return 'deleted';
    const states = members.map((c) => this.connectionState(c));
    // A LAG of the data plane: its logical port says (the node's LACP, minimumLinks included).
    const link = l.port !== undefined && members.length > 0 ? this.binding.lagLink?.(l.port) : undefined;
    if (link === 'up') return 'available';
    if (link === 'down') return states.every((s) => s === 'requested' || s === 'pending') ? 'pending' : 'down';
    if (states.filter((s) => s === 'available').length >= Math.max(1, l.minimumLinks)) return 'available';
    if (states.length > 0 && states.every((s) => s === 'requested' || s === 'pending')) return 'pending';
    return 'down';
  }

  /** Whether a connection or LAG (by id) is available. */
  targetAvailable(id: string): boolean {
    if (id.startsWith('dxlag-')) {
      const l = this.store.get<LagDoc>('lag', id);
      return l !== undefined && this.lagState(l) === 'available';
    }
    const c = this.store.get<ConnectionDoc>('connection', id);
    return c !== undefined && this.connectionState(c) === 'available';
  }

  /** An available VIF shows `down` while its connection is not available or its BGP session is down. */
  vifState(v: VifDoc): VifState {
    if (v.state !== 'available') return v.state;
    if (!this.targetAvailable(v.connectionId)) return 'down';
    return this.binding.bgpStatus(v.virtualInterfaceId) === 'down' ? 'down' : 'available';
  }

  // ---- rendering ----

  renderConnection(c: ConnectionDoc, lagCache?: Map<string, LagDoc | undefined>): Record<string, unknown> {
    let lag: LagDoc | undefined;
    if (c.lagId !== undefined) {
      lag = lagCache?.get(c.lagId);
      if (lag === undefined) {
        lag = this.store.get<LagDoc>('lag', c.lagId);
        lagCache?.set(c.lagId, lag);
      }
    }
    const enc = c.macSecCapable ? this.binding.portEncryption(c.connectionId) : { secured: false };
    return connectionOutput(c, {
      state: this.connectionState(c),
      encryptionMode: lag ? lag.encryptionMode : c.encryptionMode,
      keys: lag ? lag.keys : c.keys,
      portEncryptionStatus: enc.secured && enc.ckn ? portEncryptionUp(enc.ckn) : PORT_ENCRYPTION_DOWN,
    });
  }

  renderLag(l: LagDoc): Record<string, unknown> {
    const members = this.members(l.lagId);
    const cache = new Map<string, LagDoc | undefined>([[l.lagId, l]]);
    return lagOutput(l, this.lagState(l, members), l.deletedAt !== undefined ? [] : members.map((c) => this.renderConnection(c, cache)));
  }

  renderVif(v: VifDoc): Record<string, unknown> {
    const target = v.connectionId.startsWith('dxlag-') ? this.store.get<LagDoc>('lag', v.connectionId) : this.store.get<ConnectionDoc>('connection', v.connectionId);
    const bgp: BgpStatus = this.binding.bgpStatus(v.virtualInterfaceId);
    return vifOutput(v, this.vifState(v), bgp, target?.awsDevice ?? '');
  }

  // ---- saving, with the time of the next timed change ----

  #keysDue(keys: readonly KeyDoc[]): number[] {
    return keys.flatMap((k) => [...(k.state === 'associating' ? [k.stateSince + this.timings.keyAssociatingMs] : []), ...(k.disassociateAt !== undefined ? [k.disassociateAt] : [])]);
  }

  saveConnection(c: ConnectionDoc): void {
    const due: number[] = this.#keysDue(c.keys);
    if (this.binding.portLink(c.connectionId) === undefined) {
      if (c.state === 'requested') due.push(c.stateSince + this.timings.requestedMs);
      if (c.state === 'pending') due.push(c.stateSince + this.timings.pendingMs);
    }
    if (c.deletedAt !== undefined) due.push(c.deletedAt + DELETED_RETENTION_MS);
    this.store.put('connection', c.connectionId, { region: c.region, parent: c.lagId, dueAt: due.length ? Math.min(...due) : undefined }, c);
  }

  saveLag(l: LagDoc): void {
    const due = this.#keysDue(l.keys);
    if (l.deletedAt !== undefined) due.push(l.deletedAt + DELETED_RETENTION_MS);
    this.store.put('lag', l.lagId, { region: l.region, dueAt: due.length ? Math.min(...due) : undefined }, l);
  }

  saveVif(v: VifDoc): void {
    const due: number[] = [];
    if (v.state === 'pending') due.push(v.stateSince + this.timings.vifPendingMs);
    if (v.state === 'deleting') due.push(v.stateSince + this.timings.vifDeletingMs);
    if (v.deletedAt !== undefined && v.state === 'deleted') due.push(v.deletedAt + DELETED_RETENTION_MS);
    this.store.put('vif', v.virtualInterfaceId, { region: v.region, parent: v.connectionId, dueAt: due.length ? Math.min(...due) : undefined }, v);
  }

  // ---- the data plane ----

  /** The CAK of a key, read from its secret (undefined once the secret is purged). */
  #portKey(k: KeyDoc): PortKey | undefined {
    const secret = this.store.get<SecretDoc>('secret', k.secretArn);
    const value = secret && this.secrets.current(secret)?.secretString;
    if (value === undefined) return undefined;
    const pair = JSON.parse(value) as StoredKeyPair;
    return { ckn: k.ckn, secretArn: k.secretArn, cak: new Secret(Buffer.from(pair.cak, 'hex'), 'CAK') };
  }

  portConfig(c: ConnectionDoc, lag: LagDoc | undefined): DxPortConfig {
    const keys = lag ? lag.keys : c.keys;
    return {
      connectionId: c.connectionId,
      port: c.port,
      lagId: c.lagId,
      ...(lag?.port !== undefined && { lagPort: lag.port }),
      awsDevice: c.awsDevice,
      location: c.location,
      bandwidth: c.bandwidth,
      macsec: c.macSecCapable
        ? {
            mode: lag ? lag.encryptionMode : c.encryptionMode,
            keyChain: keys.map((k) => this.#portKey(k)).filter((k): k is PortKey => k !== undefined),
            cipherSuites: cipherSuitesFor(c.bandwidth),
            includeSci: true,
            confidentialityOffset: 0,
          }
        : undefined,
    };
  }

  /** Queues the desired state of a connection's port. */
  pushPort(ctx: RequestContext, c: ConnectionDoc): void {
    const change: DataPlaneChange = GONE.has(c.state)
      ? { kind: 'portRemoved', connectionId: c.connectionId, port: c.port }
      : { kind: 'port', config: this.portConfig(c, c.lagId ? this.store.get<LagDoc>('lag', c.lagId) : undefined) };
    ctx.changes.push(change);
  }

  /** Queues the desired state of every member port of a LAG, as one change (one operation on a data-plane LAG). */
  pushLagPorts(ctx: RequestContext, l: LagDoc): void {
    const members = this.members(l.lagId).map((c) => this.portConfig(c, l));
    ctx.changes.push({ kind: 'lag', config: { lagId: l.lagId, ...(l.port !== undefined && { lagPort: l.port }), minimumLinks: l.minimumLinks, members } });
  }

  pushVif(ctx: RequestContext, v: VifDoc): void {
    if (v.state === 'deleting' || v.state === 'deleted') {
      ctx.changes.push({ kind: 'vifRemoved', virtualInterfaceId: v.virtualInterfaceId });
      return;
    }
    const connectionIds = v.connectionId.startsWith('dxlag-') ? this.members(v.connectionId).map((c) => c.connectionId) : [v.connectionId];
    ctx.changes.push({
      kind: 'vif',
      config: {
        virtualInterfaceId: v.virtualInterfaceId,
        connectionIds,
        vlan: v.vlan,
        mtu: v.mtu,
        addressFamily: v.addressFamily,
        amazonAddress: v.amazonAddress,
        customerAddress: v.customerAddress,
        amazonSideAsn: v.amazonSideAsn,
        customerAsn: v.asn,
        authKey: v.authKey,
        tap: v.tap,
      },
    });
  }

  // ---- keys shared by connections and LAGs ----

  /** V10: with no key left, must_encrypt falls back to should_encrypt. */
  afterKeyRemoved<T extends { keys: KeyDoc[]; encryptionMode: string }>(doc: T): T {
    if (doc.keys.length === 0 && doc.encryptionMode === 'must_encrypt') return { ...doc, encryptionMode: 'should_encrypt' };
    return doc;
  }

  // ---- what time does ----

  /** Applies every timed change due by `ctx.now` (called at the start of each request). */
  advance(ctx: RequestContext): void {
    for (const { kind, id } of this.store.due(ctx.now)) {
      if (kind === 'connection') this.#advanceConnection(ctx, id);
      else if (kind === 'lag') this.#advanceLag(ctx, id);
      else if (kind === 'vif') this.#advanceVif(ctx, id);
      else this.secrets.advance(id, ctx.now);
    }
  }

  #advanceKeys(keys: readonly KeyDoc[], now: number): { keys: KeyDoc[]; removed: boolean } {
    let removed = false;
    const out: KeyDoc[] = [];
    for (const k of keys) {
      if (k.disassociateAt !== undefined && k.disassociateAt <= now) {
        removed = true;
        continue;
      }
      const validated = k.stateSince + this.timings.keyAssociatingMs;
      out.push(k.state === 'associating' && validated <= now ? { ...k, state: 'associated', stateSince: validated } : k);
    }
    return { keys: out, removed };
  }

  #advanceConnection(ctx: RequestContext, id: string): void {
    let c = this.store.get<ConnectionDoc>('connection', id);
    if (!c) return;
    if (c.deletedAt !== undefined && c.deletedAt + DELETED_RETENTION_MS <= ctx.now) {
      this.store.remove('connection', id);
      return;
    }
    if (this.binding.portLink(id) === undefined) {
      // Without a data plane the API's timings stand in for AWS's provisioning.
      if (c.state === 'requested' && c.stateSince + this.timings.requestedMs <= ctx.now) c = { ...c, state: 'pending', stateSince: c.stateSince + this.timings.requestedMs };
      if (c.state === 'pending' && c.stateSince + this.timings.pendingMs <= ctx.now) c = { ...c, state: 'available', stateSince: c.stateSince + this.timings.pendingMs };
    }
    const k = this.#advanceKeys(c.keys, ctx.now);
    c = { ...c, keys: k.keys };
    if (k.removed) {
      c = this.afterKeyRemoved(c);
      this.pushPort(ctx, c);
    }
    this.saveConnection(c);
  }

  #advanceLag(ctx: RequestContext, id: string): void {
    let l = this.store.get<LagDoc>('lag', id);
    if (!l) return;
    if (l.deletedAt !== undefined && l.deletedAt + DELETED_RETENTION_MS <= ctx.now) {
      this.store.remove('lag', id);
      return;
    }
    const k = this.#advanceKeys(l.keys, ctx.now);
    l = { ...l, keys: k.keys };
    if (k.removed) l = this.afterKeyRemoved(l);
    this.saveLag(l);
    if (k.removed) this.pushLagPorts(ctx, l);
  }

  #advanceVif(ctx: RequestContext, id: string): void {
    let v = this.store.get<VifDoc>('vif', id);
    if (!v) return;
    if (v.state === 'pending' && v.stateSince + this.timings.vifPendingMs <= ctx.now) {
      const at = v.stateSince + this.timings.vifPendingMs;
      v = {
        ...v,
        state: 'available',
        stateSince: at,
        bgpPeers: v.bgpPeers.filter((p) => p.state !== 'deleting').map((p) => (p.state === 'pending' ? { ...p, state: 'available' as const, stateSince: at } : p)),
      };
    }
    if (v.state === 'deleting' && v.stateSince + this.timings.vifDeletingMs <= ctx.now) {
      const at = v.stateSince + this.timings.vifDeletingMs;
      v = { ...v, state: 'deleted', stateSince: at, bgpPeers: v.bgpPeers.map((p) => ({ ...p, state: 'deleted' as const, stateSince: at })) };
    }
    if (v.state === 'deleted' && v.deletedAt !== undefined && v.deletedAt + DELETED_RETENTION_MS <= ctx.now) {
      this.store.remove('vif', id);
      return;
    }
    this.saveVif(v);
  }

  // ---- V11: the secret of a key is scheduled for deletion, or restored ----

  #holders(ctx: RequestContext, arn: string): ({ kind: 'connection'; doc: ConnectionDoc } | { kind: 'lag'; doc: LagDoc })[] {
    const has = (keys: readonly KeyDoc[]) => keys.some((k) => k.secretArn === arn);
    return [
      ...this.store.list<ConnectionDoc>('connection', ctx.region).filter((r) => has(r.doc.keys)).map((r) => ({ kind: 'connection' as const, doc: r.doc })),
      ...this.store.list<LagDoc>('lag', ctx.region).filter((r) => has(r.doc.keys)).map((r) => ({ kind: 'lag' as const, doc: r.doc })),
    ];
  }

  /**
   * V11: the CKN can no longer be read. On a connection or LAG that is not
   * available the key is disassociated at once; on an available one after
   * 30 days (AWS e-mails the owner meanwhile).
   */
  secretDeletionScheduled(doc: SecretDoc, ctx: RequestContext): void {
    if (doc.owningService !== DX_OWNING_SERVICE) return;
    for (const h of this.#holders(ctx, doc.arn)) {
      const available = h.kind === 'connection' ? this.connectionState(h.doc) === 'available' : this.lagState(h.doc) === 'available';
      if (available) {
        const keys = h.doc.keys.map((k) => (k.secretArn === doc.arn ? { ...k, disassociateAt: ctx.now + SECRET_DELETION_DISASSOCIATE_MS } : k));
        if (h.kind === 'connection') this.saveConnection({ ...h.doc, keys });
        else this.saveLag({ ...h.doc, keys });
        continue;
      }
      if (h.kind === 'connection') {
        const c = this.afterKeyRemoved({ ...h.doc, keys: h.doc.keys.filter((k) => k.secretArn !== doc.arn) });
        this.saveConnection(c);
        this.pushPort(ctx, c);
      } else {
        const l = this.afterKeyRemoved({ ...h.doc, keys: h.doc.keys.filter((k) => k.secretArn !== doc.arn) });
        this.saveLag(l);
        this.pushLagPorts(ctx, l);
      }
    }
  }

  /** RestoreSecret cancels a scheduled disassociation. */
  secretRestored(doc: SecretDoc, ctx: RequestContext): void {
    if (doc.owningService !== DX_OWNING_SERVICE) return;
    for (const h of this.#holders(ctx, doc.arn)) {
      const keys = h.doc.keys.map((k) => {
        if (k.secretArn !== doc.arn) return k;
        const { disassociateAt: _gone, ...rest } = k;
        return rest;
      });
      if (h.kind === 'connection') this.saveConnection({ ...h.doc, keys });
      else this.saveLag({ ...h.doc, keys });
    }
  }
}
