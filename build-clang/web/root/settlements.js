// settlements.js - the admin's settlement list (GET /api/settlements?
// status=&surface=&limit=&after=): every job's economic state, apart from
// its execution.  An overpaid job says so.  Corrections are made on the
// job's page (a reversal), never here: this view only reads.

import * as api from './api.js';
import { h, humanize, time, field, select, empty, badge, loadMore } from './dom.js';
import { SETTLEMENT_STATES } from './vocab.js';

const PAGE = 50;

export async function viewSettlements({ query, go }) {
  const f = {};
  for (const k of ['status', 'surface']) if (query.get(k)) f[k] = query.get(k);
  const base = api.pagePath('/api/settlements', 0, f);
  const [r, surfaces] = await Promise.all([api.get(api.pagePath(base, 0, { limit: PAGE })),
    api.surfaces().catch(() => [])]);
  const names = new Map(surfaces.map(s => [s.slug, s.name]));

  const status = select('status', SETTLEMENT_STATES.map(s => [s, humanize(s)]), { placeholder: 'Any status', value: f.status });
  const surface = select('surface', surfaces.map(s => [s.slug, s.name]), { placeholder: 'Any surface', value: f.surface });
  const apply = () => {
    const q = new URLSearchParams();
    if (status.value) q.set('status', status.value);
    if (surface.value) q.set('surface', surface.value);
    go(q.toString() ? `#/settlements?${q}` : '#/settlements');
  };
  status.addEventListener('change', apply);
  surface.addEventListener('change', apply);

  const out = [h('h1', {}, 'Settlements'),
    h('p', { class: 'lede' },
      'Economic state, kept separate: paying never moves a job and completing a job never pays. Open a job to record or correct a payment.'),
    h('form', { class: 'filters', id: 'settlement-filters', onsubmit: (e) => e.preventDefault() },
      field('Status', status), field('Surface', surface))];
  const rows = r.settlements || [];
  if (!rows.length) { out.push(empty('No settlement matches.')); return out; }
  const row = (s) => h('tr', { 'data-job': s.job },
    h('td', {}, h('a', { href: `#/jobs/${s.job}` }, `Job ${s.job}`)),
    h('td', {}, names.get(s.surface) || s.surface),
    h('td', {}, badge(humanize(s.status), `pay pay-${s.status}`),
      s.overpaid ? [' ', badge(`overpaid ${s.overpaid} ${s.currency}`, 'pay pay-overpaid')] : null),
    h('td', { class: 'num' }, s.due ? `${s.due} ${s.currency}` : '—'),
    h('td', { class: 'num' }, `${s.paid} ${s.currency}`),
    h('td', { class: 'num' }, String(s.payment_count)),
    h('td', {}, s.updated_at ? time(s.updated_at) : '—'));
  const tbody = h('tbody', {}, rows.map(row));
  out.push(h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Settlements' },
    h('table', { id: 'settlements' },
      h('caption', { class: 'sr-only' }, 'Settlements by job'),
      h('thead', {}, h('tr', {}, ['Job', 'Surface', 'Status', 'Due', 'Paid', 'Payments', 'Updated']
        .map(t => h('th', { scope: 'col' }, t)))),
      tbody)));
  out.push(loadMore('settlements-more', r.next_after, async (after) => {
    const p = await api.get(api.pagePath(base, after, { limit: PAGE }));
    return { rows: p.settlements || [], next: p.next_after };
  }, (more) => more.forEach(s => tbody.appendChild(row(s)))));
  return out;
}
