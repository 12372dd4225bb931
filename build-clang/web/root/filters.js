// filters.js - finding work: the desk's filters and search box, and the
// list of jobs they find (GET /api/jobs?state=&surface=&operator=&phase=
// &q=&limit=&after=, keyset paging by id: "Load more" follows next_after).
//
// The filters live in the hash (#/desk?state=ready&q=laguna), so a found
// list can be reloaded, bookmarked and gone back to.  The runtime checks
// them (an unknown state, a search shorter than it takes): its refusal is
// shown as it comes, beside the filters, so they can be corrected.  Who
// sees which jobs is the runtime's read rule: an operator's list holds
// only the jobs they hold; an admin's every job.

import * as api from './api.js';
import { h, humanize, field, select, empty, loadMore, sayError } from './dom.js';
import { JOB_STATES } from './vocab.js';
import { jobCard, surfaceNames } from './jobs.js';

export const FILTERS = ['state', 'surface', 'operator', 'phase', 'q'];
const PAGE = 50;
const STATE_TEXT = { ready: 'Ready to close' };

// the page size: the hash's limit (the runtime checks it), else PAGE
const pageOf = (query) => query.get('limit') || PAGE;

// the filters in the hash, as {name: value} (only those given)
export function filtersOf(query, isAdmin) {
  const f = {};
  for (const k of FILTERS) {
    const v = (query.get(k) || '').trim();
    if (v && (k !== 'operator' || isAdmin)) f[k] = v;
  }
  return f;
}

function hashOf(f) {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) q.set(k, f[k]);
  if (f.limit) q.set('limit', f.limit);
  const s = q.toString();
  return s ? `#/desk?${s}` : '#/desk';
}

// every phase of the surfaces (of one when given), by name, labelled
async function phasesOf(surfaces, only) {
  const models = await Promise.all(surfaces.filter(s => !only || s.slug === only)
    .map(s => api.surface(s.slug).catch(() => null)));
  // one surface: its labels; several: the names (labels differ by surface)
  const seen = new Map();
  for (const m of models.filter(Boolean))
    for (const p of m.phases || [])
      if (!seen.has(p.name)) seen.set(p.name, only ? (p.label || humanize(p.name)) : humanize(p.name));
  return [...seen.entries()];
}

// The filter form above the desk and the found list.  Selects apply at
// once; the search applies on Enter or "Find".  actors: every actor (admins).
export async function filterBar({ query, actor: me, go, actors }) {
  const isAdmin = me.role === 'admin';
  const f = filtersOf(query, isAdmin);
  const surfaces = await api.surfaces().catch(() => []);
  const controls = {
    state: select('state', JOB_STATES.map(s => [s, STATE_TEXT[s] || humanize(s)]), { placeholder: 'Any state', value: f.state }),
    surface: select('surface', surfaces.map(s => [s.slug, s.name]), { placeholder: 'Any surface', value: f.surface }),
    phase: select('phase', await phasesOf(surfaces, f.surface), { placeholder: 'Any phase', value: f.phase }),
  };
  if (isAdmin) {
    const ops = (actors || []).filter(a => a.role === 'operator');
    controls.operator = select('operator', ops.map(a => [a.slug, `${a.name || a.slug} (${a.slug})`]),
      { placeholder: 'All operators', value: f.operator });
  }
  const q = h('input', { type: 'search', name: 'q', value: f.q || '', maxlength: 200, autocomplete: 'off',
    placeholder: 'Venue, contact, notes…' });
  const read = () => {
    const out = query.get('limit') ? { limit: query.get('limit') } : {};
    for (const [k, el] of Object.entries(controls)) if (el.value) out[k] = el.value;
    if (q.value.trim()) out.q = q.value.trim();
    return out;
  };
  for (const el of Object.values(controls)) el.addEventListener('change', () => go(hashOf(read())));
  const form = h('form', { class: 'filters', id: 'desk-filters', role: 'search', 'aria-label': 'Find jobs' },
    field('State', controls.state), field('Surface', controls.surface),
    controls.operator ? field('Operator', controls.operator) : null,
    field('Phase', controls.phase),
    field('Search', q, { hint: 'Venue, contact name or other intake text; 3 characters or more.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'desk-find' }, 'Find'),
      Object.keys(f).length ? h('a', { href: '#/desk', class: 'button', id: 'desk-clear' }, 'Clear') : null));
  form.addEventListener('submit', (e) => { e.preventDefault(); go(hashOf(read())); });
  return form;
}

// Does this hash ask for a found list rather than the columns?  (An
// admin's operator alone keeps the columns: one operator's desk.)
export function wantsList(query, isAdmin) {
  const f = filtersOf(query, isAdmin);
  return Object.keys(f).some(k => k !== 'operator');
}

// #/desk?FILTERS[&limit=N]: the jobs found, a page at a time.
export async function viewJobList({ query, actor: me, go }) {
  const isAdmin = me.role === 'admin';
  const f = filtersOf(query, isAdmin);
  const base = api.pagePath('/api/jobs', 0, f);
  const [names, actors] = await Promise.all([surfaceNames(),
    isAdmin ? api.getAll('/api/actors', 'actors').catch(() => []) : Promise.resolve([])]);
  const out = [h('h1', {}, isAdmin ? 'Find jobs' : 'Find my jobs'),
    await filterBar({ query, actor: me, go, actors })];
  let r;
  try {
    r = await api.get(api.pagePath(base, 0, { limit: pageOf(query) }));
  } catch (e) {
    if (e.status !== 400 && e.status !== 404) throw e;
    // the runtime's word on the filters, beside them: nothing was listed
    out.push(h('p', { class: 'refusal', id: 'filter-error', role: 'alert' },
      h('span', { class: 'msg-cat' }, e.category), ' ', e.message));
    sayError(e);
    return out;
  }
  const jobs = r.jobs || [];
  let shown = jobs.length, open = r.next_after !== null && r.next_after !== undefined;
  const count = h('p', { class: 'hint', id: 'found-count', 'aria-live': 'polite' });
  const list = h('ul', { class: 'jobs', id: 'job-results' }, jobs.map(j => jobCard(j, names, isAdmin)));
  const more = loadMore('jobs-more', r.next_after, async (after) => {
    const p = await api.get(api.pagePath(base, after, { limit: pageOf(query) }));
    open = p.next_after !== null && p.next_after !== undefined;
    return { rows: p.jobs || [], next: p.next_after };
  }, (rows) => {
    rows.forEach(j => list.appendChild(jobCard(j, names, isAdmin)));
    shown += rows.length;
    say();
  });
  const say = () => {
    count.textContent = `${shown}${open ? '+' : ''} job${shown === 1 && !open ? '' : 's'} found.`;
  };
  say();
  out.push(h('section', { class: 'card', 'aria-labelledby': 'found-h' },
    h('h2', { id: 'found-h' }, 'Found'), count, jobs.length ? list : empty('No job matches these filters.'), more));
  return out;
}
