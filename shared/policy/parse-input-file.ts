/**
 * Inputs from a file's text: one JSON object, a JSON array of them, or JSON
 * lines (one object per line, blank lines ignored). Errors name the line.
 */
export function parseInputs(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const whole: unknown = JSON.parse(trimmed);
    return Array.isArray(whole) ? whole : [whole];
  } catch {
    // Not one JSON value: read it as JSON lines.
  }
  const inputs: unknown[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      inputs.push(JSON.parse(line));
    } catch (err) {
      throw new Error(`line ${i + 1}: invalid JSON: ${(err as Error).message}`);
    }
  }
  return inputs;
}
