// labelSelector query strings: `a=b`, `a==b`, `a!=b`,
// `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated (all must hold).
import { StatusError } from './status-error.js';

export type Matcher = (values: Record<string, string | undefined>) => boolean;

function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { terms.push(current.trim()); current = ''; } else current += ch;
  }
  if (current.trim()) terms.push(current.trim());
  return terms;
}

function term(text: string): Matcher {
  let m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(text);
  if (m) {
    const [, key, op, value] = m;
    return op === '!=' ? (v) => v[key] !== value : (v) => v[key] === value;
  }
  m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (m) {
    const [, key, op, list] = m;
    const set = new Set(list.split(',').map((s) => s.trim()));
    return op === 'in' ? (v) => v[key] !== undefined && set.has(v[key]!) : (v) => v[key] === undefined || !set.has(v[key]!);
  }
  m = /^(!?)([A-Za-z0-9_./-]+)$/.exec(text);
  if (m) {
    const [, not, key] = m;
    return not ? (v) => v[key] === undefined : (v) => v[key] !== undefined;
  }
  throw new StatusError('BadRequest', `unable to parse requirement: "${text}"`);
}

export function parseSelector(selector: string | null | undefined): Matcher {
  if (!selector) return () => true;
  const terms = splitTerms(selector).map(term);
  return (values) => terms.every((t) => t(values));
}
