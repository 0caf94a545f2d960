/** The web view's error: a refused request, with the HTTP status it answers. */
import { DxlabError } from '../shared/errors.js';

export type WebErrorCode = 'forbidden' | 'badRequest' | 'notFound' | 'failed';

const STATUS: Record<WebErrorCode, number> = { forbidden: 403, badRequest: 400, notFound: 404, failed: 502 };

export class WebError extends DxlabError<WebErrorCode> {
  override readonly name = 'WebError';

  /** The HTTP status of the answer. */
  get status(): number {
    return STATUS[this.code];
  }
}
