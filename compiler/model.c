/*
 * model.c - spelling tables and the canonical JSON form of a checked model.
 *
 * The fingerprint is the SHA-256 of the model encoded as compact JSON with
 * sorted keys and ASCII-only escapes: formatting, comments and key order in
 * the .qsm never change it; any change of meaning does.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "../runtime/qtm_surface.h"

const char *const model_status_names[] = {"active", "planned", "deprecated"};
const char *const model_claim_names[] = {"required", "optional", "none"};
const char *const model_ownership_names[] = {"assigned", "pool", "none"};
const char *const model_record_names[] = {"service_event"};
const char *const model_payment_names[] = {"independent", "before_complete",
                                           "after_complete"};
const char *const model_completed_names[] = {"visible", "hidden"};
const char *const model_field_type_names[] = {
    "text", "email", "phone", "integer", "number", "boolean", "date", "time", "one_of"};
const char *const model_condition_names[] = {"evidence", "payment", "participants"};

/* ServiceEvent fields a SurfaceRecord may carry (DESIGN: execution truth). */
const char *const model_record_fields[] = {
    "job", "surface", "fingerprint", "request", "operator", "scope", "context",
    "participants", "evidence", "phases", "outcome", "claimed_at", "started_at",
    "completed_at", NULL};

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

static json_t *str_array(const char *const *v, uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *build(const model *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "qtm_model", json_integer(1));
    json_object_set_new(o, "slug", json_string(m->slug));
    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "spec", json_string(m->spec));
    json_object_set_new(o, "status", json_string(model_status_names[m->status]));

    json_t *ex = json_object();
    json_object_set_new(ex, "claim", json_string(model_claim_names[m->claim]));
    json_object_set_new(ex, "ownership", json_string(model_ownership_names[m->ownership]));
    json_object_set_new(ex, "record", json_string(model_record_names[m->exec_record]));
    json_object_set_new(ex, "payment_timing", json_string(model_payment_names[m->payment_timing]));
    json_object_set_new(ex, "completed_jobs", json_string(model_completed_names[m->completed_jobs]));
    json_object_set_new(o, "execution", ex);

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
            json_array_append_new(fields, jf);
        }
        json_object_set_new(sec, "fields", fields);
        json_array_append_new(secs, sec);
    }
    json_object_set_new(in, "sections", secs);
    json_object_set_new(in, "photos_min", json_integer(m->photo_min));
    json_object_set_new(o, "intake", in);

    json_t *ph = json_array();
    for (uint32_t i = 0; i < m->nphases; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "name", json_string(m->phases[i].name));
        json_object_set_new(p, "label", json_string(m->phases[i].label));
        json_object_set_new(p, "hint", json_string(m->phases[i].hint));
        json_object_set_new(p, "initial", json_boolean(m->phases[i].initial));
        json_object_set_new(p, "final", json_boolean(m->phases[i].final));
        json_array_append_new(ph, p);
    }
    json_object_set_new(o, "phases", ph);
    json_object_set_new(o, "events", str_array(m->events, m->nevents));

    json_t *tr = json_array();
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        json_t *jt = json_object(), *req = json_array();
        json_object_set_new(jt, "from", json_string(m->phases[t->from].name));
        json_object_set_new(jt, "to", json_string(m->phases[t->to].name));
        json_object_set_new(jt, "event", json_string(m->events[t->event]));
        json_object_set_new(jt, "by", json_string(model_by_name(t->by)));
        for (unsigned b = 0; b < 3; b++)
            if (t->requires & (1u << b))
                json_array_append_new(req, json_string(model_condition_names[b]));
        json_object_set_new(jt, "requires", req);
        json_object_set_new(jt, "claim", json_boolean(t->claim));
        json_array_append_new(tr, jt);
    }
    json_object_set_new(o, "transitions", tr);

    json_t *ev = json_object();
    json_object_set_new(ev, "required", str_array(m->ev_required, m->nev_required));
    json_object_set_new(ev, "optional", str_array(m->ev_optional, m->nev_optional));
    json_object_set_new(ev, "min_per_category", json_integer(m->ev_min));
    json_object_set_new(o, "evidence", ev);
    json_object_set_new(o, "record", str_array(m->record, m->nrecord));
    return o;
}

int model_finish(model *m)
{
    int rc = -1;
    char *canon = NULL;
    json_t *o = build(m);
    if (!o)
        goto cleanup;
    canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (!canon)
        goto cleanup;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)canon, strlen(canon));
    memcpy(m->fingerprint, "sha256:", 7);
    sodium_bin2hex(m->fingerprint + 7, sizeof m->fingerprint - 7, h, sizeof h);
    json_object_set_new(o, "fingerprint", json_string(m->fingerprint));
    m->json = json_dumps(o, JSON_INDENT(2));
    if (m->json)
        rc = 0;
cleanup:
    free(canon);
    json_decref(o);
    return rc;
}

void model_release(model *m)
{
    free(m->json);
    m->json = NULL;
}
