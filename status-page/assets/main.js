import { DetailView } from './detail-view.js';
import { formatClock } from './format.js';
import { renderList } from './list-view.js';

const POLL_MS = 1000;
const main = document.getElementById('main');
const live = document.getElementById('live');
const route = /^\/jobs\/([^/]+)\/?$/.exec(location.pathname);
const jobName = route ? decodeURIComponent(route[1]) : undefined;
let detail;

// Poll the JSON API and patch the page: no reload, and a failed poll leaves
// the last good data on screen with a note saying how old it is.
async function refresh() {
  const url = jobName ? `/api/jobs/${encodeURIComponent(jobName)}` : '/api/jobs';
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    const data = await res.json();
    if (res.status === 404) {
      main.replaceChildren(Object.assign(document.createElement('p'), { className: 'card', textContent: data.error }));
      live.textContent = 'Not found';
      detail = undefined;
      return;
    }
    if (!res.ok) throw new Error(data.error ?? res.statusText);
    if (jobName) {
      detail ??= new DetailView(main, jobName);
      detail.update(data.job, data.now);
    } else {
      renderList(main, data);
    }
    live.className = 'live ok';
    live.textContent = `Live · updated ${formatClock(data.now)} UTC`;
  } catch (err) {
    live.className = 'live stale';
    live.textContent = `Not updating: ${err.message}`;
  } finally {
    setTimeout(refresh, POLL_MS);
  }
}

refresh();
