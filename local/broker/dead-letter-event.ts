// The event Knative hands the dead-letter sink: the original, plus where it
// failed and how (eventing's dispatchExecutionInfoTransformers).
import type { BrokerEvent } from './broker-event.js';

/** Knative reads at most this much of a failed response and caps the base64 text at it too. */
export const ERROR_DATA_MAX_LENGTH = 1024;

export type DeliveryFailure = {
  /** The subscriber URL the last attempt went to. */
  destination: string;
  /** HTTP status of the last attempt; Knative records 500 when no response came at all. */
  status: number;
  /** Response body of the last attempt, or "dispatch error: …" when there was none. */
  body: Buffer;
};

export function deadLetterEvent(event: BrokerEvent, failure: DeliveryFailure): BrokerEvent {
  return {
    data: event.data,
    attributes: {
      ...event.attributes,
      knativeerrordest: failure.destination,
      knativeerrorcode: String(failure.status),
      knativeerrordata: errorData(failure.body),
    },
  };
}

// Knative keeps the first 1024 bytes, drops every byte its isControl() flags
// (below 31 or above 127, so non-ASCII too: they are unsafe in header
// values), base64-encodes the rest and cuts the encoding at 1024 characters.
function errorData(body: Buffer): string {
  const printable = Buffer.from(body.subarray(0, ERROR_DATA_MAX_LENGTH).filter((b) => b >= 31 && b <= 127));
  return printable.toString('base64').slice(0, ERROR_DATA_MAX_LENGTH);
}
