import type { Activity } from '../../shared/api/activity.js';
import type { SourceRow } from '../../shared/clickhouse/source-row.js';
import type { EvaluationOutcome, InputKind } from '../../shared/policy/evaluation-outcome.js';
import { activitySubject } from '../../shared/nats/activity-subject.js';
import { msgIdHeaderBytes, rowMsgId } from '../../shared/nats/row-msg-id.js';
import type { PolicyEvaluator } from './window-deps.js';

/** One counted error of a page, in row order; `type` is its metrics label. */
export interface PageError {
  originId: string;
  policy: string;
  rule: string;
  message: string;
  type: 'malformed_row' | 'evaluation' | 'no_origin_id' | 'activity_too_large';
}

/**
 * What a page's activities are needed as: `encoded` for a publisher with
 * `sendEncoded` (JSON bytes, subject), `objects` for a dry-run comparison or
 * a publisher that takes Activity objects, `none` to count only. Every mode
 * gives each activity its Msg-Id (from its row and `jobUid`), and with
 * `maxMessageBytes` (the stream's limit) an activity whose message would
 * exceed it is a row error, in a dry run as in a real one.
 */
export interface PageOutput {
  mode: 'encoded' | 'objects' | 'none';
  jobUid: string;
  /** mode `encoded`. */
  subjectPrefix?: string;
  maxMessageBytes?: number;
}

export interface EvaluatedPage {
  rows: number;
  errors: PageError[];
  activities: number;
  /** Activities by the name of the policy that produced them (the metrics' `policy` label). */
  byPolicy: Record<string, number>;
  /** Modes `objects` and `encoded`: the i-th activity's `Nats-Msg-Id`. */
  msgIds?: string[];
  /** mode `objects`. */
  objects?: Activity[];
  /** mode `encoded`: the activities' JSON back to back; the i-th ends at `ends[i]`. */
  payload?: Uint8Array;
  ends?: Uint32Array;
  subjects?: string[];
}

/** A page's rows through the policy engine: one path for the worker threads and in-thread evaluation. */
export function evaluatePage(engine: PolicyEvaluator, kind: InputKind, rows: SourceRow[], output: PageOutput): EvaluatedPage {
  const errors: PageError[] = [];
  const byPolicy: Record<string, number> = {};
  const activities: Activity[] = [];
  const msgIds: string[] = [];
  const json: string[] = [];
  const lengths: number[] = [];
  const sized = output.mode === 'encoded' || output.maxMessageBytes !== undefined;
  for (const row of rows) {
    if ('error' in row) {
      errors.push({ originId: row.id, policy: '', rule: '', message: `malformed row: ${row.error}`, type: 'malformed_row' });
      continue;
    }
    const result = evaluateRow(engine, kind, row.event, row.id);
    // The engine refuses an input without an origin id (it would share the
    // sink's key with every other such input); what else it reports is that.
    const type = result.originId === '' && result.outcome === 'error' ? 'no_origin_id' : 'evaluation';
    for (const e of result.errors) {
      errors.push({ originId: result.originId || row.id, policy: e.policy, rule: e.rule, message: e.message, type });
    }
    if (result.outcome !== 'activity') continue;
    const msgId = rowMsgId({ source: kind, id: row.id, time: row.timestamp }, output.jobUid);
    if (sized) {
      const text = JSON.stringify(result.activity);
      const bytes = Buffer.byteLength(text);
      // The stream would refuse it on every retry: one row lost, not the window.
      if (output.maxMessageBytes !== undefined && bytes + msgIdHeaderBytes(msgId) > output.maxMessageBytes) {
        errors.push({
          originId: result.originId,
          policy: result.policy,
          rule: result.rule,
          message: `activity too large: ${bytes} bytes (the stream takes at most ${output.maxMessageBytes} bytes a message)`,
          type: 'activity_too_large',
        });
        continue;
      }
      if (output.mode === 'encoded') {
        json.push(text);
        lengths.push(bytes);
      }
    }
    activities.push(result.activity);
    msgIds.push(msgId);
    byPolicy[result.policy] = (byPolicy[result.policy] ?? 0) + 1;
  }
  const page: EvaluatedPage = { rows: rows.length, errors, activities: activities.length, byPolicy };
  if (output.mode === 'objects') Object.assign(page, { objects: activities, msgIds });
  if (output.mode === 'encoded') Object.assign(page, encode(activities, json, lengths, output.subjectPrefix ?? ''), { msgIds });
  return page;
}

// The engine reports expected failures as outcomes; anything it throws is
// still one bad input, not a reason to lose the window.
export function evaluateRow(engine: PolicyEvaluator, kind: InputKind, input: unknown, rowId: string): EvaluationOutcome {
  try {
    return engine.evaluate(kind, input);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    return { originId: rowId, outcome: 'error', policy: '', rule: '', error: message, errors: [{ policy: '', rule: '', expression: '', message }] };
  }
}

// As createActivityPublisher encodes them: JSON.stringify, UTF-8, one buffer
// per page (its own ArrayBuffer, so it can be transferred, not copied).
function encode(activities: Activity[], json: string[], lengths: number[], prefix: string) {
  const subjects = new Array<string>(activities.length);
  const ends = new Uint32Array(activities.length);
  const subjectCache = new Map<string, string>();
  let total = 0;
  for (let i = 0; i < activities.length; i++) {
    const activity = activities[i]!;
    total += lengths[i]!;
    ends[i] = total;
    const { tenant, resource } = activity.spec;
    const key = `${tenant?.type}\n${resource?.apiGroup}\n${resource?.kind}`;
    let subject = subjectCache.get(key);
    if (subject === undefined) subjectCache.set(key, (subject = activitySubject(activity, prefix)));
    subjects[i] = subject;
  }
  const payload = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (let i = 0; i < json.length; i++) at += payload.write(json[i]!, at);
  return { payload: new Uint8Array(payload.buffer, payload.byteOffset, total), ends, subjects };
}
