/** Bad command-line usage: exit status 2, one line on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}
