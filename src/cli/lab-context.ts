/**
 * What the lab verbs share: finding the topology file, the lab and its
 * nodes, asking a node's control socket, and turning lab and node errors
 * into the CLI's (usage: exit 2; failed: exit 1).
 */
import type { Argv } from 'yargs';
import { readdirSync } from 'node:fs';
import { LabError, listLabs, readLabState, type LabState } from '../lab/index.js';
import { NodeError, controlRequest } from '../node/index.js';
import { CliError } from './errors.js';

export function wrap(e: unknown): never {
  if (e instanceof LabError) throw new CliError(['badName', 'exists', 'topology', 'notFound'].includes(e.code) ? 'usage' : 'failed', e.message, { cause: e });
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

/** The lab: --name, or the only one running. */
export function labName(a: { name?: string; lab?: string }): string {
  const n = a.lab ?? a.name;
  if (n) return n;
  const labs = listLabs();
  if (labs.length === 1) return labs[0]!;
  throw new CliError('usage', labs.length ? `several labs run (${labs.join(', ')}): give --name` : 'no lab is running (dxlab up TOPOLOGY)');
}

export function labState(a: { name?: string; lab?: string }): LabState {
  const name = labName(a);
  const s = readLabState(name);
  if (!s) throw new CliError('usage', `no lab named '${name}'`);
  return s;
}

export function nodeOf(s: LabState, node: string) {
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
