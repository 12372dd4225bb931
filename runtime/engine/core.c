/*
 * core.c - the handle, errors, transactions, actors, lookups and the
 * hash-chained audit log shared by every engine file.
 *
 * Audit rows are chained: hash = SHA-256(prev_hash, then every field, each
 * ended by a 0x1F unit separator), so changing, removing or reordering any
 * row breaks every hash after it (qtm_verify recomputes the chain).
 */
#include "qtm_int.h"
#include "blob.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

static const char genesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

qtm_status qtm_fail(qtm *q, qtm_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->msg, sizeof q->msg, fmt, ap);
    va_end(ap);
    q->err = st;
    q->disk_full = 0;
    q->busy = 0;
    return st;
}

qtm_status qtm_ok(qtm *q)
{
    q->err = QTM_OK;
    q->msg[0] = '\0';
    q->disk_full = 0;
    q->busy = 0;
    return QTM_OK;
}

qtm_status qtm_store_fail(qtm *q, store_rc rc, const char *doing)
{
    if (rc == STORE_BUSY)
        return qtm_fail(q, QTM_ESTORAGE, "database is locked (%s): %s", doing,
                        store_errmsg(q->st));
    if (rc == STORE_UNSUPPORTED)
        return qtm_fail(q, QTM_EUSAGE, "%s is not supported by the %s backend", doing,
                        q->st->vt->name);
    /* the backend rolled the whole transaction back: the call may run again */
    if (rc == STORE_RETRY) {
        qtm_fail(q, QTM_ESTORAGE, "the database was busy (%s lost to a concurrent change: %s); "
                 "nothing was stored: try again", doing, store_errmsg(q->st));
        q->busy = 1;
        return QTM_ESTORAGE;
    }
    if (rc == STORE_FULL) {
        qtm_fail(q, QTM_ESTORAGE, "the disk is full: nothing was stored (%s: %s); free "
                 "space and try again", doing, store_errmsg(q->st));
        q->disk_full = 1;
        return QTM_ESTORAGE;
    }
    return qtm_fail(q, QTM_ESTORAGE, "storage failure while %s: %s", doing,
                    store_errmsg(q->st));
}

const char *qtm_category(qtm_status s)
{
    switch (s) {
    case QTM_OK: return "ok";
    case QTM_EVERIFY: return "verify";
    case QTM_EUSAGE: return "usage";
    case QTM_ENOTFOUND: return "not found";
    case QTM_EFORBIDDEN: return "forbidden";
    case QTM_EREFUSED: return "refused";
    case QTM_ECONFLICT: return "conflict";
    case QTM_EINVALID: return "invalid input";
    case QTM_ESTORAGE: return "storage";
    }
    return "unknown";
}

qtm_status qtm_errcode(const qtm *q) { return q->err; }
int qtm_disk_full(const qtm *q) { return q->disk_full; }
int qtm_busy(const qtm *q) { return q->busy; }
const char *qtm_db_label(const qtm *q) { return q->label ? q->label : ""; }

/* Sleeps 1, 2, 4, 8 ms (before tries 2 to 5) times a jitter in [0.5, 1.5),
 * so callers that lost the same race do not meet again in step. */
int qtm_retry(qtm *q, qtm_status st, unsigned *tries)
{
    ++*tries;
    if (st != QTM_ESTORAGE || !q->busy)
        return 0;
    if (*tries >= QTM_RETRY_TRIES) {
        size_t len = strlen(q->msg);
        snprintf(q->msg + len, sizeof q->msg - len, " (tried %u times)", *tries);
        return 0;
    }
    long us = (1000L << (*tries - 1)) * (500 + (long)randombytes_uniform(1000)) / 1000;
    struct timespec ts = {0, us * 1000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    return 1;
}
const char *qtm_errmsg(const qtm *q) { return q->msg; }

void qtm_set_clock(qtm *q, qtm_clock_fn fn, void *arg)
{
    q->clock = fn;
    q->clock_arg = arg;
}

static void stamp_now(qtm *q)
{
    if (q->clock) {
        q->clock(q->now, q->clock_arg);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    /* fields are range-limited by gmtime; the casts tell the compiler so */
    snprintf(q->now, sizeof q->now, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
             (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
             (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
             (unsigned)tm.tm_sec % 100u, (unsigned)(ts.tv_nsec / 1000000) % 1000u);
}

/* The one check of a database name (the CLI and serve both open here):
 * a "scheme://" name is qtmi_store_open's to judge; anything else is a file
 * path, never a name SQLite would keep nothing under or read as a URI
 * (whose parameters could turn locking off). */
static qtm_status check_db_name(qtm *q, const char *path)
{
    if (!*path)
        return qtm_fail(q, QTM_EUSAGE, "the database path is empty: give --db PATH or QTM_DB");
    if (strcmp(path, ":memory:") == 0 || strncasecmp(path, "file:", 5) == 0)
        return qtm_fail(q, QTM_EUSAGE, "'%s' is not a file path: in-memory databases and "
                        "SQLite URIs are refused (for a file of that name, write ./%s)",
                        path, path);
    return QTM_OK;
}

qtm_status qtm_open(const char *path, unsigned flags, qtm **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return QTM_ESTORAGE;
    qtm *q = calloc(1, sizeof *q);
    if (!q)
        return QTM_ESTORAGE;
    *out = q;
    if (!path)  /* compiled-in data only (surfaces); no database */
        return qtm_ok(q);
    size_t lsize = strlen(path) + 64;  /* room for the "***" of a few short passwords */
    if (!(q->label = malloc(lsize)))
        return qtm_fail(q, QTM_ESTORAGE, "out of memory");
    qtmi_store_redact(path, q->label, lsize);
    if (check_db_name(q, path) != QTM_OK)
        return q->err;
    if (!(q->path = strdup(path)))
        return qtm_fail(q, QTM_ESTORAGE, "out of memory");
    store_rc rc;
    q->st = qtmi_store_open(path, (flags & QTM_OPEN_CREATE) != 0, &rc, q->msg, sizeof q->msg);
    if (!q->st) {
        q->err = rc == STORE_UNSUPPORTED ? QTM_EUSAGE : QTM_ESTORAGE;
        return q->err;
    }
    /* durable is the store's default; only a relaxed handle says so */
    int durable = 0;
    if ((flags & QTM_OPEN_RELAXED) &&
        (rc = store_control(q->st, STORE_CTL_DURABLE, &durable)) != STORE_OK &&
        rc != STORE_UNSUPPORTED)
        return qtm_store_fail(q, rc, "relaxing durability");
    /* a backend without a write-ahead log never checkpoints on commit */
    int never = 0;
    if ((flags & QTM_OPEN_MANUAL_CHECKPOINT) &&
        (rc = store_control(q->st, STORE_CTL_AUTOCHECKPOINT, &never)) != STORE_OK &&
        rc != STORE_UNSUPPORTED)
        return qtm_store_fail(q, rc, "turning automatic checkpoints off");
    return qtm_ok(q);
}

int qtm_single_writer(qtm *q)
{
    int one = 0;
    return q->st && store_control(q->st, STORE_CTL_SINGLE_WRITER, &one) == STORE_OK && one == 1;
}

qtm_status qtm_connections(qtm *q, int *max, int *used)
{
    *max = *used = -1;
    if (!q->st)
        return qtm_fail(q, QTM_ESTORAGE, "no database is open");
    store_connections c = {-1, -1};
    store_rc rc = store_control(q->st, STORE_CTL_CONNECTIONS, &c);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "counting connections");
    *max = c.max;
    *used = c.used;
    return qtm_ok(q);
}

/* A backend with no ping of its own (SQLite: a file, nothing to lose touch
 * with) is asked for the chain head in a read transaction: that reads the
 * file through the open connection. */
qtm_status qtm_ping(qtm *q)
{
    qtm_ok(q);
    if (!q->st)
        return qtm_fail(q, QTM_ESTORAGE, "no database is open");
    store_rc rc = store_control(q->st, STORE_CTL_PING, NULL);
    if (rc == STORE_OK)
        return QTM_OK;
    if (rc != STORE_UNSUPPORTED)
        return qtm_store_fail(q, rc, "reaching the database");
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    int64_t seq = 0;
    return qtmi_tx_end(q, qtmi_fetch_int(q, SQ_CHAIN_HEAD_GET, NULL, 0, &seq));
}

qtm_status qtm_checkpoint(qtm *q, int restart, int *log_pages)
{
    *log_pages = -1;
    if (!q->st)
        return qtm_fail(q, QTM_ESTORAGE, "no database is open");
    store_checkpoint ck = {.restart = restart, .log_pages = -1};
    store_rc rc = store_control(q->st, STORE_CTL_CHECKPOINT, &ck);
    *log_pages = ck.log_pages;
    return rc == STORE_OK ? qtm_ok(q) : qtm_store_fail(q, rc, "checkpointing");
}

void qtm_close(qtm *q)
{
    if (!q)
        return;
    store_close(q->st);
    qtmi_blob_magic_close(q);
    sodium_memzero(q->sign_sk, sizeof q->sign_sk);
    free(q->sign_file);
    free(q->path);
    free(q->label);
    free(q);
}

qtm_status qtmi_tx_begin(qtm *q, int write)
{
    qtm_ok(q);
    if (!q->st)
        return qtm_fail(q, QTM_ESTORAGE, "no database is open");
    stamp_now(q);
    store_rc rc = q->batch ? store_savepoint(q->st) : store_begin(q->st, write);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "starting a transaction");
    return QTM_OK;
}

/* In a batch, "commit" keeps the call's changes for the batch's one
 * commit and a refusal undoes only this call's savepoint. */
qtm_status qtmi_tx_end(qtm *q, qtm_status st)
{
    if (st != QTM_OK) {
        if (q->batch)
            store_rollback_to(q->st);
        else
            store_rollback(q->st);
        return st;
    }
    store_rc rc = q->batch ? store_release(q->st) : store_commit(q->st);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "committing");
    return qtm_ok(q);
}

qtm_status qtm_batch_begin(qtm *q)
{
    qtm_ok(q);
    if (!q->st)
        return qtm_fail(q, QTM_ESTORAGE, "no database is open");
    if (q->batch)
        return qtm_fail(q, QTM_EUSAGE, "a batch is already open on this handle");
    store_rc rc = store_begin(q->st, 1);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "starting a batch");
    q->batch = 1;
    return QTM_OK;
}

qtm_status qtm_batch_end(qtm *q, int commit)
{
    if (!q->batch)
        return qtm_fail(q, QTM_EUSAGE, "no batch is open on this handle");
    q->batch = 0;
    if (!commit) {
        store_rollback(q->st);
        return qtm_ok(q);
    }
    store_rc rc = store_commit(q->st);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "committing the batch");
    return qtm_ok(q);
}

qtm_status qtmi_view_end(qtm *q, qtm_status st, json_t **out)
{
    st = qtmi_tx_end(q, st);
    if (st != QTM_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

int qtmi_col_text(char *dst, size_t n, const store_val *v)
{
    if (v->type == SV_TEXT) {
        size_t len = strlen(v->s);
        int fits = len < n;
        if (!fits)
            len = n - 1;  /* never overflow; the caller refuses the row */
        memcpy(dst, v->s, len);
        dst[len] = '\0';
        return fits ? 0 : -1;
    }
    if (v->type == SV_INT)
        return snprintf(dst, n, "%lld", (long long)v->i) < (int)n ? 0 : -1;
    dst[0] = '\0';
    return 0;
}

unsigned qtmi_col_word(stored_bad *b, const char *kind, const char *const *names, unsigned n,
                  const store_val *v)
{
    const char *w = v->type == SV_TEXT ? v->s : NULL;
    unsigned i = qtm_vocab_find(names, n, w);
    if (i == n && !b->kind) {
        b->kind = kind;
        snprintf(b->word, sizeof b->word, "%s", w ? w : "");
    }
    return i;
}

json_t *qtmi_json_str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *qtmi_json_col(const store_val *v)
{
    switch (v->type) {
    case SV_INT: return json_integer(v->i);
    case SV_TEXT: return json_string(v->s);
    default: return json_null();
    }
}

static int one_int(void *arg, const store_val *c, int n)
{
    if (n > 0 && c[0].type == SV_INT)
        *(int64_t *)arg = c[0].i;
    return 1;
}

qtm_status qtmi_fetch_int(qtm *q, store_query sq, const store_val *args, int nargs, int64_t *out)
{
    store_rc rc = store_run(q->st, sq, args, nargs, one_int, out);
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "reading");
}

/* --- actors --------------------------------------------------------------- */

typedef struct actor_read {
    actor *a;
    stored_bad bad;
} actor_read;

static int actor_row(void *arg, const store_val *c, int n)
{
    actor_read *r = arg;
    actor *a = r->a;
    (void)n;
    int bad = 0;
    a->id = c[0].i;
    bad |= qtmi_col_text(a->slug, sizeof a->slug, &c[1]);
    bad |= qtmi_col_text(a->name, sizeof a->name, &c[2]);
    a->role = (qtm_role)qtmi_col_word(&r->bad, "role", qtm_role_names, QTM_ROLE_UNKNOWN, &c[3]);
    a->access = (qtm_access_state)qtmi_col_word(&r->bad, "access state", qtm_access_state_names,
                                           QTM_ACCESS_UNKNOWN, &c[4]);
    return bad ? -1 : 1;
}

qtm_status qtmi_actor_load(qtm *q, const char *slug, actor *a)
{
    memset(a, 0, sizeof *a);
    /* an actor not loaded is nobody: no role (0 would be admin) */
    a->role = QTM_ROLE_UNKNOWN;
    a->access = QTM_ACCESS_UNKNOWN;
    if (!slug || !*slug)
        return qtm_fail(q, QTM_EUSAGE, "this command needs an actor (--as SLUG or QTM_ACTOR)");
    store_val arg = SV_S(slug);
    actor_read r = {a, {NULL, ""}};
    store_rc rc = store_run(q->st, SQ_ACTOR_BY_SLUG, &arg, 1, actor_row, &r);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading actors");
    if (!a->id)
        return qtm_fail(q, QTM_ENOTFOUND, "no actor '%s'", slug);
    if (r.bad.kind)
        return qtm_fail(q, QTM_ESTORAGE, "unknown %s '%s' stored for actor %s", r.bad.kind,
                        r.bad.word, a->slug);
    return QTM_OK;
}

qtm_status qtmi_actor_may_act(qtm *q, const char *slug, actor *a, int execution, const char *what)
{
    qtm_status st = qtmi_actor_load(q, slug, a);
    if (st != QTM_OK)
        return st;
    if (a->access == QTM_ACCESS_SUSPENDED)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is suspended and cannot %s", a->slug, what);
    if (execution && a->access == QTM_ACCESS_LIMITED)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s has limited access (may view, not change "
                        "execution) and cannot %s", a->slug, what);
    return QTM_OK;
}

qtm_status qtmi_actor_require_role(qtm *q, const actor *a, qtm_role role, const char *what)
{
    if (a->role == role)
        return QTM_OK;
    const char *is = qtmi_role_word(a->role), *want = qtmi_role_word(role);
    return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s; only %s %s can %s", a->slug,
                    strchr("aeiou", is[0]) ? "an" : "a", is,
                    strchr("aeiou", want[0]) ? "an" : "a", want, what);
}

/* --- jobs, service events, surfaces ------------------------------------- */

const qtm_surface *qtm_surface_find(const char *slug)
{
    for (unsigned i = 0; i < qtm_registry_count; i++)
        if (!qtm_registry[i]->retained && strcmp(qtm_registry[i]->slug, slug) == 0)
            return qtm_registry[i];
    return NULL;
}

const qtm_surface *qtm_surface_by_fingerprint(const char *slug, const char *fingerprint)
{
    for (unsigned i = 0; i < qtm_registry_count; i++)
        if (strcmp(qtm_registry[i]->slug, slug) == 0 &&
            strcmp(qtm_registry[i]->fingerprint, fingerprint) == 0)
            return qtm_registry[i];
    return NULL;
}

int qtmi_surface_phase(const qtm_surface *s, const char *name)
{
    for (unsigned i = 0; i < s->nphases; i++)
        if (strcmp(s->phases[i].name, name) == 0)
            return (int)i;
    return -1;
}

int qtmi_surface_event(const qtm_surface *s, const char *name)
{
    for (unsigned i = 0; i < s->nevents; i++)
        if (strcmp(s->events[i], name) == 0)
            return (int)i;
    return -1;
}

const char *qtmi_surface_label(const qtm_surface *s, const char *phase)
{
    int p = qtmi_surface_phase(s, phase);
    return p < 0 ? "" : s->phases[p].label;
}

typedef struct job_read {
    job *j;
    stored_bad bad;
} job_read;

static int job_row(void *arg, const store_val *c, int n)
{
    job_read *r = arg;
    job *j = r->j;
    (void)n;
    int bad = 0;
    j->id = c[0].i;
    j->task = c[1].i;
    bad |= qtmi_col_text(j->surface, sizeof j->surface, &c[2]);
    bad |= qtmi_col_text(j->fingerprint, sizeof j->fingerprint, &c[3]);
    j->state = (qtm_job_state)qtmi_col_word(&r->bad, "state", qtm_job_state_names, QTM_JOB_UNKNOWN,
                                       &c[4]);
    j->owner_id = c[5].type == SV_INT ? c[5].i : 0;
    bad |= qtmi_col_text(j->owner, sizeof j->owner, &c[6]);
    j->assignee_id = c[7].type == SV_INT ? c[7].i : 0;
    bad |= qtmi_col_text(j->assignee, sizeof j->assignee, &c[8]);
    bad |= qtmi_col_text(j->created_at, sizeof j->created_at, &c[9]);
    bad |= qtmi_col_text(j->claimed_at, sizeof j->claimed_at, &c[10]);
    bad |= qtmi_col_text(j->completed_at, sizeof j->completed_at, &c[11]);
    return bad ? -1 : 1;
}

qtm_status qtmi_job_load(qtm *q, int64_t id, job *j)
{
    memset(j, 0, sizeof *j);
    j->state = QTM_JOB_UNKNOWN;    /* 0 would be queued */
    store_val arg = SV_I(id);
    job_read r = {j, {NULL, ""}};
    store_rc rc = store_run(q->st, SQ_JOB_BY_ID, &arg, 1, job_row, &r);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading jobs");
    if (!j->id)
        return qtm_fail(q, QTM_ENOTFOUND, "no job %lld", (long long)id);
    if (r.bad.kind)
        return qtm_fail(q, QTM_ESTORAGE, "unknown %s '%s' stored for job %lld", r.bad.kind,
                        r.bad.word, (long long)id);
    /* never run a job under tables other than the ones it was created
     * under: the current spec's, or a retained older one's */
    j->s = qtm_surface_by_fingerprint(j->surface, j->fingerprint);
    if (!j->s)
        return qtm_fail(q, QTM_EREFUSED,
                        "job %lld was created under surface %s %s, which this qtm was not "
                        "built with; it cannot run under other tables (rebuild with that "
                        "spec kept as history, or migrate the job with a qtm that has it)",
                        (long long)id, j->surface, j->fingerprint);
    return QTM_OK;
}

static int se_row(void *arg, const store_val *c, int n)
{
    service_event *se = arg;
    (void)n;
    int bad = 0;
    se->id = c[0].i;
    bad |= qtmi_col_text(se->phase, sizeof se->phase, &c[1]);
    bad |= qtmi_col_text(se->operator_slug, sizeof se->operator_slug, &c[2]);
    se->complete = c[3].type == SV_INT && c[3].i != 0;
    bad |= qtmi_col_text(se->started_at, sizeof se->started_at, &c[4]);
    bad |= qtmi_col_text(se->completed_at, sizeof se->completed_at, &c[5]);
    bad |= qtmi_col_text(se->outcome, sizeof se->outcome, &c[6]);
    bad |= qtmi_col_text(se->reason, sizeof se->reason, &c[7]);
    return bad ? -1 : 1;
}

qtm_status qtmi_se_load(qtm *q, int64_t job_id, service_event *se)
{
    memset(se, 0, sizeof *se);
    store_val arg = SV_I(job_id);
    store_rc rc = store_run(q->st, SQ_SE_BY_JOB, &arg, 1, se_row, se);
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "reading service events");
}

/* --- audit ---------------------------------------------------------------- */

static void put(crypto_hash_sha256_state *h, const char *s)
{
    static const unsigned char sep = 0x1F;
    if (s)
        crypto_hash_sha256_update(h, (const unsigned char *)s, strlen(s));
    crypto_hash_sha256_update(h, &sep, 1);
}

void qtmi_audit_hash(const char *prev, const char *at, const char *actor_slug, const char *entity,
                int64_t entity_id, const char *action, const char *from, const char *to,
                int64_t job_id, const char *image, char out[65])
{
    crypto_hash_sha256_state h;
    char num[2][24];
    unsigned char digest[crypto_hash_sha256_BYTES];
    snprintf(num[0], sizeof num[0], "%lld", (long long)entity_id);
    snprintf(num[1], sizeof num[1], "%lld", (long long)job_id);
    crypto_hash_sha256_init(&h);
    put(&h, prev);
    put(&h, at);
    put(&h, actor_slug);
    put(&h, entity);
    put(&h, num[0]);
    put(&h, action);
    put(&h, from);
    put(&h, to);
    put(&h, num[1]);
    /* NULL: a row hashed before schema v4 (or about a row that is gone) */
    if (image)
        put(&h, image);
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

static int text_row(void *arg, const store_val *c, int n)
{
    int bad = 0;
    if (n > 0)
        bad |= qtmi_col_text(arg, 65, &c[0]);
    return bad ? -1 : 1;
}

qtm_status qtmi_audit_append(qtm *q, const char *actor_slug, const char *entity, int64_t entity_id,
                        const char *action, const char *from, const char *to, int64_t job_id)
{
    char prev[65];
    snprintf(prev, sizeof prev, "%s", genesis);
    store_rc rc = store_run(q->st, SQ_AUDIT_LAST_HASH, NULL, 0, text_row, prev);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading the audit log");
    /* the row as it stands after the change: the caller wrote it first */
    char image[65] = "";
    store_val key[2] = {SV_S(entity), SV_I(entity_id)};
    if ((rc = store_run(q->st, SQ_IMAGE, key, 2, text_row, image)) != STORE_OK)
        return qtm_store_fail(q, rc, "reading the changed row");
    const char *img = image[0] ? image : NULL;
    char hash[65];
    qtmi_audit_hash(prev, q->now, actor_slug, entity, entity_id, action, from, to, job_id, img,
                    hash);
    store_val args[11] = {SV_S(q->now), SV_S(actor_slug), SV_S(entity), SV_I(entity_id),
                          SV_S(action), SV_S(from), SV_S(to),
                          job_id ? SV_I(job_id) : SV_N, SV_S(prev), SV_S(hash), SV_S(img)};
    rc = store_run(q->st, SQ_AUDIT_INSERT, args, 11, NULL, NULL);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "appending to the audit log");
    store_val head[2] = {SV_I(store_last_id(q->st)), SV_S(hash)};
    rc = store_run(q->st, SQ_CHAIN_HEAD_SET, head, 2, NULL, NULL);
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "moving the chain head");
}

const char *qtm_audit_genesis(void)
{
    return genesis;
}
