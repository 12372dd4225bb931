// operator.js - desk.x1: the job page.
//
// The page only surfaces work: the phases, the actions and the refusals
// all come from the runtime (the compiled tables), never from here.  The
// buttons on a job are exactly the `actions` the server says this actor
// may fire now, plus claim when `can_claim`, plus "Complete job" once its
// ServiceEvent is final (job state ready).  An event that requires a
// reason (close: the event called off) asks for it before it is sent.

import * as api from './api.js';
import { h, clear, humanize, time, act, field, select, section, empty, dl, badge } from './dom.js';
import { eventCard, summaryLine, outcomeLine, ownersCard, notesCard, recordCard } from './jobcards.js';
import { governCard } from './govern.js';
import { settlementCard } from './settlement.js';

function withId(el, idv, value) { el.id = idv; el.dataset.value = value; return el; }

const STATE_TEXT = { ready: 'Ready to close' };

// --- the job page --------------------------------------------------------

export async function viewJob({ params, actor: me }) {
  const jobId = params[0];
  const root = h('div', { class: 'job-page', 'data-job': jobId });
  const job = await api.get(`/api/jobs/${api.id(jobId)}`);
  const model = await api.surface(job.surface);
  // the operators to reassign or hand over to (admins)
  const actors = me.role === 'admin' ? await api.getAll('/api/actors', 'actors').catch(() => []) : [];
  await renderJob(root, job, model, me, actors);
  return root;
}

async function renderJob(root, job, model, me, actors) {
  let record = null;
  if (job.record) {
    try { record = await api.get(`/api/jobs/${api.id(job.id)}/record`); } catch (e) { record = { error: e }; }
  }
  // after a refusal (another tab or device moved the job, access changed)
  // reload the job so the buttons are the ones that hold now
  const reload = (e) => (e && [403, 409, 422].includes(e.status) ? update() : undefined);
  const update = async (next) => {
    if (next && next.id) await renderJob(root, next, model, me, actors);
    else await renderJob(root, await api.get(`/api/jobs/${api.id(job.id)}`), model, me, actors);
  };
  // keep focus somewhere sensible across the re-render
  const focusedId = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : null;
  clear(root);
  const isOwner = me.slug === job.owner;
  const isAdmin = me.role === 'admin';

  root.appendChild(h('h1', {}, `Job ${job.id}`, ' ', h('span', { class: 'sub' }, model.name || job.surface)));
  root.appendChild(h('p', { class: 'job-status' },
    'Job state ', withId(badge(STATE_TEXT[job.state] || humanize(job.state), `state state-${job.state}`), 'job-state', job.state), ' · phase ',
    withId(badge(job.label || humanize(job.phase), `phase phase-${job.phase}`), 'job-phase', job.phase),
    job.owner ? ` · owned by ${job.owner}` : (job.assignee ? ` · assigned to ${job.assignee}, not claimed yet` : '')));
  const sum = summaryLine(job, 'job-summary');
  if (sum) root.appendChild(sum);
  const outcome = outcomeLine(job);
  if (outcome) root.appendChild(outcome);

  root.appendChild(phaseRail(job, model));
  root.appendChild(actionsCard(job, me, isOwner, update, reload));
  const gov = governCard(job, actors, update, reload);
  if (gov) root.appendChild(gov);
  root.appendChild(eventCard(job, model));
  root.appendChild(h('div', { class: 'grid2' }, notesCard(job, update), ownersCard(job)));
  root.appendChild(h('div', { class: 'grid2' },
    evidenceCard(job, model, me, isOwner, update),
    participantsCard(job, me, isOwner, update)));
  root.appendChild(settlementCard(job, me, isOwner || isAdmin, update));
  root.appendChild(recordCard(job, record));
  root.appendChild(historyCard(job, isAdmin));

  if (focusedId) {
    const el = document.getElementById(focusedId);
    if (el && !el.disabled) el.focus();
  }
}

function phaseRail(job, model) {
  const phases = model.phases || [];
  const done = new Set(((job.service_event && job.service_event.phases) || []).map(p => p.from));
  const current = job.phase;
  const ol = h('ol', { class: 'rail' });
  phases.forEach((p, i) => {
    const isCur = p.name === current;
    const st = isCur ? 'current' : done.has(p.name) ? 'done' : 'todo';
    ol.appendChild(h('li', {
      class: `rail-step rail-${st}`, 'aria-current': isCur ? 'step' : null, 'data-phase': p.name,
    },
    h('span', { class: 'rail-dot', 'aria-hidden': 'true' }, st === 'done' ? '✓' : String(i + 1)),
    h('span', { class: 'rail-text' },
      h('span', { class: 'rail-label' }, p.label || humanize(p.name)),
      h('span', { class: 'sr-only' }, st === 'current' ? ' (current phase)' : st === 'done' ? ' (done)' : ''),
      p.hint ? h('span', { class: 'rail-hint' }, p.hint) : null)));
  });
  return h('nav', { class: 'card rail-card', 'aria-label': 'Phases of this job' },
    h('h2', {}, 'Phases'), ol);
}

function actionsCard(job, me, isOwner, update, reload) {
  const body = [];
  const buttons = [];
  if (job.can_claim) {
    buttons.push(h('button', {
      type: 'button', class: 'primary', id: 'act-claim', 'data-action': 'claim',
      onclick: (ev) => act(ev.currentTarget, async () => update(await api.post(`/api/jobs/${api.id(job.id)}/claim`)),
        `Job ${job.id} claimed: you own its execution.`, reload),
    }, 'Claim this job'));
  }
  const forms = [];
  for (const a of job.actions || []) {
    if (a.event === 'claim' && job.can_claim) continue; // the claim button above
    // what the transition requires, said only where it is not met yet (the
    // runtime checks it and refuses with its own message); a reason is
    // asked for by the form the button opens
    const req = a.requires || [];
    const missing = job.evidence_missing || [];
    const unmet = req.filter(r => r !== 'reason' && (r !== 'evidence' || missing.length));
    const needs = unmet.length
      ? ` (requires ${unmet.map(r => (r === 'evidence' ? `evidence: ${missing.map(m => m.category).join(', ')}` : r)).join('; ')})`
      : '';
    const send = (body) => async () => {
      const r = await api.post(`/api/jobs/${api.id(job.id)}/${a.event === 'claim' ? 'claim' : 'advance'}`,
        a.event === 'claim' ? {} : body);
      await update(r);
      return r;
    };
    const said = (r) => `Job ${job.id}: ${humanize(a.event)} → ${(r && r.label) || a.label || a.to}` +
      `${a.outcome ? ` (${a.outcome})` : ''}.`;
    const form = req.includes('reason') ? reasonForm(a, send, said, reload) : null;
    if (form) forms.push(form);
    buttons.push(h('button', {
      type: 'button', class: form ? '' : 'primary', id: `act-${a.event}`, 'data-event': a.event,
      'aria-expanded': form ? 'false' : null, 'aria-controls': form ? form.id : null,
      onclick: form ? (ev) => toggle(ev.currentTarget, form)
        : (ev) => act(ev.currentTarget, send({ event: a.event }), said, reload),
    }, h('span', {}, humanize(a.event)), h('span', { class: 'btn-to' }, ` → ${a.label || humanize(a.to)}`),
    a.outcome ? h('span', { class: 'btn-to' }, ` (${a.outcome})`) : null, needs));
  }
  const se = job.service_event;
  const canComplete = typeof job.can_complete === 'boolean'
    ? job.can_complete : (se && se.complete && job.state !== 'complete' && isOwner);
  if (canComplete) {
    buttons.push(h('button', {
      type: 'button', class: 'primary', id: 'act-job-complete', 'data-action': 'complete-job',
      onclick: (ev) => act(ev.currentTarget, async () => update(await api.post(`/api/jobs/${api.id(job.id)}/complete`)),
        `Job ${job.id} is complete. Settlement stays separate.`, reload),
    }, 'Complete job'));
  }
  if (job.state === 'ready') {
    body.push(h('p', { class: 'next-step', id: 'next-step' },
      h('strong', {}, 'Next step: Complete job. '),
      'The ServiceEvent is final and its record is composed; completing the job closes the work. Settlement stays separate.'));
  }
  if (buttons.length) body.push(h('div', { class: 'actions' }, buttons), ...forms);
  else if (job.state === 'complete') body.push(empty('This job is complete. Nothing is left to do here; settlement is tracked separately.'));
  else if (me.role === 'operator' && job.owner && !isOwner) body.push(empty(`${job.owner} owns this job; only they can move it.`));
  else if (me.role === 'admin') body.push(empty('Admins govern tasks and settlement; the operator who owns the job moves it.'));
  else if (me.access && me.access !== 'active') body.push(empty(`Your access is ${me.access}: you may view this job but not change it.`));
  else body.push(empty('No action is open to you in this phase.'));
  const phase = job.hint ? h('p', { class: 'hint' }, job.hint) : null;
  return section('Next', phase, ...body);
}

// show or hide the reason form an action button controls
function toggle(button, form) {
  const open = form.hidden;
  form.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (open) form.querySelector('textarea').focus();
}

// The form an event that requires a reason opens (close: the event called
// off or not delivered).  An empty reason is sent too: the runtime says
// what it needs, and nothing changes.
function reasonForm(a, send, said, reload) {
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 1000 });
  const form = h('form', { class: 'form reason-form', id: `reason-${a.event}`, hidden: true, novalidate: true, 'data-for': a.event },
    field(`Why ${humanize(a.event).toLowerCase()}? (outcome ${a.outcome || a.label || a.to})`, reason, {
      required: true, wide: true, hint: 'The reason is kept on the ServiceEvent and in the record.',
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: `act-${a.event}-send` },
      `${humanize(a.event)} with this reason`)));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(form, send({ event: a.event, reason: reason.value.trim() || undefined }), said, reload);
  });
  return form;
}

function evidenceCard(job, model, me, isOwner, update) {
  const ev = model.evidence || { required: [], optional: [], min_per_category: 0 };
  const cats = [...(ev.required || []), ...(ev.optional || [])];
  const items = job.evidence || [];
  const missing = job.evidence_missing || [];
  const parts = [];
  if (!cats.length) {
    parts.push(h('p', { class: 'hint' }, 'This surface requires no evidence categories.'));
  } else {
    parts.push(h('p', { class: 'hint' },
      (ev.required || []).length
        ? `Required: ${ev.required.join(', ')} (at least ${ev.min_per_category} each).`
        : 'No category is required.',
      (ev.optional || []).length ? ` Optional: ${ev.optional.join(', ')}.` : ''));
  }
  if (missing.length) {
    parts.push(h('div', { class: 'missing', id: 'evidence-missing' },
      h('h3', {}, 'Still missing'),
      h('ul', {}, missing.map(m => h('li', { 'data-category': m.category },
        `${m.category}: ${m.have} of ${m.need}`)))));
  }
  parts.push(items.length
    ? h('ul', { class: 'list', id: 'evidence-list' }, items.map(e => h('li', { 'data-category': e.category },
      e.type && e.type.startsWith('image/')
        ? h('a', { href: api.blobUrl(e.ref), target: '_blank', rel: 'noopener' },
          h('img', { class: 'thumb', src: api.blobUrl(e.ref, true), alt: `${e.category} photo`, loading: 'lazy', width: 96 }))
        : null,
      h('strong', {}, e.category), ' ', h('span', { class: 'mono small' }, e.type ? e.type : '(no file)'),
      e.note ? h('span', {}, ` — ${e.note}`) : null,
      h('span', { class: 'muted small' }, ` · ${e.actor}, `, time(e.at)))))
    : empty('No evidence recorded.'));
  if (cats.length && me.role === 'operator' && job.state !== 'complete') {
    const cat = select('category', cats.map(c => [c, `${c}${(ev.required || []).includes(c) ? ' (required)' : ''}`]),
      { required: true, value: missing.length ? missing[0].category : undefined });
    const file = h('input', { type: 'file', name: 'photo', id: 'evidence-file', accept: 'image/*', capture: 'environment', required: true });
    const note = h('input', { type: 'text', name: 'note', maxlength: 1000 });
    const bar = h('progress', { max: 1, value: 0, id: 'evidence-progress', hidden: true });
    const form = h('form', { class: 'form', id: 'evidence-form' },
      field('Category', cat, { required: true }),
      field('Photo', file, { required: true, hint: 'Take or choose a photo: evidence is a file (JPEG, PNG, WebP or HEIC).' }),
      field('Note', note), bar,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add evidence')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      act(form, async () => {
        const f = file.files && file.files[0];
        if (!f) throw new Error('Choose a photo first.');
        bar.hidden = false;
        const up = await api.upload(f, (p) => { bar.value = p; });
        return update(await api.post(`/api/jobs/${api.id(job.id)}/evidence`,
          { category: cat.value, blob: up.blob, note: note.value.trim() || undefined }));
      }, 'Evidence recorded.');
    });
    parts.push(h('details', { class: 'add', open: missing.length > 0 && isOwner },
      h('summary', {}, 'Add evidence'), form));
  }
  return section('Evidence', ...parts);
}

function participantsCard(job, me, isOwner, update) {
  const items = job.participants || [];
  const parts = [h('p', { class: 'hint' },
    'People involved in the work: client contact, venue contact, vendors, staff. They are context, not executable actors: the operator who claimed the job owns it.')];
  parts.push(items.length
    ? h('ul', { class: 'list', id: 'participants-list' }, items.map(p => h('li', {},
      h('strong', {}, p.name), ` — ${p.role}`, p.contact ? h('span', {}, ` · ${p.contact}`) : null,
      h('span', { class: 'muted small' }, ` · added by ${p.actor}`))))
    : empty('No participants recorded.'));
  if (me.role === 'operator' && job.state !== 'complete') {
    const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
    const role = h('input', { type: 'text', name: 'role', required: true, maxlength: 100, list: 'participant-roles', autocomplete: 'off' });
    const contact = h('input', { type: 'text', name: 'contact', maxlength: 200, autocomplete: 'off' });
    const roles = h('datalist', { id: 'participant-roles' },
      ['client contact', 'venue contact', 'vendor', 'staff'].map(r => h('option', { value: r })));
    const form = h('form', { class: 'form', id: 'participant-form' },
      field('Name', name, { required: true }),
      field('Role', role, { required: true, hint: 'e.g. vendor, venue contact, client contact, staff' }),
      roles,
      field('Contact', contact, { hint: 'Email or phone (optional).' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add participant')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      act(form, async () => update(await api.post(`/api/jobs/${api.id(job.id)}/participants`,
        { name: name.value.trim(), role: role.value.trim(), contact: contact.value.trim() || undefined })),
      `Participant ${name.value.trim()} added.`);
    });
    parts.push(h('details', { class: 'add', open: isOwner && items.length === 0 && job.state === 'active' },
      h('summary', {}, 'Add participant'), form));
  }
  return section('Participants', ...parts);
}

function historyCard(job, isAdmin) {
  const se = job.service_event;
  const rows = (se && se.phases) || [];
  const parts = [];
  parts.push(dl([
    ['Created', time(job.created_at)],
    ['Claimed', job.claimed_at ? time(job.claimed_at) : null],
    ['Completed', job.completed_at ? time(job.completed_at) : null],
    ['Task', isAdmin && job.task ? h('a', { href: `#/tasks/${job.task}` }, `Task ${job.task}`) : (job.task ? `Task ${job.task}` : null)],
  ]));
  if (rows.length) {
    parts.push(h('h3', {}, 'ServiceEvent phases'));
    parts.push(h('ol', { class: 'list history' }, rows.map(r => h('li', {},
      `${r.from} → ${r.to} on ${r.event} by ${r.actor}, `, time(r.at)))));
  }
  if (isAdmin) parts.push(h('p', {}, h('a', { href: `#/log?job=${job.id}` }, 'Audit log of this job')));
  return section('History', ...parts);
}

