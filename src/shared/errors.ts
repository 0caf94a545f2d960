/**
 * Errors of the shared helpers: documents every layer reads, such as the
 * dxlab key file.
 */
export type FormatErrorCode = 'keyFile' | 'saSpec';

export class FormatError extends Error {
  override readonly name = 'FormatError';

  constructor(
    readonly code: FormatErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
