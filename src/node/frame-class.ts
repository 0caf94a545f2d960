/**
 * What an observer on the wire can read of a frame, for the attacker's
 * snoop: MACsec with E = 1 hides everything after the SecTAG (802.1AE-2018
 * 8.1, confidentiality); an integrity-only frame (E = C = 0) and every frame
 * outside MACsec are readable.
 */
import { macToString } from '../shared/bytes.js';
import { ETHERTYPE_MACSEC, ETHERTYPE_VLAN, SECTAG_LEN, SECTAG_SCI_LEN, TCI_E, TCI_SC } from '../macsec/index.js';

export type FrameClass = 'macsecEncrypted' | 'macsecIntegrityOnly' | 'mkpdu' | 'arp' | 'ipv4' | 'ipv6' | 'otherClear';
export const FRAME_CLASSES: readonly FrameClass[] = ['macsecEncrypted', 'macsecIntegrityOnly', 'mkpdu', 'arp', 'ipv4', 'ipv6', 'otherClear'];

const EAPOL_ETHERTYPES = new Set([0x888e, 0x876f]);
const IP_PROTOCOLS: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };

function etherTypeAt(f: Uint8Array, at: number): number {
  return f.length >= at + 2 ? (f[at]! << 8) | f[at + 1]! : -1;
}

/** The offset of the EtherType after any 802.1Q / 802.1ad tags. */
function innerEtherTypeOffset(f: Uint8Array): number {
  let at = 12;
  while (etherTypeAt(f, at) === ETHERTYPE_VLAN || etherTypeAt(f, at) === 0x88a8) at += 4;
  return at;
}

export function classifyFrame(f: Uint8Array): FrameClass {
  const at = innerEtherTypeOffset(f);
  const et = etherTypeAt(f, at);
  if (et === ETHERTYPE_MACSEC) return f.length > at + 2 && f[at + 2]! & TCI_E ? 'macsecEncrypted' : 'macsecIntegrityOnly';
  if (EAPOL_ETHERTYPES.has(et)) return 'mkpdu';
  if (et === 0x0806) return 'arp';
  if (et === 0x0800) return 'ipv4';
  if (et === 0x86dd) return 'ipv6';
  return 'otherClear';
}

function ipv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** One line: addresses, then what the frame shows an observer. */
export function describeFrame(f: Uint8Array): string {
  const head = `${macToString(f.subarray(6, 12))} > ${macToString(f.subarray(0, 6))}`;
  const at = innerEtherTypeOffset(f);
  const c = classifyFrame(f);
  const p = at + 2;
  switch (c) {
    case 'macsecEncrypted':
    case 'macsecIntegrityOnly': {
      const tci = f[p]!;
      const pn = f.length >= p + SECTAG_LEN - 2 ? ((f[p + 2]! << 24) | (f[p + 3]! << 16) | (f[p + 4]! << 8) | f[p + 5]!) >>> 0 : 0;
      const sci = tci & TCI_SC && f.length >= p + SECTAG_SCI_LEN - 2 ? ` SCI=${macToString(f.subarray(p + 6, p + 12))}/${(f[p + 12]! << 8) | f[p + 13]!}` : '';
      const what = c === 'macsecEncrypted' ? 'payload encrypted, unreadable' : 'integrity only, payload readable';
      return `${head}  MACsec AN=${tci & 3} PN=${pn}${sci}: ${what}`;
    }
    case 'mkpdu':
      return `${head}  EAPOL-MKA (MKPDU)`;
    case 'arp': {
      if (f.length < p + 28) return `${head}  ARP (short)`;
      const op = (f[p + 6]! << 8) | f[p + 7]!;
      return op === 1 ? `${head}  ARP who-has ${ipv4(f, p + 24)} tell ${ipv4(f, p + 14)}` : `${head}  ARP ${ipv4(f, p + 14)} is-at ${macToString(f.subarray(p + 8, p + 14))}`;
    }
    case 'ipv4': {
      if (f.length < p + 20) return `${head}  IPv4 (short)`;
      const proto = f[p + 9]!;
      return `${head}  IPv4 ${ipv4(f, p + 12)} > ${ipv4(f, p + 16)} ${IP_PROTOCOLS[proto] ?? `proto ${proto}`}, readable`;
    }
    case 'ipv6':
      return `${head}  IPv6 ${IP_PROTOCOLS[f[p + 6] ?? -1] ?? 'packet'}, readable`;
    default:
      return `${head}  EtherType 0x${etherTypeAt(f, at).toString(16).padStart(4, '0')}, readable`;
  }
}
