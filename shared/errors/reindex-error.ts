// Failures we expect carry an HTTP status, and the status carries Knative's
// retry meaning: the Broker does not retry 400/401/413 and redelivers 5xx.
export class ReindexError extends Error {
  override name = 'ReindexError';
  constructor(
    readonly status: 400 | 401 | 404 | 413 | 503,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
  get retryable(): boolean {
    return this.status >= 500;
  }
}
