import { ReindexError } from './reindex-error.js';

/** ClickHouse or NATS did not answer: 503, so the broker retries the window. */
export class UnavailableError extends ReindexError {
  override name = 'UnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super(503, message, options);
  }
}
