/*
 * test_rt_settlement.c - libqtm's settlement layer against a real SQLite
 * file: amount, method and currency validation, the status derived from
 * the ledger (unpaid, partial, paid, waived), who may record payments, and
 * the separation of layers: settling never moves a job, a ServiceEvent or
 * a record, and completing never records a payment.  Landscaping's
 * `requires payment` gate is exercised through an injected request (the
 * surface is planned and takes no requests through the API).  The ledger
 * limit: a job's payments total at most MONEY_MAX_MINOR, a payment past it
 * or of zero is refused with nothing written, and a ledger tampered past
 * 64 bits is refused by settle and reported by verify, never a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "rt_fixture.h"

static qtm_payment pay(const char *amount, const char *method)
{
    qtm_payment p = {amount, NULL, method, NULL, NULL, 0};
    return p;
}

static json_t *settlement(rt_fx *f, int64_t j)
{
    json_t *o = NULL;
    OK(qtm_settlement_show(f->q, j, &o));
    assert_non_null(o);
    return o;
}

static void assert_status(rt_fx *f, int64_t j, const char *status)
{
    json_t *o = settlement(f, j);
    assert_string_equal(rt_js(o, "status"), status);
    json_decref(o);
}

/* The job as shown, without its settlement: what settling must not change. */
static json_t *execution_view(rt_fx *f, int64_t j)
{
    json_t *o = rt_job_show(f, j);
    json_object_del(o, "settlement");
    return o;
}

static char *record_row_text(rt_fx *f, int64_t j)
{
    json_t *o = NULL;
    if (qtm_record_show(f->q, j, &o) != QTM_OK)
        return strdup("none");
    char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return t;
}

/* --- validation ------------------------------------------------------------ */

static void test_settle_amount_validation(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = pay("-5", "cash");
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "amount must not be negative");
    p.amount = "abc";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "\"abc\" is not an amount: use digits with an optional "
                                          "decimal point, e.g. 150.50");
    p.amount = "10.001";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "10.001 has more decimals than USD allows (2)");
    static const char *const bad[] = {"", "1e3", " 5", "5 ", "+5", "0x10", "1,000", ".5", "5.",
                                      "NaN", "-0", "150.00.0", "10000000000000.01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p.amount = bad[i];
        UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    }
    /* the due amount is held to the same rules */
    qtm_payment d = {NULL, NULL, NULL, NULL, "-100", 0};
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", j, &d));
    d.due = "100.005";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", j, &d));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM payments"), 0);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM settlements"), 0);
}

static void test_settle_method_validation(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = pay("10", "bitcoin");
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "unknown payment method 'bitcoin' (cash, zelle, venmo, "
                                          "card, wire, other)");
    p.method = NULL;
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    p.method = "Cash";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    static const char *const good[] = {"cash", "zelle", "venmo", "card", "wire", "other"};
    for (size_t i = 0; i < 6; i++) {
        p.method = good[i];
        OK(qtm_settle(f->q, "ana", j, &p));
    }
    json_t *o = settlement(f, j);
    /* the summary: every payment counted and summed, the last few shown */
    assert_int_equal(rt_ji(o, "payment_count"), 6);
    assert_int_equal(json_array_size(json_object_get(o, "payments")), QTM_RECENT_PAYMENTS);
    assert_string_equal(rt_js(json_array_get(json_object_get(o, "payments"), 0), "method"),
                        "zelle");
    assert_string_equal(rt_js(o, "paid"), "60.00");
    json_decref(o);
}

static void test_settle_needs_something(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = {NULL, NULL, NULL, NULL, NULL, 0};
    UNCHANGED(QTM_EUSAGE, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "settle needs an amount, a due or the status waived");
    char note[502];
    memset(note, 'n', 501);
    note[501] = '\0';
    qtm_payment n = pay("5", "cash");
    n.note = note;
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &n));
}

/* --- status ------------------------------------------------------------------ */

static void test_settle_status_unpaid_partial_paid(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    assert_status(f, j, "unpaid");
    qtm_payment due = {NULL, NULL, NULL, NULL, "100", 0};
    OK(qtm_settle(f->q, "ada", j, &due));
    json_t *o = settlement(f, j);
    assert_string_equal(rt_js(o, "status"), "unpaid");
    assert_string_equal(rt_js(o, "due"), "100.00");
    assert_int_equal(rt_ji(o, "due_minor"), 10000);
    assert_string_equal(rt_js(o, "currency"), "USD");
    json_decref(o);
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "entity"), "settlement");
    assert_string_equal(rt_js(row, "action"), "due");
    assert_string_equal(rt_js(row, "from"), "unpaid");
    assert_string_equal(rt_js(row, "to"), "unpaid");
    json_decref(row);
    qtm_payment p = pay("40", "zelle");
    p.note = "deposit";
    OK(qtm_settle(f->q, "ana", j, &p));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    row = rt_log_last(f);
    assert_string_equal(rt_js(row, "action"), "payment");
    assert_string_equal(rt_js(row, "from"), "unpaid");
    assert_string_equal(rt_js(row, "to"), "partial");
    assert_string_equal(rt_js(row, "actor"), "ana");
    assert_int_equal(rt_ji(row, "entity_id"), j);
    assert_int_equal(rt_ji(row, "job"), j);
    json_decref(row);
    o = settlement(f, j);
    assert_string_equal(rt_js(o, "status"), "partial");
    assert_string_equal(rt_js(o, "paid"), "40.00");
    assert_int_equal(rt_ji(o, "paid_minor"), 4000);
    json_t *p0 = json_array_get(json_object_get(o, "payments"), 0);
    assert_int_equal(rt_ji(p0, "amount_minor"), 4000);
    assert_string_equal(rt_js(p0, "amount"), "40.00");
    assert_string_equal(rt_js(p0, "currency"), "USD");
    assert_string_equal(rt_js(p0, "method"), "zelle");
    assert_string_equal(rt_js(p0, "note"), "deposit");
    assert_string_equal(rt_js(p0, "actor"), "ana");
    assert_string_equal(rt_js(p0, "at"), stamp);
    json_decref(o);
    p = pay("60.00", "card");
    OK(qtm_settle(f->q, "ada", j, &p));
    o = settlement(f, j);
    assert_string_equal(rt_js(o, "status"), "paid");
    assert_string_equal(rt_js(o, "paid"), "100.00");
    assert_int_equal(json_array_size(json_object_get(o, "payments")), 2);
    json_decref(o);
    /* raising what is due reopens it */
    due.due = "150";
    OK(qtm_settle(f->q, "ada", j, &due));
    assert_status(f, j, "partial");
}

static void test_settle_paid_without_due_and_overpaid(void **state)
{
    rt_fx *f = *state;
    int64_t a = rt_job_claimed(f, EC, "ana"), b = rt_job_claimed(f, EC, "ana");
    qtm_payment p = pay("50", "cash");
    OK(qtm_settle(f->q, "ana", a, &p));
    assert_status(f, a, "paid");
    qtm_payment d = {"120", NULL, "wire", NULL, "100", 0};
    OK(qtm_settle(f->q, "ana", b, &d));
    json_t *o = settlement(f, b);
    assert_string_equal(rt_js(o, "status"), "paid");
    assert_string_equal(rt_js(o, "paid"), "120.00");
    json_decref(o);
    /* one job's payments are not another's */
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM payments"), 2);
}

static void test_settle_waived(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment w = {NULL, NULL, NULL, "family friend", NULL, 1};
    OK(qtm_settle(f->q, "ada", j, &w));
    assert_status(f, j, "waived");
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "action"), "waive");
    assert_string_equal(rt_js(row, "to"), "waived");
    json_decref(row);
    /* a later payment is recorded in the ledger; the settlement stays waived */
    qtm_payment p = pay("10", "cash");
    OK(qtm_settle(f->q, "ana", j, &p));
    json_t *o = settlement(f, j);
    assert_string_equal(rt_js(o, "status"), "waived");
    assert_string_equal(rt_js(o, "paid"), "10.00");
    json_decref(o);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM payments"), 1);
}

static void test_settle_currency(void **state)
{
    rt_fx *f = *state;
    char msgbuf[128];
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = pay("10", "cash");
    p.currency = "XYZ";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "unknown currency XYZ");
    p.currency = "usd";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    p.currency = "USD";
    OK(qtm_settle(f->q, "ana", j, &p));
    p.currency = "EUR";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    snprintf(msgbuf, sizeof msgbuf, "job %lld is settled in USD, not EUR", (long long)j);
    assert_string_equal(qtm_errmsg(f->q), msgbuf);
    qtm_payment d = {NULL, "EUR", NULL, NULL, "10", 0};
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", j, &d));
    /* no currency: the settlement's own */
    p.currency = NULL;
    OK(qtm_settle(f->q, "ana", j, &p));
    json_t *o = settlement(f, j);
    assert_string_equal(rt_js(json_array_get(json_object_get(o, "payments"), 1), "currency"),
                        "USD");
    json_decref(o);
}

static void test_settle_zero_decimal_currency(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = pay("10.5", "cash");
    p.currency = "JPY";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    p.amount = "15000";
    OK(qtm_settle(f->q, "ana", j, &p));
    json_t *o = settlement(f, j);
    assert_string_equal(rt_js(o, "currency"), "JPY");
    assert_string_equal(rt_js(o, "paid"), "15000");
    assert_int_equal(rt_ji(o, "paid_minor"), 15000);
    json_decref(o);
}

/* --- the ledger limit -------------------------------------------------------- */

/* Runs verify expecting `want`; returns the report (caller decrefs). */
static json_t *verify_report(rt_fx *f, qtm_status want)
{
    json_t *rep = NULL;
    EXPECT(want, qtm_verify(f->q, &rep));
    assert_non_null(rep);
    return rep;
}

/* 1 if the report has the finding `text`. */
static int has_finding(json_t *rep, const char *text)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(rep, "findings"), i, v)
        if (strcmp(json_string_value(v), text) == 0)
            return 1;
    return 0;
}

static void test_settle_ledger_limit_exact(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    /* 10^15 minor units: the most one payment carries, and the most a job's ledger does */
    qtm_payment p = pay("10000000000000.00", "wire");
    OK(qtm_settle(f->q, "ana", j, &p));
    json_t *o = settlement(f, j);
    assert_int_equal(rt_ji(o, "paid_minor"), MONEY_MAX_MINOR);
    json_decref(o);
    p.amount = "0.01";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld's payments would total more than 10000000000000.00 USD, "
                             "the most one job may carry (at most 0.00 more)", (long long)j));
    p.amount = "10000000000000.00";             /* the original overflow, one step at a time */
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", j, &p));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM payments"), 1);
    /* a due or a waiver still goes through: they add nothing to the ledger */
    qtm_payment d = {NULL, NULL, NULL, NULL, "10000000000000", 0};
    OK(qtm_settle(f->q, "ada", j, &d));
    assert_status(f, j, "paid");
    json_decref(verify_report(f, QTM_OK));
}

static void test_settle_many_payments_near_the_limit(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = pay("999999999999.99", "card");  /* 10^14 - 1 minor units */
    for (int i = 0; i < 10; i++)
        OK(qtm_settle(f->q, "ana", j, &p));
    /* 10 minor units of room are left: 0.11 is refused, 0.10 fills it */
    p.amount = "0.11";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld's payments would total more than 10000000000000.00 USD, "
                             "the most one job may carry (at most 0.10 more)", (long long)j));
    p.amount = "0.10";
    OK(qtm_settle(f->q, "ana", j, &p));
    json_t *o = settlement(f, j);
    assert_int_equal(rt_ji(o, "paid_minor"), MONEY_MAX_MINOR);
    assert_string_equal(rt_js(o, "paid"), "10000000000000.00");
    assert_int_equal(rt_ji(o, "payment_count"), 11);
    assert_int_equal(json_array_size(json_object_get(o, "payments")), QTM_RECENT_PAYMENTS);
    json_decref(o);
    p.amount = "0.01";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    /* the limit is per job, in the job's minor units */
    int64_t y = rt_job_claimed(f, EC, "ana");
    qtm_payment yen = pay("999999999999999", "cash");
    yen.currency = "JPY";
    OK(qtm_settle(f->q, "ana", y, &yen));
    yen.amount = "2";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", y, &yen));
    yen.amount = "1";
    OK(qtm_settle(f->q, "ana", y, &yen));
    json_decref(verify_report(f, QTM_OK));
}

static void test_settle_zero_refused(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    static const char *const zeros[] = {"0", "0.00", "000.0"};
    for (size_t i = 0; i < 3; i++) {
        qtm_payment p = pay(zeros[i], "cash");
        UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
        assert_string_equal(qtm_errmsg(f->q), "a payment must be more than 0 (for no charge, "
                                              "set the status to waived)");
        qtm_payment d = {NULL, NULL, NULL, NULL, zeros[i], 0};
        UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", j, &d));
        assert_string_equal(qtm_errmsg(f->q), "a due of 0 is no charge: set the status to waived");
    }
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM settlements"), 0);
}

/* Rows of `amount` written straight into job j's ledger, n of them. */
static void ledger_inject(rt_fx *f, int64_t j, int n, const char *amount)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d)"
             " INSERT INTO payments(job_id, amount, currency, method, actor_id, at)"
             " SELECT %lld, %s, 'USD', 'cash', 1, 'x' FROM k", n, (long long)j, amount);
    DB_OK(sql);
}

/* A ledger written past 64 bits outside qtm: settle refuses it (nothing
 * written), show and verify still answer, verify names it. */
static void test_tampered_ledger_past_64_bits(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = pay("10", "cash");
    OK(qtm_settle(f->q, "ana", j, &p));
    ledger_inject(f, j, 2, "9223372036854775807");
    UNCHANGED(QTM_ESTORAGE, qtm_settle(f->q, "ana", j, &p));
    assert_non_null(strstr(qtm_errmsg(f->q), "payment ledger totals more than"));
    qtm_payment w = {NULL, NULL, NULL, NULL, NULL, 1};
    UNCHANGED(QTM_ESTORAGE, qtm_settle(f->q, "ada", j, &w));
    json_t *o = settlement(f, j);
    assert_true(json_is_null(json_object_get(o, "paid_minor")));
    assert_int_equal(json_array_size(json_object_get(o, "payments")), 3);
    json_decref(o);
    json_decref(rt_job_show(f, j));
    json_t *rep = verify_report(f, QTM_EVERIFY);
    assert_true(has_finding(rep, MSGF("job %lld's payment ledger does not sum to a 64-bit integer",
                                      (long long)j)));
    json_decref(rep);
}

/* Past the limit but within 64 bits: a finding with the total. */
static void test_tampered_ledger_past_the_limit(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = pay("10000000000000", "cash");
    OK(qtm_settle(f->q, "ana", j, &p));
    ledger_inject(f, j, 1, "1");
    p.amount = "1";
    UNCHANGED(QTM_ESTORAGE, qtm_settle(f->q, "ana", j, &p));
    json_t *rep = verify_report(f, QTM_EVERIFY);
    assert_true(has_finding(rep, MSGF("job %lld's payment ledger totals 1000000000000001 minor "
                                      "units, past the limit of 1000000000000000", (long long)j)));
    json_decref(rep);
}

/* Payments injected for a job with no settlement yet: the engine sees an
 * empty ledger, so only reading the total back inside the transaction
 * catches it, and the payment must roll back rather than commit and fail. */
static void test_payment_rolls_back_when_the_ledger_reads_back_wrong(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana"), k = rt_job_claimed(f, EC, "ana");
    ledger_inject(f, j, 2, "9223372036854775807");
    ledger_inject(f, k, 1, "700");
    qtm_payment p = pay("10", "cash");
    UNCHANGED(QTM_ESTORAGE, qtm_settle(f->q, "ana", j, &p));
    assert_non_null(strstr(qtm_errmsg(f->q), "nothing was recorded"));
    UNCHANGED(QTM_ESTORAGE, qtm_settle(f->q, "ana", k, &p));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM settlements"), 0);
}

/* --- who may settle ---------------------------------------------------------- */

static void test_settle_only_owner_or_admin(void **state)
{
    rt_fx *f = *state;
    char msgbuf[160];
    int64_t j = rt_job_new(f, EC, "ana");
    qtm_payment p = pay("10", "cash");
    /* before the claim, the assignee is not the owner */
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "ana", j, &p));
    snprintf(msgbuf, sizeof msgbuf, "ana cannot record payments for job %lld; only its owner or "
             "an admin can", (long long)j);
    assert_string_equal(qtm_errmsg(f->q), msgbuf);
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "vic", j, &p));
    snprintf(msgbuf, sizeof msgbuf, "vic cannot record payments for job %lld; only its owner ana "
             "or an admin can", (long long)j);
    assert_string_equal(qtm_errmsg(f->q), msgbuf);
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "cli", j, &p));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "bo", j, &p));
    UNCHANGED(QTM_ENOTFOUND, qtm_settle(f->q, "zed", j, &p));
    OK(qtm_settle(f->q, "ana", j, &p));
    OK(qtm_settle(f->q, "ada", j, &p));
    OK(qtm_actor_set_access(f->q, "ada", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "ada", j, &p));
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "ana", j, &p));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM payments"), 2);
}

static void test_settle_unknown_job(void **state)
{
    rt_fx *f = *state;
    qtm_payment p = pay("10", "cash");
    UNCHANGED(QTM_ENOTFOUND, qtm_settle(f->q, "ada", 77, &p));
    assert_string_equal(qtm_errmsg(f->q), "no job 77");
    json_t *o = (json_t *)1;
    EXPECT(QTM_ENOTFOUND, qtm_settlement_show(f->q, 77, &o));
    assert_null(o);
}

/* --- separation of layers ---------------------------------------------------- */

static void test_settling_never_moves_execution(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    qtm_payment due = {NULL, NULL, NULL, NULL, "500", 0};
    qtm_payment part = pay("200", "zelle"), rest = pay("300", "card");
    qtm_payment waive = {NULL, NULL, NULL, NULL, NULL, 1};
    const qtm_payment *steps[] = {&due, &part, &rest, &waive};
    /* at every stage of the lifecycle, by the admin and by the owner */
    for (int stage = 0; stage < 5; stage++) {
        if (stage == 1)
            OK(qtm_job_claim(f->q, "ana", j));
        if (stage == 2)
            OK(qtm_job_advance(f->q, "ana", j, "arrive"));
        if (stage == 3) {
            OK(qtm_job_advance(f->q, "ana", j, "start"));
            OK(qtm_job_advance(f->q, "ana", j, "complete"));
        }
        if (stage == 4)
            OK(qtm_job_complete(f->q, "ana", j));
        json_t *before = execution_view(f, j);
        char *rec_before = record_row_text(f, j);
        int64_t jobs = rt_db_int(f, "SELECT COUNT(*) FROM jobs"),
                ses = rt_db_int(f, "SELECT COUNT(*) FROM audit WHERE entity = 'service_event'");
        const qtm_payment *p = steps[stage % 4];
        OK(qtm_settle(f->q, stage % 2 ? "ana" : "ada", j, p));  /* the owner or the admin */
        json_t *after = execution_view(f, j);
        char *rec_after = record_row_text(f, j);
        if (!json_equal(before, after)) {
            char *a = json_dumps(before, JSON_COMPACT), *b = json_dumps(after, JSON_COMPACT);
            print_error("stage %d:\n  before %s\n  after  %s\n", stage, a, b);
            free(a);
            free(b);
            fail();
        }
        assert_string_equal(rec_before, rec_after);
        assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM jobs"), jobs);
        assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM audit WHERE entity = 'service_event'"), ses);
        free(rec_before);
        free(rec_after);
        json_decref(before);
        json_decref(after);
    }
    rt_assert_job(f, j, "complete", "complete");
}

static void test_paid_in_full_completes_nothing(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    qtm_payment p = {"500", NULL, "card", NULL, "500", 0};
    OK(qtm_settle(f->q, "ana", j, &p));
    assert_status(f, j, "paid");
    rt_assert_job(f, j, "active", "claimed");
    json_t *o = NULL;
    EXPECT(QTM_ENOTFOUND, qtm_record_show(f->q, j, &o));
    EXPECT(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
}

static void test_completing_never_pays(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_done(f, EC, "ana");
    int64_t d = rt_job_done(f, AD, "bo");
    assert_status(f, j, "unpaid");
    assert_status(f, d, "unpaid");
    json_t *o = settlement(f, j);
    assert_int_equal(json_array_size(json_object_get(o, "payments")), 0);
    assert_string_equal(rt_js(o, "paid"), "0.00");
    assert_true(json_is_null(json_object_get(o, "due")));
    json_decref(o);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM payments"), 0);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM settlements"), 0);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM audit WHERE entity = 'settlement'"), 0);
    /* and the record carries no settlement */
    OK(qtm_record_show(f->q, j, &o));
    char *text = json_dumps(o, JSON_COMPACT);
    assert_null(strstr(text, "paid"));
    assert_null(strstr(text, "settle"));
    free(text);
    json_decref(o);
}

static void test_payment_any_time_with_independent_timing(void **state)
{
    rt_fx *f = *state;
    assert_int_equal(qtm_surface_find(EC)->payment_timing, QTM_PAY_INDEPENDENT);
    int64_t j = rt_job_new(f, EC, "ana");
    qtm_payment p = pay("100", "cash");
    OK(qtm_settle(f->q, "ada", j, &p));   /* before the claim */
    rt_assert_job(f, j, "queued", "queued");
    OK(qtm_job_claim(f->q, "ana", j));
    rt_run_to_final(f, j, EC, "ana");
    OK(qtm_job_complete(f->q, "ana", j));
    OK(qtm_settle(f->q, "ana", j, &p));   /* after completion */
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(json_object_get(o, "settlement"), "paid"), "200.00");
    json_decref(o);
}

/* --- landscaping: requires payment ------------------------------------------ */

static void test_ls_is_planned_and_gated_on_payment(void **state)
{
    rt_fx *f = *state;
    const qtm_surface *s = qtm_surface_find(LS);
    assert_non_null(s);
    assert_int_equal(s->status, QTM_STATUS_PLANNED);
    assert_int_equal(s->payment_timing, QTM_PAY_BEFORE_COMPLETE);
    int gated = 0;
    for (unsigned i = 0; i < s->ntransitions; i++)
        if (s->transitions[i].requires & QTM_REQ_PAYMENT)
            gated++;
    assert_int_equal(gated, 1);
    int64_t r, t;
    EXPECT(QTM_EREFUSED, qtm_request_submit(f->q, "cli", LS, LS_PACKET, NULL, 0, NULL, &r, &t));
}

/* A landscaping visit claimed by ana and walked to its walkthrough. */
static int64_t ls_at_review(rt_fx *f)
{
    int64_t j = rt_ls_job_new(f, "ana");
    OK(qtm_job_claim(f->q, "ana", j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    OK(qtm_job_advance(f->q, "ana", j, "finish"));
    return j;
}

static void test_ls_close_requires_payment(void **state)
{
    rt_fx *f = *state;
    char msgbuf[192];
    int64_t j = ls_at_review(f);
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "close"));
    assert_string_equal(qtm_errmsg(f->q), "evidence missing: after (0 of 1)");
    OK(qtm_evidence_add(f->q, "ana", j, "after", RT_PHOTO[0], NULL));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "close"));
    snprintf(msgbuf, sizeof msgbuf, "job %lld must be paid or waived first (settlement is unpaid; "
             "payment timing is before_complete)", (long long)j);
    assert_string_equal(qtm_errmsg(f->q), msgbuf);
    qtm_payment p = {"40", NULL, "cash", NULL, "90", 0};
    OK(qtm_settle(f->q, "ana", j, &p));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "close"));
    assert_non_null(strstr(qtm_errmsg(f->q), "settlement is partial"));
    /* paying moved nothing */
    rt_assert_job(f, j, "active", "review");
    p.amount = "50";
    p.due = NULL;
    OK(qtm_settle(f->q, "ana", j, &p));
    rt_assert_job(f, j, "active", "review");
    OK(qtm_job_advance(f->q, "ana", j, "close"));
    rt_assert_job(f, j, "ready", "closed");
    json_t *o = NULL;
    OK(qtm_record_show(f->q, j, &o));
    json_decref(o);
    OK(qtm_job_complete(f->q, "ana", j));
    /* completed_jobs hidden: off the desk */
    json_t *d = NULL;
    OK(qtm_desk(f->q, NULL, &d));
    assert_int_equal(json_array_size(json_object_get(d, "completed")), 0);
    assert_int_equal(json_array_size(json_object_get(d, "active")), 0);
    json_decref(d);
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
}

static void test_ls_close_after_waiver(void **state)
{
    rt_fx *f = *state;
    int64_t j = ls_at_review(f);
    OK(qtm_evidence_add(f->q, "ana", j, "after", RT_PHOTO[0], NULL));
    qtm_payment w = {NULL, NULL, NULL, NULL, NULL, 1};
    OK(qtm_settle(f->q, "ada", j, &w));
    OK(qtm_job_advance(f->q, "ana", j, "close"));
    rt_assert_job(f, j, "ready", "closed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_settle_amount_validation),
        TEST(test_settle_method_validation),
        TEST(test_settle_needs_something),
        TEST(test_settle_status_unpaid_partial_paid),
        TEST(test_settle_paid_without_due_and_overpaid),
        TEST(test_settle_waived),
        TEST(test_settle_currency),
        TEST(test_settle_zero_decimal_currency),
        TEST(test_settle_ledger_limit_exact),
        TEST(test_settle_many_payments_near_the_limit),
        TEST(test_settle_zero_refused),
        TEST(test_tampered_ledger_past_64_bits),
        TEST(test_tampered_ledger_past_the_limit),
        TEST(test_payment_rolls_back_when_the_ledger_reads_back_wrong),
        TEST(test_settle_only_owner_or_admin),
        TEST(test_settle_unknown_job),
        TEST(test_settling_never_moves_execution),
        TEST(test_paid_in_full_completes_nothing),
        TEST(test_completing_never_pays),
        TEST(test_payment_any_time_with_independent_timing),
        TEST(test_ls_is_planned_and_gated_on_payment),
        TEST(test_ls_close_requires_payment),
        TEST(test_ls_close_after_waiver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
