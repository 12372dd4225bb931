/*
 * access.c - who reads a job: one rule, decided and applied here (the
 * read half of the one authority; policy.c is the write half).
 *
 * qtmi_access_job() is the whole rule (pure: an actor, a job, its tables); the
 * redaction helpers cut a view down to a pool preview; the qtm_*_as calls
 * load the reader and the job, decide, read and redact in one read
 * transaction, so what is shown is what was decided on.  A reader who may
 * not see a job gets the same answer whether or not it exists (forbidden:
 * "no job N visible to SLUG"), except one a hand-off took it from, who is
 * told where it went and why.  A former holder reads the job no more.
 */
#include "qtm_int.h"

#include <stdio.h>
#include <string.h>

qtm_access qtmi_access_job(const actor *a, const job *j)
{
    if (!a || !j || !a->id || !j->id || a->access == QTM_ACCESS_SUSPENDED)
        return QTM_ACCESS_NONE;
    if (a->role == QTM_ROLE_ADMIN)
        return QTM_ACCESS_FULL;
    if (a->role != QTM_ROLE_OPERATOR)
        return QTM_ACCESS_NONE;
    /* once owned, the owner alone: an assignee who lost a pool claim sees nothing */
    if (j->owner_id ? j->owner_id == a->id : j->assignee_id == a->id)
        return QTM_ACCESS_FULL;
    /* a job this operator could claim right now */
    if (!j->owner_id && j->s && j->s->ownership == QTM_OWNERSHIP_POOL &&
        j->state == QTM_JOB_QUEUED && a->access == QTM_ACCESS_ACTIVE)
        return QTM_ACCESS_PREVIEW;
    return QTM_ACCESS_NONE;
}

int qtmi_access_field_is_contact(const qtm_field *f)
{
    return strcmp(f->section, "contact") == 0 || f->type == QTM_FIELD_EMAIL ||
           f->type == QTM_FIELD_PHONE;
}

json_t *qtmi_access_intake_preview(const qtm_surface *s, const json_t *intake)
{
    if (!json_is_object(intake))
        return json_null();
    json_t *out = json_object();
    /* an allowlist: what the schema declares and is not contact; anything
     * else (a field of another spec version) stays out */
    for (unsigned i = 0; s && i < s->nfields; i++) {
        const qtm_field *f = &s->fields[i];
        json_t *v = json_object_get(json_object_get(intake, f->section), f->name);
        if (!v || qtmi_access_field_is_contact(f))
            continue;
        json_t *sec = json_object_get(out, f->section);
        if (!sec) {
            sec = json_object();
            json_object_set_new(out, f->section, sec);
        }
        json_object_set(sec, f->name, v);
    }
    return out;
}

void qtmi_access_redact_participants(json_t *participants)
{
    size_t i;
    json_t *p;
    json_array_foreach(participants, i, p) {
        if (json_object_get(p, "contact"))
            json_object_set_new(p, "contact", json_null());
    }
}

void qtmi_access_redact_settlement(json_t *settlement)
{
    if (json_is_object(settlement))
        json_object_del(settlement, "payments");
}

void qtmi_access_redact_record_body(const qtm_surface *s, json_t *body)
{
    if (!json_is_object(body))
        return;
    json_t *scope = json_object_get(body, "scope");
    if (scope)
        json_object_set_new(body, "scope", qtmi_access_intake_preview(s, scope));
    json_t *req = json_object_get(body, "request");
    if (json_is_object(req)) {
        json_object_set_new(req, "intake",
                            qtmi_access_intake_preview(s, json_object_get(req, "intake")));
        json_object_del(req, "submitted_by");
    }
    qtmi_access_redact_participants(json_object_get(body, "participants"));
    qtmi_access_redact_participants(json_object_get(json_object_get(body, "context"), "participants"));
}

/* In the caller's read transaction: loads the reader and the job and
 * decides.  Every way a non-admin may not see the job (no such job, not
 * theirs, a spec not built in) ends in the same message. */
static qtm_status access_load(qtm *q, const char *slug, int64_t id, actor *a, job *j,
                              qtm_access *lv)
{
    *lv = QTM_ACCESS_NONE;
    qtm_status st = qtmi_actor_load(q, slug, a);
    if (st != QTM_OK)
        return st;
    if (a->access == QTM_ACCESS_SUSPENDED)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is suspended and cannot read jobs", a->slug);
    st = qtmi_job_load(q, id, j);
    if (st != QTM_OK && st != QTM_ENOTFOUND && st != QTM_EREFUSED)
        return st;                 /* storage: says nothing about the job */
    if (a->role == QTM_ROLE_ADMIN) {
        *lv = st == QTM_OK ? QTM_ACCESS_FULL : QTM_ACCESS_NONE;
        return st;                 /* the precise message */
    }
    *lv = qtmi_access_job(a, j);        /* j->id is 0 when there is no such job */
    if (*lv != QTM_ACCESS_NONE)
        return st;
    /* one who had the work and lost it by a hand-off is told why */
    char why[1024] = "";
    const handoff *h = &j->last;
    if (j->id && qtmi_handoff_last(q, j) == QTM_OK && h->id && h->from_id == a->id &&
        h->to_id && h->to_id != a->id)
        snprintf(why, sizeof why, ": %s to %s by %s%s%s",
                 strcmp(h->action, "handover") == 0 ? "handed over" : "reassigned", h->to,
                 h->by, h->reason[0] ? " (" : "", h->reason[0] ? h->reason : "");
    if (why[0] && h->reason[0])
        snprintf(why + strlen(why), sizeof why - strlen(why), ")");
    return qtm_fail(q, QTM_EFORBIDDEN, "no job %lld visible to %s%s", (long long)id, a->slug,
                    why);
}

qtm_status qtm_job_access(qtm *q, const char *slug, int64_t id, qtm_access *level)
{
    actor a;
    job j;
    qtm_access lv;
    *level = QTM_ACCESS_NONE;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    st = qtmi_tx_end(q, access_load(q, slug, id, &a, &j, &lv));
    if (st == QTM_OK)
        *level = lv;
    return st;
}

qtm_status qtm_job_actions(qtm *q, const char *slug, int64_t id, json_t **out)
{
    actor a;
    job j;
    service_event se;
    qtm_access lv;
    *out = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    if ((st = access_load(q, slug, id, &a, &j, &lv)) == QTM_OK &&
        (st = qtmi_se_load(q, id, &se)) == QTM_OK)
        *out = qtmi_policy_actions(q, &a, &j, &se);
    return qtmi_view_end(q, st, out);
}

/* How a view is cut for what a reader may see: lv is PREVIEW or FULL. */
typedef void (*shape_fn)(const job *j, qtm_access lv, json_t *view);
typedef qtm_status (*view_fn)(qtm *q, int64_t id, json_t **out);

/* Every per-reader view of one job: decide, read and shape in one read
 * transaction.  A view the pool preview may not have (what: e.g. "export
 * its record") is refused to a preview reader instead of shaped. */
static qtm_status read_as(qtm *q, const char *slug, int64_t id, view_fn view, shape_fn shape,
                          const char *not_previewed, json_t **out)
{
    actor a;
    job j;
    qtm_access lv;
    *out = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    if ((st = access_load(q, slug, id, &a, &j, &lv)) == QTM_OK) {
        if (lv == QTM_ACCESS_PREVIEW && not_previewed)
            st = qtm_fail(q, QTM_EFORBIDDEN, "%s may preview job %lld but not %s", a.slug,
                          (long long)id, not_previewed);
        else if ((st = view(q, id, out)) == QTM_OK && shape)
            shape(&j, lv, *out);
    }
    return qtmi_view_end(q, st, out);
}

static void shape_job(const job *j, qtm_access lv, json_t *v)
{
    if (lv == QTM_ACCESS_PREVIEW) {
        json_t *in = qtmi_access_intake_preview(j->s, json_object_get(v, "intake"));
        json_object_set_new(v, "intake", in);
        json_t *req = json_object_get(v, "request");
        json_object_set_new(v, "request", qtmi_request_layout(j->s, json_integer_value(
                                              json_object_get(req, "id")), in));
        json_object_set_new(v, "notes", json_array());   /* may quote contact details */
        qtmi_access_redact_participants(json_object_get(v, "participants"));
        qtmi_access_redact_settlement(json_object_get(v, "settlement"));
    }
    json_object_set_new(v, "access", json_string(lv == QTM_ACCESS_PREVIEW ? "preview" : "full"));
}

static void shape_record(const job *j, qtm_access lv, json_t *v)
{
    if (lv == QTM_ACCESS_PREVIEW)
        qtmi_access_redact_record_body(j->s, json_object_get(v, "body"));
}

static void shape_settlement(const job *j, qtm_access lv, json_t *v)
{
    (void)j;
    if (lv == QTM_ACCESS_PREVIEW)
        qtmi_access_redact_settlement(v);
}

qtm_status qtm_job_show_as(qtm *q, const char *slug, int64_t id, json_t **out)
{
    return read_as(q, slug, id, qtmi_job_view, shape_job, NULL, out);
}

qtm_status qtm_record_show_as(qtm *q, const char *slug, int64_t id, json_t **out)
{
    return read_as(q, slug, id, qtmi_record_view, shape_record, NULL, out);
}

qtm_status qtm_record_export_as(qtm *q, const char *slug, int64_t id, json_t **out)
{
    /* an export is the whole, signed record: a redacted body would not verify */
    return read_as(q, slug, id, qtmi_record_export_view, NULL, "export its record", out);
}

qtm_status qtm_settlement_show_as(qtm *q, const char *slug, int64_t id, json_t **out)
{
    return read_as(q, slug, id, qtmi_settlement_view, shape_settlement, NULL, out);
}

qtm_status qtm_settlement_payments_as(qtm *q, const char *slug, int64_t id, const qtm_page *pg,
                                      json_t **out, int64_t *next_after)
{
    actor a;
    job j;
    qtm_access lv;
    *out = NULL;
    *next_after = 0;
    unsigned limit;
    qtm_status st = qtmi_page_limit(q, pg, &limit);  /* a bad page opens no transaction */
    if (st != QTM_OK || (st = qtmi_tx_begin(q, 0)) != QTM_OK)
        return st;
    if ((st = access_load(q, slug, id, &a, &j, &lv)) == QTM_OK) {
        /* the preview shows totals, never the ledger */
        if (lv == QTM_ACCESS_PREVIEW)
            st = qtm_fail(q, QTM_EFORBIDDEN, "job %lld's payments are shown to its owner and "
                          "admins only", (long long)id);
        else
            st = qtmi_settlement_payments_view(q, id, pg, out, next_after);
    }
    return qtmi_view_end(q, st, out);
}

qtm_status qtm_desk_as(qtm *q, const char *slug, const char *operator_slug, const char *list,
                       const qtm_page *pg, json_t **out)
{
    actor a;
    *out = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    st = qtmi_actor_load(q, slug, &a);
    if (st == QTM_OK && a.access == QTM_ACCESS_SUSPENDED)
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is suspended and cannot read the desk", a.slug);
    else if (st == QTM_OK && a.role != QTM_ROLE_OPERATOR && a.role != QTM_ROLE_ADMIN)
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is a %s; the desk is for operators and admins",
                      a.slug, qtmi_role_word(a.role));
    if ((st = qtmi_tx_end(q, st)) != QTM_OK)
        return st;
    /* the desk filters by the same rule (qtmi_access_job) */
    return qtm_desk_page(q, a.role == QTM_ROLE_OPERATOR ? a.slug : operator_slug, list,
                         pg, out);
}

/* An admin not suspended, or the refusal: "only admins <verb> <what>". */
static qtm_status admin_as(qtm *q, const char *slug, const char *verb, const char *what)
{
    actor a;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    st = qtmi_actor_load(q, slug, &a);
    if (st == QTM_OK && a.access == QTM_ACCESS_SUSPENDED)
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is suspended and cannot %s%s", a.slug, verb, what);
    else if (st == QTM_OK && a.role != QTM_ROLE_ADMIN)
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s; only admins %s%s", a.slug,
                      a.role == QTM_ROLE_OPERATOR ? "an" : "a", qtmi_role_word(a.role), verb,
                      what);
    return qtmi_tx_end(q, st);
}

qtm_status qtm_admin_read_as(qtm *q, const char *slug, const char *what)
{
    return admin_as(q, slug, "read ", what);
}

qtm_status qtm_admin_act_as(qtm *q, const char *slug, const char *what)
{
    return admin_as(q, slug, "", what);
}
