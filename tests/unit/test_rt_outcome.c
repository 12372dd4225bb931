/*
 * test_rt_outcome.c - outcomes and reasons (`outcome NAME`, `requires
 * reason`): close with and without a reason, the record and the job view,
 * verify over the reason, schema v4 -> v5, and the request summary.
 */
#include "rt_fixture.h"

static int verify_ok(rt_fx *f)
{
    json_t *rep = NULL;
    qtm_status st = qtm_verify(f->q, &rep);
    json_decref(rep);
    return st == QTM_OK;
}

/* the record body's outcome object */
static json_t *record_outcome(rt_fx *f, int64_t j)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT body FROM records WHERE job_id = %lld", (long long)j);
    char *body = rt_db_text(f, sql);
    json_t *o = json_loads(body, 0, NULL);
    free(body);
    assert_non_null(o);
    json_t *out = json_incref(json_object_get(o, "outcome"));
    json_decref(o);
    return out;
}

static void test_close_needs_a_reason(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EINVALID, qtm_job_advance(f->q, "ana", j, "close"));
    assert_non_null(strstr(qtm_errmsg(f->q), "`close` needs a reason"));
    UNCHANGED(QTM_EINVALID, qtm_job_advance_reason(f->q, "ana", j, "close", "  \n\t "));
    rt_assert_job(f, j, "active", "claimed");
}

static void test_close_with_a_reason(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance_reason(f->q, "ana", j, "close", "The venue flooded; called off"));
    json_t *o = record_outcome(f, j);
    assert_string_equal(rt_js(o, "outcome"), "closed");
    assert_string_equal(rt_js(o, "reason"), "The venue flooded; called off");
    assert_string_equal(rt_js(o, "phase"), "complete");
    json_decref(o);
    json_t *v = rt_job_show(f, j);
    json_t *se = json_object_get(v, "service_event");
    assert_string_equal(rt_js(se, "outcome"), "closed");
    assert_string_equal(rt_js(se, "reason"), "The venue flooded; called off");
    json_decref(v);
    assert_true(verify_ok(f));
    OK(qtm_job_complete(f->q, "ana", j));
    assert_true(verify_ok(f));
}

static void test_complete_is_delivered(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_done(f, EC, "ana");
    json_t *o = record_outcome(f, j);
    assert_string_equal(rt_js(o, "outcome"), "delivered");
    assert_true(json_is_null(json_object_get(o, "reason")));
    json_decref(o);
    assert_true(verify_ok(f));
}

static void test_reason_refusals(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    char big[QTM_REASON_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    UNCHANGED(QTM_EINVALID, qtm_job_advance_reason(f->q, "ana", j, "close", big));
    UNCHANGED(QTM_EINVALID, qtm_job_advance_reason(f->q, "ana", j, "close", "bad \xff byte"));
    /* the owner only, reason or not */
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance_reason(f->q, "ada", j, "close", "not mine"));
    big[QTM_REASON_MAX] = '\0';    /* exactly the limit is fine */
    OK(qtm_job_advance_reason(f->q, "ana", j, "close", big));
}

/* a reason changed behind qtm's back is caught by verify (the image of the
 * ServiceEvent on the audit row of the step that set it) */
static void test_verify_sees_a_changed_reason(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance_reason(f->q, "ana", j, "close", "client cancelled"));
    assert_true(verify_ok(f));
    DB_OK("UPDATE service_events SET reason = 'operator was ill'");
    assert_false(verify_ok(f));
}

static void test_verify_sees_a_changed_outcome(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance_reason(f->q, "ana", j, "close", "client cancelled"));
    DB_OK("UPDATE service_events SET outcome = 'delivered'");
    assert_false(verify_ok(f));
}

/* a v4 database with work in flight migrates; the job then closes with a
 * reason and verify passes throughout */
static void test_schema_v4_migrates(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    qtm_close(f->q);
    f->q = NULL;
    rt_db_to_v4(f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), 4);
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);
    qtm_set_clock(f->q, rt_fake_clock, f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), QTM_SCHEMA_VERSION);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM service_events WHERE outcome IS NULL"),
                     1);
    assert_true(verify_ok(f));
    OK(qtm_job_advance_reason(f->q, "ana", j, "close", "rained out"));
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM service_events WHERE outcome = 'closed'"),
                     1);
    assert_true(verify_ok(f));
}

static void test_actions_list_close(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    json_t *a = NULL;
    OK(qtm_job_actions(f->q, "ana", j, &a));
    json_t *acts = json_object_get(a, "actions");
    assert_int_equal(json_array_size(acts), 2);
    json_t *close = json_array_get(acts, 1);
    assert_string_equal(rt_js(close, "event"), "close");
    assert_string_equal(rt_js(close, "outcome"), "closed");
    assert_string_equal(json_string_value(json_array_get(json_object_get(close, "requires"), 0)),
                        "reason");
    json_decref(a);
}

static void test_summary(void **state)
{
    (void)state;
    const qtm_surface *s = qtm_surface_find(EC);
    char buf[QTM_SUMMARY_MAX + 1];
    assert_true(qtm_request_summary(s, EC_PACKET, buf, sizeof buf) > 0);
    assert_string_equal(buf, "Sat 16 May: Wedding / Ceremony at Laguna Gloria, 3809 W 35th St, "
                             "Austin, TX, 140 guests");
    /* a missing optional field takes its separator with it */
    const char *nodate = "{\"event\":{\"type\":\"Other\",\"venue\":\"Hall\",\"guests\":9}}";
    qtm_request_summary(s, nodate, buf, sizeof buf);
    assert_string_equal(buf, "Other at Hall, 9 guests");
    const char *noguests = "{\"event\":{\"type\":\"Other\",\"venue\":\"Hall\","
                           "\"date\":\"2027-01-01\"}}";
    qtm_request_summary(s, noguests, buf, sizeof buf);
    assert_string_equal(buf, "Fri 1 Jan: Other at Hall");
    /* a short buffer cuts at a UTF-8 boundary; bad input gives "" */
    const char *utf = "{\"event\":{\"type\":\"Other\",\"venue\":\"Caf\xc3\xa9\"}}";
    assert_int_equal(qtm_request_summary(s, utf, buf, 14), 12);
    assert_string_equal(buf, "Other at Caf");
    assert_int_equal(qtm_request_summary(s, "[1]", buf, sizeof buf), 0);
    assert_int_equal(qtm_request_summary(s, "not json", buf, sizeof buf), 0);
    assert_int_equal(qtm_request_summary(NULL, EC_PACKET, buf, sizeof buf), 0);
    assert_int_equal(qtm_request_summary(s, NULL, buf, sizeof buf), 0);
}

static void test_summary_in_the_views(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    json_t *v = rt_job_show(f, j);
    assert_non_null(strstr(rt_js(v, "summary"), "Sat 16 May: Wedding"));
    json_decref(v);
    json_t *tasks = NULL;
    OK(qtm_task_list(f->q, NULL, &tasks));
    assert_non_null(strstr(rt_js(json_array_get(tasks, 0), "summary"), "Sat 16 May"));
    assert_null(json_object_get(json_array_get(tasks, 0), "_intake"));
    json_decref(tasks);
    json_t *desk = NULL;
    OK(qtm_desk(f->q, NULL, &desk));
    assert_non_null(strstr(rt_js(json_array_get(json_object_get(desk, "queued"), 0), "summary"),
                           "140 guests"));
    json_decref(desk);
}

static void test_intake_bounds_and_every_problem(void **state)
{
    rt_fx *f = *state;
    int64_t r, t;
    const char *zero = "{\"contact\":{\"name\":\"A\",\"method\":\"email\"},"
                       "\"event\":{\"type\":\"Other\",\"venue\":\"V\",\"guests\":0},"
                       "\"request\":{\"package\":\"consultation\",\"service_area\":\"X\"},"
                       "\"notes\":{\"condition\":\"c\"}}";
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, NULL, EC, zero, NULL, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q), "intake: event.guests: 0 is less than the minimum 1");
    const char *many = "{\"contact\":{\"method\":\"fax\"},\"extra\":{},"
                       "\"event\":{\"type\":\"Other\",\"venue\":\"V\",\"guests\":5001},"
                       "\"request\":{\"package\":\"consultation\",\"service_area\":\"X\"},"
                       "\"notes\":{\"condition\":\"c\"}}";
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, NULL, EC, many, NULL, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q),
                        "intake: unknown section extra\n"
                        "intake: contact.name: required field missing\n"
                        "intake: contact.method: \"fax\" is not one of: email, text, call\n"
                        "intake: event.guests: 5001 is more than the maximum 5000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_close_needs_a_reason),
        TEST(test_close_with_a_reason),
        TEST(test_complete_is_delivered),
        TEST(test_reason_refusals),
        TEST(test_verify_sees_a_changed_reason),
        TEST(test_verify_sees_a_changed_outcome),
        TEST(test_schema_v4_migrates),
        TEST(test_actions_list_close),
        TEST(test_summary),
        TEST(test_summary_in_the_views),
        TEST(test_intake_bounds_and_every_problem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
