/**
 * The command line's error. `usage` (exit status 2): the arguments or an
 * input file named on the command line are wrong. `failed` (exit status 1):
 * the arguments were fine but the operation did not succeed.
 */
import { DxlabError } from '../shared/errors.js';

export type CliErrorCode = 'usage' | 'failed';

export class CliError extends DxlabError<CliErrorCode> {
  override readonly name = 'CliError';
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
