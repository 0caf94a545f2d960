/** A customer switch: bridges all its ports in the node process; VIFs run across it; every MACsec knob open. */
import type { NodeKindModule } from './types.js';

export const switchKind: NodeKindModule = {
  name: 'switch',
  nodeKind: 'switch',
  schema: {},
  transit: true,
  nodeConfig: (_node, ports) => ({ bridge: ports }),
};
