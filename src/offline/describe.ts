/**
 * One-line descriptions of Ethernet frames for `dxlab pcap inspect`.
 */
import { macToString } from '../shared/bytes.js';
import { TCI_C, TCI_E, TCI_ES, TCI_SC, TCI_SCB, TCI_V, parseSecTag, sciToString } from '../macsec/index.js';

const ETHERTYPES: Record<number, string> = {
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x86dd: 'IPv6',
  0x8100: '802.1Q',
  0x88e5: 'MACsec',
  0x888e: 'EAPOL',
  0x88cc: 'LLDP',
  0x8809: 'Slow Protocols (LACP)',
};

const IP_PROTOCOLS: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };

export interface MacsecSummary {
  tci: string;
  an: number;
  sl: number;
  pn: number;
  sci: string;
}

/** The TCI bits that are set, by name (V ES SC SCB E C). */
export function tciBits(tci: number): string {
  const names: Array<[number, string]> = [
    [TCI_V, 'V'],
    [TCI_ES, 'ES'],
    [TCI_SC, 'SC'],
    [TCI_SCB, 'SCB'],
    [TCI_E, 'E'],
    [TCI_C, 'C'],
  ];
  return names.filter(([m]) => tci & m).map(([, n]) => n).join(',') || '-';
}

export function summarizeSecTag(frame: Uint8Array): MacsecSummary | { malformed: string } {
  const p = parseSecTag(frame, true);
  if (!p.ok) return { malformed: p.reason };
  return { tci: tciBits(frame[14]!), an: p.tag.an, sl: p.tag.sl, pn: p.tag.pn, sci: sciToString(p.tag.sci) };
}

/** Source and destination addresses. */
export function addresses(frame: Uint8Array): { src: string; dst: string } {
  if (frame.length < 12) return { src: '?', dst: '?' };
  return { src: macToString(frame.subarray(6, 12)), dst: macToString(frame.subarray(0, 6)) };
}

function ipv4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** What a cleartext frame carries: "ARP request 10.0.0.1 asks for 10.0.0.2", "IPv4 10.0.0.1 > 10.0.0.2 ICMP". */
export function describeCleartext(frame: Uint8Array): string {
  if (frame.length < 14) return `runt (${frame.length} octets)`;
  let type = (frame[12]! << 8) | frame[13]!;
  let o = 14;
  let vlan = '';
  if (type === 0x8100 && frame.length >= 18) {
    vlan = `VLAN ${((frame[14]! << 8) | frame[15]!) & 0x0fff} `;
    type = (frame[16]! << 8) | frame[17]!;
    o = 18;
  }
  if (type === 0x0806 && frame.length >= o + 28) {
    const op = (frame[o + 6]! << 8) | frame[o + 7]!;
    const spa = ipv4(frame, o + 14);
    const tpa = ipv4(frame, o + 24);
    if (op === 1) return `${vlan}ARP request: who has ${tpa}? tell ${spa}`;
    if (op === 2) return `${vlan}ARP reply: ${spa} is at ${macToString(frame.subarray(o + 8, o + 14))}`;
    return `${vlan}ARP op ${op}`;
  }
  if (type === 0x0800 && frame.length >= o + 20) {
    const proto = frame[o + 9]!;
    return `${vlan}IPv4 ${ipv4(frame, o + 12)} > ${ipv4(frame, o + 16)} ${IP_PROTOCOLS[proto] ?? `proto ${proto}`}`;
  }
  if (type === 0x86dd && frame.length >= o + 40) {
    const next = frame[o + 6]!;
    return `${vlan}IPv6 ${IP_PROTOCOLS[next] ?? `next header ${next}`}`;
  }
  return `${vlan}${ETHERTYPES[type] ?? `EtherType 0x${type.toString(16).padStart(4, '0')}`} (${frame.length} octets)`;
}
