// jobcards.js - what a job is about, on its page: the event details (the
// request's intake laid out by the surface's intake sections), the owners
// in order and the hand-overs, the notes, the outcome, the record.
//
// All of it is data: a note never moves the job, and nothing here offers a
// transition.  The layout comes from the API's `request.sections` (the
// compiled intake schema's order); for an answer without it, from the
// surface model and the job's intake.

import * as api from './api.js';
import { h, humanize, time, act, field, section, empty, dl } from './dom.js';

// "2026-05-16" -> "Sat 16 May 2026"; anything else as it is
function dateText(v) {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return String(v);
  const d = new Date(`${v}T00:00:00Z`);
  if (isNaN(d)) return v;
  return d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

// a field's value as a person reads it: choices like full_coordination
// humanized, dates spelled out, yes/no for booleans
function valueText(type, v) {
  if (v === null || v === undefined || v === '') return null;
  if (type === 'date') return dateText(v);
  if (type === 'boolean') return v ? 'Yes' : 'No';
  if (type === 'one_of' && typeof v === 'string' && /^[a-z0-9]+(_[a-z0-9]+)+$/.test(v)) return humanize(v);
  return String(v);
}

// [{name, fields: [{name, label, type, value}]}] from whichever form the
// answer carries
function sectionsOf(job, model) {
  const types = new Map();
  for (const sec of (model && model.intake && model.intake.sections) || [])
    for (const f of sec.fields || []) types.set(`${sec.name}.${f.name}`, f.type);
  const req = job.request;
  if (req && Array.isArray(req.sections)) {
    return req.sections.map(s => ({
      name: s.name,
      fields: (s.fields || []).map(f => ({ ...f, type: f.type || types.get(`${s.name}.${f.name}`) })),
    }));
  }
  const intake = (req && req.intake) || job.intake || {};
  return ((model && model.intake && model.intake.sections) || []).map(s => ({
    name: s.name,
    fields: (s.fields || []).filter(f => intake[s.name] && f.name in intake[s.name])
      .map(f => ({ name: f.name, label: humanize(f.name), type: f.type, value: intake[s.name][f.name] })),
  })).filter(s => s.fields.length);
}

// The request's photos as thumbnails, each a link to the file.
export function photoStrip(refs) {
  if (!Array.isArray(refs) || !refs.length) return null;
  return h('ul', { class: 'thumbs', id: 'request-photos' }, refs.map(r => h('li', {},
    h('a', { href: api.blobUrl(r), target: '_blank', rel: 'noopener' },
      h('img', { class: 'thumb', src: api.blobUrl(r, true), alt: 'intake photo', loading: 'lazy', width: 96 })))));
}

export function summaryLine(job, idv) {
  if (!job.summary) return null;
  return h('p', { class: 'job-summary', id: idv || null }, job.summary);
}

export function eventCard(job, model) {
  const parts = [];
  const secs = sectionsOf(job, model);
  if (!secs.length) parts.push(empty('No intake data is visible to you.'));
  for (const s of secs) {
    parts.push(h('div', { class: 'intake-section', 'data-section': s.name },
      h('h3', {}, humanize(s.name)),
      dl(s.fields.map(f => [f.label || humanize(f.name),
        h('span', { 'data-field': `${s.name}.${f.name}` }, valueText(f.type, f.value) || '—')]))));
  }
  const photos = photoStrip(((job.request && job.request.intake) || job.intake || {}).photos);
  if (photos) parts.push(h('div', { class: 'intake-section', 'data-section': 'photos' }, h('h3', {}, 'Photos'), photos));
  if (job.request && job.request.id !== undefined)
    parts.push(h('p', { class: 'hint' }, `Request #${job.request.id}: intake data as submitted; it never changes.`));
  return h('section', { class: 'card event-details', id: 'event-details', 'aria-labelledby': 'event-details-h' },
    h('h2', { id: 'event-details-h' }, 'Event details'), ...parts);
}

// --- the outcome ---------------------------------------------------------

// the ServiceEvent's outcome once final: {outcome, reason} or null
export function outcomeOf(job) {
  const se = job.service_event;
  if (!se || !se.complete) return null;
  return { outcome: se.outcome || null, reason: se.reason || null };
}

export function outcomeLine(job) {
  const o = outcomeOf(job);
  if (!o || !o.outcome) return null;
  return h('p', { class: `outcome outcome-${o.outcome}`, id: 'job-outcome', 'data-value': o.outcome },
    h('strong', {}, 'Outcome: '), humanize(o.outcome),
    o.reason ? h('span', { id: 'job-outcome-reason' }, ` · reason: ${o.reason}`) : null);
}

// --- owners and hand-overs ------------------------------------------------

const HOW = { claim: 'claimed it', handover: 'took it over', release: 'released it' };

export function ownersCard(job) {
  const owners = job.owners || [];
  const handoffs = job.handoffs || [];
  const parts = [h('p', { class: 'hint' },
    'One owner at a time. Every owner is kept in order; hand-overs and re-assignments are admin governance, each with its reason.')];
  parts.push(owners.length
    ? h('ol', { class: 'list', id: 'owners-list' }, owners.map(o => h('li', { 'data-operator': o.operator || '', 'data-how': o.how },
      // a release names nobody new: the one who gave it back
      h('strong', {}, o.operator || o.from), ` ${HOW[o.how] || o.how}`,
      o.operator && o.from ? ` from ${o.from}` : '', o.by && o.by !== (o.operator || o.from) ? ` (by ${o.by})` : '',
      o.reason ? ` · ${o.reason}` : '', h('span', { class: 'muted small' }, ' · ', time(o.at)))))
    : empty('Nobody has claimed this job yet.'));
  if (handoffs.length) {
    parts.push(h('h3', {}, 'Hand-overs'));
    parts.push(h('ol', { class: 'list', id: 'handoffs-list' }, handoffs.map(x => h('li', { 'data-action': x.action },
      `${humanize(x.action)}: ${x.from || '—'} → ${x.to || '—'} by ${x.by}`,
      x.reason ? ` · ${x.reason}` : '', h('span', { class: 'muted small' }, ' · ', time(x.at))))));
  }
  return section('Owners', ...parts);
}

// --- notes ---------------------------------------------------------------

export function notesCard(job, update) {
  const notes = job.notes || [];
  const parts = [h('p', { class: 'hint' }, 'Notes are context for whoever runs the job; a note never moves it.')];
  parts.push(notes.length
    ? h('ul', { class: 'list notes', id: 'notes-list' }, notes.map(n => h('li', {},
      h('span', { class: 'note-text' }, n.text),
      h('span', { class: 'muted small' }, ` — ${n.author}, `, time(n.at)))))
    : empty('No notes yet.'));
  if (job.can_note) {
    const text = h('textarea', { name: 'text', rows: 3, maxlength: 2000 });
    const form = h('form', { class: 'form', id: 'note-form' },
      field('Note', text, { wide: true }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add note')));
    // an empty note goes to the runtime too: its refusal is the message
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      act(form, async () => update(await api.post(`/api/jobs/${api.id(job.id)}/notes`, { text: text.value.trim() })),
        'Note added. The job did not move.');
    });
    parts.push(h('details', { class: 'add' }, h('summary', {}, 'Add a note'), form));
  }
  return section('Notes', ...parts);
}

// --- the record ----------------------------------------------------------

export function recordCard(job, record) {
  if (!job.record) {
    return section('Record',
      empty('No record yet. The record is composed when the ServiceEvent completes.'));
  }
  if (!record || record.error) {
    return section('Record', h('p', { class: 'refusal' }, record && record.error ? record.error.message : 'The record could not be loaded.'));
  }
  const b = record.body || {};
  const out = b.outcome || {};
  const pairs = [
    ['Record', `#${record.id}`],
    ['Composed', time(record.created_at)],
    ['Operator', b.operator],
    ['Operators', Array.isArray(b.operators) && b.operators.length > 1 ? b.operators.join(' → ') : undefined],
    ['Outcome', b.outcome ? h('span', { id: 'record-outcome', 'data-value': out.outcome || '' },
      out.label || out.phase, out.outcome ? ` (${out.outcome})` : '') : undefined],
    ['Reason', out.reason ? h('span', { id: 'record-reason' }, out.reason) : undefined],
    ['Completed', b.completed_at ? time(b.completed_at) : undefined],
    ['Participants', Array.isArray(b.participants) ? String(b.participants.length) : undefined],
    ['Notes', Array.isArray(b.notes) ? String(b.notes.length) : undefined],
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
