/**
 * Live Peer List (type 1) and Potential Peer List (type 2) (802.1X-2020
 * 11.11.1, figure 11-9): entries of MI (12) ‖ MN (4), so the body length is a
 * multiple of 16 (hostap skips lists that are not). Octet 1 of the Live Peer
 * List carries the key server's SSCI (low octet) in MKA version 3 when an XPN
 * Distributed SAK is in the same MKPDU (802.1Xck-2018; Wireshark packet-mka.c
 * `dissect_peer_list`); in the Potential Peer List it is reserved.
 */
import { MkaError } from '../errors.js';
import { ByteWriter } from '../../shared/bytes.js';
import { MI_LEN, PARAMETER_SET_TYPE } from '../constants.js';
import type { LivePeerList, PeerListEntry, PotentialPeerList } from './types.js';
import { bodyReader, checkLength, checkRange, requireZero, type SetCodec, type SetHeader } from './set-header.js';

function decodeEntries(name: string, body: Uint8Array): PeerListEntry[] {
  if (body.length % 16 !== 0) {
    throw new MkaError('malformedMkpdu', `${name}: body length ${body.length} is not a multiple of 16`);
  }
  const r = bodyReader(name, body);
  const peers: PeerListEntry[] = [];
  while (r.remaining > 0) peers.push({ mi: r.copy(MI_LEN, 'peer MI'), mn: r.u32('peer MN') });
  return peers;
}

function encodeEntries(name: string, peers: PeerListEntry[]): Uint8Array {
  const w = new ByteWriter(16 * peers.length + 1);
  for (const p of peers) {
    checkLength(name, 'peer MI', p.mi, MI_LEN);
    checkRange(name, 'peer MN', p.mn, 0xffffffff);
    w.bytes(p.mi).u32(p.mn);
  }
  return w.finish();
}

const LIVE = 'Live Peer List';
const POTENTIAL = 'Potential Peer List';

export const livePeerListCodec: SetCodec<LivePeerList> = {
  name: LIVE,
  decode(h: SetHeader, body: Uint8Array): LivePeerList {
    requireZero(LIVE, 'octet 2 bits 7..4', h.octet2High);
    return { type: PARAMETER_SET_TYPE.livePeerList, keyServerSsci: h.octet1, peers: decodeEntries(LIVE, body) };
  },
  encode(s: LivePeerList) {
    checkRange(LIVE, 'Key Server SSCI', s.keyServerSsci, 0xff);
    return { octet1: s.keyServerSsci, octet2High: 0, body: encodeEntries(LIVE, s.peers) };
  },
};

export const potentialPeerListCodec: SetCodec<PotentialPeerList> = {
  name: POTENTIAL,
  decode(h: SetHeader, body: Uint8Array): PotentialPeerList {
    requireZero(POTENTIAL, 'octet 1', h.octet1);
    requireZero(POTENTIAL, 'octet 2 bits 7..4', h.octet2High);
    return { type: PARAMETER_SET_TYPE.potentialPeerList, peers: decodeEntries(POTENTIAL, body) };
  },
  encode(s: PotentialPeerList) {
    return { octet1: 0, octet2High: 0, body: encodeEntries(POTENTIAL, s.peers) };
  },
};
