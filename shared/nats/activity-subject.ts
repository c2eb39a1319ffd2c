import type { Activity } from '../api/activity.js';

/** Default subject prefix; the stream captures `<prefix>.>` (DESIGN.md §4.3). */
export const DEFAULT_SUBJECT_PREFIX = 'activity_miloapis_com_reindex';

/**
 * One subject token: `.` would split the token and `*`, `>` and whitespace
 * are wildcards or illegal in NATS subjects, so `.` becomes `-` and anything
 * outside `[A-Za-z0-9_-]` becomes `_`.
 */
export function sanitizeSubjectToken(value: string | undefined, empty = 'unknown'): string {
  if (!value) return empty;
  return value.replaceAll('.', '-').replace(/[^A-Za-z0-9_-]/g, '_');
}

/** `<prefix>.<tenant type>.<api group or core>.<kind>` for one activity. */
export function activitySubject(activity: Activity, prefix = DEFAULT_SUBJECT_PREFIX): string {
  const { tenant, resource } = activity.spec;
  return [
    prefix,
    sanitizeSubjectToken(tenant?.type),
    sanitizeSubjectToken(resource?.apiGroup, 'core'),
    sanitizeSubjectToken(resource?.kind),
  ].join('.');
}
