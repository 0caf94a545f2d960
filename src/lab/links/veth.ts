/** A link as a veth pair between the two nodes' namespaces (the ends go with their namespaces at `down`). */
import { addVeth } from '../host.js';
import type { LinkType } from './types.js';

export const veth: LinkType = {
  name: 'veth',
  create: (a, b, mtu) => addVeth(a, b, mtu),
};
