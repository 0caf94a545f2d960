/**
 * A running lab seen as a Direct Connect location: every port of every
 * dx-device node is a port of the location its node names (`location:`,
 * default IAD66), at the node's speed (`speed:` 10G, 100G or 400G, default
 * 10G: the connection bandwidth 10Gbps ...). A port on a link with
 * `connection: none` is free for CreateConnection; any other starts as a
 * connection with the mode and key chain its node runs (read from the node's
 * configuration and the lab's root-only key file, the only place a CAK is).
 *
 * Pure of I/O but for the reads it is handed (`readText`), so that unit
 * tests build a plan from a state and files of their own.
 */
import { join } from 'node:path';
import { parseKeyFile } from '../../shared/key-file.js';
import { DEFAULT_DX_LOCATION, DEFAULT_DX_SPEED, type LabState } from '../../lab/index.js';
import type { EncryptionMode, LocationSpec } from '../binding.js';
import { DEFAULT_REGION } from '../constants.js';

/** One DX port of the lab. */
export interface LabPort {
  /** `node:port`, the binding's name of the port. */
  id: string;
  node: string;
  port: string;
  /** The node's control socket. */
  socket: string;
  netns: string;
  /** The port's wire (veth end) in the node's namespace. */
  wire: string;
  location: string;
  /** AWS's spelling: 10Gbps, 100Gbps, 400Gbps. */
  bandwidth: string;
  /** The `awsDevice` a connection on it shows: `<location>-<node>`. */
  device: string;
  /** Free for CreateConnection (`connection: none`); else the connection it starts as. */
  free: boolean;
  /** What its node runs, for a port that starts as a connection (absent: a plain port, no MACsec). */
  macsec?: { mode: EncryptionMode; keyChain: Array<{ ckn: string; cak: string }> };
  /** The topology's VIFs on this port with an IPv4 BGP session: private VIFs of its connection. */
  vifs: LabVif[];
  /** The lab LAG (`node:LAG`) it is a member port of, if any: its connection is a member of that LAG's API LAG. */
  lag?: string;
}

/**
 * A LAG of the topology on a DX device (`lags:`, src/lab/lags.ts): an API
 * LAG whose member connections are its member ports. Its MACsec is the
 * topology's one `macsec:` block of the LAG, which every member runs.
 */
export interface LabLag {
  /** `node:LAG`, the binding's name of the LAG. */
  id: string;
  node: string;
  /** The LAG's name on the node (its logical port). */
  name: string;
  socket: string;
  /** Member port ids (`node:port`), in member order. */
  members: string[];
  location: string;
  bandwidth: string;
  device: string;
  minimumLinks: number;
  /** What every member runs (absent: no MACsec). */
  macsec?: { mode: EncryptionMode; keyChain: Array<{ ckn: string; cak: string }> };
  /** The topology's VIFs over the LAG: private VIFs of the API LAG. */
  vifs: LabVif[];
}

/** A topology VIF on a DX port, as the API shows it. */
export interface LabVif {
  /** The topology's name of the VIF. */
  name: string;
  /** Its TAP on the DX node. */
  tap: string;
  vlan: number;
  mtu: number;
  /** With prefix length, as AWS writes them. */
  amazonAddress: string;
  customerAddress: string;
  amazonSideAsn: number;
  customerAsn: number;
  authKey?: string;
}

interface BgpSession {
  localAsn?: number;
  peerAsn?: number;
  peerAddress?: string;
  localAddress?: string;
  md5Key?: string;
}
interface TapFile {
  name: string;
  vlan?: number;
  mtu?: number;
  addresses?: string[];
  bgp?: BgpSession | BgpSession[];
}

/** The IPv4 BGP session of a DX node's TAP made into a private VIF, when it has one and a VLAN (AWS VIFs are tagged). */
function labVif(t: TapFile, vifName: string | undefined): LabVif | undefined {
  const sessions = Array.isArray(t.bgp) ? t.bgp : t.bgp ? [t.bgp] : [];
  const s = sessions.find((x) => x.peerAddress !== undefined && !x.peerAddress.includes(':'));
  const local = t.addresses?.find((a) => !a.includes(':'));
  if (!s || !local || t.vlan === undefined || s.localAsn === undefined || s.peerAsn === undefined) return undefined;
  const prefix = local.split('/')[1] ?? '30';
  return {
    name: vifName ?? t.name,
    tap: t.name,
    vlan: t.vlan,
    mtu: t.mtu ?? 1500,
    amazonAddress: local,
    customerAddress: `${s.peerAddress}/${prefix}`,
    amazonSideAsn: s.localAsn,
    customerAsn: s.peerAsn,
    ...(s.md5Key !== undefined && { authKey: s.md5Key }),
  };
}

export interface LabPlan {
  lab: string;
  region: string;
  locations: LocationSpec[];
  ports: LabPort[];
  lags: LabLag[];
}

/**
 * What a lab needs of Direct Connect's quotas (DxPortBinding.quotaNeeds):
 * every DX port at a location can be a connection (seeded, or a free port a
 * CreateConnection takes), and every lab LAG is an API LAG. The account a
 * lab stands for is one whose quotas AWS raised to hold its ports, as it
 * does on request (limits.html): `npm run bench:scale` seeds 64 connections
 * at one location, past the default 10. Seeded connections are not exempt
 * from the count: they count, and the quota is raised to hold them, so that
 * what DescribeConnections lists stays within what the quota allows.
 */
export function labQuotaNeeds(plan: Pick<LabPlan, 'region' | 'ports' | 'lags'>, region: string): { connectionsAt: Record<string, number>; lags: number } {
  const connectionsAt: Record<string, number> = {};
  if (region !== plan.region) return { connectionsAt, lags: 0 };
  for (const p of plan.ports) connectionsAt[p.location] = (connectionsAt[p.location] ?? 0) + 1;
  return { connectionsAt, lags: plan.lags.length };
}

/** The node speed of a topology, as AWS writes a connection's bandwidth. */
export function bandwidthOf(speed: string): string {
  return `${speed.replace(/G$/, '')}Gbps`;
}

/** The device name of a DX node at a location, in the form of AWS's `awsDevice` (`EqDC2-123h49s71dabc`). */
export function deviceName(location: string, node: string): string {
  return `${location}-${node}`;
}

interface NodeConfigFile {
  ports?: Array<{ name: string; taps?: TapFile[]; macsec?: { mode?: EncryptionMode; keyFile?: string; keyChain?: Array<{ ckn: string; cak: string }> } }>;
  lags?: Array<{ name: string; members: string[]; minimumLinks?: number; taps?: TapFile[] }>;
}

/**
 * The plan of a lab from its state.
 * @param readText reads a file of the lab (node configurations, key files).
 * @throws Error naming the file when a node configuration or key file cannot be read.
 */
export function labPlan(state: LabState, readText: (path: string) => string, region = DEFAULT_REGION): LabPlan {
  const ports: LabPort[] = [];
  const lags: LabLag[] = [];
  const locations = new Map<string, LocationSpec>();
  for (const n of state.nodes) {
    if (n.kind !== 'dx-device') continue;
    const location = typeof n.options?.location === 'string' ? n.options.location : DEFAULT_DX_LOCATION;
    const bandwidth = bandwidthOf(typeof n.options?.speed === 'string' ? n.options.speed : DEFAULT_DX_SPEED);
    const device = deviceName(location, n.name);
    let config: NodeConfigFile;
    try {
      config = JSON.parse(readText(n.config)) as NodeConfigFile;
    } catch (e) {
      throw new Error(`${n.config}: cannot read node ${n.name}'s configuration: ${(e as Error).message}`, { cause: e });
    }
    const loc = locations.get(location) ?? {
      region,
      locationCode: location,
      locationName: `dxlab lab ${state.lab} (${location})`,
      portSpeeds: [],
      macSecPortSpeeds: [],
      providers: [],
      devices: [],
    };
    locations.set(location, loc);
    if (!loc.devices.includes(device)) (loc.devices as string[]).push(device);
    if (!loc.portSpeeds.includes(bandwidth)) (loc.portSpeeds as string[]).push(bandwidth);
    for (const [port, wire] of Object.entries(n.wires).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
      const id = `${n.name}:${port}`;
      const link = state.links.find((l) => l.a === id || l.b === id);
      const pc = config.ports?.find((p) => p.name === port);
      const free = link?.connection === 'none';
      let macsec: LabPort['macsec'];
      if (pc?.macsec && !free) {
        let keyChain = pc.macsec.keyChain ?? [];
        if (pc.macsec.keyFile !== undefined) {
          const file = pc.macsec.keyFile.startsWith('/') ? pc.macsec.keyFile : join(state.nodes.find((x) => x.name === n.name)!.config, '..', pc.macsec.keyFile);
          keyChain = parseKeyFile(readText(file), file).cas.map((c) => ({ ckn: c.ckn, cak: c.cak }));
        }
        macsec = { mode: pc.macsec.mode ?? 'should_encrypt', keyChain };
      }
      // A MACsec port (seeded with MACsec, or free: every free port is MACsec-capable) counts for V1.
      if ((macsec || free) && !loc.macSecPortSpeeds.includes(bandwidth)) (loc.macSecPortSpeeds as string[]).push(bandwidth);
      const vifs = free ? [] : (pc?.taps ?? []).flatMap((t) => labVif(t, n.taps.find((x) => x.name === t.name)?.vif) ?? []);
      const lag = config.lags?.find((l) => l.members.includes(port));
      ports.push({ id, node: n.name, port, socket: n.socket, netns: n.netns, wire, location, bandwidth, device, free, ...(macsec ? { macsec } : {}), vifs, ...(lag && { lag: `${n.name}:${lag.name}` }) });
    }
    for (const l of config.lags ?? []) {
      const id = `${n.name}:${l.name}`;
      const members = ports.filter((p) => p.lag === id);
      // One macsec block for the LAG (lags.ts): every member runs it, the first one says what it is.
      const macsec = members[0]?.macsec;
      const vifs = (l.taps ?? []).flatMap((t) => labVif(t, n.taps.find((x) => x.name === t.name)?.vif) ?? []);
      lags.push({ id, node: n.name, name: l.name, socket: n.socket, members: members.map((p) => p.id), location, bandwidth, device, minimumLinks: l.minimumLinks ?? 0, ...(macsec && { macsec }), vifs });
    }
  }
  return { lab: state.lab, region, locations: [...locations.values()], ports, lags };
}
