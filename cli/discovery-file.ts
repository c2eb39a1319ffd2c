import type { DiscoveryTable } from '../shared/api/activity-policy.js';
import { readArgFile } from './read-arg-file.js';

/** `--discovery <file>`: a JSON object of `"<group>/<plural>": "Kind"`. */
export async function readDiscoveryFile(path: string): Promise<DiscoveryTable> {
  const text = await readArgFile('--discovery', path);
  let table: unknown;
  try {
    table = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: invalid JSON: ${(err as Error).message}`);
  }
  if (typeof table !== 'object' || table === null || Array.isArray(table) || Object.values(table).some((v) => typeof v !== 'string')) {
    throw new Error(`${path}: expected a JSON object of "<group>/<plural>": "Kind"`);
  }
  return table as DiscoveryTable;
}
