import type { JetStreamClient } from '@nats-io/jetstream';
import type { Activity } from '../api/activity.js';
import { createAckedPublisher, type AckedPublisherOptions, type PublishCounts } from './acked-publisher.js';
import { activitySubject, DEFAULT_SUBJECT_PREFIX } from './activity-subject.js';

export type { PublishCounts } from './acked-publisher.js';

export interface ActivityPublisherOptions extends AckedPublisherOptions {
  subjectPrefix?: string;
}

export interface ActivityPublisher {
  /**
   * Queues one activity. Await only what it returns: nothing while there is
   * room (so a page's activities leave in one socket write), a promise when
   * `maxInFlight` acks are out or a publish has failed for good. `msgId`
   * is its row's (rowMsgId).
   */
  publish(activity: Activity, msgId: string): Promise<void> | void;
  flush(): Promise<PublishCounts>;
  /**
   * Optional pre-encoded path (what a worker thread prepared): `subject`,
   * `payload` exactly as `publish` would derive them with `subjectPrefix`.
   * Same waiting rules as `publish`.
   */
  sendEncoded?(subject: string, payload: Uint8Array, msgId: string): Promise<void> | void;
  readonly subjectPrefix?: string;
}

/**
 * Publishes activities to `<prefix>.<tenant type>.<api group>.<kind>` with
 * the `Nats-Msg-Id` of their input row (rowMsgId), many acks outstanding at once (see
 * createAckedPublisher for limits, retries and the failure that poisons it).
 */
export function createActivityPublisher(js: Pick<JetStreamClient, 'publish'>, opts: ActivityPublisherOptions = {}): ActivityPublisher {
  const prefix = opts.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
  const acked = createAckedPublisher(js, opts);
  // A window's activities share a handful of subjects: sanitize each once.
  const subjects = new Map<string, string>();
  const subjectOf = (activity: Activity): string => {
    const { tenant, resource } = activity.spec;
    const key = `${tenant?.type}\n${resource?.apiGroup}\n${resource?.kind}`;
    let subject = subjects.get(key);
    if (subject === undefined) {
      subject = activitySubject(activity, prefix);
      if (subjects.size < 1_000) subjects.set(key, subject);
    }
    return subject;
  };
  return {
    // Encoded once: retries resend the same bytes.
    publish: (activity, msgId) => acked.send(subjectOf(activity), Buffer.from(JSON.stringify(activity)), msgId),
    flush: () => acked.flush(),
    sendEncoded: (subject, payload, msgId) => acked.send(subject, payload, msgId),
    subjectPrefix: prefix,
  };
}
