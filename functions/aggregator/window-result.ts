// What the aggregator folds into a job: a window.completed, a window.failed,
// or a window.requested that the Broker dead-lettered after its retries
// (Knative adds the knativeerrordest / knativeerrorcode / knativeerrordata
// extensions). Parsing a CloudEvent into one of these is the only place the
// aggregator trusts its input. A dead letter is read loosely
// (dead-lettered-window.ts): it is most likely one the window function found
// invalid, and its window must still be marked failed.
import type { CloudEventV1 } from 'cloudevents';
import { WINDOW_COMPLETED, WINDOW_FAILED, WINDOW_REQUESTED } from '../../shared/contracts/cloud-event-types.js';
import { WindowCompleted } from '../../shared/contracts/window-completed.js';
import { WindowFailed } from '../../shared/contracts/window-failed.js';
import { InvalidEventError } from '../../shared/errors/invalid-event-error.js';
import { parseDeadLetteredWindow, type DeadLetteredWindow } from './dead-lettered-window.js';

export type WindowResult =
  | { kind: 'completed'; data: WindowCompleted }
  | { kind: 'failed'; data: WindowFailed }
  | { kind: 'dead-letter'; data: DeadLetteredWindow; errorCode?: string; errorData?: string; errorDest?: string };

function dataOf(event: CloudEventV1<unknown>): unknown {
  const data = event.data ?? (event.data_base64 ? Buffer.from(event.data_base64, 'base64').toString('utf8') : undefined);
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    throw new InvalidEventError(`${event.type} data is not JSON`);
  }
}

/** A dead letter's data may be anything the window function refused, JSON or not. */
function dataOrNothing(event: CloudEventV1<unknown>): unknown {
  try {
    return dataOf(event);
  } catch {
    return undefined;
  }
}

export function parseEventData<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, event: CloudEventV1<unknown>): T {
  const result = schema.safeParse(dataOf(event));
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.map(String).join('.') || 'data'}: ${i.message}`).join('; ');
  throw new InvalidEventError(`invalid ${event.type} data: ${issues}`);
}

/** knativeerrordata is the base64 of (the start of) the last response body. */
function decodeErrorData(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return /^[\x09\x0a\x0d\x20-\x7e\u00a0-\uffff]*$/.test(decoded) && Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') === value.replace(/=+$/, '') ? decoded : value;
}

export function toWindowResult(event: CloudEventV1<unknown>): WindowResult {
  switch (event.type) {
    case WINDOW_COMPLETED:
      return { kind: 'completed', data: parseEventData(WindowCompleted, event) };
    case WINDOW_FAILED:
      return { kind: 'failed', data: parseEventData(WindowFailed, event) };
    case WINDOW_REQUESTED: {
      const ext = event as Record<string, unknown>;
      if (ext.knativeerrorcode === undefined && ext.knativeerrordest === undefined && ext.knativeerrordata === undefined) {
        throw new InvalidEventError('a window.requested without knativeerror* extensions is not a dead letter');
      }
      return {
        kind: 'dead-letter',
        data: parseDeadLetteredWindow(event, dataOrNothing(event)),
        ...(ext.knativeerrorcode !== undefined ? { errorCode: String(ext.knativeerrorcode) } : {}),
        ...(decodeErrorData(ext.knativeerrordata) !== undefined ? { errorData: decodeErrorData(ext.knativeerrordata) } : {}),
        ...(ext.knativeerrordest !== undefined ? { errorDest: String(ext.knativeerrordest) } : {}),
      };
    }
    default:
      throw new InvalidEventError(`unexpected CloudEvent type ${event.type}`);
  }
}
