/**
 * A node kind: what a topology may say about a node of that kind, how its
 * node configuration is generated, and what `status` says about it. One
 * module per kind (router.ts, dx-device.ts, switch.ts), listed in index.ts.
 */
import type { NodeKind } from '../../node/index.js';
import type { MacsecOptions, TopoNode } from '../topology.js';

/** Throws LabError('topology') naming the file, line and YAML path. */
export type Fail = (path: Array<string | number>, msg: string) => never;

/** A live change `dxlab set` asks of a node's MACsec port: a knob's new value (parsed), or a pair added to its key chain. */
export type KindSetChange = { knob: string; value: unknown } | { key: { ckn: string; cak: string } };

export interface NodeKindModule {
  /** The `kind:` of a topology node. */
  readonly name: string;
  /** What the node process runs as (src/node/config.ts NodeKind). */
  readonly nodeKind: NodeKind;
  /** JSON Schema properties a node of this kind may have besides kind, runtime and logLevel. */
  readonly schema: Record<string, object>;
  /** Which end of a VIF it can be: the customer's or AWS's; none for a node that only forwards. */
  readonly vifEnd?: 'customer' | 'aws';
  /** Frames pass through it between its ports (a switch): VIFs run across it. */
  readonly transit?: boolean;
  /** The one node runtime (runtimes/) that can run it, when not every runtime can (a linux-peer needs a VM). */
  readonly runtime?: string;
  /** It may sit inside a link's path (`via:`), between the link's MKA peers. */
  readonly inPath?: boolean;
  /** Checks a MACsec link end on this node; `at` is the YAML path of the link's macsec. */
  checkMacsec?(node: TopoNode, macsec: MacsecOptions, at: Array<string | number>, fail: Fail): void;
  /** The rule of this kind a live change breaks, as one message; undefined when the change is allowed. */
  checkSet?(node: TopoNode, change: KindSetChange): string | undefined;
  /** Fields of the node configuration beyond name, ports and the common ones. */
  nodeConfig?(node: TopoNode, ports: string[]): Record<string, unknown>;
  /** A line `status` prints about this node, if any (e.g. rules lifted). */
  statusNote?(node: TopoNode): string | undefined;
}
