import type { InputKind } from './evaluation-outcome.js';

/**
 * A plain-JS pre-check of a match expression: false only when the CEL match
 * certainly cannot be true, so the engine may skip evaluating it. Audit
 * guards see the normalized audit map, event guards the raw Event.
 */
export type MatchGuard = (input: Record<string, unknown>) => boolean;

// cel-js AST nodes, as far as the guards read them.
interface Node {
  op: string;
  args: unknown;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as Node).op === 'string';
}

// Normalization always sets these, as strings (ACTIVITY-FORMAT.md §2): an
// equality on them is false or true, never an error.
const AUDIT_REQUIRED = new Set(['level', 'auditID', 'stage', 'requestURI', 'verb']);
// objectRef is always a map of non-empty strings (absent when empty).
const OBJECT_REF_FIELDS = new Set(['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource']);
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** `root.field` → field, for `root` the input variable. */
function fieldOf(node: unknown, root: string): string | undefined {
  if (!isNode(node) || node.op !== '.' || !Array.isArray(node.args)) return undefined;
  const [target, field] = node.args as [unknown, unknown];
  if (!isNode(target) || target.op !== 'id' || target.args !== root || typeof field !== 'string') return undefined;
  return FIELD_NAME.test(field) ? field : undefined;
}

/** `audit.objectRef.field` → field. */
function objectRefFieldOf(node: unknown): string | undefined {
  if (!isNode(node) || node.op !== '.' || !Array.isArray(node.args)) return undefined;
  const [target, field] = node.args as [unknown, unknown];
  if (fieldOf(target, 'audit') !== 'objectRef' || typeof field !== 'string') return undefined;
  return OBJECT_REF_FIELDS.has(field) ? field : undefined;
}

function stringValue(node: unknown): string | undefined {
  return isNode(node) && node.op === 'value' && typeof node.args === 'string' ? node.args : undefined;
}

function stringList(node: unknown): string[] | undefined {
  if (!isNode(node) || node.op !== 'list' || !Array.isArray(node.args)) return undefined;
  const out: string[] = [];
  for (const item of node.args) {
    const s = stringValue(item);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

function own(map: unknown, key: string): unknown {
  return typeof map === 'object' && map !== null && Object.hasOwn(map, key) ? (map as Record<string, unknown>)[key] : undefined;
}

/**
 * A conjunct whose guard is false is certainly false, never an error: a
 * match error is counted (audit and event rules alike), so a guard must not
 * hide one.
 */
function conjunctGuard(node: Node, kind: InputKind): MatchGuard | undefined {
  const args = Array.isArray(node.args) ? (node.args as unknown[]) : [];
  if (node.op === '==' && args.length === 2) {
    const [a, b] = args;
    const [side, literal] = stringValue(b) !== undefined ? [a, stringValue(b)!] : [b, stringValue(a)];
    if (literal === undefined) return undefined;
    if (kind === 'event') {
      const field = fieldOf(side, 'event');
      // `regarding` is substituted for core v1 Events; leave it to CEL.
      if (field === undefined || field === 'regarding') return undefined;
      // Absent (or not a string), CEL may error, and that error is counted:
      // only a present, different string is certainly false.
      return (event) => {
        const v = own(event, field);
        return typeof v !== 'string' || v === literal;
      };
    }
    const field = fieldOf(side, 'audit');
    if (field !== undefined && AUDIT_REQUIRED.has(field)) return (audit) => audit[field] === literal;
    const refField = objectRefFieldOf(side);
    // Absent, the CEL comparison errors: only a present, different value is certainly false.
    if (refField !== undefined) {
      return (audit) => {
        const v = (audit.objectRef as Record<string, unknown>)[refField];
        return v === undefined || v === literal;
      };
    }
    return undefined;
  }
  if (node.op === 'in' && args.length === 2) {
    const list = stringList(args[1]);
    if (list === undefined) return undefined;
    if (kind === 'event') {
      const field = fieldOf(args[0], 'event');
      if (field === undefined || field === 'regarding') return undefined;
      return (event) => {
        const v = own(event, field);
        return typeof v !== 'string' || list.includes(v);
      };
    }
    const field = fieldOf(args[0], 'audit');
    if (field !== undefined && AUDIT_REQUIRED.has(field)) return (audit) => list.includes(audit[field] as string);
    return undefined;
  }
  if (node.op === 'call' && kind === 'audit' && Array.isArray(node.args) && node.args[0] === 'has') {
    const params = node.args[1];
    if (!Array.isArray(params) || params.length !== 1) return undefined;
    const refField = objectRefFieldOf(params[0]);
    if (refField === undefined) return undefined;
    return (audit) => (audit.objectRef as Record<string, unknown>)[refField] !== undefined;
  }
  return undefined;
}

function conjuncts(node: unknown, out: Node[]): void {
  if (!isNode(node)) return;
  if (node.op === '&&' && Array.isArray(node.args) && node.args.length === 2) {
    conjuncts(node.args[0], out);
    conjuncts(node.args[1], out);
  } else {
    out.push(node);
  }
}

/**
 * The guard of a parsed match expression, or undefined when none of its
 * top-level conjuncts has one. CEL's `&&` is false as soon as any conjunct
 * is false, whatever the others do (errors included), so one failing guard
 * settles the match without evaluating it.
 */
export function matchGuard(ast: unknown, kind: InputKind): MatchGuard | undefined {
  const nodes: Node[] = [];
  conjuncts(ast, nodes);
  const guards = nodes.map((n) => conjunctGuard(n, kind)).filter((g): g is MatchGuard => g !== undefined);
  if (guards.length === 0) return undefined;
  if (guards.length === 1) return guards[0];
  return (input) => {
    for (const g of guards) if (!g(input)) return false;
    return true;
  };
}
