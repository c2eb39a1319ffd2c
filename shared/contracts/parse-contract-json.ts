import type { z } from 'zod';

/** A stored contract (plan, emission record) that is not JSON or not of its shape. */
export class InvalidContractError extends Error {
  override name = 'InvalidContractError';
}

/**
 * `text` as JSON of `schema`, or an InvalidContractError naming `what` and
 * every issue by path (`root` names an issue of the whole value).
 */
export function parseContractJson<T>(schema: z.ZodType<T>, text: string, what: string, root: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidContractError(`${what} is not JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidContractError(`invalid ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.') || root}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
