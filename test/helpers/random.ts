/**
 * The tests' one deterministic generator (xorshift32), so that a fuzz failure
 * or a KaY run can be replayed from its seed. Three views of the same
 * stream: 32-bit integers, numbers in [0, 1) for choosing mutations, octets
 * for the KaY's injected `random(n)` (MIs, SAKs, key numbers).
 */

/** Unsigned 32-bit integers from `seed`. */
export function seededUint32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** Numbers in [0, 1) from `seed`. */
export function seededRandom(seed: number): () => number {
  const next = seededUint32(seed);
  return () => next() / 4294967296;
}

/** A `random(n)` for the KaY: `n` octets at a time from `seed`. */
export function seededOctets(seed: number): (n: number) => Uint8Array {
  const next = seededUint32(seed);
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = next() & 0xff;
    return out;
  };
}
