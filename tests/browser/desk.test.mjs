// desk.test.mjs - the seed's execution example, done entirely through the
// web desk in headless Chromium (playwright-core, Debian's /usr/bin/chromium):
//
//   client submits the intake form (after one refusal from the runtime) ->
//   admin reviews, approves, assigns to ana, creates the job ->
//   bo cannot act on ana's job -> ana claims, adds participants, advances
//   through every phase; the record appears; ana closes the job ->
//   admin records payments (before and after completion) and neither moves
//   the job -> audit log and verify -> 360 px checks -> sign out.
//
// Environment (tests/browser/run.sh sets it): QTM_URL, TOKEN_ADMIN,
// TOKEN_ANA, TOKEN_BO, TOKEN_CLIENT, ARTIFACTS, INTAKE (the wedding packet),
// RESULT (a file to write "N M" to), PLAYWRIGHT (playwright-core's dir),
// PHOTOS (a directory of test photos: vehicle.jpg with GPS, arrival.jpg,
// before.png, after.webp, and notes.jpg, a text file).
// Each named check prints "ok - NAME" or "not ok - NAME: why".

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const env = (k) => { const v = process.env[k]; if (!v) { console.error(`desk.test: ${k} is not set`); process.exit(2); } return v; };
const BASE = env('QTM_URL').replace(/\/$/, '');
const TOKENS = { admin: env('TOKEN_ADMIN'), ana: env('TOKEN_ANA'), bo: env('TOKEN_BO'), client: env('TOKEN_CLIENT') };
const ART = env('ARTIFACTS');
const INTAKE = JSON.parse(readFileSync(env('INTAKE'), 'utf8'));
const RESULT = process.env.RESULT;
const { chromium } = await import(pathToFileURL(path.join(env('PLAYWRIGHT'), 'index.mjs')).href);
const T = 5000; // per wait

mkdirSync(ART, { recursive: true });

// --- a tiny harness -------------------------------------------------------

let passed = 0, failed = 0;
const t0 = Date.now();
async function check(name, fn) {
  const t = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok - ${name} (${Date.now() - t} ms)`);
  } catch (e) {
    failed++;
    const m = e && e.message ? e.message : String(e);
    console.log(`not ok - ${name}: ${m.split('\n')[0]}`);
    // the rest (playwright's call log: which locator) on request
    if (process.env.BROWSER_DEBUG) console.log(m.split('\n').slice(1).map(l => `#   ${l}`).join('\n'));
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function eq(a, b, msg) { if (a !== b) throw new Error(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`); }

async function text(page, sel) {
  return ((await page.locator(sel).first().textContent({ timeout: T })) || '').replace(/\s+/g, ' ').trim();
}
// wait until the text of sel matches re
async function waitText(page, sel, re, timeout = T) {
  const end = Date.now() + timeout;
  let last = '';
  for (;;) {
    try {
      last = ((await page.locator(sel).first().textContent({ timeout: 250 })) || '').replace(/\s+/g, ' ').trim();
      if (re.test(last)) return last;
    } catch (e) { /* not there yet */ }
    if (Date.now() > end) throw new Error(`${sel}: waited for ${re}, have ${JSON.stringify(last.slice(0, 200))}`);
    await new Promise(r => setTimeout(r, 50));
  }
}
// wait until the text of sel is exactly want (what names the check)
async function waitExact(page, sel, want, what) {
  try {
    await waitText(page, sel, new RegExp(`^${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  } catch (e) {
    eq(await text(page, sel), want, what);
  }
}
async function waitAttr(page, sel, attr, want, timeout = T) {
  await page.waitForFunction(([s, a, w]) => {
    const el = document.querySelector(s);
    return el && el.getAttribute(a) === w;
  }, [sel, attr, want], { timeout });
}
// the JSON API, called from inside the page with its session cookie
async function apiGet(page, p) {
  return page.evaluate(async (u) => {
    const r = await fetch(u, { headers: { Accept: 'application/json' } });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, p);
}
// axe-core (pinned beside playwright-core): WCAG 2.x A and AA rules on the
// page as it is; evaluated over the DevTools protocol, so the desk's CSP
// (no inline scripts) stays on
const AXE = readFileSync(path.join(env('PLAYWRIGHT'), '..', 'axe-core', 'axe.min.js'), 'utf8');
async function axe(page, where) {
  const t1 = Date.now();
  if (!(await page.evaluate(() => !!globalThis.axe))) await page.evaluate(`${AXE};0`);
  const r = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  }));
  if (process.env.AXE_TIMING) console.log(`# axe ${where}: ${Date.now() - t1} ms`);
  return r.violations.map(v => `${where}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
}
// the JSON API with a bearer token (who: a key of TOKENS, or null for
// anonymous); throws on an error answer
async function call(who, method, p, body, headers = {}) {
  const auth = who ? { Authorization: `Bearer ${TOKENS[who]}` } : {};
  const r = await fetch(BASE + p, { method, headers: { ...auth,
    'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const j = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}
// status and body of a GET with a bearer token, errors included
async function peek(who, p) {
  const r = await fetch(BASE + p, { headers: { Authorization: `Bearer ${TOKENS[who]}` } });
  return { status: r.status, body: await r.json().catch(() => null) };
}
// a new event-coordination job for operator `to`, over the API: intake
// (with `event` fields changed), approve, assign, create
let intakeKeys = 0;
async function newJob(to, event = {}) {
  const packet = { ...INTAKE, event: { ...INTAKE.event, ...event } };
  const { task } = await call(null, 'POST', '/api/requests/event-coordination', packet,
    { 'Idempotency-Key': `browser-job-${++intakeKeys}` });
  await call('admin', 'POST', `/api/tasks/${task}/approve`, {});
  await call('admin', 'POST', `/api/tasks/${task}/assign`, { to });
  return (await call('admin', 'POST', `/api/tasks/${task}/job`, {})).job;
}
// go to a desk route, afresh even when the page shows it already (the
// same hash again would not load anything)
async function visit(page, hash) {
  if (page.url() === BASE + hash) await page.reload();
  else await page.goto(hash);
}
// the local administration command, on the server's database (the test
// suspends an operator and lets them back)
function qtm(...args) {
  return execFileSync(env('QTM'), ['--db', env('DB'), ...args], { encoding: 'utf8' });
}
async function currentRail(page) {
  return text(page, '.rail [aria-current="step"] .rail-label');
}

// --- the browser --------------------------------------------------------------

// chromium.launch() runs on a new, empty, temporary user-data dir of its own
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage'],
});

const pageErrors = [];
async function newPage(who, viewport = { width: 1280, height: 900 }) {
  const ctx = await browser.newContext({ viewport, baseURL: BASE, locale: 'en-GB', timezoneId: 'UTC' });
  // nothing may be loaded from anywhere but the desk's own origin
  await ctx.route(/.*/, (route) => {
    const u = route.request().url();
    if (u.startsWith(BASE + '/') || u === BASE) return route.continue();
    pageErrors.push(`${who}: blocked external request ${u}`);
    return route.abort();
  });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(`${who}: ${e.message}`));
  // console errors other than the expected 4xx answers (e.g. a CSP violation)
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
      pageErrors.push(`${who}: console: ${m.text()}`);
  });
  return page;
}
async function signIn(page, token, slug) {
  await page.goto('/#/signin');
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator(`#who [data-actor="${slug}"]`).waitFor({ timeout: T });
}

let jobId = null, taskId = null, requestId = null;
const keys = [];

try {
  // ---------------------------------------------------------------- client
  const client = await newPage('client');
  client.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/api/requests/')) keys.push(r.headers()['idempotency-key']);
  });

  await check('client: signs in with a token', async () => {
    await signIn(client, TOKENS.client, 'carla');
  });

  await check('client: the intake form is generated from the compiled schema', async () => {
    await client.goto('/#/intake');
    await client.getByRole('link', { name: 'Event Coordination' }).click();
    await client.locator('#intake-form').waitFor();
    const model = (await apiGet(client, '/api/surfaces/event-coordination')).body;
    const sections = await client.locator('#intake-form fieldset').evaluateAll(fs => fs.map(f => f.dataset.section));
    eq(sections.join(','), [...model.intake.sections.map(s => s.name), 'photos'].join(','), 'sections');
    for (const sec of model.intake.sections) {
      for (const f of sec.fields) {
        const el = client.locator(`[name="${sec.name}.${f.name}"]`);
        const info = await el.evaluate(e => ({
          tag: e.tagName, type: e.type, required: e.required, labelled: e.labels.length > 0,
          options: e.tagName === 'SELECT' ? Array.from(e.options).map(o => o.value).filter(Boolean) : null,
          label: e.labels.length ? e.labels[0].textContent : '',
        }));
        assert(info.labelled, `${sec.name}.${f.name} has no label`);
        eq(info.required, f.required, `${sec.name}.${f.name} required`);
        if (f.required) assert(/\(required\)/.test(info.label), `${sec.name}.${f.name}: no required mark`);
        if (f.type === 'one_of') eq(info.options.join('|'), f.choices.join('|'), `${sec.name}.${f.name} choices`);
        if (f.type === 'email') eq(info.type, 'email', `${sec.name}.${f.name} type`);
        if (f.type === 'date') eq(info.type, 'date', `${sec.name}.${f.name} type`);
        if (f.type === 'integer') eq(info.type, 'number', `${sec.name}.${f.name} type`);
      }
    }
    eq(await client.locator('#in-photos').getAttribute('type'), 'file', 'photos input');
    eq(await client.locator('#in-photos').getAttribute('accept'), 'image/*', 'photos accept images');
    eq(await client.locator('#in-photos').getAttribute('multiple'), '', 'several photos at once');
    eq(await client.locator('#in-photos').getAttribute('capture'), 'environment', 'the camera on phones');
  });

  const fill = async (packet, skip) => {
    for (const [sec, fields] of Object.entries(packet)) {
      for (const [k, v] of Object.entries(fields)) {
        if (skip === `${sec}.${k}`) continue;
        const el = client.locator(`[name="${sec}.${k}"]`);
        if (await el.evaluate(e => e.tagName) === 'SELECT') await el.selectOption(String(v));
        else await el.fill(String(v));
      }
    }
  };

  await check('refusal on screen: intake missing a required field shows the runtime message', async () => {
    await fill(INTAKE, 'contact.method');
    await client.getByRole('button', { name: 'Send request' }).click();
    const shown = await waitText(client, '#intake-error', /contact\.method/);
    // the very message the runtime gives for the same packet
    const direct = await client.evaluate(async (p) => {
      const s = await (await fetch('/api/session')).json();
      const r = await fetch('/api/requests/event-coordination', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: JSON.stringify(p) });
      return { status: r.status, body: await r.json() };
    }, (() => { const p = JSON.parse(JSON.stringify(INTAKE)); delete p.contact.method; return p; })());
    eq(direct.status, 400, 'status of an invalid packet');
    eq(shown, direct.body.error.message, 'message on screen');
    eq(await text(client, '#msg .msg-text'), direct.body.error.message, 'message in the live region');
    eq(await client.locator('[name="contact.method"]').getAttribute('aria-invalid'), 'true', 'field marked invalid');
    await client.screenshot({ path: path.join(ART, 'refusal-intake.png') });
  });

  await check('client: submits the wedding request (fresh Idempotency-Key)', async () => {
    await client.locator('[name="contact.method"]').selectOption(INTAKE.contact.method);
    await client.getByRole('button', { name: 'Send request' }).click();
    await client.locator('#intake-done').waitFor();
    requestId = Number(await text(client, '#request-id'));
    assert(requestId > 0, 'no request id shown');
    const k = keys.filter(Boolean);
    assert(k.length >= 2, `expected an Idempotency-Key on each submission, saw ${JSON.stringify(keys)}`);
    assert(new Set(k).size === k.length, 'Idempotency-Key reused across submissions');
  });

  // ------------------------------------------------------------------ admin
  const admin = await newPage('admin');
  await check('admin: signs in and sees the task queue', async () => {
    await signIn(admin, TOKENS.admin, 'dana');
    await admin.locator('#task-list').waitFor();
    const tasks = (await apiGet(admin, '/api/tasks')).body.tasks;
    const t = tasks.find(x => x.request === requestId);
    assert(t, `no task for request ${requestId}`);
    taskId = t.id;
    await admin.locator(`#task-list [data-task="${taskId}"]`).waitFor();
  });

  await check("admin: the task queue shows the request's summary line", async () => {
    const t = (await apiGet(admin, '/api/tasks')).body.tasks.find(x => x.id === taskId);
    assert(/^Sat 16 May: Wedding \/ Ceremony at Laguna Gloria/.test(t.summary), `summary ${t.summary}`);
    eq(await text(admin, `#task-list [data-task="${taskId}"] .job-summary`), t.summary, 'summary in the queue');
  });

  await check('admin: reviews the request intake', async () => {
    await admin.locator(`#task-list [data-task="${taskId}"] a`).first().click();
    await waitText(admin, '#task-state', /Review/i);
    await waitText(admin, 'main', new RegExp(INTAKE.event.venue.slice(0, 20)));
  });

  await check('admin: approves (no job yet)', async () => {
    await admin.locator('#task-approve').click();
    await waitText(admin, '#task-state', /Approved/i);
    const t = (await apiGet(admin, `/api/tasks/${taskId}`)).body;
    assert(!t.job, 'approving created a job');
  });

  await check('admin: assigns the task to ana (still no job)', async () => {
    await admin.getByLabel(/Assign to/).selectOption('ana');
    await admin.getByRole('button', { name: 'Assign' }).click();
    await waitText(admin, '#task-state', /Assigned/i);
    const t = (await apiGet(admin, `/api/tasks/${taskId}`)).body;
    eq(t.assignee, 'ana', 'assignee');
    assert(!t.job, 'assigning created a job');
  });

  await check('admin: creates the job', async () => {
    await admin.locator('#task-create-job').click();
    await admin.locator('#task-job-link').waitFor();
    jobId = Number((await text(admin, '#task-job-link')).replace(/\D+/g, ''));
    assert(jobId > 0, 'no job link');
  });

  await check('admin: rejects another request with a reason (no job)', async () => {
    const r = await fetch(`${BASE}/api/requests/event-coordination`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'browser-reject-1' },
      body: JSON.stringify({ ...INTAKE, event: { ...INTAKE.event, type: 'Other' } }) });
    eq(r.status, 201, 'anonymous intake status');
    const { task } = await r.json();
    await admin.goto('/#/tasks?state=review');
    await admin.locator(`#task-list [data-task="${task}"] a`).first().click();
    await waitText(admin, '#task-state', /Review/i);
    await admin.getByLabel(/Reason for rejecting/).fill('Date clashes with another event we coordinate.');
    await admin.getByRole('button', { name: 'Reject' }).click();
    await waitText(admin, '#task-state', /Rejected/i);
    await waitText(admin, 'main', /Date clashes with another event/);
    eq(await admin.locator('#task-approve, #task-create-job, #assign-form').count(), 0, 'governance actions left on a rejected task');
    const t = (await apiGet(admin, `/api/tasks/${task}`)).body;
    eq(t.state, 'rejected', 'task state');
    assert(!t.job, 'a rejected task has a job');
  });

  // --------------------------------------------------- another operator
  const bo = await newPage('bo');
  await check("bo: cannot act on ana's job", async () => {
    await signIn(bo, TOKENS.bo, 'bo');
    const desk = (await apiGet(bo, '/api/desk')).body;
    const all = [...desk.queued, ...desk.active, ...desk.completed].map(j => j.id);
    assert(!all.includes(jobId), "ana's job is on bo's desk");
    await bo.goto(`/#/jobs/${jobId}`);
    const api = await apiGet(bo, `/api/jobs/${jobId}`);
    if (api.status === 200) {
      // bo may look, but no action is offered to him
      await bo.locator('#job-state').waitFor();
      eq(await bo.locator('.actions [data-event], #act-claim').count(), 0, 'actions offered to bo');
      eq(api.body.can_claim, false, 'can_claim for bo');
      eq((api.body.actions || []).length, 0, 'actions for bo');
    } else {
      // refused: the runtime's message is on screen
      assert(api.status === 403 || api.status === 404, `status ${api.status}`);
      eq(await waitText(bo, 'main .refusal', /\S/), `${api.body.error.category} ${api.body.error.message}`, 'refusal on screen');
    }
  });

  // ------------------------------------------------------------- operator
  const ana = await newPage('ana');
  await check('ana: the desk shows the queued job with its phase label', async () => {
    await signIn(ana, TOKENS.ana, 'ana');
    await ana.locator('#col-queued').waitFor();
    await waitText(ana, `#col-queued [data-job="${jobId}"]`, /Queued/);
  });

  await check('ana: the job page shows the phase rail from the surface model', async () => {
    await ana.locator(`#col-queued [data-job="${jobId}"] a`).click();
    await ana.locator('.rail').waitFor();
    const model = (await apiGet(ana, '/api/surfaces/event-coordination')).body;
    const labels = await ana.locator('.rail .rail-label').allTextContents();
    eq(labels.join(' → '), model.phases.map(p => p.label).join(' → '), 'rail labels');
    const hints = await ana.locator('.rail .rail-hint').allTextContents();
    eq(hints.length, model.phases.filter(p => p.hint).length, 'rail hints');
    eq(await currentRail(ana), 'Queued', 'current phase');
    eq(await ana.locator('#job-state').getAttribute('data-value'), 'queued', 'job state');
  });

  await check('ana: claims the job', async () => {
    await ana.locator('#act-claim').click();
    await waitAttr(ana, '.rail [data-phase="claimed"]', 'aria-current', 'step');
    eq(await currentRail(ana), 'Confirmed', 'current phase');
    eq(await ana.locator('#job-state').getAttribute('data-value'), 'active', 'job state');
    await waitText(ana, '#msg', /claimed/i);
    await ana.goto('/#/desk');
    await waitText(ana, `#col-active [data-job="${jobId}"]`, /Confirmed/);
    await ana.screenshot({ path: path.join(ART, 'desk-operator-active.png'), fullPage: true });
    await ana.locator(`#col-active [data-job="${jobId}"] a`).click();
    await ana.locator('.rail').waitFor();
  });

  await check('ana: only the actions the tables allow are offered', async () => {
    const job = (await apiGet(ana, `/api/jobs/${jobId}`)).body;
    const shown = await ana.locator('.actions [data-event]').evaluateAll(b => b.map(x => x.dataset.event));
    eq(shown.join(','), job.actions.map(a => a.event).join(','), 'action buttons');
    eq(shown.join(','), 'arrive,close', 'the next actions after claim (close: the event called off)');
    eq(await ana.locator('#act-claim').count(), 0, 'claim button after claim');
  });

  await check('ana: the job page shows the event details card, laid out by the intake sections', async () => {
    const job = (await apiGet(ana, `/api/jobs/${jobId}`)).body;
    const model = (await apiGet(ana, '/api/surfaces/event-coordination')).body;
    await ana.locator('#event-details').waitFor();
    const secs = await ana.locator('#event-details [data-section]').evaluateAll(l => l.map(x => x.dataset.section));
    eq(secs.join(','), model.intake.sections.map(x => x.name).join(','), 'sections in the order of the intake schema');
    eq(await text(ana, '#event-details [data-field="event.venue"]'), INTAKE.event.venue, 'venue');
    eq(await text(ana, '#event-details [data-field="event.guests"]'), String(INTAKE.event.guests), 'guests');
    eq(await text(ana, '#event-details [data-field="contact.name"]'), INTAKE.contact.name, 'contact');
    eq(await text(ana, '#event-details [data-field="notes.access"]'), INTAKE.notes.access, 'access notes');
    eq(await text(ana, '#event-details [data-field="request.package"]'), 'Full coordination', 'package');
    // the one-line summary from the surface's summary declaration
    assert(/^Sat 16 May: Wedding \/ Ceremony at Laguna Gloria/.test(job.summary), `summary ${job.summary}`);
    eq(await text(ana, '#job-summary'), job.summary, 'summary line on the job page');
  });

  await check('desk cards show the summary line, not "Job N Event Coordination"', async () => {
    const job = (await apiGet(ana, `/api/jobs/${jobId}`)).body;
    await ana.goto('/#/desk');
    eq(await text(ana, `#col-active [data-job="${jobId}"] .job-summary`), job.summary, 'summary on the card');
    await ana.goto(`/#/jobs/${jobId}`);
    await ana.locator('.rail').waitFor();
  });

  await check('ana: adds participants (context, not actors)', async () => {
    const add = async (name, role, contact) => {
      const form = ana.locator('#participant-form');
      if (!(await form.isVisible())) await ana.locator('summary', { hasText: 'Add participant' }).click();
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('Role').fill(role);
      await form.getByLabel('Contact').fill(contact);
      await form.getByRole('button', { name: 'Add participant' }).click();
      await waitText(ana, '#participants-list', new RegExp(name.replace(/[()]/g, '.')));
    };
    await add('Bloom Florals', 'vendor', 'orders@bloom.example');
    await add('Luis (venue manager)', 'venue contact', '+1 512 555 0199');
    eq(await ana.locator('#participants-list li').count(), 2, 'participants listed');
    const job = (await apiGet(ana, `/api/jobs/${jobId}`)).body;
    eq(job.owner, 'ana', 'owner unchanged by participants');
  });

  await check('ana: adds a note (author and time); an empty one shows the refusal; the job does not move', async () => {
    const before = (await apiGet(ana, `/api/jobs/${jobId}`)).body;
    await ana.locator('summary', { hasText: 'Add a note' }).click();
    const form = ana.locator('#note-form');
    const refused = ana.waitForResponse((r) => r.url().endsWith(`/api/jobs/${jobId}/notes`));
    await form.getByRole('button', { name: 'Add note' }).click();
    const res = await refused;
    eq(res.status(), 400, 'status of an empty note');
    await waitExact(ana, '#msg .msg-text', (await res.json()).error.message, 'refusal on screen');
    eq(((await apiGet(ana, `/api/jobs/${jobId}`)).body.notes || []).length, 0, 'notes after the refusal');
    await form.getByLabel('Note').fill('Florist confirmed load-in at 12:30; string trio arrives 16:15.');
    await form.getByRole('button', { name: 'Add note' }).click();
    await waitText(ana, '#notes-list', /Florist confirmed load-in at 12:30.*— ana, \d+ \w+ \d{4}/);
    const after = (await apiGet(ana, `/api/jobs/${jobId}`)).body;
    eq(after.notes.length, 1, 'notes');
    eq(after.notes[0].author, 'ana', 'author');
    eq(after.phase, before.phase, 'phase');
    eq(after.state, before.state, 'state');
    eq(after.service_event.phases.length, before.service_event.phases.length, 'ServiceEvent phases');
    await waitText(ana, '#owners-list', /^ana claimed it/);
  });

  // ana has the job open on a second device (same session); it goes stale
  const stale = await ana.context().newPage();
  stale.on('pageerror', (e) => pageErrors.push(`ana (second tab): ${e.message}`));
  await stale.goto(`/#/jobs/${jobId}`);
  await stale.locator('[data-event="arrive"]').waitFor();

  await check('ana: arrives (On Site)', async () => {
    await ana.locator('[data-event="arrive"]').click();
    await waitAttr(ana, '.rail [data-phase="arrived"]', 'aria-current', 'step');
    eq(await currentRail(ana), 'On Site', 'current phase');
    await ana.screenshot({ path: path.join(ART, 'job-page-active.png'), fullPage: true });
  });

  await check('refusal on screen: a stale "Arrive" from a second tab shows the lifecycle refusal', async () => {
    const response = stale.waitForResponse((r) => r.url().endsWith(`/api/jobs/${jobId}/advance`));
    await stale.locator('[data-event="arrive"]').click();
    const res = await response;
    eq(res.status(), 422, 'status of the stale advance');
    const body = await res.json();
    const shown = await waitText(stale, '#msg .msg-text', /arrive/);
    assert(body && body.error, 'no error body seen');
    eq(shown, body.error.message, 'message on screen');
    assert(/not allowed/.test(shown), `unexpected refusal: ${shown}`);
    // the page reloaded the job: now it offers what holds
    await waitAttr(stale, '.rail [data-phase="arrived"]', 'aria-current', 'step');
    eq((await stale.locator('.actions [data-event]').evaluateAll(b => b.map(x => x.dataset.event))).join(','), 'start,close', 'actions after the refusal');
    await stale.screenshot({ path: path.join(ART, 'refusal-stale-action.png') });
    const job = (await apiGet(stale, `/api/jobs/${jobId}`)).body;
    eq(job.service_event.phases.length, 2, 'ServiceEvent phases after the refusal (claim, arrive)');
    await stale.close();
  });

  await check('admin: records a deposit mid-event; the job does not move', async () => {
    await admin.goto(`/#/jobs/${jobId}`);
    await admin.locator('#job-state').waitFor();
    const before = (await apiGet(admin, `/api/jobs/${jobId}`)).body;
    eq(before.phase, 'arrived', 'phase before');
    await admin.locator('summary', { hasText: 'Record a payment' }).click();
    const f = admin.locator('#settlement-form');
    await f.getByLabel('Amount', { exact: false }).first().fill('1200.00');
    await f.getByLabel('Method').selectOption('zelle');
    await f.getByLabel('Note').fill('deposit');
    await f.getByLabel('Amount due (optional)').fill('4800.00');
    await f.getByRole('button', { name: 'Record payment' }).click();
    await waitText(admin, '#payments', /1200\.00/);
    eq(await admin.locator('#settle-status').getAttribute('data-value'), 'partial', 'settlement status');
    const after = (await apiGet(admin, `/api/jobs/${jobId}`)).body;
    eq(after.state, before.state, 'job state');
    eq(after.phase, before.phase, 'phase');
    eq(after.record, before.record, 'record');
    eq((after.service_event.phases || []).length, (before.service_event.phases || []).length, 'ServiceEvent phases');
    eq(await currentRail(admin), 'On Site', 'rail on the admin page');
  });

  await check('ana: starts (Active)', async () => {
    await ana.reload();
    await ana.locator('[data-event="start"]').click();
    await waitAttr(ana, '.rail [data-phase="in_progress"]', 'aria-current', 'step');
    eq(await currentRail(ana), 'Active', 'current phase');
    eq(await ana.locator('#record').count(), 0, 'no record before completion');
  });

  await check('ana: completes the ServiceEvent and the record appears', async () => {
    await ana.locator('[data-event="complete"]').click();
    await waitAttr(ana, '.rail [data-phase="complete"]', 'aria-current', 'step');
    eq(await currentRail(ana), 'Complete', 'current phase');
    await ana.locator('#record').waitFor();
    const rec = (await apiGet(ana, `/api/jobs/${jobId}/record`)).body;
    await waitText(ana, '#record', new RegExp(rec.hash));
    await waitText(ana, '#record', /Outcome\s*Complete/);
    eq(await ana.locator('.actions [data-event]').count(), 0, 'actions after the final phase');
  });

  await check('ana: closes the job (complete)', async () => {
    await ana.locator('#act-job-complete').click();
    await waitAttr(ana, '#job-state', 'data-value', 'complete');
    await ana.locator('#record').waitFor();
    await ana.screenshot({ path: path.join(ART, 'job-page.png'), fullPage: true });
  });

  await check('ana: the desk lists the job as completed', async () => {
    await ana.goto('/#/desk');
    await waitText(ana, `#col-completed [data-job="${jobId}"]`, /Complete/);
    await ana.screenshot({ path: path.join(ART, 'desk-operator.png'), fullPage: true });
  });

  await check('admin: records the balance after completion; state and phase unchanged', async () => {
    await admin.reload();
    await admin.locator('#job-state').waitFor();
    const before = (await apiGet(admin, `/api/jobs/${jobId}`)).body;
    await admin.locator('summary', { hasText: 'Record a payment' }).click();
    const f = admin.locator('#settlement-form');
    await f.getByLabel('Amount', { exact: false }).first().fill('3600.00');
    await f.getByLabel('Method').selectOption('card');
    await f.getByLabel('Note').fill('balance');
    await f.getByRole('button', { name: 'Record payment' }).click();
    await waitText(admin, '#payments', /3600\.00/);
    await waitAttr(admin, '#settle-status', 'data-value', 'paid');
    const after = (await apiGet(admin, `/api/jobs/${jobId}`)).body;
    eq(after.state, 'complete', 'job state');
    eq(after.phase, before.phase, 'phase');
    eq(after.record, before.record, 'record');
    eq(await admin.locator('#job-state').getAttribute('data-value'), 'complete', 'state on screen');
    eq(await currentRail(admin), 'Complete', 'rail on screen');
  });

  await check('admin: the audit log of the job and verify', async () => {
    await admin.goto(`/#/log?job=${jobId}`);
    await admin.locator('#log').waitFor();
    const rows = await admin.locator('#log tbody tr').count();
    const log = (await apiGet(admin, `/api/log?job=${jobId}`)).body.log;
    eq(rows, log.length, 'log rows');
    assert(rows >= 8, `only ${rows} audit rows`);
    await admin.getByRole('link', { name: 'Verify' }).click();
    await waitText(admin, '#verify', /OK/);
  });

  await check('admin: the whole audit log pages with "Load more" (nothing lost past 100)', async () => {
    let all = [], after = 0;
    for (let n = 0; n < 100; n++) {
      const r = (await apiGet(admin, `/api/log?limit=1000${after ? `&after=${after}` : ''}`)).body;
      all = all.concat(r.log);
      if (r.next_after === null) break;
      after = r.next_after;
    }
    assert(all.length > 100, `only ${all.length} audit rows`);
    await admin.goto('/#/log');
    await admin.locator('#log').waitFor();
    eq(await admin.locator('#log tbody tr').count(), 100, 'the first page');
    for (let n = 0; n < 100 && await admin.locator('#log-more').count(); n++) {
      const shown = await admin.locator('#log tbody tr').count();
      await admin.locator('#log-more').click();
      await admin.waitForFunction((k) => document.querySelectorAll('#log tbody tr').length > k, shown);
    }
    eq(await admin.locator('#log tbody tr').count(), all.length, 'every page shown');
    const ids = await admin.locator('#log tbody tr td:first-child').evaluateAll(l => l.map(x => Number(x.textContent)));
    eq(ids.join(','), all.map(e => e.id).join(','), 'every row once, in order');
  });

  // ------------------------------------- evidence, on a surface that needs it
  let adJob = 0, adPhotos = [];
  await check('ana: evidence form and missing categories (auto-detailing, anonymous request and governance over the API)', async () => {
    const PHOTOS = env('PHOTOS');
    const raw = async (who, file, type) => {
      const auth = who ? { Authorization: `Bearer ${TOKENS[who]}` } : {};
      const r = await fetch(`${BASE}/api/uploads`, { method: 'POST', headers: { ...auth, 'Content-Type': type },
        body: readFileSync(path.join(PHOTOS, file)) });
      return { status: r.status, body: await r.json() };
    };
    const up = await raw(null, 'vehicle.jpg', 'image/jpeg');
    eq(up.status, 201, 'anonymous photo upload');
    const packet = JSON.parse(readFileSync(env('INTAKE').replace(/event-coordination-wedding\.json$/, 'auto-detailing.json'), 'utf8'));
    packet.photos = [up.body.blob];
    const { task } = await call(null, 'POST', '/api/requests/auto-detailing', packet, { 'Idempotency-Key': 'browser-ad-1' });
    await call('admin', 'POST', `/api/tasks/${task}/approve`, {});
    await call('admin', 'POST', `/api/tasks/${task}/assign`, { to: 'ana' });
    const { job } = await call('admin', 'POST', `/api/tasks/${task}/job`, {});
    adJob = job;
    await admin.goto(`/#/tasks/${task}`);
    await admin.locator('#request-photos img.thumb').first().waitFor();
    assert(await admin.locator('#request-photos img.thumb').first().evaluate(i => i.complete && i.naturalWidth > 0),
      'the admin sees the intake photo on the task review');
    await ana.goto(`/#/jobs/${job}`);
    await ana.locator('#act-claim').click();
    await waitAttr(ana, '#job-state', 'data-value', 'active');
    await waitText(ana, '#evidence-missing', /arrival: 0 of 1.*before: 0 of 1.*after: 0 of 1/);
    const form = () => ana.locator('#evidence-form');
    const open = async () => { if (!(await form().isVisible())) await ana.locator('summary', { hasText: 'Add evidence' }).click(); };
    await open();
    const cats = await form().getByLabel('Category').evaluate(s => Array.from(s.options).map(o => o.value));
    eq(cats.join(','), 'arrival,before,after,damage', 'categories from the surface');
    // a text file named .jpg: refused by its bytes, on screen, nothing recorded
    await form().getByLabel('Category').selectOption('arrival');
    await ana.locator('#evidence-file').setInputFiles(path.join(PHOTOS, 'notes.jpg'));
    await form().getByRole('button', { name: 'Add evidence' }).click();
    await waitText(ana, '#msg .msg-text', /not one of the accepted types/);
    const photos = [['arrival', 'arrival.jpg', 'front, driveway'], ['before', 'before.png', ''], ['after', 'after.webp', '']];
    for (const [cat, file, note] of photos) {
      await open();
      await form().getByLabel('Category').selectOption(cat);
      await ana.locator('#evidence-file').setInputFiles(path.join(PHOTOS, file));
      if (note) await form().getByLabel('Note').fill(note);
      await form().getByRole('button', { name: 'Add evidence' }).click();
      await ana.locator(`#evidence-list li[data-category="${cat}"] img.thumb`).waitFor();
    }
    assert(!(await ana.locator('#evidence-missing').count()), 'nothing missing once the three photos are in');
    const loaded = await ana.locator('#evidence-list img.thumb').evaluateAll(l => l.map(i => i.complete && i.naturalWidth > 0));
    eq(loaded.join(','), 'true,true,true', 'the thumbnails load');
    for (const ev of ['arrive', 'start', 'finish', 'complete']) {
      await ana.locator(`#act-${ev}`).click();
      await ana.locator(`#act-${ev}`).waitFor({ state: 'detached' });
    }
    await ana.locator('#record').waitFor();
    await ana.screenshot({ path: path.join(ART, 'job-evidence-photos.png'), fullPage: true });
    const shown = await call('ana', 'GET', `/api/jobs/${job}`);
    adPhotos = shown.evidence.map(e => e.ref);
    eq(adPhotos.length, 3, 'three evidence files');
  });

  await check('bo cannot open ana\'s photos (404, as for no file)', async () => {
    assert(adPhotos.length === 3, 'no photos from the previous check');
    for (const ref of adPhotos) {
      const hex = ref.replace(/^sha256:/, '');
      for (const p of [`/api/blobs/${hex}`, `/api/blobs/${hex}/thumb`]) {
        const r = await fetch(BASE + p, { headers: { Authorization: `Bearer ${TOKENS.bo}` } });
        eq(r.status, 404, `bo GET ${p}`);
        const a = await fetch(BASE + p, { headers: { Authorization: `Bearer ${TOKENS.ana}` } });
        eq(a.status, 200, `ana GET ${p}`);
      }
    }
    // and in bo's desk the image does not load either
    const ok = await bo.evaluate(async (u) => (await fetch(u)).status, `/api/blobs/${adPhotos[0].replace(/^sha256:/, '')}/thumb`);
    eq(ok, 404, 'bo in the browser');
  });

  // ------------------------- closed undelivered, ready to close, hand-over
  // the job's governed fields, to compare before and after a refusal
  const shape = (j) => JSON.stringify([j.state, j.phase, j.owner, j.assignee, (j.handoffs || []).length,
    (j.notes || []).length, j.record, ((j.service_event || {}).phases || []).length]);
  // click `button` in `page`, wait for the answer of POST `suffix`; the
  // refusal on screen must be the API's message and the job unchanged
  const refusedOnScreen = async (page, who, id, suffix, button, status) => {
    const before = shape((await peek(who, `/api/jobs/${id}`)).body);
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/jobs/${id}/${suffix}`));
    await button.click();
    const res = await answer;
    eq(res.status(), status, `status of the refused ${suffix}`);
    const msg = (await res.json()).error.message;
    await waitExact(page, '#msg .msg-text', msg, 'refusal on screen');
    eq(shape((await peek(who, `/api/jobs/${id}`)).body), before, `the job after the refused ${suffix}`);
    return msg;
  };

  let closedJob = null;
  await check('ana: closes an event undelivered with a reason; the record shows outcome closed', async () => {
    closedJob = await newJob('ana', { venue: 'Zilker Botanical Garden, Austin, TX' });
    await visit(ana, `/#/jobs/${closedJob}`);
    await ana.locator('#act-claim').click();
    await waitAttr(ana, '#job-state', 'data-value', 'active');
    const close = ana.locator('[data-event="close"]');
    eq(await ana.locator('#reason-close').isVisible(), false, 'the reason form before close is pressed');
    await close.click();
    await ana.locator('#reason-close').waitFor();
    eq(await close.getAttribute('aria-expanded'), 'true', 'close controls the form');
    const msg = await refusedOnScreen(ana, 'ana', closedJob, 'advance', ana.locator('#act-close-send'), 400);
    assert(/reason/.test(msg), `refusal without a reason: ${msg}`);
    const why = 'The couple called the wedding off; the venue keeps the deposit.';
    if (!(await ana.locator('#reason-close').isVisible())) await ana.locator('[data-event="close"]').click();
    await ana.locator('#reason-close textarea').fill(why);
    await ana.locator('#act-close-send').click();
    await waitAttr(ana, '#job-state', 'data-value', 'ready');
    eq(await ana.locator('#job-outcome').getAttribute('data-value'), 'closed', 'outcome on the page');
    await waitText(ana, '#job-outcome', new RegExp(`Closed.*${why.slice(0, 30)}`));
    await ana.locator('#record').waitFor();
    eq(await ana.locator('#record-outcome').getAttribute('data-value'), 'closed', 'outcome in the record card');
    eq(await text(ana, '#record-reason'), why, 'reason in the record card');
    const rec = (await apiGet(ana, `/api/jobs/${closedJob}/record`)).body;
    eq(rec.body.outcome.outcome, 'closed', 'record outcome');
    eq(rec.body.outcome.reason, why, 'record reason');
    eq(await ana.locator('.actions [data-event]').count(), 0, 'actions after the final phase');
    await ana.screenshot({ path: path.join(ART, 'job-page-closed.png'), fullPage: true });
  });

  await check('ready to close: the job says "Complete job" is next and sits in the Ready to close column', async () => {
    await waitText(ana, '#job-state', /Ready to close/);
    await waitText(ana, '#next-step', /Next step: Complete job/);
    eq(await text(ana, '#act-job-complete'), 'Complete job', 'the action');
    await visit(ana, '/#/desk');
    await ana.locator(`#col-ready [data-job="${closedJob}"]`).waitFor();
    eq(await ana.locator(`#col-active [data-job="${closedJob}"]`).count(), 0, 'a ready job under Active');
    const ready = ((await apiGet(ana, '/api/desk')).body.ready || []).length;   // the desk's own ready list
    await waitText(ana, '#col-ready-h', new RegExp(`Ready to close \\(${ready}\\)`));
    eq(await ana.locator('#col-ready [data-job]').count(), ready, 'cards under Ready to close');
    await ana.screenshot({ path: path.join(ART, 'desk-ready.png'), fullPage: true });
    await ana.locator(`#col-ready [data-job="${closedJob}"] a`).click();
    await ana.locator('#act-job-complete').click();
    await waitAttr(ana, '#job-state', 'data-value', 'complete');
    await visit(ana, '/#/desk');
    await ana.locator(`#col-completed [data-job="${closedJob}"]`).waitFor();
    eq(await ana.locator(`#col-ready [data-job="${closedJob}"]`).count(), 0, 'still under Ready to close');
  });

  let movedJob = null;
  await check('admin: reassigns a queued job from the web; bo sees it, ana does not', async () => {
    movedJob = await newJob('ana', { venue: 'Barton Springs Pool, Austin, TX' });
    await visit(ana, '/#/desk');
    await ana.locator(`#col-queued [data-job="${movedJob}"]`).waitFor();
    await visit(admin, `/#/jobs/${movedJob}`);
    const form = admin.locator('#reassign-form');
    await form.waitFor();
    eq(await admin.locator('#handover-form').count(), 0, 'hand-over offered before the claim');
    await refusedOnScreen(admin, 'admin', movedJob, 'reassign', form.getByRole('button', { name: 'Reassign' }), 400);
    const why = 'Ana coordinates another wedding that Saturday.';
    await form.getByLabel('Reassign to').selectOption('bo');
    await form.getByLabel('Reason for reassigning').fill(why);
    await form.getByRole('button', { name: 'Reassign' }).click();
    await waitText(admin, '#msg .msg-text', /reassigned to bo/);
    await waitText(admin, '#handoffs-list', new RegExp(`Reassign: ana → bo by dana · ${why}`));
    const job = (await peek('admin', `/api/jobs/${movedJob}`)).body;
    eq(job.assignee, 'bo', 'assignee');
    eq(job.state, 'queued', 'state');
    await visit(bo, '/#/desk');
    await bo.locator(`#col-queued [data-job="${movedJob}"]`).waitFor();
    await visit(ana, '/#/desk');
    await ana.locator('#col-queued').waitFor();
    eq(await ana.locator(`[data-job="${movedJob}"]`).count(), 0, "the job on ana's desk");
    await visit(ana, `/#/jobs/${movedJob}`);
    await waitText(ana, 'main .refusal', new RegExp(`reassigned to bo by dana \\(${why}\\)`));
  });

  let bosActive = null;
  await check('admin: "Needs reassignment" lists a suspended operator\'s work; hand-over and reassign from it', async () => {
    bosActive = await newJob('bo', { venue: 'Mueller Lake Park, Austin, TX' });
    await call('bo', 'POST', `/api/jobs/${bosActive}/claim`, {});
    qtm('actor', 'set', 'bo', '--access', 'suspended');
    try {
      await visit(admin, '/#/reassign');
      const sec = admin.locator('#needs-reassignment [data-operator="bo"]');
      await sec.waitFor();
      await sec.locator(`[data-job="${movedJob}"]`).waitFor();
      await sec.locator(`[data-job="${bosActive}"]`).waitFor();
      eq(await admin.locator('#needs-reassignment [data-operator="ana"]').count(), 0, 'an active operator listed');
      await admin.screenshot({ path: path.join(ART, 'needs-reassignment.png'), fullPage: true });
      // the claimed one: hand over, with a reason (required)
      await sec.locator(`[data-job="${bosActive}"] a`).click();
      const form = admin.locator('#handover-form');
      await form.waitFor();
      eq(await admin.locator('#reassign-form, #cancel-form').count(), 0, 'reassign or cancel offered after the claim');
      await form.getByLabel('Hand over to').selectOption('ana');
      await refusedOnScreen(admin, 'admin', bosActive, 'handover', form.getByRole('button', { name: 'Hand over' }), 400);
      await form.getByLabel('Reason for the hand-over').fill('Bo is suspended.');
      await form.getByRole('button', { name: 'Hand over' }).click();
      await waitText(admin, '#owners-list', /bo claimed it.*ana took it over from bo \(by dana\) · Bo is suspended\./);
      const job = (await peek('admin', `/api/jobs/${bosActive}`)).body;
      eq(job.owner, 'ana', 'owner');
      eq(job.owners.map(o => o.operator).join(','), 'bo,ana', 'owners in order');
      // the queued one: reassign
      await visit(admin, '/#/reassign');
      await admin.locator(`#needs-reassignment [data-job="${movedJob}"] a`).click();
      await admin.locator('#reassign-form').getByLabel('Reassign to').selectOption('ana');
      await admin.locator('#reassign-form').getByRole('button', { name: 'Reassign' }).click();
      await waitText(admin, '#msg .msg-text', /reassigned to ana/);
      await visit(admin, '/#/reassign');
      await waitText(admin, '#needs-reassignment [data-operator="bo"]', /Holds no queued or active job/);
      // ana now runs the handed-over event from the phase it was in
      await visit(ana, `/#/jobs/${bosActive}`);
      await waitAttr(ana, '.rail [data-phase="claimed"]', 'aria-current', 'step');
      eq((await ana.locator('.actions [data-event]').evaluateAll(b => b.map(x => x.dataset.event))).join(','), 'arrive,close', 'actions of the new owner');
    } finally {
      qtm('actor', 'set', 'bo', '--access', 'active');
    }
  });

  await check('admin: cancels a job nobody claimed, with a reason (no ServiceEvent, no record)', async () => {
    const id = await newJob('ana', { venue: 'Umlauf Sculpture Garden, Austin, TX' });
    await visit(admin, `/#/jobs/${id}`);
    const form = admin.locator('#cancel-form');
    await form.waitFor();
    await refusedOnScreen(admin, 'admin', id, 'cancel', form.getByRole('button', { name: 'Cancel the job' }), 400);
    await form.getByLabel('Reason for cancelling').fill('The client withdrew before anyone was booked.');
    await form.getByRole('button', { name: 'Cancel the job' }).click();
    await waitAttr(admin, '#job-state', 'data-value', 'cancelled');
    eq(await admin.locator('#reassign-form, #handover-form, #cancel-form').count(), 0, 'governance left on a cancelled job');
    const job = (await peek('admin', `/api/jobs/${id}`)).body;
    eq(job.service_event, null, 'ServiceEvent');
    eq(job.record, null, 'record');
  });

  // ------------------------------------------- finding work, settlement
  // the ids a job list route answers, every page
  const listIds = async (who, query) => {
    let ids = [], after = 0;
    for (let n = 0; n < 100; n++) {
      const r = await call(who, 'GET', `/api/jobs?${query}&limit=1000${after ? `&after=${after}` : ''}`);
      ids = ids.concat(r.jobs.map(j => j.id));
      if (r.next_after === null) break;
      after = r.next_after;
    }
    return ids;
  };
  const shownIds = (page) => page.locator('#job-results [data-job]').evaluateAll(l => l.map(x => Number(x.dataset.job)));
  // wait until the found list shows exactly these ids (a re-render after a
  // filter changes replaces the list)
  const waitIds = async (page, want, what) => {
    try {
      await page.waitForFunction((w) => Array.from(document.querySelectorAll('#job-results [data-job]'))
        .map(x => x.dataset.job).join(',') === w, want.join(','), { timeout: T });
    } catch (e) {
      eq((await shownIds(page)).join(','), want.join(','), what);
    }
  };

  await check('the search box finds a job by venue; the filters narrow the desk (GET /api/jobs)', async () => {
    await visit(ana, '/#/desk');
    await ana.locator('#col-queued').waitFor();
    const form = ana.locator('#desk-filters');
    await form.getByLabel('Search').fill('Zilker Botanical');
    await form.getByLabel('Search').press('Enter');
    await waitIds(ana, [closedJob], 'found by venue');
    eq((await listIds('ana', 'q=Zilker%20Botanical')).join(','), String(closedJob), 'the API agrees');
    await waitText(ana, '#found-count', /^1 job found\.$/);
    // the state filter: ana's completed jobs, exactly as the API lists them
    await visit(ana, '/#/desk');
    await ana.locator('#col-queued').waitFor();    // the columns again, not the list before
    await ana.locator('#desk-filters').getByLabel('State').selectOption('complete');
    const want = await listIds('ana', 'state=complete');
    assert(want.includes(jobId) && want.includes(closedJob), `complete jobs ${want}`);
    await waitIds(ana, want, 'complete jobs shown');
    eq((await ana.locator('#job-results [data-job]').evaluateAll(l => l.map(x => x.dataset.state))).every(st => st === 'complete'), true, 'every card complete');
    // phase and surface together, from the hash (bookmarkable)
    await visit(ana, '/#/desk?surface=event-coordination&phase=claimed');
    await waitIds(ana, await listIds('ana', 'surface=event-coordination&phase=claimed'), 'phase + surface');
    eq(await ana.locator('#desk-filters').getByLabel('Phase').inputValue(), 'claimed', 'the phase filter shows what is applied');
    await ana.screenshot({ path: path.join(ART, 'desk-filtered.png'), fullPage: true });
  });

  await check('the filters: a refused search shows the API message beside them; "Load more" pages by next_after', async () => {
    await visit(ana, '/#/desk?q=ab');
    const msg = (await peek('ana', '/api/jobs?q=ab')).body.error.message;
    eq(await waitText(ana, '#filter-error', /\S/), `usage ${msg}`, 'refusal beside the filters');
    eq(await ana.locator('#desk-filters').count(), 1, 'the filters stay');
    eq(await ana.locator('#job-results').count(), 0, 'nothing listed');
    // one job a page: every page, each job once, in id order
    const want = await listIds('ana', 'q=Austin');
    assert(want.length >= 3, `only ${want.length} jobs match Austin`);
    await visit(ana, '/#/desk?q=Austin&limit=1');
    await waitIds(ana, want.slice(0, 1), 'the first page');
    for (let n = 0; n < 50 && await ana.locator('#jobs-more').count(); n++) {
      const k = (await shownIds(ana)).length;
      await ana.locator('#jobs-more').click();
      await ana.waitForFunction((m) => document.querySelectorAll('#job-results [data-job]').length > m, k);
    }
    eq((await shownIds(ana)).join(','), want.join(','), 'every page, in order');
    await waitText(ana, '#found-count', new RegExp(`^${want.length} jobs found\\.$`));
  });

  await check('admin: all jobs by state (cancelled too) and by operator', async () => {
    await visit(admin, '/#/desk');
    await admin.locator('#col-queued').waitFor();
    await admin.locator('#desk-filters').getByLabel('State').selectOption('cancelled');
    const cancelled = await listIds('admin', 'state=cancelled');
    assert(cancelled.length >= 1, 'no cancelled job');
    await waitIds(admin, cancelled, 'cancelled jobs');
    // bo's: none (his were handed over or reassigned), so the list empties
    await admin.locator('#desk-filters').getByLabel('Operator').selectOption('bo');
    eq((await listIds('admin', 'state=cancelled&operator=bo')).length, 0, "bo's cancelled jobs (API)");
    await admin.waitForFunction(() => /operator=bo/.test(location.hash) && /No job matches/.test(document.querySelector('main').textContent));
    await admin.locator('#desk-filters').getByLabel('Operator').selectOption('ana');
    await waitIds(admin, await listIds('admin', 'state=cancelled&operator=ana'), "ana's cancelled jobs");
  });

  await check('desk cards show the settlement status', async () => {
    await visit(ana, '/#/desk');
    const card = ana.locator(`#col-completed [data-job="${jobId}"] [data-settlement]`);
    await card.waitFor();
    const desk = (await apiGet(ana, '/api/desk')).body;
    const row = desk.completed.find(j => j.id === jobId);
    eq(await card.getAttribute('data-settlement'), row.settlement, 'status on the card');
    eq(row.settlement, (await apiGet(ana, `/api/jobs/${jobId}`)).body.settlement.status, 'the job agrees');
  });

  await check('admin: the settlement list, and a correcting entry (reverse a payment with a reason)', async () => {
    await visit(admin, '/#/settlements');
    await admin.locator('#settlements').waitFor();
    const all = (await call('admin', 'GET', '/api/settlements?limit=1000')).settlements;
    eq((await admin.locator('#settlements tbody tr').evaluateAll(l => l.map(x => Number(x.dataset.job)))).join(','),
      all.map(x => x.job).join(','), 'rows');
    await admin.locator('#settlement-filters').getByLabel('Status').selectOption('paid');
    const paid = (await call('admin', 'GET', '/api/settlements?status=paid&limit=1000')).settlements;
    assert(paid.some(x => x.job === jobId), `job ${jobId} is not paid`);
    // the list re-rendered with exactly the paid rows
    const rowsAre = (w) => Array.from(document.querySelectorAll('#settlements tbody tr')).map(x => x.dataset.job).join(',') === w;
    await admin.waitForFunction(rowsAre, paid.map(x => x.job).join(',')).catch(() => {});
    eq((await admin.locator('#settlements tbody tr').evaluateAll(l => l.map(x => Number(x.dataset.job)))).join(','),
      paid.map(x => x.job).join(','), 'paid rows');
    // reverse the deposit on the job page
    await admin.locator(`#settlements tr[data-job="${jobId}"] a`).click();
    await admin.locator('#payments').waitFor();
    const before = (await peek('admin', `/api/jobs/${jobId}`)).body;
    const deposit = before.settlement.payments.find(x => x.amount === '1200.00');
    await admin.locator(`#payments [data-reverse="${deposit.id}"]`).click();
    await admin.locator('#reverse-form').waitFor();
    const answer = admin.waitForResponse((r) => r.url().endsWith(`/api/jobs/${jobId}/settlement`));
    await admin.locator('#reverse-send').click();
    const res = await answer;
    eq(res.status(), 400, 'a reversal without a reason');
    await waitExact(admin, '#msg .msg-text', (await res.json()).error.message, 'refusal on screen');
    eq((await peek('admin', `/api/jobs/${jobId}`)).body.settlement.payment_count, before.settlement.payment_count, 'ledger after the refusal');
    const why = 'The deposit was recorded against the wrong event.';
    await admin.locator('#reverse-form').getByLabel('Reason for the correction').fill(why);
    await admin.locator('#reverse-send').click();
    await waitText(admin, '#payments', new RegExp(`reverses #${deposit.id}: ${why}`));
    await waitText(admin, `#payments tr[data-payment="${deposit.id}"]`, /reversed by #\d+/);
    await waitAttr(admin, '#settle-status', 'data-value', 'partial');
    const after = (await peek('admin', `/api/jobs/${jobId}`)).body;
    eq(after.settlement.payment_count, before.settlement.payment_count + 1, 'one entry appended');
    eq(JSON.stringify([after.state, after.phase, after.record]), JSON.stringify([before.state, before.phase, before.record]), 'the job did not move');
    // more than due: shown as overpaid, here and in the list
    await admin.locator('summary', { hasText: 'Record a payment' }).click();
    const f = admin.locator('#settlement-form');
    await f.getByLabel('Amount', { exact: false }).first().fill('1500.00');
    await f.getByLabel('Method').selectOption('wire');
    await f.getByRole('button', { name: 'Record payment' }).click();
    await waitText(admin, '#settle-overpaid', /^300\.00 USD$/);
    await visit(admin, '/#/settlements');
    await waitText(admin, `#settlements tr[data-job="${jobId}"]`, /overpaid 300\.00 USD/);
    await admin.screenshot({ path: path.join(ART, 'settlements.png'), fullPage: true });
  });

  // --------------------------------------------------------------- 360 px
  await check('360 px: no horizontal overflow on the desk, the job page and the intake form', async () => {
    const narrow = ana;
    await narrow.setViewportSize({ width: 360, height: 740 });
    try {
      const overflow = () => narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      await narrow.goto('/#/desk');
      await narrow.locator(`#col-completed [data-job="${jobId}"]`).waitFor();
      eq(await overflow(), 0, 'desk overflow (px)');
      await narrow.screenshot({ path: path.join(ART, 'desk-operator-360.png'), fullPage: true });
      await narrow.goto(`/#/jobs/${jobId}`);
      await narrow.locator('#record').waitFor();
      await narrow.screenshot({ path: path.join(ART, 'job-page-360.png'), fullPage: true });
      // with every form and the whole record open too
      await narrow.locator('details').evaluateAll(ds => ds.forEach(d => { d.open = true; }));
      eq(await overflow(), 0, 'job page overflow (px)');
      await narrow.goto('/#/desk?q=Austin');
      await narrow.locator('#job-results').waitFor();
      eq(await overflow(), 0, 'found list overflow (px)');
      await narrow.goto('/#/intake/event-coordination');
      await narrow.locator('#intake-form').waitFor();
      eq(await overflow(), 0, 'intake overflow (px)');
    } finally {
      await narrow.setViewportSize({ width: 1280, height: 900 });
    }
  });

  await check('keyboard: sign in and reach a job with the keyboard; focus is visible', async () => {
    const kb = await newPage('keyboard');
    await kb.goto('/#/signin');
    await kb.getByLabel('Access token').waitFor();
    // Tab from the top of the page to the token field
    let found = false;
    for (let i = 0; i < 15 && !found; i++) {
      await kb.keyboard.press('Tab');
      found = await kb.evaluate(() => document.activeElement && document.activeElement.name === 'token');
    }
    assert(found, 'the token field is not reachable with Tab');
    const outline = await kb.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert(outline !== 'none', 'no visible focus on the token field');
    await kb.keyboard.type(TOKENS.ana);
    await kb.keyboard.press('Enter');
    await kb.locator('#who [data-actor="ana"]').waitFor();
    await kb.locator(`[data-job="${jobId}"] a`).focus();
    await kb.keyboard.press('Enter');
    await kb.locator('.rail').waitFor();
    // every control on the job page has a label
    const unlabelled = await kb.evaluate(() => Array.from(document.querySelectorAll('main input, main select, main textarea'))
      .filter(e => e.type !== 'hidden' && !e.labels.length && !e.getAttribute('aria-label')).map(e => e.name));
    eq(unlabelled.join(','), '', 'unlabelled controls');
    await kb.context().close();
  });

  await check('accessibility: axe-core finds no WCAG 2.1 A/AA violation on the desk views', async () => {
    const found = [];
    await client.goto('/#/intake/event-coordination?again=a11y');  // a new hash: a fresh form
    await client.locator('#intake-form').waitFor();
    found.push(...await axe(client, 'intake'));
    // ana: desk and job page with every form open
    await ana.goto('/#/desk');
    await ana.locator(`#col-completed [data-job="${jobId}"]`).waitFor();
    found.push(...await axe(ana, 'operator desk'));
    await ana.goto(`/#/jobs/${jobId}`);
    await ana.locator('#record').waitFor();
    await ana.locator('details').evaluateAll(ds => ds.forEach(d => { d.open = true; }));
    found.push(...await axe(ana, 'job page (operator)'));
    // dana: a task's review (the other admin views are built from the same parts)
    await admin.goto(`/#/tasks/${taskId}`);
    await admin.locator('#task-state').waitFor();
    found.push(...await axe(admin, 'task page'));
    // dana: a queued job's page with the governance forms, and Needs reassignment
    const queued = await newJob('ana', { venue: 'Hotel Van Zandt, Austin, TX' });
    await visit(admin, `/#/jobs/${queued}`);
    await admin.locator('#reassign-form').waitFor();
    await admin.locator('#cancel-form').waitFor();
    found.push(...await axe(admin, 'job page (admin, governance)'));
    await visit(admin, '/#/reassign');
    await admin.locator('h1', { hasText: 'Needs reassignment' }).waitFor();
    found.push(...await axe(admin, 'needs reassignment'));
    // ana: a job with the close form open
    await call('ana', 'POST', `/api/jobs/${queued}/claim`, {});
    await visit(ana, `/#/jobs/${queued}`);
    await ana.locator('[data-event="close"]').click();
    await ana.locator('#reason-close').waitFor();
    found.push(...await axe(ana, 'job page (close form)'));
    // the found list, the settlement list, a ledger with its reversal form open
    await visit(ana, '/#/desk?q=Austin');
    await ana.locator('#job-results').waitFor();
    found.push(...await axe(ana, 'found jobs'));
    await visit(admin, '/#/settlements');
    await admin.locator('#settlements').waitFor();
    found.push(...await axe(admin, 'settlements'));
    await visit(admin, `/#/jobs/${jobId}`);
    await admin.locator('#payments [data-reverse]').first().click();
    await admin.locator('#reverse-form').waitFor();
    found.push(...await axe(admin, 'job page (reversal form)'));
    eq(found.join('; '), '', 'axe violations');
  });

  await check('sign out ends the session (and the sign-in view passes axe)', async () => {
    await ana.locator('#signout').click();
    await ana.locator('#signin-form').waitFor();
    eq((await axe(ana, 'sign-in')).join('; '), '', 'axe violations');
    eq((await apiGet(ana, '/api/session')).status, 401, 'session after sign out');
    await ana.goto(`/#/jobs/${jobId}`);
    await ana.locator('#signin-form').waitFor();
  });

  await check('no script errors, no console errors (CSP), nothing loaded from outside the desk', async () => {
    eq(pageErrors.join('; '), '', 'page errors');
  });
} catch (e) {
  failed++;
  console.log(`not ok - harness: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close().catch(() => {});
}

console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s; artifacts in ${ART}`);
if (RESULT) writeFileSync(RESULT, `${passed} ${failed}\n`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
