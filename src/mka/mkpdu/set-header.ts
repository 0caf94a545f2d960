/**
 * The 4-octet header shared by every parameter set after the Basic one
 * (802.1X-2020 11.11.1, figure 11-7): type, one type-specific octet, four
 * type-specific bits and a 12-bit body length; the body is followed by zero
 * padding to a 4-octet boundary that the length does not count.
 */
import { ByteReader, ByteWriter } from '../../shared/bytes.js';
import { MkaError, readFail } from '../errors.js';

export interface SetHeader {
  type: number;
  octet1: number;
  /** Octet 2 bits 7..4. */
  octet2High: number;
  bodyLength: number;
}

/** What a parameter-set module turns its object into, before header and padding. */
export interface EncodedSet {
  octet1: number;
  octet2High: number;
  body: Uint8Array;
}

/** One entry of the dispatch table: display name, decoder and encoder of one parameter set. */
export interface SetCodec<T> {
  readonly name: string;
  decode(header: SetHeader, body: Uint8Array): T;
  encode(set: T): EncodedSet;
}

/** Rounds a length up to the next multiple of 4. */
export function padded4(n: number): number {
  return (n + 3) & ~3;
}

/** Reads the 4-octet header. @throws MkaError('malformedMkpdu') when short. */
export function readSetHeader(r: ByteReader): SetHeader {
  const type = r.u8('parameter set type');
  const octet1 = r.u8('parameter set octet 1');
  const w = r.u16('parameter set body length');
  return { type, octet1, octet2High: w >> 12, bodyLength: w & 0x0fff };
}

/** Writes header, body and zero padding. @throws MkaError('invalidField') for a body over 4095 octets. */
export function writeSet(w: ByteWriter, type: number, e: EncodedSet): void {
  if (e.body.length > 0x0fff) throw new MkaError('invalidField', `parameter set ${type}: body of ${e.body.length} octets exceeds 4095`);
  w.u8(type).u8(e.octet1 & 0xff).u16(((e.octet2High & 0x0f) << 12) | e.body.length).bytes(e.body);
  w.zeros(padded4(e.body.length) - e.body.length);
}

/** @throws MkaError('malformedMkpdu') naming the set and field when `value` is not 0. */
export function requireZero(setName: string, field: string, value: number): void {
  if (value !== 0) throw new MkaError('malformedMkpdu', `${setName}: reserved ${field} is 0x${value.toString(16)}, expected 0`);
}

/** A reader over a parameter set body whose errors name the set. */
export function bodyReader(setName: string, body: Uint8Array): ByteReader {
  return new ByteReader(body, readFail(setName));
}

/** @throws MkaError('invalidField') unless `v` is an integer in [0, max]. */
export function checkRange(setName: string, field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new MkaError('invalidField', `${setName}: ${field} ${v} out of range 0..${max}`);
  }
}

/** @throws MkaError('invalidField') unless `b` has exactly `n` octets. */
export function checkLength(setName: string, field: string, b: Uint8Array, n: number): void {
  if (b.length !== n) throw new MkaError('invalidField', `${setName}: ${field} has ${b.length} octets, expected ${n}`);
}
