/**
 * Loads the independent BGP vectors of test/vectors/bgp (see its README).
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '../../../src/shared/bytes.js';

const dir = new URL('../../vectors/bgp/', import.meta.url);

const scapy = JSON.parse(readFileSync(new URL('scapy-bgp.json', dir), 'utf8')) as { vectors: Record<string, string> };
const badLen = JSON.parse(readFileSync(new URL('gobgp-bad-len.json', dir), 'utf8')) as { inputs: Record<string, string> };

/** Octets of a scapy vector by name. */
export function scapyVector(name: string): Uint8Array {
  const hex = scapy.vectors[name];
  if (hex === undefined) throw new Error(`no scapy vector ${name}`);
  return fromHex(hex);
}

export const SCAPY_VECTOR_NAMES = Object.keys(scapy.vectors);

/** gobgp's bad-len fuzzer inputs, by file name. */
export const GOBGP_BAD_LEN: ReadonlyArray<[string, Uint8Array]> = Object.entries(badLen.inputs).map(([k, v]) => [k, fromHex(v)]);

/** A 16-octet all-ones marker, for building messages by hand. */
export const MARKER = 'ffffffffffffffffffffffffffffffff';

/** Header + body, with the Length field computed. */
export function withHeader(type: number, bodyHex: string): Uint8Array {
  const body = fromHex(bodyHex);
  const len = 19 + body.length;
  return fromHex(`${MARKER}${len.toString(16).padStart(4, '0')}${type.toString(16).padStart(2, '0')}${bodyHex}`);
}

/** An UPDATE from its three fields given as hex. */
export function updateHex(withdrawnHex: string, attrsHex: string, nlriHex: string): Uint8Array {
  const wl = withdrawnHex.length / 2;
  const al = attrsHex.length / 2;
  return withHeader(2, `${wl.toString(16).padStart(4, '0')}${withdrawnHex}${al.toString(16).padStart(4, '0')}${attrsHex}${nlriHex}`);
}
