// desk.js - the web desk: session, navigation and hash routing.
//
//   #/signin             sign in with a token
//   #/desk               operator desk (admins: every operator, or one)
//   #/desk?state=&surface=&operator=&phase=&q=
//                        the jobs those filters find (filters.js)
//   #/jobs/12            a job: phase rail, actions, governance, event
//                        details, notes, owners, evidence, participants,
//                        settlement, record
//   #/reassign           admin: suspended operators' work (needs reassignment)
//   #/settlements[?status=&surface=]  admin: every job's settlement
//   #/tasks[?state=S]    admin task queue;  #/tasks/3  review one task
//   #/log[?job=N]        admin audit log;   #/verify   the chain check
//   #/intake             public: the surfaces taking requests
//   #/intake/SLUG        public: the intake form of one surface

import * as api from './api.js';
import { h, clear, say, sayError, quiet, act, field } from './dom.js';
import { viewJob } from './operator.js';
import { viewDesk, viewReassign } from './jobs.js';
import { viewSettlements } from './settlements.js';
import { viewTasks, viewTask, viewLog, viewVerify } from './admin.js';
import { viewIntakeList, viewIntake } from './intake.js';

const main = () => document.getElementById('main');

const routes = [
  [/^\/signin$/, viewSignIn],
  [/^\/desk$/, viewDesk, ['operator', 'admin']],
  [/^\/jobs\/(\d+)$/, viewJob, ['operator', 'admin']],
  [/^\/reassign$/, viewReassign, ['admin']],
  [/^\/settlements$/, viewSettlements, ['admin']],
  [/^\/tasks$/, viewTasks, ['admin']],
  [/^\/tasks\/(\d+)$/, viewTask, ['admin']],
  [/^\/log$/, viewLog, ['admin']],
  [/^\/verify$/, viewVerify, ['admin']],
  [/^\/intake$/, viewIntakeList],
  [/^\/intake\/([a-z0-9-]+)$/, viewIntake],
];

export function home(actor) {
  if (!actor) return '#/intake';
  if (actor.role === 'admin') return '#/tasks';
  if (actor.role === 'operator') return '#/desk';
  return '#/intake';
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path, query: new URLSearchParams(qs || '') };
}

let generation = 0;

async function route() {
  const { path, query } = parseHash();
  const me = api.actor();
  if (path === '/' || path === '') { location.replace(home(me)); return; }
  const gen = ++generation;
  renderNav(path);
  const m = main();
  for (const [re, view, roles] of routes) {
    const match = path.match(re);
    if (!match) continue;
    if (roles && !me) {
      sessionStorage.setItem('qtm.after', location.hash);
      location.replace('#/signin');
      return;
    }
    if (roles && !roles.includes(me.role)) {
      render(m, h('h1', { tabindex: '-1' }, 'Not for this role'),
        h('p', {}, `Signed in as ${me.name || me.slug} (${me.role}). This page is for: ${roles.join(', ')}.`),
        h('p', {}, h('a', { href: home(me) }, 'Go to your start page')));
      return;
    }
    m.setAttribute('aria-busy', 'true');
    try {
      const nodes = await view({ params: match.slice(1), query, actor: me, go, stale: () => gen !== generation });
      if (gen !== generation) return;
      render(m, ...[].concat(nodes));
    } catch (e) {
      if (gen !== generation) return;
      if (e.status === 401) {
        sessionStorage.setItem('qtm.after', location.hash);
        say('error', e.message, e.category);
        location.replace('#/signin');
        return;
      }
      render(m, h('h1', { tabindex: '-1' }, 'Cannot show this page'),
        h('p', { class: 'refusal', role: 'alert' },
          h('span', { class: 'msg-cat' }, e.category || 'error'), ' ', e.message || String(e)),
        h('p', {}, h('a', { href: home(me) }, 'Back')));
      sayError(e);
    } finally {
      m.removeAttribute('aria-busy');
    }
    return;
  }
  render(m, h('h1', { tabindex: '-1' }, 'Page not found'), h('p', {}, h('a', { href: home(me) }, 'Back')));
}

function render(m, ...nodes) {
  clear(m);
  nodes.forEach(n => n && m.appendChild(n));
  const h1 = m.querySelector('h1');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    document.title = `${h1.textContent} · qtm desk`;
    // move focus to the new page's heading (not on first load)
    if (rendered) h1.focus({ preventScroll: false });
  }
  rendered = true;
}
let rendered = false;

// re-render the current route in place (after an action)
export function refresh() { route(); }

function renderNav(path) {
  const me = api.actor();
  const nav = clear(document.getElementById('nav'));
  const links = [];
  if (me && me.role === 'operator') links.push(['#/desk', 'My desk', /^\/(desk|jobs)/]);
  if (me && me.role === 'admin') {
    links.push(['#/tasks', 'Tasks', /^\/tasks/]);
    links.push(['#/desk', 'Jobs', /^\/(desk|jobs)/]);
    links.push(['#/reassign', 'Needs reassignment', /^\/reassign/]);
    links.push(['#/settlements', 'Settlements', /^\/settlements/]);
    links.push(['#/log', 'Audit log', /^\/log/]);
    links.push(['#/verify', 'Verify', /^\/verify/]);
  }
  links.push(['#/intake', 'New request', /^\/intake/]);
  const ul = h('ul', {});
  for (const [href, text, re] of links) {
    ul.appendChild(h('li', {}, h('a', { href, 'aria-current': re.test(path) ? 'page' : null }, text)));
  }
  nav.appendChild(ul);

  const who = clear(document.getElementById('who'));
  if (me) {
    who.appendChild(h('span', { class: 'who-name', 'data-actor': me.slug },
      me.name || me.slug, ' ', h('span', { class: 'who-role' }, `${me.role}${me.access && me.access !== 'active' ? `, ${me.access}` : ''}`)));
    who.appendChild(h('button', { type: 'button', class: 'link', id: 'signout', onclick: onSignOut }, 'Sign out'));
  } else if (path !== '/signin') {
    who.appendChild(h('a', { href: '#/signin', id: 'signin-link' }, 'Sign in'));
  }
}

async function onSignOut(ev) {
  await act(ev.currentTarget, () => api.signOut(), 'Signed out.');
  sessionStorage.removeItem('qtm.after');
  go('#/signin');
}

// --- sign in -------------------------------------------------------------

function viewSignIn({ actor: me }) {
  if (me) {
    return [h('h1', {}, 'Signed in'),
      h('p', {}, `You are signed in as ${me.name || me.slug} (${me.role}).`),
      h('p', {}, h('a', { href: home(me) }, 'Continue'))];
  }
  const input = h('input', {
    type: 'password', name: 'token', autocomplete: 'off', autocapitalize: 'off',
    spellcheck: 'false', required: true,
  });
  const form = h('form', { class: 'card narrow', id: 'signin-form' },
    field('Access token', input, {
      required: true,
      hint: 'Your administrator issues it with `qtm token issue YOUR-NAME`. It is shown once; keep it private.',
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) { say('error', 'Enter your access token.'); input.focus(); return; }
    const who = await act(form, () => api.signIn(token));
    if (!who) { input.select(); input.focus(); return; }
    input.value = '';
    say('ok', `Signed in as ${who.name || who.slug}.`);
    const after = sessionStorage.getItem('qtm.after');
    sessionStorage.removeItem('qtm.after');
    go(after && after !== '#/signin' ? after : home(who));
  });
  return [h('h1', {}, 'Sign in'),
    h('p', { class: 'lede' }, 'Operators and admins sign in with the token issued to them. Clients can ',
      h('a', { href: '#/intake' }, 'submit a request'), ' without signing in.'),
    form];
}

// --- start ---------------------------------------------------------------

async function start() {
  // the skip link must not change the hash (the hash is the route)
  document.getElementById('skip').addEventListener('click', (ev) => {
    ev.preventDefault();
    const target = main().querySelector('h1') || main();
    target.focus();
  });
  api.onSessionChange(() => renderNav(parseHash().path));
  try {
    await api.loadSession();
  } catch (e) {
    sayError(e);
  }
  // a new page clears the old message, but not one an action just said
  // before navigating ("Signed in as ...")
  window.addEventListener('hashchange', () => { quiet(1500); route(); });
  route();
}

start();
