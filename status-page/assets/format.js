const number = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export const formatNumber = (n) => (n === undefined || n === null ? '—' : number.format(Math.round(n)));

export function formatRate(eps) {
  if (eps === undefined || eps === null) return '—';
  return `${compact.format(eps)} ev/s`;
}

/** "2h 3m", "4m 10s", "12s" */
export function formatDuration(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return '—';
  let s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/** Times in UTC: the audit log's own clock, the same for every operator. */
export function formatTime(iso, { seconds = true } = {}) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const text = d.toISOString().replace('T', ' ');
  return `${text.slice(0, seconds ? 19 : 16)} UTC`;
}

export function formatClock(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(11, 19);
}

export const age = (iso, nowIso) => (iso ? formatDuration(Date.parse(nowIso) - Date.parse(iso)) : '—');

// Never a time in the past for a running job: an estimate that has passed
// means the last windows are finishing, so say that.
export function eta(job, nowIso) {
  if (job.phase === 'Succeeded' || job.phase === 'Failed') return '—';
  if (job.phase === 'Suspended') return 'suspended';
  if (!job.estimatedCompletionTime) return '—';
  const ms = Date.parse(job.estimatedCompletionTime) - Date.parse(nowIso);
  if (ms < 1000) return job.phase === 'Running' ? 'finishing…' : '—';
  return `in ${formatDuration(ms)}`;
}

/** The error_type of a sample, in words. */
export const ERROR_KIND_LABEL = {
  evaluation: 'CEL error',
  malformed_row: 'Malformed row',
  no_origin_id: 'No origin id',
  activity_too_large: 'Activity too large',
};

export const STATE_LABEL = { pending: 'Pending', inflight: 'In flight', done: 'Done', failed: 'Failed' };
export const SOURCE_LABEL = { audit: 'Audit logs', event: 'Kubernetes Events', all: 'Windows' };
