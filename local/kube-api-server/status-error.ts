// Failures answered as metav1.Status objects, as the real API server does, so
// client-node raises an ApiException carrying the code and the Status body.

export type StatusReason = 'NotAcceptable' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'UnsupportedMediaType' | 'MethodNotAllowed' | 'Gone' | 'Expired';

const CODES: Record<StatusReason, number> = {
  NotAcceptable: 406,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
  UnsupportedMediaType: 415,
  MethodNotAllowed: 405,
  Gone: 410,
  Expired: 410,
};

export class StatusError extends Error {
  override name = 'StatusError';
  readonly code: number;
  constructor(
    readonly reason: StatusReason,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: { field: string; reason?: string; message: string }[] },
  ) {
    super(message);
    this.code = CODES[reason];
  }

  toStatus(): object {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, details: this.details ?? {}, code: this.code };
  }
}

export function notFound(resource: string, group: string, name: string): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new StatusError('NotFound', `${qualified} "${name}" not found`, { name, group, kind: resource });
}

export function conflict(resource: string, group: string, name: string): StatusError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new StatusError('Conflict', `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group, kind: resource });
}
