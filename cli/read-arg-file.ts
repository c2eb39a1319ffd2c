import { readFile } from 'node:fs/promises';
import { UsageError } from './usage-error.js';

/** Reads a file named on the command line; one that cannot be read is a bad argument (exit 2), not a failed run. */
export async function readArgFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
