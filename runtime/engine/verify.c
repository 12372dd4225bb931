/*
 * verify.c - the audit log and `verify`.
 *
 * verify recomputes the audit hash chain from the first row and checks the
 * cross-layer invariants the engine keeps: every ready or complete job has
 * a complete ServiceEvent and exactly one record, a queued, active or
 * cancelled one none complete; every job audit row is a move some command
 * makes (job_moves); no record without a
 * complete ServiceEvent; each record's hash matches its body; each job's
 * state and each ServiceEvent's phase match their last audit row; each
 * settlement's status follows from its ledger and matches its last audit
 * row; each ledger totals at most MONEY_MAX_MINOR (one the store cannot
 * sum in 64 bits is a finding too, never a failure of verify); and the
 * storage backend's own integrity check.  Schema v4: every governed row's
 * image digest equals its last audit row's (an edit made with the triggers
 * dropped, or a row written outside qtm), every audited row still exists,
 * and the log ends at its chain head.  Schema v5: every stored file
 * re-hashed from its chunks against its name, every file reference
 * (evidence, a request's photos) to a file stored as the governed row
 * says, and every negative payment is the one reversal of an ordinary
 * payment of its own job, by exactly its amount.  Every finding is
 * reported.
 */
#include "qtm_int.h"
#include "blob.h"

#include "money.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>


static const char *const log_keys[] = {"id", "at", "actor", "entity", "entity_id", "action",
                                       "from", "to", "job", "prev_hash", "hash", "image", NULL};

/* pg NULL and unpaged: the whole log (of the job) */
static qtm_status log_read(qtm *q, int64_t job_id, int paged, const qtm_page *pg, json_t **out,
                           int64_t *next_after)
{
    *out = NULL;
    *next_after = 0;
    unsigned limit;
    qtm_status st = paged ? qtmi_page_limit(q, pg, &limit) : QTM_OK;
    if (st != QTM_OK || (st = qtmi_tx_begin(q, 0)) != QTM_OK)
        return st;
    if (job_id) {
        job j;
        if ((st = qtmi_job_load(q, job_id, &j)) != QTM_OK)
            return qtmi_tx_end(q, st);
    }
    store_val args[3] = {job_id ? SV_I(job_id) : SV_N, SV_I(0), SV_I(-1)};
    /* a job's page walks the job's index, not the whole log after `after` */
    if (paged)
        return qtmi_view_end(q, qtmi_page_rows(q, job_id ? SQ_AUDIT_JOB_PAGE : SQ_AUDIT_LIST, args, 1,
                                     log_keys, "reading the audit log", pg, out, next_after),
                        out);
    store_rc rc;
    *out = qtmi_list_rows(q, SQ_AUDIT_LIST, args, 3, log_keys, &rc);
    return qtmi_view_end(q, *out ? QTM_OK : qtm_store_fail(q, rc, "reading the audit log"), out);
}

qtm_status qtm_log(qtm *q, int64_t job_id, json_t **out)
{
    int64_t next;
    return log_read(q, job_id, 0, NULL, out, &next);
}

qtm_status qtm_log_page(qtm *q, int64_t job_id, const qtm_page *pg, json_t **out,
                        int64_t *next_after)
{
    return log_read(q, job_id, 1, pg, out, next_after);
}

typedef struct vctx {
    json_t *findings;
    char prev[65];
    int64_t rows;
    int64_t jobs;
    int64_t last_id;               /* the log's last row, 0: empty */
    int have_head;                 /* the chain head row exists */
    int64_t head_seq, legacy_seq;  /* rows up to legacy_seq were hashed without images */
    char head_hash[65];
} vctx;

static void finding(vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void finding(vctx *v, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(v->findings, json_string(buf));
}

static const char *txt(const store_val *c)
{
    return c->type == SV_TEXT ? c->s : NULL;
}

/* The moves of a job's state each command makes (entity "job" audit rows:
 * action, from, to; from NULL: none).  "complete" from queued or active is
 * how jobs completed before schema v5 (no ready state). */
static const char *const job_moves[][3] = {
    {"create", NULL, "queued"},      {"claim", "queued", "active"},
    {"release", "active", "queued"}, {"cancel", "queued", "cancelled"},
    {"ready", "queued", "ready"},    {"ready", "active", "ready"},
    {"complete", "ready", "complete"}, {"complete", "active", "complete"},
    {"complete", "queued", "complete"}, {"handover", "active", "active"},
    {"handover", "ready", "ready"}};

static int same(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* A job audit row whose move no command makes (a forged history). */
static void job_move_check(vctx *v, int64_t id, const store_val *c)
{
    const char *action = txt(&c[5]), *from = txt(&c[6]), *to = txt(&c[7]);
    for (size_t i = 0; i < countof(job_moves); i++)
        if (same(action, job_moves[i][0]) && same(from, job_moves[i][1]) &&
            same(to, job_moves[i][2]))
            return;
    finding(v, "audit row %lld moves job %lld from %s to %s by '%s', which no command does",
            (long long)id, (long long)c[4].i, from ? from : "nothing", to ? to : "nothing",
            action ? action : "?");
}

static int chain_row(void *arg, const store_val *c, int n)
{
    vctx *v = arg;
    (void)n;
    char want[65];
    int64_t id = c[0].i;
    const char *prev = txt(&c[9]), *hash = txt(&c[10]);
    v->rows++;
    if (!prev || strcmp(prev, v->prev) != 0)
        finding(v, "audit row %lld does not follow row %lld (chain broken)", (long long)id,
                (long long)id - 1);
    qtmi_audit_hash(v->prev, txt(&c[1]), txt(&c[2]), txt(&c[3]), c[4].i, txt(&c[5]), txt(&c[6]),
               txt(&c[7]), c[8].type == SV_INT ? c[8].i : 0,
               id > v->legacy_seq ? txt(&c[11]) : NULL, want);
    if (!hash || strcmp(hash, want) != 0)
        finding(v, "audit row %lld was altered (its hash does not match its contents)",
                (long long)id);
    snprintf(v->prev, sizeof v->prev, "%s", hash ? hash : "");
    v->last_id = id;
    if (same(txt(&c[3]), "job"))
        job_move_check(v, id, c);
    return 0;
}

static int head_row(void *arg, const store_val *c, int n)
{
    vctx *v = arg;
    (void)n;
    v->have_head = 1;
    v->head_seq = c[0].i;
    v->legacy_seq = c[2].i;
    return qtmi_col_text(v->head_hash, sizeof v->head_hash, &c[1]) ? -1 : 1;
}

/* The log must end where the head says: rows dropped from its tail (or a
 * head left behind) show here.  Run after the chain pass. */
static void head_check(vctx *v)
{
    if (!v->have_head)
        finding(v, "the audit log has no chain head (its table was emptied)");
    else if (v->head_seq != v->last_id || strcmp(v->head_hash, v->prev) != 0)
        finding(v, "the audit log ends at row %lld but its chain head says row %lld "
                "(rows deleted from its tail)", (long long)v->last_id, (long long)v->head_seq);
}

/* kind, id, job or NULL, image, last audit id or NULL, that row's image */
static int image_row(void *arg, const store_val *c, int n)
{
    (void)n;
    const char *kind = txt(&c[0]), *image = txt(&c[3]), *audited = txt(&c[5]);
    char in_job[32] = "";
    if (c[2].type == SV_INT)
        snprintf(in_job, sizeof in_job, " (job %lld)", (long long)c[2].i);
    if (c[4].type != SV_INT)
        finding(arg, "%s %lld%s has no audit row (written outside qtm)", kind ? kind : "?",
                (long long)c[1].i, in_job);
    else if (!image || !audited || strcmp(image, audited) != 0)
        finding(arg, "%s %lld%s is not what its last audit row %lld recorded (edited outside qtm)",
                kind ? kind : "?", (long long)c[1].i, in_job, (long long)c[4].i);
    return 0;
}

/* entity, entity id, job or NULL, last audit id: an audited row that is gone */
static int gone_row(void *arg, const store_val *c, int n)
{
    (void)n;
    const char *entity = txt(&c[0]);
    char in_job[32] = "";
    /* a job's, a fingerprint's and a settlement's entity id is the job's */
    if (c[2].type == SV_INT && entity && strcmp(entity, "job") != 0 &&
        strcmp(entity, "fingerprint") != 0 && strcmp(entity, "settlement") != 0)
        snprintf(in_job, sizeof in_job, " (job %lld)", (long long)c[2].i);
    finding(arg, "%s %lld%s was deleted (audit row %lld is about it)",
            entity ? entity : "?", (long long)c[1].i, in_job, (long long)c[3].i);
    return 0;
}

static int jobs_row(void *arg, const store_val *c, int n)
{
    vctx *v = arg;
    (void)n;
    long long id = (long long)c[0].i;
    const char *state = txt(&c[1]) ? txt(&c[1]) : "";
    int se_complete = c[2].type == SV_INT && c[2].i;
    int64_t records = c[3].i;
    const char *audited = txt(&c[4]);
    v->jobs++;
    qtm_job_state js = (qtm_job_state)qtm_vocab_find(qtm_job_state_names, QTM_JOB_UNKNOWN,
                                                     state);
    if ((js == QTM_JOB_COMPLETE || js == QTM_JOB_READY) && !se_complete)
        finding(v, "job %lld is %s but its ServiceEvent is not complete", id, state);
    /* a final ServiceEvent leaves the job ready (until `job complete`); a
     * cancelled job never had one complete */
    if ((js == QTM_JOB_QUEUED || js == QTM_JOB_ACTIVE) && se_complete)
        finding(v, "job %lld has a complete ServiceEvent but is %s, not ready", id, state);
    if (js == QTM_JOB_CANCELLED && se_complete)
        finding(v, "job %lld is cancelled but has a complete ServiceEvent", id);
    if (se_complete && records != 1)
        finding(v, "job %lld has a complete ServiceEvent and %lld records (want 1)", id,
                (long long)records);
    if (!se_complete && records != 0)
        finding(v, "job %lld has a record but no complete ServiceEvent", id);
    if (!audited || strcmp(audited, state) != 0)
        finding(v, "job %lld is %s but its last audit row says %s", id, state,
                audited ? audited : "nothing");
    return 0;
}

static int orphan_row(void *arg, const store_val *c, int n)
{
    (void)n;
    finding(arg, "record %lld (job %lld) has no complete ServiceEvent behind it",
            (long long)c[0].i, (long long)c[1].i);
    return 0;
}

static int se_row(void *arg, const store_val *c, int n)
{
    (void)n;
    const char *phase = txt(&c[1]), *audited = txt(&c[2]);
    if (!phase || !audited || strcmp(phase, audited) != 0)
        finding(arg, "job %lld's ServiceEvent is in phase %s but its last audit row says %s",
                (long long)c[0].i, phase ? phase : "?", audited ? audited : "nothing");
    return 0;
}

static int record_row(void *arg, const store_val *c, int n)
{
    (void)n;
    char want[65];
    const char *body = txt(&c[2]), *hash = txt(&c[3]);
    const char *audited = n > 4 ? txt(&c[4]) : NULL;
    qtmi_record_hash(body ? body : "", want);
    if (!hash || strcmp(hash, want) != 0)
        finding(arg, "record %lld (job %lld) does not match its hash", (long long)c[0].i,
                (long long)c[1].i);
    /* a rewritten body with a recomputed hash still differs from the chain */
    else if (!audited || strcmp(audited, hash) != 0)
        finding(arg, "record %lld (job %lld) is not the record the audit log composed",
                (long long)c[0].i, (long long)c[1].i);
    return 0;
}

static int settlement_row(void *arg, const store_val *c, int n)
{
    (void)n;
    long long job_id = (long long)c[0].i;
    const char *status = txt(&c[2]), *audited = txt(&c[4]);
    int waived = status && strcmp(status, "waived") == 0;
    int64_t paid = 0;
    int summed = c[3].type == SV_INT && qtmi_money_add(&paid, c[3].i);
    /* NULL: the store found the total past 64 bits (see SQ_VERIFY_SETTLEMENTS);
     * a real: amounts that are not integers */
    if (c[3].type != SV_INT)
        finding(arg, "job %lld's payment ledger does not sum to a 64-bit integer", job_id);
    else if (!summed)
        finding(arg, "job %lld's payment ledger totals %lld minor units, past the limit of %lld",
                job_id, (long long)c[3].i, (long long)MONEY_MAX_MINOR);
    const char *want = qtmi_settlement_status(c[1].type == SV_INT, c[1].i, paid, waived);
    if (summed && (!status || strcmp(status, want) != 0))
        finding(arg, "job %lld's settlement says %s but its ledger makes it %s", job_id,
                status ? status : "?", want);
    if (!audited || !status || strcmp(audited, status) != 0)
        finding(arg, "job %lld's settlement is %s but its last audit row says %s", job_id,
                status ? status : "?", audited ? audited : "nothing");
    return 0;
}

/* Schema v5: a correcting entry reverses exactly one ordinary payment of
 * its own job, once, by exactly minus its amount in its currency; and only
 * a correcting entry is negative.  Columns: SQ_VERIFY_REVERSALS. */
static int reversal_row(void *arg, const store_val *c, int n)
{
    (void)n;
    long long id = (long long)c[0].i, job_id = (long long)c[1].i, of = (long long)c[4].i;
    const char *cur = txt(&c[3]), *ocur = txt(&c[7]);
    if (c[4].type != SV_INT)
        finding(arg, "payment %lld of job %lld is negative but reverses no payment", id, job_id);
    else if (c[5].type != SV_INT)
        finding(arg, "payment %lld of job %lld reverses payment %lld, which does not exist", id,
                job_id, of);
    else if (c[5].i != c[1].i)
        finding(arg, "payment %lld of job %lld reverses payment %lld of another job (%lld)", id,
                job_id, of, (long long)c[5].i);
    else if (c[8].type == SV_INT)
        finding(arg, "payment %lld of job %lld reverses payment %lld, itself a reversal", id,
                job_id, of);
    else if (c[2].type != SV_INT || c[6].type != SV_INT || c[2].i >= 0 || c[2].i != -c[6].i ||
             !cur || !ocur || strcmp(cur, ocur) != 0)
        finding(arg, "payment %lld of job %lld does not reverse payment %lld exactly (the "
                "amount or currency differs)", id, job_id, of);
    if (c[4].type == SV_INT && c[9].type == SV_INT && c[9].i > 1)
        finding(arg, "payment %lld of job %lld is reversed %lld times", of, job_id,
                (long long)c[9].i);
    return 0;
}

static int fingerprint_row(void *arg, const store_val *c, int n)
{
    (void)n;
    const char *fp = txt(&c[1]), *audited = txt(&c[2]);
    if (!fp || !audited || strcmp(fp, audited) != 0)
        finding(arg, "job %lld runs under %s but its last migration audit row says %s",
                (long long)c[0].i, fp ? fp : "?", audited ? audited : "?");
    return 0;
}

static int integrity_row(void *arg, const store_val *c, int n)
{
    (void)n;
    const char *s = txt(&c[0]);
    if (!s || strcmp(s, "ok") != 0)
        finding(arg, "storage integrity: %s", s ? s : "?");
    return 0;
}

qtm_status qtm_verify(qtm *q, json_t **report)
{
    *report = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    vctx v;
    memset(&v, 0, sizeof v);
    v.findings = json_array();
    snprintf(v.prev, sizeof v.prev, "%s", qtm_audit_genesis());
    /* the head first: it says which rows were hashed before images */
    static const struct {
        store_query q;
        store_row_fn fn;
    } passes[] = {{SQ_INTEGRITY, integrity_row},        {SQ_CHAIN_HEAD_GET, head_row},
                  {SQ_VERIFY_CHAIN, chain_row},         {SQ_VERIFY_JOBS, jobs_row},
                  {SQ_VERIFY_ORPHAN_RECORDS, orphan_row}, {SQ_VERIFY_SE_PHASE, se_row},
                  {SQ_VERIFY_RECORDS, record_row},      {SQ_VERIFY_SETTLEMENTS, settlement_row},
                  {SQ_VERIFY_FINGERPRINTS, fingerprint_row}, {SQ_VERIFY_IMAGES, image_row},
                  {SQ_VERIFY_GONE, gone_row},           {SQ_VERIFY_REVERSALS, reversal_row}};
    for (size_t i = 0; i < countof(passes); i++) {
        store_rc rc = store_run(q->st, passes[i].q, NULL, 0, passes[i].fn, &v);
        if (rc != STORE_OK) {
            json_decref(v.findings);
            return qtmi_tx_end(q, qtm_store_fail(q, rc, "verifying"));
        }
        if (passes[i].q == SQ_VERIFY_CHAIN)
            head_check(&v);
    }
    int64_t blobs = 0, blob_bytes = 0;
    if ((st = qtmi_verify_signatures(q, v.findings)) != QTM_OK ||
        (st = qtmi_verify_blobs(q, v.findings, &blobs, &blob_bytes)) != QTM_OK) {
        json_decref(v.findings);
        return qtmi_tx_end(q, st);
    }
    size_t nf = json_array_size(v.findings);
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_boolean(nf == 0));
    json_object_set_new(o, "audit_rows", json_integer(v.rows));
    json_object_set_new(o, "jobs", json_integer(v.jobs));
    json_object_set_new(o, "files", json_integer(blobs));
    json_object_set_new(o, "file_bytes", json_integer(blob_bytes));
    json_object_set_new(o, "findings", v.findings);
    *report = o;
    qtm_status end = qtmi_view_end(q, QTM_OK, report);
    if (end != QTM_OK)
        return end;
    if (nf)
        return qtm_fail(q, QTM_EVERIFY, "verify found %zu problem%s", nf, nf == 1 ? "" : "s");
    return QTM_OK;
}
