/*
 * test_rt_fault.c - storage failures on purpose: every changing call of the
 * engine, run with its Nth storage operation failed (N = 1, 2, ... until the
 * call needs fewer) by each kind of error the fault backend (store_fault.c)
 * knows, must answer QTM_ESTORAGE (or the conflict a constraint maps to)
 * with the backend's message and leave every table as it was; every view
 * must fail whole, never answer in part; a full disk, and only it, sets
 * qtm_disk_full with "the disk is full: ..."; a lost race (STORE_RETRY),
 * and only it, sets qtm_busy with "the database was busy ...".  Also: the
 * retry policy (qtm_retry: 5 tries, only for busy), qtm_ping, the backend
 * table, controls a backend lacks, and values longer than their field.
 */
#include "qtm_config.h"   /* QTM_HAVE_PG */
#include "rt_fixture.h"

#include <stdio.h>

#include "store_fault.h"

/* What a call under test works on; prepared before its loop. */
typedef struct ctx {
    int64_t task, job;
    char token[QTM_SECRET_LEN];
    char sid[QTM_SECRET_LEN];
} ctx;

typedef qtm_status (*call_fn)(rt_fx *f, ctx *c);

static store_fault *wrap(rt_fx *f)
{
    store_fault *sf = store_fault_wrap(f->q);
    assert_non_null(sf);
    return sf;
}

/* The status a failed operation must end the call with. */
static qtm_status expected(const store_fault *sf, fault_kind k)
{
    int q = store_fault_query(sf);
    if (k == FK_CONSTRAINT && (q == SQ_JOB_INSERT || q == SQ_RECORD_INSERT))
        return QTM_ECONFLICT;      /* a second job of the task, a second record */
    return QTM_ESTORAGE;
}

/* Fails operation n of call with each kind in turn, n = 1, 2, ..., checking
 * status, message and an unchanged database, until the call succeeds with
 * no fault fired.  `skippable`: a fault may end in QTM_OK when the call's
 * write is one it may skip (the database is then unchanged too).  Returns
 * the number of operations the call needed. */
static long fault_loop(rt_fx *f, store_fault *sf, const char *what, call_fn call, ctx *c,
                       int skippable)
{
    char *before = rt_db_dump(f);
    long n = 1;
    for (;; n++) {
        for (int k = 0; k < FK_COUNT; k++) {
            store_fault_arm(sf, n, (fault_kind)k);
            qtm_status st = call(f, c);
            if (!store_fault_fired(sf)) {
                store_fault_arm(sf, 0, FK_BUSY);
                if (st != QTM_OK)
                    fail_msg("%s: refused with no fault (%s)", what, qtm_errmsg(f->q));
                free(before);
                if (getenv("FAULT_COUNTS"))
                    fprintf(stderr, "%s: %ld operations\n", what, n - 1);
                return n - 1;
            }
            qtm_status want = expected(sf, (fault_kind)k);
            if (!(skippable && st == QTM_OK) && st != want)
                fail_msg("%s, fault %d at operation %ld (query %d): status %d, want %d: %s",
                         what, k, n, store_fault_query(sf), st, want, qtm_errmsg(f->q));
            if (st == QTM_ESTORAGE && !strstr(qtm_errmsg(f->q), store_fault_message(k)))
                fail_msg("%s, fault %d at operation %ld: message '%s' hides the cause", what,
                         k, n, qtm_errmsg(f->q));
            /* a full disk is told apart (a server answers 507), nothing else
             * is; record.c re-reports a failed read of the request as a plain
             * storage failure (a read does not fill a disk) */
            int full = st == QTM_ESTORAGE && k == FK_FULL;
            int lax = full && store_fault_query(sf) == SQ_REQUEST_BY_ID && !qtm_disk_full(f->q);
            if ((!lax && qtm_disk_full(f->q) != full) ||
                (full && !lax && strncmp(qtm_errmsg(f->q), "the disk is full: ", 18) != 0))
                fail_msg("%s, fault %d at operation %ld: disk full %d, want %d: %s", what, k,
                         n, qtm_disk_full(f->q), full, qtm_errmsg(f->q));
            /* likewise a lost race (a server answers 503 and runs it again) */
            int busy = st == QTM_ESTORAGE && k == FK_RETRY;
            int lax_busy = busy && store_fault_query(sf) == SQ_REQUEST_BY_ID && !qtm_busy(f->q);
            if ((!lax_busy && qtm_busy(f->q) != busy) ||
                (busy && !lax_busy && strncmp(qtm_errmsg(f->q), "the database was busy (", 23)))
                fail_msg("%s, fault %d at operation %ld: busy %d, want %d: %s", what, k, n,
                         qtm_busy(f->q), busy, qtm_errmsg(f->q));
            char *after = rt_db_dump(f);
            if (strcmp(before, after) != 0) {
                fprintf(stderr, "%s, fault %d at operation %ld changed the database\n", what,
                        k, n);
                f->dump = before;
                rt_dump_differs(f, after, what, __FILE__, __LINE__);
            }
            free(after);
        }
    }
}

#define LOOP(call, c) fault_loop(f, sf, #call, call, (c), 0)

/* --- the calls ------------------------------------------------------------ */

static qtm_status c_actor_add(rt_fx *f, ctx *c)
{
    (void)c;
    return qtm_actor_add(f->q, "zed", "operator", "Zed Zee");
}

static qtm_status c_actor_access(rt_fx *f, ctx *c)
{
    (void)c;
    return qtm_actor_set_access(f->q, "bo", "limited");
}

static qtm_status c_submit(rt_fx *f, ctx *c)
{
    int64_t r = 0;
    return qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, "key-1", &r, &c->task);
}

static qtm_status c_approve(rt_fx *f, ctx *c) { return qtm_task_approve(f->q, "ada", c->task); }
static qtm_status c_reject(rt_fx *f, ctx *c)
{
    return qtm_task_reject(f->q, "ada", c->task, "out of season");
}
static qtm_status c_assign(rt_fx *f, ctx *c)
{
    return qtm_task_assign(f->q, "ada", c->task, "ana");
}
static qtm_status c_close(rt_fx *f, ctx *c) { return qtm_task_close(f->q, "ada", c->task); }
static qtm_status c_create(rt_fx *f, ctx *c)
{
    return qtm_job_create(f->q, "ada", c->task, &c->job);
}
static qtm_status c_claim(rt_fx *f, ctx *c) { return qtm_job_claim(f->q, "ana", c->job); }
static qtm_status c_arrive(rt_fx *f, ctx *c)
{
    return qtm_job_advance(f->q, "ana", c->job, "arrive");
}
static qtm_status c_final(rt_fx *f, ctx *c)   /* composes the record */
{
    return qtm_job_advance(f->q, "ana", c->job, "complete");
}
static qtm_status c_close_visit(rt_fx *f, ctx *c)   /* requires evidence, payment */
{
    return qtm_job_advance(f->q, "ana", c->job, "close");
}
static qtm_status c_complete(rt_fx *f, ctx *c) { return qtm_job_complete(f->q, "ana", c->job); }
static qtm_status c_evidence(rt_fx *f, ctx *c)
{
    return qtm_evidence_add(f->q, "ana", c->job, "arrival", RT_PHOTO[0], "gate");
}
static qtm_status c_participant(rt_fx *f, ctx *c)
{
    return qtm_participant_add(f->q, "ana", c->job, "Bloom", "vendor", "orders@bloom.example");
}
static qtm_status c_settle(rt_fx *f, ctx *c)
{
    qtm_payment p = {.amount = "150.00", .method = "zelle", .due = "300.00"};
    return qtm_settle(f->q, "ana", c->job, &p);
}
static qtm_status c_token_issue(rt_fx *f, ctx *c) { return qtm_token_issue(f->q, "ana", c->token); }
static qtm_status c_token_revoke(rt_fx *f, ctx *c)
{
    (void)c;
    int n = 0;
    return qtm_token_revoke(f->q, "ana", &n);
}
static qtm_status c_token_auth(rt_fx *f, ctx *c)
{
    qtm_principal p;
    return qtm_token_auth(f->q, c->token, &p);
}
static qtm_status c_session_open(rt_fx *f, ctx *c)
{
    qtm_principal p;
    char csrf[QTM_SECRET_LEN];
    return qtm_session_open(f->q, c->token, 3600, &p, c->sid, csrf);
}
static qtm_status c_session_close(rt_fx *f, ctx *c) { return qtm_session_close(f->q, c->sid); }
static qtm_status c_session_purge(rt_fx *f, ctx *c)
{
    (void)c;
    unsigned n = 0;
    return qtm_session_purge(f->q, 10, &n);
}

static qtm_status c_migrate(rt_fx *f, ctx *c)
{
    (void)c;
    json_t *report = NULL;
    qtm_status st = qtm_migrate(f->q, "ada", "migrate-demo", 1, &report);
    json_decref(report);
    return st;
}

/* reads: a view the store failed under is an error, never a partial view */
#define VIEW(name, expr)                                                       \
    static qtm_status name(rt_fx *f, ctx *c)                                   \
    {                                                                          \
        json_t *o = NULL;                                                      \
        (void)c;                                                               \
        qtm_status st = (expr);                                                \
        if (st != QTM_OK && o)                                                 \
            fail_msg("%s failed but gave a view", #name);                      \
        json_decref(o);                                                        \
        return st;                                                             \
    }
VIEW(v_job, qtm_job_show(f->q, c->job, &o))
VIEW(v_job_as, qtm_job_show_as(f->q, "ana", c->job, &o))
VIEW(v_task, qtm_task_show(f->q, c->task, &o))
VIEW(v_record, qtm_record_show(f->q, c->job, &o))
VIEW(v_settlement, qtm_settlement_show(f->q, c->job, &o))
VIEW(v_desk, qtm_desk(f->q, "ana", &o))
VIEW(v_log, qtm_log(f->q, c->job, &o))
VIEW(v_verify, qtm_verify(f->q, &o))
VIEW(v_tasks, qtm_task_list(f->q, NULL, &o))
VIEW(v_actors, qtm_actor_list(f->q, &o))
VIEW(v_tokens, qtm_token_list(f->q, &o))
VIEW(v_records, qtm_record_list(f->q, &o))
VIEW(v_surfaces, qtm_surfaces(f->q, &o))
static const qtm_page page2 = {0, 2};
static int64_t next_after;
VIEW(v_log_page, qtm_log_page(f->q, c->job, &page2, &o, &next_after))
VIEW(v_payments, qtm_settlement_payments(f->q, c->job, &page2, &o, &next_after))
VIEW(v_desk_page, qtm_desk_page(f->q, "ana", "completed", &page2, &o))
VIEW(v_record_as, qtm_record_show_as(f->q, "ana", c->job, &o))
VIEW(v_settlement_as, qtm_settlement_show_as(f->q, "ana", c->job, &o))

/* --- the loops ------------------------------------------------------------ */

static void test_fault_governance(void **state)
{
    rt_fx *f = *state;
    store_fault *sf = wrap(f);
    ctx c = {0};
    assert_true(LOOP(c_actor_add, &c) > 2);
    assert_true(LOOP(c_actor_access, &c) > 2);
    assert_true(LOOP(c_submit, &c) > 2);
    assert_true(LOOP(c_submit, &c) > 2);       /* the same key again: the first ids */
    assert_true(LOOP(c_approve, &c) > 2);
    assert_true(LOOP(c_assign, &c) > 2);
    assert_true(LOOP(c_close, &c) > 2);
    c.task = rt_submit(f, EC);
    assert_true(LOOP(c_reject, &c) > 2);
}

static void test_fault_execution(void **state)
{
    rt_fx *f = *state;
    store_fault *sf = wrap(f);
    ctx c = {0};
    c.task = rt_task_assigned(f, EC, "ana");
    assert_true(LOOP(c_create, &c) > 2);
    assert_true(LOOP(c_claim, &c) > 2);
    assert_true(LOOP(c_evidence, &c) > 2);
    assert_true(LOOP(c_participant, &c) > 2);
    assert_true(LOOP(c_arrive, &c) > 2);
    OK(qtm_job_advance(f->q, "ana", c.job, "start"));
    assert_true(LOOP(c_final, &c) > 2);
    assert_true(LOOP(c_complete, &c) > 2);
    assert_true(LOOP(c_settle, &c) > 2);
    assert_true(LOOP(c_settle, &c) > 2);       /* a second payment: the settlement exists */
}

/* Transitions that require evidence and payment: a count or a settlement
 * the store failed to give is a storage error, not "evidence missing" or
 * "must be paid first" (both were: the failed read counted as zero). */
static void test_fault_requirements(void **state)
{
    rt_fx *f = *state;
    ctx c = {0};
    c.job = rt_job_claimed(f, AD, "ana");
    OK(qtm_job_advance(f->q, "ana", c.job, "arrive"));
    OK(qtm_job_advance(f->q, "ana", c.job, "start"));
    OK(qtm_job_advance(f->q, "ana", c.job, "finish"));
    rt_add_ad_evidence(f, c.job, "ana");
    store_fault *sf = wrap(f);
    assert_true(LOOP(c_final, &c) > 5);
    store_fault_arm(sf, 0, FK_BUSY);
    c.job = rt_ls_job_new(f, "ana");
    OK(qtm_job_claim(f->q, "ana", c.job));
    static const char *const walk[] = {"arrive", "start", "finish"};
    for (size_t i = 0; i < 3; i++)
        OK(qtm_job_advance(f->q, "ana", c.job, walk[i]));
    OK(qtm_evidence_add(f->q, "ana", c.job, "after", RT_PHOTO[0], NULL));
    qtm_payment p = {.amount = "80.00", .method = "cash", .due = "80.00"};
    OK(qtm_settle(f->q, "ana", c.job, &p));
    assert_true(LOOP(c_close_visit, &c) > 5);
}

static void test_fault_views(void **state)
{
    rt_fx *f = *state;
    ctx c = {0};
    c.job = rt_job_claimed(f, EC, "ana");
    OK(qtm_participant_add(f->q, "ana", c.job, "Bloom", "vendor", NULL));
    OK(qtm_evidence_add(f->q, "ana", c.job, "arrival", RT_PHOTO[0], NULL));
    rt_run_to_final(f, c.job, EC, "ana");
    OK(qtm_job_complete(f->q, "ana", c.job));
    qtm_payment p = {.amount = "150.00", .method = "zelle"};
    OK(qtm_settle(f->q, "ana", c.job, &p));
    json_t *o = rt_job_show(f, c.job);
    c.task = rt_ji(o, "task");
    json_decref(o);
    store_fault *sf = wrap(f);
    assert_true(LOOP(v_job, &c) > 2);
    assert_true(LOOP(v_job_as, &c) > 2);
    assert_true(LOOP(v_task, &c) > 1);
    assert_true(LOOP(v_record, &c) > 1);
    assert_true(LOOP(v_settlement, &c) > 1);
    assert_true(LOOP(v_desk, &c) > 1);
    assert_true(LOOP(v_log, &c) > 1);
    assert_true(LOOP(v_verify, &c) > 2);
    assert_true(LOOP(v_tasks, &c) > 1);
    assert_true(LOOP(v_actors, &c) > 1);
    assert_true(LOOP(v_tokens, &c) > 1);
    assert_true(LOOP(v_records, &c) > 1);
    assert_true(LOOP(v_log_page, &c) > 1);
    assert_true(LOOP(v_payments, &c) > 1);
    assert_true(LOOP(v_desk_page, &c) > 1);
    assert_true(LOOP(v_record_as, &c) > 1);
    assert_true(LOOP(v_settlement_as, &c) > 1);
    LOOP(v_surfaces, &c);          /* compiled-in data: may need no storage at all */
}

static void test_fault_identity(void **state)
{
    rt_fx *f = *state;
    store_fault *sf = wrap(f);
    ctx c = {0};
    assert_true(LOOP(c_token_issue, &c) > 2);
    /* the last-use stamp is a write auth may skip: a fault there may end in OK */
    assert_true(fault_loop(f, sf, "c_token_auth", c_token_auth, &c, 1) > 1);
    assert_true(LOOP(c_session_open, &c) > 2);
    assert_true(LOOP(c_session_close, &c) > 1);
    char csrf[QTM_SECRET_LEN];
    qtm_principal p;
    OK(qtm_session_open(f->q, c.token, 0, &p, c.sid, csrf));   /* expires at once */
    assert_true(LOOP(c_session_purge, &c) > 1);
    assert_true(LOOP(c_token_revoke, &c) > 2);
}

/* A queued migrate-demo job stored under version 1 (as test_rt_migrate.c
 * makes one), then moved to version 2. */
static void test_fault_migrate(void **state)
{
    rt_fx *f = *state;
    ctx c = {0};
    int64_t r = 0;
    OK(qtm_request_submit(f->q, "cli", "migrate-demo", "{\"job\": {\"title\": \"Stage\"}}", NULL, 0,
                          NULL, &r, &c.task));
    OK(qtm_task_approve(f->q, "ada", c.task));
    OK(qtm_task_assign(f->q, "ada", c.task, "ana"));
    OK(qtm_job_create(f->q, "ada", c.task, &c.job));
    DB_OK("UPDATE jobs SET fingerprint = 'sha256:06e9a412bcd65b9d3407f1308d4419bbe7fcfb19c890c337c"
          "3acc2658e060bdf'");
    store_fault *sf = wrap(f);
    assert_true(LOOP(c_migrate, &c) > 2);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM jobs WHERE fingerprint LIKE "
                                  "'sha256:228f%'"), 0);
}

/* --- the backend table and controls -------------------------------------- */

static void test_backend_by_scheme(void **state)
{
    (void)state;
    /* a socket directory that does not exist: never a host to look up */
    static const char *const names[] = {"postgresql:///qtm?host=/nonexistent-qtm",
                                        "postgres:///qtm?host=/nonexistent-qtm",
                                        "PostgreSQL:///qtm?host=/nonexistent-qtm"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        qtm *q = NULL;
#if QTM_HAVE_PG
        /* the PostgreSQL backend takes it and cannot connect */
        assert_int_equal(qtm_open(names[i], QTM_OPEN_CREATE, &q), QTM_ESTORAGE);
        assert_non_null(strstr(qtm_errmsg(q), "/nonexistent-qtm"));
#else
        assert_int_equal(qtm_open(names[i], QTM_OPEN_CREATE, &q), QTM_EUSAGE);
        assert_string_equal(qtm_errmsg(q), "PostgreSQL support is not built in: give the path "
                                           "of an SQLite file");
#endif
        qtm_close(q);
    }
}

/* A backend without checkpoints: qtm_checkpoint is a usage error, and a
 * server's manual-checkpoint handle still works (nothing to turn off). */
static void test_control_not_supported(void **state)
{
    SQLITE_ONLY("starts from a backend that checkpoints (SQLite's WAL)");
    rt_fx *f = *state;
    store_fault *sf = wrap(f);
    int pages = 0;
    OK(qtm_checkpoint(f->q, 0, &pages));
    assert_true(pages >= 0);
    store_fault_no_control(sf, 1);
    EXPECT_EXACT(QTM_EUSAGE, "checkpointing is not supported by the fault backend",
                 qtm_checkpoint(f->q, 1, &pages));
    assert_int_equal(pages, -1);
    store_fault_no_control(sf, 0);
    OK(qtm_checkpoint(f->q, 1, &pages));
}

/* --- busy: the retry policy --------------------------------------------------- */

/* A claim that loses every race: QTM_RETRY_TRIES tries, then QTM_ESTORAGE
 * with qtm_busy, the message saying so, and nothing changed. */
static void test_retry_gives_up_busy(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    char *before = rt_db_dump(f);
    store_fault *sf = wrap(f);
    store_fault_arm_repeat(sf, 1, FK_RETRY, 1000);   /* every begin */
    qtm_status st;
    QTM_RETRY(f->q, st, qtm_job_claim(f->q, "ana", j));
    assert_int_equal(st, QTM_ESTORAGE);
    assert_true(qtm_busy(f->q));
    assert_false(qtm_disk_full(f->q));
    assert_int_equal(store_fault_fires(sf), QTM_RETRY_TRIES);
    assert_non_null(strstr(qtm_errmsg(f->q), "the database was busy (a concurrent change won while starting a transaction: "));
    assert_non_null(strstr(qtm_errmsg(f->q), "try again (tried 5 times)"));
    store_fault_arm(sf, 0, FK_BUSY);
    char *after = rt_db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* the next call starts clean */
    OK(qtm_job_claim(f->q, "ana", j));
    assert_false(qtm_busy(f->q));
}

/* A commit lost three times, then kept: the fourth try passes, and the
 * claim is written once (the state and the audit rows of one claim). */
static void test_retry_then_passes(void **state)
{
    rt_fx *f = *state;
    int64_t j1 = rt_job_new(f, EC, "ana"), j2 = rt_job_new(f, EC, "ana");
    store_fault *sf = wrap(f);
    size_t rows1 = rt_log_len(f, j1), rows2 = rt_log_len(f, j2);
    store_fault_arm(sf, 1000000, FK_BUSY);           /* counts, fails nothing */
    OK(qtm_job_claim(f->q, "ana", j1));
    long ops = store_fault_count(sf);                /* the last one is the commit */
    size_t claim_rows = rt_log_len(f, j1) - rows1;
    assert_true(claim_rows > 0);
    store_fault_arm_repeat(sf, ops, FK_RETRY, 3);
    qtm_status st;
    unsigned tries = 0;
    do
        st = qtm_job_claim(f->q, "ana", j2);
    while (qtm_retry(f->q, st, &tries));
    assert_int_equal(st, QTM_OK);
    assert_int_equal(tries, 4);
    assert_int_equal(store_fault_fires(sf), 3);
    assert_int_equal(store_fault_query(sf), -1);     /* it failed the commit */
    store_fault_arm(sf, 0, FK_BUSY);
    json_t *o = rt_job_show(f, j1);
    rt_assert_job(f, j2, "active", rt_js(o, "phase"));
    json_decref(o);
    assert_int_equal(rt_log_len(f, j2), rows2 + claim_rows);
}

/* Only a lost race is run again: SQLite's "database is locked" (the busy
 * timeout already waited) and every other failure are tried once. */
static void test_retry_only_busy(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    store_fault *sf = wrap(f);
    static const fault_kind once[] = {FK_BUSY, FK_FULL, FK_IOERR, FK_CONSTRAINT};
    for (size_t i = 0; i < sizeof once / sizeof once[0]; i++) {
        store_fault_arm_repeat(sf, 1, once[i], 1000);
        qtm_status st;
        QTM_RETRY(f->q, st, qtm_job_claim(f->q, "ana", j));
        assert_int_not_equal(st, QTM_OK);
        assert_int_equal(store_fault_fires(sf), 1);
        assert_false(qtm_busy(f->q));
    }
    store_fault_arm(sf, 0, FK_BUSY);
    unsigned tries = 0;                              /* nor is a refusal */
    qtm_status st = qtm_job_claim(f->q, "bo", j);
    assert_int_not_equal(st, QTM_OK);
    assert_int_equal(qtm_retry(f->q, st, &tries), 0);
    assert_int_equal(tries, 1);
}

/* qtm_ping: SQLite has no ping of its own, so it reads the chain head; a
 * failed read is the answer.  The database's other controls as serve
 * reads them: one writer, no connection budget. */
static void test_ping_and_controls(void **state)
{
    SQLITE_ONLY("asserts SQLite's controls (one writer, no connection count)");
    rt_fx *f = *state;
    OK(qtm_ping(f->q));
    assert_int_equal(qtm_single_writer(f->q), 1);
    int max = 0, used = 0;
    EXPECT_EXACT(QTM_EUSAGE, "counting connections is not supported by the sqlite backend",
                 qtm_connections(f->q, &max, &used));
    assert_int_equal(max, -1);
    assert_int_equal(used, -1);
    store_fault *sf = wrap(f);
    for (long n = 1; n <= 2; n++) {                  /* its begin, its read */
        store_fault_arm(sf, n, FK_IOERR);
        EXPECT_MSG(QTM_ESTORAGE, "disk I/O error", qtm_ping(f->q));
        assert_true(store_fault_fired(sf));
    }
    store_fault_arm(sf, 0, FK_BUSY);
    OK(qtm_ping(f->q));
    store_fault_no_control(sf, 1);                   /* a backend without controls */
    assert_int_equal(qtm_single_writer(f->q), 0);
    OK(qtm_ping(f->q));
}

/* --- values longer than their field ---------------------------------------- */

static char *repeat(char ch, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, ch, n);
    s[n] = '\0';
    return s;
}

/* What reaches a fixed field from input is refused at write time... */
static void test_long_input_refused(void **state)
{
    rt_fx *f = *state;
    char *name = repeat('n', 121), *reason = repeat('r', 501);
    UNCHANGED(QTM_EINVALID, qtm_actor_add(f->q, "zed", "operator", name));
    name[120] = '\0';                  /* the longest admitted: read back whole */
    OK(qtm_actor_add(f->q, "zed", "operator", name));
    char tok[QTM_SECRET_LEN];
    qtm_principal p;
    OK(qtm_token_issue(f->q, "zed", tok));
    OK(qtm_token_auth(f->q, tok, &p));
    assert_string_equal(p.name, name);
    int64_t t = rt_submit(f, EC);
    UNCHANGED(QTM_EINVALID, qtm_task_reject(f->q, "ada", t, reason));
    reason[500] = '\0';
    OK(qtm_task_reject(f->q, "ada", t, reason));
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_string_equal(rt_js(o, "reason"), reason);
    json_decref(o);
    free(name);
    free(reason);
}

/* ...and a longer one written by something else is a storage error, never
 * a value silently cut short (it was: the approval went through as "ad..."
 * and the view showed the first 511 bytes). */
static void test_long_stored_value_is_an_error(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_submit(f, EC);
    char sql[1024];
    char *name = repeat('n', 300), *reason = repeat('r', 600);
    snprintf(sql, sizeof sql, "UPDATE actors SET name = '%s' WHERE slug = 'ada'", name);
    DB_OK(sql);
    UNCHANGED(QTM_ESTORAGE, qtm_task_approve(f->q, "ada", t));
    assert_non_null(strstr(qtm_errmsg(f->q), "a stored value is longer than"));
    qtm_principal p;
    char tok[QTM_SECRET_LEN];
    OK(qtm_token_issue(f->q, "bo", tok));
    DB_OK("UPDATE actors SET name = name || name || name WHERE slug = 'bo'");
    OK(qtm_token_auth(f->q, tok, &p));  /* "three times its name still fits */
    snprintf(sql, sizeof sql, "UPDATE actors SET name = '%s' WHERE slug = 'bo'", name);
    DB_OK(sql);
    EXPECT_MSG(QTM_ESTORAGE, "a stored value is longer than", qtm_token_auth(f->q, tok, &p));
    snprintf(sql, sizeof sql, "UPDATE tasks SET reason = '%s' WHERE id = %lld", reason,
             (long long)t);
    DB_OK(sql);
    json_t *o = NULL;
    EXPECT_MSG(QTM_ESTORAGE, "a stored value is longer than", qtm_task_show(f->q, t, &o));
    assert_null(o);
    free(name);
    free(reason);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_fault_governance),
        TEST(test_fault_execution),
        TEST(test_fault_requirements),
        TEST(test_fault_views),
        TEST(test_fault_identity),
        TEST(test_fault_migrate),
        cmocka_unit_test(test_backend_by_scheme),
        TEST(test_control_not_supported),
        TEST(test_retry_gives_up_busy),
        TEST(test_retry_then_passes),
        TEST(test_retry_only_busy),
        TEST(test_ping_and_controls),
        TEST(test_long_input_refused),
        TEST(test_long_stored_value_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
