import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudEvent, type CloudEventV1 } from 'cloudevents';
import { WINDOW_REQUESTED, controllerSource, requestedId, windowSubject } from '../../shared/contracts/cloud-event-types.js';
import { InvalidEventError } from '../../shared/errors/invalid-event-error.js';
import { parseDeadLetteredWindow } from './dead-lettered-window.js';

const UID = '0b5e1c2a-9d7f-4b8e-a1c3-5f6e7d8c9b0a';

function deadLetter(attrs: Record<string, unknown>): CloudEventV1<unknown> {
  return new CloudEvent({ type: WINDOW_REQUESTED, source: controllerSource('j'), id: 'some-id', knativeerrorcode: '400', ...attrs }) as CloudEventV1<unknown>;
}

test('reads a window the window function refused as invalid: a batchSize out of bounds does not hide the job and window', () => {
  const data = {
    job: { name: 'j', uid: UID, generation: 2 },
    window: { index: 3, source: 'event', from: '2026-05-01T00:00:00.000Z', to: '2026-05-01T01:00:00.000Z', expectedEvents: 10 },
    batchSize: 5,
  };
  assert.deepEqual(parseDeadLetteredWindow(deadLetter({}), data), {
    job: { name: 'j', uid: UID, generation: 2 },
    window: { index: 3, source: 'event', from: '2026-05-01T00:00:00.000Z', to: '2026-05-01T01:00:00.000Z' },
  });
});

test('takes the job name and window index from the extensions and the uid from the event id when data lacks them', () => {
  const event = deadLetter({ id: requestedId(UID, 12), reindexjob: 'backfill', reindexwindow: '12' });
  assert.deepEqual(parseDeadLetteredWindow(event, { window: { source: 'audit' } }), { job: { name: 'backfill', uid: UID }, window: { index: 12, source: 'audit' } });
});

test('falls back on the subject for the job name and window index', () => {
  const event = deadLetter({ id: requestedId(UID, 4), subject: windowSubject('from-subject', 4) });
  const parsed = parseDeadLetteredWindow(event, { window: { source: 'audit', index: 'four' } });
  assert.deepEqual(parsed, { job: { name: 'from-subject', uid: UID }, window: { index: 4, source: 'audit' } });
});

test('is a 400 only when the job or the window cannot be named at all', () => {
  assert.throws(() => parseDeadLetteredWindow(deadLetter({}), 'not json'), (err: unknown) => {
    assert.ok(err instanceof InvalidEventError);
    assert.match(err.message, /names no job name, job uid, window index, window source/);
    return true;
  });
  assert.throws(() => parseDeadLetteredWindow(deadLetter({ reindexjob: 'j', reindexwindow: 'true' }), { job: { uid: UID }, window: { source: 'audit', index: true } }), /names no window index/);
});
