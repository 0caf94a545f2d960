/**
 * AWS Direct Connect's quotas, enforced as AWS enforces them: a request that
 * would take an account past one is refused with LimitExceededException and
 * changes nothing (the request's transaction rolls back). Source: the User
 * Guide's "AWS Direct Connect quotas",
 * https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html;
 * the values are in ../constants.ts (DEFAULT_DX_QUOTAS,
 * MAX_PRIVATE_VIFS_PER_CONNECTION) and the README's "Quotas" table.
 *
 * What counts:
 * - a connection is active until it is deleted, deleting or rejected
 *   (`requested`, `pending`, `available` and `down` all hold a port); a
 *   deleted one, still listed for 15 minutes, frees its place at once;
 * - a LAG's member connections count like any other ("Each connection in
 *   the LAG counts towards your overall connection limit for the Region",
 *   User Guide, "Link aggregation groups", lags.html);
 * - a LAG counts until it is deleted;
 * - a VIF on a Direct Connect gateway counts until it is deleting or
 *   deleted, whatever its region: a gateway is global ("a globally
 *   available resource", User Guide, "Direct Connect gateways").
 *
 * The service's setting (DxQuotas: `dxlab api serve --quota`) stands for
 * the raise AWS grants on request; a data plane may need more than the
 * setting (a lab's DX ports are its connections: DxPortBinding.quotaNeeds),
 * and then the larger applies.
 *
 * Without a bound, a long session (the api fuzz run: issue 20) made
 * thousands of connections and LAGs, and every DescribeConnections or
 * DescribeLags without maxResults rendered them all: over 100 ms of CPU
 * for one request. The quotas keep the store as small as AWS keeps an
 * account.
 */
import { DEFAULT_DX_QUOTAS, type DxQuotas } from '../constants.js';
import type { RequestContext } from '../context.js';
import { dxError } from '../errors.js';
import { GONE, isLiveVif, type DirectConnectCore } from './backend.js';
import { maxLagMembers } from './enums.js';
import type { ConnectionDoc, LagDoc, VifDoc } from './model.js';

/** `1 LAG`, `2 LAGs`: the refusal's counts read as English. */
const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The `--quota` names, as the CLI spells them, and the setting each is. */
export const DX_QUOTA_NAMES: Readonly<Record<string, keyof DxQuotas>> = Object.freeze({
  'connections-per-location': 'connectionsPerLocation',
  'lags-per-region': 'lagsPerRegion',
  'vifs-per-dx-gateway': 'vifsPerDirectConnectGateway',
});

/** What a quota is called on the AWS page, for the refusal. */
const AWS_NAMES: Readonly<Record<keyof DxQuotas, string>> = {
  connectionsPerLocation: 'Active AWS Direct Connect connections per Direct Connect location per Region per account',
  lagsPerRegion: 'Link aggregation groups (LAGs) per Region',
  vifsPerDirectConnectGateway: 'Virtual interfaces (private or transit) per AWS Direct Connect gateway',
};

const cliName = (key: keyof DxQuotas): string => Object.keys(DX_QUOTA_NAMES).find((k) => DX_QUOTA_NAMES[k] === key)!;

/**
 * Reads `name=value` settings (`connections-per-location=64`): a known
 * name and a whole number from 1 up; a later setting of a name wins.
 * @throws Error naming the setting and what is expected.
 */
export function parseQuotaSettings(settings: readonly string[]): Partial<DxQuotas> {
  const out: Partial<DxQuotas> = {};
  for (const s of settings) {
    const eq = s.indexOf('=');
    const name = eq < 0 ? s : s.slice(0, eq);
    const key = Object.hasOwn(DX_QUOTA_NAMES, name) ? DX_QUOTA_NAMES[name] : undefined;
    if (!key) throw new Error(`quota '${s.slice(0, 64)}': expected NAME=N with NAME one of ${Object.keys(DX_QUOTA_NAMES).join(', ')}`);
    const text = eq < 0 ? '' : s.slice(eq + 1);
    const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
    if (!(n >= 1)) throw new Error(`quota ${name}: expected a whole number from 1 to 999999999, not '${text.slice(0, 32)}'`);
    out[key] = n;
  }
  return out;
}

/** The quotas in force: the defaults, the service's setting over them. */
export function dxQuotas(setting: Partial<DxQuotas> = {}): DxQuotas {
  return { ...DEFAULT_DX_QUOTAS, ...setting };
}

/** Active connections of the request's account at a location of its region. */
export function activeConnectionsAt(core: DirectConnectCore, ctx: RequestContext, location: string): number {
  let n = 0;
  for (const r of core.store.list<ConnectionDoc>('connection', ctx.region)) {
    const c = r.doc;
    if (c.location === location && c.ownerAccount === ctx.accountId && !GONE.has(c.state)) n++;
  }
  return n;
}

/** LAGs of the request's account in its region that are not deleted. */
export function activeLags(core: DirectConnectCore, ctx: RequestContext): number {
  return core.store.list<LagDoc>('lag', ctx.region).filter((r) => r.doc.deletedAt === undefined && r.doc.ownerAccount === ctx.accountId).length;
}

/** The connections-per-location quota at a location: the setting, or what the data plane needs there if more. */
export function connectionQuotaAt(core: DirectConnectCore, region: string, location: string): number {
  return Math.max(core.quotas.connectionsPerLocation, core.binding.quotaNeeds?.(region).connectionsAt[location] ?? 0);
}

export function lagQuota(core: DirectConnectCore, region: string): number {
  return Math.max(core.quotas.lagsPerRegion, core.binding.quotaNeeds?.(region).lags ?? 0);
}

function refuse(key: keyof DxQuotas, what: string, quota: number): never {
  throw dxError('LimitExceededException', `${what}: the quota "${AWS_NAMES[key]}" is ${quota} (dxlab api serve --quota ${cliName(key)}=N raises it, as AWS does on request)`);
}

/** Refuses a request that would make `adding` more connections at `location`. */
export function checkConnectionQuota(core: DirectConnectCore, ctx: RequestContext, location: string, adding: number): void {
  const quota = connectionQuotaAt(core, ctx.region, location);
  const n = activeConnectionsAt(core, ctx, location);
  if (n + adding > quota) refuse('connectionsPerLocation', `${location} in ${ctx.region} has ${count(n, 'active connection')}${adding > 1 ? `, and this request adds ${adding}` : ''}`, quota);
}

/** Refuses a new LAG past the quota. */
export function checkLagQuota(core: DirectConnectCore, ctx: RequestContext): void {
  const quota = lagQuota(core, ctx.region);
  const n = activeLags(core, ctx);
  if (n + 1 > quota) refuse('lagsPerRegion', `${ctx.region} has ${count(n, 'LAG')}`, quota);
}

/** Refuses a new VIF on a Direct Connect gateway that has its quota of the account's VIFs, in any region. */
export function checkGatewayQuota(core: DirectConnectCore, ctx: RequestContext, gatewayId: string): void {
  const quota = core.quotas.vifsPerDirectConnectGateway;
  const n = core.store.all<VifDoc>('vif').filter((v) => v.directConnectGatewayId === gatewayId && v.ownerAccount === ctx.accountId && isLiveVif(v)).length;
  if (n + 1 > quota) refuse('vifsPerDirectConnectGateway', `Direct Connect gateway ${gatewayId} has ${count(n, 'virtual interface')}`, quota);
}

/**
 * "Dedicated connections per link aggregation group (LAG)": 4 below 100G,
 * 2 at 100G (and 400G: CreateLag's doc, V16). Not a setting: the LAG rules
 * of the User Guide (lags.html) state it as a rule of LAGs, not an account's
 * quota.
 */
export function checkLagRoom(lag: LagDoc, members: number): void {
  const max = maxLagMembers(lag.connectionsBandwidth);
  if (members >= max) throw dxError('LimitExceededException', `LAG ${lag.lagId} already has ${count(members, 'connection')}, the most a ${lag.connectionsBandwidth} LAG can have ("Dedicated connections per link aggregation group": ${max})`);
}
