// What a real API server does with a CRD's openAPIV3Schema on a write, in
// small: prune unknown fields, apply the defaults, check the value validations
// and evaluate the `x-kubernetes-validations` CEL rules, answering in the real
// server's words.
import { Ajv, type ErrorObject } from 'ajv';
import { evaluate } from '@marcbachmann/cel-js';

/** One cause of a 422, as in a metav1.Status: the message does not repeat the field. */
export interface Cause {
  field: string;
  reason: string;
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

/** A JSON pointer as the API server names a field: `spec.rules[0].match`. */
export function fieldPath(parts: readonly string[]): string {
  return parts.reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

/** Go's %v of a value in a field error: strings quoted, numbers bare. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? (Array.isArray(value) ? '"array"' : '"object"') : String(value);
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** ajv's error in the words of the real API server's OpenAPI validator (k8s.io/kube-openapi). */
function causeOf(e: ErrorObject): Cause | undefined {
  const parts = e.instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const f = fieldPath(parts);
  const p = e.params as Record<string, any>;
  const v = e.data;
  switch (e.keyword) {
    case 'required': {
      const field = fieldPath([...parts, p.missingProperty]);
      return { field, reason: 'FieldValueRequired', message: 'Required value' };
    }
    case 'minimum': case 'exclusiveMinimum':
      return { field: f, reason: 'FieldValueInvalid', message: `Invalid value: ${shown(v)}: ${f} in body should be greater than ${e.keyword === 'minimum' ? 'or equal to ' : ''}${p.limit}` };
    case 'maximum': case 'exclusiveMaximum':
      return { field: f, reason: 'FieldValueInvalid', message: `Invalid value: ${shown(v)}: ${f} in body should be less than ${e.keyword === 'maximum' ? 'or equal to ' : ''}${p.limit}` };
    case 'pattern':
      return { field: f, reason: 'FieldValueInvalid', message: `Invalid value: ${shown(v)}: ${f} in body should match '${p.pattern}'` };
    case 'enum':
      return { field: f, reason: 'FieldValueNotSupported', message: `Unsupported value: ${shown(v)}: supported values: ${(p.allowedValues as unknown[]).map((a) => JSON.stringify(String(a))).join(', ')}` };
    case 'type':
      return { field: f, reason: 'FieldValueTypeInvalid', message: `Invalid value: "${typeName(v)}": ${f} in body must be of type ${[p.type].flat().join(',')}: "${typeName(v)}"` };
    case 'minLength':
      return { field: f, reason: 'FieldValueInvalid', message: `Invalid value: ${shown(v)}: ${f} in body should be at least ${p.limit} chars long` };
    case 'maxLength':
      return { field: f, reason: 'FieldValueTooLong', message: `Too long: may not be more than ${p.limit} bytes` };
    case 'minItems':
      return { field: f, reason: 'FieldValueInvalid', message: `Invalid value: ${Array.isArray(v) ? v.length : 0}: ${f} in body should have at least ${p.limit} items` };
    case 'maxItems':
      return { field: f, reason: 'FieldValueTooMany', message: `Too many: ${Array.isArray(v) ? v.length : 0}: must have at most ${p.limit} items` };
    case 'anyOf': case 'oneOf':
      return undefined; // its branches' errors say what is wrong
    default:
      return { field: f, reason: 'FieldValueInvalid', message: `Invalid value: ${shown(v)}: ${e.message ?? 'invalid'}` };
  }
}

type Rule = { rule: string; message?: string; messageExpression?: string; fieldPath?: string; reason?: string };

/** The CEL type name the real server shows as the "value" of a failed rule. */
function celTypeName(value: unknown): string {
  const t = typeName(value);
  return t === 'array' ? 'array' : t === 'object' ? 'object' : t;
}

/** Every `x-kubernetes-validations` rule, evaluated with `self` bound to the node's value when the value is present. */
function celCauses(schema: any, value: unknown, path: string[]): Cause[] {
  if (schema === null || typeof schema !== 'object' || value === undefined) return [];
  const causes: Cause[] = [];
  for (const rule of (schema['x-kubernetes-validations'] ?? []) as Rule[]) {
    const field = fieldPath([...path, ...(rule.fieldPath ? rule.fieldPath.replace(/^\./, '').split('.') : [])]);
    let ok: unknown;
    let error: string | undefined;
    try {
      ok = evaluate(rule.rule, { self: value });
    } catch (err) {
      error = (err as Error).message;
    }
    if (error !== undefined) causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: "${celTypeName(value)}": rule evaluation error: ${error}` });
    else if (ok !== true) {
      const message = rule.message ?? `failed rule: ${rule.rule.trim()}`;
      causes.push({ field, reason: rule.reason ?? 'FieldValueInvalid', message: `Invalid value: "${celTypeName(value)}": ${message}` });
    }
  }
  if (schema.properties && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, sub] of Object.entries<any>(schema.properties)) causes.push(...celCauses(sub, (value as any)[key], [...path, key]));
  }
  if (schema.items && Array.isArray(value)) value.forEach((v, i) => causes.push(...celCauses(schema.items, v, [...path, `${i}`])));
  return causes;
}

/**
 * Drops the fields the structural schema does not declare, as the real
 * server does before validating, and returns their paths (`spec.foo`) for
 * fieldValidation: Strict refuses them, Warn names them in a Warning header.
 * The root's apiVersion, kind and metadata belong to the server.
 */
export function pruneUnknownFields(schema: any, value: unknown, path: string[] = []): string[] {
  if (!schema || typeof schema !== 'object' || schema['x-kubernetes-preserve-unknown-fields']) return [];
  const dropped: string[] = [];
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => dropped.push(...pruneUnknownFields(schema.items, v, [...path, `${i}`])));
    return dropped;
  }
  if (value === null || typeof value !== 'object') return dropped;
  const obj = value as Record<string, unknown>;
  if (schema.properties) {
    for (const key of Object.keys(obj)) {
      if (path.length === 0 && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const sub = schema.properties[key];
      if (sub) dropped.push(...pruneUnknownFields(sub, obj[key], [...path, key]));
      else if (!schema.additionalProperties) {
        delete obj[key];
        dropped.push(fieldPath([...path, key]));
      }
    }
  } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    for (const key of Object.keys(obj)) dropped.push(...pruneUnknownFields(schema.additionalProperties, obj[key], [...path, key]));
  }
  return dropped;
}

export function compileSchema(openAPIV3Schema: Record<string, unknown>): SchemaCheck {
  const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false, verbose: true });
  const validate = ajv.compile(toJsonSchema(openAPIV3Schema));
  return (obj) => {
    // ajv applies the defaults as it validates; CEL rules then see the defaulted object.
    const ok = validate(obj);
    const causes = ok ? [] : (validate.errors ?? []).map(causeOf).filter((c): c is Cause => c !== undefined);
    return [...causes, ...celCauses(openAPIV3Schema, obj, [])];
  };
}
