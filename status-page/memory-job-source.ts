import type { ReindexJob } from '../shared/api/reindex-job.js';
import type { WindowSpec } from '../shared/contracts/window-requested.js';
import type { JobEvent, JobSource } from './job-source.js';

/** A job as held in memory: the object plus what the controller keeps beside it. */
export interface MemoryJob {
  job: ReindexJob;
  plan?: WindowSpec[];
  events?: JobEvent[];
  emitted?: number[];
}

/**
 * A JobSource over jobs held in memory, for a process that owns the jobs
 * itself (the local one-process mode) and for tests. Jobs are read at call
 * time, so whoever holds the map moves them along.
 */
export function memoryJobSource(jobs: Map<string, MemoryJob>): JobSource {
  const copy = <T>(value: T): T => structuredClone(value);
  return {
    listJobs: async () => [...jobs.values()].map((j) => copy(j.job)),
    getJob: async (name) => copy(jobs.get(name)?.job),
    getPlan: async (name) => copy(jobs.get(name)?.plan),
    listEvents: async (name) => copy(jobs.get(name)?.events ?? []),
    listEmitted: async (name) => copy(jobs.get(name)?.emitted),
  };
}
