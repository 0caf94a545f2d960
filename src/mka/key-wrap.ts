/**
 * SAK (and CAK) transport: RFC 3394 AES Key Wrap with the default IV
 * A6A6A6A6A6A6A6A6 under the KEK (802.1X-2020 9.8.1, 11.11.3). The AES key
 * size follows the KEK, not the wrapped key: a 256-bit CAK gives a 256-bit KEK
 * that wraps a 128-bit SAK with AES-256 (docs/mka-decisions.md §3; test/vectors/captures/keys.json).
 *
 * @example
 * const wrapped = wrapKey(kek, sak);     // |sak| + 8 octets
 * const sak2 = unwrapKey(kek, wrapped);  // Secret 'SAK'
 */
import { aeskw } from '@noble/ciphers/aes.js';
import { Secret } from '../shared/secret.js';
import { MkaError } from './errors.js';

function kekBytes(kek: Secret | Uint8Array): Uint8Array {
  const k = kek instanceof Secret ? kek.expose() : kek;
  if (k.length !== 16 && k.length !== 32) throw new MkaError('invalidKey', `KEK: expected 16 or 32 octets, got ${k.length}`);
  return k;
}

/**
 * Wraps a 16- or 32-octet key.
 * @throws MkaError('invalidKey') for a KEK or key of another length.
 */
export function wrapKey(kek: Secret | Uint8Array, key: Secret | Uint8Array): Uint8Array {
  const k = key instanceof Secret ? key.expose() : key;
  if (k.length !== 16 && k.length !== 32) throw new MkaError('invalidKey', `key to wrap: expected 16 or 32 octets, got ${k.length}`);
  return aeskw(kekBytes(kek)).encrypt(k);
}

/**
 * Unwraps a 24- or 40-octet wrapped key.
 * @param kind label of the returned {@link Secret} ('SAK' by default).
 * @throws MkaError('invalidKey') for a bad length; MkaError('unwrapFailed')
 *   when the integrity check value does not come out as A6A6A6A6A6A6A6A6.
 */
export function unwrapKey(kek: Secret | Uint8Array, wrapped: Uint8Array, kind = 'SAK'): Secret {
  if (wrapped.length !== 24 && wrapped.length !== 40) {
    throw new MkaError('invalidKey', `wrapped key: expected 24 or 40 octets, got ${wrapped.length}`);
  }
  let plain: Uint8Array;
  try {
    plain = aeskw(kekBytes(kek)).decrypt(wrapped);
  } catch (e) {
    throw new MkaError('unwrapFailed', `AES key unwrap of a ${wrapped.length}-octet ${kind}: integrity check failed (wrong KEK?)`, { cause: e });
  }
  const s = new Secret(plain, kind);
  plain.fill(0);
  return s;
}
