// settlement.js - the settlement card of a job page: economic state, kept
// separate.  Recording a payment never moves the job, its ServiceEvent or
// its record; completing a job never pays.  The ledger is append-only: a
// wrong payment is corrected by a reversal (a negative entry naming it and
// a reason, POST /api/jobs/ID/settlement {"reverse", "reason"}), never
// edited; an overpayment is shown as such.

import * as api from './api.js';
import { h, clear, humanize, time, act, field, select, section, empty, dl, badge, loadMore } from './dom.js';
import { PAY_METHODS } from './vocab.js';

function withId(el, idv, value) { el.id = idv; el.dataset.value = value; return el; }

// What the correction column says of a payment: the reversal it is, the
// one that reversed it, or a "Reverse" button (owner or admin).
function correction(p, reverse) {
  if (p.reverses) return h('span', {}, `reverses #${p.reverses}`, p.reason ? `: ${p.reason}` : '');
  if (p.reversed_by) return h('span', { class: 'muted' }, `reversed by #${p.reversed_by}`);
  if (!reverse || p.id === undefined) return '';
  return h('button', { type: 'button', class: 'small-btn', 'data-reverse': p.id,
    onclick: () => reverse.open(p) }, 'Reverse');
}

// The one reversal form of the card, opened for a payment.
function reverseForm(job, update) {
  let target = null;
  const title = h('h3', { id: 'reverse-h' }, 'Reverse a payment');
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 500, autocomplete: 'off' });
  const form = h('form', { class: 'form', id: 'reverse-form', hidden: true, novalidate: true, 'aria-labelledby': 'reverse-h' },
    title,
    h('p', { class: 'hint' }, 'Appends a negative entry naming the payment; nothing in the ledger is edited. The job does not move.'),
    field('Reason for the correction', reason, { required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger', id: 'reverse-send' }, 'Reverse payment')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // an empty reason is sent as missing: the runtime's message says so
    act(form, async () => {
      const r = await api.post(`/api/jobs/${api.id(job.id)}/settlement`,
        { reverse: target.id, reason: reason.value.trim() || undefined });
      await update();
      return r;
    }, (r) => `Payment #${target.id} reversed; settlement is ${(r && r.settlement && r.settlement.status) || 'updated'}. The job did not move.`);
  });
  return {
    form,
    open(p) {
      target = p;
      title.textContent = `Reverse payment #${p.id} (${p.amount} ${p.currency}, ${p.method})`;
      form.hidden = false;
      reason.focus();
    },
  };
}

export function settlementCard(job, me, mayRecord, update) {
  const s = job.settlement || {};
  const parts = [h('p', { class: 'hint' },
    'Settlement is economic state. Recording a payment never moves the job, its ServiceEvent or its record.')];
  parts.push(dl([
    ['Status', withId(badge(humanize(s.status || 'unpaid'), `pay pay-${s.status || 'unpaid'}`), 'settle-status', s.status || 'unpaid')],
    ['Due', s.due ? `${s.due} ${s.currency || ''}` : null],
    ['Paid', `${s.paid || '0.00'} ${s.currency || ''}`],
    ['Overpaid', s.overpaid ? h('span', { id: 'settle-overpaid' }, `${s.overpaid} ${s.currency || ''}`) : undefined],
  ]));
  // the job carries the last few payments; the whole ledger pages on
  // GET /api/jobs/{id}/payments
  const pays = s.payments || [];
  const total = s.payment_count === undefined ? pays.length : s.payment_count;
  if (pays.length) {
    const reverse = mayRecord && pays.some(p => p.id !== undefined) ? reverseForm(job, update) : null;
    const payRow = (p) => h('tr', { 'data-payment': p.id === undefined ? null : p.id },
      h('td', { class: 'num' }, p.id === undefined ? '' : `#${p.id}`),
      h('td', {}, time(p.at)), h('td', { class: 'num' }, `${p.amount} ${p.currency}`),
      h('td', {}, p.method), h('td', {}, p.note || ''), h('td', {}, p.actor),
      h('td', {}, correction(p, reverse)));
    const tbody = h('tbody', {}, pays.map(payRow));
    if (total > pays.length)
      parts.push(h('p', { class: 'hint', id: 'payments-summary' }, `The last ${pays.length} of ${total} payments.`));
    parts.push(h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Payments' }, h('table', { id: 'payments' },
      h('caption', { class: 'sr-only' }, 'Payments recorded'),
      h('thead', {}, h('tr', {}, ['#', 'When', 'Amount', 'Method', 'Note', 'By', 'Correction'].map(t => h('th', { scope: 'col' }, t)))),
      tbody)));
    if (reverse) parts.push(reverse.form);
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
