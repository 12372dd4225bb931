/*
 * serve_api.c - the JSON API of `qtm serve`: routes mapped onto libqtm.
 *
 * Each route names the credential it needs and calls libqtm exactly as the
 * `qtm` command does, with the signed-in actor as the actor.  libqtm makes
 * every governance decision (roles, ownership, access states, lifecycle);
 * this file only refuses reads to callers who may not see them, and adds,
 * for the web desk, which of a job's next actions the caller may take: the
 * same rule the runtime applies, computed from the compiled tables.
 * Bodies and answers are those of `qtm --json`; errors are
 * {"error":{"category","message"}} with the status of their category.
 */
#include "serve.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SEGS 4

typedef struct route route;
typedef void (*handler)(api_call *c, const route *r, char **seg, int64_t id);

struct route {
    const char *method;
    const char *pattern;           /* segments after /api/; '#' an id, '*' a slug */
    api_auth auth;
    handler fn;
};

void api_error(api_call *c, unsigned status, const char *category, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_decref(c->out);
    c->status = status;
    c->out = json_pack("{s:{s:s,s:s}}", "error", "category", category, "message", msg);
    if (!c->out) {
        /* the message quotes input that is not UTF-8: blank what JSON refuses */
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
                *p = '?';
        c->out = json_pack("{s:{s:s,s:s}}", "error", "category", category, "message", msg);
    }
}

unsigned api_http_status(qtm_status st)
{
    switch (st) {
    case QTM_OK: return 200;
    case QTM_EUSAGE:
    case QTM_EINVALID: return 400;
    case QTM_ENOTFOUND: return 404;
    case QTM_EFORBIDDEN: return 403;
    case QTM_EREFUSED: return 422;
    case QTM_ECONFLICT: return 409;
    case QTM_EVERIFY:
    case QTM_ESTORAGE: return 500;
    }
    return 500;
}

unsigned api_fail_status(const qtm *q, qtm_status st, unsigned *retry_after)
{
    if (qtm_disk_full(q))
        return 507;
    if (qtm_busy(q)) {
        *retry_after = 1;
        return 503;
    }
    return api_http_status(st);
}

/* The answer for a libqtm failure: its category and its message, with the
 * status api_fail_status gives it. */
static void lib_error(api_call *c, qtm_status st)
{
    api_error(c, api_fail_status(c->q, st, &c->retry_after), qtm_category(st), "%s",
              qtm_errmsg(c->q));
    /* an intake refusal lists every problem, one a line: "problems" too */
    json_t *e = json_object_get(c->out, "error");
    const char *msg = qtm_errmsg(c->q);  /* api_error blanked its newlines */
    if (st != QTM_EINVALID || !e || !msg || strncmp(msg, "intake: ", 8) != 0)
        return;
    json_t *list = json_array();
    for (const char *line = msg, *end; *line; line = end ? end + 1 : line + strlen(line)) {
        end = strchr(line, '\n');
        json_array_append_new(list, json_stringn(line, end ? (size_t)(end - line) : strlen(line)));
    }
    json_object_set_new(e, "problems", list);
}

/* Runs a libqtm call that writes, st = call, in this server's turn to
 * write (on SQLite one writer at a time, first come first served; a
 * database that orders its writers needs no turn), again while it fails
 * busy (QTM_RETRY: the turn is given back between tries).  Reads before
 * and after it, such as the job shown back, run beside other requests. */
static qtm_status write_done(api_call *c, qtm_status st)
{
    c->write_end();
    return st;
}
#define WRITE(c, st, call) QTM_RETRY((c)->q, st, ((c)->write_begin(), write_done((c), (call))))

static void answer(api_call *c, unsigned status, json_t *body)
{
    json_decref(c->out);
    c->status = status;
    c->out = body;
}

/* Answers with a libqtm result: the JSON on success, the error otherwise. */
static void result(api_call *c, qtm_status st, json_t *body)
{
    if (st != QTM_OK) {
        json_decref(body);
        lib_error(c, st);
        return;
    }
    answer(c, 200, body);
}

/* Wraps an array under a key, as `qtm --json` lists do. */
static void result_list(api_call *c, qtm_status st, json_t *a, const char *key)
{
    if (st != QTM_OK) {
        json_decref(a);
        lib_error(c, st);
        return;
    }
    answer(c, 200, json_pack("{s:o}", key, a));
}

/* A page of a list, as `qtm --json` prints it: {key: [...], next_after}. */
static void result_page(api_call *c, qtm_status st, json_t *a, const char *key,
                        int64_t next_after)
{
    if (st != QTM_OK) {
        json_decref(a);
        lib_error(c, st);
        return;
    }
    answer(c, 200, json_pack("{s:o,s:o}", key, a, "next_after",
                             next_after ? json_integer(next_after) : json_null()));
}

/* A whole number of at most 18 digits (no sign, no blanks): 0 if not one. */
static int parse_count(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return 0;
    *out = strtoll(s, NULL, 10);
    return 1;
}

/* ?limit=N&after=ID into *pg (absent: the first page of QTM_PAGE_DEFAULT);
 * 0, or -1 after answering 400. */
static int page_query(api_call *c, qtm_page *pg)
{
    const char *limit = c->query(c->cx, "limit"), *after = c->query(c->cx, "after");
    int64_t v = 0;
    pg->limit = QTM_PAGE_DEFAULT;
    pg->after = 0;
    if (limit && (!parse_count(limit, &v) || v < 1 || v > QTM_PAGE_MAX)) {
        api_error(c, 400, "usage", "limit takes a whole number from 1 to %d", QTM_PAGE_MAX);
        return -1;
    }
    if (limit)
        pg->limit = (unsigned)v;
    if (after && !parse_count(after, &pg->after)) {
        api_error(c, 400, "usage", "after takes an id (the next_after of the page before)");
        return -1;
    }
    return 0;
}

/* --- request bodies -------------------------------------------------------- */

/* The body as a JSON object ({} when empty); NULL after answering 400. */
static json_t *body_object(api_call *c)
{
    if (c->body_len == 0)
        return json_object();
    json_error_t e;
    json_t *o = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!o) {
        api_error(c, 400, "invalid input", "malformed JSON at line %d, column %d: %s", e.line,
                  e.column, e.text);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        api_error(c, 400, "invalid input", "the request body must be a JSON object");
        return NULL;
    }
    return o;
}

/* A string member: 0 with *out (NULL when absent and optional), or -1
 * after answering 400. */
static int member(api_call *c, json_t *o, const char *key, int required, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (!required)
            return 0;
        api_error(c, 400, "invalid input", "the body needs \"%s\"", key);
        return -1;
    }
    if (!json_is_string(v)) {
        api_error(c, 400, "invalid input", "\"%s\" must be a string", key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

static int parse_id(const char *s, int64_t *out)
{
    if (!s || !*s)
        return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - (*s - '0')) / 10)
            return 0;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return v > 0;
}

/* --- session ----------------------------------------------------------------- */

static json_t *principal_json(const qtm_principal *p)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "slug", p->slug, "name", p->name, "role", p->role,
                     "access", p->access);
}

static void session_open(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    json_t *b = body_object(c);
    const char *token;
    if (!b)
        return;
    if (member(c, b, "token", 1, &token) == 0) {
        qtm_principal p;
        char sid[QTM_SECRET_LEN], csrf[QTM_SECRET_LEN];
        qtm_status st;
        WRITE(c, st, qtm_session_open(c->q, token, c->opts->session_ttl, &p, sid, csrf));
        if (st == QTM_ENOTFOUND)
            api_error(c, 401, "unauthorized", "unknown or revoked token");
        else if (st != QTM_OK)
            lib_error(c, st);
        else {
            snprintf(c->set_cookie, sizeof c->set_cookie,
                     "qtm_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%u", sid,
                     c->opts->session_ttl);
            answer(c, 200, json_pack("{s:o,s:s}", "actor", principal_json(&p), "csrf", csrf));
        }
    }
    json_decref(b);
}

static void session_show(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    if (!c->via_session) {
        api_error(c, 401, "unauthorized", "not signed in");
        return;
    }
    /* serve.c checked the cookie and kept the session's actor and secret */
    answer(c, 200, json_pack("{s:o,s:s}", "actor", principal_json(&c->who), "csrf", c->csrf));
}

static void session_close(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    /* the very cookie serve.c authenticated (the parser's, not a search
     * of the header, which a look-alike cookie name could fool) */
    if (c->sid) {
        qtm_status st;
        WRITE(c, st, qtm_session_close(c->q, c->sid));
        if (st != QTM_OK && st != QTM_ENOTFOUND) {
            lib_error(c, st);
            return;
        }
    }
    snprintf(c->set_cookie, sizeof c->set_cookie,
             "qtm_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    answer(c, 200, json_pack("{s:b}", "ok", 1));
}

/* --- surfaces and intake ------------------------------------------------------ */

static void surfaces_list(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    json_t *a = NULL;
    qtm_status st = qtm_surfaces(c->q, &a);
    result_list(c, st, a, "surfaces");
}

static void surface_show(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)id;
    json_t *m = NULL;
    qtm_status st = qtm_surface_show(c->q, seg[1], &m);
    result(c, st, m);
}

static void request_submit(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)id;
    unsigned wait = rate_take(c->opts, c->client);
    if (wait) {
        c->retry_after = wait;
        api_error(c, 429, "rate limited",
                  "too many requests from this address; try again in %u s", wait);
        return;
    }
    json_t *b = body_object(c);   /* parsed here only to answer malformed JSON as such */
    if (!b)
        return;
    json_decref(b);
    const char *key = c->header(c->cx, "Idempotency-Key");
    if (key && (strlen(key) == 0 || strlen(key) > 200)) {
        api_error(c, 400, "invalid input", "Idempotency-Key must be 1 to 200 bytes");
        return;
    }
    int64_t req = 0, task = 0;
    qtm_status st;
    WRITE(c, st, qtm_request_submit(c->q, c->signed_in ? c->who.slug : NULL, seg[1], c->body,
                                    NULL, 0, key, &req, &task));
    if (st != QTM_OK) {
        lib_error(c, st);
        return;
    }
    /* a replayed key: the first request's ids, "replayed": true (nothing new stored) */
    answer(c, 201, json_pack("{s:I,s:I,s:b}", "request", (json_int_t)req, "task",
                             (json_int_t)task, "replayed", qtm_request_replayed(c->q)));
}

/* --- governance -------------------------------------------------------------- */

static void actors_list(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    json_t *a = NULL;
    qtm_page pg;
    int64_t next = 0;
    if (page_query(c, &pg) != 0)
        return;
    qtm_status st = qtm_actor_list_page(c->q, &pg, &a, &next);
    result_page(c, st, a, "actors", next);
}

static void tasks_list(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    json_t *a = NULL;
    qtm_page pg;
    int64_t next = 0;
    if (page_query(c, &pg) != 0)
        return;
    qtm_status st = qtm_task_list_page(c->q, c->query(c->cx, "state"), &pg, &a, &next);
    result_page(c, st, a, "tasks", next);
}

static void task_show(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg;
    json_t *t = NULL;
    qtm_status st = qtm_task_show(c->q, id, &t);
    result(c, st, t);
}

static void task_verb(api_call *c, const route *r, char **seg, int64_t id)
{
    json_t *b = body_object(c);
    if (!b)
        return;
    const char *verb = seg[2], *arg = NULL;
    qtm_status st;
    if (strcmp(verb, "approve") == 0)
        WRITE(c, st, qtm_task_approve(c->q, c->who.slug, id));
    else if (strcmp(verb, "reject") == 0) {
        if (member(c, b, "reason", 1, &arg) != 0)
            goto done;
        WRITE(c, st, qtm_task_reject(c->q, c->who.slug, id, arg));
    } else if (strcmp(verb, "assign") == 0) {
        if (member(c, b, "to", 1, &arg) != 0)
            goto done;
        WRITE(c, st, qtm_task_assign(c->q, c->who.slug, id, arg));
    } else
        WRITE(c, st, qtm_task_close(c->q, c->who.slug, id));
    if (st != QTM_OK)
        lib_error(c, st);
    else
        task_show(c, r, seg, id);
done:
    json_decref(b);
}

static void job_create(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg;
    int64_t job = 0;
    qtm_status st;
    WRITE(c, st, qtm_job_create(c->q, c->who.slug, id, &job));
    if (st != QTM_OK) {
        lib_error(c, st);
        return;
    }
    answer(c, 201, json_pack("{s:I,s:I}", "job", (json_int_t)job, "task", (json_int_t)id));
}

/* --- execution ------------------------------------------------------------- */

static void desk(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    /* an operator's desk is their own; admins see every job or one operator's */
    json_t *d = NULL;
    qtm_page pg;
    if (page_query(c, &pg) != 0)
        return;
    qtm_status st = qtm_desk_as(c->q, c->who.slug, c->query(c->cx, "operator"),
                                c->query(c->cx, "list"), &pg, &d);
    result(c, st, d);
}

/* GET /api/jobs?state=&surface=&operator=&phase=&q=&mine=1&limit=&after=:
 * the job list as the caller may read it (qtm_job_list_as). */
static void jobs_list(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    json_t *a = NULL;
    qtm_page pg;
    int64_t next = 0;
    if (page_query(c, &pg) != 0)
        return;
    const char *mine = c->query(c->cx, "mine");
    if (mine && strcmp(mine, "1") != 0 && strcmp(mine, "0") != 0) {
        api_error(c, 400, "usage", "mine takes 1 or 0");
        return;
    }
    qtm_job_filter f = {c->query(c->cx, "state"), c->query(c->cx, "surface"),
                        c->query(c->cx, "operator"), c->query(c->cx, "phase"),
                        c->query(c->cx, "q")};
    qtm_status st = qtm_job_list_as(c->q, c->who.slug, mine && *mine == '1', &f, &pg, &a, &next);
    result_page(c, st, a, "jobs", next);
}

/*
 * Adds "actions" (the next transitions this caller may take now),
 * "can_claim" and "can_complete" to a job: the runtime's own rule
 * (qtm_job_actions), so the desk offers nothing the runtime would refuse
 * for role, ownership or access state.  Evidence, payment and
 * participants stay the runtime's to check: the desk shows them as
 * requirements and reports the refusal.
 */
static qtm_status add_actions(api_call *c, json_t *job, int64_t id)
{
    json_t *a = NULL;
    qtm_status st = qtm_job_actions(c->q, c->who.slug, id, &a);
    if (st == QTM_OK)
        json_object_update(job, a);
    json_decref(a);
    return st;
}

static void job_show(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg;
    json_t *j = NULL;
    qtm_status st = qtm_job_show_as(c->q, c->who.slug, id, &j);
    if (st == QTM_OK)
        st = add_actions(c, j, id);
    result(c, st, j);
}

/* A refused change of job id: the refusal itself to a caller who still
 * may see the job; to anyone else the one answer for a job they may not
 * see (it can have changed hands since api_handle checked). */
static void job_refused(api_call *c, int64_t id, qtm_status st)
{
    char msg[2048];                /* qtm_errmsg is at most this */
    qtm_access lv;
    snprintf(msg, sizeof msg, "%s", qtm_errmsg(c->q));
    unsigned retry_after = 0, status = api_fail_status(c->q, st, &retry_after);
    qtm_status seen = qtm_job_access(c->q, c->who.slug, id, &lv);
    if (seen != QTM_OK) {
        lib_error(c, seen);
    } else {
        api_error(c, status, qtm_category(st), "%s", msg);
        c->retry_after = retry_after;
    }
}

/* After a change: the job as it now stands. */
/* The answer to a change that committed but could not be read back: a
 * committed write is never answered as failed (a client would retry it). */
static void committed(api_call *c, int64_t id)
{
    char warning[600];
    snprintf(warning, sizeof warning, "recorded, but reading it back failed: %s",
             qtm_errmsg(c->q));
    answer(c, 200, json_pack("{s:I,s:b,s:s}", "job", (json_int_t)id, "recorded", 1, "warning",
                             warning));
    if (!c->out)                   /* a message JSON refuses (not UTF-8): say less */
        answer(c, 200, json_pack("{s:I,s:b}", "job", (json_int_t)id, "recorded", 1));
}

static void job_after(api_call *c, const route *r, char **seg, int64_t id, qtm_status st)
{
    if (st != QTM_OK) {
        job_refused(c, id, st);
        return;
    }
    job_show(c, r, seg, id);
    if (c->status != 200)
        committed(c, id);
}

static void job_claim(api_call *c, const route *r, char **seg, int64_t id)
{
    qtm_status st;
    WRITE(c, st, qtm_job_claim(c->q, c->who.slug, id));
    job_after(c, r, seg, id, st);
}

static void job_complete(api_call *c, const route *r, char **seg, int64_t id)
{
    qtm_status st;
    WRITE(c, st, qtm_job_complete(c->q, c->who.slug, id));
    job_after(c, r, seg, id, st);
}

static void job_advance(api_call *c, const route *r, char **seg, int64_t id)
{
    json_t *b = body_object(c);
    const char *event, *reason;
    if (b && member(c, b, "event", 1, &event) == 0 && member(c, b, "reason", 0, &reason) == 0) {
        qtm_status st;
        WRITE(c, st, qtm_job_advance_reason(c->q, c->who.slug, id, event, reason));
        job_after(c, r, seg, id, st);
    }
    json_decref(b);
}

/* POST jobs/ID/reassign|handover {"to", "reason"}, release|cancel {"reason"}:
 * a missing required member is 400 before libqtm (which would say usage). */
static void job_gov(api_call *c, const route *r, char **seg, int64_t id)
{
    json_t *b = body_object(c);
    const char *verb = seg[2], *to = NULL, *reason = NULL;
    int with_to = strcmp(verb, "reassign") == 0 || strcmp(verb, "handover") == 0;
    int needs_reason = strcmp(verb, "handover") == 0 || strcmp(verb, "cancel") == 0;
    if (!b || (with_to && member(c, b, "to", 1, &to) != 0) ||
        member(c, b, "reason", needs_reason, &reason) != 0)
        goto done;
    qtm_status st;
    if (strcmp(verb, "reassign") == 0)
        WRITE(c, st, qtm_job_reassign(c->q, c->who.slug, id, to, reason));
    else if (strcmp(verb, "handover") == 0)
        WRITE(c, st, qtm_job_handover(c->q, c->who.slug, id, to, reason));
    else if (strcmp(verb, "release") == 0)
        WRITE(c, st, qtm_job_release(c->q, c->who.slug, id, reason));
    else
        WRITE(c, st, qtm_job_cancel(c->q, c->who.slug, id, reason));
    job_after(c, r, seg, id, st);
done:
    json_decref(b);
}

static void note_add(api_call *c, const route *r, char **seg, int64_t id)
{
    json_t *b = body_object(c);
    const char *text;
    if (b && member(c, b, "text", 1, &text) == 0) {
        qtm_status st;
        WRITE(c, st, qtm_note_add(c->q, c->who.slug, id, text));
        job_after(c, r, seg, id, st);
    }
    json_decref(b);
}

static void evidence_add(api_call *c, const route *r, char **seg, int64_t id)
{
    json_t *b = body_object(c);
    const char *cat, *blob, *note;
    if (b && member(c, b, "category", 1, &cat) == 0 && member(c, b, "blob", 1, &blob) == 0 &&
        member(c, b, "note", 0, &note) == 0) {
        qtm_status st;
        WRITE(c, st, qtm_evidence_add_blob(c->q, c->who.slug, id, cat, blob, note));
        job_after(c, r, seg, id, st);
    }
    json_decref(b);
}

/* --- files ------------------------------------------------------------------ */

/* The cap on files nothing references: past it, 507 until gc (hourly)
 * or the requests and evidence that name them bring it down.  Checked
 * before the upload's own transaction, so uploads running at once may pass
 * it by at most one file each. */
static int upload_over_cap(api_call *c)
{
    int64_t held = 0;
    struct stat sb;
    if (!c->opts->max_unreferenced || fstat(c->upload_fd, &sb) != 0)
        return 0;
    qtm_status st = qtm_blob_unreferenced_bytes(c->q, &held);
    if (st != QTM_OK) {
        lib_error(c, st);
        return 1;
    }
    if ((uint64_t)held + (uint64_t)sb.st_size <= c->opts->max_unreferenced)
        return 0;
    c->retry_after = 3600;
    api_error(c, 507, "storage", "the server holds %lld bytes of files nothing references yet "
              "(at most %llu): name them in a request or evidence, or try again once they are "
              "collected", (long long)held, (unsigned long long)c->opts->max_unreferenced);
    return 1;
}

static void upload(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    qtm_blob_info info;
    qtm_status st;
    if (c->checked) {              /* checked by an upload worker: store it */
        WRITE(c, st, qtm_upload_store(c->q, c->signed_in ? c->who.slug : NULL, c->checked,
                                      &info));
        if (st != QTM_OK) {
            lib_error(c, st);
            return;
        }
        answer(c, info.created ? 201 : 200,
               json_pack("{s:s,s:s,s:I}", "blob", info.ref, "type", info.type, "size",
                         (json_int_t)info.size));
        return;
    }
    /* public intake: limited like a request; signed in: a limit of its own */
    unsigned wait = c->signed_in ? rate_take_upload(c->opts, c->client)
                                 : rate_take(c->opts, c->client);
    if (wait) {
        c->retry_after = wait;
        api_error(c, 429, "rate limited",
                  "too many %s from this address; try again in %u s",
                  c->signed_in ? "uploads" : "requests", wait);
        return;
    }
    if (c->upload_fd < 0) {
        api_error(c, 400, "invalid input", "send the file as the body, or as the file part of "
                  "a multipart/form-data body");
        return;
    }
    if (upload_over_cap(c))
        return;
    /* the file work (type, decode, GPS cleaning, hash, thumbnail) needs no
     * database: it runs before this request's turn to write, which only
     * stores the chunks (and finds the same bytes stored once) */
    qtm_upload *u;
    st = qtm_upload_check(c->q, c->query(c->cx, "surface"), c->upload_fd, &u);
    if (st == QTM_OK && c->check_only) {
        c->checked = u;            /* the writer's batch stores it */
        return;
    }
    if (st == QTM_OK)
        WRITE(c, st, qtm_upload_store(c->q, c->signed_in ? c->who.slug : NULL, u, &info));
    qtm_upload_free(u);
    if (st != QTM_OK) {
        lib_error(c, st);
        return;
    }
    answer(c, info.created ? 201 : 200,
           json_pack("{s:s,s:s,s:I}", "blob", info.ref, "type", info.type, "size",
                     (json_int_t)info.size));
}

static int write_fd(void *arg, const void *data, size_t n)
{
    const char *p = data;
    int fd = *(int *)arg;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* An unlinked temp file ($TMPDIR, else /tmp), or -1. */
int serve_tmpfd(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (!dir || !*dir)
        dir = "/tmp";
    if (snprintf(path, sizeof path, "%s/qtm-serve-XXXXXX", dir) >= (int)sizeof path)
        return -1;
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

/* GET /api/blobs/HEX, ?thumb=1 or /api/blobs/HEX/thumb: the bytes, to a
 * reader who may see them (qtm_blob_read), through a temp file the server
 * sends from. */
static void blob_get(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)id;
    char ref[80];
    const char *tq = c->query(c->cx, "thumb");
    int thumb = strcmp(r->pattern, "blobs/*/thumb") == 0 || (tq && strcmp(tq, "1") == 0);
    snprintf(ref, sizeof ref, "sha256:%.70s", seg[1]);
    int fd = serve_tmpfd();
    if (fd < 0) {
        api_error(c, 500, "storage", "cannot make a temporary file: %s", strerror(errno));
        return;
    }
    qtm_blob_info info;
    qtm_status st = qtm_blob_read(c->q, c->who.slug, ref, thumb, &info, write_fd, &fd);
    if (st != QTM_OK || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        if (st != QTM_OK)
            lib_error(c, st);
        else
            api_error(c, 500, "storage", "cannot read the file back");
        return;
    }
    c->status = 200;
    c->file_fd = fd;
    c->file_size = info.size;
    snprintf(c->file_type, sizeof c->file_type, "%s", info.type);
    snprintf(c->etag, sizeof c->etag, "\"%.64s%s\"", info.ref + 7, thumb ? "-thumb" : "");
    const char *slash = strchr(info.type, '/');
    snprintf(c->disposition, sizeof c->disposition, "inline; filename=\"%.16s%s.%s\"",
             info.ref + 7, thumb ? "-thumb" : "",
             slash ? (strcmp(slash + 1, "jpeg") == 0 ? "jpg" : slash + 1) : "bin");
}

static void participant_add(api_call *c, const route *r, char **seg, int64_t id)
{
    json_t *b = body_object(c);
    const char *name, *role, *contact;
    if (b && member(c, b, "name", 1, &name) == 0 && member(c, b, "role", 1, &role) == 0 &&
        member(c, b, "contact", 0, &contact) == 0) {
        qtm_status st;
        WRITE(c, st, qtm_participant_add(c->q, c->who.slug, id, name, role, contact));
        job_after(c, r, seg, id, st);
    }
    json_decref(b);
}

/* {"reverse": PAYMENT, "reason": TEXT} and nothing else: 0, or -1 after
 * answering 400. */
static int settle_reverse_body(api_call *c, json_t *b, json_t *reverse, const char **reason)
{
    static const char *const others[] = {"amount", "currency", "method", "note", "due",
                                         "status", "waive"};
    if (!json_is_integer(reverse) || json_integer_value(reverse) <= 0) {
        api_error(c, 400, "invalid input", "\"reverse\" takes the id of the payment to reverse");
        return -1;
    }
    for (size_t i = 0; i < countof(others); i++)
        if (json_object_get(b, others[i])) {
            api_error(c, 400, "invalid input", "a reversal takes only \"reverse\" and "
                      "\"reason\", not \"%s\"", others[i]);
            return -1;
        }
    return member(c, b, "reason", 1, reason);
}

static void settle(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg;
    json_t *b = body_object(c);
    if (!b)
        return;
    qtm_payment p;
    memset(&p, 0, sizeof p);
    const char *status = NULL, *reason = NULL;
    json_t *waive = json_object_get(b, "waive"), *reverse = json_object_get(b, "reverse");
    if (reverse && settle_reverse_body(c, b, reverse, &reason) != 0)
        goto done;
    if (member(c, b, "amount", 0, &p.amount) || member(c, b, "currency", 0, &p.currency) ||
        member(c, b, "method", 0, &p.method) || member(c, b, "note", 0, &p.note) ||
        member(c, b, "due", 0, &p.due) || member(c, b, "status", 0, &status))
        goto done;
    if (waive && !json_is_boolean(waive)) {
        api_error(c, 400, "invalid input", "\"waive\" must be true or false");
        goto done;
    }
    if (status && strcmp(status, "waived") != 0) {
        api_error(c, 400, "invalid input",
                  "\"status\" takes only \"waived\" (other statuses follow from the payments)");
        goto done;
    }
    p.waive = json_is_true(waive) || status != NULL;
    qtm_status st;
    if (reverse)
        WRITE(c, st, qtm_settle_reverse(c->q, c->who.slug, id, json_integer_value(reverse),
                                        reason));
    else
        WRITE(c, st, qtm_settle(c->q, c->who.slug, id, &p));
    json_t *s = NULL;
    if (st != QTM_OK) {
        job_refused(c, id, st);
        goto done;
    }
    if (qtm_settlement_show_as(c->q, c->who.slug, id, &s) != QTM_OK)
        committed(c, id);
    else
        answer(c, 200, json_pack("{s:I,s:o}", "job", (json_int_t)id, "settlement", s));
done:
    json_decref(b);
}

static void settlement_show(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg;
    json_t *s = NULL;
    qtm_status st = qtm_settlement_show_as(c->q, c->who.slug, id, &s);
    result(c, st, st == QTM_OK ? json_pack("{s:I,s:o}", "job", (json_int_t)id, "settlement", s)
                               : NULL);
}

/* GET /api/settlements?status=&surface=&limit=&after= (admins). */
static void settlements_list(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    json_t *a = NULL;
    qtm_page pg;
    int64_t next = 0;
    if (page_query(c, &pg) != 0)
        return;
    qtm_status st = qtm_settlement_list_page(c->q, c->query(c->cx, "status"),
                                             c->query(c->cx, "surface"), &pg, &a, &next);
    result_page(c, st, a, "settlements", next);
}

/* The job's whole ledger, a page at a time (the settlement in job show
 * and the settle answer carry only its summary). */
static void payments_list(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg;
    json_t *a = NULL;
    qtm_page pg;
    int64_t next = 0;
    if (page_query(c, &pg) != 0)
        return;
    qtm_status st = qtm_settlement_payments_as(c->q, c->who.slug, id, &pg, &a, &next);
    result_page(c, st, a, "payments", next);
}

static void record_show(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg;
    json_t *rec = NULL;
    qtm_status st = qtm_record_show_as(c->q, c->who.slug, id, &rec);
    result(c, st, rec);
}

/* The same document as `qtm record export`: its keys are built in sorted
 * order, so the compact answer is the canonical text byte for byte. */
static void record_export(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg;
    json_t *doc = NULL;
    qtm_status st = qtm_record_export_as(c->q, c->who.slug, id, &doc);
    result(c, st, doc);
}

/* --- audit ----------------------------------------------------------------- */

static void log_list(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    int64_t job = 0;
    const char *j = c->query(c->cx, "job");
    if (j && !parse_id(j, &job)) {
        api_error(c, 400, "invalid input", "job must be a positive whole number");
        return;
    }
    json_t *a = NULL;
    qtm_page pg;
    int64_t next = 0;
    if (page_query(c, &pg) != 0)
        return;
    qtm_status st = qtm_log_page(c->q, job, &pg, &a, &next);
    result_page(c, st, a, "log", next);
}

static void verify(api_call *c, const route *r, char **seg, int64_t id)
{
    (void)r, (void)seg, (void)id;
    json_t *rep = NULL;
    qtm_status st = qtm_verify(c->q, &rep);
    if (!rep) {
        lib_error(c, st);
        return;
    }
    /* a finding is an answer, not a server failure: the report says ok or not */
    json_object_set_new(rep, "ok", json_boolean(st == QTM_OK));
    answer(c, 200, rep);
}

/* --- routing ----------------------------------------------------------------- */

static const route routes[] = {
    {"POST", "session", AUTH_PUBLIC, session_open},
    {"GET", "session", AUTH_PUBLIC, session_show},
    {"DELETE", "session", AUTH_ANY, session_close},
    {"GET", "surfaces", AUTH_PUBLIC, surfaces_list},
    {"GET", "surfaces/*", AUTH_PUBLIC, surface_show},
    {"POST", "requests/*", AUTH_PUBLIC, request_submit},
    {"GET", "actors", AUTH_ADMIN, actors_list},
    {"GET", "tasks", AUTH_ADMIN, tasks_list},
    {"GET", "tasks/#", AUTH_ADMIN, task_show},
    {"POST", "tasks/#/approve", AUTH_ADMIN, task_verb},
    {"POST", "tasks/#/reject", AUTH_ADMIN, task_verb},
    {"POST", "tasks/#/assign", AUTH_ADMIN, task_verb},
    {"POST", "tasks/#/close", AUTH_ADMIN, task_verb},
    {"POST", "tasks/#/job", AUTH_ADMIN, job_create},
    {"GET", "desk", AUTH_STAFF, desk},
    {"GET", "jobs", AUTH_ANY, jobs_list},       /* read rule: qtm_job_list_as */
    {"GET", "settlements", AUTH_ADMIN, settlements_list},
    {"GET", "jobs/#", AUTH_ANY, job_show},      /* read rule: api_handle, access.c */
    {"POST", "jobs/#/claim", AUTH_ANY, job_claim},
    {"POST", "jobs/#/advance", AUTH_ANY, job_advance},
    {"POST", "jobs/#/complete", AUTH_ANY, job_complete},
    {"POST", "jobs/#/reassign", AUTH_ANY, job_gov},     /* the runtime says who may */
    {"POST", "jobs/#/handover", AUTH_ANY, job_gov},
    {"POST", "jobs/#/release", AUTH_ANY, job_gov},
    {"POST", "jobs/#/cancel", AUTH_ANY, job_gov},
    {"POST", "jobs/#/notes", AUTH_ANY, note_add},
    {"POST", "jobs/#/evidence", AUTH_ANY, evidence_add},
    {"POST", "jobs/#/participants", AUTH_ANY, participant_add},
    {"POST", "uploads", AUTH_PUBLIC, upload},
    {"GET", "blobs/*", AUTH_ANY, blob_get},        /* read rule: qtm_blob_read */
    {"GET", "blobs/*/thumb", AUTH_ANY, blob_get},
    {"POST", "jobs/#/settlement", AUTH_ANY, settle},
    {"GET", "jobs/#/settlement", AUTH_ANY, settlement_show},
    {"GET", "jobs/#/payments", AUTH_ANY, payments_list},
    {"GET", "jobs/#/record", AUTH_ANY, record_show},
    {"GET", "jobs/#/record/export", AUTH_ANY, record_export},
    {"GET", "log", AUTH_ADMIN, log_list},
    {"GET", "verify", AUTH_ADMIN, verify},
};

/* Splits "a/b/c" in place into at most MAX_SEGS segments; -1 if more. */
static int split(char *p, char **seg)
{
    int n = 0;
    while (*p) {
        if (n == MAX_SEGS)
            return -1;
        seg[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
        if (!*p)
            return -1;             /* a trailing slash names nothing */
    }
    return n;
}

/* Does the route's pattern match the segments?  Sets *id for '#'. */
static int match(const char *pattern, char **seg, int n, int64_t *id)
{
    char pat[64];
    char *ps[MAX_SEGS];
    snprintf(pat, sizeof pat, "%s", pattern);
    int m = split(pat, ps);
    if (m != n)
        return 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(ps[i], "#") == 0) {
            if (!parse_id(seg[i], id))
                return 0;
        } else if (strcmp(ps[i], "*") == 0) {
            if (!*seg[i])
                return 0;
        } else if (strcmp(ps[i], seg[i]) != 0)
            return 0;
    }
    return 1;
}

static int allowed(const api_call *c, api_auth need)
{
    qtm_role r = (qtm_role)qtm_vocab_find(qtm_role_names, QTM_ROLE_UNKNOWN, c->who.role);
    switch (need) {
    case AUTH_PUBLIC: return 1;
    case AUTH_ANY: return c->signed_in;
    case AUTH_STAFF: return r == QTM_ROLE_ADMIN || r == QTM_ROLE_OPERATOR;
    case AUTH_ADMIN: return r == QTM_ROLE_ADMIN;
    }
    return 0;
}

/* Every route of a job answers only a caller who may see it (access.c);
 * everyone else alike, 404, whether the job exists or not. */
static int job_visible(api_call *c, int64_t id)
{
    qtm_access lv;
    qtm_status st = qtm_job_access(c->q, c->who.slug, id, &lv);
    if (st != QTM_OK)
        lib_error(c, st);
    return st == QTM_OK;
}

void api_handle(api_call *c)
{
    char path[256];
    char *seg[MAX_SEGS];
    int64_t id = 0;
    /* HEAD is GET without the body (libmicrohttpd drops it) */
    const char *method = strcmp(c->method, "HEAD") == 0 ? "GET" : c->method;
    if (strlen(c->path) >= sizeof path) {
        api_error(c, 404, "not found", "no such route");
        return;
    }
    snprintf(path, sizeof path, "%s", c->path + strlen("/api/"));
    int n = split(path, seg);
    int path_known = 0;
    for (size_t i = 0; n > 0 && i < countof(routes); i++) {
        const route *r = &routes[i];
        if (!match(r->pattern, seg, n, &id))
            continue;
        path_known = 1;
        if (strcmp(r->method, method) != 0) {
            size_t used = strlen(c->allow);
            snprintf(c->allow + used, sizeof c->allow - used, "%s%s%s", used ? ", " : "",
                     r->method, strcmp(r->method, "GET") == 0 ? ", HEAD" : "");
            continue;
        }
        if (r->auth != AUTH_PUBLIC && !c->signed_in) {
            api_error(c, 401, "unauthorized",
                      "sign in first (Authorization: Bearer TOKEN, or the desk's session)");
            return;
        }
        /* suspended means nothing at all: no reads either (libqtm refuses
         * their changes itself) */
        if (r->auth != AUTH_PUBLIC && r->fn != session_close &&
            qtm_vocab_find(qtm_access_state_names, QTM_ACCESS_UNKNOWN, c->who.access) ==
                QTM_ACCESS_SUSPENDED) {
            api_error(c, 403, "forbidden", "%s is suspended", c->who.slug);
            return;
        }
        if (!allowed(c, r->auth)) {
            api_error(c, 403, "forbidden", "%s '%s' may not %s %s", c->who.role, c->who.slug,
                      c->method, c->path);
            return;
        }
        if (strncmp(r->pattern, "jobs/#", 6) == 0 && !job_visible(c, id))
            return;
        r->fn(c, r, seg, id);
        return;
    }
    if (path_known)
        api_error(c, 405, "usage", "%s is not allowed here", c->method);
    else
        api_error(c, 404, "not found", "no such route");
}
