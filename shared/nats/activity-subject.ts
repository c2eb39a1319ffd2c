import type { Activity } from '../api/activity.js';

/** Default subject prefix; the stream captures `<prefix>.>` (DESIGN.md §4.3). */
export const DEFAULT_SUBJECT_PREFIX = 'activities.reindex';

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

/**
 * The `Nats-Msg-Id` header: `<metadata.name>-<jobUid>`, e.g.
 * `act-3f2a9c0d1e4b-6f1c…`. The name is deterministic in the input and the
 * policy's resource, so a re-run window of the same job repeats its ids and
 * the stream drops the copies; a new job (new uid) publishes afresh and the
 * ReplacingMergeTree sink keeps the newest.
 */
export function activityMsgId(activity: Activity, jobUid: string): string {
  return `${activity.metadata.name}-${jobUid}`;
}
