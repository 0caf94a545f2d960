/**
 * Key material (CAK, ICK, KEK, SAK) wrapped so that it cannot leak by
 * accident: `toString`, `toJSON` and `util.inspect` print a redaction, and
 * only an explicit {@link Secret.expose} (key export, crypto calls) gives the
 * octets back.
 *
 * @example
 * const cak = new Secret(fromHex(hex), 'CAK');
 * `${cak}`             // '[CAK redacted, 32 octets]'
 * cipher(cak.expose())  // the octets
 */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class Secret {
  readonly #bytes: Uint8Array;

  constructor(
    bytes: Uint8Array,
    readonly kind: string,
  ) {
    // A copy into a plain Uint8Array (Buffer#slice would alias the caller's memory).
    this.#bytes = new Uint8Array(bytes);
  }

  get length(): number {
    return this.#bytes.length;
  }

  /** The key octets. Call only to use the key or for an explicit export. */
  expose(): Uint8Array {
    return this.#bytes;
  }

  /** Zeroes the octets when the key retires (JavaScript guarantees no more than that). */
  destroy(): void {
    this.#bytes.fill(0);
  }

  toString(): string {
    return `[${this.kind} redacted, ${this.#bytes.length} octets]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [INSPECT](): string {
    return this.toString();
  }
}
