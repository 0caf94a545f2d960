/**
 * A node runtime: where a node of any kind runs, and how it is started and
 * watched. One module per runtime (netns-process.ts), listed in index.ts.
 * Stopping is by the lab's names (teardown.ts), so that `down` also works
 * after a crash; a runtime whose nodes that does not find says so there.
 */
import type { ChildHandle } from '../supervisor.js';

export interface RuntimeNode {
  lab: string;
  name: string;
  /** Where its wires go: the namespace that holds its interfaces. */
  netns: string;
  config: string;
  log: string;
  socket: string;
  pid: number;
}

export interface NodeRuntime {
  readonly name: string;
  /** The node kinds it can run; absent: every kind. */
  readonly kinds?: readonly string[];
  /** How long its nodes may take to answer after their start. @default 60000 (the lab's) */
  readonly readyTimeoutMs?: number;
  /** Makes what its nodes need before any is created (a VM image); `progress` gets one line per step. */
  prepare?(progress: (line: string) => void): Promise<void>;
  /** Makes the node's place (a namespace) before its links are made. */
  create(node: RuntimeNode): void;
  /** Starts the node process on its configuration. @returns its pid */
  start(node: RuntimeNode): number;
  /**
   * Starts the node process as a child of the caller (the lab's supervisor),
   * which is told when it ends. @returns its pid and a way to signal it
   */
  launch(node: RuntimeNode, onExit: (code: number | null, signal: string | null) => void): ChildHandle;
  /** Resolves when the node answers; throws LabError('process' | 'timeout'). */
  ready(node: RuntimeNode): Promise<void>;
  /** Where the node's control socket is, when not `<lab dir>/<node>.sock` (a container can write only a folder of its own). */
  socketPath?(labDir: string, node: string): string;
  /**
   * Removes what the runtime made for a lab beyond its namespaces and
   * processes (containers), found by the lab's name; called by `down`.
   * `nodes`: one host's part of a lab across hosts, only these nodes'.
   */
  removeLab?(lab: string, labDir: string | undefined, nodes?: readonly string[]): Promise<{ removed: string[]; leftover: string[] }>;
}
