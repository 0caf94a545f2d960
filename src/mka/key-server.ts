/**
 * Key-server decisions (IEEE 802.1X-2020 9.5 key server election, 9.7/9.8
 * MACsec use and SAK distribution) and the XPN key parameters (802.1AE-2018
 * 10.7.8 salt, 10.7.13 SSCI), as pure functions of what the participant knows.
 */
import { GCM_AES_128, GCM_AES_128_LEGACY_ID, type CipherSuite, type Sci } from '../macsec/index.js';

/** A key-server candidate: self or a live peer with the Key Server bit. */
export interface Candidate {
  priority: number;
  sci: Sci;
  self: boolean;
  mi: Uint8Array;
}

/**
 * Election (802.1X-2020 9.5.1): the lowest Key Server Priority wins, a tie
 * goes to the lowest SCI. hostap `ieee802_1x_kay_elect_key_server` and
 * MKAdaemon compare only the MAC part; comparing the whole 64-bit SCI gives
 * the same order whenever the MACs differ and still breaks a tie between two
 * ports of one system.
 */
export function electKeyServer(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (!best || c.priority < best.priority || (c.priority === best.priority && c.sci < best.sci)) best = c;
  }
  return best;
}

/**
 * What a peer that announced no MACsec cipher suites is taken to implement:
 * the Default Cipher Suite, GCM-AES-128, and nothing else.
 *
 * Sources (the 802.1X-2020 text itself was not at hand): a participant lists
 * the suites it implements only in the MACsec Cipher Suites TLV of an
 * Announcement (802.1X-2020 11.12.3, figure 11-15; MKAdaemon
 * `mka_kay_params.c` cites these); GCM-AES-128 is the one suite every
 * conformant SecY implements (802.1AE-2018 5.3 k) and 14.4, table 14-1:
 * mandatory), and 802.1X keeps a reserved encoding for it, the 28-octet
 * Distributed SAK without a Cipher Suite field (802.1AE-2018 14.4 NOTE;
 * 802.1X-2020 11.11.1). So nothing beyond the default may be assumed of a silent
 * peer. wpa_supplicant 2.10 sends no Announcement and refuses any other suite
 * ("I can't support the Cipher Suite advised by key server",
 * `ieee802_1x_kay.c`), which is why assuming more black-holed traffic
 * (docs/mka-decisions.md §8). An Announcement without a MACsec Cipher Suites
 * TLV announces no suites either (11.12: each TLV is optional), so it counts
 * the same; a peer keeps the list of its last Announcement that had one.
 */
export const DEFAULT_CIPHER_SUITE_IDS: readonly bigint[] = Object.freeze([GCM_AES_128.id]);

/**
 * Cipher suite choice by the key server (docs/mka-decisions.md §8; MKAdaemon likewise picks
 * the first of its preference list that the peer supports): the first of our
 * ordered suites that every live peer implements, where a peer that announced
 * nothing implements only GCM-AES-128 ({@link DEFAULT_CIPHER_SUITE_IDS}).
 * The legacy GCM-AES-128 identifier (802.1AE-2006 table 14-1) counts as
 * GCM-AES-128.
 * @param announced per live peer, its announced suite ids, or undefined when it announced none.
 * @returns the suite, or undefined when no suite is common.
 */
export function chooseCipherSuite(
  ours: readonly CipherSuite[],
  announced: ReadonlyArray<readonly bigint[] | undefined>,
): CipherSuite | undefined {
  const lists = announced.map((a) => a ?? DEFAULT_CIPHER_SUITE_IDS);
  return ours.find((s) => lists.every((l) => l.includes(s.id) || (s.id === GCM_AES_128.id && l.includes(GCM_AES_128_LEGACY_ID))));
}

/**
 * SSCI per transmitting SC for an XPN SAK. DECISION (no capture shows XPN in
 * MKA; wpa_supplicant 2.10 has none): every member sorts the SCIs of the CA's
 * members for that SAK (the key server and the live peers it knew when the
 * SAK was made or received) in DESCENDING numeric order and gives SSCI 1 to
 * the first, 2 to the next, … This is MKAdaemon's point-to-point rule ("the
 * numerically greater SCI gets 1", citing 802.1AE-2018 10.7.13; docs/mka-decisions.md §6)
 * extended to N members. Each member computes it locally; the key server also
 * puts the low octet of its own SSCI in octet 1 of its Live Peer List (MKA
 * version 3, with an XPN Distributed SAK), and a member that finds a
 * different value there counts it and keeps its own.
 */
export function assignSscis(scis: readonly Sci[]): Map<Sci, number> {
  const sorted = [...new Set(scis)].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  return new Map(sorted.map((s, i) => [s, i + 1]));
}

/**
 * XPN salt (802.1AE-2018 10.7.8, quoted in Wireshark packet-mka.c): the 64
 * least significant bits are those of the key server's MI; the next 16 bits
 * are MI bits 79..64 XOR the 16 most significant bits of KN; the 16 most
 * significant bits are MI bits 95..80 XOR the 16 least significant bits of KN.
 * In octets: salt[0..1] = MI[0..1] ^ KN[2..3], salt[2..3] = MI[2..3] ^ KN[0..1],
 * salt[4..11] = MI[4..11]. Example (docs/mka-decisions.md §6): MI 88d8e7c7582179017958c982,
 * KN 1 → 88d9e7c7582179017958c982.
 */
export function xpnSalt(keyServerMi: Uint8Array, kn: number): Uint8Array {
  const salt = new Uint8Array(keyServerMi.subarray(0, 12));
  salt[0]! ^= (kn >>> 8) & 0xff;
  salt[1]! ^= kn & 0xff;
  salt[2]! ^= (kn >>> 24) & 0xff;
  salt[3]! ^= (kn >>> 16) & 0xff;
  return salt;
}
