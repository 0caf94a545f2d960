/**
 * The API's store meets a running lab.
 *
 * The first time (a new store in the lab's folder), every DX port the
 * topology wires is seeded as an `available` connection holding the mode and
 * key chain its node runs, each pair stored as a Direct Connect-owned
 * secret as AssociateMacSecKey stores it (V3 and V6 apply); `connection:
 * none` ports stay free for CreateConnection. Each LAG of the topology on a
 * DX device is seeded as an API LAG holding the LAG's `macsec:` (its mode,
 * its key chain as Direct Connect secrets of the LAG), minimumLinks and the
 * VIFs over it; its member ports are its member connections (lagId set, no
 * key of their own: V8). Seeding pushes nothing: the nodes run that state
 * already.
 *
 * Every later start (a restart of the service) reconciles instead: each
 * bound connection's desired state (the API's) is compared with what its
 * node runs. A port whose mode or key chain differs (changed with the API
 * down, or a node restarted from its topology) is reported, in the log and
 * as the connection's `dxlab:drift` tag, which DescribeConnections shows;
 * nothing is pushed to it, so the change is not silently overwritten. The
 * next API change on that connection pushes the API's state, as the user
 * then asked; `untag-resource` clears the report.
 */
import type { ApiService } from '../service.js';
import type { DirectConnectCore } from '../directconnect/backend.js';
import { DATA_PLANE_PORT_TAG, GONE } from '../directconnect/backend.js';
import { associateMacSecKey } from '../directconnect/macsec-keys.js';
import type { BgpPeerDoc, ConnectionDoc, KeyDoc, LagDoc, TagDoc, VifDoc } from '../directconnect/model.js';
import type { RequestContext } from '../context.js';
import { DRIFT_TAG } from './constants.js';
import type { LabBinding } from './lab-binding.js';
import type { LabLag, LabPort, LabVif } from './plan.js';

const SEEDED_META = 'lab-seeded';

/** A port (or a lab LAG) whose node runs something else than the API holds. */
export interface Drift {
  /** The connection, or for a lab's LAG the LAG (`dxlag-`). */
  connectionId: string;
  /** `node:port`, or a LAG's `node:LAG`. */
  port: string;
  /** What differs, for people (CKNs shortened to 8 digits; never a CAK). */
  text: string;
}

export interface StartReport {
  seeded: string[];
  drift: Drift[];
  /** Ports whose node did not answer: not compared. */
  unreachable: string[];
}

/** Seeds a new store from the lab, or reconciles an existing one with the nodes; the binding learns what is bound either way. */
export async function seedOrReconcile(service: ApiService, binding: LabBinding, log: (line: string) => void): Promise<StartReport> {
  if (service.store.getMeta(SEEDED_META) === undefined) {
    const seeded = await seed(service, binding, log);
    return { seeded, drift: [], unreachable: [] };
  }
  return reconcile(service, binding, log);
}

async function seed(service: ApiService, binding: LabBinding, log: (line: string) => void): Promise<string[]> {
  const plan = binding.plan;
  const vifs: Array<{ virtualInterfaceId: string; port: string; tap?: string }> = [];
  const lagsSeeded: Array<{ lagId: string; lag: string }> = [];
  const bound = await service.transact((dx, ctx) => {
    const out: Array<{ connectionId: string; port: string; up: boolean }> = [];
    for (const p of plan.ports) {
      if (p.free || p.lag !== undefined) continue;
      const connectionId = seedPort(dx, ctx, p, log);
      out.push({ connectionId, port: p.id, up: true });
      for (const v of dx.store.children<VifDoc>('vif', connectionId)) vifs.push({ virtualInterfaceId: v.virtualInterfaceId, port: p.id, ...(v.tap !== undefined && { tap: v.tap }) });
    }
    for (const l of plan.lags) {
      const members = l.members.map((id) => plan.ports.find((p) => p.id === id)!).filter((p) => !p.free);
      if (members.length === 0) continue;
      const lagId = seedLag(dx, ctx, l, log);
      lagsSeeded.push({ lagId, lag: l.id });
      for (const p of members) out.push({ connectionId: seedPort(dx, ctx, p, log, lagId), port: p.id, up: true });
      // A VIF over the LAG sits on the LAG's logical port: the binding places it by its first member.
      for (const v of dx.store.children<VifDoc>('vif', lagId)) vifs.push({ virtualInterfaceId: v.virtualInterfaceId, port: members[0]!.id, ...(v.tap !== undefined && { tap: v.tap }) });
    }
    service.store.setMeta(SEEDED_META, new Date(ctx.now).toISOString());
    // The nodes run this state already: nothing to push.
    ctx.changes.length = 0;
    return out;
  }, plan.region);
  binding.learn(bound, vifs);
  for (const b of bound) log(`lab ${plan.lab}: port ${b.port} is connection ${b.connectionId}`);
  for (const l of lagsSeeded) log(`lab ${plan.lab}: LAG ${l.lag} is ${l.lagId}`);
  return bound.map((b) => b.connectionId);
}

/**
 * A topology's key chain into the API, through AssociateMacSecKey's own
 * rules and storage (a Direct Connect secret per pair); a pair it refuses is
 * logged (CKN shortened, never the CAK) and stays on the node only, where
 * dxlab reports it as drift.
 */
function seedKeys(dx: DirectConnectCore, ctx: RequestContext, connectionId: string, what: string, keyChain: ReadonlyArray<{ ckn: string; cak: string }>, log: (line: string) => void): void {
  for (const k of keyChain) {
    try {
      associateMacSecKey(dx, ctx, { connectionId, ckn: k.ckn, cak: k.cak });
    } catch (e) {
      log(`lab: ${what}: CKN ${k.ckn.slice(0, 8).toUpperCase()}… not taken into the API (${(e as Error).message}); the node keeps it: dxlab reports it as drift`);
    }
  }
}

/** Seeded keys are in use on the node already: associated at once, not associating. */
function associated(keys: KeyDoc[]): KeyDoc[] {
  return keys.map((key): KeyDoc => ({ ...key, state: 'associated' }));
}

/** A LAG of the topology as an API LAG: its macsec block's mode and keys (Direct Connect secrets of the LAG), minimumLinks, its VIFs. */
function seedLag(dx: DirectConnectCore, ctx: RequestContext, l: LabLag, log: (line: string) => void): string {
  const lagId = dx.newId('dxlag', 'lag');
  const lag: LagDoc = {
    lagId,
    lagName: `dxlab ${l.id}`,
    ownerAccount: ctx.accountId,
    region: ctx.region,
    location: l.location,
    connectionsBandwidth: l.bandwidth,
    awsDevice: l.device,
    minimumLinks: l.minimumLinks,
    macSecCapable: l.macsec !== undefined,
    // The topology's mode (should_encrypt by default, as a port's), not CreateLag's no_encrypt.
    encryptionMode: l.macsec?.mode ?? 'no_encrypt',
    keys: [],
    tags: [{ key: DATA_PLANE_PORT_TAG, value: l.id }],
    port: l.id,
    createdAt: ctx.now,
  };
  dx.saveLag(lag);
  seedKeys(dx, ctx, lagId, `LAG ${l.id}`, l.macsec?.keyChain ?? [], log);
  const after = dx.store.get<LagDoc>('lag', lagId)!;
  dx.saveLag({ ...after, keys: associated(after.keys) });
  for (const v of l.vifs) seedVif(dx, ctx, lagId, l.location, v);
  return lagId;
}

/** A DX port as an available connection; a member of `lagId` holds no key of its own (V8: the LAG's apply). */
function seedPort(dx: DirectConnectCore, ctx: RequestContext, p: LabPort, log: (line: string) => void, lagId?: string): string {
  const connectionId = dx.newId('dxcon', 'connection');
  const c: ConnectionDoc = {
    connectionId,
    connectionName: `dxlab ${p.id}`,
    ...(lagId !== undefined && { lagId }),
    ownerAccount: ctx.accountId,
    region: ctx.region,
    location: p.location,
    bandwidth: p.bandwidth,
    awsDevice: p.device,
    state: 'available',
    stateSince: ctx.now,
    port: p.id,
    macSecCapable: p.macsec !== undefined,
    encryptionMode: p.macsec?.mode ?? 'no_encrypt',
    keys: [],
    tags: [{ key: DATA_PLANE_PORT_TAG, value: p.id }],
    createdAt: ctx.now,
  };
  dx.saveConnection(c);
  if (lagId !== undefined) return connectionId;
  for (const v of p.vifs) seedVif(dx, ctx, connectionId, p.location, v);
  seedKeys(dx, ctx, connectionId, `port ${p.id}`, p.macsec?.keyChain ?? [], log);
  const after = dx.store.get<ConnectionDoc>('connection', connectionId)!;
  dx.saveConnection({ ...after, keys: associated(after.keys) });
  return connectionId;
}

/** A topology VIF as a private VIF of its port's connection, `available`, its TAP the lab's. */
function seedVif(dx: DirectConnectCore, ctx: RequestContext, connectionId: string, location: string, v: LabVif): void {
  const peer: BgpPeerDoc = {
    bgpPeerId: dx.newId('dxpeer', undefined),
    asn: v.customerAsn,
    authKey: v.authKey ?? '',
    addressFamily: 'ipv4',
    amazonAddress: v.amazonAddress,
    customerAddress: v.customerAddress,
    state: 'available',
    stateSince: ctx.now,
  };
  dx.saveVif({
    virtualInterfaceId: dx.newId('dxvif', 'vif'),
    virtualInterfaceName: v.name,
    ownerAccount: ctx.accountId,
    region: ctx.region,
    location,
    connectionId,
    vlan: v.vlan,
    asn: v.customerAsn,
    amazonSideAsn: v.amazonSideAsn,
    authKey: v.authKey ?? '',
    amazonAddress: v.amazonAddress,
    customerAddress: v.customerAddress,
    addressFamily: 'ipv4',
    mtu: v.mtu,
    siteLinkEnabled: false,
    state: 'available',
    stateSince: ctx.now,
    bgpPeers: [peer],
    tags: [],
    createdAt: ctx.now,
    tap: v.tap,
  });
}

/**
 * A connection's or LAG's tags with the drift tag saying what differs from
 * the node (AWS caps a tag value at 256 characters), or without it when
 * nothing does; `text` is the drift, if any.
 */
function driftTagged(tags: TagDoc[], problems: string[]): { tags: TagDoc[]; text?: string } {
  const others = tags.filter((t) => t.key !== DRIFT_TAG);
  if (!problems.length) return { tags: others };
  const text = problems.join(' / ');
  return { tags: [...others, { key: DRIFT_TAG, value: text.slice(0, 256) }], text };
}

function short(ckns: readonly string[]): string {
  return ckns.length ? ckns.map((c) => c.slice(0, 8)).join('+') : 'none';
}

async function reconcile(service: ApiService, binding: LabBinding, log: (line: string) => void): Promise<StartReport> {
  const plan = binding.plan;
  const drift: Drift[] = [];
  const unreachable: string[] = [];
  await binding.refresh();
  await service.transact((dx, ctx) => {
    const connections = dx.store.list<ConnectionDoc>('connection', ctx.region).map((r) => r.doc);
    const live = connections.filter((c) => c.port !== undefined && !GONE.has(c.state) && plan.ports.some((p) => p.id === c.port));
    const vifs = dx.store.list<VifDoc>('vif', ctx.region).map((r) => r.doc).filter((v) => v.state !== 'deleting' && v.state !== 'deleted');
    binding.learn(
      live.map((c) => ({ connectionId: c.connectionId, port: c.port!, up: c.state === 'available' })),
      vifs.flatMap((v) => {
        const target = live.find((c) => c.connectionId === v.connectionId || c.lagId === v.connectionId);
        return target ? [{ virtualInterfaceId: v.virtualInterfaceId, port: target.port!, tap: v.tap }] : [];
      }),
    );
    for (const c of live) {
      const p = plan.ports.find((x) => x.id === c.port)!;
      const view = binding.portView(p);
      if (!view) {
        unreachable.push(p.id);
        continue;
      }
      const lag = c.lagId !== undefined ? dx.store.get<LagDoc>('lag', c.lagId) : undefined;
      const want = dx.portConfig(c, lag).macsec;
      const problems: string[] = [];
      if (want) {
        const wantCkns = want.keyChain.map((k) => k.ckn.toUpperCase());
        if (view.mode !== undefined && view.mode !== want.mode) problems.push(`mode node=${view.mode} api=${want.mode}`);
        if (wantCkns.join() !== view.ckns.join()) problems.push(`ckns node=${short(view.ckns)} api=${short(wantCkns)}`);
      }
      const { tags, text } = driftTagged(c.tags, problems);
      if (text !== undefined) {
        drift.push({ connectionId: c.connectionId, port: p.id, text });
        log(`lab ${plan.lab}: port ${p.id} (${c.connectionId}) changed while the API was down: ${text}; left as the node runs it (the connection's ${DRIFT_TAG} tag says so; the next API change on it pushes the API's state)`);
      }
      if (JSON.stringify(tags) !== JSON.stringify(c.tags)) dx.saveConnection({ ...c, tags });
    }
    // A LAG of the topology: what its members reported, and its minimumLinks, on the LAG itself.
    for (const r of dx.store.list<LagDoc>('lag', ctx.region)) {
      const l = r.doc;
      const at = l.deletedAt === undefined && l.port !== undefined ? plan.lags.find((x) => x.id === l.port) : undefined;
      if (!at) continue;
      const view = binding.lagView(at);
      if (!view) continue;
      const problems = drift.filter((d) => live.some((c) => c.connectionId === d.connectionId && c.lagId === l.lagId)).map((d) => `${d.port}: ${d.text}`);
      // Membership: a member port is in the API LAG when its connection has the LAG's ID, in the node's when LACP is enabled on it.
      const membership = at.members.flatMap((portId) => {
        const apiIn = live.some((c) => c.port === portId && c.lagId === l.lagId);
        const nodeIn = view.lacpEnabled.get(plan.ports.find((p) => p.id === portId)?.port ?? '');
        return nodeIn === undefined || nodeIn === apiIn ? [] : [`member ${portId} node=${nodeIn ? 'in' : 'out'} api=${apiIn ? 'in' : 'out'}`];
      });
      problems.unshift(...membership);
      if (view.minimumLinks !== undefined && view.minimumLinks !== l.minimumLinks) problems.unshift(`minimumLinks node=${view.minimumLinks} api=${l.minimumLinks}`);
      const { tags, text } = driftTagged(l.tags, problems);
      if (text !== undefined) {
        drift.push({ connectionId: l.lagId, port: at.id, text });
        log(`lab ${plan.lab}: LAG ${at.id} (${l.lagId}) changed while the API was down: ${text}; left as the node runs it (the LAG's ${DRIFT_TAG} tag says so; the next API change on it pushes the API's state)`);
      }
      if (JSON.stringify(tags) !== JSON.stringify(l.tags)) dx.saveLag({ ...l, tags });
    }
    ctx.changes.length = 0;
  }, plan.region);
  for (const p of unreachable) log(`lab ${plan.lab}: port ${p}: its node does not answer; not compared`);
  return { seeded: [], drift, unreachable };
}
