/**
 * The one error base of every layer (STYLE §3): a `code` from the layer's
 * closed string union to branch on, a message naming the field and the value
 * seen, and an optional `cause` when an error from another layer is wrapped.
 * Each layer's class (`MacsecError`, `MkaError`, `BgpError`, `IoError`,
 * `NodeError`, `LabError`, `CliError`) is a few lines on it that name the
 * layer and its code union, so `instanceof` still tells the layers apart.
 *
 * @example
 * export class MkaError extends DxlabError<MkaErrorCode> {
 *   override readonly name = 'MkaError';
 * }
 */
export class DxlabError<Code extends string> extends Error {
  /**
   * @param code the condition found, from the layer's closed union.
   * @param message says which field and what value was seen, never key octets.
   * @param options.cause the error this one wraps, if any.
   */
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Errors of the shared helpers: documents every layer reads, such as the dxlab key file. */
export type FormatErrorCode = 'keyFile' | 'saSpec';

export class FormatError extends DxlabError<FormatErrorCode> {
  override readonly name = 'FormatError';
}
