/*
 * test_rt_page.c - keyset paging of libqtm's lists against a real SQLite
 * file: first page, next page, the end (next_after 0), the limit's bounds
 * (0 is the default, above QTM_PAGE_MAX refused), after beyond the end, and
 * every paged list: log (all and of one job), tasks by state, actors,
 * records, tokens, the desk's lists and a job's payment ledger, whose
 * summary in the settlement stays bounded however long the ledger grows.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"

/* The ids of a page's rows, in order, into ids[n]; returns the count. */
static size_t page_ids(const json_t *rows, int64_t *ids, size_t n)
{
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o) if (i < n) ids[i] = rt_ji(o, "id");
    return json_array_size(rows);
}

/* --- the log: first, next, last page; bounds ------------------------------- */

static void test_log_pages(void **state)
{
    rt_fx *f = *state;                /* rt_setup added 5 actors: 5 audit rows */
    rt_submit(f, EC);                 /* and 2 more: the request and its task */
    size_t total = rt_log_len(f, 0);
    assert_int_equal(total, 7);
    json_t *a = NULL;
    int64_t next = -1, ids[8];
    qtm_page pg = {0, 4};
    OK(qtm_log_page(f->q, 0, &pg, &a, &next));
    assert_int_equal(page_ids(a, ids, 8), 4);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[3], 4);
    assert_int_equal(next, 4);        /* the last row shown, not the one past it */
    json_decref(a);
    pg.after = next;
    OK(qtm_log_page(f->q, 0, &pg, &a, &next));
    assert_int_equal(page_ids(a, ids, 8), 3);
    assert_int_equal(ids[0], 5);
    assert_int_equal(ids[2], 7);
    assert_int_equal(next, 0);        /* the end */
    json_decref(a);
    /* a page that ends exactly at the last row has no next page either */
    pg.after = 3;
    OK(qtm_log_page(f->q, 0, &pg, &a, &next));
    assert_int_equal(json_array_size(a), 4);
    assert_int_equal(next, 0);
    json_decref(a);
    /* after beyond the end: an empty page, the end */
    pg.after = 1000;
    OK(qtm_log_page(f->q, 0, &pg, &a, &next));
    assert_int_equal(json_array_size(a), 0);
    assert_int_equal(next, 0);
    json_decref(a);
}

static void test_page_bounds(void **state)
{
    rt_fx *f = *state;
    json_t *a = NULL;
    int64_t next = -1;
    qtm_page pg = {0, QTM_PAGE_MAX + 1};
    EXPECT_EXACT(QTM_EUSAGE, "limit takes a whole number from 1 to 1000",
                 qtm_log_page(f->q, 0, &pg, &a, &next));
    assert_null(a);
    assert_int_equal(next, 0);
    pg.limit = 0xFFFFFFFFu;
    EXPECT(QTM_EUSAGE, qtm_task_list_page(f->q, NULL, &pg, &a, &next));
    EXPECT(QTM_EUSAGE, qtm_actor_list_page(f->q, &pg, &a, &next));
    EXPECT(QTM_EUSAGE, qtm_record_list_page(f->q, &pg, &a, &next));
    EXPECT(QTM_EUSAGE, qtm_token_list_page(f->q, &pg, &a, &next));
    EXPECT(QTM_EUSAGE, qtm_desk_page(f->q, NULL, "completed", &pg, &a));
    pg.limit = 1;
    pg.after = -1;
    EXPECT_EXACT(QTM_EUSAGE, "after takes an id (a whole number, 0 or more)",
                 qtm_log_page(f->q, 0, &pg, &a, &next));
    assert_null(a);
    /* the largest page is allowed */
    pg.after = 0;
    pg.limit = QTM_PAGE_MAX;
    OK(qtm_log_page(f->q, 0, &pg, &a, &next));
    assert_int_equal(json_array_size(a), 5);
    assert_int_equal(next, 0);
    json_decref(a);
}

/* Limit 0 and a NULL page are QTM_PAGE_DEFAULT rows: a long list is bounded. */
static void test_page_default_is_bounded(void **state)
{
    rt_fx *f = *state;
    char slug[32];
    for (int i = 0; i < QTM_PAGE_DEFAULT + 20; i++) {
        snprintf(slug, sizeof slug, "op%03d", i);
        OK(qtm_actor_add(f->q, slug, "operator", NULL));
    }
    json_t *a = NULL;
    int64_t next = 0;
    OK(qtm_actor_list_page(f->q, NULL, &a, &next));
    assert_int_equal(json_array_size(a), QTM_PAGE_DEFAULT);
    assert_int_equal(next, rt_ji(json_array_get(a, QTM_PAGE_DEFAULT - 1), "id"));
    json_decref(a);
    qtm_page pg = {next, 0};
    OK(qtm_actor_list_page(f->q, &pg, &a, &next));
    assert_int_equal(json_array_size(a), 5 + 20);  /* the cast of 5, then 120 */
    assert_string_equal(rt_js(json_array_get(a, 24), "slug"), "op119");
    assert_int_equal(next, 0);
    json_decref(a);
    OK(qtm_log_page(f->q, 0, NULL, &a, &next));
    assert_int_equal(json_array_size(a), QTM_PAGE_DEFAULT);
    assert_true(next > 0);
    json_decref(a);
}

/* --- every other list ------------------------------------------------------ */

static void test_log_of_job_pages(void **state)
{
    rt_fx *f = *state;
    int64_t j1 = rt_job_claimed(f, EC, "ana");
    int64_t j2 = rt_job_claimed(f, EC, "bo");
    size_t n1 = rt_log_len(f, j1);
    assert_true(n1 >= 2);
    json_t *a = NULL;
    int64_t next = 0, ids[64];
    qtm_page pg = {0, 1};
    size_t seen = 0;
    do {
        OK(qtm_log_page(f->q, j1, &pg, &a, &next));
        assert_int_equal(json_array_size(a), 1);
        assert_int_equal(rt_ji(json_array_get(a, 0), "job"), j1);  /* never j2's rows */
        page_ids(a, ids + seen, 1);
        seen++;
        json_decref(a);
        pg.after = next;
    } while (next && seen < 64);
    assert_int_equal(seen, n1);
    for (size_t i = 1; i < seen; i++)
        assert_true(ids[i] > ids[i - 1]);
    pg.after = 0;
    EXPECT(QTM_ENOTFOUND, qtm_log_page(f->q, 999, &pg, &a, &next));
    (void)j2;
}

static void test_task_list_pages_by_state(void **state)
{
    rt_fx *f = *state;
    int64_t t[5];
    for (int i = 0; i < 5; i++)
        t[i] = rt_submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t[1]));
    OK(qtm_task_approve(f->q, "ada", t[3]));
    OK(qtm_task_approve(f->q, "ada", t[4]));
    json_t *a = NULL;
    int64_t next = 0, ids[8];
    qtm_page pg = {0, 2};
    OK(qtm_task_list_page(f->q, "approved", &pg, &a, &next));
    assert_int_equal(page_ids(a, ids, 8), 2);
    assert_int_equal(ids[0], t[1]);
    assert_int_equal(ids[1], t[3]);
    assert_int_equal(next, t[3]);
    json_decref(a);
    pg.after = next;
    OK(qtm_task_list_page(f->q, "approved", &pg, &a, &next));
    assert_int_equal(page_ids(a, ids, 8), 1);
    assert_int_equal(ids[0], t[4]);
    assert_int_equal(next, 0);
    json_decref(a);
    EXPECT(QTM_EUSAGE, qtm_task_list_page(f->q, "nope", &pg, &a, &next));
    assert_null(a);
}

static void test_records_and_tokens_page(void **state)
{
    rt_fx *f = *state;
    int64_t j[3];
    for (int i = 0; i < 3; i++)
        j[i] = rt_job_done(f, EC, "ana");
    json_t *a = NULL;
    int64_t next = 0;
    qtm_page pg = {0, 2};
    OK(qtm_record_list_page(f->q, &pg, &a, &next));
    assert_int_equal(json_array_size(a), 2);
    assert_int_equal(rt_ji(json_array_get(a, 0), "job"), j[0]);
    assert_true(next > 0);
    json_decref(a);
    pg.after = next;
    OK(qtm_record_list_page(f->q, &pg, &a, &next));
    assert_int_equal(json_array_size(a), 1);
    assert_int_equal(rt_ji(json_array_get(a, 0), "job"), j[2]);
    assert_int_equal(next, 0);
    json_decref(a);
    char tok[QTM_SECRET_LEN];
    OK(qtm_token_issue(f->q, "ana", tok));
    OK(qtm_token_issue(f->q, "bo", tok));
    OK(qtm_token_issue(f->q, "ada", tok));
    pg.after = 0;
    OK(qtm_token_list_page(f->q, &pg, &a, &next));
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(rt_js(json_array_get(a, 1), "actor"), "bo");
    assert_int_equal(next, rt_ji(json_array_get(a, 1), "id"));
    json_decref(a);
    pg.after = next;
    OK(qtm_token_list_page(f->q, &pg, &a, &next));
    assert_int_equal(json_array_size(a), 1);
    assert_string_equal(rt_js(json_array_get(a, 0), "actor"), "ada");
    assert_int_equal(next, 0);
    json_decref(a);
}

/* --- the desk: each list bounded, one list paged --------------------------- */

static void test_desk_lists_page(void **state)
{
    rt_fx *f = *state;
    int64_t done[3], queued = rt_job_new(f, EC, "ana");
    for (int i = 0; i < 3; i++)
        done[i] = rt_job_done(f, EC, "ana");
    rt_job_done(f, EC, "bo");       /* not on ana's desk */
    json_t *d = NULL;
    qtm_page pg = {0, 2};
    OK(qtm_desk_page(f->q, "ana", NULL, &pg, &d));
    json_t *c = json_object_get(d, "completed"), *next = json_object_get(d, "next_after");
    assert_int_equal(json_array_size(c), 2);
    assert_int_equal(rt_ji(json_array_get(c, 0), "id"), done[0]);
    assert_int_equal(rt_ji(next, "completed"), done[1]);
    assert_true(json_is_null(json_object_get(next, "queued")));
    assert_true(json_is_null(json_object_get(next, "active")));
    assert_true(json_is_null(json_object_get(next, "ready")));
    assert_int_equal(json_array_size(json_object_get(d, "ready")), 0);
    assert_int_equal(rt_ji(json_array_get(json_object_get(d, "queued"), 0), "id"), queued);
    json_decref(d);
    pg.after = done[1];
    OK(qtm_desk_page(f->q, "ana", "completed", &pg, &d));
    c = json_object_get(d, "completed");
    assert_int_equal(json_array_size(c), 1);
    assert_int_equal(rt_ji(json_array_get(c, 0), "id"), done[2]);  /* bo's job skipped */
    assert_null(json_object_get(d, "queued"));
    assert_true(json_is_null(json_object_get(json_object_get(d, "next_after"), "completed")));
    json_decref(d);
    /* the admin's desk sees bo's job too */
    OK(qtm_desk_page(f->q, NULL, "completed", &pg, &d));
    assert_int_equal(json_array_size(json_object_get(d, "completed")), 2);
    json_decref(d);
    EXPECT_EXACT(QTM_EUSAGE, "unknown desk list 'done' (queued, active, ready, completed)",
                 qtm_desk_page(f->q, "ana", "done", &pg, &d));
    assert_null(d);
    EXPECT(QTM_EUSAGE, qtm_desk_page(f->q, "ana", NULL, &pg, &d));  /* after needs a list */
    EXPECT(QTM_ENOTFOUND, qtm_desk_page(f->q, "nobody", "completed", &pg, &d));
}

/* --- the ledger: summary bounded, the whole of it paged ---------------------- */

static void test_ledger_summary_and_pages(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = {"1.00", NULL, "cash", NULL, NULL, 0};
    for (int i = 0; i < 12; i++)
        OK(qtm_settle(f->q, "ana", j, &p));
    json_t *s = NULL;
    OK(qtm_settlement_show(f->q, j, &s));
    assert_int_equal(rt_ji(s, "payment_count"), 12);
    assert_string_equal(rt_js(s, "paid"), "12.00");
    json_t *recent = json_object_get(s, "payments");
    assert_int_equal(json_array_size(recent), QTM_RECENT_PAYMENTS);
    int64_t last = rt_db_int(f, "SELECT MAX(id) FROM payments");
    assert_int_equal(rt_ji(json_array_get(recent, QTM_RECENT_PAYMENTS - 1), "id"), last);
    assert_int_equal(rt_ji(json_array_get(recent, 0), "id"), last - QTM_RECENT_PAYMENTS + 1);
    json_decref(s);
    /* job show carries the same summary */
    json_t *show = rt_job_show(f, j);
    assert_int_equal(json_array_size(json_object_get(json_object_get(show, "settlement"),
                                                     "payments")), QTM_RECENT_PAYMENTS);
    json_decref(show);
    /* the whole ledger, 5 at a time: 5, 5, 2 */
    json_t *a = NULL;
    int64_t next = 0;
    qtm_page pg = {0, 5};
    size_t sizes[3], n = 0;
    do {
        OK(qtm_settlement_payments(f->q, j, &pg, &a, &next));
        sizes[n++] = json_array_size(a);
        assert_string_equal(rt_js(json_array_get(a, 0), "amount"), "1.00");
        assert_string_equal(rt_js(json_array_get(a, 0), "actor"), "ana");
        json_decref(a);
        pg.after = next;
    } while (next && n < 3);
    assert_int_equal(n, 3);
    assert_int_equal(sizes[0], 5);
    assert_int_equal(sizes[1], 5);
    assert_int_equal(sizes[2], 2);
    assert_int_equal(next, 0);
    /* a job without payments: an empty ledger; no job: not found */
    int64_t other = rt_job_claimed(f, EC, "bo");
    pg.after = 0;
    OK(qtm_settlement_payments(f->q, other, &pg, &a, &next));
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    EXPECT(QTM_ENOTFOUND, qtm_settlement_payments(f->q, 999, &pg, &a, &next));
    assert_null(a);
    pg.limit = QTM_PAGE_MAX + 1;
    UNCHANGED(QTM_EUSAGE, qtm_settlement_payments(f->q, j, &pg, &a, &next));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_log_pages),
        TEST(test_page_bounds),
        TEST(test_page_default_is_bounded),
        TEST(test_log_of_job_pages),
        TEST(test_task_list_pages_by_state),
        TEST(test_records_and_tokens_page),
        TEST(test_desk_lists_page),
        TEST(test_ledger_summary_and_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
