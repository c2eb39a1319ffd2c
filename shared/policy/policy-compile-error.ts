/**
 * A rule expression that does not compile or type-check. Fatal for a job:
 * DESIGN.md §5 fails it before any window is emitted, naming policy and rule.
 */
export class PolicyCompileError extends Error {
  override name = 'PolicyCompileError';
  constructor(
    readonly policy: string,
    readonly rule: string,
    readonly expression: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`policy ${JSON.stringify(policy)} rule ${JSON.stringify(rule)}: expression ${JSON.stringify(expression)}: ${reason}`, options);
  }
}
