// Checks on CustomResourceDefinition schemas used by the manifest tests:
// Kubernetes' structural-schema rules, and validation of an object against
// the openAPIV3Schema the way the API server does it (value validations
// through ajv, then the x-kubernetes-validations CEL rules through cel-js).
import { Ajv } from 'ajv';
import { evaluate } from '@marcbachmann/cel-js';

type Node = Record<string, any>;

const VALUE_ONLY_FORBIDDEN = ['type', 'additionalProperties', 'default', 'nullable', 'description', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource'];

/**
 * Violations of the structural-schema rules
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema):
 * every node has a type unless it is int-or-string or preserves unknown
 * fields; properties and additionalProperties are exclusive; inside
 * allOf/anyOf/oneOf/not only value validations; metadata at the root
 * restricts nothing but name and generateName.
 */
export function structuralProblems(node: Node, path = '', inLogic = false): string[] {
  const problems: string[] = [];
  if (node === null || typeof node !== 'object') return [`${path}: not a schema`];
  if (inLogic) {
    for (const key of VALUE_ONLY_FORBIDDEN) if (key in node) problems.push(`${path}: ${key} inside allOf/anyOf/oneOf/not`);
  } else if (!node.type && !node['x-kubernetes-int-or-string'] && !node['x-kubernetes-preserve-unknown-fields']) {
    problems.push(`${path || '<root>'}: no type`);
  }
  if (node.properties && node.additionalProperties !== undefined && node.additionalProperties !== false) {
    problems.push(`${path}: both properties and additionalProperties`);
  }
  if (node['x-kubernetes-int-or-string'] && node.type) problems.push(`${path}: int-or-string with a type`);
  if (node.type === 'array' && !inLogic && (node.items === undefined || Array.isArray(node.items))) problems.push(`${path}: array without one items schema`);
  for (const [name, child] of Object.entries<Node>(node.properties ?? {})) problems.push(...structuralProblems(child, `${path}.${name}`, inLogic));
  if (node.items && !Array.isArray(node.items)) problems.push(...structuralProblems(node.items, `${path}[]`, inLogic));
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    problems.push(...structuralProblems(node.additionalProperties, `${path}{}`, inLogic));
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    // The one exception Kubernetes allows: int-or-string spelled out as anyOf/allOf of the two types.
    if (node['x-kubernetes-int-or-string'] && key !== 'oneOf' && isIntOrStringPair(node[key])) continue;
    for (const [i, child] of (node[key] ?? []).entries()) problems.push(...structuralProblems(child, `${path}.${key}[${i}]`, true));
  }
  if (node.not) problems.push(...structuralProblems(node.not, `${path}.not`, true));
  return problems;
}

function isIntOrStringPair(list: Node[] | undefined): boolean {
  if (!Array.isArray(list) || list.length !== 2) return false;
  const types = list.map((n) => n.type).sort();
  return types[0] === 'integer' && types[1] === 'string' && list.every((n) => Object.keys(n).length === 1);
}

/** Root `metadata` may only restrict name and generateName. */
export function metadataProblems(root: Node): string[] {
  const metadata = root.properties?.metadata;
  if (!metadata) return [];
  const extra = Object.keys(metadata.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
  return extra.length > 0 ? [`metadata restricts ${extra.join(', ')}`] : [];
}

/** OpenAPI v3.0 as written in a CRD → JSON Schema ajv understands. */
function toJsonSchema(node: any): any {
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries<any>(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable' || key === 'description' || key === 'format' || key === 'default') continue;
    if (key === 'properties') out.properties = Object.fromEntries(Object.entries<any>(value).map(([k, v]) => [k, toJsonSchema(v)]));
    else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof value === 'object')) out[key] = toJsonSchema(value);
    else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') out[key] = value.map(toJsonSchema);
    else out[key] = value;
  }
  if (node['x-kubernetes-int-or-string'] && !out.type && !out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (node.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

type Rule = { rule: string; message?: string };

function celProblems(node: Node, value: unknown, path: string): string[] {
  if (node === null || typeof node !== 'object' || value === undefined || value === null) return [];
  const problems: string[] = [];
  for (const rule of (node['x-kubernetes-validations'] ?? []) as Rule[]) {
    let ok: unknown;
    try {
      ok = evaluate(rule.rule, { self: value });
    } catch (err) {
      ok = `error: ${(err as Error).message}`;
    }
    if (ok !== true) problems.push(`${path || '<root>'}: ${rule.message ?? rule.rule} (${String(ok)})`);
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [name, child] of Object.entries<Node>(node.properties ?? {})) {
      problems.push(...celProblems(child, (value as Record<string, unknown>)[name], `${path}.${name}`));
    }
  }
  if (Array.isArray(value) && node.items) value.forEach((item, i) => problems.push(...celProblems(node.items, item, `${path}[${i}]`)));
  return problems;
}

/** Everything the API server would reject in `obj` under this schema; empty when it would accept it. */
export function schemaProblems(openAPIV3Schema: Node, obj: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(toJsonSchema(openAPIV3Schema));
  const problems = validate(obj) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '<root>'} ${e.message ?? 'invalid'}`);
  return [...problems, ...celProblems(openAPIV3Schema, obj, '')];
}
