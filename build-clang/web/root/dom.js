// dom.js - small DOM helpers.  Everything that comes from the server
// (intake packets, names, notes) is put in the page as text, never as HTML.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

// "preferred_window" -> "Preferred window"
export function humanize(name) {
  const s = String(name).replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// "2026-11-27T14:46:53.790Z" -> "27 Nov 2026, 14:46 UTC"
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  return d.toLocaleString('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
    timeZone: 'UTC', timeZoneName: 'short',
  });
}

export function time(iso) {
  return h('time', { datetime: iso || '' }, when(iso));
}

// --- the message region (aria-live) ----------------------------------------

let msgTimer = null;
let msgAt = 0;

// kind: "ok" or "error".  For an ApiError the runtime's message is shown
// as it came, with its category beside it.
export function say(kind, text, category) {
  const box = document.getElementById('msg');
  if (!box) return;
  clear(box);
  clearTimeout(msgTimer);
  box.className = `msg msg-${kind}`;
  box.hidden = false;
  msgAt = Date.now();
  if (category) box.appendChild(h('span', { class: 'msg-cat' }, category));
  box.appendChild(h('span', { class: 'msg-text' }, text));
  box.appendChild(h('button', {
    type: 'button', class: 'msg-close', 'aria-label': 'Dismiss message',
    onclick: () => { box.hidden = true; clear(box); },
  }, '×'));
  if (kind === 'ok') msgTimer = setTimeout(() => { box.hidden = true; clear(box); }, 8000);
}

export function sayError(e) {
  if (e && e.name === 'ApiError') say('error', e.message, e.category);
  else say('error', String(e && e.message ? e.message : e));
}

// clear the message region, unless the message was just put there (an
// action that says something and then navigates)
export function quiet(unlessNewerThanMs = 0) {
  const box = document.getElementById('msg');
  if (!box || (unlessNewerThanMs && Date.now() - msgAt < unlessNewerThanMs)) return;
  box.hidden = true;
  clear(box);
}

// Run an action from a button or form: disable it while in flight, show
// the refusal verbatim if the runtime refuses (then call onError, e.g. to
// reload what changed under us).  Returns the result or undefined on error.
export async function act(control, fn, okText, onError) {
  const controls = control instanceof HTMLFormElement
    ? Array.from(control.querySelectorAll('button, input, select, textarea')) : [control];
  const was = controls.map(c => c.disabled);
  controls.forEach(c => { c.disabled = true; });
  if (control) control.setAttribute('aria-busy', 'true');
  try {
    const r = await fn();
    if (okText) say('ok', typeof okText === 'function' ? okText(r) : okText);
    return r;
  } catch (e) {
    sayError(e);
    if (onError) { try { await onError(e); } catch (e2) { /* keep the first message */ } }
    return undefined;
  } finally {
    controls.forEach((c, i) => { if (c.isConnected) c.disabled = was[i]; });
    if (control) control.removeAttribute('aria-busy');
  }
}

// a labelled form control: label above, input below, optional hint
let uid = 0;
export function field(labelText, control, opts = {}) {
  const idv = control.id || `f${++uid}`;
  control.id = idv;
  const hintId = opts.hint ? `${idv}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  const label = h('label', { for: idv }, labelText);
  if (opts.required) {
    label.appendChild(h('span', { class: 'req', 'aria-hidden': 'true' }, ' *'));
    label.appendChild(h('span', { class: 'sr-only' }, ' (required)'));
  }
  return h('div', { class: `field${opts.wide ? ' wide' : ''}` },
    label, control, hintId ? h('p', { class: 'hint', id: hintId }, opts.hint) : null);
}

export function select(name, options, opts = {}) {
  const s = h('select', { name, required: opts.required });
  if (opts.placeholder !== undefined) s.appendChild(h('option', { value: '' }, opts.placeholder));
  for (const o of options) {
    const [value, text] = Array.isArray(o) ? o : [o, o];
    s.appendChild(h('option', { value, selected: opts.value === value }, text));
  }
  return s;
}

export function section(title, ...children) {
  const idv = `s${++uid}`;
  return h('section', { class: 'card', 'aria-labelledby': idv },
    h('h2', { id: idv }, title), ...children);
}

export function empty(text) { return h('p', { class: 'empty' }, text); }

// A "Load more" button for a paged list: fetchPage(after) resolves to
// { rows, next } (next null at the end); appendRows(rows) shows them.  The
// button removes itself after the last page.
export function loadMore(idv, next, fetchPage, appendRows) {
  if (next === null || next === undefined) return null;
  let after = next;
  const b = h('button', { type: 'button', class: 'small-btn load-more', id: idv }, 'Load more');
  b.addEventListener('click', () => act(b, async () => {
    const r = await fetchPage(after);
    appendRows(r.rows);
    after = r.next;
    if (after === null || after === undefined) b.remove();
  }));
  return b;
}

export function dl(pairs) {
  const d = h('dl', { class: 'kv' });
  for (const [k, v] of pairs) {
    if (v === undefined) continue;
    d.appendChild(h('dt', {}, k));
    d.appendChild(h('dd', {}, v === null || v === '' ? '—' : v));
  }
  return d;
}

export function badge(text, kind) {
  // kind "pay pay-paid" -> classes badge-pay badge-pay-paid
  const extra = (kind || '').split(/\s+/).filter(Boolean).map(k => ` badge-${k}`).join('');
  return h('span', { class: `badge${extra}` }, text);
}
