/** The registry of node runtimes; the first is the default. Add one: a module beside netns-process.ts, one entry here. */
import { netnsProcess } from './netns-process.js';
import { qemuVm } from './qemu-vm.js';
import { dockerRuntime } from './docker.js';
import type { NodeRuntime } from './types.js';
import type { Topology } from '../topology.js';
import { LabError } from '../errors.js';

export const NODE_RUNTIMES: readonly NodeRuntime[] = [netnsProcess, qemuVm, dockerRuntime];

export function nodeRuntime(name: string | undefined): NodeRuntime {
  const r = name === undefined ? NODE_RUNTIMES[0] : NODE_RUNTIMES.find((x) => x.name === name);
  if (!r) throw new Error(`no node runtime '${name}'`);
  return r;
}

export type { NodeRuntime, RuntimeNode } from './types.js';

/**
 * `dxlab up --runtime NAME`: the runtime of every node the topology gives
 * none (a node that names one, or whose kind needs one, keeps it).
 * @throws LabError('topology') for a runtime the registry does not hold.
 */
export function withDefaultRuntime(topo: Topology, runtime: string): Topology {
  if (!NODE_RUNTIMES.some((r) => r.name === runtime)) throw new LabError('topology', `--runtime: no node runtime '${runtime}' (runtimes: ${NODE_RUNTIMES.map((r) => r.name).join(', ')})`);
  return { ...topo, nodes: topo.nodes.map((n) => (n.runtime ? n : { ...n, runtime })) };
}
