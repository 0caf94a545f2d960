/** The registry of link types; the first is the default. Add one: a module beside veth.ts, one entry here. */
import { veth } from './veth.js';
import { lag } from './lag.js';
import type { LinkType } from './types.js';

export const LINK_TYPES: readonly LinkType[] = [veth, lag];

export function linkType(name: string | undefined): LinkType {
  const t = name === undefined ? LINK_TYPES[0] : LINK_TYPES.find((x) => x.name === name);
  if (!t) throw new Error(`no link type '${name}'`);
  return t;
}

export type { LinkType, WireEnd } from './types.js';
