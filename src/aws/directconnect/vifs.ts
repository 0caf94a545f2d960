/**
 * Private virtual interfaces, the part of the VIF API the lab's BGP stands
 * on: CreatePrivateVirtualInterface, DescribeVirtualInterfaces,
 * DeleteVirtualInterface and AssociateVirtualInterface (the blog's step 4:
 * move a VIF to the new MACsec connection, with the downtime it documents:
 * the VIF is `pending` again while it moves, its old BGP peer `deleting`
 * and a new one `pending`, as the AWS CLI example of associate-virtual-interface
 * shows).
 *
 * Choices where the model is silent (README "The AWS API"): names of 1 to
 * 100 characters of letters, digits and '-' (the model says a-z, the CLI
 * examples use capitals); IPv4 peer addresses both given or both left to
 * AWS (then a free /30 of 169.254.0.0/16); IPv6 addresses always assigned
 * (from 2001:db8::/32 here); exactly one of virtualGatewayId or
 * directConnectGatewayId; MTU 1500 or 9001; the Amazon side ASN 64512.
 */
import { DEFAULT_AMAZON_SIDE_ASN, MAX_PRIVATE_VIFS_PER_CONNECTION } from '../constants.js';
import { encodePageToken, type RequestContext } from '../context.js';
import { dxClientError, dxError } from '../errors.js';
import { bgpAuthKey } from '../ids.js';
import type { DirectConnectCore } from './backend.js';
import { pageSize, pageStart } from './connections.js';
import type { BgpPeerDoc, VifDoc } from './model.js';
import type { NewPrivateVirtualInterface, PageRequest } from './shapes.js';
import { checkGatewayQuota } from './quotas.js';
import { mergeTags } from './tags.js';

const VIF_NAME = /^[A-Za-z0-9-]{1,100}$/;
const VGW_ID = /^vgw-([0-9a-f]{8}|[0-9a-f]{17})$/;
const DXGW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An IPv4 address with prefix length, as AWS writes peer addresses (`169.254.255.1/30`). */
function parseIpv4Cidr(field: string, s: string): { addr: number; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || prefix < 1 || prefix > 31) throw dxClientError(`${field} '${s.slice(0, 64)}' is not an IPv4 address with a prefix length of 1 to 31 (like 169.254.255.1/30)`);
  return { addr: ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0, prefix };
}

function checkIpv4Pair(amazon: string, customer: string): void {
  const a = parseIpv4Cidr('amazonAddress', amazon);
  const c = parseIpv4Cidr('customerAddress', customer);
  const mask = a.prefix === 0 ? 0 : (0xffffffff << (32 - a.prefix)) >>> 0;
  if (a.prefix !== c.prefix || (a.addr & mask) !== (c.addr & mask)) throw dxClientError(`amazonAddress ${amazon} and customerAddress ${customer} must be in the same subnet with the same prefix length`);
  if (a.addr === c.addr) throw dxClientError(`amazonAddress and customerAddress must differ (both ${amazon})`);
  if (a.prefix <= 30) {
    for (const [field, x] of [['amazonAddress', a.addr], ['customerAddress', c.addr]] as const) {
      const host = x & ~mask;
      if (host === 0 || host === (~mask >>> 0)) throw dxClientError(`${field} ${field === 'amazonAddress' ? amazon : customer} is the subnet's network or broadcast address`);
    }
  }
}

function ipv4(n: number, prefix: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${prefix}`;
}

/** Addresses already used by live VIFs of the region. */
function usedAddresses(core: DirectConnectCore, ctx: RequestContext): Set<string> {
  const used = new Set<string>();
  for (const r of core.store.list<VifDoc>('vif', ctx.region)) {
    if (r.doc.state === 'deleted') continue;
    used.add(r.doc.amazonAddress);
    used.add(r.doc.customerAddress);
  }
  return used;
}

/** A free pair: a /30 of 169.254.0.0/16 from the top down (IPv4), or a /125 of 2001:db8::/32 (IPv6). */
function allocateAddresses(core: DirectConnectCore, ctx: RequestContext, family: 'ipv4' | 'ipv6'): { amazon: string; customer: string } {
  const used = usedAddresses(core, ctx);
  for (let k = 0; k < 16384; k++) {
    const pair =
      family === 'ipv4'
        ? { amazon: ipv4(((169 << 24) | (254 << 16) | ((255 - (k >> 6)) << 8) | ((k & 63) * 4 + 1)) >>> 0, 30), customer: ipv4(((169 << 24) | (254 << 16) | ((255 - (k >> 6)) << 8) | ((k & 63) * 4 + 2)) >>> 0, 30) }
        : { amazon: `2001:db8:${k === 0 ? '' : `0:${k.toString(16)}:`}:1/125`, customer: `2001:db8:${k === 0 ? '' : `0:${k.toString(16)}:`}:2/125` };
    if (!used.has(pair.amazon) && !used.has(pair.customer)) return pair;
  }
  throw dxClientError('no free peer addresses left in this region');
}

/** The target of a VIF: a standalone connection or a LAG, not deleted. */
function vifTarget(core: DirectConnectCore, ctx: RequestContext, id: string) {
  const t = core.liveConnectionOrLag(ctx, id);
  if (t.kind === 'connection' && t.doc.lagId !== undefined) {
    throw dxClientError(`Connection ${id} is a member of ${t.doc.lagId}: virtual interfaces of a LAG sit on the LAG`);
  }
  return t;
}

function checkRoomOn(core: DirectConnectCore, targetId: string, vlan: number, amazon: string, customer: string, except?: string): void {
  const live = core.liveVifsOn(targetId).filter((v) => v.virtualInterfaceId !== except);
  if (live.length >= MAX_PRIVATE_VIFS_PER_CONNECTION) {
    throw dxError('LimitExceededException', `${targetId} already carries ${live.length} private virtual interfaces, the most a connection or LAG can ("Private or public virtual interfaces per AWS Direct Connect dedicated connection": ${MAX_PRIVATE_VIFS_PER_CONNECTION}, not adjustable)`);
  }
  const vlanClash = live.find((v) => v.vlan === vlan);
  if (vlanClash) throw dxClientError(`VLAN ${vlan} is already used on ${targetId} by ${vlanClash.virtualInterfaceId}`);
  const ipClash = live.find((v) => [v.amazonAddress, v.customerAddress].some((a) => a === amazon || a === customer));
  if (ipClash) throw dxClientError(`The peer addresses ${amazon} / ${customer} conflict with ${ipClash.virtualInterfaceId} on ${targetId}`);
}

export function createPrivateVirtualInterface(core: DirectConnectCore, ctx: RequestContext, input: { connectionId: string; newPrivateVirtualInterface: NewPrivateVirtualInterface }): Record<string, unknown> {
  const target = vifTarget(core, ctx, input.connectionId);
  const n = input.newPrivateVirtualInterface;
  if (!VIF_NAME.test(n.virtualInterfaceName)) throw dxClientError(`virtualInterfaceName '${n.virtualInterfaceName.slice(0, 120)}' must be 1 to 100 characters: letters, digits and '-'`);
  if (n.vlan < 1 || n.vlan > 4094) throw dxClientError(`vlan must be 1 to 4094, not ${n.vlan}`);
  // asnLong wins when both are given (model doc).
  let asn: number;
  if (n.asnLong !== undefined) {
    if (n.asnLong < 1 || n.asnLong > 4294967294) throw dxClientError(`asnLong must be 1 to 4294967294, not ${n.asnLong}`);
    asn = n.asnLong;
  } else if (n.asn !== undefined) {
    if (n.asn < 1 || n.asn > 2147483646) throw dxClientError(`asn must be 1 to 2147483646 (use asnLong for larger ASNs), not ${n.asn}`);
    asn = n.asn;
  } else throw dxClientError('give the customer side ASN: asn or asnLong');
  const mtu = n.mtu ?? 1500;
  if (mtu !== 1500 && mtu !== 9001) throw dxClientError(`mtu of a private virtual interface must be 1500 or 9001, not ${mtu}`);
  if (n.authKey !== undefined && (n.authKey.length < 6 || n.authKey.length > 80)) throw dxClientError(`authKey must be 6 to 80 characters, not ${n.authKey.length}`);
  const family = n.addressFamily ?? 'ipv4';
  let amazon: string;
  let customer: string;
  if (family === 'ipv6') {
    if (n.amazonAddress !== undefined || n.customerAddress !== undefined) throw dxClientError('IPv6 peer addresses are assigned by AWS: leave amazonAddress and customerAddress out');
    ({ amazon, customer } = allocateAddresses(core, ctx, 'ipv6'));
  } else if (n.amazonAddress === undefined && n.customerAddress === undefined) {
    ({ amazon, customer } = allocateAddresses(core, ctx, 'ipv4'));
  } else {
    if (n.amazonAddress === undefined || n.customerAddress === undefined) throw dxClientError('give both amazonAddress and customerAddress, or neither (AWS then assigns a 169.254.0.0/16 pair)');
    checkIpv4Pair(n.amazonAddress, n.customerAddress);
    amazon = n.amazonAddress;
    customer = n.customerAddress;
  }
  if ((n.virtualGatewayId === undefined) === (n.directConnectGatewayId === undefined)) throw dxClientError('give exactly one of virtualGatewayId or directConnectGatewayId');
  if (n.virtualGatewayId !== undefined && !VGW_ID.test(n.virtualGatewayId)) throw dxClientError(`virtualGatewayId '${n.virtualGatewayId.slice(0, 64)}' is not a virtual private gateway id (vgw- and 8 or 17 hex digits)`);
  if (n.directConnectGatewayId !== undefined && !DXGW_ID.test(n.directConnectGatewayId)) throw dxClientError(`directConnectGatewayId '${n.directConnectGatewayId.slice(0, 64)}' is not a Direct Connect gateway id (a UUID)`);
  if (n.enableSiteLink && n.directConnectGatewayId === undefined) throw dxClientError('enableSiteLink needs a directConnectGatewayId');
  if (n.rateLimit !== undefined) throw dxClientError('rateLimit is not offered by this service');
  const tags = mergeTags([], n.tags);
  checkRoomOn(core, input.connectionId, n.vlan, amazon, customer);
  if (n.directConnectGatewayId !== undefined) checkGatewayQuota(core, ctx, n.directConnectGatewayId);
  const authKey = n.authKey ?? bgpAuthKey(core.deps.random);
  const peer: BgpPeerDoc = { bgpPeerId: core.newId('dxpeer', undefined), asn, authKey, addressFamily: family, amazonAddress: amazon, customerAddress: customer, state: 'pending', stateSince: ctx.now };
  const v: VifDoc = {
    virtualInterfaceId: core.newId('dxvif', 'vif'),
    virtualInterfaceName: n.virtualInterfaceName,
    ownerAccount: ctx.accountId,
    region: ctx.region,
    location: target.doc.location,
    connectionId: input.connectionId,
    vlan: n.vlan,
    asn,
    amazonSideAsn: DEFAULT_AMAZON_SIDE_ASN,
    authKey,
    amazonAddress: amazon,
    customerAddress: customer,
    addressFamily: family,
    mtu,
    ...(n.virtualGatewayId !== undefined && { virtualGatewayId: n.virtualGatewayId }),
    ...(n.directConnectGatewayId !== undefined && { directConnectGatewayId: n.directConnectGatewayId }),
    siteLinkEnabled: n.enableSiteLink === true,
    state: 'pending',
    stateSince: ctx.now,
    bgpPeers: [peer],
    tags,
    createdAt: ctx.now,
  };
  core.saveVif(v);
  core.pushVif(ctx, v);
  return core.renderVif(v);
}

export function describeVirtualInterfaces(core: DirectConnectCore, ctx: RequestContext, input: PageRequest & { connectionId?: string; virtualInterfaceId?: string }): Record<string, unknown> {
  const limit = pageSize(input.maxResults);
  if (input.connectionId !== undefined) {
    // The connection or LAG must exist (deleted ones are still listed).
    if (input.connectionId.startsWith('dxlag-')) core.lag(ctx, input.connectionId, 'connectionId');
    else core.connection(ctx, input.connectionId);
  }
  if (input.virtualInterfaceId !== undefined) {
    const v = core.vif(ctx, input.virtualInterfaceId);
    return { virtualInterfaces: input.connectionId === undefined || v.connectionId === input.connectionId ? [core.renderVif(v)] : [] };
  }
  const after = pageStart('vifs', input.nextToken);
  const rows = core.store.list<VifDoc>('vif', ctx.region, {
    afterSeq: after,
    ...(limit !== undefined && { limit: limit + 1 }),
    ...(input.connectionId !== undefined && { parent: input.connectionId }),
  });
  const page = limit !== undefined ? rows.slice(0, limit) : rows;
  const more = limit !== undefined && rows.length > limit;
  return { virtualInterfaces: page.map((r) => core.renderVif(r.doc)), ...(more && { nextToken: encodePageToken('vifs', page[page.length - 1]!.seq) }) };
}

export function deleteVirtualInterface(core: DirectConnectCore, ctx: RequestContext, input: { virtualInterfaceId: string }): Record<string, unknown> {
  const v = core.vif(ctx, input.virtualInterfaceId);
  if (v.state === 'deleting' || v.state === 'deleted') throw dxClientError(`Virtual interface ${v.virtualInterfaceId} is ${v.state}.`);
  const deleting: VifDoc = { ...v, state: 'deleting', stateSince: ctx.now, deletedAt: ctx.now, bgpPeers: v.bgpPeers.map((p) => ({ ...p, state: 'deleting' as const, stateSince: ctx.now })) };
  core.saveVif(deleting);
  core.pushVif(ctx, deleting);
  return { virtualInterfaceState: 'deleting' };
}

export function associateVirtualInterface(core: DirectConnectCore, ctx: RequestContext, input: { virtualInterfaceId: string; connectionId: string }): Record<string, unknown> {
  const v = core.vif(ctx, input.virtualInterfaceId);
  if (v.state === 'deleting' || v.state === 'deleted') throw dxClientError(`Virtual interface ${v.virtualInterfaceId} is ${v.state}.`);
  const target = vifTarget(core, ctx, input.connectionId);
  if (v.connectionId === input.connectionId) throw dxClientError(`Virtual interface ${v.virtualInterfaceId} is already on ${input.connectionId}`);
  checkRoomOn(core, input.connectionId, v.vlan, v.amazonAddress, v.customerAddress, v.virtualInterfaceId);
  const old = v.bgpPeers.filter((p) => p.state !== 'deleting' && p.state !== 'deleted');
  const fresh: BgpPeerDoc[] = old.map((p) => ({ ...p, bgpPeerId: core.newId('dxpeer', undefined), state: 'pending', stateSince: ctx.now }));
  const moved: VifDoc = {
    ...v,
    connectionId: input.connectionId,
    location: target.doc.location,
    state: 'pending',
    stateSince: ctx.now,
    bgpPeers: [...old.map((p) => ({ ...p, state: 'deleting' as const, stateSince: ctx.now })), ...fresh],
  };
  core.saveVif(moved);
  core.pushVif(ctx, moved);
  return core.renderVif(moved);
}
