/**
 * A node as a virtual machine: a process in the node's namespace
 * (`dxlab vm-node --config FILE`, vm-node.ts) that boots the linux-peer
 * guest under QEMU, joins the guest's NIC to the node's wires and answers
 * the node's control socket for it. QEMU runs inside the namespace as that
 * process's child, so `down` (which kills every process of the namespace)
 * stops it also when the node process was killed.
 */
import { NODE_BIN } from '../constants.js';
import { NODE_PROCESS_FLAGS, addNetns, spawnChildInNetns, spawnInNetns, waitForNode } from '../host.js';
import { buildImage } from '../images/linux-peer.js';
import type { NodeRuntime } from './types.js';

/**
 * How long a VM node may take to answer: a boot under TCG (no KVM) took 20
 * to 34 s on a loaded 2-core machine, then the guest's setup over its
 * serial console; bounded loosely so that a slow CI machine still starts it.
 */
export const VM_READY_TIMEOUT_MS = 240_000;

const argv = (config: string) => [process.execPath, ...NODE_PROCESS_FLAGS, NODE_BIN, 'vm-node', '--config', config];

export const qemuVm: NodeRuntime = {
  name: 'qemu-vm',
  kinds: ['linux-peer'],
  readyTimeoutMs: VM_READY_TIMEOUT_MS + 10_000,
  // `dxlab up` builds the image when the cache does not have it (images/linux-peer.ts).
  prepare: async (progress) => {
    await buildImage(progress);
  },
  create: (n) => addNetns(n.netns),
  start: (n) => spawnInNetns(n.netns, argv(n.config), n.log),
  launch: (n, onExit) => spawnChildInNetns(n.netns, argv(n.config), n.log, onExit),
  ready: (n) => waitForNode({ node: n.name, pid: n.pid, socket: n.socket, log: n.log }, VM_READY_TIMEOUT_MS),
};
