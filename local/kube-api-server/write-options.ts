// The query parameters of a write (dryRun, fieldValidation, fieldManager,
// force) and what the server does with unknown fields before storing.
import type { IncomingMessage } from 'node:http';
import { pruneUnknownFields } from './crd-schema.js';
import type { KubeObject } from './object-store.js';
import type { ServedResource } from './resource-table.js';
import { StatusError } from './status-error.js';

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: 'Ignore' | 'Warn' | 'Strict';
  /** Who makes the change: `fieldManager`, else the User-Agent's product, as the real server derives it. */
  fieldManager: string;
  /** Whether the request named its manager (an apply must). */
  fieldManagerGiven: boolean;
  force: boolean;
}

export function writeOptions(url: URL, req: IncomingMessage): WriteOptions {
  const dryRun = url.searchParams.getAll('dryRun');
  for (const d of dryRun) if (d !== 'All') throw new StatusError('BadRequest', `dryRun: Unsupported value: "${d}": supported values: "All"`);
  const validation = url.searchParams.get('fieldValidation') ?? 'Warn';
  if (validation !== 'Ignore' && validation !== 'Warn' && validation !== 'Strict') {
    throw new StatusError('BadRequest', `fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`);
  }
  const manager = url.searchParams.get('fieldManager');
  const agent = (req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown';
  return { dryRun: dryRun.length > 0, fieldValidation: validation, fieldManager: manager ?? agent, fieldManagerGiven: manager !== null, force: url.searchParams.get('force') === 'true' };
}

/**
 * Drops the fields the CRD schema does not declare: Strict refuses the
 * write naming them, Warn adds one warning per field, Ignore says nothing.
 */
export function pruneForWrite(r: ServedResource, obj: KubeObject, validation: WriteOptions['fieldValidation'], warnings: string[]): void {
  if (!r.schema) return;
  const unknown = pruneUnknownFields(r.schema, obj);
  if (unknown.length === 0 || validation === 'Ignore') return;
  const said = unknown.map((f) => `unknown field "${f}"`);
  if (validation === 'Strict') throw new StatusError('BadRequest', `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${said.join(', ')}`);
  warnings.push(...said);
}
