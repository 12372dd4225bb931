/*
 * test_rt_tamper.c - the tamper matrix of schema v4: in a fresh copy of a
 * finished database (the seed's auto-detailing example through the API, and
 * the same written by the schema-v3 qtm then migrated), drop every trigger,
 * edit one governed column, delete one row, insert one row or cut the audit
 * log's tail, and `verify` must fail with a finding naming the row.  Also:
 * the v3 -> v4 migration itself, and that work continues chained after it.
 */
#include "rt_fixture.h"
#include "rt_v3_finished.h"

#include <stdio.h>
#include <unistd.h>

/* One tampering: the SQL an attacker with write access runs (after every
 * trigger is dropped) and a fragment of the finding verify must report. */
typedef struct tamper {
    const char *sql;
    const char *want;
} tamper;

#define EDIT(table, set, where, kind) \
    {"UPDATE " table " SET " set " WHERE " where, kind " is not what its last audit row"}
#define GONE(table, where, kind) {"DELETE FROM " table " WHERE " where, kind " was deleted"}

/* Every governed column of every governed table, in schema order.  Ids are
 * those of the finished database (finished() checks them).  Left out, on
 * purpose: tokens.last_used_at (stamped on use, not audited) and the
 * sessions table (short-lived web sessions, not governed). */
static const tamper matrix[] = {
    EDIT("actors", "slug = 'anna'", "id = 2", "actor 2"),
    EDIT("actors", "name = 'Mallory'", "id = 2", "actor 2"),
    EDIT("actors", "role = 'admin'", "id = 2", "actor 2"),
    EDIT("actors", "access = 'active'", "id = 5", "actor 5"),
    EDIT("actors", "created_at = '2020-01-01T00:00:00Z'", "id = 2", "actor 2"),
    EDIT("requests", "surface = 'event-coordination'", "id = 1", "request 1"),
    EDIT("requests", "fingerprint = fingerprint || '0'", "id = 1", "request 1"),
    EDIT("requests", "intake = replace(intake, 'a', 'o')", "id = 1", "request 1"),
    EDIT("requests", "photos = photos + 1", "id = 1", "request 1"),
    EDIT("requests", "idem_key = 'forged'", "id = 1", "request 1"),
    EDIT("requests", "actor_id = 2", "id = 1", "request 1"),
    EDIT("requests", "created_at = '2020-01-01T00:00:00Z'", "id = 1", "request 1"),
    EDIT("tasks", "request_id = 99", "id = 1", "task 1"),
    EDIT("tasks", "state = 'closed'", "id = 1", "task 1"),
    EDIT("tasks", "assignee_id = 3", "id = 1", "task 1"),
    EDIT("tasks", "reason = 'none'", "id = 2", "task 2"),
    EDIT("tasks", "created_at = '2020-01-01T00:00:00Z'", "id = 1", "task 1"),
    EDIT("tasks", "updated_at = '2020-01-01T00:00:00Z'", "id = 1", "task 1"),
    EDIT("jobs", "task_id = 99", "id = 1", "job 1"),
    EDIT("jobs", "surface = 'event-coordination'", "id = 1", "job 1"),
    EDIT("jobs", "fingerprint = fingerprint || '0'", "id = 1", "job 1"),
    EDIT("jobs", "state = 'active'", "id = 1", "job 1"),
    EDIT("jobs", "owner_id = 3", "id = 1", "job 1"),
    EDIT("jobs", "created_at = '2020-01-01T00:00:00Z'", "id = 1", "job 1"),
    EDIT("jobs", "claimed_at = NULL", "id = 1", "job 1"),
    EDIT("jobs", "completed_at = '2020-01-01T00:00:00Z'", "id = 1", "job 1"),
    EDIT("service_events", "job_id = 99", "id = 1", "service_event 1 (job 99)"),
    EDIT("service_events", "phase = 'evidence'", "id = 1", "service_event 1 (job 1)"),
    EDIT("service_events", "operator_id = 3", "id = 1", "service_event 1 (job 1)"),
    EDIT("service_events", "complete = 0", "id = 1", "service_event 1 (job 1)"),
    EDIT("service_events", "started_at = '2020-01-01T00:00:00Z'", "id = 1",
         "service_event 1 (job 1)"),
    EDIT("service_events", "completed_at = NULL", "id = 1", "service_event 1 (job 1)"),
    EDIT("evidence", "job_id = 99", "id = 2", "evidence 2 (job 99)"),
    EDIT("evidence", "category = 'after'", "id = 2", "evidence 2 (job 1)"),
    EDIT("evidence", "ref = 'other.jpg'", "id = 2", "evidence 2 (job 1)"),
    EDIT("evidence", "note = 'back'", "id = 2", "evidence 2 (job 1)"),
    EDIT("evidence", "actor_id = 3", "id = 2", "evidence 2 (job 1)"),
    EDIT("evidence", "at = '2020-01-01T00:00:00Z'", "id = 2", "evidence 2 (job 1)"),
    EDIT("participants", "job_id = 99", "id = 1", "participant 1 (job 99)"),
    EDIT("participants", "name = 'Mallory'", "id = 1", "participant 1 (job 1)"),
    EDIT("participants", "role = 'owner'", "id = 1", "participant 1 (job 1)"),
    EDIT("participants", "contact = NULL", "id = 1", "participant 1 (job 1)"),
    EDIT("participants", "actor_id = 3", "id = 1", "participant 1 (job 1)"),
    EDIT("participants", "at = '2020-01-01T00:00:00Z'", "id = 1", "participant 1 (job 1)"),
    EDIT("records", "job_id = 99", "id = 1", "record 1 (job 99)"),
    EDIT("records", "se_id = 99", "id = 1", "record 1 (job 1)"),
    EDIT("records", "surface = 'event-coordination'", "id = 1", "record 1 (job 1)"),
    EDIT("records", "body = replace(body, 'ana', 'bo')", "id = 1", "record 1 (job 1)"),
    EDIT("records", "hash = '00'", "id = 1", "record 1 (job 1)"),
    EDIT("records", "created_at = '2020-01-01T00:00:00Z'", "id = 1", "record 1 (job 1)"),
    EDIT("settlements", "currency = 'EUR'", "job_id = 1", "settlement of job 1"),
    EDIT("settlements", "due = due + 1", "job_id = 1", "settlement of job 1"),
    EDIT("settlements", "status = 'waived'", "job_id = 1", "settlement of job 1"),
    EDIT("settlements", "updated_at = '2020-01-01T00:00:00Z'", "job_id = 1",
         "settlement of job 1"),
    /* each payment: the settlement's image holds the whole ledger */
    EDIT("payments", "job_id = 99", "id = 1", "settlement of job 1"),
    EDIT("payments", "amount = amount + 1", "id = 1", "settlement of job 1"),
    EDIT("payments", "amount = amount - 1", "id = 2", "settlement of job 1"),
    EDIT("payments", "currency = 'EUR'", "id = 2", "settlement of job 1"),
    EDIT("payments", "method = 'wire'", "id = 1", "settlement of job 1"),
    EDIT("payments", "note = 'tip'", "id = 1", "settlement of job 1"),
    EDIT("payments", "actor_id = 3", "id = 1", "settlement of job 1"),
    EDIT("payments", "at = '2020-01-01T00:00:00Z'", "id = 1", "settlement of job 1"),
    EDIT("tokens", "actor_id = 2", "id = 1", "token 1"),
    EDIT("tokens", "hash = hash || '0'", "id = 1", "token 1"),
    EDIT("tokens", "created_at = '2020-01-01T00:00:00Z'", "id = 1", "token 1"),
    EDIT("tokens", "expires_at = NULL", "id = 1", "token 1"),
    /* revoked_at: a revoke is audited on the actor, whose image holds it */
    EDIT("tokens", "revoked_at = NULL", "id = 2", "actor 4"),
    EDIT("tokens", "revoked_at = '2026-01-01T00:00:00Z'", "id = 1", "actor 3"),
    /* a row of each governed table deleted */
    GONE("actors", "id = 4", "actor 4"),
    GONE("requests", "id = 2", "request 2"),
    GONE("tasks", "id = 2", "task 2"),
    GONE("jobs", "id = 1", "job 1"),
    GONE("service_events", "id = 1", "service_event 1 (job 1)"),
    GONE("evidence", "id = 3", "evidence 3 (job 1)"),
    GONE("participants", "id = 1", "participant 1 (job 1)"),
    GONE("records", "id = 1", "record 1 (job 1)"),
    GONE("settlements", "job_id = 1", "settlement 1"),
    {"DELETE FROM payments WHERE id = 2", "settlement of job 1 is not what its last audit row"},
    GONE("tokens", "id = 2", "token 2"),
    /* rows written outside qtm */
    {"INSERT INTO participants(job_id, name, role, actor_id, at)"
     " VALUES(1, 'Mallory', 'owner', 2, '2026-01-01T00:00:00Z')",
     "participant 2 (job 1) has no audit row"},
    {"INSERT INTO actors(slug, name, role, created_at)"
     " VALUES('mallory', 'Mallory', 'admin', '2026-01-01T00:00:00Z')",
     "actor 6 has no audit row"},
    {"INSERT INTO payments(job_id, amount, currency, method, actor_id, at)"
     " VALUES(1, 100, 'USD', 'cash', 1, '2026-01-01T00:00:00Z')",
     "settlement of job 1 is not what its last audit row"},
    /* the audit log's tail, and its head */
    {"DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)",
     "(rows deleted from its tail)"},
    {"DELETE FROM audit WHERE id > (SELECT MAX(id) - 5 FROM audit)",
     "(rows deleted from its tail)"},
    {"DELETE FROM chain_head", "the audit log has no chain head"},
};

/* Drops every trigger, as an attacker with write access would. */
static void drop_triggers(rt_fx *f)
{
    sqlite3 *db = rt_db_open(f);
    sqlite3_stmt *st = NULL;
    char sql[256];
    for (;;) {
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master"
                                                " WHERE type = 'trigger' LIMIT 1", -1, &st, NULL),
                         SQLITE_OK);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            snprintf(sql, sizeof sql, "DROP TRIGGER \"%s\"", sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            break;
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_close(db);
}

/* The finished database through the API (after rt_setup: ada, ana, bo, vic,
 * cli are actors 1 to 5), the same steps the v3 dump took. */
static void finished(rt_fx *f)
{
    char tok[QTM_SECRET_LEN];
    int64_t r, t, j = rt_job_claimed(f, AD, "ana");
    int n;
    assert_int_equal(j, 1);
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_evidence_add(f->q, "ana", j, "arrival", RT_PHOTO[0], NULL));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    OK(qtm_evidence_add(f->q, "ana", j, "before", RT_PHOTO[0], "front"));
    OK(qtm_participant_add(f->q, "ana", j, "Vic Florist", "florist", "vic@example.com"));
    OK(qtm_job_advance(f->q, "ana", j, "finish"));
    OK(qtm_evidence_add(f->q, "ana", j, "after", RT_PHOTO[0], NULL));
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    OK(qtm_job_complete(f->q, "ana", j));
    qtm_payment p1 = {"50", NULL, "cash", NULL, "180", 0}, p2 = {"130", NULL, "card", NULL, NULL, 0};
    OK(qtm_settle(f->q, "ada", j, &p1));
    OK(qtm_settle(f->q, "ada", j, &p2));
    OK(qtm_token_issue_expiring(f->q, "bo", 3600, tok));
    OK(qtm_token_issue(f->q, "vic", tok));
    OK(qtm_token_revoke(f->q, "vic", &n));
    OK(qtm_actor_set_access(f->q, "cli", "limited"));
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, NULL, &r, &t));
    assert_int_equal(t, 2);
    OK(qtm_task_reject(f->q, "ada", t, "duplicate"));
}

/* Replaces the fixture's database with the v3 dump, opened (and so
 * migrated) by this qtm. */
static void load_v3(rt_fx *f)
{
    SQLITE_ONLY("replaces the SQLite file with a v3 one");
    char side[224];
    qtm_close(f->q);
    f->q = NULL;
    unlink(f->path);
    snprintf(side, sizeof side, "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f->path);
    unlink(side);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, V3_FINISHED_SQL, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), 3);
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);  /* OK() would read f->q first */
    qtm_set_clock(f->q, rt_fake_clock, f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), QTM_SCHEMA_VERSION);
}

static json_t *verify(rt_fx *f, qtm_status want)
{
    json_t *rep = NULL;
    EXPECT(want, qtm_verify(f->q, &rep));
    assert_non_null(rep);
    return rep;
}

/* The finding that contains want, or fails the test listing them all. */
static void assert_finding_has(json_t *rep, const char *want, const char *sql)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(rep, "findings"), i, v)
        if (strstr(json_string_value(v), want))
            return;
    char *all = json_dumps(json_object_get(rep, "findings"), JSON_INDENT(2));
    print_error("after `%s`: no finding with '%s' in\n%s\n", sql, want, all);
    free(all);
    fail();
}

/* Each tampering in its own fresh database, built by build. */
static void run_matrix(void (*build)(rt_fx *))
{
    for (size_t i = 0; i < sizeof matrix / sizeof *matrix; i++) {
        void *st = NULL;
        assert_int_equal(rt_setup(&st), 0);
        rt_fx *f = st;
        build(f);
        drop_triggers(f);
        json_decref(verify(f, QTM_OK));  /* dropping the triggers is no finding */
        char err[256];
        if (rt_db_exec(f, matrix[i].sql, err, sizeof err) != SQLITE_OK) {
            print_error("`%s`: %s\n", matrix[i].sql, err);
            fail();
        }
        json_t *rep = verify(f, QTM_EVERIFY);
        assert_finding_has(rep, matrix[i].want, matrix[i].sql);
        json_decref(rep);
        rt_teardown(&st);
    }
}

static void test_matrix_on_a_v4_database(void **state)
{
    (void)state;
    /* first: a skip from inside the matrix would leave its fixture behind */
    SQLITE_ONLY("drops every trigger through SQLite's handle (sqlite_master)");
    run_matrix(finished);
}

static void test_matrix_on_a_migrated_v3_database(void **state)
{
    (void)state;
    SQLITE_ONLY("replaces the SQLite file with a v3 one");
    run_matrix(load_v3);
}

/* The migration: images of the rows as they stand, the head at the last
 * row, and what comes after is chained with images. */
static void test_v3_migrates_and_verifies(void **state)
{
    rt_fx *f = *state;
    load_v3(f);
    json_t *rep = verify(f, QTM_OK);
    assert_int_equal(rt_ji(rep, "audit_rows"), 31);
    json_decref(rep);
    assert_int_equal(rt_db_int(f, "SELECT seq FROM chain_head"), 31);
    assert_int_equal(rt_db_int(f, "SELECT legacy_seq FROM chain_head"), 31);
    /* the last audit row of every governed row has its image, no other */
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM audit WHERE image IS NOT NULL"),
                     rt_db_int(f, "SELECT COUNT(*) FROM (SELECT 1 FROM audit GROUP BY CASE entity"
                                  " WHEN 'fingerprint' THEN 'job' ELSE entity END, entity_id)"));
    char *hash = rt_db_text(f, "SELECT hash FROM audit WHERE id = 31");
    char *head = rt_db_text(f, "SELECT hash FROM chain_head");
    assert_string_equal(hash, head);
    free(hash);
    free(head);
    /* work goes on, chained with images */
    int64_t t = 0, r = 0, j = 0;
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, NULL, 0, NULL, &r, &t));
    OK(qtm_task_approve(f->q, "admin", t));
    OK(qtm_task_assign(f->q, "admin", t, "bo"));
    OK(qtm_job_create(f->q, "admin", t, &j));
    OK(qtm_job_claim(f->q, "bo", j));
    json_decref(verify(f, QTM_OK));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM audit WHERE id > 31 AND image IS NULL"), 0);
    /* and an edit after the migration is seen, triggers or not */
    drop_triggers(f);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE jobs SET owner_id = 2 WHERE id = %lld", (long long)j);
    DB_OK(sql);
    rep = verify(f, QTM_EVERIFY);
    snprintf(sql, sizeof sql, "job %lld is not what its last audit row", (long long)j);
    assert_finding_has(rep, sql, "owner_id");
    json_decref(rep);
}

/* The image is chained: rewriting an audit row's image to match an edited
 * row breaks that row's hash. */
static void test_image_is_chained(void **state)
{
    rt_fx *f = *state;
    finished(f);
    drop_triggers(f);
    DB_OK("UPDATE jobs SET owner_id = 3 WHERE id = 1");
    int64_t last = rt_db_int(f, "SELECT MAX(id) FROM audit WHERE entity = 'job' AND entity_id = 1");
    json_t *rep = NULL;
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE audit SET image = 'forged' WHERE id = %lld", (long long)last);
    DB_OK(sql);
    rep = verify(f, QTM_EVERIFY);
    snprintf(sql, sizeof sql, "audit row %lld was altered", (long long)last);
    assert_finding_has(rep, sql, "UPDATE audit SET image");
    json_decref(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_on_a_v4_database),
        cmocka_unit_test(test_matrix_on_a_migrated_v3_database),
        TEST(test_v3_migrates_and_verifies),
        TEST(test_image_is_chained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
