/*
 * test_rt_reversal.c - settlement, visible and correctable (schema v5):
 * the correcting entry (qtm_settle_reverse) and its rules (its own job's
 * payment, never a reversal, once, with a reason, owner or admin), the
 * status it leaves, overpayment shown as such, the settlement list with
 * its filters and paging, verify accepting reversals and catching a
 * forged one, and a v4 ledger migrated to v5 verifying unchanged.
 * Reversing never moves a job.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"

static void pay(rt_fx *f, const char *who, int64_t j, const char *amount, const char *due)
{
    qtm_payment p = {amount, NULL, amount ? "cash" : NULL, NULL, due, 0};
    OK(qtm_settle(f->q, who, j, &p));
}

static json_t *settlement(rt_fx *f, int64_t j)
{
    json_t *o = NULL;
    OK(qtm_settlement_show(f->q, j, &o));
    assert_non_null(o);
    return o;
}

static void test_reverse_appends_a_negative_entry(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    pay(f, "ada", j, "100.00", "150.00");
    pay(f, "ana", j, "50.00", NULL);
    json_t *job_before = rt_job_show(f, j);
    json_object_del(job_before, "settlement");
    OK(qtm_settle_reverse(f->q, "ana", j, 1, "the cheque bounced"));
    json_t *s = settlement(f, j);
    assert_string_equal(rt_js(s, "status"), "partial");
    assert_string_equal(rt_js(s, "paid"), "50.00");
    assert_int_equal(rt_ji(s, "payment_count"), 3);
    json_t *p = json_object_get(s, "payments");
    assert_int_equal(rt_ji(json_array_get(p, 0), "reversed_by"), 3);
    json_t *r = json_array_get(p, 2);
    assert_int_equal(rt_ji(r, "amount_minor"), -10000);
    assert_string_equal(rt_js(r, "amount"), "-100.00");
    assert_int_equal(rt_ji(r, "reverses"), 1);
    assert_string_equal(rt_js(r, "reason"), "the cheque bounced");
    json_decref(s);
    /* nothing edited: the first payment's row is as it was */
    assert_int_equal(rt_db_int(f, "SELECT amount FROM payments WHERE id = 1"), 10000);
    /* reversing never moves the job */
    json_t *job_after = rt_job_show(f, j);
    json_object_del(job_after, "settlement");
    assert_true(json_equal(job_before, job_after));
    json_decref(job_before);
    json_decref(job_after);
    json_t *last = rt_log_last(f);
    assert_string_equal(rt_js(last, "action"), "reverse");
    assert_string_equal(rt_js(last, "from"), "paid");
    assert_string_equal(rt_js(last, "to"), "partial");
    json_decref(last);
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
}

static void test_reverse_refusals(void **state)
{
    rt_fx *f = *state;
    int64_t a = rt_job_claimed(f, EC, "ana"), b = rt_job_claimed(f, EC, "bo");
    pay(f, "ada", a, "10.00", NULL);  /* payment 1, job a */
    pay(f, "ada", b, "20.00", NULL);  /* payment 2, job b */
    UNCHANGED(QTM_EINVALID, qtm_settle_reverse(f->q, "ada", a, 1, NULL));
    UNCHANGED(QTM_EINVALID, qtm_settle_reverse(f->q, "ada", a, 1, ""));
    UNCHANGED(QTM_EINVALID, qtm_settle_reverse(f->q, "ada", a, 1, "\xff"));
    UNCHANGED(QTM_ENOTFOUND, qtm_settle_reverse(f->q, "ada", a, 99, "typo"));
    UNCHANGED(QTM_EREFUSED, qtm_settle_reverse(f->q, "ada", a, 2, "wrong job"));
    assert_string_equal(qtm_errmsg(f->q), "payment 2 belongs to job 2, not job 1");
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle_reverse(f->q, "bo", a, 1, "not his"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle_reverse(f->q, "cli", a, 1, "a client"));
    UNCHANGED(QTM_ENOTFOUND, qtm_settle_reverse(f->q, "ada", 77, 1, "no job"));
    OK(qtm_settle_reverse(f->q, "ada", a, 1, "duplicate"));   /* payment 3 */
    UNCHANGED(QTM_EREFUSED, qtm_settle_reverse(f->q, "ada", a, 1, "twice"));
    assert_string_equal(qtm_errmsg(f->q), "payment 1 was already reversed by payment 3");
    UNCHANGED(QTM_EREFUSED, qtm_settle_reverse(f->q, "ada", a, 3, "a reversal of a reversal"));
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle_reverse(f->q, "ana", b, 2, "limited"));
}

static void test_reverse_keeps_waived(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    pay(f, "ada", j, "10.00", NULL);
    qtm_payment w = {NULL, NULL, NULL, NULL, NULL, 1};
    OK(qtm_settle(f->q, "ada", j, &w));
    OK(qtm_settle_reverse(f->q, "ada", j, 1, "refunded"));
    json_t *s = settlement(f, j);
    assert_string_equal(rt_js(s, "status"), "waived");
    assert_string_equal(rt_js(s, "paid"), "0.00");
    json_decref(s);
}

static void test_overpaid_shown(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    pay(f, "ada", j, "120.00", "100.00");
    json_t *s = settlement(f, j);
    assert_string_equal(rt_js(s, "status"), "paid");
    assert_string_equal(rt_js(s, "overpaid"), "20.00");
    assert_int_equal(rt_ji(s, "overpaid_minor"), 2000);
    json_decref(s);
    OK(qtm_settle_reverse(f->q, "ada", j, 1, "charged twice"));
    pay(f, "ada", j, "100.00", NULL);
    s = settlement(f, j);
    assert_true(json_is_null(json_object_get(s, "overpaid")));
    json_decref(s);
}

static void test_settlement_list(void **state)
{
    rt_fx *f = *state;
    int64_t a = rt_job_claimed(f, EC, "ana"), b = rt_job_claimed(f, EC, "ana");
    int64_t c = rt_job_claimed(f, EC, "bo");
    pay(f, "ada", a, "10.00", "20.00");
    pay(f, "ada", c, "30.00", "20.00");
    json_t *rows = NULL;
    int64_t next = 0;
    OK(qtm_settlement_list_page(f->q, NULL, NULL, NULL, &rows, &next));
    assert_int_equal(json_array_size(rows), 3);
    assert_int_equal(next, 0);
    assert_string_equal(rt_js(json_array_get(rows, 1), "status"), "unpaid");  /* b: nothing */
    assert_string_equal(rt_js(json_array_get(rows, 2), "overpaid"), "10.00");
    json_decref(rows);
    OK(qtm_settlement_list_page(f->q, "unpaid", EC, NULL, &rows, &next));
    assert_int_equal(json_array_size(rows), 1);
    assert_int_equal(rt_ji(json_array_get(rows, 0), "job"), b);
    json_decref(rows);
    qtm_page pg = {0, 1};
    OK(qtm_settlement_list_page(f->q, NULL, NULL, &pg, &rows, &next));
    assert_int_equal(json_array_size(rows), 1);
    assert_int_equal(next, a);
    json_decref(rows);
    EXPECT(QTM_EUSAGE, qtm_settlement_list_page(f->q, "overdue", NULL, NULL, &rows, &next));
    EXPECT(QTM_ENOTFOUND, qtm_settlement_list_page(f->q, NULL, "nope", NULL, &rows, &next));
}

/* A reversal written outside qtm (the triggers and the CHECK kept: a row
 * that fits the table) is caught by its image and by the reversal rules. */
static void test_verify_catches_a_forged_reversal(void **state)
{
    rt_fx *f = *state;
    int64_t a = rt_job_claimed(f, EC, "ana"), b = rt_job_claimed(f, EC, "bo");
    pay(f, "ada", a, "10.00", NULL);
    pay(f, "ada", b, "20.00", NULL);
    OK(qtm_settle_reverse(f->q, "ada", a, 1, "fine"));
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
    char err[256];
    assert_int_equal(rt_db_exec(f, "INSERT INTO payments(job_id, amount, currency, method,"
                                   " actor_id, at, reversal_of, reason) VALUES(1, -2000, 'USD',"
                                   " 'cash', 1, 'x', 2, 'forged')", err, sizeof err), 0);
    EXPECT(QTM_EVERIFY, qtm_verify(f->q, &rep));
    char *text = json_dumps(json_object_get(rep, "findings"), 0);
    assert_non_null(strstr(text, "payment 4 of job 1 reverses payment 2 of another job (2)"));
    free(text);
    json_decref(rep);
}

/* A v4 database with payments opens as v5: its ledger rebuilt with the
 * same rows, every settlement's image unchanged (verify passes). */
static void test_v4_ledger_migrates(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    pay(f, "ada", j, "10.00", "40.00");
    pay(f, "ana", j, "5.00", NULL);
    qtm_close(f->q);
    f->q = NULL;
    rt_db_to_v4(f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), 4);
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);
    qtm_set_clock(f->q, rt_fake_clock, f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), QTM_SCHEMA_VERSION);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM payments"), 2);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM job_search"), 1);
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
    OK(qtm_settle_reverse(f->q, "ada", j, 2, "after the migration"));
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_reverse_appends_a_negative_entry),
        TEST(test_reverse_refusals),
        TEST(test_reverse_keeps_waived),
        TEST(test_overpaid_shown),
        TEST(test_settlement_list),
        TEST(test_verify_catches_a_forged_reversal),
        TEST(test_v4_ledger_migrates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
