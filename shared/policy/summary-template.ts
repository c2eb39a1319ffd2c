import { formatGoValue } from './format-go-value.js';
import type { CelProgram } from './cel-environment.js';

// Go's regexp: `\s` is [\t\n\f\r ] and `.` is anything but \n (JS's `.` also
// stops at \r and U+2028/9). A placeholder whose expression spans lines
// therefore never matches and stays in the text verbatim.
const PLACEHOLDER = /\{\{[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*\}\}/g;

export interface Placeholder {
  expression: string;
}

/** Literal text and placeholders, in order. */
export type TemplatePart = string | Placeholder;

export function parseSummaryTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push({ expression: m[1].trim() });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

export type CompiledPart = string | { expression: string; program: CelProgram };

/** A placeholder that failed while rendering; names its expression. */
export class SummaryRenderError extends Error {
  override name = 'SummaryRenderError';
  constructor(readonly expression: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Evaluates placeholders left to right and formats each value as Go's `%v`.
 * Replaced text is never scanned again.
 */
export function renderSummary(parts: readonly CompiledPart[], variables: object, describe: (err: unknown) => string): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    let value: unknown;
    try {
      value = part.program(variables);
    } catch (err) {
      throw new SummaryRenderError(part.expression, describe(err), { cause: err });
    }
    out += formatGoValue(value);
  }
  return out;
}
