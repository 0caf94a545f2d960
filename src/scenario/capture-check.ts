/**
 * What a wire capture shows an eavesdropper: frames counted by EtherType
 * (after any 802.1Q/802.1ad tags) as MACsec, MKPDUs (EAPOL, sent in the
 * clear by design on the uncontrolled port) or cleartext, which is any
 * other frame: ARP, IPv4, IPv6, LACP outside MACsec.
 */
import { ETHERTYPE_EAPOL, ETHERTYPE_MACSEC, NOT_CLEARTEXT_ETHERTYPES } from './constants.js';

export interface WireCensus {
  frames: number;
  macsec: number;
  mkpdu: number;
  cleartext: number;
  /** EtherTypes of the cleartext frames, hex, with their counts. */
  cleartextTypes: Record<string, number>;
}

/** The EtherType of an Ethernet frame, after its VLAN tags (802.1Q 0x8100, 802.1ad 0x88A8). */
export function etherType(frame: Uint8Array): number | undefined {
  let off = 12;
  for (;;) {
    if (frame.length < off + 2) return undefined;
    const t = (frame[off]! << 8) | frame[off + 1]!;
    if (t !== 0x8100 && t !== 0x88a8) return t;
    off += 4;
  }
}

export function census(frames: Iterable<Uint8Array>): WireCensus {
  const c: WireCensus = { frames: 0, macsec: 0, mkpdu: 0, cleartext: 0, cleartextTypes: {} };
  for (const f of frames) {
    c.frames++;
    const t = etherType(f);
    if (t === ETHERTYPE_MACSEC) c.macsec++;
    else if (t !== undefined && (t === ETHERTYPE_EAPOL || NOT_CLEARTEXT_ETHERTYPES.includes(t))) c.mkpdu++;
    else {
      c.cleartext++;
      const k = t === undefined ? 'short' : `0x${t.toString(16).padStart(4, '0')}`;
      c.cleartextTypes[k] = (c.cleartextTypes[k] ?? 0) + 1;
    }
  }
  return c;
}
