import { h } from './el.js';

/** A simple table, or a muted line saying there is nothing to show. */
export function table(headers, rows, empty, className = '') {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: className },
      h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => (c instanceof Node && c.tagName === 'TD' ? c : h('td', {}, c === '' || c === undefined ? '—' : c)))))),
    ),
  );
}
