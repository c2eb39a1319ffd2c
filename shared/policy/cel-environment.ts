import { Environment } from '@marcbachmann/cel-js';
import type { InputKind } from './evaluation-outcome.js';

/** A compiled CEL expression, called with the input's variables; `ast` is cel-js's parse tree. */
export type CelProgram = ((variables: object) => unknown) & { readonly ast?: unknown };

/**
 * The declared variables for each input kind: anything else is rejected at
 * compile time (an audit rule cannot read `event`, an event rule has no
 * `kind`; only an event rule has `source`). `link(text, ref)` is the only function added.
 */
export function createCelEnvironment(kind: InputKind, link: (text: string, ref: unknown) => string): Environment {
  // cel-go accepts mixed-type list and map literals; so must we.
  const env = new Environment({ homogeneousAggregateLiterals: false });
  if (kind === 'audit') {
    env.registerVariable('audit', 'map').registerVariable('kind', 'string');
  } else {
    // As the live processor declares it: map(string, string), always all four keys.
    env.registerVariable('event', 'map').registerVariable('source', 'map<string, string>');
  }
  return env
    .registerVariable('actor', 'string')
    .registerVariable('actorRef', 'map')
    .registerFunction('link(string, dyn): string', link);
}

/** The first line of a cel-js error; the rest is a source excerpt. */
export function celErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

/**
 * Parses and type-checks one expression. `allowed` are the output types it
 * may have (dyn always passes the check and is verified at run time).
 * Throws an Error whose message says what is wrong.
 */
export function compileCel(env: Environment, expression: string, allowed: readonly string[]): CelProgram {
  const checked = env.check(expression);
  if (!checked.valid) throw new Error(celErrorMessage(checked.error));
  const type = String(checked.type);
  if (!allowed.includes(type) && type !== 'dyn') {
    throw new Error(`expression has type ${type}, want ${allowed.join(' or ')}`);
  }
  return env.parse(expression) as CelProgram;
}
