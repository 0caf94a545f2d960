/**
 * A last-mile provider inside a link (`via:`): forwards the link's frames in
 * userspace between its two wires, in one of three modes, with latency,
 * jitter, loss, reordering, an MTU and an optional S-tag (src/node/provider.ts
 * says what each does and where the filtered addresses come from).
 */
import type { NodeKindModule } from './types.js';

export const provider: NodeKindModule = {
  name: 'provider',
  nodeKind: 'provider',
  schema: {
    mode: { enum: ['transparent', 'provider-bridge', 'filter-all'], description: 'transparent: every frame passes; provider-bridge: an 802.1ad S-VLAN component, which filters 01:80:C2:00:00:01-0A and -0E (EAPOL to -03 among them); filter-all: drops every 01:80:C2:00:00:00-0F frame. Default transparent.' },
    latencyMs: { type: 'number', minimum: 0, maximum: 10000, description: 'One-way delay in ms.' },
    jitterMs: { type: 'number', minimum: 0, maximum: 10000, description: 'Each frame delayed latencyMs +- up to this (uniform).' },
    lossPercent: { type: 'number', minimum: 0, maximum: 100 },
    reorderPercent: { type: 'number', minimum: 0, maximum: 100, description: 'Share of frames held back behind the next one.' },
    mtu: { type: 'integer', minimum: 68, maximum: 65535, description: "The circuit's MTU: longer frames are dropped and counted (MACsec adds 32 octets)." },
    sVlan: { type: 'integer', minimum: 1, maximum: 4094, description: "An 802.1ad S-tag (0x88A8) with this VID, pushed towards another in-path node and popped towards a customer." },
  },
  inPath: true,
  nodeConfig: (node) => ({ provider: { mode: 'transparent', ...(node.options ?? {}) } }),
};
