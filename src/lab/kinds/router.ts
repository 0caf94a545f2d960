/** A customer router: the customer's end of VIFs, every MACsec knob open (so a scenario can show what breaks). */
import type { NodeKindModule } from './types.js';

export const router: NodeKindModule = {
  name: 'router',
  nodeKind: 'router',
  schema: {},
  vifEnd: 'customer',
};
