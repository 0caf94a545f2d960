/**
 * Every path and host name a lab uses, in one place: namespaces
 * `dxlab-<lab>-<node>`, a state folder per lab, short interface names (at
 * most 15 characters) derived from the lab's name.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Root of the labs' state folders. Override with DXLAB_STATE_DIR. */
export function stateRoot(): string {
  return process.env.DXLAB_STATE_DIR ?? '/run/dxlab';
}

export function labDir(lab: string): string {
  return join(stateRoot(), lab);
}

export function stateFile(lab: string): string {
  return join(labDir(lab), 'state.json');
}

export function netnsName(lab: string, node: string): string {
  return `dxlab-${lab}-${node}`;
}

/**
 * A short, stable interface name: a prefix, 6 hex digits of the lab's name
 * hash, and a suffix. Interface names are limited to 15 characters
 * (IFNAMSIZ 16 with the NUL); the full lab/node/port name goes into the
 * interface's alias (ifalias) and the state file.
 */
export function ifName(lab: string, prefix: string, suffix: string): string {
  const h = createHash('sha256').update(lab).digest('hex').slice(0, 6);
  const n = `${prefix}${h}${suffix}`;
  if (n.length > 15) throw new RangeError(`interface name ${n} longer than 15 characters`);
  return n;
}

/**
 * A stable, locally administered MAC address for something of a lab (a TAP):
 * a node restarted with the same configuration keeps its address, so its
 * peer's ARP cache stays right.
 */
export function stableMac(lab: string, what: string): string {
  return `02:${createHash('sha256').update(`${lab}/${what}`).digest('hex').slice(0, 10).match(/../g)!.join(':')}`;
}

/** Lab names become parts of namespace and file names. */
export const LAB_NAME_RE = /^[a-z0-9][a-z0-9-]{0,23}$/;
