import { ApiException } from '@kubernetes/client-node';
import { statusCode } from './reindex-job-client.js';

interface StatusBody {
  message?: string;
  details?: { causes?: { field?: string; message?: string }[] };
}

/**
 * client-node's ApiException message is a four-line dump of code, body and
 * headers. When the API server rejects an object we apply (422 from the CRD
 * schema, say), the operator needs one line: which object, and the Status
 * message. Anything that is not an ApiException is returned as it is.
 */
export function apiRejection(err: unknown, kind: string, name: string): unknown {
  if (!(err instanceof ApiException)) return err;
  const code = statusCode(err);
  const reason = statusMessage(err.body);
  const verb = code === 422 ? 'is invalid' : `was rejected (HTTP ${code})`;
  return new Error(`${kind} ${name} ${verb}${reason ? `: ${reason}` : ''}`, { cause: err });
}

/** The Status message without its `Kind.group "name" is invalid: ` preamble, which the caller's line already says. */
function statusMessage(body: unknown): string | undefined {
  let status: StatusBody | undefined;
  try {
    status = (typeof body === 'string' ? JSON.parse(body) : body) as StatusBody | undefined;
  } catch {
    return typeof body === 'string' && body.trim() !== '' ? body.trim().split('\n')[0] : undefined;
  }
  const message = typeof status?.message === 'string' ? status.message : undefined;
  return message?.replace(/^\S+ "[^"]*" is invalid: /, '');
}
