/**
 * The SecY layer's error: configuration mistakes and malformed input found at
 * the public edge. Per-frame outcomes are not errors: `SecY.validate` returns
 * a verdict instead of throwing.
 */
import { DxlabError } from '../shared/errors.js';

export type MacsecErrorCode =
  | 'invalidKey'
  | 'invalidSci'
  | 'invalidAn'
  | 'invalidPn'
  | 'invalidSalt'
  | 'invalidSsci'
  | 'unknownCipherSuite'
  | 'unsupportedOffset'
  | 'noSuchSc'
  | 'noSuchSa'
  | 'malformedFrame';

export class MacsecError extends DxlabError<MacsecErrorCode> {
  override readonly name = 'MacsecError';
}
