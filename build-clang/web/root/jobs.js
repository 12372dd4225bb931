// jobs.js - the desk's lists of work: the columns (Queued, Active, Ready
// to close, Completed) under the filters (a filter or a search turns the
// desk into the list it finds: filters.js), the job cards, and the admin's
// "Needs reassignment" view (a suspended operator's queued and active jobs).
//
// The lists are GET /api/desk, one page each (next_after.KEY), and Ready
// to close GET /api/jobs?state=ready (jobs whose ServiceEvent is final,
// waiting for "Complete job"); the desk's `active` list carries those too,
// and Active leaves them to their own column.

import * as api from './api.js';
import { h, humanize, empty, badge, loadMore } from './dom.js';
import { filterBar, wantsList, viewJobList } from './filters.js';

export async function surfaceNames() {
  try {
    const list = await api.surfaces();
    return new Map(list.map(s => [s.slug, s.name]));
  } catch (e) {
    return new Map();
  }
}

// One job as a card: what the work is (the summary line), where it stands
// (phase, state when it is ready or cancelled), who holds it, settlement.
export function jobCard(j, names, isAdmin) {
  const holder = j.owner ? `owner ${j.owner}` : (j.assignee ? `assigned to ${j.assignee}` : '');
  return h('li', { class: 'job', 'data-job': j.id, 'data-state': j.state },
    h('a', { href: `#/jobs/${j.id}`, class: 'job-link' },
      h('span', { class: 'job-id' }, `Job ${j.id}`), ' ',
      h('span', { class: 'job-surface' }, names.get(j.surface) || j.surface)),
    j.summary ? h('p', { class: 'job-summary' }, j.summary) : null,
    h('div', { class: 'job-meta' },
      badge(j.label || humanize(j.phase || j.state), `phase phase-${j.phase}`),
      j.state === 'ready' ? badge('Ready to close', 'state state-ready') : null,
      j.state === 'cancelled' ? badge('Cancelled', 'state state-cancelled') : null,
      j.settlement ? h('span', { class: 'job-pay', 'data-settlement': j.settlement },
        badge(humanize(j.settlement), `pay pay-${j.settlement}`)) : null,
      (isAdmin || j.owner) && holder ? h('span', { class: 'muted' }, holder) : null));
}

// A column: its list, its count, and "Load more" when its list has more.
function column(key, title, note) {
  const idv = `col-${key}`;
  const list = h('ul', { class: 'jobs' });
  const none = empty('None.');
  const count = h('span', { class: 'count' });
  const el = h('section', { class: 'column', id: idv, 'aria-labelledby': `${idv}-h` },
    h('h2', { id: `${idv}-h` }, title, ' ', count),
    note ? h('p', { class: 'hint' }, note) : null, none, list);
  let n = 0, more = false;
  const show = () => {
    count.textContent = `(${n}${more ? '+' : ''})`;
    none.hidden = n > 0;
    list.hidden = n === 0;
  };
  show();
  return {
    el,
    add(card) { list.appendChild(card); n++; show(); },
    setMore(m) { more = m; show(); },
    tail(node) { if (node) el.appendChild(node); },
  };
}

export async function viewDesk({ query, actor: me, go }) {
  const isAdmin = me.role === 'admin';
  if (wantsList(query, isAdmin)) return viewJobList({ query, actor: me, go });
  const operator = isAdmin ? (query.get('operator') || '') : '';
  const path = operator ? `/api/desk?operator=${encodeURIComponent(operator)}` : '/api/desk';
  // Ready to close is its own list (GET /api/jobs?state=ready): the desk's
  // active list carries those jobs too, and they are left out of Active
  const readyPath = api.pagePath('/api/jobs', 0, operator ? { state: 'ready', operator } : { state: 'ready' });
  const [desk, ready, names, actors] = await Promise.all([
    api.get(path), api.get(api.pagePath(readyPath, 0, { limit: 100 })), surfaceNames(),
    isAdmin ? api.getAll('/api/actors', 'actors').catch(() => []) : Promise.resolve([]),
  ]);

  const again = h('button', { type: 'button', id: 'desk-refresh', class: 'small-btn', onclick: () => go(location.hash) }, 'Refresh');
  const out = [h('div', { class: 'page-head' }, h('h1', {}, isAdmin ? 'Jobs by state' : 'My desk'), again)];
  if (!isAdmin) {
    out.push(h('p', { class: 'lede' },
      'Work assigned to you. Claim a queued job to own its execution; the job page shows what you can do next.'));
  }
  out.push(await filterBar({ query, actor: me, go, actors }));

  const cols = {
    queued: column('queued', 'Queued'),
    active: column('active', 'Active'),
    ready: column('ready', 'Ready to close', 'The event is over, delivered or closed: open the job and complete it.'),
    completed: column('completed', 'Completed', 'Shown for surfaces that keep completed jobs visible.'),
  };
  const add = (col, rows) => rows.forEach(j => {
    if (col !== cols.active || j.state !== 'ready') col.add(jobCard(j, names, isAdmin));
  });
  // the desk's lists, as its answer names them (queued, active, completed;
  // its ready list is the one above, which also pages)
  for (const key of Object.keys(desk.next_after || {}).filter(k => cols[k] && k !== 'ready')) {
    add(cols[key], desk[key] || []);
    const more = loadMore(`col-${key}-more`, (desk.next_after || {})[key], async (after) => {
      const p = await api.get(api.pagePath('/api/desk', after, operator ? { list: key, operator } : { list: key }));
      const nx = (p.next_after || {})[key];
      if (nx === null || nx === undefined) cols[key].setMore(false);
      return { rows: p[key] || [], next: nx };
    }, (rows) => add(cols[key], rows));
    cols[key].setMore(!!more);
    cols[key].tail(more);
  }
  add(cols.ready, ready.jobs || []);
  const moreReady = loadMore('col-ready-more', ready.next_after, async (after) => {
    const p = await api.get(api.pagePath(readyPath, after, { limit: 100 }));
    if (p.next_after === null || p.next_after === undefined) cols.ready.setMore(false);
    return { rows: p.jobs || [], next: p.next_after };
  }, (rows) => add(cols.ready, rows));
  cols.ready.setMore(!!moreReady);
  cols.ready.tail(moreReady);
  out.push(h('div', { class: 'columns columns-4' }, cols.queued.el, cols.active.el, cols.ready.el, cols.completed.el));
  return out;
}

// --- needs reassignment (admin) -------------------------------------------

// Every row of one desk list of one operator, following next_after.
async function deskAll(slug, key) {
  let rows = [], after = 0;
  for (let pages = 0; pages < 100; pages++) {
    const p = await api.get(api.pagePath('/api/desk', after, { operator: slug, list: key, limit: 1000 }));
    rows = rows.concat(p[key] || []);
    const next = (p.next_after || {})[key];
    if (next === null || next === undefined) break;
    after = next;
  }
  return rows;
}

export async function viewReassign() {
  const [actors, names] = await Promise.all([api.getAll('/api/actors', 'actors'), surfaceNames()]);
  const out = [h('h1', {}, 'Needs reassignment'),
    h('p', { class: 'lede' },
      'Work held by suspended operators. A queued job is reassigned; a claimed one is handed over, with a reason. Open a job to do it.')];
  const gone = actors.filter(a => a.role === 'operator' && a.access === 'suspended');
  if (!gone.length) { out.push(empty('No operator is suspended.')); return out; }
  const wrap = h('div', { id: 'needs-reassignment' });
  for (const a of gone) {
    const [queued, active] = await Promise.all([deskAll(a.slug, 'queued'), deskAll(a.slug, 'active')]);
    const jobs = [...queued, ...active];
    wrap.appendChild(h('section', { class: 'card', 'data-operator': a.slug, 'aria-labelledby': `nr-${a.slug}` },
      h('h2', { id: `nr-${a.slug}` }, `${a.name || a.slug} (${a.slug}), suspended`),
      jobs.length
        ? h('ul', { class: 'jobs' }, jobs.map(j => jobCard(j, names, true)))
        : empty('Holds no queued or active job.')));
  }
  out.push(wrap);
  return out;
}
