import { HTTP, type CloudEventV1 } from 'cloudevents';
import { InvalidEventError } from '../errors/invalid-event-error.js';

/**
 * One CloudEvent from an HTTP request, binary or structured mode: the SDK
 * tells them apart by the headers and checks the required attributes.
 * Whatever it rejects, and a batch, is a bad event (400): redelivery would
 * not mend it.
 */
export async function toCloudEvent(req: Request): Promise<CloudEventV1<unknown>> {
  const headers = Object.fromEntries(req.headers);
  const body = await req.text();
  let event;
  try {
    event = HTTP.toEvent({ headers, body });
  } catch (err) {
    // The SDK's message is "invalid payload"; its validation errors say which attribute.
    const details = (err as { errors?: unknown[] }).errors;
    const suffix = Array.isArray(details) && details.length > 0 ? ` (${details.map((d) => JSON.stringify(d)).join('; ')})` : '';
    throw new InvalidEventError(`not a valid CloudEvent: ${(err as Error).message}${suffix}`, { cause: err });
  }
  if (Array.isArray(event)) throw new InvalidEventError('batched CloudEvents are not accepted; send one event per request');
  return event as CloudEventV1<unknown>;
}
