/**
 * A lab across several hosts: which part of a topology lives on a host, and
 * the VXLAN tunnel (RFC 7348) that carries each link whose two ends live on
 * different hosts. Pure: the tunnel's parameters, the MTU its underlay
 * needs, the part of the topology `dxlab up --on-host HOST` brings up.
 * links/vxlan.ts makes the devices.
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { LabError } from './errors.js';
import type { Endpoint, TopoHost, TopoLink, Topology } from './topology.js';

/** The UDP destination port IANA assigned to VXLAN (RFC 7348 §5, "Destination Port"). */
export const VXLAN_UDP_PORT = 4789;

/**
 * What VXLAN adds to a frame on the underlay's IP MTU: the inner Ethernet
 * header (14; its FCS is not carried), the VXLAN header (8), UDP (8) and the
 * outer IP header (20 for IPv4, 40 for IPv6) (RFC 7348 §5, the frame format;
 * §4.3: "VTEPs MUST NOT fragment VXLAN packets", so the underlay must carry
 * them whole; "it is RECOMMENDED that the MTUs ... across the physical network
 * infrastructure be set to a value that accommodates the larger frame
 * size"). The same count in interfaces-vxlan(5) of ifupdown-ng: "50 bytes
 * ... (inner Ethernet header + VXLAN + UDP + IP)"; 70 over IPv6 as
 * MikroTik's VXLAN manual gives it.
 */
export const VXLAN_OVERHEAD = { ipv4: 50, ipv6: 70 } as const;

/** The largest VNI: 24 bits (RFC 7348 §5, "VXLAN Network Identifier"). */
export const VNI_MAX = 0xffffff;

/** How a link between two hosts is carried: one end's view of its tunnel. */
export interface VxlanTunnel {
  vni: number;
  /** This host's underlay address, the tunnel's source. */
  local: string;
  /** The other host's underlay address. */
  remote: string;
  /** The other end's host. */
  remoteHost: string;
  port: number;
}

/**
 * A link's VNI: the topology's, else 24 bits of a hash of the lab's name and
 * the link's endpoints, so that every host derives the same one from the
 * same topology and lab name (`--name` must be the same on every host), and
 * two labs between the same hosts get different ones. 0 is avoided.
 */
export function linkVni(lab: string, link: Pick<TopoLink, 'a' | 'b' | 'vni'>): number {
  if (link.vni !== undefined) return link.vni;
  const h = createHash('sha256').update(`vxlan ${lab} ${link.a.node}:${link.a.port} ${link.b.node}:${link.b.port}`).digest();
  return h.readUIntBE(0, 3) || 1;
}

/** The underlay's address family, which sets VXLAN's overhead. */
export function underlayFamily(address: string): 'ipv4' | 'ipv6' {
  return isIPv6(address) ? 'ipv6' : 'ipv4';
}

/**
 * The IP MTU the underlay needs to carry a wire of `wireMtu` whole: the wire
 * MTU (the TAP's MTU plus MACsec's SecTAG with SCI and ICV, 32, plus one
 * 802.1Q tag, 4) plus VXLAN's overhead (50 over IPv4, 70 over IPv6).
 */
export function underlayMtuNeeded(wireMtu: number, family: 'ipv4' | 'ipv6'): number {
  return wireMtu + VXLAN_OVERHEAD[family];
}

/**
 * The warning `up` gives when the underlay's MTU is short of what a link
 * needs, naming the numbers; undefined when it is enough. The kernel's
 * vxlan device (with no `dev`, DF not set) then fragments the outer IP
 * packets, which RFC 7348 §4.3 says a VTEP MUST NOT do and a receiving one
 * MAY drop.
 */
export function underlayMtuWarning(link: string, iface: string, underlayMtu: number, wireMtu: number, family: 'ipv4' | 'ipv6'): string | undefined {
  const need = underlayMtuNeeded(wireMtu, family);
  if (underlayMtu >= need) return undefined;
  return `link ${link}: the underlay ${iface} has MTU ${underlayMtu}, short of ${need} (wire MTU ${wireMtu}, with MACsec 32 and a VLAN tag 4, + VXLAN ${VXLAN_OVERHEAD[family]} over ${family === 'ipv4' ? 'IPv4' : 'IPv6'}, RFC 7348): the kernel fragments the tunnel's packets; raise the underlay's MTU to ${need}`;
}

/** The part of a topology on one host: its nodes, and per link whether it is local, crosses to another host, or is elsewhere. */
export interface HostPart {
  host: string;
  /** The nodes on this host. */
  nodes: Set<string>;
  /** Each link with an end on this host: `tunnel` when its other end is on another host. */
  links: Array<{ link: TopoLink; tunnel?: VxlanTunnel }>;
}

/**
 * The part of `topo` that `dxlab up --on-host HOST` brings up; without
 * hosts in the topology and no host asked, all of it.
 * @throws LabError('topology') for a host the topology does not name, a host
 *   asked of a topology without hosts or none of one with hosts, and two
 *   links to one host on one VNI.
 */
export function hostPart(topo: Topology, lab: string, host: string | undefined): HostPart | undefined {
  const hosts = topo.hosts ?? {};
  const names = Object.keys(hosts);
  if (host === undefined) {
    if (names.length) throw new LabError('topology', `${topo.file}: its nodes live on hosts ${names.join(', ')}: bring up each host's part there with --on-host HOST`);
    return undefined;
  }
  if (!names.length) throw new LabError('topology', `--on-host ${host}: ${topo.file} names no hosts (topology.hosts): it runs on one host, without --on-host`);
  if (!hosts[host]) throw new LabError('topology', `--on-host ${host}: ${topo.file} has no host '${host}' (hosts: ${names.join(', ')})`);
  const hostOf = new Map(topo.nodes.map((n) => [n.name, n.host!]));
  const nodes = new Set(topo.nodes.filter((n) => n.host === host).map((n) => n.name));
  const links: HostPart['links'] = [];
  for (const l of topo.links) {
    const [ha, hb] = [hostOf.get(l.a.node)!, hostOf.get(l.b.node)!];
    if (ha !== host && hb !== host) continue;
    if (ha === hb) {
      links.push({ link: l });
      continue;
    }
    const remoteHost = ha === host ? hb : ha;
    links.push({ link: l, tunnel: { vni: linkVni(lab, l), local: hosts[host]!.underlay.address, remote: hosts[remoteHost]!.underlay.address, remoteHost, port: VXLAN_UDP_PORT } });
  }
  // A VNI names one segment between two underlay addresses: two links on one would hear each other's frames.
  const seen = new Map<string, TopoLink>();
  for (const { link, tunnel } of links) {
    if (!tunnel) continue;
    const key = `${tunnel.remote} ${tunnel.vni}`;
    const other = seen.get(key);
    if (other) throw new LabError('topology', `links ${other.index} and ${link.index} to host ${tunnel.remoteHost} have one VNI, ${tunnel.vni}: give one of them its own (vni:)`);
    seen.set(key, link);
  }
  return { host, nodes, links };
}

/**
 * Checks of a topology's hosts that only the whole topology shows: every
 * node on a named host, a link across hosts neither in-path nor a LAG
 * member, one address family per tunnel, each given VNI once.
 * @param fail throws LabError('topology') naming the YAML path.
 */
export function checkHosts(hosts: Record<string, TopoHost> | undefined, nodes: Topology['nodes'], links: TopoLink[], fail: (path: Array<string | number>, msg: string) => never): void {
  const names = Object.keys(hosts ?? {});
  for (const n of nodes) {
    if (n.host !== undefined && !names.length) fail(['topology', 'nodes', n.name, 'host'], `host ${n.host}: the topology names no hosts (topology.hosts)`);
    if (n.host !== undefined && !names.includes(n.host)) fail(['topology', 'nodes', n.name, 'host'], `no host named '${n.host}' (hosts: ${names.join(', ')})`);
    if (n.host === undefined && names.length) fail(['topology', 'nodes', n.name], `missing field 'host': a topology with hosts places every node on one (${names.join(', ')})`);
  }
  const addresses = new Map<string, string>();
  for (const [h, v] of Object.entries(hosts ?? {})) {
    const a = v.underlay.address.toLowerCase();
    if (addresses.has(a)) fail(['topology', 'hosts', h, 'underlay', 'address'], `${v.underlay.address} is host ${addresses.get(a)}'s underlay address already`);
    addresses.set(a, h);
  }
  const hostOf = (e: Endpoint | string) => nodes.find((n) => n.name === (typeof e === 'string' ? e : e.node))?.host;
  const vnis = new Map<number, number>();
  for (const l of links) {
    const across = hostOf(l.a) !== hostOf(l.b);
    if (l.vni !== undefined && !across) fail(['topology', 'links', l.index, 'vni'], `${l.a.node} and ${l.b.node} are on one host: a VNI belongs to a link between hosts`);
    if (!across) {
      for (const [j, v] of (l.via ?? []).entries()) if (hostOf(v) !== hostOf(l.a)) fail(['topology', 'links', l.index, 'via', j], `node ${v} is on host ${hostOf(v)}, the link's ends on ${hostOf(l.a)}: an in-path node lives with the link's ends`);
      continue;
    }
    if (l.via?.length) fail(['topology', 'links', l.index, 'via'], `a link between hosts (${hostOf(l.a)}, ${hostOf(l.b)}) runs in one VXLAN tunnel: it has no in-path nodes`);
    if (l.lag !== undefined) fail(['topology', 'links', l.index], `LAG ${l.lag}: its members join nodes on hosts ${hostOf(l.a)} and ${hostOf(l.b)}; a LAG between hosts is not supported`);
    const [fa, fb] = [hostOf(l.a)!, hostOf(l.b)!].map((h) => underlayFamily(hosts![h]!.underlay.address));
    if (fa !== fb) fail(['topology', 'links', l.index], `hosts ${hostOf(l.a)} and ${hostOf(l.b)} have underlay addresses of different families (${fa}, ${fb}): a tunnel runs over one`);
    if (l.vni !== undefined) {
      if (vnis.has(l.vni)) fail(['topology', 'links', l.index, 'vni'], `VNI ${l.vni} is link ${vnis.get(l.vni)}'s already`);
      vnis.set(l.vni, l.index);
    }
  }
}
