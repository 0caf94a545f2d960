/**
 * Dedicated connections: DescribeLocations, CreateConnection (requestMACSec,
 * V1/V2; into a LAG with lagId, V16), DescribeConnections (pagination),
 * UpdateConnection (name, encryptionMode: V9, V10's spirit, V15), and
 * DeleteConnection.
 */
import { DX_MAX_RESULTS } from '../constants.js';
import { decodePageToken, encodePageToken, type RequestContext } from '../context.js';
import { dxClientError } from '../errors.js';
import type { DirectConnectCore } from './backend.js';
import { ENCRYPTION_MODES } from './enums.js';
import type { ConnectionDoc, LagDoc } from './model.js';
import { locationOutput, type CreateConnectionRequest, type PageRequest, type UpdateConnectionRequest } from './shapes.js';
import { checkConnectionQuota, checkLagRoom } from './quotas.js';
import { mergeTags } from './tags.js';
import type { EncryptionMode } from '../binding.js';

/** Names of connections, LAGs and VIFs: 1 to 100 characters (a choice; the model sets no limit). */
export function checkName(field: string, name: string): void {
  if (name.length < 1 || name.length > 100) throw dxClientError(`${field} must be 1 to 100 characters, not ${name.length}`);
}

export function checkEncryptionMode(value: string): EncryptionMode {
  if (!(ENCRYPTION_MODES as readonly string[]).includes(value)) throw dxClientError(`encryptionMode '${value.slice(0, 64)}' is not valid: use no_encrypt, should_encrypt or must_encrypt`);
  return value as EncryptionMode;
}

/** maxResults: at least 1, more than 100 reads as 100 (model doc). */
export function pageSize(maxResults: number | undefined): number | undefined {
  if (maxResults === undefined) return undefined;
  if (maxResults < 1) throw dxClientError(`maxResults must be at least 1, not ${maxResults}`);
  return Math.min(maxResults, DX_MAX_RESULTS);
}

export function pageStart(list: string, nextToken: string | undefined): number {
  if (nextToken === undefined) return 0;
  const seq = decodePageToken(list, nextToken);
  if (seq === undefined) throw dxClientError('nextToken is not valid: pass the nextToken of the previous answer unchanged');
  return seq;
}

export function describeLocations(core: DirectConnectCore, ctx: RequestContext): Record<string, unknown> {
  return { locations: core.binding.locations(ctx.region).map(locationOutput) };
}

/** V1/V2: MACsec only where the location offers it at that speed. */
export function checkMacSecPort(location: { locationCode: string; macSecPortSpeeds: readonly string[] }, bandwidth: string): void {
  if (!location.macSecPortSpeeds.includes(bandwidth)) {
    throw dxClientError(
      `requestMACSec: ${location.locationCode} has no MACsec-capable ${bandwidth} ports (availableMacSecPortSpeeds: ${location.macSecPortSpeeds.join(', ') || 'none'}); MACsec runs on dedicated 10, 100 and 400 Gbps connections`,
    );
  }
}

export function createConnection(core: DirectConnectCore, ctx: RequestContext, input: CreateConnectionRequest): Record<string, unknown> {
  const location = core.location(ctx, input.location);
  if (!location.portSpeeds.includes(input.bandwidth)) {
    throw dxClientError(`bandwidth '${input.bandwidth.slice(0, 32)}' is not a port speed of ${location.locationCode} (availablePortSpeeds: ${location.portSpeeds.join(', ')})`);
  }
  checkName('connectionName', input.connectionName);
  const macsec = input.requestMACSec === true;
  if (macsec) checkMacSecPort(location, input.bandwidth);
  if (input.providerName !== undefined && !location.providers.includes(input.providerName)) {
    throw dxClientError(`providerName '${input.providerName.slice(0, 64)}' is not a provider at ${location.locationCode} (availableProviders: ${location.providers.join(', ') || 'none'})`);
  }
  let lag: LagDoc | undefined;
  if (input.lagId !== undefined) {
    lag = core.liveLag(ctx, input.lagId);
    if (lag.location !== location.locationCode) throw dxClientError(`LAG ${lag.lagId} is at ${lag.location}, not ${location.locationCode}`);
    if (lag.connectionsBandwidth !== input.bandwidth) throw dxClientError(`LAG ${lag.lagId} bundles ${lag.connectionsBandwidth} connections, not ${input.bandwidth}`);
    if (lag.macSecCapable && !macsec) throw dxClientError(`LAG ${lag.lagId} runs MACsec: every connection in it must support MACsec (requestMACSec)`);
    checkLagRoom(lag, core.members(lag.lagId).length);
  }
  checkConnectionQuota(core, ctx, location.locationCode, 1);
  const tags = mergeTags([], input.tags);
  const c: ConnectionDoc = {
    connectionId: core.newId('dxcon', 'connection'),
    connectionName: input.connectionName,
    ownerAccount: ctx.accountId,
    region: ctx.region,
    location: location.locationCode,
    bandwidth: input.bandwidth,
    awsDevice: core.binding.placeConnection(location, input.bandwidth, lag?.awsDevice),
    state: 'requested',
    stateSince: ctx.now,
    ...(lag && { lagId: lag.lagId }),
    macSecCapable: macsec,
    // V9: a new MACsec connection starts in should_encrypt; in a LAG the LAG's mode applies.
    encryptionMode: macsec ? 'should_encrypt' : 'no_encrypt',
    keys: [],
    tags,
    ...(input.providerName !== undefined && { providerName: input.providerName }),
    createdAt: ctx.now,
  };
  const placed = core.claimPort(c, lag?.awsDevice);
  core.saveConnection(placed);
  core.pushPort(ctx, placed);
  return core.renderConnection(placed);
}

export function describeConnections(core: DirectConnectCore, ctx: RequestContext, input: PageRequest & { connectionId?: string }): Record<string, unknown> {
  const limit = pageSize(input.maxResults);
  if (input.connectionId !== undefined) return { connections: [core.renderConnection(core.connection(ctx, input.connectionId))] };
  const after = pageStart('connections', input.nextToken);
  const rows = core.store.list<ConnectionDoc>('connection', ctx.region, { afterSeq: after, ...(limit !== undefined && { limit: limit + 1 }) });
  const page = limit !== undefined ? rows.slice(0, limit) : rows;
  const cache = new Map<string, LagDoc | undefined>();
  const more = limit !== undefined && rows.length > limit;
  return {
    connections: page.map((r) => core.renderConnection(r.doc, cache)),
    ...(more && { nextToken: encodePageToken('connections', page[page.length - 1]!.seq) }),
  };
}

export function updateConnection(core: DirectConnectCore, ctx: RequestContext, input: UpdateConnectionRequest): Record<string, unknown> {
  let c = core.liveConnection(ctx, input.connectionId);
  if (input.connectionName === undefined && input.encryptionMode === undefined) throw dxClientError('give connectionName or encryptionMode to update');
  if (input.connectionName !== undefined) {
    checkName('connectionName', input.connectionName);
    c = { ...c, connectionName: input.connectionName };
  }
  if (input.encryptionMode !== undefined) {
    const mode = checkEncryptionMode(input.encryptionMode);
    if (!c.macSecCapable && mode !== 'no_encrypt') throw dxClientError(`Connection ${c.connectionId} was not requested with MACsec: its encryptionMode can only be no_encrypt`);
    if (c.macSecCapable) {
      // V8/V15: on a LAG, MACsec is configured on the LAG, which applies it to every member.
      if (c.lagId !== undefined) throw dxClientError(`Connection ${c.connectionId} is a member of ${c.lagId}: set the encryption mode on the LAG (UpdateLag)`);
      if (mode === 'must_encrypt' && c.keys.length === 0) {
        throw dxClientError(`Connection ${c.connectionId} has no MACsec key: associate one (AssociateMacSecKey) before setting must_encrypt`);
      }
      c = { ...c, encryptionMode: mode };
    }
  }
  core.saveConnection(c);
  core.pushPort(ctx, c);
  return core.renderConnection(c);
}

/**
 * Deletion: refused while VIFs are on the connection (delete or move them
 * first); a LAG member leaves its LAG, unless that takes the LAG below its
 * minimumLinks (DisassociateConnectionFromLag's rule). The record stays
 * listed as `deleted` for 15 minutes.
 */
export function deleteConnection(core: DirectConnectCore, ctx: RequestContext, input: { connectionId: string }): Record<string, unknown> {
  const c = core.liveConnection(ctx, input.connectionId);
  const vifs = core.liveVifsOn(c.connectionId);
  if (vifs.length) throw dxClientError(`Connection ${c.connectionId} has virtual interfaces (${vifs.map((v) => v.virtualInterfaceId).join(', ')}): delete them or move them to another connection first`);
  if (c.lagId !== undefined) checkLeavingLag(core, c, c.lagId);
  const deleted: ConnectionDoc = { ...c, state: 'deleted', stateSince: ctx.now, deletedAt: ctx.now, keys: [] };
  core.saveConnection(deleted);
  core.pushPort(ctx, deleted);
  if (c.port !== undefined) core.bindWaiting(ctx, c);
  return core.renderConnection(deleted);
}

/** A member may leave its LAG unless that leaves fewer available members than minimumLinks; the last may always leave. */
export function checkLeavingLag(core: DirectConnectCore, c: ConnectionDoc, lagId: string): void {
  const lag = core.store.get<LagDoc>('lag', lagId);
  if (!lag) return;
  const others = core.members(lagId).filter((m) => m.connectionId !== c.connectionId);
  if (others.length === 0) return;
  const available = others.filter((m) => core.connectionState(m) === 'available').length;
  if (available < lag.minimumLinks) {
    throw dxClientError(`Removing ${c.connectionId} from ${lagId} would leave ${available} available connections, below its minimumLinks of ${lag.minimumLinks}`);
  }
}
