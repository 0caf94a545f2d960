/**
 * IPv4/IPv6 addresses and prefixes as canonical text, and the NLRI prefix
 * encoding of RFC 4271 §4.3 (also used by RFC 4760 §5 for MP_REACH_NLRI and
 * MP_UNREACH_NLRI): a length in bits, then the fewest octets that hold it.
 *
 * Canonical text: dotted quad for IPv4; RFC 5952 §4 for IPv6 (lower case, no
 * leading zeros, the longest run of two or more zero groups shown as "::",
 * the first such run on a tie). Bits past the prefix length are cleared:
 * RFC 4271 §4.3 says "the value of trailing bits is irrelevant", so two
 * encodings that differ only there name the same prefix.
 */
import { ByteReader, ByteWriter } from '../shared/bytes.js';
import { AFI_IPV4, AFI_IPV6 } from './constants.js';
import { BgpError, type BgpErrorCode } from './errors.js';

/** Address length in octets of an AFI used here. */
export function addressLength(afi: number): 4 | 16 {
  return afi === AFI_IPV6 ? 16 : 4;
}

/** Dotted quad of 4 octets. */
export function formatIpv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** RFC 5952 text of 16 octets. */
export function formatIpv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Text of an address of `afi`. */
export function formatAddress(afi: number, b: Uint8Array): string {
  return afi === AFI_IPV6 ? formatIpv6(b) : formatIpv4(b);
}

function invalid(what: string, text: string): BgpError {
  return new BgpError('invalidArgument', `${what}: ${JSON.stringify(text)} is not valid`);
}

/** @throws BgpError('invalidArgument') when not a dotted quad. */
export function parseIpv4(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw invalid('IPv4 address', text);
  const out = new Uint8Array(4);
  parts.forEach((p, i) => {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) throw invalid('IPv4 address', text);
    out[i] = Number(p);
  });
  return out;
}

/** Parses RFC 4291 §2.2 text, including "::" and a trailing dotted quad. @throws BgpError('invalidArgument'). */
export function parseIpv6(text: string): Uint8Array {
  let s = text;
  // A trailing dotted quad (RFC 4291 §2.2 form 3) becomes two hex groups.
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.') && lastColon >= 0) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) throw invalid('IPv6 address', text);
  const parse = (h: string): number[] => {
    if (h === '') return [];
    return h.split(':').map((g) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw invalid('IPv6 address', text);
      return parseInt(g, 16);
    });
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const given = head.length + rest.length;
  let groups: number[];
  if (halves.length === 2) {
    if (given > 7) throw invalid('IPv6 address', text);
    groups = [...head, ...new Array<number>(8 - given).fill(0), ...rest];
  } else {
    if (given !== 8) throw invalid('IPv6 address', text);
    groups = head;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Address octets of `afi` from text. @throws BgpError('invalidArgument'). */
export function parseAddress(afi: number, text: string): Uint8Array {
  return afi === AFI_IPV6 ? parseIpv6(text) : parseIpv4(text);
}

/** AFI of an address or prefix written as text: IPv6 when it holds a colon. */
export function afiOf(text: string): number {
  return text.includes(':') ? AFI_IPV6 : AFI_IPV4;
}

/** A prefix split into family, length and (cleared) address octets. */
export interface ParsedPrefix {
  readonly afi: number;
  readonly length: number;
  readonly address: Uint8Array;
}

/**
 * Parses "addr/len". Host bits must be clear, so that one prefix has one text.
 * @throws BgpError('invalidArgument') on bad syntax, length or set host bits.
 */
export function parsePrefix(text: string): ParsedPrefix {
  const slash = text.indexOf('/');
  if (slash < 0) throw invalid('prefix', text);
  const afi = afiOf(text);
  const address = parseAddress(afi, text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  const max = address.length * 8;
  if (!/^(0|[1-9]\d{0,2})$/.test(lenText) || Number(lenText) > max) throw invalid('prefix length', text);
  const length = Number(lenText);
  const masked = maskAddress(address, length);
  for (let i = 0; i < address.length; i++) if (masked[i] !== address[i]) throw invalid('prefix (host bits set)', text);
  return { afi, length, address: masked };
}

/** Canonical text of a prefix. */
export function formatPrefix(afi: number, length: number, address: Uint8Array): string {
  return `${formatAddress(afi, address)}/${length}`;
}

function maskAddress(address: Uint8Array, length: number): Uint8Array {
  const out = address.slice();
  for (let bit = length; bit < out.length * 8; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return out;
}

/** Appends the RFC 4271 §4.3 encoding of one prefix (text already validated by parsePrefix). */
export function writePrefix(w: ByteWriter, p: ParsedPrefix): void {
  w.u8(p.length).bytes(p.address.subarray(0, (p.length + 7) >> 3));
}

/** Encodes a list of prefixes of one family. @throws BgpError('invalidArgument') for bad text or another family. */
export function encodePrefixes(w: ByteWriter, afi: number, prefixes: readonly string[]): void {
  for (const text of prefixes) {
    const p = parsePrefix(text);
    if (p.afi !== afi) throw new BgpError('invalidArgument', `prefix ${text} is not of AFI ${afi}`);
    writePrefix(w, p);
  }
}

/**
 * Decodes prefixes filling exactly `bytes`. A length past the family's width,
 * or a prefix running past the end, is the `code` the caller names (Invalid
 * Network Field for the NLRI and Withdrawn Routes fields, RFC 4271 §6.3;
 * Optional Attribute Error inside MP attributes, RFC 4760 §7).
 * @throws BgpError(code)
 */
export function decodePrefixes(bytes: Uint8Array, afi: number, code: BgpErrorCode, field: string): string[] {
  const r = new ByteReader(bytes, (f, offset, need, have) =>
    new BgpError(code, `${field}: ${f} at offset ${offset} needs ${need} octets, ${have} left`),
  );
  const width = addressLength(afi);
  const out: string[] = [];
  while (r.remaining > 0) {
    const length = r.u8('prefix length');
    if (length > width * 8) throw new BgpError(code, `${field}: prefix length ${length} exceeds ${width * 8} at offset ${r.offset - 1}`);
    const octets = r.bytesView((length + 7) >> 3, `prefix of /${length}`);
    const addr = new Uint8Array(width);
    addr.set(octets);
    out.push(formatPrefix(afi, length, maskAddress(addr, length)));
  }
  return out;
}
