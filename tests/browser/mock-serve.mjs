// mock-serve.mjs - a stand-in for `qtm serve`, for working on the web desk
// without the C server: the same JSON contract, each call answered by the
// `qtm` command (`--json`).  Not used by run.sh unless QTM_MOCK=1.
//
//   node mock-serve.mjs --qtm build/bin/qtm --db DB --web web --listen 127.0.0.1:8080
//   tokens: env MOCK_TOKENS="tok-dana=dana,tok-ana=ana"
import http from 'node:http';
import { execFile } from 'node:child_process';
import { readFile, writeFile, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import os from 'node:os';

const arg = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : d; };
const QTM = arg('--qtm', 'build/bin/qtm');
const DB = arg('--db', 'qtm.db');
const WEB = arg('--web', 'web');
const [HOST, PORT] = arg('--listen', '127.0.0.1:8080').split(':');
const tokens = new Map((process.env.MOCK_TOKENS || '').split(',').filter(Boolean).map(p => p.split('=')));
const sessions = new Map(); // sid -> {slug, csrf}
const STATUS = { 2: 400, 3: 404, 4: 403, 5: 422, 6: 409, 7: 400, 10: 500 };
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png', '.ico': 'image/x-icon' };

function qtm(as, ...args) {
  const full = ['--db', DB, '--json', ...(as ? ['--as', as] : []), ...args];
  return new Promise((resolve) => {
    execFile(QTM, full, { maxBuffer: 1 << 24 }, (err, stdout) => {
      let body = null;
      try { body = JSON.parse(stdout); } catch (e) { body = { error: { category: 'storage', message: 'bad output' } }; }
      const code = err ? (err.code || 1) : 0;
      resolve({ status: code ? (STATUS[code] || 500) : 200, body });
    });
  });
}
const fail = (status, category, message) => ({ status, body: { error: { category, message } } });

async function actorOf(slug) {
  const r = await qtm(null, 'actor', 'list');
  return (r.body.actors || []).find(a => a.slug === slug);
}

async function jobWithActions(id, me) {
  const r = await qtm(null, 'job', 'show', id);
  if (r.status !== 200) return r;
  const j = r.body;
  const a = await actorOf(me);
  const ok = a && a.access === 'active';
  j.actions = (j.next || []).filter(n => ok && (
    (n.by === 'owner' && j.owner === me) ||
    (n.by === 'operator' && a.role === 'operator' && (n.event !== 'claim' || j.assignee === me)) ||
    (n.by === 'admin' && a.role === 'admin')));
  j.can_claim = !!(ok && a.role === 'operator' && j.state === 'queued' && j.assignee === me);
  return r;
}

async function handle(req, url, body, me) {
  const p = url.pathname; const m = (re) => p.match(re);
  const M = req.method;
  let x;
  if (p === '/healthz') return { status: 200, body: { ok: true } };
  if (p === '/api/surfaces' && M === 'GET') return qtm(null, 'surfaces');
  if ((x = m(/^\/api\/surfaces\/([a-z0-9-]+)$/)) && M === 'GET') return qtm(null, 'surface', 'show', x[1]);
  if ((x = m(/^\/api\/requests\/([a-z0-9-]+)$/)) && M === 'POST') {
    const f = path.join(os.tmpdir(), `mock-intake-${randomBytes(6).toString('hex')}.json`);
    await writeFile(f, JSON.stringify(body || {}));
    const args = ['request', 'submit', x[1], '--intake', f, '--photos', url.searchParams.get('photos') || '0'];
    const key = req.headers['idempotency-key'];
    if (key) args.push('--key', key);
    const r = await qtm(me, ...args);
    await unlink(f).catch(() => {});
    if (r.status === 200) r.status = 201;
    return r;
  }
  if (!me) return fail(401, 'forbidden', 'sign in first: no or bad credential');
  if (p === '/api/actors' && M === 'GET') return qtm(me, 'actor', 'list');
  if (p === '/api/tasks' && M === 'GET') {
    const s = url.searchParams.get('state');
    return qtm(me, 'task', 'list', ...(s ? ['--state', s] : []));
  }
  if ((x = m(/^\/api\/tasks\/(\d+)$/)) && M === 'GET') return qtm(me, 'task', 'show', x[1]);
  if ((x = m(/^\/api\/tasks\/(\d+)\/(approve|reject|assign|close|job)$/)) && M === 'POST') {
    if (x[2] === 'job') return qtm(me, 'job', 'create', '--task', x[1]);
    if (x[2] === 'reject') return qtm(me, 'task', 'reject', x[1], '--reason', (body && body.reason) || '');
    if (x[2] === 'assign') return qtm(me, 'task', 'assign', x[1], '--to', (body && body.to) || '');
    return qtm(me, 'task', x[2], x[1]);
  }
  if (p === '/api/desk' && M === 'GET') {
    const a = await actorOf(me);
    const op = a.role === 'operator' ? me : url.searchParams.get('operator');
    return qtm(me, 'desk', ...(op ? ['--operator', op] : []));
  }
  if ((x = m(/^\/api\/jobs\/(\d+)$/)) && M === 'GET') {
    const a = await actorOf(me);
    const r = await jobWithActions(x[1], me);
    if (r.status === 200 && a.role === 'operator' && r.body.assignee !== me && r.body.owner !== me)
      return fail(403, 'forbidden', `job ${x[1]} is assigned to ${r.body.assignee}; ${me} cannot see it`);
    return r;
  }
  if ((x = m(/^\/api\/jobs\/(\d+)\/(claim|advance|complete|evidence|participants|settlement)$/)) && M === 'POST') {
    let r;
    const b = body || {};
    if (x[2] === 'claim') r = await qtm(me, 'job', 'claim', x[1]);
    else if (x[2] === 'advance') r = await qtm(me, 'job', 'advance', x[1], String(b.event || ''));
    else if (x[2] === 'complete') r = await qtm(me, 'job', 'complete', x[1]);
    else if (x[2] === 'evidence') r = await qtm(me, 'evidence', 'add', x[1], b.category || '', b.ref || '', ...(b.note ? ['--note', b.note] : []));
    else if (x[2] === 'participants') r = await qtm(me, 'participant', 'add', x[1], '--name', b.name || '', '--role', b.role || '', ...(b.contact ? ['--contact', b.contact] : []));
    else {
      const args = ['settle', x[1], '--amount', String(b.amount || ''), '--method', b.method || ''];
      if (b.currency) args.push('--currency', b.currency);
      if (b.note) args.push('--note', b.note);
      if (b.due) args.push('--due', String(b.due));
      if (b.waive) args.push('--status', 'waived');
      return qtm(me, ...args);
    }
    if (r.status !== 200) return r;
    return jobWithActions(x[1], me);
  }
  if ((x = m(/^\/api\/jobs\/(\d+)\/record$/)) && M === 'GET') return qtm(me, 'record', 'show', '--job', x[1]);
  if (p === '/api/log' && M === 'GET') {
    const j = url.searchParams.get('job');
    return qtm(me, 'log', ...(j ? ['--job', j] : []));
  }
  if (p === '/api/verify' && M === 'GET') { const r = await qtm(me, 'verify'); r.status = 200; return r; }
  return fail(404, 'not found', `no route ${M} ${p}`);
}

function cookies(req) {
  return Object.fromEntries((req.headers.cookie || '').split(';').map(s => s.trim().split('=')).filter(a => a[0]));
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const send = (status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };
  let raw = '';
  for await (const c of req) raw += c;
  let body;
  try { body = raw ? JSON.parse(raw) : undefined; } catch (e) { return send(400, { error: { category: 'invalid input', message: 'malformed JSON body' } }); }
  process.stderr.write(`${req.method} ${req.url}\n`);
  if (!url.pathname.startsWith('/api/') && url.pathname !== '/healthz') {
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    if (!/^[a-z0-9_.-]+$/i.test(name) || name.startsWith('.')) return send(404, { error: { category: 'not found', message: 'not found' } });
    try {
      const data = await readFile(path.join(WEB, name));
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(name)] || 'application/octet-stream' });
      return res.end(data);
    } catch (e) { return send(404, { error: { category: 'not found', message: 'not found' } }); }
  }
  const sid = cookies(req).qtm_session;
  const sess = sid && sessions.get(sid);
  let me = null;
  const auth = req.headers.authorization;
  if (auth && auth.startsWith('Bearer ')) me = tokens.get(auth.slice(7)) || null;
  else if (sess) {
    me = sess.slug;
    if (req.method !== 'GET' && url.pathname !== '/api/session' && req.headers['x-csrf-token'] !== sess.csrf)
      return send(403, { error: { category: 'forbidden', message: 'missing or wrong CSRF token' } });
  }
  if (url.pathname === '/api/session') {
    if (req.method === 'POST') {
      const slug = tokens.get(body && body.token);
      if (!slug) return send(401, { error: { category: 'forbidden', message: 'unknown or revoked token' } });
      const a = await actorOf(slug);
      const nsid = randomBytes(16).toString('hex'); const csrf = randomBytes(16).toString('hex');
      sessions.set(nsid, { slug, csrf });
      return send(200, { actor: { slug: a.slug, name: a.name, role: a.role, access: a.access }, csrf },
        { 'Set-Cookie': `qtm_session=${nsid}; HttpOnly; SameSite=Strict; Path=/` });
    }
    if (req.method === 'GET') {
      if (!sess) return send(401, { error: { category: 'forbidden', message: 'no session' } });
      const a = await actorOf(sess.slug);
      return send(200, { actor: { slug: a.slug, name: a.name, role: a.role, access: a.access }, csrf: sess.csrf });
    }
    if (req.method === 'DELETE') {
      if (sess && req.headers['x-csrf-token'] !== sess.csrf) return send(403, { error: { category: 'forbidden', message: 'missing or wrong CSRF token' } });
      sessions.delete(sid);
      return send(200, { ok: true }, { 'Set-Cookie': 'qtm_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0' });
    }
  }
  const r = await handle(req, url, body, me);
  send(r.status, r.body);
});
server.listen(Number(PORT), HOST, () => process.stderr.write(`mock qtm serve on http://${HOST}:${PORT}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
