/** Checks that a cleartext Ethernet frame is a well-formed ARP or IPv4 packet. */
export function describeCleartext(frame: Uint8Array): 'arp' | 'ipv4' | string {
  const type = (frame[12]! << 8) | frame[13]!;
  if (type === 0x0806) {
    if (frame.length < 14 + 28) return 'short ARP';
    const htype = (frame[14]! << 8) | frame[15]!;
    const ptype = (frame[16]! << 8) | frame[17]!;
    return htype === 1 && ptype === 0x0800 && frame[18] === 6 && frame[19] === 4 ? 'arp' : 'bad ARP';
  }
  if (type === 0x0800) {
    const ihl = (frame[14]! & 0x0f) * 4;
    if (frame[14]! >> 4 !== 4 || ihl < 20 || frame.length < 14 + ihl) return 'bad IPv4 header';
    const total = (frame[16]! << 8) | frame[17]!;
    if (14 + total > frame.length) return 'IPv4 total length exceeds frame';
    let sum = 0;
    for (let i = 0; i < ihl; i += 2) sum += (frame[14 + i]! << 8) | frame[15 + i]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    return sum === 0xffff ? 'ipv4' : 'bad IPv4 checksum';
  }
  return `EtherType ${type.toString(16)}`;
}
