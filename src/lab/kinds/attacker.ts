/**
 * An attacker inside a link (`via:`): forwards the link's frames in userspace
 * between its two wires and does what `dxlab attack NODE ACTION` asks
 * (src/node/attacker.ts): snoop, drop, delay, reorder, replay, bitflip,
 * inject-clear, inject-forged, strip, forge-mkpdu.
 */
import type { NodeKindModule } from './types.js';

export const attacker: NodeKindModule = {
  name: 'attacker',
  nodeKind: 'attacker',
  schema: {},
  inPath: true,
  nodeConfig: () => ({ attacker: {} }),
};
