import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDryRunTable } from './dry-run-table.js';

test('prints the counts, then one aligned row per sample with the stored and the new summary', () => {
  const text = formatDryRunTable({
    wouldChange: 2150,
    wouldCreate: 310,
    wouldOrphan: 12,
    unchanged: 48_000,
    samples: {
      change: [{ originId: 'a-1', policy: 'deployments', storedSummary: 'alice created web', newSummary: 'alice created web in default' }],
      create: [{ originId: 'b-22', policy: 'pods', newSummary: 'kubelet pulled\nnginx' }],
      orphan: [{ originId: 'c-333', storedSummary: 'x'.repeat(80) }],
    },
  });
  assert.equal(
    text,
    [
      'Dry run against audit.activities (nothing was published or written):',
      '  would change  2,150',
      '  would create  310',
      '  would orphan  12',
      '  unchanged     48,000',
      '',
      '  KIND    ORIGIN  POLICY       STORED SUMMARY                                                NEW SUMMARY',
      '  change  a-1     deployments  alice created web                                             alice created web in default',
      '  create  b-22    pods         -                                                             kubelet pulled nginx',
      `  orphan  c-333   -            ${'x'.repeat(59)}…  -`,
    ].join('\n'),
  );
});

test('prints no sample table when there are no samples', () => {
  const text = formatDryRunTable({ wouldChange: 0, wouldCreate: 0, wouldOrphan: 0, unchanged: 7, samples: { change: [], create: [], orphan: [] } }, 'db.acts');
  assert.equal(text.split('\n').length, 5);
  assert.match(text, /^Dry run against db\.acts/);
});
