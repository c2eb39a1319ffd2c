/** `FROM` target for a table bound through {@link tableParams}. */
export const TABLE = '{db:Identifier}.{table:Identifier}';

/**
 * Query parameters naming a configurable `database.table`, so even table
 * names reach the server as parameters, never as SQL text.
 */
export function tableParams(qualified: string): { db: string; table: string } {
  const dot = qualified.indexOf('.');
  if (dot <= 0 || dot === qualified.length - 1) {
    throw new Error(`Table name ${JSON.stringify(qualified)} must be qualified as <database>.<table>`);
  }
  return { db: qualified.slice(0, dot), table: qualified.slice(dot + 1) };
}

/**
 * `INSERT INTO` cannot take parameters, so a table name used there is checked
 * to be a plain `database.table` first.
 */
export function checkedTableName(qualified: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(qualified)) {
    throw new Error(`Table name ${JSON.stringify(qualified)} must be a plain <database>.<table>`);
  }
  return qualified;
}
