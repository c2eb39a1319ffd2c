import { ReindexError } from './reindex-error.js';

export class InvalidEventError extends ReindexError {
  override name = 'InvalidEventError';
  constructor(message: string, options?: ErrorOptions) {
    super(400, message, options);
  }
}
