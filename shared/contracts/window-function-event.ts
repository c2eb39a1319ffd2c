import { CloudEvent } from 'cloudevents';
import { EXT_JOB, EXT_WINDOW, WINDOW_FUNCTION_SOURCE, windowSubject } from './cloud-event-types.js';

/**
 * A CloudEvent the window function sends about one window (window.completed,
 * window.progress): its source, the window's subject and the extensions the
 * Triggers filter on, around `data`. The id says which report it is.
 */
export function windowFunctionEvent<T extends { job: { name: string }; window: { index: number } }>(type: string, id: string, data: T): CloudEvent<T> {
  return new CloudEvent<T>({
    id,
    type,
    source: WINDOW_FUNCTION_SOURCE,
    subject: windowSubject(data.job.name, data.window.index),
    datacontenttype: 'application/json',
    data,
    [EXT_JOB]: data.job.name,
    [EXT_WINDOW]: data.window.index,
  });
}
