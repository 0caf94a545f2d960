/**
 * Every path and host name a lab uses, in one place: namespaces
 * `dxlab-<lab>-<node>`, a state folder per lab, short interface names (at
 * most 15 characters) derived from the lab's name.
 *
 * A lab's name becomes part of a folder name, of namespace names and of the
 * processes `down` stops, so every path here is built only from a name that
 * passed LAB_NAME_RE: `../x`, `/etc` or `a/b` never reach join().
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from './errors.js';

/** Lab names become parts of namespace and file names. */
export const LAB_NAME_RE = /^[a-z0-9][a-z0-9-]{0,23}$/;

/**
 * The checkout this dxlab runs from (the folder holding bin/ and src/ or
 * dist/), recorded in a lab's state so that `down` without a name touches
 * only a lab started from here.
 */
export const CHECKOUT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * @throws LabError('badName') unless `lab` is 1 to 24 lower-case letters,
 *   digits and dashes, starting with a letter or digit.
 */
export function checkLabName(lab: string): void {
  if (!LAB_NAME_RE.test(lab)) throw new LabError('badName', `lab name '${lab}': use 1 to 24 lower-case letters, digits and dashes, starting with a letter or digit`);
}

/** Root of the labs' state folders, absolute. Override with DXLAB_STATE_DIR. */
/** The Docker engine of the docker runtime (docker/engine.ts labDockerHost checks it): DXLAB_DOCKER_HOST. */
export function dockerHostSetting(): string | undefined {
  return process.env.DXLAB_DOCKER_HOST || undefined;
}

export function stateRoot(): string {
  return resolve(process.env.DXLAB_STATE_DIR || '/run/dxlab');
}

/**
 * Where guest images for VM nodes are cached, outside any clone, so that a
 * machine builds each once. Override with DXLAB_IMAGE_CACHE.
 */
export function imageCacheRoot(): string {
  return resolve(process.env.DXLAB_IMAGE_CACHE || '/var/cache/dxlab/images');
}

/**
 * The lab's state folder.
 * @throws LabError('badName') for a name that is not a lab name.
 */
export function labDir(lab: string): string {
  checkLabName(lab);
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

/**
 * A wire end's MAC address (its veth), stable per lab and wire name: a
 * node's SCI is its wire's MAC and port 1, so the lab knows each peer's SCI
 * before any node starts (a link's static SAs name it, as `ip macsec add
 * ... rx address MAC port 1` does).
 */
export function wireMac(lab: string, wire: string): string {
  return stableMac(lab, `wire ${wire}`);
}

/**
 * The files a lab keeps in its state folder, the only ones `down` removes
 * there: the state file, per node `<node>.<what>` (its configuration, log,
 * control socket, key file), and the temporary files of an atomic write
 * (`.<file>.<pid>.<random>.tmp`, state-dir.ts) a kill -9 can leave. Node
 * names follow NODE_NAME_RE (topology.ts): a lower-case letter, then letters
 * and digits. Anything else found there (a subfolder, a file a user put
 * there) stays, and so does the folder.
 */
export const LAB_FILE_RE = /^(?:state\.json|[a-z][a-z0-9]{0,11}\.[a-z0-9.-]{1,32}|\.(?:state|[a-z][a-z0-9]{0,11})\.[a-z0-9.-]{1,60}\.tmp)$/;
