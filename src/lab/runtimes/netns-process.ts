/** A node as a process in its own network namespace (`dxlab-<lab>-<node>`). */
import { NODE_BIN } from '../constants.js';
import { NODE_PROCESS_FLAGS, addNetns, spawnChildInNetns, spawnInNetns, waitForNode } from '../host.js';
import type { NodeRuntime } from './types.js';

const argv = (config: string) => [process.execPath, ...NODE_PROCESS_FLAGS, NODE_BIN, 'node', '--config', config];

export const netnsProcess: NodeRuntime = {
  name: 'netns-process',
  create: (n) => addNetns(n.netns),
  start: (n) => spawnInNetns(n.netns, argv(n.config), n.log),
  launch: (n, onExit) => spawnChildInNetns(n.netns, argv(n.config), n.log, onExit),
  ready: (n) => waitForNode({ node: n.name, pid: n.pid, socket: n.socket, log: n.log }),
};
