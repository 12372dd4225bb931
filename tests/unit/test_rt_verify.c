/*
 * test_rt_verify.c - the audit log, `verify` and storage against a real
 * SQLite file: one hash-chained audit row per change, verify clean on full
 * lifecycles and catching an attacker who edits the file directly (audit
 * rows, record bodies, job states, ServiceEvent phases), the triggers that
 * keep requests, records, payments, evidence, phases and the audit log
 * append-only, refusals and failed transactions leaving the file
 * byte-for-byte unchanged, and the schema version checks of qtm_open.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "rt_fixture.h"

/* Runs verify; expects `want`; returns the report (caller decrefs). */
static json_t *verify_(rt_fx *f, qtm_status want, const char *file, int line)
{
    json_t *rep = NULL;
    qtm_status st = qtm_verify(f->q, &rep);
    f->held = rep;
    rt_expect(f->q, st, want, NULL, 0, "qtm_verify", file, line);
    assert_non_null(rep);
    assert_int_equal(json_is_true(json_object_get(rep, "ok")), want == QTM_OK);
    if (want == QTM_OK)
        assert_int_equal(json_array_size(json_object_get(rep, "findings")), 0);
    f->held = NULL;
    return rep;
}

#define verify(f, want) verify_((f), (want), __FILE__, __LINE__)

/* Fails unless the report has a finding equal to `text`. */
static void assert_finding(json_t *rep, const char *text)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(rep, "findings"), i, v)
        if (strcmp(json_string_value(v), text) == 0)
            return;
    char *all = json_dumps(json_object_get(rep, "findings"), JSON_INDENT(2));
    print_error("no finding '%s' in\n%s\n", text, all);
    free(all);
    fail();
}

/* The chain hash as documented in core.c: SHA-256 over prev and every
 * field, each followed by 0x1F (NULL fields contribute only the separator). */
static void chain_hash(const char *prev, const json_t *row, char out[65])
{
    crypto_hash_sha256_state h;
    unsigned char d[crypto_hash_sha256_BYTES], sep = 0x1F;
    char num[2][24];
    const char *fields[10];
    snprintf(num[0], sizeof num[0], "%lld", (long long)rt_ji(row, "entity_id"));
    snprintf(num[1], sizeof num[1], "%lld", (long long)rt_ji(row, "job"));
    fields[0] = prev;
    fields[1] = rt_js(row, "at");
    fields[2] = rt_js(row, "actor");
    fields[3] = rt_js(row, "entity");
    fields[4] = num[0];
    fields[5] = rt_js(row, "action");
    fields[6] = rt_js(row, "from");
    fields[7] = rt_js(row, "to");
    fields[8] = num[1];
    fields[9] = rt_js(row, "image");  /* schema v4: the changed row's image digest */
    crypto_hash_sha256_init(&h);
    for (int i = 0; i < 9 + (fields[9] != NULL); i++) {
        if (fields[i])
            crypto_hash_sha256_update(&h, (const unsigned char *)fields[i], strlen(fields[i]));
        crypto_hash_sha256_update(&h, &sep, 1);
    }
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
}

/* An event-coordination job and an auto-detailing job run end to end, with
 * a participant and payments. */
static void full_lifecycle(rt_fx *f, int64_t *ec, int64_t *ad)
{
    *ec = rt_job_claimed(f, EC, "ana");
    OK(qtm_participant_add(f->q, "ana", *ec, "Vic Florist", "florist", NULL));
    rt_run_to_final(f, *ec, EC, "ana");
    OK(qtm_job_complete(f->q, "ana", *ec));
    qtm_payment p = {"1500.00", NULL, "wire", "final", "1500", 0};
    OK(qtm_settle(f->q, "ada", *ec, &p));
    *ad = rt_job_done(f, AD, "bo");
    qtm_payment q = {"40", NULL, "cash", NULL, "180", 0};
    OK(qtm_settle(f->q, "bo", *ad, &q));
}

/* --- the audit log ---------------------------------------------------------- */

static void test_every_change_appends_audit_rows(void **state)
{
    rt_fx *f = *state;
    size_t n = rt_log_len(f, 0);
#define STEP(rows, call)                          \
    do {                                          \
        OK(call);                                 \
        assert_int_equal(rt_log_len(f, 0), n + (rows)); \
        n += (rows);                              \
    } while (0)
    int64_t r, t, j;
    STEP(1, qtm_actor_add(f->q, "cy", "operator", NULL));
    STEP(1, qtm_actor_set_access(f->q, "cy", "limited"));
    STEP(2, qtm_request_submit(f->q, "cli", AD, AD_PACKET, RT_PHOTO, 1, "k", &r, &t));
    STEP(0, qtm_request_submit(f->q, "cli", AD, AD_PACKET, RT_PHOTO, 1, "k", &r, &t));
    STEP(1, qtm_task_approve(f->q, "ada", t));
    STEP(1, qtm_task_assign(f->q, "ada", t, "bo"));
    STEP(1, qtm_task_assign(f->q, "ada", t, "ana"));
    STEP(1, qtm_job_create(f->q, "ada", t, &j));
    STEP(2, qtm_job_claim(f->q, "ana", j));
    STEP(0, qtm_job_claim(f->q, "ana", j));
    STEP(1, qtm_job_advance(f->q, "ana", j, "arrive"));
    STEP(1, qtm_evidence_add(f->q, "ana", j, "arrival", RT_PHOTO[0], NULL));
    STEP(1, qtm_participant_add(f->q, "ana", j, "Marcus", "client", NULL));
    STEP(1, qtm_job_advance(f->q, "ana", j, "start"));
    STEP(1, qtm_evidence_add(f->q, "ana", j, "before", RT_PHOTO[0], NULL));
    STEP(1, qtm_job_advance(f->q, "ana", j, "finish"));
    STEP(1, qtm_evidence_add(f->q, "ana", j, "after", RT_PHOTO[0], NULL));
    qtm_payment p = {"50", NULL, "cash", NULL, NULL, 0};
    STEP(1, qtm_settle(f->q, "ana", j, &p));
    STEP(3, qtm_job_advance(f->q, "ana", j, "complete"));  /* phase, record, job ready */
    STEP(1, qtm_job_complete(f->q, "ana", j));
    int64_t t2 = rt_submit(f, EC);
    n += 2;
    STEP(1, qtm_task_reject(f->q, "ada", t2, "duplicate"));
    STEP(1, qtm_task_close(f->q, "ada", t2));
#undef STEP
    /* reads append nothing */
    json_t *o = NULL;
    OK(qtm_job_show(f->q, j, &o));
    json_decref(o);
    OK(qtm_desk(f->q, NULL, &o));
    json_decref(o);
    OK(qtm_verify(f->q, &o));
    json_decref(o);
    assert_int_equal(rt_log_len(f, 0), n);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM audit"), (int64_t)n);
}

static void test_audit_rows_are_chained(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    json_t *log = NULL;
    OK(qtm_log(f->q, 0, &log));
    assert_true(json_array_size(log) > 30);
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    size_t i;
    json_t *row;
    json_array_foreach(log, i, row) {
        char want[65];
        assert_int_equal(rt_ji(row, "id"), (json_int_t)i + 1);
        assert_string_equal(rt_js(row, "prev_hash"), prev);
        chain_hash(prev, row, want);
        assert_string_equal(rt_js(row, "hash"), want);
        memcpy(prev, want, sizeof prev);
    }
    json_decref(log);
}

static void test_log_by_job(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    json_t *log = NULL;
    OK(qtm_log(f->q, a, &log));
    size_t i;
    json_t *row;
    int create = 0, record = 0, complete = 0, payment = 0;
    json_array_foreach(log, i, row) {
        assert_int_equal(rt_ji(row, "job"), a);
        create += strcmp(rt_js(row, "action"), "create") == 0;
        record += strcmp(rt_js(row, "entity"), "record") == 0;
        complete += strcmp(rt_js(row, "entity"), "job") == 0 &&
                    strcmp(rt_js(row, "action"), "complete") == 0;
        payment += strcmp(rt_js(row, "entity"), "settlement") == 0;
    }
    assert_int_equal(create, 1);
    assert_int_equal(record, 1);
    assert_int_equal(complete, 1);
    assert_int_equal(payment, 1);
    json_decref(log);
    EXPECT(QTM_ENOTFOUND, qtm_log(f->q, 99, &log));
    assert_null(log);
}

/* --- verify ------------------------------------------------------------------ */

static void test_verify_empty_database(void **state)
{
    rt_fx *f = *state;
    json_t *rep = verify(f, QTM_OK);
    assert_int_equal(rt_ji(rep, "audit_rows"), 0);
    assert_int_equal(rt_ji(rep, "jobs"), 0);
    json_decref(rep);
}

static void test_verify_full_lifecycle(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    rt_job_claimed(f, EC, "ana");  /* and one still running */
    rt_job_new(f, AD, "bo");       /* and one queued */
    json_t *rep = verify(f, QTM_OK);
    assert_int_equal(rt_ji(rep, "jobs"), 4);
    assert_int_equal(rt_ji(rep, "audit_rows"), (json_int_t)rt_log_len(f, 0));
    json_decref(rep);
}

static void test_verify_finds_edited_audit_row(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    char err[256];
    /* the trigger stops a plain UPDATE ... */
    assert_int_not_equal(rt_db_exec(f, "UPDATE audit SET actor = 'mallory' WHERE id = 8", err,
                                    sizeof err), SQLITE_OK);
    assert_non_null(strstr(err, "append-only"));
    json_decref(verify(f, QTM_OK));
    /* ... so the attacker drops it first */
    DB_OK("DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE id = 8");
    json_t *rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, "audit row 8 was altered (its hash does not match its contents)");
    assert_int_equal(json_array_size(json_object_get(rep, "findings")), 1);
    assert_string_equal(qtm_errmsg(f->q), "verify found 1 problem");
    json_decref(rep);
}

static void test_verify_finds_rehashed_audit_row(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    /* a careful attacker recomputes the edited row's hash: the next row's
     * link breaks instead */
    json_t *log = NULL;
    OK(qtm_log(f->q, 0, &log));
    json_t *row = json_deep_copy(json_array_get(log, 9));
    json_decref(log);
    json_object_set_new(row, "actor", json_string("mallory"));
    char h[65], sql[256];
    chain_hash(rt_js(row, "prev_hash"), row, h);
    snprintf(sql, sizeof sql, "DROP TRIGGER audit_no_update;"
             " UPDATE audit SET actor = 'mallory', hash = '%s' WHERE id = 10", h);
    json_decref(row);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, "audit row 11 does not follow row 10 (chain broken)");
    json_decref(rep);
}

static void test_verify_finds_deleted_audit_row(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    DB_OK("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 5");
    json_t *rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, "audit row 6 does not follow row 5 (chain broken)");
    json_decref(rep);
}

/* Cutting the newest rows leaves no broken link, but a state nobody audited. */
static void test_verify_finds_truncated_log(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    DB_OK("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)");
    json_t *rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, MSGF("job %lld's ServiceEvent is in phase arrived but its last audit row "
                             "says claimed", (long long)j));
    json_decref(rep);
    DB_OK("DELETE FROM audit WHERE job_id IS NOT NULL");
    rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, MSGF("job %lld is active but its last audit row says nothing",
                             (long long)j));
    json_decref(rep);
}

static void test_verify_finds_edited_record_body(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    char err[256], sql[256], want[128];
    assert_int_not_equal(rt_db_exec(f, "UPDATE records SET body = '{}'", err, sizeof err),
                         SQLITE_OK);
    assert_non_null(strstr(err, "immutable"));
    snprintf(sql, sizeof sql, "DROP TRIGGER records_no_update;"
             " UPDATE records SET body = replace(body, '\"ana\"', '\"bo\"') WHERE job_id = %lld",
             (long long)a);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(sql, sizeof sql, "SELECT id FROM records WHERE job_id = %lld", (long long)a);
    snprintf(want, sizeof want, "record %lld (job %lld) does not match its hash",
             (long long)rt_db_int(f, sql), (long long)a);
    assert_finding(rep, want);
    /* and the record's image no longer matches its compose row */
    int64_t rec = rt_db_int(f, sql);
    snprintf(sql, sizeof sql, "SELECT MAX(id) FROM audit WHERE entity = 'record'"
             " AND entity_id = %lld", (long long)rec);
    snprintf(want, sizeof want, "record %lld (job %lld) is not what its last audit row %lld"
             " recorded (edited outside qtm)", (long long)rec, (long long)a,
             (long long)rt_db_int(f, sql));
    assert_finding(rep, want);
    assert_int_equal(json_array_size(json_object_get(rep, "findings")), 2);
    json_decref(rep);
}

static void test_verify_finds_deleted_record(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    char sql[128], want[128];
    snprintf(sql, sizeof sql, "DROP TRIGGER records_no_delete;"
             " DELETE FROM records WHERE job_id = %lld", (long long)b);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld has a complete ServiceEvent and 0 records (want 1)",
             (long long)b);
    assert_finding(rep, want);
    json_decref(rep);
}

static void test_verify_finds_forged_record(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    char sql[256], want[128];
    snprintf(sql, sizeof sql, "INSERT INTO records(job_id, se_id, surface, body, hash, created_at)"
             " SELECT %lld, id, 'event-coordination', '{}',"
             " '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', 'x'"
             " FROM service_events WHERE job_id = %lld", (long long)j, (long long)j);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld has a record but no complete ServiceEvent", (long long)j);
    assert_finding(rep, want);
    snprintf(want, sizeof want, "record 1 (job %lld) has no complete ServiceEvent behind it",
             (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
}

static void test_verify_finds_job_state_changed_behind_its_back(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    char sql[128], want[128];
    snprintf(sql, sizeof sql, "UPDATE jobs SET state = 'complete' WHERE id = %lld", (long long)j);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld is complete but its ServiceEvent is not complete",
             (long long)j);
    assert_finding(rep, want);
    snprintf(want, sizeof want, "job %lld is complete but its last audit row says active",
             (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
    /* back to queued: the audit log still says active */
    snprintf(sql, sizeof sql, "UPDATE jobs SET state = 'queued' WHERE id = %lld", (long long)j);
    DB_OK(sql);
    rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld is queued but its last audit row says active",
             (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
}

/* A settlement marked paid behind the engine's back, and a payment whose
 * amount was raised after the fact: the ledger and the audit log disagree. */
static void test_verify_finds_settlement_changed_behind_its_back(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = {"50.00", NULL, "cash", NULL, "200.00", 0};
    OK(qtm_settle(f->q, "ana", j, &p));
    json_t *rep = verify(f, QTM_OK);
    json_decref(rep);
    char sql[160], want[160];
    snprintf(sql, sizeof sql, "UPDATE settlements SET status = 'paid' WHERE job_id = %lld",
             (long long)j);
    DB_OK(sql);
    rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld's settlement says paid but its ledger makes it partial",
             (long long)j);
    assert_finding(rep, want);
    snprintf(want, sizeof want,
             "job %lld's settlement is paid but its last audit row says partial", (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
    snprintf(sql, sizeof sql,
             "UPDATE settlements SET status = 'partial' WHERE job_id = %lld;"
             "DROP TRIGGER payments_no_update;"
             "UPDATE payments SET amount = 20000 WHERE job_id = %lld", (long long)j, (long long)j);
    DB_OK(sql);
    rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld's settlement says partial but its ledger makes it paid",
             (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
}

static void test_verify_finds_phase_changed_behind_its_back(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    char sql[128], want[160];
    snprintf(sql, sizeof sql, "UPDATE service_events SET phase = 'in_progress' WHERE job_id = %lld",
             (long long)j);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld's ServiceEvent is in phase in_progress but its last "
             "audit row says arrived", (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
    /* marking it complete without a record is found too */
    snprintf(sql, sizeof sql, "UPDATE service_events SET phase = 'arrived', complete = 1"
             " WHERE job_id = %lld", (long long)j);
    DB_OK(sql);
    rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld has a complete ServiceEvent and 0 records (want 1)",
             (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
}


/* An attacker who edits a record body also rewrites its hash (it is only a
 * SHA-256 of the body).  The audit log keeps the hash the record was
 * composed with (the `record compose` row), so verify can and must see it. */
static void test_verify_finds_rehashed_record_body(void **state)
{
    rt_fx *f = *state;
    /* first: skipped later, the body it holds would leak */
    SQLITE_ONLY("rewrites a record through SQLite's handle, its trigger dropped");
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    json_t *o = NULL;
    OK(qtm_record_show(f->q, a, &o));
    json_object_set_new(json_object_get(o, "body"), "operator", json_string("bo"));
    char *body = json_dumps(json_object_get(o, "body"), JSON_COMPACT | JSON_SORT_KEYS);
    json_int_t id = rt_ji(o, "id");
    json_decref(o);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)body, strlen(body));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    sqlite3 *db = rt_db_open(f);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER records_no_update", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE records SET body = ?1, hash = ?2 WHERE id = ?3",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(body);
    OK(qtm_record_show(f->q, a, &o));
    assert_string_equal(rt_js(json_object_get(o, "body"), "operator"), "bo");
    json_decref(o);
    json_decref(verify(f, QTM_EVERIFY));
}

/* --- immutability ----------------------------------------------------------- */

static void test_append_only_tables_refuse_update_and_delete(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    static const char *const tables[] = {"requests", "records", "payments", "audit",
                                         "evidence"};
    static const char *const column[] = {"intake", "body", "amount", "action", "ref"};
    char *before = rt_db_dump(f);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[160], err[256];
        int64_t rows;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i]);
        rows = rt_db_int(f, sql);
        assert_true(rows > 0);
        snprintf(sql, sizeof sql, "UPDATE %s SET %s = %s", tables[i], column[i], column[i]);
        assert_int_equal(rt_db_exec(f, sql, err, sizeof err), SQLITE_CONSTRAINT);
        assert_true(strstr(err, "immutable") || strstr(err, "append-only"));
        snprintf(sql, sizeof sql, "DELETE FROM %s", tables[i]);
        assert_int_equal(rt_db_exec(f, sql, err, sizeof err), SQLITE_CONSTRAINT);
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = (SELECT MAX(id) FROM %s)",
                 tables[i], tables[i]);
        assert_int_equal(rt_db_exec(f, sql, err, sizeof err), SQLITE_CONSTRAINT);
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i]);
        assert_int_equal(rt_db_int(f, sql), rows);
    }
    char *after = rt_db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(verify(f, QTM_OK));
}

/* --- refusals change nothing -------------------------------------------------- */

static void test_refusals_change_nothing(void **state)
{
    rt_fx *f = *state;
    int64_t r, t, j, a, b;
    full_lifecycle(f, &a, &b);
    int64_t review = rt_submit(f, EC);
    int64_t approved = rt_submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", approved));
    int64_t run = rt_job_claimed(f, AD, "ana");
    OK(qtm_job_advance(f->q, "ana", run, "arrive"));
    OK(qtm_job_advance(f->q, "ana", run, "start"));
    OK(qtm_job_advance(f->q, "ana", run, "finish"));
    int64_t queued = rt_job_new(f, EC, "ana");
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, "idem", &r, &t));
    qtm_payment neg = {"-1", NULL, "cash", NULL, NULL, 0};
    qtm_payment eur = {"1", "EUR", "cash", NULL, NULL, 0};
    qtm_payment ok = {"1", NULL, "cash", NULL, NULL, 0};
    qtm_payment none = {NULL, NULL, NULL, NULL, NULL, 0};

    /* governance */
    UNCHANGED(QTM_ECONFLICT, qtm_actor_add(f->q, "ana", "operator", NULL));
    UNCHANGED(QTM_EINVALID, qtm_actor_add(f->q, "Bad", "operator", NULL));
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, "cli", EC, "{}", NULL, 0, NULL, &r, &t));
    UNCHANGED(QTM_EREFUSED, qtm_request_submit(f->q, "cli", LS, LS_PACKET, NULL, 0, NULL, &r, &t));
    UNCHANGED(QTM_ECONFLICT, qtm_request_submit(f->q, "cli", AD, AD_PACKET, RT_PHOTO, 1, "idem", &r, &t));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_approve(f->q, "ana", review));
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", approved));
    UNCHANGED(QTM_EUSAGE, qtm_task_reject(f->q, "ada", review, ""));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", approved, "vic"));
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", review, "ana"));
    /* execution */
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", review, &j));
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", approved, &j));
    UNCHANGED(QTM_ECONFLICT, qtm_job_create(f->q, "ada", 1, &j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "bo", queued));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "vic", queued));
    UNCHANGED(QTM_ECONFLICT, qtm_job_claim(f->q, "bo", run));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", queued, "arrive"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "bo", run, "complete"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", run, "complete"));  /* no evidence */
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", run, "dance"));
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", run));
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", a));
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", run, "selfie", RT_PHOTO[0], NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "bo", run, "after", RT_PHOTO[0], NULL));
    UNCHANGED(QTM_EREFUSED, qtm_evidence_add(f->q, "ana", a, "x", RT_PHOTO[0], NULL));
    /* settlement */
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", run, &neg));
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", a, &eur));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "vic", run, &ok));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "bo", run, &ok));
    UNCHANGED(QTM_EUSAGE, qtm_settle(f->q, "ada", run, &none));
    json_decref(verify(f, QTM_OK));
}

/* A failure inside a transaction, after some writes, rolls all of them back. */
static void test_failed_transaction_leaves_nothing(void **state)
{
    SQLITE_ONLY("its failing triggers are SQLite's RAISE(ABORT)");
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    /* the record cannot be stored: the ServiceEvent must not complete either */
    DB_OK("CREATE TRIGGER no_records BEFORE INSERT ON records"
          " BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    char *before = rt_db_dump(f);
    qtm_status st = qtm_job_advance(f->q, "ana", j, "complete");
    assert_int_not_equal(st, QTM_OK);
    assert_int_equal(qtm_errcode(f->q), st);
    char *after = rt_db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    rt_assert_job(f, j, "active", "in_progress");
    /* an audit row that cannot be written stops a claim */
    int64_t k = rt_job_new(f, EC, "ana");
    DB_OK("CREATE TRIGGER no_audit BEFORE INSERT ON audit"
          " BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    before = rt_db_dump(f);
    assert_int_not_equal(qtm_job_claim(f->q, "ana", k), QTM_OK);
    after = rt_db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    DB_OK("DROP TRIGGER no_records; DROP TRIGGER no_audit");
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    OK(qtm_job_claim(f->q, "ana", k));
    json_decref(verify(f, QTM_OK));
}

/* --- opening and the schema ------------------------------------------------ */

static void test_open_newer_schema_refused(void **state)
{
    rt_fx *f = *state;
    OK(qtm_actor_add(f->q, "zed", "operator", NULL));
    qtm_close(f->q);
    f->q = NULL;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", QTM_SCHEMA_VERSION + 1);
    DB_OK(sql);
    char *before = rt_db_dump(f);
    for (unsigned flags = 0; flags <= QTM_OPEN_CREATE; flags += QTM_OPEN_CREATE) {
        qtm *q = NULL;
        assert_int_equal(qtm_open(f->path, flags, &q), QTM_ESTORAGE);
        assert_non_null(q);
        assert_int_equal(qtm_errcode(q), QTM_ESTORAGE);
        char want[64];
        snprintf(want, sizeof want, "schema version %d", QTM_SCHEMA_VERSION + 1);
        assert_non_null(strstr(qtm_errmsg(q), want));
        assert_non_null(strstr(qtm_errmsg(q), "upgrade qtm"));
        /* a refused handle opens nothing */
        json_t *o = NULL;
        assert_int_equal(qtm_actor_list(q, &o), QTM_ESTORAGE);
        assert_null(o);
        qtm_close(q);
    }
    char *after = rt_db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_open_garbage_refused(void **state)
{
    SQLITE_ONLY("a file that is not an SQLite database");
    rt_fx *f = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/garbage.db", f->dir);
    static const char line[] = "this is not a database, just text written over it\n";
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs(line, fp);
    fclose(fp);
    for (unsigned flags = 0; flags <= QTM_OPEN_CREATE; flags += QTM_OPEN_CREATE) {
        qtm *q = NULL;
        assert_int_equal(qtm_open(path, flags, &q), QTM_ESTORAGE);
        assert_non_null(q);
        assert_non_null(strstr(qtm_errmsg(q), "not a database"));
        qtm_close(q);
    }
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 200 * (sizeof line - 1));
}

static void test_open_missing_without_create(void **state)
{
    SQLITE_ONLY("SQLite files that are missing or empty");
    rt_fx *f = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/missing.db", f->dir);
    qtm *q = NULL;
    assert_int_equal(qtm_open(path, 0, &q), QTM_ESTORAGE);
    assert_non_null(q);
    assert_non_null(strstr(qtm_errmsg(q), "run `qtm init`"));
    assert_non_null(strstr(qtm_errmsg(q), path));
    qtm_close(q);
    assert_int_not_equal(access(path, F_OK), 0);
    /* an empty file is not a qtm database either */
    FILE *fp = fopen(path, "w");
    fclose(fp);
    assert_int_equal(qtm_open(path, 0, &q), QTM_ESTORAGE);
    assert_non_null(strstr(qtm_errmsg(q), "not a qtm database"));
    qtm_close(q);
    /* nor is a directory that does not exist */
    snprintf(path, sizeof path, "%s/no/such/dir/qtm.db", f->dir);
    assert_int_equal(qtm_open(path, QTM_OPEN_CREATE, &q), QTM_ESTORAGE);
    qtm_close(q);
}

static void test_open_again_keeps_everything(void **state)
{
    rt_fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    char *before = rt_db_dump(f);
    qtm_close(f->q);
    f->q = NULL;
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);
    qtm_set_clock(f->q, rt_fake_clock, f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), QTM_SCHEMA_VERSION);
    char *after = rt_db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(verify(f, QTM_OK));
    /* the chain continues across handles */
    OK(qtm_job_claim(f->q, "ana", rt_job_new(f, EC, "ana")));
    json_decref(verify(f, QTM_OK));
    /* creating over an existing database changes nothing */
    before = rt_db_dump(f);
    qtm *q2 = NULL;
    assert_int_equal(qtm_open(f->path, QTM_OPEN_CREATE, &q2), QTM_OK);
    qtm_close(q2);
    after = rt_db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_handle_without_database(void **state)
{
    (void)state;
    qtm *q = NULL;
    assert_int_equal(qtm_open(NULL, 0, &q), QTM_OK);
    json_t *o = NULL;
    assert_int_equal(qtm_surfaces(q, &o), QTM_OK);
    assert_true(json_array_size(o) >= 3);
    json_decref(o);
    o = NULL;
    assert_int_equal(qtm_actor_list(q, &o), QTM_ESTORAGE);
    assert_string_equal(qtm_errmsg(q), "no database is open");
    assert_null(o);
    assert_int_equal(qtm_verify(q, &o), QTM_ESTORAGE);
    assert_null(o);
    qtm_close(q);
    qtm_close(NULL);
}

static void test_categories(void **state)
{
    (void)state;
    assert_string_equal(qtm_category(QTM_OK), "ok");
    assert_string_equal(qtm_category(QTM_EVERIFY), "verify");
    assert_string_equal(qtm_category(QTM_EUSAGE), "usage");
    assert_string_equal(qtm_category(QTM_ENOTFOUND), "not found");
    assert_string_equal(qtm_category(QTM_EFORBIDDEN), "forbidden");
    assert_string_equal(qtm_category(QTM_EREFUSED), "refused");
    assert_string_equal(qtm_category(QTM_ECONFLICT), "conflict");
    assert_string_equal(qtm_category(QTM_EINVALID), "invalid input");
    assert_string_equal(qtm_category(QTM_ESTORAGE), "storage");
    assert_int_equal(QTM_ESTORAGE, 10);
}

/* The system clock stamps UTC ISO-8601 with milliseconds when none is set. */
static void test_system_clock_stamps(void **state)
{
    rt_fx *f = *state;
    qtm_set_clock(f->q, NULL, NULL);
    OK(qtm_actor_add(f->q, "zoe", "operator", NULL));
    json_t *row = rt_log_last(f);
    const char *at = rt_js(row, "at");
    assert_int_equal(strlen(at), 24);
    assert_true(at[4] == '-' && at[7] == '-' && at[10] == 'T' && at[13] == ':' && at[16] == ':' &&
                at[19] == '.' && at[23] == 'Z');
    json_decref(row);
    qtm_set_clock(f->q, rt_fake_clock, f);
}

/* With QTM_OPEN_MANUAL_CHECKPOINT commits leave the log alone; a passive
 * checkpoint copies it; a restart lets the next write start it over. */
static void test_manual_checkpoint(void **state)
{
    SQLITE_ONLY("checkpoints are SQLite's WAL");
    rt_fx *f = *state;
    qtm_close(f->q);
    OK(qtm_open(f->path, QTM_OPEN_MANUAL_CHECKPOINT, &f->q));
    qtm_set_clock(f->q, rt_fake_clock, f);
    int pages = -1;
    OK(qtm_checkpoint(f->q, 1, &pages));        /* start from an empty log */
    char slug[32];
    for (int i = 0; i < 1500; i++) {            /* past SQLite's 1,000-page auto checkpoint */
        snprintf(slug, sizeof slug, "op%d", i);
        OK(qtm_actor_add(f->q, slug, "operator", NULL));
    }
    OK(qtm_checkpoint(f->q, 0, &pages));
    assert_true(pages > 1000);                  /* nothing checkpointed it on commit */
    OK(qtm_checkpoint(f->q, 1, &pages));
    OK(qtm_actor_add(f->q, "after", "operator", NULL));
    OK(qtm_checkpoint(f->q, 0, &pages));
    assert_true(pages > 0 && pages < 50);       /* the log started over */
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
    qtm *none = NULL;
    assert_int_equal(qtm_open(NULL, 0, &none), QTM_OK);
    assert_int_equal(qtm_checkpoint(none, 0, &pages), QTM_ESTORAGE);
    assert_int_equal(pages, -1);
    qtm_close(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_every_change_appends_audit_rows),
        TEST(test_audit_rows_are_chained),
        TEST(test_log_by_job),
        TEST_BARE(test_verify_empty_database),
        TEST(test_verify_full_lifecycle),
        TEST(test_verify_finds_edited_audit_row),
        TEST(test_verify_finds_settlement_changed_behind_its_back),
        TEST(test_verify_finds_rehashed_audit_row),
        TEST(test_verify_finds_deleted_audit_row),
        TEST(test_verify_finds_truncated_log),
        TEST(test_verify_finds_edited_record_body),
        TEST(test_verify_finds_deleted_record),
        TEST(test_verify_finds_rehashed_record_body),
        TEST(test_verify_finds_forged_record),
        TEST(test_verify_finds_job_state_changed_behind_its_back),
        TEST(test_verify_finds_phase_changed_behind_its_back),
        TEST(test_append_only_tables_refuse_update_and_delete),
        TEST(test_refusals_change_nothing),
        TEST(test_failed_transaction_leaves_nothing),
        TEST(test_open_newer_schema_refused),
        TEST(test_manual_checkpoint),
        TEST(test_open_garbage_refused),
        TEST(test_open_missing_without_create),
        TEST(test_open_again_keeps_everything),
        TEST_BARE(test_handle_without_database),
        TEST_BARE(test_categories),
        TEST(test_system_clock_stamps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
