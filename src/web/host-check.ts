/**
 * DNS-rebinding protection for the web view: a request is answered only when
 * its `Host` header names this server, that is a loopback name or address,
 * the address (or name) the server was told to bind, or, bound to every
 * address (0.0.0.0, ::), one of this machine's own addresses.
 *
 * Why: a page from anywhere may make the browser resolve its own domain to
 * 127.0.0.1 (DNS rebinding) and then read the lab's page as same-origin; the
 * browser still sends the attacker's domain in `Host`, which is refused
 * here. Jupyter Server does the same by default (its `allow_remote_access`
 * option: "requests get a 403 forbidden response if the 'Host' header shows
 * that the browser thinks it's on a non-local domain ... Local IP addresses
 * (such as 127.0.0.1 and ::1) are allowed as local").
 *
 * Pure: the bind address and the machine's addresses come in as arguments.
 */
import { isIP } from 'node:net';

/** The name part of a `Host` header (RFC 9110 7.2: uri-host [ ":" port ]; an IPv6 literal in brackets), lower case; undefined when malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const h = header.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (v6) return isIP(v6[1]!) === 6 ? v6[1] : undefined;
  const m = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m ? m[1] : undefined;
}

const isLoopbackName = (name: string) => name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);

/**
 * The names a `Host` header may carry for a server bound to `bind`.
 * @param machine this machine's own addresses (os.networkInterfaces()), used when `bind` is a wildcard
 */
export function allowedHosts(bind: string, machine: readonly string[]): Set<string> {
  const b = bind.toLowerCase().replace(/^\[|\]$/g, '');
  const out = new Set<string>(['localhost', '127.0.0.1', '::1', b]);
  if (b === '0.0.0.0' || b === '::' || b === '') for (const a of machine) out.add(a.toLowerCase());
  return out;
}

/** Whether a request's `Host` header names this server (see the module comment). */
export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = hostName(header);
  if (name === undefined) return false;
  return isLoopbackName(name) || allowed.has(name);
}
