import { ReindexError } from './reindex-error.js';

export class InvalidEventError extends ReindexError {
  override name = 'InvalidEventError';
  /** The CloudEvent attribute at fault, when one is (named in the 400 answer too). */
  readonly attribute?: string;
  constructor(message: string, options?: ErrorOptions & { attribute?: string }) {
    super(400, message, options);
    if (options?.attribute !== undefined) this.attribute = options.attribute;
  }
}
