// settlement.js - the settlement card of a job page: economic state, kept
// separate.  Recording a payment never moves the job, its ServiceEvent or
// its record; completing a job never pays.  The ledger is append-only.

import * as api from './api.js';
import { h, clear, humanize, time, act, field, select, section, empty, dl, badge, loadMore } from './dom.js';
import { PAY_METHODS } from './vocab.js';

function withId(el, idv, value) { el.id = idv; el.dataset.value = value; return el; }

export function settlementCard(job, me, mayRecord, update) {
  const s = job.settlement || {};
  const parts = [h('p', { class: 'hint' },
    'Settlement is economic state. Recording a payment never moves the job, its ServiceEvent or its record.')];
  parts.push(dl([
    ['Status', withId(badge(humanize(s.status || 'unpaid'), `pay pay-${s.status || 'unpaid'}`), 'settle-status', s.status || 'unpaid')],
    ['Due', s.due ? `${s.due} ${s.currency || ''}` : null],
    ['Paid', `${s.paid || '0.00'} ${s.currency || ''}`],
  ]));
  // the job carries the last few payments; the whole ledger pages on
  // GET /api/jobs/{id}/payments
  const pays = s.payments || [];
  const total = s.payment_count === undefined ? pays.length : s.payment_count;
  if (pays.length) {
    const payRow = (p) => h('tr', {},
      h('td', {}, time(p.at)), h('td', { class: 'num' }, `${p.amount} ${p.currency}`),
      h('td', {}, p.method), h('td', {}, p.note || ''), h('td', {}, p.actor));
    const tbody = h('tbody', {}, pays.map(payRow));
    if (total > pays.length)
      parts.push(h('p', { class: 'hint', id: 'payments-summary' }, `The last ${pays.length} of ${total} payments.`));
    parts.push(h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Payments' }, h('table', { id: 'payments' },
      h('caption', { class: 'sr-only' }, 'Payments recorded'),
      h('thead', {}, h('tr', {}, ['When', 'Amount', 'Method', 'Note', 'By'].map(t => h('th', { scope: 'col' }, t)))),
      tbody)));
    if (total > pays.length) {
      // the whole ledger from its first payment, in place of the last few
      const path = `/api/jobs/${api.id(job.id)}/payments`;
      const fetchPage = async (after) => {
        const p = await api.get(api.pagePath(path, after));
        return { rows: p.payments || [], next: p.next_after };
      };
      const all = h('button', { type: 'button', class: 'small-btn', id: 'payments-all' }, 'Show every payment');
      all.addEventListener('click', () => act(all, async () => {
        const first = await fetchPage(0);
        clear(tbody);
        first.rows.forEach(p => tbody.appendChild(payRow(p)));
        const note = document.getElementById('payments-summary');
        if (note) note.remove();
        const more = loadMore('payments-more', first.next, fetchPage,
          (rows) => rows.forEach(p => tbody.appendChild(payRow(p))));
        all.replaceWith(more || document.createTextNode(''));
      }));
      parts.push(all);
    }
  } else {
    parts.push(empty('No payment recorded.'));
  }
  if (mayRecord) {
    const amount = h('input', { type: 'text', name: 'amount', inputmode: 'decimal', pattern: '[0-9]+(\\.[0-9]{1,2})?', placeholder: '150.00', autocomplete: 'off' });
    const currency = h('input', { type: 'text', name: 'currency', value: s.currency || 'USD', maxlength: 3, size: 4, autocapitalize: 'characters' });
    const method = select('method', PAY_METHODS, { value: 'zelle' });
    const note = h('input', { type: 'text', name: 'note', maxlength: 500 });
    const due = h('input', { type: 'text', name: 'due', inputmode: 'decimal', placeholder: s.due || '', autocomplete: 'off' });
    const waive = h('input', { type: 'checkbox', name: 'waive' });
    const form = h('form', { class: 'form', id: 'settlement-form', novalidate: true },
      h('div', { class: 'row' },
        field('Amount', amount, { required: true, hint: 'Decimal, e.g. 1200.00' }),
        field('Currency', currency),
        field('Method', method, { required: true })),
      field('Note', note),
      field('Amount due (optional)', due, { hint: 'Sets the total due for this job.' }),
      h('div', { class: 'check' }, waive, h('label', { for: waive.id = 'settle-waive' }, 'Waive the balance')),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Record payment')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = {
        amount: amount.value.trim(), currency: currency.value.trim().toUpperCase() || undefined,
        method: method.value, note: note.value.trim() || undefined, due: due.value.trim() || undefined,
        waive: waive.checked,
      };
      act(form, async () => {
        const r = await api.post(`/api/jobs/${api.id(job.id)}/settlement`, body);
        await update();
        return r;
      }, (r) => `Payment recorded; settlement is ${(r && r.settlement && r.settlement.status) || 'updated'}. The job did not move.`);
    });
    parts.push(h('details', { class: 'add' }, h('summary', {}, 'Record a payment'), form));
  }
  return section('Settlement', ...parts);
}
