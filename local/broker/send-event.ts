// One delivery attempt over HTTP, classified the way Knative's dispatcher
// classifies it. No retrying here: the broker owns the schedule.
import type { BrokerEvent } from './broker-event.js';
import { fromHttp, looksLikeCloudEvent, toBinary } from './cloud-event-http.js';
import { isRetryable, isSuccess } from './retry-policy.js';

export type SendResult =
  | { ok: true; status: number; reply?: BrokerEvent }
  | { ok: false; status?: number; body: Buffer; retryable: boolean; cancelled: boolean };

export type SendOptions = {
  /** Advertise that a reply event is welcome (`Prefer: reply`); subscribers yes, dead-letter sinks no. */
  acceptReply: boolean;
  timeoutMs?: number;
  signal: AbortSignal;
};

export async function sendEvent(url: string, event: BrokerEvent, options: SendOptions): Promise<SendResult> {
  const { headers, body } = toBinary(event);
  if (options.acceptReply) headers.prefer = 'reply';
  // One signal per attempt for the broker's shutdown and the attempt's
  // timeout, unlinked when the attempt ends: AbortSignal.any would leave a
  // listener on the shared shutdown signal for every attempt until GC
  // (thousands in flight on a 10,000-window job).
  const attempt = new AbortController();
  const cancel = () => attempt.abort(options.signal.reason);
  options.signal.addEventListener('abort', cancel, { once: true });
  const timer = options.timeoutMs ? setTimeout(() => attempt.abort(new DOMException('delivery timed out', 'TimeoutError')), options.timeoutMs) : undefined;
  let response: Response;
  let responseBody: Buffer;
  try {
    // Copy into a plain Uint8Array: the DOM typings reject Buffer as a body.
    response = await fetch(url, { method: 'POST', headers, body: body ? new Uint8Array(body) : undefined, signal: attempt.signal });
    responseBody = Buffer.from(await response.arrayBuffer());
  } catch (err) {
    // No usable response: a refused connection, a reset, or our timeout.
    const cancelled = options.signal.aborted;
    return { ok: false, body: Buffer.from(`dispatch error: ${describe(err)}`), retryable: !cancelled, cancelled };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', cancel);
  }
  if (!isSuccess(response.status)) {
    return { ok: false, status: response.status, body: responseBody, retryable: isRetryable(response.status), cancelled: false };
  }
  // 202 means "accepted, nothing to route" even if it looks like an event
  // (data-plane spec); any other 2xx may carry a reply event.
  if (!options.acceptReply || response.status === 202 || responseBody.length === 0 && !response.headers.has('ce-id')) {
    return { ok: true, status: response.status };
  }
  // A body that is not meant as a CloudEvent is discarded, as current Knative does.
  if (!looksLikeCloudEvent(response.headers)) return { ok: true, status: response.status };
  try {
    return { ok: true, status: response.status, reply: fromHttp(response.headers, responseBody) };
  } catch (err) {
    // A malformed reply event fails the delivery (Knative's filter answers 502 for it).
    return { ok: false, status: 502, body: Buffer.from(`invalid reply event: ${describe(err)}`), retryable: true, cancelled: false };
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
