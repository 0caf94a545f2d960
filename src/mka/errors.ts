/**
 * The MKA layer's one error class (STYLE §3). Per-MKPDU outcomes in the KaY
 * are not thrown to the caller: the KaY catches its own `MkaError`s, moves the
 * OpenConfig counter that names the failure and goes on. The codec, the key
 * functions and configuration checks throw it at the public edge.
 *
 * Messages name the field, the offset and the value seen, never key octets.
 */
import { truncationError } from '../shared/bytes.js';
import { DxlabError } from '../shared/errors.js';

export type MkaErrorCode =
  /** Not an EAPOL-MKA frame at all (EtherType or EAPOL packet type). */
  | 'notMkpdu'
  /** Structure broken: a length, a version, a reserved bit, a truncated field. */
  | 'malformedMkpdu'
  /** A value that cannot be encoded (out of range field in an object to encode). */
  | 'invalidField'
  /** A key of the wrong length (CAK, ICK, KEK, SAK) or a CKN outside 1..32 octets. */
  | 'invalidKey'
  /** AES key unwrap failed its integrity check (wrong KEK or damaged data). */
  | 'unwrapFailed'
  /** KaY configuration rejected. */
  | 'invalidConfig'
  /** A pair added to a key chain that holds three already (AWS: a key chain of up to three pairs, directconnect-api.md V7). */
  | 'keyChainFull'
  /** A CKN already in the key chain given again (AWS: an associated key cannot be modified, directconnect-api.md V6). */
  | 'keyAlreadyAssociated';

export class MkaError extends DxlabError<MkaErrorCode> {
  override readonly name = 'MkaError';
}

/** A {@link ByteReader} failure factory that produces `malformedMkpdu` errors. */
export function readFail(where: string) {
  return truncationError(where, (message) => new MkaError('malformedMkpdu', message));
}
