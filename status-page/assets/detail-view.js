import { h } from './el.js';
import { age, ERROR_KIND_LABEL, eta, formatNumber, formatRate, formatTime, SOURCE_LABEL } from './format.js';
import { phaseBadge, progressBar } from './phase-badge.js';
import { sparkline } from './sparkline.js';
import { table } from './tables.js';
import { legend, WindowStrips } from './window-strip.js';

// The policies every window used, by name; before the job starts none are known yet.
const policiesUsed = (policies) => {
  const used = policies.filter((p) => !p.skipped).map((p) => p.name);
  return used.length ? used.join(', ') : 'none';
};
const skippedPolicies = (policies) => policies.filter((p) => p.skipped).map((p) => `${p.name}: ${p.skipped}`);

// "3 / 12 done · 2 running · 1 failed": a failed window is failed, not progress.
const windowsText = (w, running) =>
  [`${w.completed} / ${w.total} done`, running ? `${running} running` : '', w.failed ? `${w.failed} failed` : ''].filter(Boolean).join(' · ');

const card = (title, id, ...body) => h('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), body);

/** One job's page: built once, then refreshed in place on every poll. */
export class DetailView {
  constructor(root, name) {
    this.name = name;
    this.head = h('section', { class: 'card head' });
    this.windowDetail = h('p', { class: 'window-detail', 'aria-live': 'polite' }, 'Hover over or focus a window to see it.');
    this.strips = new WindowStrips(this.windowDetail);
    this.legend = h('div');
    this.failed = h('div');
    this.rate = h('div');
    this.conditions = h('div');
    this.errors = h('div');
    this.dryRun = h('section', { class: 'card', id: 'dry-run', hidden: true, 'aria-labelledby': 'dry-run-h' });
    this.events = h('div');
    root.replaceChildren(
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/' }, 'All jobs'), ' / ', name),
      this.head,
      card('Windows', 'windows', this.legend, this.strips.root, this.windowDetail, this.failed),
      h('div', { class: 'two' }, card('Events per second', 'rate', this.rate), card('Conditions', 'conditions', this.conditions)),
      card('Error samples', 'errors', this.errors),
      this.dryRun,
      card('Kubernetes Events', 'events', this.events),
    );
  }

  update(job, now) {
    document.title = `${job.name} · ${job.percent}% · Reindex`;
    this.#head(job, now);
    this.legend.replaceChildren(legend(job.strips, job.tracksInFlight));
    this.strips.update(job.strips, job.timeRange);
    if (job.strips.length === 0) this.legend.replaceChildren(h('p', { class: 'muted' }, 'No windows planned yet.'));
    this.failed.replaceChildren(
      job.failedWindows.length === 0
        ? ''
        : h(
            'div',
            { class: 'failed-list' },
            h('h3', {}, 'Failed windows'),
            h('ul', {}, job.failedWindows.map((f) =>
              h('li', { 'data-failed-index': f.index }, h('span', { class: 'swatch state-failed', 'aria-hidden': 'true' }),
                h('strong', {}, `Window ${f.index}`), f.source ? ` (${SOURCE_LABEL[f.source]})` : '', `: ${f.reason}`))),
          ),
    );
    this.rate.replaceChildren(sparkline(job.rate));
    this.conditions.replaceChildren(
      table(['Type', 'Status', 'Reason', 'Message', 'Changed'], job.conditions.map((c) => [
        c.type,
        h('td', {}, h('span', { class: `cond cond-${c.status.toLowerCase()}` }, c.status)),
        c.reason, c.message, `${age(c.lastTransitionTime, now)} ago`,
      ]), 'No conditions yet.'),
    );
    // One row per kind of error (type, policy, rule) with its count and the first example.
    this.errors.replaceChildren(
      table(['Kind', 'Count', 'Policy', 'Rule', 'Example', 'Origin'], job.errorSamples.map((e) => [
        ERROR_KIND_LABEL[e.type] ?? e.type ?? 'Error',
        h('td', { class: 'num', 'data-error-count': e.count ?? 1 }, formatNumber(e.count ?? 1)),
        e.policy || '—', e.rule || '—', e.message, h('td', { class: 'mono' }, e.originId),
      ]), job.progress?.errors ? `${formatNumber(job.progress.errors)} errors, no samples kept.` : 'No errors.'),
    );
    this.#dryRun(job.dryRunReport);
    this.events.replaceChildren(
      table(['Type', 'Reason', 'Message', 'Age'], job.events.map((e) => [
        h('td', {}, h('span', { class: `ev ev-${e.type.toLowerCase()}` }, e.type)), e.reason, e.message, `${age(e.time, now)} ago`,
      ]), 'No Events.'),
    );
  }

  #head(job, now) {
    const p = job.progress;
    const stat = (label, value, extra) => h('div', { class: 'stat' }, h('dt', {}, label), h('dd', { ...extra }, value));
    this.head.replaceChildren(
      ...[h('div', { class: 'title' }, h('h1', {}, job.name), phaseBadge(job.phase, job.suspend), job.dryRun ? h('span', { class: 'tag' }, 'dry run') : null),
      job.message ? h('p', { class: 'message' }, job.message) : null,
      h('div', { class: 'big-progress' }, progressBar(job.percent, 'Job progress', job.phase), h('span', { class: 'percent big', 'data-percent': job.percent }, `${job.percent}%`)),
      h('dl', { class: 'stats' },
        stat('Events', p ? `${formatNumber(p.processedEvents)} / ${formatNumber(p.totalEvents)}` : '—'),
        stat('Activities', formatNumber(p?.activitiesGenerated)),
        stat('Errors', job.errorBudget ?? formatNumber(p?.errors), { class: p?.errors ? 'bad errors' : 'errors' }),
        stat('Rate', formatRate(job.eventsPerSecond)),
        stat('ETA', eta(job, now)),
        stat('Age', age(job.createdAt, now)),
        stat('Windows', job.windows ? windowsText(job.windows, p?.inFlight?.length ?? 0) : '—'),
        stat('Settings', `batch ${formatNumber(job.settings.batchSize)} · ${formatRate(job.settings.rateLimit)} limit · ${job.settings.parallelism} in parallel`, { class: 'wide settings' }),
        stat('Time range', `${formatTime(job.timeRange.startTime, { seconds: false })} → ${formatTime(job.timeRange.endTime, { seconds: false })}`, { class: 'wide range' }),
        stat('Policies', policiesUsed(job.policies), { class: 'wide policies' }),
        ...skippedPolicies(job.policies).map((text) => stat('Left out', text, { class: 'wide skipped' })),
      )].filter(Boolean),
    );
  }

  #dryRun(report) {
    this.dryRun.hidden = !report;
    if (!report) return;
    const samples = [
      ...report.samples.create.map((s) => ['would create', s]),
      ...report.samples.change.map((s) => ['would change', s]),
      ...report.samples.orphan.map((s) => ['no longer produced', s]),
    ];
    this.dryRun.replaceChildren(
      h('h2', { id: 'dry-run-h' }, 'Dry-run report'),
      h('dl', { class: 'stats' },
        [['Would create', report.wouldCreate], ['Would change', report.wouldChange], ['Unchanged', report.unchanged], ['No longer produced', report.wouldOrphan]]
          .map(([label, n]) => h('div', { class: 'stat' }, h('dt', {}, label), h('dd', {}, formatNumber(n))))),
      table(['Kind', 'Origin', 'Policy', 'Stored summary', 'New summary'],
        samples.map(([kind, s]) => [kind, h('td', { class: 'mono' }, s.originId), s.policy ?? '—', s.storedSummary ?? '—', s.newSummary ?? '—']), 'No samples.'),
    );
  }
}
