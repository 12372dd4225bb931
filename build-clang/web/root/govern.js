// govern.js - the governance of a job's work, on its page: an admin
// reassigns a queued job, hands a claimed one over or cancels one nobody
// claimed; the owner releases a job back to the queue.  Each takes a
// reason and is one audited transaction in the runtime.
//
// The forms are offered where the job's answer says they apply
// (can_reassign, can_handover, can_cancel, can_release); the runtime has
// the last word, and its refusal is shown as it comes, nothing changed.
// Empty fields are sent as missing, so the message is the runtime's too.

import * as api from './api.js';
import { h, act, field, select, section } from './dom.js';

const val = (el) => el.value.trim() || undefined;

function operatorSelect(actors, except) {
  const ops = actors.filter(a => a.role === 'operator' && a.slug !== except);
  return select('to', ops.map(a => [a.slug, `${a.name || a.slug} (${a.slug})${a.access !== 'active' ? `, ${a.access}` : ''}`]),
    { placeholder: 'Choose an operator' });
}

// The governance card, or null when nothing applies.  actors: every actor
// (admins; [] otherwise).  update(answer) re-renders the page; reload(e)
// re-reads the job after a refusal.
export function governCard(job, actors, update, reload) {
  const forms = [];
  const path = (what) => `/api/jobs/${api.id(job.id)}/${what}`;
  const post = (what, body) => async () => {
    const r = await api.post(path(what), body());
    await update(r);
    return r;
  };
  const govForm = (idv, fields, button, send, ok, danger) => {
    const f = h('form', { class: 'form inline', id: idv, novalidate: true },
      ...fields,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: danger ? 'danger' : '' }, button)));
    f.addEventListener('submit', (e) => { e.preventDefault(); act(f, send, ok, reload); });
    return f;
  };
  if (job.can_reassign) {
    const to = operatorSelect(actors, job.assignee);
    const reason = h('input', { type: 'text', name: 'reason', maxlength: 1000, autocomplete: 'off' });
    forms.push(govForm('reassign-form', [
      field('Reassign to', to), field('Reason for reassigning', reason, { hint: 'Optional; kept in the audit log.' }),
    ], 'Reassign', post('reassign', () => ({ to: val(to), reason: val(reason) })),
    (r) => `Job ${job.id} reassigned to ${r && r.assignee}. Only they can claim it now.`));
  }
  if (job.can_handover) {
    const to = operatorSelect(actors, job.owner);
    const reason = h('input', { type: 'text', name: 'reason', maxlength: 1000, autocomplete: 'off' });
    forms.push(govForm('handover-form', [
      field('Hand over to', to), field('Reason for the hand-over', reason, { required: true }),
    ], 'Hand over', post('handover', () => ({ to: val(to), reason: val(reason) })),
    (r) => `Job ${job.id} handed over to ${r && r.owner}; the ServiceEvent keeps its phases.`));
  }
  if (job.can_release) {
    const reason = h('input', { type: 'text', name: 'reason', maxlength: 1000, autocomplete: 'off' });
    forms.push(govForm('release-form', [
      field('Reason for releasing', reason, { hint: 'Optional. The job goes back to the queue, assigned to you.' }),
    ], 'Release the job', post('release', () => ({ reason: val(reason) })),
    `Job ${job.id} released: it is queued again.`));
  }
  if (job.can_cancel) {
    const reason = h('input', { type: 'text', name: 'reason', maxlength: 1000, autocomplete: 'off' });
    forms.push(govForm('cancel-form', [
      field('Reason for cancelling', reason, { required: true, hint: 'Before the claim only: no ServiceEvent, no record.' }),
    ], 'Cancel the job', post('cancel', () => ({ reason: val(reason) })),
    `Job ${job.id} cancelled.`, true));
  }
  if (!forms.length) return null;
  return section('Governance',
    h('p', { class: 'hint' },
      'Re-assignment, hand-over, release and cancel are governance, not execution: one owner at a time, every change audited with its reason.'),
    ...forms);
}
