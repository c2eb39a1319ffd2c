// The alert rules through Prometheus's own tool: `promtool check rules` and
// the unit tests in prometheus-rules.test.yaml (`promtool test rules`), one
// or more per alert. promtool comes with Debian's `prometheus` package
// (.ci/run installs it); without it this test fails rather than skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT } from './manifests-load.js';

const COMPONENT = join(ROOT, 'knative/components/prometheus-monitoring');
const promtool = process.env.PROMTOOL ?? 'promtool';

test('promtool checks the alert rules and passes the unit tests of every alert', (t) => {
  const version = spawnSync(promtool, ['--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, `${promtool} not found: install Debian's prometheus package (.ci/run does)`);
  const dir = mkdtempSync(join(tmpdir(), 'reindex-promtool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rule = parse(readFileSync(join(COMPONENT, 'prometheus-rules.yaml'), 'utf8'));
  assert.equal(rule.kind, 'PrometheusRule');
  // promtool reads plain rule files: the PrometheusRule's spec is one.
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
  copyFileSync(join(COMPONENT, 'prometheus-rules.test.yaml'), join(dir, 'rules.test.yaml'));

  const check = spawnSync(promtool, ['check', 'rules', 'rules.yaml'], { cwd: dir, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const run = spawnSync(promtool, ['test', 'rules', 'rules.test.yaml'], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);

  const alerts = rule.spec.groups.flatMap((g: { rules: { alert?: string }[] }) => g.rules.map((r) => r.alert).filter(Boolean));
  const tests = parse(readFileSync(join(dir, 'rules.test.yaml'), 'utf8')).tests as { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
  const cases = tests.flatMap((c) => c.alert_rule_test);
  for (const alert of alerts) {
    assert.ok(cases.some((c) => c.alertname === alert && c.exp_alerts.length > 0), `${alert} has a unit test where it fires`);
    assert.ok(cases.some((c) => c.alertname === alert && c.exp_alerts.length === 0), `${alert} has a unit test where it stays quiet`);
  }
});

test('a rule that breaks its unit test fails promtool, so the test above can fail', (t) => {
  if (spawnSync(promtool, ['--version']).status !== 0) return t.skip('promtool missing (the test above fails)');
  const dir = mkdtempSync(join(tmpdir(), 'reindex-promtool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rule = parse(readFileSync(join(COMPONENT, 'prometheus-rules.yaml'), 'utf8'));
  // ReindexJobFailed on the old counter only the aggregator increments: a job the controller failed goes unseen.
  rule.spec.groups[0].rules[0].expr = 'sum(increase(activity_reindex_jobs_finished_total{phase="Failed"}[10m])) > 0';
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
  copyFileSync(join(COMPONENT, 'prometheus-rules.test.yaml'), join(dir, 'rules.test.yaml'));
  const run = spawnSync(promtool, ['test', 'rules', 'rules.test.yaml'], { cwd: dir, encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stdout + run.stderr, /alertname: ReindexJobFailed/);
});
