/**
 * 802.1Q tags, added and removed by the node itself (the kernel here has no
 * VLAN devices). The tag travels inside MACsec: it is part of the user data
 * the SecY protects (802.1AE-2018 11.1), never in the clear on the wire.
 */
import { ETHERTYPE_VLAN } from '../macsec/index.js';

/** Length of an 802.1Q tag (TPID + TCI). */
export const VLAN_TAG_LEN = 4;

/**
 * DA ‖ SA ‖ TPID ‖ PCP/DEI 0, VID ‖ rest of `frame`: a C-tag (0x8100) by
 * default, an S-tag with `tpid` 0x88A8 (802.1Q-2018 9.5, 9.6).
 */
export function addVlanTag(frame: Uint8Array, vid: number, tpid = ETHERTYPE_VLAN): Uint8Array {
  const out = new Uint8Array(frame.length + VLAN_TAG_LEN);
  out.set(frame.subarray(0, 12));
  out[12] = tpid >> 8;
  out[13] = tpid & 0xff;
  out[14] = (vid >> 8) & 0x0f;
  out[15] = vid & 0xff;
  out.set(frame.subarray(12), 16);
  return out;
}

/** The VLAN ID of a tagged frame, or undefined when it carries no 802.1Q tag. */
export function vlanOf(frame: Uint8Array): number | undefined {
  if (frame.length < 18 || frame[12] !== ETHERTYPE_VLAN >> 8 || frame[13] !== (ETHERTYPE_VLAN & 0xff)) return undefined;
  return ((frame[14]! << 8) | frame[15]!) & 0x0fff;
}

/** The frame without its outer 802.1Q tag. */
export function removeVlanTag(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length - VLAN_TAG_LEN);
  out.set(frame.subarray(0, 12));
  out.set(frame.subarray(16), 12);
  return out;
}

