// api.js - the JSON API of `qtm serve`, as the desk uses it.
//
// Every call goes to the same origin; the session cookie (HttpOnly,
// SameSite=Strict) travels by itself, and every change (POST, DELETE)
// carries the X-CSRF-Token the session handed us.  An error response
// {"error":{"category","message"}} becomes an ApiError whose message is
// the runtime's message, unchanged: the desk shows it verbatim.

export class ApiError extends Error {
  constructor(status, category, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.category = category;
  }
}

const state = { actor: null, csrf: null };
const listeners = new Set();

export function session() { return state.actor ? { actor: state.actor, csrf: state.csrf } : null; }
export function actor() { return state.actor; }
export function onSessionChange(fn) { listeners.add(fn); }

function setSession(body) {
  const before = state.actor && state.actor.slug;
  state.actor = body && body.actor ? body.actor : null;
  state.csrf = body && body.csrf ? body.csrf : null;
  if ((state.actor && state.actor.slug) !== before) listeners.forEach(fn => fn(state.actor));
}

export async function request(method, path, body, extraHeaders) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  Object.assign(headers, extraHeaders || {});
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'The desk cannot reach the server. Check the connection and try again.');
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (!res.ok) {
    const err = data && data.error;
    const message = err && typeof err.message === 'string' ? err.message
      : `The server answered ${res.status} ${res.statusText || ''}`.trim();
    const apiErr = new ApiError(res.status, err && err.category ? err.category : 'http', message);
    // the cookie expired or was revoked: forget the session (not for the
    // sign-in call itself, which answers 401 for a wrong token)
    if (res.status === 401 && path !== '/api/session' && state.actor) setSession(null);
    throw apiErr;
  }
  return data;
}

// One file to POST /api/uploads, sent raw with its type; onProgress(0..1)
// as it goes (fetch reports no upload progress: XMLHttpRequest does).
// Resolves {blob, type, size}; rejects with an ApiError carrying the
// runtime's refusal for this file.
export function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', '/api/uploads');
    x.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    x.setRequestHeader('Accept', 'application/json');
    if (state.csrf) x.setRequestHeader('X-CSRF-Token', state.csrf);
    x.upload.onprogress = (e) => { if (onProgress && e.lengthComputable) onProgress(e.loaded / e.total); };
    x.onerror = () => reject(new ApiError(0, 'network', 'The desk cannot reach the server. Check the connection and try again.'));
    x.onload = () => {
      let data = null;
      try { data = JSON.parse(x.responseText); } catch (e) { data = null; }
      if (x.status >= 200 && x.status < 300 && data && data.blob) {
        if (onProgress) onProgress(1);
        resolve(data);
        return;
      }
      const err = data && data.error;
      reject(new ApiError(x.status, err && err.category ? err.category : 'http',
        err && typeof err.message === 'string' ? err.message : `The server answered ${x.status}`));
    };
    x.send(file);
  });
}

// The URL of a stored file's thumbnail (or the file itself), by its name.
export function blobUrl(ref, thumb) {
  const hex = String(ref || '').replace(/^sha256:/, '');
  return `/api/blobs/${encodeURIComponent(hex)}${thumb ? '/thumb' : ''}`;
}

export const get = (path) => request('GET', path);
export const post = (path, body, headers) => request('POST', path, body === undefined ? {} : body, headers);

// --- session ---------------------------------------------------------------

export async function loadSession() {
  try {
    setSession(await get('/api/session'));
  } catch (e) {
    if (e.status === 401 || e.status === 404) setSession(null);
    else throw e;
  }
  return state.actor;
}

export async function signIn(token) {
  const body = await request('POST', '/api/session', { token });
  setSession(body);
  return state.actor;
}

export async function signOut() {
  try {
    await request('DELETE', '/api/session');
  } finally {
    setSession(null);
  }
}

// --- paged lists -------------------------------------------------------------
// Every list route answers one page: {KEY: [...], next_after} where
// next_after is the id to pass as ?after= for the next page, null at the end.

// The path with ?after=N (and more query) added.
export function pagePath(path, after, extra) {
  const q = new URLSearchParams(extra || {});
  if (after) q.set('after', String(after));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

// Every row of a small list (actors): follows next_after to the end.
export async function getAll(path, key) {
  let rows = [], after = 0;
  for (let pages = 0; pages < 1000; pages++) {
    const r = await get(pagePath(path, after, { limit: 1000 }));
    rows = rows.concat(r[key] || []);
    if (r.next_after === null || r.next_after === undefined) break;
    after = r.next_after;
  }
  return rows;
}

// --- surfaces (public; the compiled models do not change while we run) -----

const models = new Map();
export async function surfaces() { return (await get('/api/surfaces')).surfaces || []; }
export async function surface(slug) {
  if (!models.has(slug)) {
    const p = get(`/api/surfaces/${encodeURIComponent(slug)}`);
    models.set(slug, p);
    p.catch(() => models.delete(slug));
  }
  return models.get(slug);
}

// --- a fresh idempotency key for one intake submission ----------------------

export function newKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; getRandomValues does not
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const id = (n) => encodeURIComponent(String(n));
