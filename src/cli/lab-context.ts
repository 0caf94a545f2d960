/**
 * What the lab verbs share: finding the topology file, the lab and its
 * nodes, asking a node's control socket, and turning lab and node errors
 * into the CLI's (usage: exit 2; failed: exit 1).
 */
import type { Argv } from 'yargs';
import { readdirSync } from 'node:fs';
import { CHECKOUT, LabError, NODE_NAME_RE, checkLabName, listLabs, ownerOf, readLabState, readStateFile, type LabState } from '../lab/index.js';
import { NodeError, controlRequest } from '../node/index.js';
import { CliError } from './errors.js';

export function wrap(e: unknown): never {
  if (e instanceof LabError) throw new CliError(['badName', 'badKey', 'exists', 'topology', 'notFound', 'kindRule'].includes(e.code) ? 'usage' : 'failed', e.message, { cause: e });
  if (e instanceof NodeError) throw new CliError(e.code === 'device' || e.code === 'timeout' ? 'failed' : 'usage', e.message, { cause: e });
  throw e;
}

/** The topology file: the positional, -t/--topo, or the one *.yaml in the current folder. */
export function topologyPath(a: { topology?: string; topo?: string }): string {
  const given = a.topology ?? a.topo;
  if (given) return given;
  const here = readdirSync('.').filter((f) => /\.ya?ml$/.test(f) && f !== 'docker-compose.yml');
  if (here.length === 1) return here[0]!;
  throw new CliError('usage', here.length ? `several *.yaml here (${here.join(', ')}): name one, e.g. dxlab up topologies/router-dx.yaml` : 'no topology: give one, e.g. dxlab up topologies/router-dx.yaml');
}

/**
 * The lab: the name given (checked with the rule `up` uses, before anything
 * is touched), or the only one running. With `own`, as for `down`, the only
 * one running is taken only when its state says this user started it from
 * this checkout: on a shared machine it may be someone else's.
 * @throws CliError('usage') for a bad name, or when no lab (or not exactly
 *   one of ours) runs.
 */
export function labName(a: { name?: string; lab?: string }, o: { own?: boolean } = {}): string {
  const n = a.lab ?? a.name;
  if (n !== undefined) {
    try {
      checkLabName(n);
    } catch (e) {
      return wrap(e);
    }
    return n;
  }
  const labs = listLabs();
  if (labs.length > 1) throw new CliError('usage', `several labs run (${labs.join(', ')}): name one, e.g. --name ${labs[0]}`);
  if (!labs.length) throw new CliError('usage', 'no lab is running (dxlab up TOPOLOGY)');
  const only = labs[0]!;
  if (o.own) {
    const st = readStateFile(only);
    const owner = st.status === 'ok' ? ownerOf(st.value) : undefined;
    const uid = process.getuid?.() ?? -1;
    if (!owner || owner.uid !== uid || owner.checkout !== CHECKOUT) {
      const who = owner ? `uid ${owner.uid} from ${owner.checkout}` : 'someone (its state names no owner)';
      throw new CliError('usage', `the only lab, ${only}, was started by ${who}, not by uid ${uid} from ${CHECKOUT}: name it to remove it (dxlab down ${only})`);
    }
  }
  return only;
}

export function labState(a: { name?: string; lab?: string }): LabState {
  const name = labName(a);
  let s: LabState | undefined;
  try {
    s = readLabState(name);
  } catch (e) {
    return wrap(e);
  }
  if (!s) throw new CliError('usage', `no lab named '${name}'`);
  return s;
}

/** A node of the lab, by a name checked with the topology's rule. */
export function nodeOf(s: LabState, node: string) {
  if (!NODE_NAME_RE.test(node)) throw new CliError('usage', `node name '${node}': a lower-case letter, then up to 11 letters and digits (nodes of lab ${s.lab}: ${s.nodes.map((x) => x.name).join(', ')})`);
  const n = s.nodes.find((x) => x.name === node);
  if (!n) throw new CliError('usage', `no node '${node}' in lab ${s.lab} (nodes: ${s.nodes.map((x) => x.name).join(', ')})`);
  return n;
}

/** One control request; `node` names the node in a timeout's message. @throws CliError */
export async function ask(socket: string, req: Record<string, unknown>, node?: string): Promise<unknown> {
  try {
    return (await controlRequest(socket, req, undefined, node ? { node } : {})).result;
  } catch (e) {
    return wrap(e);
  }
}

export const nameOpt = (y: Argv) => y.option('name', { type: 'string', describe: 'lab name (default: the only running lab)' });
