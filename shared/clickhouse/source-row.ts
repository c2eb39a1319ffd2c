/**
 * One stored row of a source table. A row whose `event_json` does not parse
 * comes back as an error item carrying its id, so the caller counts it and
 * goes on instead of crashing the window.
 */
export type SourceRow =
  | { id: string; timestamp: string; event: unknown }
  | { id: string; timestamp: string; error: string };
