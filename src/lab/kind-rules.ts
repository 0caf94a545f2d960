/**
 * A node kind's rules applied to live changes too: what `dxlab up` refuses
 * in a topology, `dxlab set` refuses on the running lab (a DX device keeps
 * AWS's fixed side, kinds/dx-device.ts), so the two never disagree.
 */
import { LabError } from './errors.js';
import { readLabTopology } from './lab.js';
import { nodeKind } from './kinds/index.js';
import type { KindSetChange } from './kinds/types.js';

/**
 * @throws LabError('kindRule') naming the rule the change breaks; nothing
 *   is changed. A lab from before its topology was kept is not checked.
 */
export function checkKindSet(lab: string, node: string, change: KindSetChange): void {
  const tnode = readLabTopology(lab)?.nodes.find((n) => n.name === node);
  if (!tnode) return;
  const broken = nodeKind(tnode.kind).checkSet?.(tnode, change);
  if (broken) throw new LabError('kindRule', broken);
}
