/**
 * Secure Channel Identifier (802.1AE-2018 8.2.1): a 48-bit System Identifier
 * (a MAC address) followed by a 16-bit Port Identifier, held as a bigint so
 * that it can key a Map without allocating per frame.
 */
import { MacsecError } from './errors.js';
import { fromHex, toHex } from '../shared/bytes.js';

export type Sci = bigint;

/** SCI from 16 hex digits (separators allowed). @throws MacsecError('invalidSci'). */
export function sciFromHex(hex: string): Sci {
  let b: Uint8Array;
  try {
    b = fromHex(hex, 'SCI');
  } catch (e) {
    throw new MacsecError('invalidSci', (e as Error).message);
  }
  if (b.length !== 8) throw new MacsecError('invalidSci', `SCI: expected 8 octets (16 hex digits), got ${b.length}`);
  return sciFromBytes(b);
}

/** SCI from 8 octets at `offset`. */
export function sciFromBytes(b: Uint8Array, offset = 0): Sci {
  // Two 32-bit halves: building a DataView per frame costs more than this.
  const hi = ((b[offset]! << 24) | (b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!) >>> 0;
  const lo = ((b[offset + 4]! << 24) | (b[offset + 5]! << 16) | (b[offset + 6]! << 8) | b[offset + 7]!) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** SCI of a MAC address and port (wpa_supplicant and Linux use port 1). */
export function sciFromMac(mac: Uint8Array, port: number): Sci {
  if (mac.length !== 6) throw new MacsecError('invalidSci', `MAC address: expected 6 octets, got ${mac.length}`);
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new MacsecError('invalidSci', `port identifier ${port} out of range 0..65535`);
  return (sciFromBytes(new Uint8Array([...mac, 0, 0])) | BigInt(port));
}

export function sciToBytes(sci: Sci): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, sci);
  return b;
}

export function sciToHex(sci: Sci): string {
  return sci.toString(16).padStart(16, '0');
}

/** The System Identifier (MAC address) part. */
export function sciMac(sci: Sci): Uint8Array {
  return sciToBytes(sci).subarray(0, 6);
}

export function sciPort(sci: Sci): number {
  return Number(sci & 0xffffn);
}

/** aa:bb:cc:dd:ee:ff/1, for status output. */
export function sciToString(sci: Sci): string {
  const h = toHex(sciMac(sci));
  return `${h.match(/../g)!.join(':')}/${sciPort(sci)}`;
}
