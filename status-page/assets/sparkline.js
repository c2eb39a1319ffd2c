import { h, svg } from './el.js';
import { formatRate } from './format.js';

const W = 600;
const H = 80;

/** Events per second over the page's sampling history, as an inline SVG. */
export function sparkline(points) {
  if (points.length < 2) return h('p', { class: 'muted' }, 'Collecting samples…');
  const times = points.map((p) => Date.parse(p.at));
  const t0 = times[0];
  const span = Math.max(1, times.at(-1) - t0);
  const max = Math.max(1, ...points.map((p) => p.eventsPerSecond));
  const xy = points.map((p, i) => [((times[i] - t0) / span) * W, H - 4 - (p.eventsPerSecond / max) * (H - 8)]);
  const line = xy.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
  const current = points.at(-1).eventsPerSecond;
  const label = `Events per second over the last ${Math.round(span / 1000)} s: now ${formatRate(current)}, peak ${formatRate(max)}`;
  return h(
    'figure',
    { class: 'spark' },
    svg(
      'svg',
      { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label },
      svg('path', { d: `${line}L${W},${H}L0,${H}Z`, class: 'spark-area' }),
      svg('path', { d: line, class: 'spark-line', 'vector-effect': 'non-scaling-stroke' }),
    ),
    h('figcaption', {}, h('span', {}, `now ${formatRate(current)}`), h('span', {}, `peak ${formatRate(max)}`), h('span', {}, `last ${Math.round(span / 1000)} s`)),
  );
}
