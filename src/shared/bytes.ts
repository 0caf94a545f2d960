/**
 * Byte helpers shared by every codec: hex conversion, a bounds-checked reader
 * and a growable writer.
 *
 * Every pure API takes `Uint8Array`; frames handed up from sockets are often
 * slices of larger buffers, so views are always built from
 * `buffer, byteOffset, byteLength`.
 *
 * @example
 * const r = new ByteReader(bytes, (field, offset) => new MkaError('malformed', `${field} at ${offset}`));
 * const version = r.u8('version');
 */

/**
 * `b` as a plain Uint8Array over the same memory. Node's Buffer is a
 * Uint8Array whose `slice` aliases instead of copying; every pure API turns
 * its byte inputs into plain views first, so that `slice` copies everywhere.
 */
export function plainView(b: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Builds a DataView over exactly the octets of `b`, wherever its buffer starts. */
export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of `b`, no separators. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/**
 * Parses hex (upper or lower case; ':', '-', ' ' and '.' separators ignored).
 * @throws RangeError naming `what` when the text is not whole octets of hex.
 */
export function fromHex(hex: string, what = 'hex'): Uint8Array {
  const clean = hex.replace(/[\s:.-]/g, '');
  if (clean.length % 2 !== 0) throw new RangeError(`${what}: odd number of hex digits (${clean.length})`);
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new RangeError(`${what}: not hexadecimal`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const SLAB_SIZE = 64 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabOffset = 0;

/**
 * A new array for a per-frame output whose every octet the caller writes at
 * once. Carved from 64 KiB slabs, because `new Uint8Array(1500)` costs about
 * 0.9 us (a zeroed backing store each) and `Buffer.allocUnsafe` about 0.2 us,
 * against 0.1 us here (bench/secy.ts). Arrays larger than half a slab get
 * their own memory.
 *
 * Why the slabs are never cleared (the only callers are SecY.protect,
 * SecY.validate and strip() in src/macsec/secy.ts: frames, never keys):
 *
 * - No region is handed out twice. The offset only grows and a full slab is
 *   replaced by a fresh `ArrayBuffer`, which the engine zero-fills (ECMA-262
 *   CreateByteDataBlock). So an array starts as zeros, never as another
 *   frame's octets: unlike `Buffer.allocUnsafe`'s shared pool or a C
 *   allocator, nothing here hands old cleartext to a new owner.
 * - Who else can read a slab: only code in this node process that holds an
 *   array carved from it and reads past its view through `.buffer`. Every
 *   consumer of a frame works on (buffer, byteOffset, byteLength): the
 *   addon's sendmmsg copies each frame into the kernel, the capture writer
 *   copies it into a pcapng block, the memory wire sends a copy; no
 *   `.buffer` read in src/ touches an array from here.
 * - For how long: a slab lives while any array carved from it is reachable.
 *   Frames are delivered (copied out) in the pass that decrypted them, so a
 *   full slab becomes garbage at once; the current slab stays reachable
 *   through `slab` until the next frames fill it, so up to 64 KiB of the
 *   latest frames stay in memory while the port is quiet.
 * - Clearing would not remove the cleartext from the machine: V8 frees a
 *   backing store without zeroing it (as it would a per-frame array), the
 *   same octets sit in the kernel's TAP queue and the namespace's sockets,
 *   and they are the controlled port's data, which the node hands to its
 *   TAP in the clear anyway. Key material (CAK, ICK, KEK, SAK) lives in
 *   `Secret`s and the SAs, is zeroed when it retires, and never passes
 *   through here. A frame whose ICV fails leaves its unverified decryption
 *   in the slab: octets the peer (or an attacker) sent, which go nowhere.
 *   Zeroing each frame after delivery would cost per frame what the slab saves.
 */
export function allocUninit(n: number): Uint8Array {
  if (n > SLAB_SIZE / 2) return new Uint8Array(n);
  if (slabOffset + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabOffset = 0;
  }
  const out = new Uint8Array(slab, slabOffset, n);
  // Keep the next array 8-aligned, as DataView and native code prefer.
  slabOffset += (n + 7) & ~7;
  return out;
}

/** Concatenates byte arrays into a new array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Octet-wise equality. Not constant time: use {@link constantTimeEqual} for tags. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Equality whose time depends only on the length, for ICV comparison. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Formats a 6-octet MAC address as aa:bb:cc:dd:ee:ff. */
export function macToString(mac: Uint8Array): string {
  return Array.from(mac.subarray(0, 6), (x) => HEX[x]).join(':');
}

/** Parses aa:bb:cc:dd:ee:ff (or 12 hex digits). @throws RangeError when not 6 octets. */
export function macFromString(s: string): Uint8Array {
  const b = fromHex(s, 'MAC address');
  if (b.length !== 6) throw new RangeError(`MAC address: expected 6 octets, got ${b.length}`);
  return b;
}

/** Called by {@link ByteReader} to build the caller's layer error. */
export type ReadErrorFactory = (field: string, offset: number, need: number, have: number) => Error;

/**
 * The usual {@link ReadErrorFactory}: "WHERE: FIELD at offset N needs K
 * octets, M left", as the error `make` builds (the layer's, with its code for
 * a malformed PDU).
 */
export function truncationError<E extends Error>(where: string, make: (message: string) => E): (field: string, offset: number, need: number, have: number) => E {
  return (field, offset, need, have) => make(`${where}: ${field} at offset ${offset} needs ${need} octets, ${have} left`);
}

/**
 * Bounds-checked big-endian reader. Every read names its field so that a short
 * input turns into the caller's layer error with field and offset, never into
 * `undefined` or a bare RangeError.
 */
export class ByteReader {
  private readonly dv: DataView;
  offset = 0;

  readonly bytes: Uint8Array;

  constructor(
    bytes: Uint8Array,
    private readonly fail: ReadErrorFactory,
  ) {
    this.bytes = plainView(bytes);
    this.dv = view(this.bytes);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** @throws the layer error when fewer than `n` octets remain. */
  need(n: number, field: string): void {
    if (n > this.remaining) throw this.fail(field, this.offset, n, this.remaining);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.dv.getUint8(this.offset++);
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.dv.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.dv.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.dv.getBigUint64(this.offset);
    this.offset += 8;
    return v;
  }

  /** A view (not a copy) of the next `n` octets. */
  bytesView(n: number, field: string): Uint8Array {
    this.need(n, field);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** A copy of the next `n` octets, so the decoded object never aliases its input. */
  copy(n: number, field: string): Uint8Array {
    return this.bytesView(n, field).slice();
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.offset += n;
  }
}

/** Growable big-endian writer. */
export class ByteWriter {
  private buf: Uint8Array;
  private dv: DataView;
  length = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.dv = view(this.buf);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.dv = view(next);
  }

  u8(v: number): this {
    this.ensure(1);
    this.dv.setUint8(this.length++, v);
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.dv.setUint16(this.length, v);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.dv.setUint32(this.length, v >>> 0);
    this.length += 4;
    return this;
  }

  u64(v: bigint): this {
    this.ensure(8);
    this.dv.setBigUint64(this.length, v);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }

  /** Overwrites a 16-bit value already written, for length fields known only later. */
  patchU16(at: number, v: number): void {
    this.dv.setUint16(at, v);
  }

  /** The written octets, copied. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
