/** How Direct Connect resources are stored (one JSON document each in the API store). */
import type { EncryptionMode } from '../binding.js';
import type { BgpPeerState, ConnectionState, VifState } from './enums.js';

export interface TagDoc {
  key: string;
  value?: string;
}

/** One CKN/CAK pair of a connection's or LAG's key chain; the CAK lives in the secret only. */
export interface KeyDoc {
  secretArn: string;
  ckn: string;
  state: 'associating' | 'associated';
  stateSince: number;
  startOn: number;
  /** V11: when a scheduled deletion of its secret takes the key off (30 days for an available port). */
  disassociateAt?: number;
}

/** What a connection and a LAG both hold: where they are, their MACsec settings and keys, tags and lifetime. */
interface PortDoc {
  ownerAccount: string;
  region: string;
  location: string;
  awsDevice: string;
  macSecCapable: boolean;
  encryptionMode: EncryptionMode;
  keys: KeyDoc[];
  tags: TagDoc[];
  providerName?: string;
  createdAt: number;
  deletedAt?: number;
}

export interface ConnectionDoc extends PortDoc {
  connectionId: string;
  connectionName: string;
  bandwidth: string;
  /** The stored state; the shown one also depends on the data plane (backend `connectionState`). */
  state: ConnectionState;
  stateSince: number;
  lagId?: string;
  /** The data-plane port it is bound to (a lab's `node:port`, DxPortBinding.ports); absent: none yet. */
  port?: string;
  /** For a LAG member the LAG's mode applies (V15). */
  encryptionMode: EncryptionMode;
  /** Empty for a LAG member: the LAG's keys apply (V8). */
  keys: KeyDoc[];
}

export interface LagDoc extends PortDoc {
  lagId: string;
  lagName: string;
  connectionsBandwidth: string;
  minimumLinks: number;
  /** The data-plane LAG it is (a lab's `node:LAG`, a LAG of the topology); absent: an API LAG over standalone ports. */
  port?: string;
}

export interface BgpPeerDoc {
  bgpPeerId: string;
  asn: number;
  authKey: string;
  addressFamily: 'ipv4' | 'ipv6';
  amazonAddress: string;
  customerAddress: string;
  state: BgpPeerState;
  stateSince: number;
}

export interface VifDoc {
  virtualInterfaceId: string;
  virtualInterfaceName: string;
  ownerAccount: string;
  region: string;
  location: string;
  /** A connection or a LAG. */
  connectionId: string;
  vlan: number;
  asn: number;
  amazonSideAsn: number;
  authKey: string;
  amazonAddress: string;
  customerAddress: string;
  addressFamily: 'ipv4' | 'ipv6';
  mtu: number;
  virtualGatewayId?: string;
  directConnectGatewayId?: string;
  siteLinkEnabled: boolean;
  state: VifState;
  stateSince: number;
  bgpPeers: BgpPeerDoc[];
  tags: TagDoc[];
  createdAt: number;
  deletedAt?: number;
  /** Its TAP's name on the data plane when the lab made it (a topology VIF); absent: the binding names it. */
  tap?: string;
}
