/*
 * model.c - spelling tables and the canonical JSON form of a checked model.
 *
 * The fingerprint is the SHA-256 of the model encoded as compact JSON with
 * sorted keys and ASCII-only escapes: formatting, comments and key order in
 * the .qsm never change it; any change of meaning does.  `migrate from`
 * blocks are left out of it: they say how older jobs reach this spec,
 * not what the spec does (the readable JSON shows them as "migrations").
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "qtm/qtm_surface.h"

const char *const model_status_names[] = {"active", "planned", "deprecated"};
const char *const model_claim_names[] = {"required", "optional", "none"};
const char *const model_ownership_names[] = {"assigned", "pool", "none"};
const char *const model_record_names[] = {"service_event"};
const char *const model_payment_names[] = {"independent", "before_complete",
                                           "after_complete"};
const char *const model_completed_names[] = {"visible", "hidden"};
#define NAME_X(e, w) w,
const char *const model_field_type_names[QTM_FIELD_NTYPES] = {QTM_FIELD_TYPES(NAME_X, QTM_NOSEP)};
const char *const model_condition_names[QTM_COND_COUNT] = {QTM_CONDITIONS(NAME_X, QTM_NOSEP)};
const char *const model_file_type_names[QTM_FILE_UNKNOWN] = {QTM_FILE_TYPES(NAME_X, QTM_NOSEP)};

const char *model_file_types_text(unsigned mask, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (unsigned t = 0; t < QTM_FILE_UNKNOWN; t++)
        if (mask & (1u << t) && o < n)
            o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? " " : "", model_file_type_names[t]);
    return buf;
}

static json_t *file_types_json(unsigned mask)
{
    json_t *a = json_array();
    for (unsigned t = 0; t < QTM_FILE_UNKNOWN; t++)
        if (mask & (1u << t))
            json_array_append_new(a, json_string(model_file_type_names[t]));
    return a;
}
#undef NAME_X

/* ServiceEvent fields a SurfaceRecord may carry (DESIGN: execution truth). */
const char *const model_record_fields[] = {
    "job", "surface", "fingerprint", "request", "operator", "scope", "context",
    "participants", "evidence", "phases", "outcome", "claimed_at", "started_at",
    "completed_at", "notes", NULL};

int model_lookup(const char *const *names, unsigned n, const char *word)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(names[i], word) == 0)
            return (int)i;
    return -1;
}

const char *model_by_name(unsigned by)
{
    if (by & QTM_BY_OWNER)
        return "owner";
    if (by & QTM_BY_OPERATOR)
        return "operator";
    return "admin";
}


/* --- the model as JSON, one piece at a time ---------------------------------
 *
 * The whole model is never one jansson tree: a 10,000-phase spec would need
 * some 60,000 objects at once.  Each member, and each element of the big
 * arrays (phases, transitions), is built, written and freed on its own.
 * Two texts come out of one walk:
 *   - the canonical form, compact with sorted keys and ASCII escapes, which
 *     is only hashed (it is byte for byte what json_dumps(JSON_COMPACT |
 *     JSON_SORT_KEYS | JSON_ENSURE_ASCII) would print for the whole tree);
 *   - the readable form (--emit json), members in model order, one array
 *     element per line. */

enum { CANON = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII | JSON_ENCODE_ANY };

typedef struct jout {
    crypto_hash_sha256_state h;    /* canonical text goes here */
    FILE *pretty;                  /* readable text goes here */
    int failed;
} jout;

static int hash_chunk(const char *buf, size_t n, void *arg)
{
    crypto_hash_sha256_update(arg, (const unsigned char *)buf, n);
    return 0;
}

static void hash_text(jout *o, const char *s)
{
    crypto_hash_sha256_update(&o->h, (const unsigned char *)s, strlen(s));
}

/* Hashes v in canonical form; takes ownership of nothing. */
static void hash_value(jout *o, const json_t *v)
{
    if (!v || json_dump_callback(v, hash_chunk, &o->h, CANON) != 0)
        o->failed = 1;
}

/* Writes v in the readable form, indented to sit at `indent` spaces. */
static void pretty_value(jout *o, const json_t *v, int indent, size_t flags)
{
    char *t = v ? json_dumps(v, flags) : NULL;
    if (!t) {
        o->failed = 1;
        return;
    }
    for (const char *p = t; *p; p++) {
        fputc(*p, o->pretty);
        if (*p == '\n')
            fprintf(o->pretty, "%*s", indent, "");
    }
    free(t);
}

static json_t *str_array(const char *const *v, uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *execution_json(const model *m)
{
    json_t *ex = json_object();
    json_object_set_new(ex, "claim", json_string(model_claim_names[m->claim]));
    json_object_set_new(ex, "ownership", json_string(model_ownership_names[m->ownership]));
    json_object_set_new(ex, "record", json_string(model_record_names[m->exec_record]));
    json_object_set_new(ex, "payment_timing", json_string(model_payment_names[m->payment_timing]));
    json_object_set_new(ex, "completed_jobs", json_string(model_completed_names[m->completed_jobs]));
    return ex;
}

static json_t *intake_json(const model *m)
{
    json_t *in = json_object(), *secs = json_array();
    for (uint32_t s = 0, f = 0; s < m->nsections; s++) {
        json_t *sec = json_object(), *fields = json_array();
        json_object_set_new(sec, "name", json_string(m->sections[s]));
        for (; f < m->nfields && strcmp(m->fields[f].section, m->sections[s]) == 0; f++) {
            const m_field *fd = &m->fields[f];
            json_t *jf = json_object();
            json_object_set_new(jf, "name", json_string(fd->name));
            json_object_set_new(jf, "type", json_string(model_field_type_names[fd->type]));
            json_object_set_new(jf, "required", json_boolean(fd->required));
            json_object_set_new(jf, "max", json_integer(fd->max_len));
            if (fd->type == QTM_FIELD_CHOICE)
                json_object_set_new(jf, "choices", str_array(fd->choices, fd->nchoices));
            /* members only when given: a spec without them keeps the
             * fingerprint it had before the language had them */
            if (fd->has_min)
                json_object_set_new(jf, "minimum", json_integer(fd->min));
            if (fd->has_max)
                json_object_set_new(jf, "maximum", json_integer(fd->max));
            json_array_append_new(fields, jf);
        }
        json_object_set_new(sec, "fields", fields);
        json_array_append_new(secs, sec);
    }
    json_object_set_new(in, "sections", secs);
    json_object_set_new(in, "photos_min", json_integer(m->photo_min));
    /* accepted files only when other than the defaults (qtm_surface.h): a
     * spec that leaves them out, or declares the defaults, means what it
     * meant before the language had them, and keeps its fingerprint */
    if (m->photo_types != QTM_FILE_PHOTO_TYPES)
        json_object_set_new(in, "photo_types", file_types_json(m->photo_types));
    if (m->photo_max != QTM_FILE_MAX_DEFAULT)
        json_object_set_new(in, "photo_max_bytes", json_integer(m->photo_max));
    if (m->nsummary) {
        json_t *sum = json_array();
        for (uint32_t i = 0; i < m->nsummary; i++) {
            const m_sumpart *sp = &m->summary[i];
            json_t *jp = json_object();
            if (sp->field >= 0)
                json_object_set_new(jp, "field",
                                    json_sprintf("%s.%s", m->fields[sp->field].section,
                                                 m->fields[sp->field].name));
            else
                json_object_set_new(jp, "text", json_string(sp->text));
            json_array_append_new(sum, jp);
        }
        json_object_set_new(in, "summary", sum);
    }
    return in;
}

static json_t *phase_json(const model *m, uint32_t i)
{
    json_t *p = json_object();
    json_object_set_new(p, "name", json_string(m->phases[i].name));
    json_object_set_new(p, "label", json_string(m->phases[i].label));
    json_object_set_new(p, "hint", json_string(m->phases[i].hint));
    json_object_set_new(p, "initial", json_boolean(m->phases[i].initial));
    json_object_set_new(p, "final", json_boolean(m->phases[i].final));
    return p;
}

static json_t *transition_json(const model *m, uint32_t i)
{
    const m_transition *t = &m->trans[i];
    json_t *jt = json_object(), *req = json_array();
    json_object_set_new(jt, "from", json_string(m->phases[t->from].name));
    json_object_set_new(jt, "to", json_string(m->phases[t->to].name));
    json_object_set_new(jt, "event", json_string(m->events[t->event]));
    json_object_set_new(jt, "by", json_string(model_by_name(t->by)));
    for (unsigned b = 0; b < QTM_COND_COUNT; b++)
        if (t->requires & (1u << b))
            json_array_append_new(req, json_string(model_condition_names[b]));
    json_object_set_new(jt, "requires", req);
    json_object_set_new(jt, "claim", json_boolean(t->claim));
    if (t->outcome && t->outcome[0])
        json_object_set_new(jt, "outcome", json_string(t->outcome));
    return jt;
}

static json_t *evidence_json(const model *m)
{
    json_t *ev = json_object();
    json_object_set_new(ev, "required", str_array(m->ev_required, m->nev_required));
    json_object_set_new(ev, "optional", str_array(m->ev_optional, m->nev_optional));
    json_object_set_new(ev, "min_per_category", json_integer(m->ev_min));
    if (m->ev_types != QTM_FILE_PHOTO_TYPES)   /* as in intake_json */
        json_object_set_new(ev, "types", file_types_json(m->ev_types));
    if (m->ev_max != QTM_FILE_MAX_DEFAULT)
        json_object_set_new(ev, "max_bytes", json_integer(m->ev_max));
    return ev;
}

/* One member of the model: how to make its value, or its n elements. */
typedef struct member {
    const char *key;
    json_t *(*value)(const model *m);                 /* a whole value, or */
    json_t *(*element)(const model *m, uint32_t i);   /* an array, element by element */
    uint32_t (*count)(const model *m);
} member;

static json_t *v_qtm_model(const model *m) { (void)m; return json_integer(1); }
static json_t *v_slug(const model *m) { return json_string(m->slug); }
static json_t *v_name(const model *m) { return json_string(m->name); }
static json_t *v_spec(const model *m) { return json_string(m->spec); }
static json_t *v_status(const model *m) { return json_string(model_status_names[m->status]); }
static json_t *v_events(const model *m) { return str_array(m->events, m->nevents); }
static json_t *v_record(const model *m) { return str_array(m->record, m->nrecord); }
static uint32_t n_phases(const model *m) { return m->nphases; }
static uint32_t n_trans(const model *m) { return m->ntrans; }

/* Readable order.  The canonical order is the same members sorted by key. */
static const member members[] = {
    {"qtm_model", v_qtm_model, NULL, NULL},
    {"slug", v_slug, NULL, NULL},
    {"name", v_name, NULL, NULL},
    {"spec", v_spec, NULL, NULL},
    {"status", v_status, NULL, NULL},
    {"execution", execution_json, NULL, NULL},
    {"intake", intake_json, NULL, NULL},
    {"phases", NULL, phase_json, n_phases},
    {"events", v_events, NULL, NULL},
    {"transitions", NULL, transition_json, n_trans},
    {"evidence", evidence_json, NULL, NULL},
    {"record", v_record, NULL, NULL},
};
enum { NMEMBERS = countof(members) };

static int by_key(const void *a, const void *b)
{
    return strcmp((*(const member *const *)a)->key, (*(const member *const *)b)->key);
}

/* Writes one member to the canonical hash (sorted pass) or the readable
 * text (model-order pass). */
static void write_member(jout *o, const model *m, const member *mb, int canonical)
{
    json_t *key = json_string(mb->key);
    if (canonical)
        hash_value(o, key);
    else
        pretty_value(o, key, 0, JSON_ENCODE_ANY);
    json_decref(key);
    if (canonical)
        hash_text(o, ":");
    else
        fputs(": ", o->pretty);
    if (mb->value) {
        json_t *v = mb->value(m);
        if (canonical)
            hash_value(o, v);
        else
            pretty_value(o, v, 2, JSON_INDENT(2) | JSON_ENCODE_ANY);
        json_decref(v);
        return;
    }
    uint32_t n = mb->count(m);
    if (canonical)
        hash_text(o, "[");
    else
        fputs(n ? "[\n" : "[", o->pretty);
    for (uint32_t i = 0; i < n; i++) {
        json_t *e = mb->element(m, i);
        if (canonical) {
            if (i)
                hash_text(o, ",");
            hash_value(o, e);
        } else {
            fputs("    ", o->pretty);
            pretty_value(o, e, 0, 0);
            fputs(i + 1 < n ? ",\n" : "\n  ", o->pretty);
        }
        json_decref(e);
    }
    if (canonical)
        hash_text(o, "]");
    else
        fputc(']', o->pretty);
}

int model_finish(model *m)
{
    jout o;
    char *text = NULL;
    size_t len = 0;
    memset(&o, 0, sizeof o);
    crypto_hash_sha256_init(&o.h);
    o.pretty = open_memstream(&text, &len);
    if (!o.pretty)
        return -1;

    const member *sorted[NMEMBERS];
    for (int i = 0; i < NMEMBERS; i++)
        sorted[i] = &members[i];
    qsort(sorted, NMEMBERS, sizeof sorted[0], by_key);
    hash_text(&o, "{");
    for (int i = 0; i < NMEMBERS; i++) {
        if (i)
            hash_text(&o, ",");
        write_member(&o, m, sorted[i], 1);
    }
    hash_text(&o, "}");
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&o.h, h);
    memcpy(m->fingerprint, "sha256:", 7);
    sodium_bin2hex(m->fingerprint + 7, sizeof m->fingerprint - 7, h, sizeof h);

    fputs("{\n", o.pretty);
    for (int i = 0; i < NMEMBERS; i++) {
        fputs("  ", o.pretty);
        write_member(&o, m, &members[i], 0);
        fputs(",\n", o.pretty);
    }
    if (m->nmigrations) {
        /* how older fingerprints map here: shown, never hashed (a spec's
         * fingerprint is what its jobs run under, not how they got there) */
        fputs("  \"migrations\": [\n", o.pretty);
        for (uint32_t i = 0; i < m->nmigrations; i++) {
            json_t *mg = json_object(), *ph = json_object();
            json_object_set_new(mg, "from", json_string(m->migrations[i].from));
            for (uint32_t k = 0; k < m->migrations[i].nmaps; k++)
                json_object_set_new(ph, m->migrations[i].maps[k].from,
                                    json_string(m->phases[m->migrations[i].maps[k].to].name));
            json_object_set_new(mg, "phases", ph);
            fputs("    ", o.pretty);
            pretty_value(&o, mg, 0, JSON_PRESERVE_ORDER);
            fputs(i + 1 < m->nmigrations ? ",\n" : "\n", o.pretty);
            json_decref(mg);
        }
        fputs("  ],\n", o.pretty);
    }
    fprintf(o.pretty, "  \"fingerprint\": \"%s\"\n}", m->fingerprint);
    if (fclose(o.pretty) != 0 || o.failed) {
        free(text);
        return -1;
    }
    m->json = text;
    return 0;
}

void model_release(model *m)
{
    free(m->json);
    m->json = NULL;
}
