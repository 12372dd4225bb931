/*
 * test_rt_pg.c - what only the PostgreSQL backend has, against a real
 * server (QTM_TEST_DB; every test skips on SQLite): the schema fence that
 * stops a qtm still running after a migration from writing, TRUNCATE
 * refused on the append-only tables (it skips row triggers), the chain
 * head checked against the end of the log, audit ids that stay the chain's
 * gap-free positions when a transaction rolls back, and the server's
 * answers to the controls (one writer or many, the connection budget).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"

static void pg_only(void)
{
    if (!rt_on_pg()) {
        printf("# PostgreSQL only: QTM_TEST_DB is not set\n");
        skip();
    }
}

/* A migration by a newer qtm moved the schema on while this handle was
 * open: its next write is refused before anything is written. */
static void test_fence_stops_an_old_writer(void **state)
{
    rt_fx *f = *state;
    pg_only();
    DB_OK("UPDATE chain_head SET schema = schema + 1 WHERE id = 1");
    UNCHANGED(QTM_ESTORAGE, qtm_actor_add(f->q, "late", "operator", NULL));
    assert_non_null(strstr(qtm_errmsg(f->q), "refuses to write"));
    /* reads still work, and writes again once the schema is this qtm's */
    assert_int_equal(rt_task_count(f, NULL), 0);
    DB_OK("UPDATE chain_head SET schema = schema - 1 WHERE id = 1");
    OK(qtm_actor_add(f->q, "late", "operator", NULL));
}

/* TRUNCATE skips row triggers: statement triggers refuse it. */
static void test_truncate_refused(void **state)
{
    rt_fx *f = *state;
    pg_only();
    rt_job_done(f, EC, "ana");
    static const char *const tables[] = {"audit", "requests", "records", "payments",
                                         "evidence", "handoffs", "notes", "keys",
                                         "record_signatures", "request_photos", "chain_head"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128], err[512];
        snprintf(sql, sizeof sql, "TRUNCATE %s CASCADE", tables[i]);
        free(f->dump);
        f->dump = rt_db_dump(f);
        if (rt_db_exec(f, sql, err, sizeof err) == 0)
            fail_msg("TRUNCATE %s was allowed", tables[i]);
        char *after = rt_db_dump(f);
        if (strcmp(after, f->dump) != 0)
            rt_dump_differs(f, after, sql, __FILE__, __LINE__);
        free(after);
    }
}

/* Dropping the log's tail and moving nothing else: the head says so. */
static void test_integrity_checks_the_head(void **state)
{
    rt_fx *f = *state;
    pg_only();
    rt_job_done(f, EC, "ana");
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
    DB_OK("UPDATE chain_head SET seq = seq + 1 WHERE id = 1");
    assert_int_equal(qtm_verify(f->q, &rep), QTM_EVERIFY);
    char *all = json_dumps(rep, 0);
    assert_non_null(strstr(all, "storage integrity: the chain head"));
    free(all);
    json_decref(rep);
}

/* A refused command (it wrote, then rolled back) leaves no gap in the
 * chain: ids are positions taken under the head, not a sequence's. */
static void test_audit_ids_gap_free(void **state)
{
    rt_fx *f = *state;
    pg_only();
    int64_t j = rt_job_claimed(f, EC, "ana");
    EXPECT(QTM_EFORBIDDEN, qtm_job_advance(f->q, "bo", j, "arrive"));
    EXPECT(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM audit"),
                     rt_db_int(f, "SELECT MAX(id) FROM audit"));
    assert_int_equal(rt_db_int(f, "SELECT seq FROM chain_head"),
                     rt_db_int(f, "SELECT MAX(id) FROM audit"));
}

static void test_controls(void **state)
{
    rt_fx *f = *state;
    pg_only();
    assert_int_equal(qtm_single_writer(f->q), 0);
    OK(qtm_ping(f->q));
    int max = 0, used = 0;
    OK(qtm_connections(f->q, &max, &used));
    assert_true(max > 0);
    assert_true(used >= 1 && used <= max);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_fence_stops_an_old_writer),
        TEST(test_truncate_refused),
        TEST(test_integrity_checks_the_head),
        TEST(test_audit_ids_gap_free),
        TEST(test_controls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
