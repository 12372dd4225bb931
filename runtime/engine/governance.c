/*
 * governance.c - actors, intake requests and admin tasks.
 *
 * This is the governance layer: nothing here creates executable work.
 * Submitting a request stores the validated intake (immutable) and opens
 * its review task; approving and assigning only change the task.  Only
 * qtm_job_create (execution.c) turns an approved, assigned task into a job.
 */
#include "qtm_int.h"
#include "blob.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake.h"


/* Slugs: 1-63 bytes of a-z 0-9 . _ -, starting with a letter or digit. */
static int valid_slug(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_' || *s == '.'))
            return 0;
    return 1;
}

/* --- actors ---------------------------------------------------------------- */

qtm_status qtm_actor_add(qtm *q, const char *slug, const char *role, const char *name)
{
    if (!slug || !valid_slug(slug))
        return qtm_fail(q, QTM_EINVALID, "actor slug '%s' is not valid (a-z, 0-9, '.', '_', "
                        "'-'; at most 63 bytes)", slug ? slug : "");
    qtm_role r = (qtm_role)qtm_vocab_find(qtm_role_names, QTM_ROLE_UNKNOWN, role);
    if (r == QTM_ROLE_UNKNOWN)
        return qtm_fail(q, QTM_EINVALID, "unknown role '%s' (" QTM_ROLES(QTM_WORD_X, ", ") ")",
                        role ? role : "");
    if (name && strlen(name) > 120)
        return qtm_fail(q, QTM_EINVALID, "actor name is longer than 120 bytes");
    qtm_status st = qtmi_text_check(q, "actor name", name);
    if (st != QTM_OK || (st = qtmi_tx_begin(q, 1)) != QTM_OK)
        return st;
    store_val key = SV_S(slug);
    store_rc rc;
    int64_t found = 0;
    if ((st = qtmi_fetch_int(q, SQ_ACTOR_BY_SLUG, &key, 1, &found)) != QTM_OK)
        goto done;
    if (found) {
        st = qtm_fail(q, QTM_ECONFLICT, "actor '%s' already exists", slug);
        goto done;
    }
    store_val args[4] = {SV_S(slug), SV_S(name && *name ? name : slug), SV_S(qtmi_role_word(r)),
                           SV_S(q->now)};
    if ((rc = store_run(q->st, SQ_ACTOR_INSERT, args, 4, NULL, NULL)) != STORE_OK) {
        st = qtm_store_fail(q, rc, "adding the actor");
        goto done;
    }
    st = qtmi_audit_append(q, qtmi_local_actor(q), "actor", store_last_id(q->st), "add", NULL,
                           qtmi_role_word(r), 0);
done:
    return qtmi_tx_end(q, st);
}

qtm_status qtm_actor_set_access(qtm *q, const char *slug, const char *access)
{
    qtm_access_state to = (qtm_access_state)qtm_vocab_find(qtm_access_state_names,
                                                           QTM_ACCESS_UNKNOWN, access);
    if (to == QTM_ACCESS_UNKNOWN)
        return qtm_fail(q, QTM_EINVALID, "unknown access state '%s' ("
                        QTM_ACCESS_STATES(QTM_WORD_X, ", ") ")", access ? access : "");
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    actor a;
    if ((st = qtmi_actor_load(q, slug, &a)) != QTM_OK)
        goto done;
    if (a.access != to) {
        store_val args[2] = {SV_S(qtmi_access_word(to)), SV_S(slug)};
        store_rc rc = store_run(q->st, SQ_ACTOR_SET_ACCESS, args, 2, NULL, NULL);
        if (rc != STORE_OK) {
            st = qtm_store_fail(q, rc, "changing access");
            goto done;
        }
        st = qtmi_audit_append(q, qtmi_local_actor(q), "actor", a.id, "access",
                               qtmi_access_word(a.access),
                          qtmi_access_word(to), 0);
    }
done:
    return qtmi_tx_end(q, st);
}

static const char *const actor_keys[] = {"id", "slug", "name", "role", "access", "created_at",
                                         NULL};

qtm_status qtm_actor_list(qtm *q, json_t **out)
{
    return qtmi_list_all(q, SQ_ACTOR_LIST, actor_keys, "listing actors", out);
}

qtm_status qtm_actor_list_page(qtm *q, const qtm_page *pg, json_t **out, int64_t *next_after)
{
    return qtmi_list_page(q, SQ_ACTOR_LIST, NULL, 0, actor_keys, "listing actors", pg, out,
                     next_after);
}

/* --- requests -------------------------------------------------------------- */

typedef struct by_key {
    int64_t request, task;
    char *intake;
    char surface[64];
} by_key;

static int key_row(void *arg, const store_val *c, int n)
{
    by_key *k = arg;
    (void)n;
    int bad = 0;
    k->request = c[0].i;
    k->intake = strdup(c[1].type == SV_TEXT ? c[1].s : "");
    bad |= qtmi_col_text(k->surface, sizeof k->surface, &c[2]);
    k->task = c[3].i;
    return bad ? -1 : 1;
}

/* The photo files at paths, checked and cleaned (not stored yet) into
 * files[], their names into refs[] ("sha256:HEX", 72 bytes each). */
static qtm_status photos_prepare(qtm *q, const qtm_surface *s, const char *const *paths,
                                 size_t n, qtmi_blob_file *files, char (*refs)[72])
{
    for (size_t i = 0; i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "photo %zu", i + 1);
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return qtm_fail(q, QTM_EINVALID, "%s: cannot open %s: %s", what, paths[i],
                            strerror(errno));
        qtm_status st = qtmi_blob_prepare(q, fd, qtmi_surface_photo_types(s),
                                          qtmi_surface_file_max(s), what, &files[i]);
        close(fd);
        if (st != QTM_OK)
            return st;
        snprintf(refs[i], sizeof refs[i], "sha256:%s", files[i].hash);
    }
    return QTM_OK;
}

/* In the submit's transaction: stores the files given with it, then links
 * every photo the canonical packet lists (each a stored image the surface
 * accepts) to the request. */
static qtm_status photos_link(qtm *q, const qtm_surface *s, const char *canonical,
                              const qtmi_blob_file *files, size_t nfiles, int64_t actor_id,
                              int64_t request_id)
{
    qtm_status st = QTM_OK;
    int64_t id;
    for (size_t i = 0; i < nfiles && st == QTM_OK; i++)
        st = qtmi_blob_store(q, &files[i], actor_id, &id);
    json_t *root = st == QTM_OK ? json_loads(canonical, 0, NULL) : NULL, *v;
    size_t i;
    json_array_foreach(json_object_get(root, "photos"), i, v) {
        char hex[65];
        qtm_file_type type;
        int64_t size;
        if (st != QTM_OK)
            break;
        if (qtmi_blob_ref(json_string_value(v), hex) != 0 ||
            (st = qtmi_blob_find(q, hex, &id, &type, &size)) == QTM_ENOTFOUND) {
            st = qtm_fail(q, QTM_EINVALID, "intake: photos: no stored file %s (upload it "
                          "first)", json_string_value(v));
            break;
        }
        if (st != QTM_OK)
            break;
        if (type == QTM_FILE_UNKNOWN || !(qtmi_surface_photo_types(s) & (1u << type)) ||
            size > qtmi_surface_file_max(s)) {
            st = qtm_fail(q, QTM_EINVALID, "intake: photos: %s is not a photo %s accepts",
                          json_string_value(v), s->slug);
            break;
        }
        store_val a[2] = {SV_I(request_id), SV_I(id)};
        store_rc rc = store_run(q->st, SQ_REQUEST_PHOTO_INSERT, a, 2, NULL, NULL);
        if (rc != STORE_OK)
            st = qtm_store_fail(q, rc, "storing the request's photos");
    }
    json_decref(root);
    return st;
}

/* The stored request (and its task) of a submit whose packet is checked. */
static qtm_status request_insert(qtm *q, const qtm_surface *s, const char *canonical,
                                 const char *key, const actor *a, int64_t *request_id,
                                 int64_t *task_id)
{
    json_t *root = json_loads(canonical, 0, NULL);
    size_t nphotos = json_array_size(json_object_get(root, "photos"));
    json_decref(root);
    store_val args[7] = {SV_S(s->slug), SV_S(s->fingerprint), SV_S(canonical),
                         SV_I((int64_t)nphotos), SV_S(key), a->id ? SV_I(a->id) : SV_N,
                         SV_S(q->now)};
    store_rc rc;
    if ((rc = store_run(q->st, SQ_REQUEST_INSERT, args, 7, NULL, NULL)) != STORE_OK)
        return qtm_store_fail(q, rc, "storing the request");
    *request_id = store_last_id(q->st);
    store_val targs[2] = {SV_I(*request_id), SV_S(q->now)};
    if ((rc = store_run(q->st, SQ_TASK_INSERT, targs, 2, NULL, NULL)) != STORE_OK)
        return qtm_store_fail(q, rc, "opening the task");
    *task_id = store_last_id(q->st);
    return QTM_OK;
}

/* Checks of a submit that need no database: the surface, the key. */
static qtm_status submit_precheck(qtm *q, const char *surface, const char *key,
                                  const qtm_surface **sp)
{
    const qtm_surface *s = *sp = qtm_surface_find(surface ? surface : "");
    if (!s)
        return qtm_fail(q, QTM_ENOTFOUND, "no surface '%s'", surface ? surface : "");
    if (s->status != QTM_STATUS_ACTIVE)
        return qtm_fail(q, QTM_EREFUSED, "surface %s is %s and takes no new requests",
                        s->slug, s->status == QTM_STATUS_PLANNED ? "planned" : "deprecated");
    if (key && (!*key || strlen(key) > 200))
        return qtm_fail(q, QTM_EINVALID, "an idempotency key must be 1 to 200 bytes");
    return qtmi_text_check(q, "idempotency key", key) != QTM_OK ? QTM_EINVALID : QTM_OK;
}

qtm_status qtm_request_submit(qtm *q, const char *actor_slug, const char *surface,
                              const char *intake_json, const char *const *photo_files,
                              size_t nphoto_files, const char *key, int64_t *request_id,
                              int64_t *task_id)
{
    char *canonical = NULL;
    char msg[2048];                /* every problem of the packet, one a line */
    by_key prior = {0, 0, NULL, ""};
    const qtm_surface *s = NULL;
    qtmi_blob_file *files = NULL;
    char (*refs)[72] = NULL;
    const char **extra = NULL;
    *request_id = *task_id = 0;
    q->replayed = 0;
    qtm_status st = submit_precheck(q, surface, key, &s);
    if (st != QTM_OK)
        return st;
    if (nphoto_files > INTAKE_MAX_PHOTOS)
        return qtm_fail(q, QTM_EINVALID, "intake: more than %d photos", INTAKE_MAX_PHOTOS);
    files = calloc(nphoto_files + 1, sizeof *files);
    refs = calloc(nphoto_files + 1, sizeof *refs);
    extra = calloc(nphoto_files + 1, sizeof *extra);
    if (!files || !refs || !extra) {
        st = qtm_fail(q, QTM_ESTORAGE, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nphoto_files; i++) {
        files[i].fd = -1;
        extra[i] = refs[i];
    }
    if ((st = photos_prepare(q, s, photo_files, nphoto_files, files, refs)) != QTM_OK)
        goto out;
    st = qtmi_intake_validate(s, intake_json, intake_json ? strlen(intake_json) : 0, extra,
                              nphoto_files, &canonical, msg, sizeof msg);
    if (st != QTM_OK) {
        qtm_fail(q, st, "%s", msg);
        goto out;
    }

    if ((st = qtmi_tx_begin(q, 1)) != QTM_OK)
        goto out;
    actor a = {0};
    if (actor_slug && *actor_slug) {
        if ((st = qtmi_actor_may_act(q, actor_slug, &a, 0, "submit requests")) != QTM_OK)
            goto done;
    }
    store_rc rc;
    if (key) {
        store_val k = SV_S(key);
        if ((rc = store_run(q->st, SQ_REQUEST_BY_KEY, &k, 1, key_row, &prior)) != STORE_OK) {
            st = qtm_store_fail(q, rc, "reading requests");
            goto done;
        }
        if (prior.request) {
            /* a retry: the first request stands, nothing new is stored */
            if (strcmp(prior.surface, s->slug) != 0 || strcmp(prior.intake, canonical) != 0) {
                st = qtm_fail(q, QTM_ECONFLICT, "idempotency key '%s' was already used for "
                              "request %lld with a different packet", key,
                              (long long)prior.request);
                goto done;
            }
            *request_id = prior.request;
            *task_id = prior.task;
            q->replayed = 1;
            goto done;
        }
    }
    if ((st = request_insert(q, s, canonical, key, &a, request_id, task_id)) != QTM_OK ||
        (st = photos_link(q, s, canonical, files, nphoto_files, a.id, *request_id)) != QTM_OK)
        goto done;
    const char *who = a.id ? a.slug : NULL;
    if ((st = qtmi_audit_append(q, who, "request", *request_id, "submit", NULL, s->slug, 0)) != QTM_OK)
        goto done;
    st = qtmi_audit_append(q, who, "task", *task_id, "open", NULL, "review", 0);
done:
    st = qtmi_tx_end(q, st);
    if (st != QTM_OK)
        *request_id = *task_id = 0, q->replayed = 0;
out:
    for (size_t i = 0; files && i < nphoto_files; i++)
        qtmi_blob_file_free(&files[i]);
    free(files);
    free(refs);
    free(extra);
    free(prior.intake);
    free(canonical);
    return st;
}

/* --- tasks ----------------------------------------------------------------- */

typedef struct task {
    int64_t id, request;
    qtm_task_state state;          /* never UNKNOWN once loaded (task_load refuses) */
    int64_t assignee_id;
    char assignee[64];
    char reason[512];
    char surface[64];
    char created_at[32], updated_at[32];
    int64_t job;
} task;

typedef struct task_read {
    task *t;
    stored_bad bad;
} task_read;

static int task_row(void *arg, const store_val *c, int n)
{
    task_read *r = arg;
    task *t = r->t;
    (void)n;
    int bad = 0;
    t->id = c[0].i;
    t->request = c[1].i;
    t->state = (qtm_task_state)qtmi_col_word(&r->bad, "state", qtm_task_state_names,
                                        QTM_TASK_UNKNOWN, &c[2]);
    t->assignee_id = c[3].type == SV_INT ? c[3].i : 0;
    bad |= qtmi_col_text(t->assignee, sizeof t->assignee, &c[4]);
    bad |= qtmi_col_text(t->reason, sizeof t->reason, &c[5]);
    bad |= qtmi_col_text(t->surface, sizeof t->surface, &c[6]);
    bad |= qtmi_col_text(t->created_at, sizeof t->created_at, &c[7]);
    bad |= qtmi_col_text(t->updated_at, sizeof t->updated_at, &c[8]);
    t->job = c[9].type == SV_INT ? c[9].i : 0;
    return bad ? -1 : 1;
}

static qtm_status task_load(qtm *q, int64_t id, task *t)
{
    memset(t, 0, sizeof *t);
    store_val arg = SV_I(id);
    task_read r = {t, {NULL, ""}};
    store_rc rc = store_run(q->st, SQ_TASK_BY_ID, &arg, 1, task_row, &r);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading tasks");
    if (!t->id)
        return qtm_fail(q, QTM_ENOTFOUND, "no task %lld", (long long)id);
    if (r.bad.kind)
        return qtm_fail(q, QTM_ESTORAGE, "unknown state '%s' stored for task %lld",
                        r.bad.word, (long long)id);
    return QTM_OK;
}

/* Loads the task and the acting admin; the shared start of every task verb. */
static qtm_status task_begin(qtm *q, const char *actor_slug, int64_t id, const char *what,
                             actor *a, task *t)
{
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    if ((st = qtmi_actor_may_act(q, actor_slug, a, 1, what)) != QTM_OK ||
        (st = qtmi_actor_require_role(q, a, QTM_ROLE_ADMIN, what)) != QTM_OK ||
        (st = task_load(q, id, t)) != QTM_OK)
        return st;
    return QTM_OK;
}

/* The word of a task state (the edge: SQL, JSON, messages). */
static const char *task_word(qtm_task_state s)
{
    return qtm_vocab_name(qtm_task_state_names, QTM_TASK_UNKNOWN, s);
}

static qtm_status task_move(qtm *q, const actor *a, task *t, qtm_task_state to_state,
                            const char *reason, const char *action)
{
    const char *to = task_word(to_state);
    store_val args[5] = {SV_S(to), SV_S(reason), SV_S(q->now), SV_I(t->id),
                         SV_S(task_word(t->state))};
    store_rc rc = store_run(q->st, SQ_TASK_SET_STATE, args, 5, NULL, NULL);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "updating the task");
    if (store_changes(q->st) != 1)
        return qtm_fail(q, QTM_ECONFLICT, "task %lld changed while this command ran",
                        (long long)t->id);
    return qtmi_audit_append(q, a->slug, "task", t->id, action, task_word(t->state), to, 0);
}

qtm_status qtm_task_approve(qtm *q, const char *actor_slug, int64_t id)
{
    actor a;
    task t;
    qtm_status st = task_begin(q, actor_slug, id, "approve tasks", &a, &t);
    if (st == QTM_OK) {
        if (t.state != QTM_TASK_REVIEW)
            st = qtm_fail(q, QTM_EREFUSED, "task %lld is %s; only a task in review can be "
                          "approved", (long long)id, task_word(t.state));
        else
            st = task_move(q, &a, &t, QTM_TASK_APPROVED, NULL, "approve");
    }
    return qtmi_tx_end(q, st);
}

qtm_status qtm_task_reject(qtm *q, const char *actor_slug, int64_t id, const char *reason)
{
    if (!reason || !*reason)
        return qtm_fail(q, QTM_EUSAGE, "rejecting a task needs a reason");
    if (strlen(reason) > 500)
        return qtm_fail(q, QTM_EINVALID, "the reason is longer than 500 bytes");
    actor a;
    task t;
    qtm_status st = qtmi_text_check(q, "reason", reason);
    if (st != QTM_OK)
        return st;
    st = task_begin(q, actor_slug, id, "reject tasks", &a, &t);
    if (st == QTM_OK) {
        if (t.state != QTM_TASK_REVIEW)
            st = qtm_fail(q, QTM_EREFUSED, "task %lld is %s; only a task in review can be "
                          "rejected", (long long)id, task_word(t.state));
        else
            st = task_move(q, &a, &t, QTM_TASK_REJECTED, reason, "reject");
    }
    return qtmi_tx_end(q, st);
}

qtm_status qtm_task_assign(qtm *q, const char *actor_slug, int64_t id, const char *op_slug)
{
    actor a, op;
    task t;
    qtm_status st = task_begin(q, actor_slug, id, "assign tasks", &a, &t);
    if (st != QTM_OK)
        goto done;
    if (t.state != QTM_TASK_APPROVED && t.state != QTM_TASK_ASSIGNED) {
        st = qtm_fail(q, QTM_EREFUSED, "task %lld is %s; only an approved task can be "
                      "assigned", (long long)id, task_word(t.state));
        goto done;
    }
    if (t.job) {
        st = qtm_fail(q, QTM_EREFUSED, "task %lld already handed off to job %lld; its "
                      "assignment is final", (long long)id, (long long)t.job);
        goto done;
    }
    if ((st = qtmi_actor_load(q, op_slug, &op)) != QTM_OK)
        goto done;
    if (op.role != QTM_ROLE_OPERATOR) {
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is a %s; tasks are assigned to operators",
                      op.slug, qtmi_role_word(op.role));
        goto done;
    }
    if (op.access == QTM_ACCESS_SUSPENDED) {
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is suspended and cannot receive work", op.slug);
        goto done;
    }
    store_val args[3] = {SV_I(op.id), SV_S(q->now), SV_I(t.id)};
    store_rc rc = store_run(q->st, SQ_TASK_SET_ASSIGNEE, args, 3, NULL, NULL);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "assigning the task");
        goto done;
    }
    st = qtmi_audit_append(q, a.slug, "task", t.id, "assign",
                      t.assignee[0] ? t.assignee : task_word(t.state), op.slug, 0);
done:
    return qtmi_tx_end(q, st);
}

qtm_status qtm_task_close(qtm *q, const char *actor_slug, int64_t id)
{
    actor a;
    task t;
    qtm_status st = task_begin(q, actor_slug, id, "close tasks", &a, &t);
    if (st == QTM_OK) {
        if (t.state == QTM_TASK_CLOSED)
            st = qtm_fail(q, QTM_EREFUSED, "task %lld is already closed", (long long)id);
        else
            st = task_move(q, &a, &t, QTM_TASK_CLOSED, NULL, "close");
    }
    return qtmi_tx_end(q, st);
}

static json_t *task_json(const task *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "request", json_integer(t->request));
    json_object_set_new(o, "surface", json_string(t->surface));
    json_object_set_new(o, "state", json_string(task_word(t->state)));
    json_object_set_new(o, "assignee", qtmi_json_str_or_null(t->assignee));
    json_object_set_new(o, "reason", qtmi_json_str_or_null(t->reason));
    json_object_set_new(o, "job", t->job ? json_integer(t->job) : json_null());
    json_object_set_new(o, "created_at", json_string(t->created_at));
    json_object_set_new(o, "updated_at", json_string(t->updated_at));
    return o;
}

static const char *const task_list_keys[] = {"id", "request", "state", "assignee", "surface",
                                             "updated_at", "job", "_intake", "_fingerprint",
                                             "settlement", NULL};

/* Each task row's summary, from the intake and spec the query also gave
 * (those two columns are dropped).  Returns rows. */
static json_t *task_summaries(json_t *rows)
{
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o) {
        const char *surface = json_string_value(json_object_get(o, "surface"));
        const char *fp = json_string_value(json_object_get(o, "_fingerprint"));
        const char *text = json_string_value(json_object_get(o, "_intake"));
        const qtm_surface *s = surface && fp ? qtm_surface_by_fingerprint(surface, fp) : NULL;
        if (!s && surface)
            s = qtm_surface_find(surface);
        json_t *in = text ? json_loads(text, 0, NULL) : NULL;
        json_object_set_new(o, "summary", qtmi_summary_json(s, in));
        json_decref(in);
        json_object_del(o, "_intake");
        json_object_del(o, "_fingerprint");
    }
    return rows;
}

static qtm_status task_state_check(qtm *q, const char *state)
{
    if (state && qtm_vocab_find(qtm_task_state_names, QTM_TASK_UNKNOWN, state) == QTM_TASK_UNKNOWN)
        return qtm_fail(q, QTM_EUSAGE, "unknown task state '%s' ("
                        QTM_TASK_STATES(QTM_WORD_X, ", ") ")", state);
    return QTM_OK;
}

qtm_status qtm_task_list(qtm *q, const char *state, json_t **out)
{
    *out = NULL;
    qtm_status st = task_state_check(q, state);
    if (st != QTM_OK || (st = qtmi_tx_begin(q, 0)) != QTM_OK)
        return st;
    store_rc rc;
    store_val args[3] = {SV_S(state), SV_I(0), SV_I(-1)};  /* every task */
    *out = task_summaries(qtmi_list_rows(q, SQ_TASK_LIST, args, 3, task_list_keys, &rc));
    return qtmi_view_end(q, *out ? QTM_OK : qtm_store_fail(q, rc, "listing tasks"), out);
}

qtm_status qtm_task_list_page(qtm *q, const char *state, const qtm_page *pg, json_t **out,
                              int64_t *next_after)
{
    *out = NULL;
    *next_after = 0;
    qtm_status st = task_state_check(q, state);
    if (st != QTM_OK)
        return st;
    store_val arg = SV_S(state);
    st = qtmi_list_page(q, SQ_TASK_LIST, &arg, 1, task_list_keys, "listing tasks", pg, out,
                        next_after);
    task_summaries(*out);
    return st;
}

typedef struct req_row {
    json_t *o;
} req_row;

static int request_row(void *arg, const store_val *c, int n)
{
    json_t *o = arg;
    (void)n;
    json_object_set_new(o, "id", qtmi_json_col(&c[0]));
    json_object_set_new(o, "surface", qtmi_json_col(&c[1]));
    json_object_set_new(o, "fingerprint", qtmi_json_col(&c[2]));
    json_t *intake = c[3].type == SV_TEXT ? json_loads(c[3].s, 0, NULL) : NULL;
    json_object_set_new(o, "intake", intake ? intake : json_null());
    json_object_set_new(o, "photos", qtmi_json_col(&c[4]));
    json_object_set_new(o, "submitted_by", qtmi_json_col(&c[5]));
    json_object_set_new(o, "created_at", qtmi_json_col(&c[6]));
    return 1;
}

/* The request as JSON (used by task show, job show and the record). */
json_t *qtmi_request_json(qtm *q, int64_t id)
{
    json_t *o = json_object();
    store_val arg = SV_I(id);
    store_rc rc = store_run(q->st, SQ_REQUEST_BY_ID, &arg, 1, request_row, o);
    if (rc != STORE_OK) {
        json_decref(o);
        qtm_store_fail(q, rc, "reading the request");
        return NULL;
    }
    return o;
}

qtm_status qtm_task_show(qtm *q, int64_t id, json_t **out)
{
    *out = NULL;
    task t;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    if ((st = task_load(q, id, &t)) != QTM_OK)
        return qtmi_tx_end(q, st);
    json_t *o = task_json(&t);
    json_t *r = qtmi_request_json(q, t.request);
    if (!r) {
        json_decref(o);
        return qtmi_tx_end(q, q->err != QTM_OK ? q->err   /* its failure, as reported */
                                               : qtm_store_fail(q, STORE_ERROR, "reading the request"));
    }
    const char *slug = json_string_value(json_object_get(r, "surface"));
    const char *fp = json_string_value(json_object_get(r, "fingerprint"));
    const qtm_surface *sf = slug && fp ? qtm_surface_by_fingerprint(slug, fp) : NULL;
    json_object_set_new(o, "summary",
                        qtmi_summary_json(sf ? sf : qtm_surface_find(slug ? slug : ""),
                                          json_object_get(r, "intake")));
    json_object_set_new(o, "request", r);
    *out = o;
    return qtmi_view_end(q, QTM_OK, out);
}

/* Used by execution.c: the task as governance left it. */
qtm_status qtmi_task_for_job(qtm *q, int64_t id, int64_t *request, qtm_task_state *state,
                        int64_t *assignee, int64_t *job_id, char *surface, size_t sn)
{
    task t;
    qtm_status st = task_load(q, id, &t);
    if (st != QTM_OK)
        return st;
    *request = t.request;
    *state = t.state;
    *assignee = t.assignee_id;
    *job_id = t.job;
    snprintf(surface, sn, "%s", t.surface);
    return QTM_OK;
}

int qtm_request_replayed(const qtm *q)
{
    return q->replayed;
}

const char *qtmi_local_actor(const qtm *q)
{
    return q->local_actor[0] ? q->local_actor : NULL;
}

qtm_status qtm_set_local_actor(qtm *q, const char *as, const char *os_user)
{
    q->local_actor[0] = '\0';
    if (!as) {
        if (os_user && *os_user)
            snprintf(q->local_actor, sizeof q->local_actor, "os:%.60s", os_user);
        return qtm_ok(q);
    }
    actor a;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    st = qtmi_actor_load(q, as, &a);
    if (st == QTM_OK && a.role != QTM_ROLE_ADMIN)
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s; only an admin administers actors and "
                      "tokens", a.slug, a.role == QTM_ROLE_OPERATOR ? "an" : "a",
                      qtmi_role_word(a.role));
    else if (st == QTM_OK && a.access == QTM_ACCESS_SUSPENDED)
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is suspended and cannot administer actors and "
                      "tokens", a.slug);
    if ((st = qtmi_tx_end(q, st)) == QTM_OK)
        snprintf(q->local_actor, sizeof q->local_actor, "%s", a.slug);
    return st;
}
