/**
 * Fills a migration's placeholders for the target: `{{ON_CLUSTER}}` and the
 * `{{REPLICATED}}` engine prefix are empty on a single node, and become
 * `ON CLUSTER \`name\`` and `Replicated` on a cluster. Replicated engines take
 * no arguments: the server's default_replica_path/name settings apply.
 */
export function renderMigration(sql: string, cluster?: string): string {
  if (cluster !== undefined && !/^[A-Za-z0-9_.-]+$/.test(cluster)) {
    throw new Error(`Invalid cluster name ${JSON.stringify(cluster)}: use letters, digits, '_', '.', '-'`);
  }
  return sql
    .replaceAll('{{ON_CLUSTER}}', cluster ? `ON CLUSTER \`${cluster}\`` : '')
    .replaceAll('{{REPLICATED}}', cluster ? 'Replicated' : '');
}
