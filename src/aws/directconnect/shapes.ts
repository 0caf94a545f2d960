/**
 * Direct Connect's wire names: the input shapes of the operations served
 * (botocore directconnect 2012-10-25 service-2.json) and the output shapes
 * (Connection, Lag, MacSecKey, Location, VirtualInterface, BGPPeer), in one
 * place. The rest of the service speaks in the documents of model.ts.
 */
import type { LocationSpec } from '../binding.js';
import { utcDateTime } from '../context.js';
import type { Shape } from '../shape.js';
import { HAS_LOGICAL_REDUNDANCY_UNKNOWN, type BgpStatus, type ConnectionState, type LagState, type VifState } from './enums.js';
import type { BgpPeerDoc, ConnectionDoc, KeyDoc, LagDoc, TagDoc, VifDoc } from './model.js';

type Structure = Shape & { type: 'structure' };

const str: Shape = { type: 'string' };
const int: Shape = { type: 'integer' };
const bool: Shape = { type: 'boolean' };
const TAG_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const Tag: Shape = {
  type: 'structure',
  required: ['key'],
  members: { key: { type: 'string', min: 1, max: 128, pattern: TAG_PATTERN }, value: { type: 'string', min: 0, max: 256, pattern: TAG_PATTERN } },
};
const TagList: Shape = { type: 'list', min: 1, member: Tag };

export const CreateConnectionInput: Structure = {
  type: 'structure',
  required: ['location', 'bandwidth', 'connectionName'],
  members: { location: str, bandwidth: str, connectionName: str, lagId: str, tags: TagList, providerName: str, requestMACSec: bool },
};
export const DescribeConnectionsInput: Structure = { type: 'structure', members: { connectionId: str, maxResults: int, nextToken: str } };
export const UpdateConnectionInput: Structure = { type: 'structure', required: ['connectionId'], members: { connectionId: str, connectionName: str, encryptionMode: str } };
export const ConnectionIdInput: Structure = { type: 'structure', required: ['connectionId'], members: { connectionId: str } };
export const AssociateMacSecKeyInput: Structure = {
  type: 'structure',
  required: ['connectionId'],
  members: { connectionId: str, secretARN: str, ckn: str, cak: { type: 'string', sensitive: true } },
};
export const DisassociateMacSecKeyInput: Structure = { type: 'structure', required: ['connectionId', 'secretARN'], members: { connectionId: str, secretARN: str } };
export const CreateLagInput: Structure = {
  type: 'structure',
  required: ['numberOfConnections', 'location', 'connectionsBandwidth', 'lagName'],
  members: {
    numberOfConnections: int,
    location: str,
    connectionsBandwidth: str,
    lagName: str,
    connectionId: str,
    tags: TagList,
    childConnectionTags: TagList,
    providerName: str,
    requestMACSec: bool,
  },
};
export const DescribeLagsInput: Structure = { type: 'structure', members: { lagId: str, maxResults: int, nextToken: str } };
export const UpdateLagInput: Structure = { type: 'structure', required: ['lagId'], members: { lagId: str, lagName: str, minimumLinks: int, encryptionMode: str } };
export const LagIdInput: Structure = { type: 'structure', required: ['lagId'], members: { lagId: str } };
export const ConnectionLagInput: Structure = { type: 'structure', required: ['connectionId', 'lagId'], members: { connectionId: str, lagId: str } };
export const EmptyInput: Structure = { type: 'structure', members: {} };
export const TagResourceInput: Structure = { type: 'structure', required: ['resourceArn', 'tags'], members: { resourceArn: str, tags: TagList } };
export const UntagResourceInput: Structure = {
  type: 'structure',
  required: ['resourceArn', 'tagKeys'],
  members: { resourceArn: str, tagKeys: { type: 'list', member: { type: 'string', min: 1, max: 128, pattern: TAG_PATTERN } } },
};
export const DescribeTagsInput: Structure = { type: 'structure', required: ['resourceArns'], members: { resourceArns: { type: 'list', member: str } } };
export const CreatePrivateVirtualInterfaceInput: Structure = {
  type: 'structure',
  required: ['connectionId', 'newPrivateVirtualInterface'],
  members: {
    connectionId: str,
    newPrivateVirtualInterface: {
      type: 'structure',
      required: ['virtualInterfaceName', 'vlan'],
      members: {
        virtualInterfaceName: str,
        vlan: int,
        asn: int,
        asnLong: { type: 'long' },
        mtu: int,
        authKey: str,
        amazonAddress: str,
        customerAddress: str,
        addressFamily: { type: 'string', enum: ['ipv4', 'ipv6'] },
        virtualGatewayId: str,
        directConnectGatewayId: str,
        tags: TagList,
        enableSiteLink: bool,
        rateLimit: str,
      },
    },
  },
};
export const DescribeVirtualInterfacesInput: Structure = {
  type: 'structure',
  members: { connectionId: str, virtualInterfaceId: str, maxResults: int, nextToken: str },
};
export const VirtualInterfaceIdInput: Structure = { type: 'structure', required: ['virtualInterfaceId'], members: { virtualInterfaceId: str } };
export const AssociateVirtualInterfaceInput: Structure = {
  type: 'structure',
  required: ['virtualInterfaceId', 'connectionId'],
  members: { virtualInterfaceId: str, connectionId: str },
};

export interface WireTag {
  key: string;
  value?: string;
}
export interface CreateConnectionRequest {
  location: string;
  bandwidth: string;
  connectionName: string;
  lagId?: string;
  tags?: WireTag[];
  providerName?: string;
  requestMACSec?: boolean;
}
export interface PageRequest {
  maxResults?: number;
  nextToken?: string;
}
export interface UpdateConnectionRequest {
  connectionId: string;
  connectionName?: string;
  encryptionMode?: string;
}
export interface AssociateMacSecKeyRequest {
  connectionId: string;
  secretARN?: string;
  ckn?: string;
  cak?: string;
}
export interface CreateLagRequest {
  numberOfConnections: number;
  location: string;
  connectionsBandwidth: string;
  lagName: string;
  connectionId?: string;
  tags?: WireTag[];
  childConnectionTags?: WireTag[];
  providerName?: string;
  requestMACSec?: boolean;
}
export interface UpdateLagRequest {
  lagId: string;
  lagName?: string;
  minimumLinks?: number;
  encryptionMode?: string;
}
export interface NewPrivateVirtualInterface {
  virtualInterfaceName: string;
  vlan: number;
  asn?: number;
  asnLong?: number;
  mtu?: number;
  authKey?: string;
  amazonAddress?: string;
  customerAddress?: string;
  addressFamily?: 'ipv4' | 'ipv6';
  virtualGatewayId?: string;
  directConnectGatewayId?: string;
  tags?: WireTag[];
  enableSiteLink?: boolean;
  rateLimit?: string;
}

export function tagsFromWire(tags: readonly WireTag[] | undefined): TagDoc[] {
  return (tags ?? []).map((t) => (t.value === undefined ? { key: t.key } : { key: t.key, value: t.value }));
}

function wireTags(tags: readonly TagDoc[]): WireTag[] {
  return tags.map((t) => (t.value === undefined ? { key: t.key } : { key: t.key, value: t.value }));
}

/** MacSecKey: the CKN and its secret's ARN; never the CAK. startOn as the blog shows it (`2020-11-10 21:57:42`). */
export function macSecKeyOutput(k: KeyDoc, state: string = k.state): Record<string, unknown> {
  return { secretARN: k.secretArn, ckn: k.ckn, state, startOn: utcDateTime(k.startOn) };
}

/** What a connection shows that is not stored in it: its effective state, mode, keys, MKA status. */
export interface ConnectionView {
  state: ConnectionState;
  encryptionMode: string;
  keys: readonly KeyDoc[];
  portEncryptionStatus: string;
}

/**
 * Connection. A port requested without MACsec shows `macSecCapable: false`
 * and none of the MACsec fields.
 */
export function connectionOutput(c: ConnectionDoc, v: ConnectionView): Record<string, unknown> {
  return {
    ownerAccount: c.ownerAccount,
    connectionId: c.connectionId,
    connectionName: c.connectionName,
    connectionState: v.state,
    region: c.region,
    location: c.location,
    bandwidth: c.bandwidth,
    ...(c.lagId !== undefined && { lagId: c.lagId }),
    awsDevice: c.awsDevice,
    jumboFrameCapable: false,
    awsDeviceV2: c.awsDevice,
    awsLogicalDeviceId: c.awsDevice,
    hasLogicalRedundancy: HAS_LOGICAL_REDUNDANCY_UNKNOWN,
    ...(c.tags.length > 0 && { tags: wireTags(c.tags) }),
    ...(c.providerName !== undefined && { providerName: c.providerName }),
    macSecCapable: c.macSecCapable,
    ...(c.macSecCapable && {
      portEncryptionStatus: v.portEncryptionStatus,
      encryptionMode: v.encryptionMode,
      macSecKeys: v.keys.map((k) => macSecKeyOutput(k)),
    }),
  };
}

/** Lag, with its member connections in full. */
export function lagOutput(l: LagDoc, state: LagState, members: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    connectionsBandwidth: l.connectionsBandwidth,
    numberOfConnections: members.length,
    lagId: l.lagId,
    ownerAccount: l.ownerAccount,
    lagName: l.lagName,
    lagState: state,
    location: l.location,
    region: l.region,
    minimumLinks: l.minimumLinks,
    awsDevice: l.awsDevice,
    awsDeviceV2: l.awsDevice,
    awsLogicalDeviceId: l.awsDevice,
    connections: members,
    allowsHostedConnections: false,
    jumboFrameCapable: false,
    hasLogicalRedundancy: HAS_LOGICAL_REDUNDANCY_UNKNOWN,
    ...(l.tags.length > 0 && { tags: wireTags(l.tags) }),
    ...(l.providerName !== undefined && { providerName: l.providerName }),
    macSecCapable: l.macSecCapable,
    ...(l.macSecCapable && { encryptionMode: l.encryptionMode, macSecKeys: l.keys.map((k) => macSecKeyOutput(k)) }),
  };
}

export function locationOutput(l: LocationSpec): Record<string, unknown> {
  return {
    locationCode: l.locationCode,
    locationName: l.locationName,
    region: l.region,
    availablePortSpeeds: [...l.portSpeeds],
    availableProviders: [...l.providers],
    availableMacSecPortSpeeds: [...l.macSecPortSpeeds],
  };
}

function bgpPeerOutput(p: BgpPeerDoc, bgpStatus: BgpStatus, awsDevice: string): Record<string, unknown> {
  return {
    bgpPeerId: p.bgpPeerId,
    asn: p.asn <= 2147483647 ? p.asn : 0,
    asnLong: p.asn,
    authKey: p.authKey,
    addressFamily: p.addressFamily,
    amazonAddress: p.amazonAddress,
    customerAddress: p.customerAddress,
    bgpPeerState: p.state,
    bgpStatus: p.state === 'available' ? bgpStatus : 'down',
    awsDeviceV2: awsDevice,
    awsLogicalDeviceId: awsDevice,
  };
}

/** The customer router configuration AWS hands out (its XML, as the CLI examples show it). */
function customerRouterConfig(v: VifDoc): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<logical_connection id="${v.virtualInterfaceId}">`,
    `  <vlan>${v.vlan}</vlan>`,
    `  <customer_address>${v.customerAddress}</customer_address>`,
    `  <amazon_address>${v.amazonAddress}</amazon_address>`,
    `  <bgp_asn>${v.asn}</bgp_asn>`,
    `  <bgp_auth_key>${v.authKey}</bgp_auth_key>`,
    `  <amazon_bgp_asn>${v.amazonSideAsn}</amazon_bgp_asn>`,
    '  <connection_type>private</connection_type>',
    '</logical_connection>',
    '',
  ].join('\n');
}

/** VirtualInterface (private). The legacy `asn` is 0 for a 4-octet ASN (model doc). */
export function vifOutput(v: VifDoc, state: VifState, bgpStatus: BgpStatus, awsDevice: string): Record<string, unknown> {
  return {
    ownerAccount: v.ownerAccount,
    virtualInterfaceId: v.virtualInterfaceId,
    location: v.location,
    connectionId: v.connectionId,
    virtualInterfaceType: 'private',
    virtualInterfaceName: v.virtualInterfaceName,
    vlan: v.vlan,
    asn: v.asn <= 2147483647 ? v.asn : 0,
    asnLong: v.asn,
    amazonSideAsn: v.amazonSideAsn,
    authKey: v.authKey,
    amazonAddress: v.amazonAddress,
    customerAddress: v.customerAddress,
    addressFamily: v.addressFamily,
    virtualInterfaceState: state,
    customerRouterConfig: customerRouterConfig(v),
    mtu: v.mtu,
    jumboFrameCapable: v.mtu > 1500,
    ...(v.virtualGatewayId !== undefined && { virtualGatewayId: v.virtualGatewayId }),
    ...(v.directConnectGatewayId !== undefined && { directConnectGatewayId: v.directConnectGatewayId }),
    routeFilterPrefixes: [],
    bgpPeers: v.bgpPeers.map((p) => bgpPeerOutput(p, bgpStatus, awsDevice)),
    region: v.region,
    awsDeviceV2: awsDevice,
    awsLogicalDeviceId: awsDevice,
    ...(v.tags.length > 0 && { tags: wireTags(v.tags) }),
    siteLinkEnabled: v.siteLinkEnabled,
  };
}

export function resourceTagsOutput(arn: string, tags: readonly TagDoc[]): Record<string, unknown> {
  return { resourceArn: arn, tags: wireTags(tags) };
}
