import { h } from './el.js';

export function phaseBadge(phase, suspend) {
  const text = suspend && phase === 'Running' ? 'Suspending' : phase;
  return h('span', { class: `badge phase-${phase.toLowerCase()}` }, text);
}

export function progressBar(percent, label, phase = 'Running') {
  return h(
    'div',
    { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent, 'aria-label': label },
    h('div', { class: `bar-fill fill-${phase.toLowerCase()}`, style: `width:${Math.min(100, Math.max(0, percent))}%` }),
  );
}
