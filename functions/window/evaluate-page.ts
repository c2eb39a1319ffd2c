import type { Activity } from '../../shared/api/activity.js';
import type { SourceRow } from '../../shared/clickhouse/source-row.js';
import type { EvaluationOutcome, InputKind } from '../../shared/policy/evaluation-outcome.js';
import { activityMsgId, activitySubject } from '../../shared/nats/activity-subject.js';
import type { PolicyEvaluator } from './window-deps.js';

/** One counted error of a page, in row order; `type` is its metrics label. */
export interface PageError {
  originId: string;
  policy: string;
  rule: string;
  message: string;
  type: 'malformed_row' | 'evaluation';
}

/**
 * What a page's activities are needed as: `encoded` for a publisher with
 * `sendEncoded` (JSON bytes, subject, Msg-Id), `objects` for a dry-run
 * comparison or a publisher that takes Activity objects, `none` to count only.
 */
export type PageOutput = { mode: 'encoded'; subjectPrefix: string; jobUid: string } | { mode: 'objects' } | { mode: 'none' };

export interface EvaluatedPage {
  rows: number;
  errors: PageError[];
  activities: number;
  /** mode `objects`. */
  objects?: Activity[];
  /** mode `encoded`: the activities' JSON back to back; the i-th ends at `ends[i]`. */
  payload?: Uint8Array;
  ends?: Uint32Array;
  subjects?: string[];
  msgIds?: string[];
}

/** A page's rows through the policy engine, as handle.ts does row by row in-thread. */
export function evaluatePage(engine: PolicyEvaluator, kind: InputKind, rows: SourceRow[], output: PageOutput): EvaluatedPage {
  const errors: PageError[] = [];
  const activities: Activity[] = [];
  for (const row of rows) {
    if ('error' in row) {
      errors.push({ originId: row.id, policy: '', rule: '', message: `malformed row: ${row.error}`, type: 'malformed_row' });
      continue;
    }
    const result = evaluateRow(engine, kind, row.event, row.id);
    for (const e of result.errors) {
      errors.push({ originId: result.originId || row.id, policy: e.policy, rule: e.rule, message: e.message, type: 'evaluation' });
    }
    if (result.outcome === 'activity') activities.push(result.activity);
  }
  const page: EvaluatedPage = { rows: rows.length, errors, activities: activities.length };
  if (output.mode === 'objects') page.objects = activities;
  if (output.mode === 'encoded') Object.assign(page, encode(activities, output.subjectPrefix, output.jobUid));
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
function encode(activities: Activity[], prefix: string, jobUid: string) {
  const json = new Array<string>(activities.length);
  const subjects = new Array<string>(activities.length);
  const msgIds = new Array<string>(activities.length);
  const ends = new Uint32Array(activities.length);
  const subjectCache = new Map<string, string>();
  let total = 0;
  for (let i = 0; i < activities.length; i++) {
    const activity = activities[i]!;
    json[i] = JSON.stringify(activity);
    total += Buffer.byteLength(json[i]!);
    ends[i] = total;
    const { tenant, resource } = activity.spec;
    const key = `${tenant?.type}\n${resource?.apiGroup}\n${resource?.kind}`;
    let subject = subjectCache.get(key);
    if (subject === undefined) subjectCache.set(key, (subject = activitySubject(activity, prefix)));
    subjects[i] = subject;
    msgIds[i] = activityMsgId(activity, jobUid);
  }
  const payload = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (let i = 0; i < json.length; i++) at += payload.write(json[i]!, at);
  return { payload: new Uint8Array(payload.buffer, payload.byteOffset, total), ends, subjects, msgIds };
}
