/** The lab runtime's error: host resources it could not create or remove. */
export type LabErrorCode = 'badName' | 'badKey' | 'exists' | 'notFound' | 'host' | 'timeout' | 'process' | 'topology';

export class LabError extends Error {
  override readonly name = 'LabError';

  constructor(
    readonly code: LabErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
