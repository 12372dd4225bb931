// operator.js - desk.x1: the operator desk and the job page.
//
// The desk only surfaces work: the phases, the actions and the refusals
// all come from the runtime (the compiled tables), never from here.  The
// buttons on a job are exactly the `actions` the server says this actor
// may fire now, plus claim when `can_claim`, plus closing the job once its
// ServiceEvent is complete.

import * as api from './api.js';
import { h, clear, humanize, when, time, say, act, field, select, section, empty, dl, badge, loadMore } from './dom.js';
import { PAY_METHODS } from './vocab.js';

function withId(el, idv, value) { el.id = idv; el.dataset.value = value; return el; }

async function surfaceNames() {
  try {
    const list = await api.surfaces();
    return new Map(list.map(s => [s.slug, s.name]));
  } catch (e) {
    return new Map();
  }
}

// --- the desk ------------------------------------------------------------

export async function viewDesk({ query, actor: me, go }) {
  const isAdmin = me.role === 'admin';
  const operator = isAdmin ? (query.get('operator') || '') : '';
  const path = operator ? `/api/desk?operator=${encodeURIComponent(operator)}` : '/api/desk';
  const [desk, names, actors] = await Promise.all([
    api.get(path), surfaceNames(),
    isAdmin ? api.getAll('/api/actors', 'actors').catch(() => []) : Promise.resolve([]),
  ]);

  const again = h('button', { type: 'button', id: 'desk-refresh', class: 'small-btn', onclick: () => go(location.hash) }, 'Refresh');
  const out = [h('div', { class: 'page-head' }, h('h1', {}, isAdmin ? 'Jobs by state' : 'My desk'), again)];
  if (isAdmin) {
    const ops = actors.filter(a => a.role === 'operator');
    const sel = select('operator', ops.map(a => [a.slug, `${a.name || a.slug} (${a.slug})`]),
      { placeholder: 'All operators', value: operator });
    sel.addEventListener('change', () => go(sel.value ? `#/desk?operator=${encodeURIComponent(sel.value)}` : '#/desk'));
    out.push(h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, field('Operator', sel)));
  } else {
    out.push(h('p', { class: 'lede' },
      'Work assigned to you. Claim a queued job to own its execution; the job page shows what you can do next.'));
  }

  // each list is one page (next_after.KEY: more lie past it): "Load more"
  // fetches that list's next page and appends it
  const col = (key, title, note) => {
    const jobs = desk[key] || [];
    const idv = `col-${key}`;
    const next = (desk.next_after || {})[key];
    const count = h('span', { class: 'count' }, `(${jobs.length}${next ? '+' : ''})`);
    const list = h('ul', { class: 'jobs' }, jobs.map(j => jobCard(j, names, isAdmin)));
    let shown = jobs.length;
    const more = loadMore(`${idv}-more`, next, async (after) => {
      const extra = { list: key };
      if (operator) extra.operator = operator;
      const p = await api.get(api.pagePath('/api/desk', after, extra));
      return { rows: p[key] || [], next: (p.next_after || {})[key] };
    }, (rows) => {
      rows.forEach(j => list.appendChild(jobCard(j, names, isAdmin)));
      shown += rows.length;
      count.textContent = `(${shown}${more && more.isConnected ? '+' : ''})`;
    });
    return h('section', { class: 'column', id: idv, 'aria-labelledby': `${idv}-h` },
      h('h2', { id: `${idv}-h` }, title, ' ', count),
      note ? h('p', { class: 'hint' }, note) : null,
      jobs.length ? list : empty('None.'), more);
  };
  out.push(h('div', { class: 'columns' },
    col('queued', 'Queued'),
    col('active', 'Active'),
    col('completed', 'Completed', 'Shown for surfaces that keep completed jobs visible.')));
  return out;
}

function jobCard(j, names, isAdmin) {
  return h('li', { class: 'job', 'data-job': j.id },
    h('a', { href: `#/jobs/${j.id}`, class: 'job-link' },
      h('span', { class: 'job-id' }, `Job ${j.id}`), ' ',
      h('span', { class: 'job-surface' }, names.get(j.surface) || j.surface)),
    h('div', { class: 'job-meta' },
      badge(j.label || humanize(j.phase), `phase phase-${j.phase}`),
      isAdmin || j.owner ? h('span', { class: 'muted' },
        j.owner ? `owner ${j.owner}` : (j.assignee ? `assigned to ${j.assignee}` : '')) : null));
}

// --- the job page --------------------------------------------------------

export async function viewJob({ params, actor: me }) {
  const jobId = params[0];
  const root = h('div', { class: 'job-page', 'data-job': jobId });
  const job = await api.get(`/api/jobs/${api.id(jobId)}`);
  const model = await api.surface(job.surface);
  await renderJob(root, job, model, me);
  return root;
}

async function renderJob(root, job, model, me) {
  let record = null;
  if (job.record) {
    try { record = await api.get(`/api/jobs/${api.id(job.id)}/record`); } catch (e) { record = { error: e }; }
  }
  // after a refusal (another tab or device moved the job, access changed)
  // reload the job so the buttons are the ones that hold now
  const reload = (e) => (e && [403, 409, 422].includes(e.status) ? update() : undefined);
  const update = async (next) => {
    if (next && next.id) await renderJob(root, next, model, me);
    else await renderJob(root, await api.get(`/api/jobs/${api.id(job.id)}`), model, me);
  };
  // keep focus somewhere sensible across the re-render
  const focusedId = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : null;
  clear(root);
  const isOwner = me.slug === job.owner;
  const isAdmin = me.role === 'admin';

  root.appendChild(h('h1', {}, `Job ${job.id}`, ' ', h('span', { class: 'sub' }, model.name || job.surface)));
  root.appendChild(h('p', { class: 'job-status' },
    'Job state ', withId(badge(humanize(job.state), `state state-${job.state}`), 'job-state', job.state), ' · phase ',
    withId(badge(job.label || humanize(job.phase), `phase phase-${job.phase}`), 'job-phase', job.phase),
    job.owner ? ` · owned by ${job.owner}` : (job.assignee ? ` · assigned to ${job.assignee}, not claimed yet` : '')));

  root.appendChild(phaseRail(job, model));
  root.appendChild(actionsCard(job, me, isOwner, update, reload));
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
  for (const a of job.actions || []) {
    if (a.event === 'claim' && job.can_claim) continue; // the claim button above
    // what the transition requires, said only where it is not met yet (the
    // runtime checks it and refuses with its own message)
    const req = a.requires || [];
    const missing = job.evidence_missing || [];
    const unmet = req.filter(r => r !== 'evidence' || missing.length);
    const needs = unmet.length
      ? ` (requires ${unmet.map(r => (r === 'evidence' ? `evidence: ${missing.map(m => m.category).join(', ')}` : r)).join('; ')})`
      : '';
    buttons.push(h('button', {
      type: 'button', class: 'primary', id: `act-${a.event}`, 'data-event': a.event,
      onclick: (ev) => act(ev.currentTarget, async () => {
        const r = await api.post(`/api/jobs/${api.id(job.id)}/${a.event === 'claim' ? 'claim' : 'advance'}`,
          a.event === 'claim' ? {} : { event: a.event });
        await update(r);
        return r;
      }, (r) => `Job ${job.id}: ${humanize(a.event)} → ${(r && r.label) || a.label || a.to}.`, reload),
    }, h('span', {}, humanize(a.event)), h('span', { class: 'btn-to' }, ` → ${a.label || humanize(a.to)}`), needs));
  }
  const se = job.service_event;
  const canComplete = typeof job.can_complete === 'boolean'
    ? job.can_complete : (se && se.complete && job.state !== 'complete' && isOwner);
  if (canComplete) {
    buttons.push(h('button', {
      type: 'button', class: 'primary', id: 'act-job-complete', 'data-action': 'complete-job',
      onclick: (ev) => act(ev.currentTarget, async () => update(await api.post(`/api/jobs/${api.id(job.id)}/complete`)),
        `Job ${job.id} is complete. Settlement stays separate.`, reload),
    }, 'Close the job (complete)'));
  }
  if (buttons.length) body.push(h('div', { class: 'actions' }, buttons));
  else if (job.state === 'complete') body.push(empty('This job is complete. Nothing is left to do here; settlement is tracked separately.'));
  else if (me.role === 'operator' && job.owner && !isOwner) body.push(empty(`${job.owner} owns this job; only they can move it.`));
  else if (me.role === 'admin') body.push(empty('Admins govern tasks and settlement; the operator who owns the job moves it.'));
  else if (me.access && me.access !== 'active') body.push(empty(`Your access is ${me.access}: you may view this job but not change it.`));
  else body.push(empty('No action is open to you in this phase.'));
  const phase = job.hint ? h('p', { class: 'hint' }, job.hint) : null;
  return section('Next', phase, ...body);
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

function settlementCard(job, me, mayRecord, update) {
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

function recordCard(job, record) {
  if (!job.record) {
    return section('Record',
      empty('No record yet. The record is composed when the ServiceEvent completes.'));
  }
  if (!record || record.error) {
    return section('Record', h('p', { class: 'refusal' }, record && record.error ? record.error.message : 'The record could not be loaded.'));
  }
  const b = record.body || {};
  const pairs = [
    ['Record', `#${record.id}`],
    ['Composed', time(record.created_at)],
    ['Operator', b.operator],
    ['Outcome', b.outcome ? (b.outcome.label || b.outcome.phase) : undefined],
    ['Completed', b.completed_at ? time(b.completed_at) : undefined],
    ['Participants', Array.isArray(b.participants) ? String(b.participants.length) : undefined],
    ['Content hash', h('span', { class: 'mono wrap' }, record.hash)],
  ];
  return h('section', { class: 'card record', id: 'record', 'aria-labelledby': 'record-h' },
    h('h2', { id: 'record-h' }, 'Record'),
    h('p', { class: 'hint' }, 'Durable outcome truth, composed once from the completed ServiceEvent. It never changes.'),
    dl(pairs),
    b.scope ? scopeView(b.scope) : null,
    h('details', {}, h('summary', {}, 'The whole record (JSON)'),
      h('pre', { class: 'json' }, JSON.stringify(record, null, 2))));
}

export function scopeView(scope) {
  const wrap = h('div', { class: 'scope' });
  for (const [sec, fields] of Object.entries(scope || {})) {
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) continue;  // photos: files, shown apart
    wrap.appendChild(h('h3', {}, humanize(sec)));
    wrap.appendChild(dl(Object.entries(fields).map(([k, v]) => [humanize(k), v === null ? null : String(v)])));
  }
  return wrap;
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

export { when };
