import { h } from './el.js';
import { age, eta, formatRate, formatTime } from './format.js';
import { phaseBadge, progressBar } from './phase-badge.js';

/** The table of every ReindexJob, newest first. */
export function renderList(root, data) {
  if (data.jobs.length === 0) {
    root.replaceChildren(h('section', { class: 'card empty' }, h('h1', {}, 'ReindexJobs'), h('p', {}, 'No ReindexJobs yet.')));
    return;
  }
  const rows = data.jobs.map((job) =>
    h(
      'tr',
      { 'data-job': job.name },
      h('th', { scope: 'row' }, h('a', { href: `/jobs/${encodeURIComponent(job.name)}` }, job.name), job.dryRun ? h('span', { class: 'tag' }, 'dry run') : null),
      h('td', {}, phaseBadge(job.phase, job.suspend),
        job.failureReason ? h('div', { class: 'failure-reason', title: job.failureReason }, job.failureReason) : null),
      h('td', { class: 'progress-cell' }, progressBar(job.percent, `${job.name} progress`, job.phase), h('span', { class: 'percent' }, `${job.percent}%`)),
      h('td', { class: 'num' }, formatRate(job.eventsPerSecond)),
      h('td', { class: 'num' }, eta(job, data.now)),
      h('td', { class: 'num' }, age(job.createdAt, data.now)),
      h('td', { class: 'range' }, `${formatTime(job.timeRange.startTime, { seconds: false })} → ${formatTime(job.timeRange.endTime, { seconds: false })}`),
    ),
  );
  root.replaceChildren(
    h(
      'section',
      { class: 'card' },
      h('h1', {}, 'ReindexJobs'),
      h(
        'table',
        { class: 'jobs' },
        h('thead', {}, h('tr', {}, ['Name', 'Phase', 'Progress', 'Rate', 'ETA', 'Age', 'Time range'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows),
      ),
    ),
  );
}
