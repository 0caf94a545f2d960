/**
 * One end of a link between hosts: a kernel vxlan device (RFC 7348; Linux
 * Documentation/networking/vxlan.rst) as the node's wire, carrying the
 * link's frames, MKPDUs and MACsec alike, in UDP to the other host's
 * underlay address. It is made from this host's namespace straight into
 * the node's (`ip link add NAME netns NS ...`): the device keeps its UDP
 * socket in the namespace `ip` ran in, so the node's namespace needs no
 * address or route on the underlay (test/integration/two-hosts.test.ts
 * runs so), and the device goes with the node's namespace at `down`.
 *
 * Not a link type of the registry (index.ts): a topology does not ask for
 * it with `type:`; a link is carried this way when its ends live on
 * different hosts (hosts.ts).
 */
import { ip, run } from '../host.js';
import { LabError } from '../errors.js';
import type { VxlanTunnel } from '../hosts.js';
import type { WireEnd } from './types.js';

/**
 * Makes this host's end of a tunnel as `end` (named, in its node's
 * namespace, with its MAC), with the wire's MTU, up.
 * @throws LabError('host') naming the `ip` command that failed.
 */
export function addVxlanEnd(end: WireEnd, t: VxlanTunnel, mtu: number): void {
  // No `dev`: the kernel would refuse a wire MTU above the underlay's less
  // the overhead; `up` warns about a short underlay instead (hosts.ts).
  // nolearning: one peer, the remote address, for every frame.
  ip('link', 'add', end.name, 'netns', end.ns, 'address', end.mac, 'mtu', String(mtu), 'type', 'vxlan', 'id', String(t.vni), 'local', t.local, 'remote', t.remote, 'dstport', String(t.port), 'nolearning');
  ip('-n', end.ns, 'link', 'set', 'dev', end.name, 'alias', end.alias);
  // As a veth wire (host.ts addVeth): the node's alone, no IPv6 or ARP of the namespace's kernel on it.
  run('ip', ['netns', 'exec', end.ns, 'sysctl', '-qw', `net.ipv6.conf.${end.name}.disable_ipv6=1`]);
  ip('-n', end.ns, 'link', 'set', 'dev', end.name, 'arp', 'off', 'up');
}

/**
 * The interface holding an underlay address on this host, and its MTU.
 * @throws LabError('topology') when no interface here holds it: the host's
 *   underlay address in the topology is not this host's.
 */
export function underlayInterface(address: string, named: string | undefined, at: string): { name: string; mtu: number } {
  const links = JSON.parse(ip('-j', 'addr', 'show')) as Array<{ ifname: string; mtu: number; addr_info?: Array<{ local?: string }> }>;
  const holder = links.find((l) => (l.addr_info ?? []).some((a) => a.local?.toLowerCase() === address.toLowerCase()));
  if (!holder) throw new LabError('topology', `${at}.address: ${address} is on no interface of this host: is this host the one the topology names?`);
  if (named !== undefined && holder.ifname !== named) throw new LabError('topology', `${at}.interface: ${named}, but ${address} is on ${holder.ifname}`);
  return { name: holder.ifname, mtu: holder.mtu };
}
