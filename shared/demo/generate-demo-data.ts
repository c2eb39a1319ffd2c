import { demoRows, type DemoDataOptions } from './demo-rows.js';

/**
 * Demo audit logs and Kubernetes Events as `event_json` strings, deterministic
 * for a seed. Holds everything in memory: for large counts stream
 * {@link demoRows} instead (as loadDemoData does).
 */
export function generateDemoData(opts: DemoDataOptions): { auditLogs: string[]; k8sEvents: string[] } {
  const auditLogs: string[] = [];
  const k8sEvents: string[] = [];
  for (const row of demoRows(opts)) (row.source === 'audit' ? auditLogs : k8sEvents).push(row.json);
  return { auditLogs, k8sEvents };
}
