/**
 * The link aggregation layer's one error class (STYLE §3). A malformed
 * LACPDU or Marker PDU arriving on a port is not thrown to the caller: the
 * {@link Lag} catches its own `LacpError`, moves `illegalRx` or `unknownRx`
 * (802.1AX-2014 7.3.3.1) and goes on. The codecs and the configuration check
 * throw it at the public edge.
 */
import { truncationError } from '../shared/bytes.js';
import { DxlabError } from '../shared/errors.js';

export type LacpErrorCode =
  /** Not a Slow Protocols frame, or a subtype other than LACP (1) and Marker (2): counted as unknownRx. */
  | 'notSlowProtocol'
  /** Structure broken: a length, a version, a TLV type, a truncated field: counted as illegalRx. */
  | 'malformedPdu'
  /** A value that cannot be encoded (a field out of range in an object to encode). */
  | 'invalidField'
  /** LAG configuration rejected. */
  | 'invalidConfig';

export class LacpError extends DxlabError<LacpErrorCode> {
  override readonly name = 'LacpError';
}

/** A {@link ByteReader} failure factory that produces `malformedPdu` errors. */
export function readFail(where: string) {
  return truncationError(where, (message) => new LacpError('malformedPdu', message));
}
