/**
 * What the Direct Connect API asks of the data plane, and the one
 * implementation there is today: no data plane at all.
 *
 * The API owns the state (connections, keys, modes, VIFs); after each
 * committed change it hands the binding the whole desired state of the
 * ports and VIFs concerned ({@link DataPlaneChange}: idempotent, so a
 * restart can push everything again), and it asks the binding what only a
 * data plane knows: whether a port's link is up, whether MKA secured it
 * with which CKN, whether a VIF's BGP session is up. A binding to a running
 * lab (a DX device node's ports, its KaY key chain and encryption mode, its
 * VIF TAPs and BGP speaker) implements the same interface.
 *
 * @example
 * const binding = apiStateOnlyBinding();           // connections are API state only
 * binding.portEncryption('dxcon-fg31dyv6');        // { secured: false }: no MKA without a lab
 */
import type { Secret } from '../shared/secret.js';

/** A Direct Connect location as DescribeLocations shows it, with the devices new ports land on. */
export interface LocationSpec {
  region: string;
  locationCode: string;
  locationName: string;
  portSpeeds: readonly string[];
  /** V1/V2: the speeds at which a port may be requested with MACsec. */
  macSecPortSpeeds: readonly string[];
  providers: readonly string[];
  /** DX devices (the `awsDevice` of a connection); a connection not in a LAG goes on the first. */
  devices: readonly string[];
}

export type EncryptionMode = 'no_encrypt' | 'should_encrypt' | 'must_encrypt';

/** The MACsec cipher suites AWS offers (V2). */
export type CipherSuiteName = 'GCM-AES-256' | 'GCM-AES-XPN-256';

/** One pair of a port's key chain; the CAK stays wrapped (src/shared/secret.ts). */
export interface PortKey {
  ckn: string;
  secretArn: string;
  cak: Secret;
}

/** A data-plane port a connection can be bound to, and the device it is on. */
export interface DxPortSlot {
  /** The binding's name of the port (a lab's `node:port`). */
  port: string;
  /** The `awsDevice` a connection on it shows. */
  device: string;
}

/** The whole desired state of one DX port. */
export interface DxPortConfig {
  connectionId: string;
  /** The data-plane LAG of its LAG (LagDoc.port), when its LAG is one. */
  lagPort?: string | undefined;
  /** The data-plane port it is bound to ({@link DxPortBinding.ports}); absent while none is (state `requested`). */
  port?: string | undefined;
  lagId: string | undefined;
  awsDevice: string;
  location: string;
  bandwidth: string;
  /** Absent on a port that was not requested with MACsec. */
  macsec:
    | {
        mode: EncryptionMode;
        /** Oldest first: the device tries the newest and falls back to the last one that worked (V7). */
        keyChain: PortKey[];
        /** By port speed (V2): XPN only at 100 and 400 Gbit/s. */
        cipherSuites: CipherSuiteName[];
        /** V14: the SCI is always sent, confidentiality offset 0. */
        includeSci: true;
        confidentialityOffset: 0;
      }
    | undefined;
}

/** The whole desired state of one private VIF on the ports that carry it. */
export interface DxVifConfig {
  virtualInterfaceId: string;
  /** The connection, or the LAG's member connections. */
  connectionIds: string[];
  vlan: number;
  mtu: number;
  addressFamily: 'ipv4' | 'ipv6';
  amazonAddress: string;
  customerAddress: string;
  amazonSideAsn: number;
  customerAsn: number;
  authKey: string;
  /** Its TAP's name when the data plane made it already (a lab's topology VIF). */
  tap?: string | undefined;
}

/**
 * The whole desired state of a LAG's members at once (AssociateMacSecKey
 * with a lagId, UpdateLag): a data plane with LAGs of its own applies it as
 * one operation on the LAG, any other member by member.
 */
export interface DxLagConfig {
  lagId: string;
  /** The data-plane LAG (LagDoc.port), if the LAG is one. */
  lagPort?: string | undefined;
  minimumLinks: number;
  members: DxPortConfig[];
}

export type DataPlaneChange =
  | { kind: 'port'; config: DxPortConfig }
  | { kind: 'lag'; config: DxLagConfig }
  | { kind: 'portRemoved'; connectionId: string; port?: string | undefined }
  | { kind: 'vif'; config: DxVifConfig }
  | { kind: 'vifRemoved'; virtualInterfaceId: string };

export type PortLink = 'unbound' | 'pending' | 'up' | 'down';

/** What MKA says about a port. */
export interface PortEncryption {
  secured: boolean;
  /** The CKN of the secured session. */
  ckn?: string;
}

/** The Direct Connect API's view of the data plane. */
export interface DxPortBinding {
  /** One line for people: what the API is bound to. */
  readonly description: string;
  /** The locations of a region (DescribeLocations; CreateConnection checks against them). */
  locations(region: string): readonly LocationSpec[];
  /** The device a new connection's port is on: the LAG's when it joins one (V16), else the binding's choice. */
  placeConnection(location: LocationSpec, bandwidth: string, lagDevice: string | undefined): string;
  /**
   * The data-plane ports of a location at a speed, bound or not, in the order
   * they are handed out; absent when the binding has no ports of its own
   * (then a connection is never bound, and the API's timings move it).
   */
  ports?(location: LocationSpec, bandwidth: string): readonly DxPortSlot[];
  /**
   * The link of a connection's port: `unbound` while no port is bound to it
   * (AWS's `requested`), `pending` while its port has not been up since it
   * was bound, `up`, or `down` after it was up; undefined when there is no
   * data plane to ask, and the API's own timings move the connection through
   * requested, pending and available.
   */
  portLink(connectionId: string): PortLink | undefined;
  portEncryption(connectionId: string): PortEncryption;
  bgpStatus(virtualInterfaceId: string): 'up' | 'down' | 'unknown';
  /**
   * The logical port of a data-plane LAG (LagDoc.port): `up` while its
   * bundle is (enough members distributing, minimumLinks); undefined when
   * the binding has no such LAG, and the members' states decide.
   */
  lagLink?(lagPort: string): 'up' | 'down' | undefined;
  /**
   * The data-plane LAG a port is a member port of (`lag`, with its member
   * ports), or, given a LAG's own name, that LAG; undefined otherwise. Its
   * members are fixed by the data plane: AssociateConnectionWithLag refuses
   * any other port.
   */
  dataPlaneLag?(name: string): { lag: string; members: readonly string[] } | undefined;
  /**
   * What the data plane needs of the quotas in a region: as many active
   * connections at each location (by location code) as it has ports there,
   * as many LAGs as it has LAGs. The service applies the larger of this and
   * its quota setting (src/aws/directconnect/quotas.ts); absent: the setting.
   */
  quotaNeeds?(region: string): { connectionsAt: Readonly<Record<string, number>>; lags: number };
  /** Pushes committed changes, in order. A failure is logged; the API state stays (it is the truth). */
  apply(changes: readonly DataPlaneChange[]): Promise<void>;
}

/**
 * The locations served without a lab. IAD66 is the blog's location (its
 * create-connection example); EqDC2 is the AWS CLI examples' location, given
 * no MACsec ports here so that V1 can be tried. Device names follow the
 * CLI examples' `EqDC2-123h49s71dabc` form.
 */
export const DEFAULT_LOCATIONS: readonly LocationSpec[] = [
  {
    region: 'us-east-1',
    locationCode: 'IAD66',
    locationName: 'dxlab emulated location IAD66 (MACsec ports)',
    portSpeeds: ['1Gbps', '10Gbps', '100Gbps', '400Gbps'],
    macSecPortSpeeds: ['10Gbps', '100Gbps', '400Gbps'],
    providers: [],
    devices: ['IAD66-2f4qxk1v9m3n', 'IAD66-3b8tzr5c2w7h'],
  },
  {
    region: 'us-east-1',
    locationCode: 'EqDC2',
    locationName: 'dxlab emulated location EqDC2 (no MACsec ports)',
    portSpeeds: ['1Gbps', '10Gbps', '100Gbps'],
    macSecPortSpeeds: [],
    providers: [],
    devices: ['EqDC2-1u2lt8rj6b4y'],
  },
];

/** Options of {@link apiStateOnlyBinding}. */
export interface ApiStateOnlyOptions {
  /** @default DEFAULT_LOCATIONS */
  locations?: readonly LocationSpec[];
}

/**
 * No data plane: connections are API state only. Links are not observed
 * (the API's timings move the states), MKA never secures a port ("Encryption
 * Down"), BGP status is `unknown`, and changes go nowhere.
 */
export function apiStateOnlyBinding(options: ApiStateOnlyOptions = {}): DxPortBinding {
  const locations = options.locations ?? DEFAULT_LOCATIONS;
  return {
    description: 'no lab: connections are API state only',
    locations: (region) => locations.filter((l) => l.region === region),
    placeConnection: (location, _bandwidth, lagDevice) => lagDevice ?? location.devices[0]!,
    portLink: () => undefined,
    portEncryption: () => ({ secured: false }),
    bgpStatus: () => 'unknown',
    apply: async () => {},
  };
}
