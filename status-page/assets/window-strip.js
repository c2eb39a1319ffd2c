import { h } from './el.js';
import { formatClock, formatNumber, formatTime, SOURCE_LABEL, STATE_LABEL } from './format.js';

const STATES = ['done', 'inflight', 'failed', 'pending'];

function windowLabel(source, w) {
  const parts = [`Window ${w.index}`, SOURCE_LABEL[source]];
  if (w.from) parts.push(`${formatClock(w.from)} to ${formatClock(w.to)} UTC`);
  if (w.expectedEvents !== undefined) parts.push(`${formatNumber(w.expectedEvents)} events`);
  parts.push(STATE_LABEL[w.state] + (w.reason ? `: ${w.reason}` : ''));
  return parts.join(' · ');
}

export function countsText(strip) {
  const total = strip.windows.length;
  const c = strip.counts;
  const events = strip.events.done + strip.events.inflight + strip.events.failed + strip.events.pending;
  const tail = events > 0 ? ` · ${formatNumber(strip.events.done)} of ${formatNumber(events)} events` : '';
  return `${c.done} of ${total} done · ${c.inflight} in flight · ${c.failed} failed · ${c.pending} pending${tail}`;
}

/**
 * The windows of a job as strips, one per source, updated in place on each
 * poll so that keyboard focus and hover survive the refresh. One tab stop per
 * strip; arrow keys, Home and End move between its windows.
 */
export class WindowStrips {
  constructor(detailLine) {
    this.root = h('div', { class: 'strips' });
    this.detail = detailLine;
    this.shape = '';
    this.blocks = new Map();
  }

  update(strips, timeRange) {
    const shape = strips.map((s) => `${s.source}:${s.windows.map((w) => w.index).join(',')}`).join('|');
    if (shape !== this.shape) this.#build(strips, timeRange, shape);
    for (const strip of strips) {
      const block = this.blocks.get(strip.source);
      block.counts.textContent = countsText(strip);
      block.list.setAttribute('aria-label', `${SOURCE_LABEL[strip.source]} windows: ${countsText(strip)}`);
      for (const w of strip.windows) {
        const cell = block.cells.get(w.index);
        const label = windowLabel(strip.source, w);
        cell.className = `win state-${w.state}`;
        cell.setAttribute('aria-label', label);
        cell.title = label;
        cell.dataset.state = w.state;
        if (cell === document.activeElement || cell.matches(':hover')) this.detail.textContent = label;
      }
    }
  }

  #build(strips, timeRange, shape) {
    this.shape = shape;
    this.blocks.clear();
    const blocks = strips.map((strip) => {
      const cells = new Map();
      const list = h('div', { class: 'strip', role: 'list', onkeydown: (e) => this.#key(e, list) });
      strip.windows.forEach((w, i) => {
        const cell = h('div', {
          role: 'listitem',
          tabindex: i === 0 ? 0 : -1,
          'data-index': w.index,
          'data-source': strip.source,
          style: `left:${w.left}%;width:${w.width}%`,
          onfocus: () => this.#show(list, cell),
          onmouseenter: () => (this.detail.textContent = cell.getAttribute('aria-label')),
        });
        cells.set(w.index, cell);
        list.append(cell);
      });
      const counts = h('span', { class: 'strip-counts' });
      const axis = timeRange
        ? h('div', { class: 'axis', 'aria-hidden': 'true' }, h('span', {}, formatTime(timeRange.startTime)), h('span', {}, formatTime(timeRange.endTime)))
        : null;
      this.blocks.set(strip.source, { list, cells, counts });
      return h('div', { class: 'strip-block', 'data-source': strip.source }, h('h3', {}, SOURCE_LABEL[strip.source], counts), list, axis);
    });
    this.root.replaceChildren(...blocks);
  }

  #show(list, cell) {
    for (const other of list.children) other.tabIndex = other === cell ? 0 : -1;
    this.detail.textContent = cell.getAttribute('aria-label');
  }

  #key(event, list) {
    const cells = [...list.children];
    const at = cells.indexOf(document.activeElement);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: cells.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    cells[Math.max(0, Math.min(cells.length - 1, next))].focus();
  }
}

export function legend(strips, tracksInFlight) {
  const totals = { done: 0, inflight: 0, failed: 0, pending: 0 };
  for (const s of strips) for (const k of STATES) totals[k] += s.counts[k];
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Window states' },
    STATES.map((state) =>
      h('li', {}, h('span', { class: `swatch state-${state}`, 'aria-hidden': 'true' }), `${STATE_LABEL[state]} `, h('strong', {}, String(totals[state]))),
    ),
    tracksInFlight ? null : h('li', { class: 'muted' }, 'in-flight windows are not recorded; they show as pending'),
  );
}
