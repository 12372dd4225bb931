/*
 * test_rt_joblist.c - finding work: qtm_job_list_page and qtm_job_list_as
 * against a real SQLite file.  Each filter alone and together, every
 * driving query (operator, search, state, surface, none) answering the
 * same rows as the plain id order would, keyset paging (next_after only
 * when a row lies past the page), the read rule (admins all, an operator
 * only the jobs they hold, nobody else any), and the refusals, each
 * leaving the database unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"

/* The ids of a list, as "1,2,3". */
static char *ids(json_t *rows)
{
    static char buf[512];
    size_t i, n = 0;
    json_t *o;
    buf[0] = '\0';
    json_array_foreach(rows, i, o)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%lld", i ? "," : "",
                              (long long)rt_ji(o, "id"));
    return buf;
}

static void expect_ids(rt_fx *f, const qtm_job_filter *flt, const char *want)
{
    json_t *rows = NULL;
    int64_t next = -1;
    OK(qtm_job_list_page(f->q, flt, NULL, &rows, &next));
    assert_string_equal(ids(rows), want);
    assert_int_equal(next, 0);
    json_decref(rows);
}

/* Jobs 1-4: 1 ana claimed and on site, 2 ana queued, 3 bo claimed, 4 bo queued. */
static void four_jobs(rt_fx *f)
{
    int64_t a = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", a, "arrive"));
    rt_job_new(f, EC, "ana");
    rt_job_claimed(f, EC, "bo");
    rt_job_new(f, EC, "bo");
}

static void test_list_filters(void **state)
{
    rt_fx *f = *state;
    four_jobs(f);
    expect_ids(f, NULL, "1,2,3,4");
    expect_ids(f, &(qtm_job_filter){.state = "queued"}, "2,4");
    expect_ids(f, &(qtm_job_filter){.state = "active"}, "1,3");
    expect_ids(f, &(qtm_job_filter){.state = "complete"}, "");
    expect_ids(f, &(qtm_job_filter){.state = "ready"}, "");
    expect_ids(f, &(qtm_job_filter){.surface = EC}, "1,2,3,4");
    expect_ids(f, &(qtm_job_filter){.surface = AD}, "");
    expect_ids(f, &(qtm_job_filter){.operator_slug = "ana"}, "1,2");
    expect_ids(f, &(qtm_job_filter){.operator_slug = "bo", .state = "queued"}, "4");
    expect_ids(f, &(qtm_job_filter){.phase = "arrived"}, "1");
    expect_ids(f, &(qtm_job_filter){.phase = "queued"}, "2,4");
    expect_ids(f, &(qtm_job_filter){.phase = "claimed", .operator_slug = "bo"}, "3");
    /* the intake's text: the packet names the venue and the contact */
    expect_ids(f, &(qtm_job_filter){.q = "laguna gloria"}, "1,2,3,4");
    expect_ids(f, &(qtm_job_filter){.q = "LAGUNA", .state = "queued"}, "2,4");
    expect_ids(f, &(qtm_job_filter){.q = "ana morales", .operator_slug = "bo"}, "3,4");
    expect_ids(f, &(qtm_job_filter){.q = "no such venue"}, "");
    expect_ids(f, &(qtm_job_filter){.q = "\"; DROP TABLE jobs; --"}, "");
    /* the keys are field values, not names */
    expect_ids(f, &(qtm_job_filter){.q = "service_area"}, "");
    json_t *rows = NULL;
    int64_t next;
    OK(qtm_job_list_page(f->q, NULL, NULL, &rows, &next));
    json_t *r = json_array_get(rows, 1);
    assert_string_equal(rt_js(r, "phase"), "queued");
    assert_string_equal(rt_js(r, "label"), "Queued");
    assert_string_equal(rt_js(r, "assignee"), "ana");
    assert_string_equal(rt_js(r, "settlement"), "unpaid");
    assert_null(json_object_get(r, "fingerprint"));
    json_decref(rows);
}

/* Every driving query pages the same way: limit rows, next_after the last
 * shown when more lie past it, 0 at the end. */
static void test_list_paging(void **state)
{
    rt_fx *f = *state;
    for (int i = 0; i < 5; i++)
        rt_job_new(f, EC, "ana");      /* 1-5, all queued for ana */
    static const qtm_job_filter drivers[] = {
        {0}, {.state = "queued"}, {.surface = EC}, {.operator_slug = "ana"}, {.q = "laguna"}};
    for (size_t d = 0; d < sizeof drivers / sizeof drivers[0]; d++) {
        qtm_page pg = {0, 2};
        const char *want[] = {"1,2", "3,4", "5"};
        int64_t nexts[] = {2, 4, 0};
        for (int p = 0; p < 3; p++) {
            json_t *rows = NULL;
            int64_t next = -1;
            OK(qtm_job_list_page(f->q, &drivers[d], &pg, &rows, &next));
            assert_string_equal(ids(rows), want[p]);
            assert_int_equal(next, nexts[p]);
            json_decref(rows);
            pg.after = next;
        }
    }
}

static void test_list_as_reader(void **state)
{
    rt_fx *f = *state;
    four_jobs(f);
    json_t *rows = NULL;
    int64_t next;
    OK(qtm_job_list_as(f->q, "ada", 0, NULL, NULL, &rows, &next));
    assert_string_equal(ids(rows), "1,2,3,4");
    json_decref(rows);
    OK(qtm_job_list_as(f->q, "ada", 1, NULL, NULL, &rows, &next));
    assert_string_equal(ids(rows), "");
    json_decref(rows);
    OK(qtm_job_list_as(f->q, "ana", 0, NULL, NULL, &rows, &next));
    assert_string_equal(ids(rows), "1,2");
    json_decref(rows);
    OK(qtm_job_list_as(f->q, "bo", 0, &(qtm_job_filter){.operator_slug = "bo"}, NULL, &rows,
                       &next));
    assert_string_equal(ids(rows), "3,4");
    json_decref(rows);
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_list_as(f->q, "ana", 0,
                                              &(qtm_job_filter){.operator_slug = "bo"}, NULL,
                                              &rows, &next));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_list_as(f->q, "cli", 0, NULL, NULL, &rows, &next));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_list_as(f->q, "vic", 0, NULL, NULL, &rows, &next));
    UNCHANGED(QTM_ENOTFOUND, qtm_job_list_as(f->q, "nobody", 0, NULL, NULL, &rows, &next));
    OK(qtm_actor_set_access(f->q, "bo", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_list_as(f->q, "bo", 0, NULL, NULL, &rows, &next));
    /* an admin finds a suspended operator's work */
    OK(qtm_job_list_as(f->q, "ada", 0, &(qtm_job_filter){.operator_slug = "bo"}, NULL, &rows,
                       &next));
    assert_string_equal(ids(rows), "3,4");
    json_decref(rows);
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    OK(qtm_job_list_as(f->q, "ana", 0, NULL, NULL, &rows, &next));
    assert_string_equal(ids(rows), "1,2");
    json_decref(rows);
}

static void test_list_refusals(void **state)
{
    rt_fx *f = *state;
    four_jobs(f);
    json_t *rows = NULL;
    int64_t next;
    UNCHANGED(QTM_EUSAGE, qtm_job_list_page(f->q, &(qtm_job_filter){.state = "done"}, NULL, &rows,
                                            &next));
    UNCHANGED(QTM_ENOTFOUND, qtm_job_list_page(f->q, &(qtm_job_filter){.surface = "x"}, NULL,
                                               &rows, &next));
    UNCHANGED(QTM_ENOTFOUND, qtm_job_list_page(f->q, &(qtm_job_filter){.operator_slug = "zz"},
                                               NULL, &rows, &next));
    UNCHANGED(QTM_EUSAGE, qtm_job_list_page(f->q, &(qtm_job_filter){.phase = "landed"}, NULL,
                                            &rows, &next));
    UNCHANGED(QTM_EUSAGE, qtm_job_list_page(f->q, &(qtm_job_filter){.q = "ab"}, NULL, &rows,
                                            &next));
    UNCHANGED(QTM_EINVALID, qtm_job_list_page(f->q, &(qtm_job_filter){.q = "\xff\xfe\xfd"}, NULL,
                                              &rows, &next));
    qtm_page bad = {-1, 10};
    UNCHANGED(QTM_EUSAGE, qtm_job_list_page(f->q, NULL, &bad, &rows, &next));
    assert_null(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_list_filters),
        TEST(test_list_paging),
        TEST(test_list_as_reader),
        TEST(test_list_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
