// What a real API server does with a CRD's openAPIV3Schema on a write, in
// small: apply the defaults, check the value validations, and evaluate the
// `x-kubernetes-validations` CEL rules. Pruning of unknown fields is left out.
import { Ajv, type ErrorObject } from 'ajv';
import { evaluate } from '@marcbachmann/cel-js';

export interface Cause {
  field: string;
  message: string;
}

export type SchemaCheck = (obj: Record<string, unknown>) => Cause[];

/** OpenAPI v3.0 as Kubernetes writes it → JSON Schema (draft-07) that ajv understands. */
export function toJsonSchema(node: any): any {
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries<any>(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'format' || key === 'nullable' || key === 'description') continue;
    if (key === 'properties') out.properties = Object.fromEntries(Object.entries<any>(value).map(([k, v]) => [k, toJsonSchema(v)]));
    else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof value === 'object')) out[key] = toJsonSchema(value);
    else if (key === 'anyOf' || key === 'allOf' || key === 'oneOf') out[key] = value.map(toJsonSchema);
    else out[key] = value;
  }
  // OpenAPI 3.0 spells exclusive bounds as booleans beside minimum/maximum.
  if (out.exclusiveMinimum === true) { out.exclusiveMinimum = out.minimum; delete out.minimum; } else if (out.exclusiveMinimum === false) delete out.exclusiveMinimum;
  if (out.exclusiveMaximum === true) { out.exclusiveMaximum = out.maximum; delete out.maximum; } else if (out.exclusiveMaximum === false) delete out.exclusiveMaximum;
  if (node['x-kubernetes-int-or-string'] && !out.anyOf && !out.type) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (node.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

function fieldOf(path: string): string {
  return path.split('/').filter(Boolean).join('.');
}

function causeOf(e: ErrorObject): Cause {
  let field = fieldOf(e.instancePath);
  if (e.keyword === 'required') field = [field, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
  return { field, message: `${field || '<root>'}: ${e.message ?? 'invalid'}` };
}

type Rule = { rule: string; message?: string; messageExpression?: string; fieldPath?: string };

/** Every `x-kubernetes-validations` rule, evaluated with `self` bound to the node's value when the value is present. */
function celCauses(schema: any, value: unknown, path: string[]): Cause[] {
  if (schema === null || typeof schema !== 'object' || value === undefined) return [];
  const causes: Cause[] = [];
  for (const rule of (schema['x-kubernetes-validations'] ?? []) as Rule[]) {
    const field = [...path, ...(rule.fieldPath ? rule.fieldPath.replace(/^\./, '').split('.') : [])].join('.');
    let ok: unknown;
    try {
      ok = evaluate(rule.rule, { self: value });
    } catch (err) {
      ok = false;
      if (!rule.message) rule.message = `rule "${rule.rule}" could not be evaluated: ${(err as Error).message}`;
    }
    if (ok !== true) causes.push({ field, message: `${field || '<root>'}: Invalid value: ${rule.message ?? `failed rule: ${rule.rule}`}` });
  }
  if (schema.properties && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, sub] of Object.entries<any>(schema.properties)) causes.push(...celCauses(sub, (value as any)[key], [...path, key]));
  }
  if (schema.items && Array.isArray(value)) value.forEach((v, i) => causes.push(...celCauses(schema.items, v, [...path, `${i}`])));
  return causes;
}

export function compileSchema(openAPIV3Schema: Record<string, unknown>): SchemaCheck {
  const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
  const validate = ajv.compile(toJsonSchema(openAPIV3Schema));
  return (obj) => {
    // ajv applies the defaults as it validates; CEL rules then see the defaulted object.
    const ok = validate(obj);
    const causes = ok ? [] : (validate.errors ?? []).map(causeOf);
    return [...causes, ...celCauses(openAPIV3Schema, obj, [])];
  };
}
