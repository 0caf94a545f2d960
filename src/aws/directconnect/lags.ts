/**
 * Link aggregation groups: CreateLag (new connections, or from an existing
 * one), DescribeLags, UpdateLag, DeleteLag, AssociateConnectionWithLag and
 * DisassociateConnectionFromLag (reference §4; V8, V15, V16; the CreateLag,
 * UpdateLag, DeleteLag and association docs of the model, the user guide's
 * "Delete a LAG").
 *
 * MACsec on a LAG is configured on the LAG (the blog): its keys and mode
 * apply to every member, a member's own keys are dropped when it joins
 * (V8), and a new MACsec LAG starts in no_encrypt ("Currently the default
 * mode is no encryption", the blog). A connection leaving a LAG keeps the
 * LAG's mode but no key, so must_encrypt falls back to should_encrypt (V10).
 */
import type { RequestContext } from '../context.js';
import { encodePageToken } from '../context.js';
import { dxClientError } from '../errors.js';
import type { DirectConnectCore } from './backend.js';
import { checkEncryptionMode, checkLeavingLag, checkMacSecPort, checkName, pageSize, pageStart } from './connections.js';
import { DEDICATED_BANDWIDTHS, maxLagMembers } from './enums.js';
import type { ConnectionDoc, LagDoc } from './model.js';
import type { CreateLagRequest, PageRequest, UpdateLagRequest } from './shapes.js';
import { checkConnectionQuota, checkLagQuota, checkLagRoom } from './quotas.js';
import { mergeTags } from './tags.js';

/** Moves the VIFs that sit on a connection to its new LAG (CreateLag and AssociateConnectionWithLag docs). */
function moveVifsToLag(core: DirectConnectCore, ctx: RequestContext, connectionId: string, lagId: string): void {
  for (const v of core.liveVifsOn(connectionId)) {
    const moved = { ...v, connectionId: lagId };
    core.saveVif(moved);
    core.pushVif(ctx, moved);
  }
}

/**
 * A LAG of the data plane (a lab's topology LAG) has the member ports its
 * node started with: LACP can take one out and put it back live, but the
 * node cannot aggregate a port that is not one of them. A connection joins
 * such a LAG only from one of its member ports, and a member port joins no
 * other LAG. The refusal names the ports and why; nothing changes.
 */
function checkDataPlaneMembership(core: DirectConnectCore, c: ConnectionDoc, lag: LagDoc | undefined): void {
  const b = core.binding;
  if (!b.dataPlaneLag) return;
  const target = lag?.port !== undefined ? b.dataPlaneLag(lag.port) : undefined;
  const own = c.port !== undefined ? b.dataPlaneLag(c.port) : undefined;
  const where = c.port !== undefined ? `is on lab port ${c.port}` : 'has no lab port yet';
  if (target && !(c.port !== undefined && target.members.includes(c.port))) {
    throw dxClientError(
      `Connection ${c.connectionId} ${where}: LAG ${lag!.lagId} is the lab's LAG ${target.lag}, whose member ports are ${target.members.join(', ')}; its node aggregates only the ports its topology gave it, so only a connection on one of them can join it live`,
    );
  }
  if (!target && own) {
    throw dxClientError(
      `Connection ${c.connectionId} ${where}, a member port of the lab's LAG ${own.lag}: its node aggregates that port in ${own.lag} only, so it can join no other LAG${lag ? ` (${lag.lagId})` : ''}`,
    );
  }
}

/** A connection leaving a LAG: standalone, no key, the LAG's mode (V10 applied). */
function standalone(c: ConnectionDoc, lag: LagDoc | undefined): ConnectionDoc {
  const { lagId: _left, ...rest } = c;
  const mode = c.macSecCapable && lag ? (lag.encryptionMode === 'must_encrypt' ? 'should_encrypt' : lag.encryptionMode) : c.macSecCapable ? c.encryptionMode : 'no_encrypt';
  return { ...rest, keys: [], encryptionMode: mode };
}

export function createLag(core: DirectConnectCore, ctx: RequestContext, input: CreateLagRequest): Record<string, unknown> {
  const location = core.location(ctx, input.location);
  const bandwidth = input.connectionsBandwidth;
  if (!(DEDICATED_BANDWIDTHS as readonly string[]).includes(bandwidth) || !location.portSpeeds.includes(bandwidth)) {
    throw dxClientError(`connectionsBandwidth '${bandwidth.slice(0, 32)}' is not a port speed of ${location.locationCode} (availablePortSpeeds: ${location.portSpeeds.join(', ')})`);
  }
  checkName('lagName', input.lagName);
  const max = maxLagMembers(bandwidth);
  if (input.numberOfConnections < 1 || input.numberOfConnections > max) {
    throw dxClientError(`numberOfConnections must be 1 to ${max} for ${bandwidth} connections, not ${input.numberOfConnections}`);
  }
  const macsec = input.requestMACSec === true;
  if (macsec) checkMacSecPort(location, bandwidth);
  if (input.providerName !== undefined && !location.providers.includes(input.providerName)) {
    throw dxClientError(`providerName '${input.providerName.slice(0, 64)}' is not a provider at ${location.locationCode} (availableProviders: ${location.providers.join(', ') || 'none'})`);
  }
  let existing: ConnectionDoc | undefined;
  if (input.connectionId !== undefined) {
    existing = core.liveConnection(ctx, input.connectionId);
    if (existing.location !== location.locationCode) throw dxClientError(`Connection ${existing.connectionId} is at ${existing.location}, not ${location.locationCode}`);
    if (existing.bandwidth !== bandwidth) throw dxClientError(`Connection ${existing.connectionId} is ${existing.bandwidth}, not ${bandwidth}: all connections of a LAG have the same bandwidth`);
    if (existing.lagId !== undefined) throw dxClientError(`Connection ${existing.connectionId} is already a member of ${existing.lagId}`);
    if (macsec && !existing.macSecCapable) throw dxClientError(`Connection ${existing.connectionId} was not requested with MACsec: every connection of a MACsec LAG must support MACsec`);
    checkDataPlaneMembership(core, existing, undefined);
  }
  const tags = mergeTags([], input.tags);
  const childTags = mergeTags([], input.childConnectionTags, 'childConnectionTags');
  const created = input.numberOfConnections - (existing ? 1 : 0);
  checkLagQuota(core, ctx);
  checkConnectionQuota(core, ctx, location.locationCode, created);
  const lagId = core.newId('dxlag', 'lag');
  const lag: LagDoc = {
    lagId,
    lagName: input.lagName,
    ownerAccount: ctx.accountId,
    region: ctx.region,
    location: location.locationCode,
    connectionsBandwidth: bandwidth,
    awsDevice: existing?.awsDevice ?? core.binding.placeConnection(location, bandwidth, undefined),
    minimumLinks: 0,
    macSecCapable: macsec,
    encryptionMode: 'no_encrypt',
    keys: [],
    tags,
    ...(input.providerName !== undefined && { providerName: input.providerName }),
    createdAt: ctx.now,
  };
  core.saveLag(lag);
  for (let i = 1; i <= created; i++) {
    const c: ConnectionDoc = {
      connectionId: core.newId('dxcon', 'connection'),
      connectionName: `Requested Connection ${i} for Lag ${lagId}`,
      ownerAccount: ctx.accountId,
      region: ctx.region,
      location: location.locationCode,
      bandwidth,
      awsDevice: lag.awsDevice,
      state: 'requested',
      stateSince: ctx.now,
      lagId,
      macSecCapable: macsec,
      encryptionMode: macsec ? 'should_encrypt' : 'no_encrypt',
      keys: [],
      tags: childTags,
      createdAt: ctx.now,
    };
    core.saveConnection(core.claimPort(c, lag.awsDevice));
  }
  if (existing) {
    // V8: the connection's own keys give way to the LAG's.
    core.saveConnection({ ...existing, lagId, keys: [] });
    moveVifsToLag(core, ctx, existing.connectionId, lagId);
  }
  core.pushLagPorts(ctx, lag);
  return core.renderLag(lag);
}

export function describeLags(core: DirectConnectCore, ctx: RequestContext, input: PageRequest & { lagId?: string }): Record<string, unknown> {
  const limit = pageSize(input.maxResults);
  if (input.lagId !== undefined) return { lags: [core.renderLag(core.lag(ctx, input.lagId))] };
  const after = pageStart('lags', input.nextToken);
  const rows = core.store.list<LagDoc>('lag', ctx.region, { afterSeq: after, ...(limit !== undefined && { limit: limit + 1 }) });
  const page = limit !== undefined ? rows.slice(0, limit) : rows;
  const more = limit !== undefined && rows.length > limit;
  return { lags: page.map((r) => core.renderLag(r.doc)), ...(more && { nextToken: encodePageToken('lags', page[page.length - 1]!.seq) }) };
}

export function updateLag(core: DirectConnectCore, ctx: RequestContext, input: UpdateLagRequest): Record<string, unknown> {
  let lag = core.liveLag(ctx, input.lagId);
  if (input.lagName === undefined && input.minimumLinks === undefined && input.encryptionMode === undefined) throw dxClientError('give lagName, minimumLinks or encryptionMode to update');
  if (input.lagName !== undefined) {
    checkName('lagName', input.lagName);
    lag = { ...lag, lagName: input.lagName };
  }
  if (input.minimumLinks !== undefined) {
    const n = core.members(lag.lagId).length;
    if (input.minimumLinks < 0 || input.minimumLinks > n) throw dxClientError(`minimumLinks must be 0 to the LAG's ${n} connections, not ${input.minimumLinks}`);
    lag = { ...lag, minimumLinks: input.minimumLinks };
  }
  const linksChanged = input.minimumLinks !== undefined && input.minimumLinks !== core.liveLag(ctx, input.lagId).minimumLinks;
  let modeChanged = false;
  if (input.encryptionMode !== undefined) {
    const mode = checkEncryptionMode(input.encryptionMode);
    if (!lag.macSecCapable && mode !== 'no_encrypt') throw dxClientError(`LAG ${lag.lagId} was not requested with MACsec: its encryptionMode can only be no_encrypt`);
    if (mode === 'must_encrypt' && lag.keys.length === 0) throw dxClientError(`LAG ${lag.lagId} has no MACsec key: associate one (AssociateMacSecKey) before setting must_encrypt`);
    modeChanged = lag.encryptionMode !== mode;
    lag = { ...lag, encryptionMode: mode };
  }
  core.saveLag(lag);
  // V15: the mode applies to every member connection; minimumLinks to a data-plane LAG's logical port.
  if (modeChanged || linksChanged) core.pushLagPorts(ctx, lag);
  return core.renderLag(lag);
}

/** DeleteLag: refused while VIFs are on the LAG; its connections stay, standalone (user guide, "Delete a LAG"). */
export function deleteLag(core: DirectConnectCore, ctx: RequestContext, input: { lagId: string }): Record<string, unknown> {
  const lag = core.liveLag(ctx, input.lagId);
  const vifs = core.liveVifsOn(lag.lagId);
  if (vifs.length) throw dxClientError(`LAG ${lag.lagId} has virtual interfaces (${vifs.map((v) => v.virtualInterfaceId).join(', ')}): delete them or move them first`);
  for (const c of core.members(lag.lagId)) {
    const s = standalone(c, lag);
    core.saveConnection(s);
    core.pushPort(ctx, s);
  }
  const deleted: LagDoc = { ...lag, keys: [], deletedAt: ctx.now };
  core.saveLag(deleted);
  return core.renderLag(deleted);
}

export function associateConnectionWithLag(core: DirectConnectCore, ctx: RequestContext, input: { connectionId: string; lagId: string }): Record<string, unknown> {
  const c = core.liveConnection(ctx, input.connectionId);
  const lag = core.liveLag(ctx, input.lagId);
  if (c.lagId === lag.lagId) throw dxClientError(`Connection ${c.connectionId} is already a member of ${lag.lagId}`);
  if (c.location !== lag.location) throw dxClientError(`Connection ${c.connectionId} is at ${c.location}, LAG ${lag.lagId} at ${lag.location}`);
  if (c.bandwidth !== lag.connectionsBandwidth) throw dxClientError(`Connection ${c.connectionId} is ${c.bandwidth}, LAG ${lag.lagId} bundles ${lag.connectionsBandwidth} connections`);
  if (c.awsDevice !== lag.awsDevice) throw dxClientError(`Connection ${c.connectionId} terminates on ${c.awsDevice}, LAG ${lag.lagId} on ${lag.awsDevice}: a LAG's connections share one device`);
  if (lag.macSecCapable && !c.macSecCapable) throw dxClientError(`LAG ${lag.lagId} runs MACsec: connection ${c.connectionId} was not requested with MACsec`);
  if (c.lagId !== undefined) checkLeavingLag(core, c, c.lagId);
  checkDataPlaneMembership(core, c, lag);
  checkLagRoom(lag, core.members(lag.lagId).length);
  // V8: the connection's own keys give way to the LAG's.
  const joined: ConnectionDoc = { ...c, lagId: lag.lagId, keys: [] };
  core.saveConnection(joined);
  moveVifsToLag(core, ctx, c.connectionId, lag.lagId);
  core.pushPort(ctx, joined);
  return core.renderConnection(joined);
}

export function disassociateConnectionFromLag(core: DirectConnectCore, ctx: RequestContext, input: { connectionId: string; lagId: string }): Record<string, unknown> {
  const c = core.liveConnection(ctx, input.connectionId);
  const lag = core.liveLag(ctx, input.lagId);
  if (c.lagId !== lag.lagId) throw dxClientError(`Connection ${c.connectionId} is not a member of ${lag.lagId}`);
  checkLeavingLag(core, c, lag.lagId);
  const s = standalone(c, lag);
  core.saveConnection(s);
  core.pushPort(ctx, s);
  return core.renderConnection(s);
}
