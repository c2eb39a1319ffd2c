import type { ReindexJob } from '../shared/api/reindex-job.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';

/** A Kubernetes Event about a job, flattened to what the page shows. */
export interface JobEvent {
  type: string;
  reason: string;
  message: string;
  time: string;
}

// The page reads only through this, so the same page serves a cluster (the
// Kubernetes API) and a local run (the embedded controller's store).
export interface JobSource {
  listJobs(): Promise<ReindexJob[]>;
  getJob(name: string): Promise<ReindexJob | undefined>;
  /** The windows the controller planned, or undefined before planning. */
  getPlan(name: string): Promise<WindowSpec[] | undefined>;
  listEvents(name: string): Promise<JobEvent[]>;
  /**
   * Indices of the windows the controller has emitted, if it records them;
   * those neither completed nor failed are in flight. Without it, windows not
   * yet answered show as pending.
   */
  listEmitted?(name: string): Promise<number[] | undefined>;
}
