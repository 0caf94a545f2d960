/**
 * A LAG member link (topology `lags:`, lab/lags.ts): a veth pair like any
 * link, recorded as type `lag` so that status and the state file tell a
 * member from a single link. The aggregation itself runs in the two nodes
 * (LACP in src/lacp, the logical port in src/node/lag-port.ts): the kernel
 * here has no bonding driver, and a veth carries LACPDUs as it carries
 * MKPDUs.
 */
import { addVeth } from '../host.js';
import type { LinkType } from './types.js';

export const lag: LinkType = {
  name: 'lag',
  create: (a, b, mtu) => addVeth(a, b, mtu),
};
