import { CloudEvent, type CloudEventV1 } from 'cloudevents';
import { InvalidEventError } from '../errors/invalid-event-error.js';
import { isJsonContentType, readCloudEventMessage } from './cloud-event-message.js';

/**
 * One CloudEvent from an HTTP request, binary or structured mode, checked
 * strictly (cloud-event-message.ts): a bad event or a batch is an
 * InvalidEventError (400) naming the attribute; redelivery would not mend
 * it. JSON data arrives parsed, any other data as text.
 */
export async function toCloudEvent(req: Request): Promise<CloudEventV1<unknown>> {
  const message = readCloudEventMessage(req.headers, Buffer.from(await req.arrayBuffer()));
  let data: unknown;
  if (message.data) {
    const text = message.data.toString('utf8');
    if (isJsonContentType(message.attributes.datacontenttype)) {
      try {
        data = JSON.parse(text);
      } catch {
        throw new InvalidEventError(`invalid CloudEvent data: not the JSON its content type ${message.attributes.datacontenttype} says`, { attribute: 'data' });
      }
    } else data = text;
  }
  // Checked already; strict would only repeat the schema pass.
  return new CloudEvent<unknown>({ ...message.attributes, ...(data !== undefined ? { data } : {}) } as CloudEventV1<unknown>, false);
}
