/**
 * One input the engine cannot use (a field of the wrong type, no usable
 * timestamp): counted as an error for that input, never fatal for a window.
 */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}
