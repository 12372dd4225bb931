// admin.js - governance: the task queue, one task's review, the audit log
// and verify.  Task state is governance state: approving or assigning a
// task creates no work; only "Create job" hands an approved, assigned task
// over as a Job.

import * as api from './api.js';
import { h, humanize, time, act, field, select, section, empty, dl, badge, say, loadMore } from './dom.js';
import { scopeView, photoStrip } from './jobcards.js';
import { TASK_STATES } from './vocab.js';

export async function viewTasks({ query, go }) {
  const st = query.get('state') || '';
  const base = st ? `/api/tasks?state=${encodeURIComponent(st)}` : '/api/tasks';
  const r = await api.get(base);
  const tasks = r.tasks || [];
  const sel = select('state', TASK_STATES.map(s => [s, humanize(s)]), { placeholder: 'All states', value: st });
  sel.addEventListener('change', () => go(sel.value ? `#/tasks?state=${sel.value}` : '#/tasks'));
  const out = [
    h('h1', {}, 'Tasks'),
    h('p', { class: 'lede' }, 'Each request arrives as a governance task. Review it, approve or reject it, assign it to an operator, then create the job.'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, field('State', sel)),
  ];
  if (!tasks.length) { out.push(empty(st ? `No task is ${st}.` : 'No tasks yet.')); return out; }
  const taskItem = (t) => h('li', { class: 'task', 'data-task': t.id },
    h('a', { href: `#/tasks/${t.id}` }, `Task ${t.id}`), ' ',
    badge(humanize(t.state), `task task-${t.state}`), ' ',
    h('span', {}, t.surface),
    t.settlement ? [' ', badge(humanize(t.settlement), `pay pay-${t.settlement}`)] : null,
    t.summary ? h('p', { class: 'job-summary' }, t.summary) : null,
    h('span', { class: 'muted' },
      t.assignee ? ` · assigned to ${t.assignee}` : '',
      t.job ? ' · ' : '', t.job ? h('a', { href: `#/jobs/${t.job}` }, `job ${t.job}`) : null,
      t.updated_at ? ' · ' : '', t.updated_at ? time(t.updated_at) : null));
  const list = h('ul', { class: 'tasks', id: 'task-list' }, tasks.map(taskItem));
  out.push(list, loadMore('tasks-more', r.next_after, async (after) => {
    const p = await api.get(api.pagePath(base, after));
    return { rows: p.tasks || [], next: p.next_after };
  }, (rows) => rows.forEach(t => list.appendChild(taskItem(t)))));
  return out;
}

export async function viewTask({ params, go }) {
  const taskId = params[0];
  const root = h('div', { class: 'task-page', 'data-task': taskId });
  const [task, actors] = await Promise.all([
    api.get(`/api/tasks/${api.id(taskId)}`),
    api.getAll('/api/actors', 'actors').catch(() => []),
  ]);
  renderTask(root, task, actors, go);
  return root;
}

function renderTask(root, task, actors, go) {
  while (root.firstChild) root.removeChild(root.firstChild);
  const update = async (t) => {
    renderTask(root, t && t.id ? t : await api.get(`/api/tasks/${api.id(task.id)}`), actors, go);
  };
  const path = (what) => `/api/tasks/${api.id(task.id)}/${what}`;
  const req = task.request || {};

  root.appendChild(h('h1', {}, `Task ${task.id}`, ' ', h('span', { class: 'sub' }, task.surface)));
  root.appendChild(h('p', { class: 'job-status' }, 'Task state ', Object.assign(badge(humanize(task.state), `task task-${task.state}`), { id: 'task-state' }),
    task.assignee ? ` · assigned to ${task.assignee}` : '',
    task.job ? ' · ' : '', task.job ? h('a', { href: `#/jobs/${task.job}`, id: 'task-job-link' }, `Job ${task.job}`) : null));
  if (task.reason) root.appendChild(h('p', {}, h('strong', {}, 'Reason: '), task.reason));

  // --- governance actions, by task state (the runtime has the last word)
  const acts = [];
  const btn = (idv, text, fn, ok, cls) => h('button', {
    type: 'button', id: idv, class: cls || '', onclick: (ev) => act(ev.currentTarget, fn, ok),
  }, text);
  if (task.state === 'review') {
    acts.push(btn('task-approve', 'Approve', async () => update(await api.post(path('approve'))),
      `Task ${task.id} approved. No work exists until you assign it and create the job.`, 'primary'));
  }
  const forms = [];
  if (task.state === 'review') {
    const reason = h('input', { type: 'text', name: 'reason', required: true, maxlength: 1000 });
    const f = h('form', { class: 'form inline', id: 'reject-form' },
      field('Reason for rejecting', reason, { required: true }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, 'Reject')));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      act(f, async () => update(await api.post(path('reject'), { reason: reason.value.trim() })),
        `Task ${task.id} rejected.`);
    });
    forms.push(f);
  }
  if ((task.state === 'approved' || task.state === 'assigned') && !task.job) {
    const ops = actors.filter(a => a.role === 'operator');
    const to = select('to', ops.map(a => [a.slug, `${a.name || a.slug} (${a.slug})${a.access !== 'active' ? `, ${a.access}` : ''}`]),
      { placeholder: 'Choose an operator', required: true, value: task.assignee || undefined });
    const f = h('form', { class: 'form inline', id: 'assign-form' },
      field(task.assignee ? 'Reassign to' : 'Assign to', to, { required: true }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Assign')));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!to.value) { say('error', 'Choose an operator to assign.'); to.focus(); return; }
      act(f, async () => update(await api.post(path('assign'), { to: to.value })),
        `Task ${task.id} assigned to ${to.value}. Assignment is not a claim; create the job to hand it over.`);
    });
    forms.push(f);
  }
  if (task.state === 'assigned' && !task.job) {
    acts.push(btn('task-create-job', 'Create job', async () => {
      const r = await api.post(path('job'));
      await update();
      return r;
    }, (r) => `Job ${r.job} created and queued for ${task.assignee}.`, 'primary'));
  }
  if (task.state !== 'closed' && task.state !== 'rejected' && (task.state !== 'review')) {
    acts.push(btn('task-close', 'Close task', async () => update(await api.post(path('close'))),
      `Task ${task.id} closed.`));
  }
  root.appendChild(section('Governance',
    h('p', { class: 'hint' }, 'Task state is governance state, never the execution state of a job.'),
    acts.length ? h('div', { class: 'actions' }, acts) : null, ...forms,
    !acts.length && !forms.length ? empty('Nothing left to decide on this task.') : null));

  // --- the request as submitted (immutable intake data)
  root.appendChild(section('Request',
    dl([
      ['Request', req.id !== undefined ? `#${req.id}` : null],
      ['Submitted', req.created_at ? time(req.created_at) : null],
      ['Submitted by', req.submitted_by || 'anonymous'],
      ['Photos', req.photos !== undefined ? String(req.photos) : undefined],
    ]),
    photoStrip(req.intake && req.intake.photos),
    req.intake ? scopeView(req.intake) : empty('No intake data.')));
}

// --- audit log -------------------------------------------------------------

export async function viewLog({ query, go }) {
  const job = query.get('job') || '';
  const base = job ? `/api/log?job=${encodeURIComponent(job)}` : '/api/log';
  const r = await api.get(base);
  const rows = r.log || [];
  const input = h('input', { type: 'number', name: 'job', min: 1, step: 1, value: job, inputmode: 'numeric' });
  const f = h('form', { class: 'filters' }, field('Job', input, { hint: 'Empty for the whole log.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show')));
  f.addEventListener('submit', (e) => { e.preventDefault(); go(input.value ? `#/log?job=${input.value}` : '#/log'); });
  const out = [h('h1', {}, job ? `Audit log of job ${job}` : 'Audit log'),
    h('p', { class: 'lede' }, 'Append-only and hash-chained: every change, by whom, from what to what.'), f];
  if (!rows.length) { out.push(empty('No entries.')); return out; }
  const logRow = (e) => h('tr', {},
    h('td', { class: 'num' }, String(e.id)), h('td', {}, time(e.at)), h('td', {}, e.actor || '—'),
    h('td', {}, `${e.entity} ${e.entity_id}`), h('td', {}, e.action),
    h('td', {}, `${e.from || '—'} → ${e.to || '—'}`),
    h('td', {}, e.job ? h('a', { href: `#/jobs/${e.job}` }, String(e.job)) : '—'));
  const tbody = h('tbody', {}, rows.map(logRow));
  out.push(h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Audit log entries' }, h('table', { id: 'log' },
    h('caption', { class: 'sr-only' }, 'Audit log entries'),
    h('thead', {}, h('tr', {}, ['#', 'When', 'Actor', 'Entity', 'Action', 'From → to', 'Job'].map(t => h('th', { scope: 'col' }, t)))),
    tbody)));
  out.push(loadMore('log-more', r.next_after, async (after) => {
    const p = await api.get(api.pagePath(base, after));
    return { rows: p.log || [], next: p.next_after };
  }, (more) => more.forEach(e => tbody.appendChild(logRow(e)))));
  return out;
}

// --- verify ----------------------------------------------------------------

export async function viewVerify({ go }) {
  const r = await api.get('/api/verify');
  const findings = r.findings || [];
  return [h('h1', {}, 'Verify'),
    h('p', { class: 'lede' }, 'Recomputes the audit hash chain and checks every job, ServiceEvent and record against it.'),
    h('section', { class: `card verify ${r.ok ? 'ok' : 'bad'}`, id: 'verify', 'aria-labelledby': 'verify-h' },
      h('h2', { id: 'verify-h' }, r.ok ? 'OK: the log and the records agree' : 'Problems found'),
      dl([['Audit rows', String(r.audit_rows)], ['Jobs', String(r.jobs)], ['Findings', String(findings.length)]]),
      findings.length ? h('ul', { class: 'list' }, findings.map(f => h('li', {}, typeof f === 'string' ? f : JSON.stringify(f)))) : null,
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => go('#/verify') }, 'Verify again')))];
}
