/** What the lab runtime needs in several places, defined once. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MACSEC_OVERHEAD, VLAN_TAG_LEN } from '../node/index.js';

/** The dxlab command a node process runs (`dxlab node --config FILE`). */
export const NODE_BIN = resolve(fileURLToPath(new URL('../../bin/dxlab.js', import.meta.url)));

/** A wire's MTU over its largest TAP MTU: the MACsec overhead and one 802.1Q tag the node adds. */
export const WIRE_EXTRA = MACSEC_OVERHEAD + VLAN_TAG_LEN;

/**
 * Key-server priorities of the `dxlab link` shorthand: the DX device wins the
 * election (the lower value, 802.1X-2020 9.5.1), as AWS's side does in practice.
 */
export const KEY_SERVER_PRIORITY = { awsSide: 16, customer: 32 } as const;

/** The smallest TAP MTU a wire is sized for. */
export const BASE_MTU = 1500;
