// intake.js - the public request form of a surface, generated from the
// compiled intake schema (GET /api/surfaces/{slug}).  The runtime validates
// the packet; its message is shown as it comes, and the field it names is
// marked.  A submission is intake data for review, not work.

import * as api from './api.js';
import { h, clear, humanize, say, sayError, field, select, empty } from './dom.js';

export async function viewIntakeList() {
  const list = (await api.surfaces()).filter(s => s.status === 'active');
  return [h('h1', {}, 'Request a service'),
    h('p', { class: 'lede' }, 'Choose the kind of service. Your request is reviewed before any work is scheduled.'),
    list.length ? h('ul', { class: 'surfaces' }, list.map(s => h('li', {},
      h('a', { href: `#/intake/${s.slug}`, class: 'surface-link' }, s.name)))) : empty('No surface is taking requests.')];
}

function controlFor(sec, f) {
  const name = `${sec}.${f.name}`;
  const common = { name, required: f.required, 'data-field': name };
  switch (f.type) {
    case 'one_of':
      return select(name, f.choices || [], { placeholder: 'Choose…', required: f.required });
    case 'boolean':
      return select(name, [['true', 'Yes'], ['false', 'No']], { placeholder: 'Choose…', required: f.required });
    case 'email':
      return h('input', { ...common, type: 'email', autocomplete: 'email', maxlength: f.max });
    case 'phone':
      return h('input', { ...common, type: 'tel', autocomplete: 'tel', maxlength: f.max });
    case 'integer':
      return h('input', { ...common, type: 'number', step: 1, inputmode: 'numeric' });
    case 'number':
      return h('input', { ...common, type: 'number', step: 'any', inputmode: 'decimal' });
    case 'date':
      return h('input', { ...common, type: 'date' });
    case 'time':
      return h('input', { ...common, type: 'time' });
    default:
      if (f.max && f.max > 300) return h('textarea', { ...common, rows: f.max > 2000 ? 6 : 4, maxlength: f.max });
      return h('input', { ...common, type: 'text', maxlength: f.max,
        autocomplete: sec === 'contact' && f.name === 'name' ? 'name' : 'off' });
  }
}

function valueOf(f, el) {
  const v = el.value.trim();
  if (v === '') return undefined;
  switch (f.type) {
    case 'integer': return /^-?\d+$/.test(v) ? Number(v) : v;  // the runtime says what is wrong
    case 'number': return v !== '' && !isNaN(Number(v)) ? Number(v) : v;
    case 'boolean': return v === 'true';
    default: return v;
  }
}

export async function viewIntake({ params }) {
  const slug = params[0];
  const model = await api.surface(slug);
  const intake = model.intake || { sections: [], photos_min: 0 };
  const root = h('div', { class: 'intake-page', 'data-surface': slug });
  let key = api.newKey();   // one key per submission; kept for a retry after a network error

  const controls = [];      // [section, field, element]
  const form = h('form', { class: 'form intake', id: 'intake-form', novalidate: true });
  for (const sec of intake.sections || []) {
    const fs = h('fieldset', { 'data-section': sec.name }, h('legend', {}, humanize(sec.name)));
    for (const f of sec.fields || []) {
      const el = controlFor(sec.name, f);
      el.id = `in-${sec.name}-${f.name}`;
      controls.push([sec.name, f, el]);
      let hint;
      if (f.type === 'text' && f.max) hint = `Up to ${f.max} characters.`;
      if (f.type === 'integer') hint = 'A whole number.';
      fs.appendChild(field(humanize(f.name), el, { required: f.required, hint, wide: el.tagName === 'TEXTAREA' }));
    }
    form.appendChild(fs);
  }
  const min = intake.photos_min || 0;
  // photos are files: each is uploaded first (POST /api/uploads), then the
  // packet names them; a refused file says why on its own line
  const photos = h('input', { type: 'file', name: 'photos', id: 'in-photos', accept: 'image/*', capture: 'environment', multiple: true, required: min > 0 });
  const progress = h('ul', { class: 'list uploads', id: 'photo-progress', 'aria-live': 'polite' });
  form.appendChild(h('fieldset', { 'data-section': 'photos' }, h('legend', {}, 'Photos'),
    field('Photos', photos, {
      required: min > 0,
      hint: min > 0 ? `This service needs at least ${min} photo${min > 1 ? 's' : ''} (JPEG, PNG, WebP or HEIC, up to 20 MB each).` : 'Optional for this service.',
    }), progress));
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Send request');
  form.appendChild(h('p', { class: 'hint' }, h('span', { 'aria-hidden': 'true' }, '* '), 'marks a required field.'));
  form.appendChild(h('div', { class: 'actions' }, submit));
  const formError = h('p', { class: 'refusal', id: 'intake-error', role: 'alert', hidden: true });
  form.insertBefore(formError, form.firstChild);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    controls.forEach(([, , el]) => el.removeAttribute('aria-invalid'));
    formError.hidden = true;
    const packet = {};
    for (const [sec, f, el] of controls) {
      const v = valueOf(f, el);
      if (v === undefined) continue;
      (packet[sec] = packet[sec] || {})[f.name] = v;
    }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const refs = await uploadAll(Array.from(photos.files || []), progress);
      if (refs.length) packet.photos = refs;
      const r = await api.post(`/api/requests/${encodeURIComponent(slug)}`, packet,
        { 'Idempotency-Key': key });
      key = api.newKey();
      clear(root);
      root.appendChild(h('h1', {}, 'Request received'));
      root.appendChild(h('section', { class: 'card ok', id: 'intake-done' },
        h('p', {}, `Thank you. Your ${model.name} request is number `, h('strong', { id: 'request-id' }, String(r.request)),
          ` (review task ${r.task}).`),
        h('p', {}, 'It is intake data for review: an administrator reviews it and, once approved, assigns it to an operator. Nothing is scheduled yet.'),
        h('p', {}, h('a', { href: `#/intake/${slug}`, onclick: (e) => { e.preventDefault(); location.hash = `#/intake/${slug}?again=${Date.now()}`; } }, 'Submit another request'))));
      say('ok', `Request ${r.request} received.`);
      root.querySelector('h1').setAttribute('tabindex', '-1');
      root.querySelector('h1').focus();
    } catch (e) {
      if (e.status && e.status !== 429 && e.status < 500) key = api.newKey();  // the packet will change
      formError.textContent = e.message;
      formError.hidden = false;
      sayError(e);
      // "intake: contact.method: required field missing" -> mark that field
      const m = /(?:^|\s)([a-z0-9_]+\.[a-z0-9_]+)\s*:/.exec(e.message || '');
      const target = m && controls.find(([sec, f]) => `${sec}.${f.name}` === m[1]);
      if (target) {
        target[2].setAttribute('aria-invalid', 'true');
        target[2].setAttribute('aria-errormessage', 'intake-error');
        target[2].focus();
      } else if (/photo/i.test(e.message || '')) {
        photos.setAttribute('aria-invalid', 'true');
        photos.focus();
      }
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  root.appendChild(h('h1', {}, model.name));
  root.appendChild(h('p', { class: 'lede' },
    'Tell us about the request. An administrator reviews it before anything is scheduled; submitting it does not book work.'));
  root.appendChild(form);
  return root;
}

// Uploads files one after the other, a line each with its progress and,
// if refused, the runtime's reason; resolves their names, or rejects with
// the first refusal (after trying every file, so each says why).
async function uploadAll(files, list) {
  clear(list);
  const refs = [];
  let refused = null;
  for (const f of files) {
    const bar = h('progress', { max: 1, value: 0 });
    const why = h('span', { class: 'refusal' });
    const li = h('li', { 'data-file': f.name }, h('span', { class: 'mono' }, f.name), ' ', bar, ' ', why);
    list.appendChild(li);
    try {
      const r = await api.upload(f, (p) => { bar.value = p; });
      refs.push(r.blob);
      li.dataset.state = 'stored';
    } catch (e) {
      li.dataset.state = 'refused';
      why.textContent = e.message;
      refused = refused || e;
    }
  }
  if (refused) throw refused;
  return refs;
}

export { sayError, uploadAll };
