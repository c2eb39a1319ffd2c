import { ReindexError } from './reindex-error.js';

/** A window event without a valid signature: 401, not retried, nothing processed. */
export class UnauthorizedEventError extends ReindexError {
  override name = 'UnauthorizedEventError';
  constructor(message: string, options?: ErrorOptions) {
    super(401, message, options);
  }
}
