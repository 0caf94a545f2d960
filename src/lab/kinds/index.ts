/**
 * The registry of node kinds. A new kind is a module beside these (see
 * types.ts and the README's "Adding a node kind, runtime or link type") and
 * one entry in this list; the topology schema, the resolver and the runtime
 * take it from here.
 */
import { dxDevice } from './dx-device.js';
import { router } from './router.js';
import { switchKind } from './switch.js';
import { provider } from './provider.js';
import { attacker } from './attacker.js';
import { linuxPeer } from './linux-peer.js';
import type { NodeKindModule } from './types.js';

export const NODE_KINDS: readonly NodeKindModule[] = [dxDevice, router, switchKind, provider, attacker, linuxPeer];

/** @throws Error for a kind the registry does not hold (the schema has refused it before). */
export function nodeKind(name: string): NodeKindModule {
  const k = NODE_KINDS.find((x) => x.name === name);
  if (!k) throw new Error(`no node kind '${name}'`);
  return k;
}

export type { NodeKindModule, Fail } from './types.js';
export { awsRuleBroken, dxCipherSuites, DX_SPEEDS, DEFAULT_DX_SPEED, DEFAULT_DX_LOCATION, type DxSpeed } from './dx-device.js';
