import { JetStreamApiError } from '@nats-io/jetstream';
import { errors as natsErrors } from '@nats-io/transport-node';

/**
 * Whether asking NATS again may succeed. Timeouts, no responders (a stream
 * leader moving) and a server answering 5xx can pass; a closed connection or
 * a request the server rejected will not get better by asking again.
 */
export function isTransientNatsError(error: Error): boolean {
  if (error instanceof natsErrors.ClosedConnectionError || error instanceof natsErrors.DrainingConnectionError) return false;
  if (error instanceof JetStreamApiError) return error.status >= 500;
  return true;
}
