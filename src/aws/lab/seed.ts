/**
 * The API's store meets a running lab.
 *
 * The first time (a new store in the lab's folder), every DX port the
 * topology wires is seeded as an `available` connection holding the mode and
 * key chain its node runs, each pair stored as a Direct Connect-owned
 * secret as AssociateMacSecKey stores it (V3 and V6 apply); `connection:
 * none` ports stay free for CreateConnection. Seeding pushes nothing: the
 * nodes run that state already.
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
import { DATA_PLANE_PORT_TAG } from '../directconnect/backend.js';
import { associateMacSecKey } from '../directconnect/macsec-keys.js';
import type { BgpPeerDoc, ConnectionDoc, KeyDoc, LagDoc, TagDoc, VifDoc } from '../directconnect/model.js';
import type { RequestContext } from '../context.js';
import { DRIFT_TAG } from './constants.js';
import type { LabBinding } from './lab-binding.js';
import type { LabPort, LabVif } from './plan.js';

const SEEDED_META = 'lab-seeded';
const GONE = new Set(['deleting', 'deleted', 'rejected']);

/** A port whose node runs something else than the API holds. */
export interface Drift {
  connectionId: string;
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
  const bound = await service.transact((dx, ctx) => {
    const out: Array<{ connectionId: string; port: string; up: boolean }> = [];
    for (const p of plan.ports) {
      if (p.free) continue;
      const connectionId = seedPort(dx, ctx, p, log);
      out.push({ connectionId, port: p.id, up: true });
      for (const v of dx.store.children<VifDoc>('vif', connectionId)) vifs.push({ virtualInterfaceId: v.virtualInterfaceId, port: p.id, ...(v.tap !== undefined && { tap: v.tap }) });
    }
    service.store.setMeta(SEEDED_META, new Date(ctx.now).toISOString());
    // The nodes run this state already: nothing to push.
    ctx.changes.length = 0;
    return out;
  }, plan.region);
  binding.learn(bound, vifs);
  for (const b of bound) log(`lab ${plan.lab}: port ${b.port} is connection ${b.connectionId}`);
  return bound.map((b) => b.connectionId);
}

function seedPort(dx: DirectConnectCore, ctx: RequestContext, p: LabPort, log: (line: string) => void): string {
  const connectionId = dx.newId('dxcon', 'connection');
  const c: ConnectionDoc = {
    connectionId,
    connectionName: `dxlab ${p.id}`,
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
  for (const v of p.vifs) seedVif(dx, ctx, connectionId, p, v);
  for (const k of p.macsec?.keyChain ?? []) {
    try {
      // AssociateMacSecKey's own rules and storage: a Direct Connect secret per pair.
      associateMacSecKey(dx, ctx, { connectionId, ckn: k.ckn, cak: k.cak });
    } catch (e) {
      log(`lab: port ${p.id}: CKN ${k.ckn.slice(0, 8).toUpperCase()}… not taken into the API (${(e as Error).message}); the node keeps it: dxlab reports it as drift`);
    }
  }
  const after = dx.store.get<ConnectionDoc>('connection', connectionId)!;
  dx.saveConnection({ ...after, keys: after.keys.map((key): KeyDoc => ({ ...key, state: 'associated' })) });
  return connectionId;
}

/** A topology VIF as a private VIF of its port's connection, `available`, its TAP the lab's. */
function seedVif(dx: DirectConnectCore, ctx: RequestContext, connectionId: string, p: LabPort, v: LabVif): void {
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
    location: p.location,
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
      const others = c.tags.filter((t) => t.key !== DRIFT_TAG);
      let tags: TagDoc[] = others;
      if (problems.length) {
        const text = problems.join(' / ');
        drift.push({ connectionId: c.connectionId, port: p.id, text });
        log(`lab ${plan.lab}: port ${p.id} (${c.connectionId}) changed while the API was down: ${text}; left as the node runs it (the connection's ${DRIFT_TAG} tag says so; the next API change on it pushes the API's state)`);
        tags = [...others, { key: DRIFT_TAG, value: text.slice(0, 256) }];
      }
      if (JSON.stringify(tags) !== JSON.stringify(c.tags)) dx.saveConnection({ ...c, tags });
    }
    ctx.changes.length = 0;
  }, plan.region);
  for (const p of unreachable) log(`lab ${plan.lab}: port ${p}: its node does not answer; not compared`);
  return { seeded: [], drift, unreachable };
}
