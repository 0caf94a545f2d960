/**
 * The wiring step of a Compose lab (compose-file.ts), run inside the node
 * image by its one-shot `wire-K` services (`dxlab compose-wire`): a veth pair
 * between two containers' network namespaces, as containerlab wires its
 * nodes, never a Docker network (a Linux bridge drops EAPOL).
 *
 * `create` runs in the first end's namespace and the second end's PID
 * namespace: it makes the pair with the peer put straight into the
 * namespace of a process it sees there (`ip link add ... peer ... netns
 * PID`, IFLA_NET_NS_PID), and sets its own end up. `end` runs in the second
 * end's namespace and sets that end up: the kernel refuses to bring a veth's
 * peer up in the request that creates it in another namespace (it answers
 * ENOTCONN), so each end is set up from its own namespace, with NET_ADMIN
 * only.
 *
 * Each end is the node's uncontrolled port, as links/veth.ts makes it in a
 * lab: no ARP (`arp off`), and no IPv6 of the namespace's own on it. A lab
 * writes disable_ipv6 for the wire; a container's /proc/sys is read-only,
 * so here the end gets `addrgenmode none` before it goes up instead: no
 * link-local address, hence no duplicate address detection, router
 * solicitation or MLD report in the clear on the wire.
 */
import { existsSync } from 'node:fs';
import { LabError } from '../errors.js';
import { ip } from '../host.js';

const WIRE_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/;
const MAC_RE = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

export interface WireEndArgs {
  wire: string;
  alias: string;
}

export interface WireCreateArgs extends WireEndArgs {
  mac: string;
  mtu: number;
  /** A process in the peer's network namespace, as this process sees it (PID 1 of the peer's holder). */
  peerPid: number;
  peerWire: string;
  peerMac: string;
}

/** @throws LabError('badRequest') naming the first bad field. */
export function checkWireArgs(a: Partial<WireCreateArgs> & WireEndArgs, create: boolean): void {
  const bad = (field: string, why: string): never => {
    throw new LabError('badRequest', `compose-wire: --${field}: ${why}`);
  };
  const wire = (field: string, v: unknown) => (typeof v === 'string' && WIRE_RE.test(v) ? v : bad(field, `an interface name of 1 to 15 letters, digits, '.', '_' or '-', got '${String(v)}'`));
  wire('wire', a.wire);
  if (typeof a.alias !== 'string' || !/^[ -~]{1,128}$/.test(a.alias)) bad('alias', '1 to 128 printable ASCII characters');
  if (!create) return;
  wire('peer-wire', a.peerWire);
  for (const [field, v] of [['mac', a.mac], ['peer-mac', a.peerMac]] as const) if (typeof v !== 'string' || !MAC_RE.test(v)) bad(field, `a MAC address as 02:00:00:00:00:01, got '${String(v)}'`);
  if (!Number.isInteger(a.mtu) || a.mtu! < 68 || a.mtu! > 65535) bad('mtu', `an integer 68..65535, got ${a.mtu}`);
  if (!Number.isInteger(a.peerPid) || a.peerPid! < 1) bad('peer-pid', `a process ID, got ${a.peerPid}`);
}

/** Sets a wire end up as the node's uncontrolled port: alias, no IPv6 address, no ARP. */
function setUp(wire: string, alias: string): void {
  ip('link', 'set', 'dev', wire, 'alias', alias);
  ip('link', 'set', 'dev', wire, 'addrgenmode', 'none');
  ip('link', 'set', 'dev', wire, 'arp', 'off', 'up');
}

/**
 * This end as an earlier run of the same `wire-K` service made it: a veth
 * with the MAC address and MTU the service asks for, its peer in another
 * namespace. A second `compose up` without `down` starts the completed
 * one-shot services again while the holders, and so their namespaces and
 * the pair, still stand; anything else by that name is not ours to take.
 */
function madeEarlier(a: WireCreateArgs): boolean {
  let link: { address?: string; mtu?: number; link_netnsid?: number; linkinfo?: { info_kind?: string } } | undefined;
  try {
    [link] = JSON.parse(ip('-j', '-d', 'link', 'show', 'dev', a.wire)) as Array<NonNullable<typeof link>>;
  } catch {
    return false;
  }
  return link?.linkinfo?.info_kind === 'veth' && link.address === a.mac && link.mtu === a.mtu && link.link_netnsid !== undefined;
}

/**
 * `compose-wire create`: the pair, this end in this namespace (up), the peer
 * in the namespace of `peerPid` (down). When the pair stands already from an
 * earlier run (madeEarlier), this end is set up again and nothing is made.
 */
export function createWire(a: WireCreateArgs): void {
  checkWireArgs(a, true);
  if (existsSync(`/sys/class/net/${a.wire}`)) {
    if (!madeEarlier(a)) throw new LabError('exists', `compose-wire: ${a.wire} exists already in this namespace and is not the veth this service makes (MAC ${a.mac}, MTU ${a.mtu}, peer in another namespace)`);
    setUp(a.wire, a.alias);
    return;
  }
  ip('link', 'add', a.wire, 'mtu', String(a.mtu), 'address', a.mac, 'type', 'veth', 'peer', 'name', a.peerWire, 'mtu', String(a.mtu), 'address', a.peerMac, 'netns', String(a.peerPid));
  setUp(a.wire, a.alias);
}

/** `compose-wire end`: the peer end `create` put in this namespace, set up. */
export function setUpWireEnd(a: WireEndArgs): void {
  checkWireArgs(a, false);
  if (!existsSync(`/sys/class/net/${a.wire}`)) throw new LabError('host', `compose-wire: no interface ${a.wire} in this namespace (its wire-K service makes it first)`);
  setUp(a.wire, a.alias);
}
