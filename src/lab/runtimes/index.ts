/** The registry of node runtimes; the first is the default. Add one: a module beside netns-process.ts, one entry here. */
import { netnsProcess } from './netns-process.js';
import { qemuVm } from './qemu-vm.js';
import type { NodeRuntime } from './types.js';

export const NODE_RUNTIMES: readonly NodeRuntime[] = [netnsProcess, qemuVm];

export function nodeRuntime(name: string | undefined): NodeRuntime {
  const r = name === undefined ? NODE_RUNTIMES[0] : NODE_RUNTIMES.find((x) => x.name === name);
  if (!r) throw new Error(`no node runtime '${name}'`);
  return r;
}

export type { NodeRuntime, RuntimeNode } from './types.js';
