// filters.js - the desk's filters: which jobs a desk shows.  Admins pick
// an operator (the desk of one operator, or everyone's).

import { h, field, select } from './dom.js';

// The filter form above the desk.  actors: every actor (admins only).
export async function filterBar({ actor: me, go, actors, operator }) {
  const form = h('form', { class: 'filters', id: 'desk-filters', role: 'search', onsubmit: (e) => e.preventDefault() });
  if (me.role === 'admin') {
    const ops = actors.filter(a => a.role === 'operator');
    const sel = select('operator', ops.map(a => [a.slug, `${a.name || a.slug} (${a.slug})`]),
      { placeholder: 'All operators', value: operator });
    sel.addEventListener('change', () => go(sel.value ? `#/desk?operator=${encodeURIComponent(sel.value)}` : '#/desk'));
    form.appendChild(field('Operator', sel));
  }
  return form.childNodes.length ? form : null;
}
