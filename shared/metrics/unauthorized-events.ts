import { Counter, type Registry } from 'prom-client';

const NAME = 'activity_reindex_unauthorized_events_total';

/**
 * Window events refused 401 for a missing or wrong signature, by reason
 * (`missing`, `invalid`). One per registry, however often an app is built on it.
 */
export function unauthorizedEventsCounter(register: Registry): Counter<'reason'> {
  return (
    (register.getSingleMetric(NAME) as Counter<'reason'> | undefined) ??
    new Counter({
      name: NAME,
      help: 'Window CloudEvents refused (401) because their reindexsignature was missing or did not match, by reason.',
      labelNames: ['reason'],
      registers: [register],
    })
  );
}
