/*
 * record.c - the SurfaceRecord: durable outcome truth, composed once from
 * a completed ServiceEvent, in the transaction that completes it.
 *
 * The body carries exactly the fields the surface's `record` block names
 * (with `operator` comes "operators": who held the job, in order), as
 * canonical JSON (compact, sorted keys); its hash is the SHA-256 of
 * that text, so anyone can check a record against its body.  Records are
 * immutable: the schema refuses UPDATE and DELETE on them.
 */
#include "qtm_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>


void qtmi_record_hash(const char *body, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)body, strlen(body));
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* One of the job's lists; on a store failure an empty one with *rc set
 * (the first failure kept), so qtmi_record_compose refuses to seal a record
 * whose list was cut short. */
static json_t *rows(qtm *q, store_query sq, int64_t id, const char *const *keys, store_rc *rc)
{
    store_val arg = SV_I(id);
    store_rc r = STORE_OK;
    json_t *v = qtmi_list_rows(q, sq, &arg, 1, keys, &r);
    if (!v && *rc == STORE_OK)
        *rc = r != STORE_OK ? r : STORE_ERROR;
    return v ? v : json_array();
}

/* The operators who held j, each once, in the order they first held it
 * (its claims and hand-overs); a job nobody claimed: its ServiceEvent's. */
static json_t *holders(qtm *q, const job *j, const service_event *se, store_rc *rc)
{
    json_t *out = json_array(), *owners = rows(q, SQ_OWNER_LIST, j->id, qtmi_owner_keys, rc);
    size_t i, k;
    json_t *o, *seen;
    json_array_foreach(owners, i, o) {
        const char *op = json_string_value(json_object_get(o, "operator"));
        int dup = !op;             /* a release holds nobody */
        json_array_foreach(out, k, seen) dup |= op && strcmp(json_string_value(seen), op) == 0;
        if (!dup)
            json_array_append_new(out, json_string(op));
    }
    json_decref(owners);
    if (json_array_size(out) == 0 && (j->owner[0] || se->operator_slug[0]))
        json_array_append_new(out, json_string(j->owner[0] ? j->owner : se->operator_slug));
    return out;
}

/* The value of one declared record field. */
static json_t *field(qtm *q, const char *name, const job *j, const service_event *se,
                     json_t *request, store_rc *rc)
{
    const qtm_surface *s = j->s;
    if (strcmp(name, "job") == 0)
        return json_integer(j->id);
    if (strcmp(name, "surface") == 0)
        return json_string(s->slug);
    if (strcmp(name, "fingerprint") == 0)
        return json_string(j->fingerprint);
    if (strcmp(name, "request") == 0)
        return json_incref(request);
    if (strcmp(name, "operator") == 0)
        return qtmi_json_str_or_null(j->owner[0] ? j->owner : se->operator_slug);
    if (strcmp(name, "notes") == 0)
        return rows(q, SQ_NOTE_LIST, j->id, qtmi_note_keys, rc);
    if (strcmp(name, "scope") == 0)
        return json_incref(json_object_get(request, "intake"));
    if (strcmp(name, "context") == 0) {
        json_t *c = json_object();
        json_object_set_new(c, "participants",
                            rows(q, SQ_PARTICIPANT_LIST, j->id, qtmi_participant_keys, rc));
        json_object_set_new(c, "evidence",
                            rows(q, SQ_EVIDENCE_LIST, j->id, qtmi_evidence_keys, rc));
        return c;
    }
    if (strcmp(name, "participants") == 0)
        return rows(q, SQ_PARTICIPANT_LIST, j->id, qtmi_participant_keys, rc);
    if (strcmp(name, "evidence") == 0)
        return rows(q, SQ_EVIDENCE_LIST, j->id, qtmi_evidence_keys, rc);
    if (strcmp(name, "phases") == 0)
        return rows(q, SQ_PHASE_LIST, j->id, qtmi_phase_keys, rc);
    if (strcmp(name, "outcome") == 0) {
        json_t *o = json_object();
        json_object_set_new(o, "phase", json_string(se->phase));
        json_object_set_new(o, "label", json_string(qtmi_surface_label(s, se->phase)));
        json_object_set_new(o, "complete", json_boolean(se->complete));
        json_object_set_new(o, "outcome", qtmi_json_str_or_null(se->outcome));
        json_object_set_new(o, "reason", qtmi_json_str_or_null(se->reason));
        return o;
    }
    if (strcmp(name, "claimed_at") == 0)
        return qtmi_json_str_or_null(j->claimed_at);
    if (strcmp(name, "started_at") == 0)
        return qtmi_json_str_or_null(se->started_at);
    if (strcmp(name, "completed_at") == 0)
        return qtmi_json_str_or_null(se->completed_at);
    return json_null();  /* qtmc admits no other field */
}

qtm_status qtmi_record_compose(qtm *q, const job *j, const service_event *se, const char *actor_slug)
{
    qtm_status st = QTM_OK;
    json_t *body = json_object(), *request = NULL;
    char *text = NULL;
    int64_t request_id, assignee, jid;
    qtm_task_state state;
    char surface[64];
    if ((st = qtmi_task_for_job(q, j->task, &request_id, &state, &assignee, &jid, surface,
                           sizeof surface)) != QTM_OK)
        goto done;
    request = qtmi_request_json(q, request_id);
    if (!request) {
        st = q->err;               /* qtmi_request_json set the error (a full disk included) */
        goto done;
    }
    store_rc rc = STORE_OK;
    for (unsigned i = 0; i < j->s->nrecord; i++) {
        const char *name = j->s->record[i];
        json_object_set_new(body, name, field(q, name, j, se, request, &rc));
        /* `operator` is who completed it; "operators", who held it, in order */
        if (strcmp(name, "operator") == 0)
            json_object_set_new(body, "operators", holders(q, j, se, &rc));
    }
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "reading what the record holds");
        goto done;
    }
    text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) {
        st = qtm_fail(q, QTM_ESTORAGE, "out of memory composing the record");
        goto done;
    }
    char hash[65];
    qtmi_record_hash(text, hash);
    store_val args[6] = {SV_I(j->id), SV_I(se->id), SV_S(j->surface), SV_S(text), SV_S(hash),
                         SV_S(q->now)};
    rc = store_run(q->st, SQ_RECORD_INSERT, args, 6, NULL, NULL);
    if (rc != STORE_OK) {
        st = rc == STORE_CONSTRAINT
                 ? qtm_fail(q, QTM_ECONFLICT, "job %lld already has its record", (long long)j->id)
                 : qtm_store_fail(q, rc, "storing the record");
        goto done;
    }
    int64_t record_id = store_last_id(q->st);
    st = qtmi_audit_append(q, actor_slug, "record", record_id, "compose", NULL, hash, j->id);
    if (st == QTM_OK)
        st = qtmi_record_sign(q, record_id, j, hash, store_last_id(q->st));
done:
    free(text);
    json_decref(request);
    json_decref(body);
    return st;
}

static json_t *record_json(const store_val *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", qtmi_json_col(&c[0]));
    json_object_set_new(o, "job", qtmi_json_col(&c[1]));
    json_object_set_new(o, "surface", qtmi_json_col(&c[2]));
    json_t *body = c[3].type == SV_TEXT ? json_loads(c[3].s, 0, NULL) : NULL;
    json_object_set_new(o, "body", body ? body : json_null());
    json_object_set_new(o, "hash", qtmi_json_col(&c[4]));
    json_object_set_new(o, "created_at", qtmi_json_col(&c[5]));
    return o;
}

static int record_row(void *arg, const store_val *c, int n)
{
    (void)n;
    *(json_t **)arg = record_json(c);
    return 1;
}

qtm_status qtmi_record_view(qtm *q, int64_t job_id, json_t **out)
{
    *out = NULL;
    job j;
    qtm_status st;
    if ((st = qtmi_job_load(q, job_id, &j)) != QTM_OK)
        return st;
    store_val arg = SV_I(job_id);
    store_rc rc = store_run(q->st, SQ_RECORD_BY_JOB, &arg, 1, record_row, out);
    if (rc != STORE_OK) {
        json_decref(*out);
        *out = NULL;
        return qtm_store_fail(q, rc, "reading the record");
    }
    if (!*out)
        return qtm_fail(q, QTM_ENOTFOUND, "job %lld has no record yet (its ServiceEvent is "
                        "not complete)", (long long)job_id);
    return QTM_OK;
}

qtm_status qtm_record_show(qtm *q, int64_t job_id, json_t **out)
{
    *out = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    return qtmi_view_end(q, qtmi_record_view(q, job_id, out), out);
}

static const char *const record_keys[] = {"id", "job", "surface", "hash", "created_at",
                                          "settlement", NULL};

qtm_status qtm_record_list(qtm *q, json_t **out)
{
    return qtmi_list_all(q, SQ_RECORD_LIST, record_keys, "listing records", out);
}

qtm_status qtm_record_list_page(qtm *q, const qtm_page *pg, json_t **out, int64_t *next_after)
{
    return qtmi_list_page(q, SQ_RECORD_LIST, NULL, 0, record_keys, "listing records", pg, out,
                     next_after);
}
