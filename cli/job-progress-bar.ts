import cliProgress from 'cli-progress';
import type { ReindexJob } from '../shared/api/reindex-job.js';

export interface JobProgressBar {
  update(job: ReindexJob): void;
  stop(): void;
}

/**
 * Events done / total, activities, errors, rate and ETA on stderr, so that
 * stdout stays clean for --json. Off a terminal it prints a line every few
 * seconds instead of redrawing.
 */
export function createJobProgressBar(stream: NodeJS.WriteStream = process.stderr): JobProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      // The status's own percent, rate and estimate: the same numbers as the status page and kubectl.
      format: '{phase} [{bar}] {percent}% | {value}/{total} events | {activities} activities | {errors} errors | {rate} ev/s | ETA {eta_time}',
      barsize: 30,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const payload = (job: ReindexJob) => {
    const p = job.status?.progress;
    const eta = job.status?.estimatedCompletionTime;
    const left = eta ? Math.round((Date.parse(eta) - Date.now()) / 1000) : undefined;
    return {
      phase: (job.status?.phase ?? 'Pending').padEnd(9),
      percent: p?.percent ?? 0,
      activities: p?.activitiesGenerated ?? 0,
      errors: p?.errors ?? 0,
      rate: Math.round(job.status?.eventsPerSecond ?? 0),
      // Never an estimate in the past for a running job: its last windows are finishing.
      eta_time: job.status?.phase !== 'Running' || left === undefined ? '-' : left > 0 ? `${left}s` : 'finishing…',
    };
  };
  return {
    update(job) {
      const total = job.status?.progress?.totalEvents ?? 0;
      const done = job.status?.progress?.processedEvents ?? 0;
      // Nothing to draw until the controller has planned the job and knows its total.
      if (!started && !job.status?.progress) return;
      if (!started) {
        bar.start(Math.max(total, 1), done, payload(job));
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(done, payload(job));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
