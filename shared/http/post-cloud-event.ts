// One way to hand a CloudEvent to the Broker: binary content mode, one
// attempt under a timeout, any non-2xx answer a failure. Callers decide what
// a failure means (the controller retries, the progress reporter forgets).
import { HTTP, type CloudEvent } from 'cloudevents';

export async function postCloudEvent(url: string, event: CloudEvent<unknown>, timeoutMs: number): Promise<void> {
  const message = HTTP.binary(event);
  const res = await fetch(url, {
    method: 'POST',
    headers: message.headers as Record<string, string>,
    body: message.body as string,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer().catch(() => undefined); // free the socket
  if (!res.ok) throw new Error(`broker answered ${res.status}`);
}
