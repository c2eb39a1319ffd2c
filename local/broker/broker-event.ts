// The broker's view of a CloudEvent: context attributes as the strings the
// HTTP binary binding carries, and the data as the bytes it received. Data is
// passed through untouched rather than re-encoded, as a broker should.
export type BrokerEvent = {
  /** specversion, id, source, type, datacontenttype, … and extensions, lowercase names. */
  attributes: Record<string, string>;
  data?: Buffer;
};

/** Knative's broker hop counter: set at ingress, decremented per reply, dropped at 0. */
export const TTL_EXTENSION = 'knativebrokerttl';
export const DEFAULT_TTL = 255;
export const ARRIVAL_TIME_EXTENSION = 'knativearrivaltime';
