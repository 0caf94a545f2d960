/**
 * Direct Connect's operations: input shape and backend call for each
 * `X-Amz-Target: OvertureService.<Operation>`.
 */
import { op, type Operation } from '../operation.js';
import type { DirectConnectCore } from './backend.js';
import { createConnection, deleteConnection, describeConnections, describeLocations, updateConnection } from './connections.js';
import { associateConnectionWithLag, createLag, deleteLag, describeLags, disassociateConnectionFromLag, updateLag } from './lags.js';
import { associateMacSecKey, disassociateMacSecKey } from './macsec-keys.js';
import * as S from './shapes.js';
import { describeTags, tagResource, untagResource } from './tags.js';
import { associateVirtualInterface, createPrivateVirtualInterface, deleteVirtualInterface, describeVirtualInterfaces } from './vifs.js';

type Core = DirectConnectCore;

export const DIRECT_CONNECT_OPERATIONS: Readonly<Record<string, Operation<Core>>> = {
  DescribeLocations: op(S.EmptyInput, (c: Core, _i: object, ctx) => describeLocations(c, ctx)),
  CreateConnection: op(S.CreateConnectionInput, (c: Core, i: S.CreateConnectionRequest, ctx) => createConnection(c, ctx, i)),
  DescribeConnections: op(S.DescribeConnectionsInput, (c: Core, i: S.PageRequest & { connectionId?: string }, ctx) => describeConnections(c, ctx, i)),
  UpdateConnection: op(S.UpdateConnectionInput, (c: Core, i: S.UpdateConnectionRequest, ctx) => updateConnection(c, ctx, i)),
  DeleteConnection: op(S.ConnectionIdInput, (c: Core, i: { connectionId: string }, ctx) => deleteConnection(c, ctx, i)),
  AssociateMacSecKey: op(S.AssociateMacSecKeyInput, (c: Core, i: S.AssociateMacSecKeyRequest, ctx) => associateMacSecKey(c, ctx, i)),
  DisassociateMacSecKey: op(S.DisassociateMacSecKeyInput, (c: Core, i: { connectionId: string; secretARN: string }, ctx) => disassociateMacSecKey(c, ctx, i)),
  CreateLag: op(S.CreateLagInput, (c: Core, i: S.CreateLagRequest, ctx) => createLag(c, ctx, i)),
  DescribeLags: op(S.DescribeLagsInput, (c: Core, i: S.PageRequest & { lagId?: string }, ctx) => describeLags(c, ctx, i)),
  UpdateLag: op(S.UpdateLagInput, (c: Core, i: S.UpdateLagRequest, ctx) => updateLag(c, ctx, i)),
  DeleteLag: op(S.LagIdInput, (c: Core, i: { lagId: string }, ctx) => deleteLag(c, ctx, i)),
  AssociateConnectionWithLag: op(S.ConnectionLagInput, (c: Core, i: { connectionId: string; lagId: string }, ctx) => associateConnectionWithLag(c, ctx, i)),
  DisassociateConnectionFromLag: op(S.ConnectionLagInput, (c: Core, i: { connectionId: string; lagId: string }, ctx) => disassociateConnectionFromLag(c, ctx, i)),
  CreatePrivateVirtualInterface: op(S.CreatePrivateVirtualInterfaceInput, (c: Core, i: { connectionId: string; newPrivateVirtualInterface: S.NewPrivateVirtualInterface }, ctx) =>
    createPrivateVirtualInterface(c, ctx, i),
  ),
  DescribeVirtualInterfaces: op(S.DescribeVirtualInterfacesInput, (c: Core, i: S.PageRequest & { connectionId?: string; virtualInterfaceId?: string }, ctx) =>
    describeVirtualInterfaces(c, ctx, i),
  ),
  DeleteVirtualInterface: op(S.VirtualInterfaceIdInput, (c: Core, i: { virtualInterfaceId: string }, ctx) => deleteVirtualInterface(c, ctx, i)),
  AssociateVirtualInterface: op(S.AssociateVirtualInterfaceInput, (c: Core, i: { virtualInterfaceId: string; connectionId: string }, ctx) => associateVirtualInterface(c, ctx, i)),
  TagResource: op(S.TagResourceInput, (c: Core, i: { resourceArn: string; tags: S.WireTag[] }, ctx) => tagResource(c, ctx, i)),
  UntagResource: op(S.UntagResourceInput, (c: Core, i: { resourceArn: string; tagKeys: string[] }, ctx) => untagResource(c, ctx, i)),
  DescribeTags: op(S.DescribeTagsInput, (c: Core, i: { resourceArns: string[] }, ctx) => describeTags(c, ctx, i)),
};
