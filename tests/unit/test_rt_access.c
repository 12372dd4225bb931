/*
 * test_rt_access.c - the read rule (runtime/engine/access.c): the pure policy
 * qtmi_access_job() over every role, access state, ownership and job state;
 * which intake fields are contact details and the pool preview built
 * from them; then the qtm_*_show_as calls on a real database: the one
 * not-found answer for a job a reader may not see and a job that does
 * not exist, the redacted pool preview and the desk.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"
#include "qtm_int.h"

/* --- the pure rule ----------------------------------------------------------- */

static const qtm_surface pool = {.slug = "p", .ownership = QTM_OWNERSHIP_POOL};
static const qtm_surface assigned = {.slug = "a", .ownership = QTM_OWNERSHIP_ASSIGNED};

static actor mk_actor(int64_t id, const char *role, const char *access)
{
    actor a;
    memset(&a, 0, sizeof a);
    a.id = id;
    snprintf(a.slug, sizeof a.slug, "a%lld", (long long)id);
    a.role = (qtm_role)qtm_vocab_find(qtm_role_names, QTM_ROLE_UNKNOWN, role);
    a.access = (qtm_access_state)qtm_vocab_find(qtm_access_state_names, QTM_ACCESS_UNKNOWN,
                                                access);
    return a;
}

static job mk_job(const qtm_surface *s, const char *state, int64_t owner, int64_t assignee)
{
    job j;
    memset(&j, 0, sizeof j);
    j.id = 7;
    j.s = s;
    j.state = (qtm_job_state)qtm_vocab_find(qtm_job_state_names, QTM_JOB_UNKNOWN, state);
    j.owner_id = owner;
    j.assignee_id = assignee;
    return j;
}

typedef struct access_case {
    const char *what;
    int64_t id;
    const char *role, *access;
    const qtm_surface *s;
    const char *state;
    int64_t owner, assignee;
    qtm_access want;
} access_case;

/* actor 2 owns or is assigned; 4 is another operator */
static const access_case cases[] = {
    {"admin, any job", 1, "admin", "active", &assigned, "active", 2, 2, QTM_ACCESS_FULL},
    {"limited admin", 1, "admin", "limited", &assigned, "queued", 0, 2, QTM_ACCESS_FULL},
    {"suspended admin", 1, "admin", "suspended", &assigned, "active", 2, 2, QTM_ACCESS_NONE},
    {"admin, spec not built in", 1, "admin", "active", NULL, "active", 2, 2, QTM_ACCESS_FULL},
    {"owner", 2, "operator", "active", &assigned, "active", 2, 2, QTM_ACCESS_FULL},
    {"limited owner", 2, "operator", "limited", &assigned, "complete", 2, 2, QTM_ACCESS_FULL},
    {"suspended owner", 2, "operator", "suspended", &assigned, "active", 2, 2, QTM_ACCESS_NONE},
    {"assignee, not claimed", 2, "operator", "active", &assigned, "queued", 0, 2, QTM_ACCESS_FULL},
    {"assignee of a pool job", 2, "operator", "active", &pool, "queued", 0, 2, QTM_ACCESS_FULL},
    {"assignee, another claimed it", 2, "operator", "active", &pool, "active", 4, 2,
     QTM_ACCESS_NONE},
    {"another operator, assigned", 4, "operator", "active", &assigned, "queued", 0, 2,
     QTM_ACCESS_NONE},
    {"another operator, owned", 4, "operator", "active", &assigned, "active", 2, 2,
     QTM_ACCESS_NONE},
    {"another operator, queued pool", 4, "operator", "active", &pool, "queued", 0, 2,
     QTM_ACCESS_PREVIEW},
    {"another operator, claimed pool", 4, "operator", "active", &pool, "active", 2, 2,
     QTM_ACCESS_NONE},
    {"another operator, completed pool", 4, "operator", "active", &pool, "complete", 2, 2,
     QTM_ACCESS_NONE},
    {"limited operator, queued pool", 4, "operator", "limited", &pool, "queued", 0, 2,
     QTM_ACCESS_NONE},
    {"operator, pool spec not built in", 4, "operator", "active", NULL, "queued", 0, 2,
     QTM_ACCESS_NONE},
    {"vendor with the owner's id", 2, "vendor", "active", &assigned, "active", 2, 2,
     QTM_ACCESS_NONE},
    {"client, queued pool", 4, "client", "active", &pool, "queued", 0, 2, QTM_ACCESS_NONE},
    {"vendor, queued pool", 4, "vendor", "active", &pool, "queued", 0, 0, QTM_ACCESS_NONE},
};

static void test_policy_matrix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const access_case *c = &cases[i];
        actor a = mk_actor(c->id, c->role, c->access);
        job j = mk_job(c->s, c->state, c->owner, c->assignee);
        qtm_access got = qtmi_access_job(&a, &j);
        if (got != c->want)
            fail_msg("%s: got %d, want %d", c->what, got, c->want);
    }
}

static void test_policy_unloaded(void **state)
{
    (void)state;
    actor admin = mk_actor(1, "admin", "active"), none = mk_actor(0, "admin", "active");
    job j = mk_job(&assigned, "active", 2, 2), missing = mk_job(&assigned, "queued", 0, 0);
    missing.id = 0;
    assert_int_equal(qtmi_access_job(&none, &j), QTM_ACCESS_NONE);
    assert_int_equal(qtmi_access_job(&admin, &missing), QTM_ACCESS_NONE);
    assert_int_equal(qtmi_access_job(NULL, &j), QTM_ACCESS_NONE);
    assert_int_equal(qtmi_access_job(&admin, NULL), QTM_ACCESS_NONE);
}

/* --- contact details and the preview ----------------------------------------- */

static const qtm_field fields[] = {
    {"contact", "name", QTM_FIELD_TEXT, 1, 200, 0, NULL, 0, 0, 0, 0},
    {"contact", "method", QTM_FIELD_CHOICE, 1, 0, 0, NULL, 0, 0, 0, 0},
    {"site", "address", QTM_FIELD_TEXT, 1, 300, 0, NULL, 0, 0, 0, 0},
    {"site", "gate", QTM_FIELD_PHONE, 0, 0, 0, NULL, 0, 0, 0, 0},
    {"notes", "reply", QTM_FIELD_EMAIL, 0, 0, 0, NULL, 0, 0, 0, 0},
    {"notes", "date", QTM_FIELD_DATE, 0, 0, 0, NULL, 0, 0, 0, 0},
    {"other", "mail", QTM_FIELD_EMAIL, 0, 0, 0, NULL, 0, 0, 0, 0},
};
static const qtm_surface schema = {.slug = "s", .nfields = 7, .fields = fields};

static void test_contact_fields(void **state)
{
    (void)state;
    int want[] = {1, 1, 0, 1, 1, 0, 1};
    for (unsigned i = 0; i < schema.nfields; i++)
        if (qtmi_access_field_is_contact(&fields[i]) != want[i])
            fail_msg("%s.%s: contact %d", fields[i].section, fields[i].name, !want[i]);
}

static void test_intake_preview(void **state)
{
    (void)state;
    json_t *in = json_loads("{\"contact\":{\"name\":\"Zed\",\"method\":\"call\"},"
                            "\"site\":{\"address\":\"1 Main\",\"gate\":\"+1 555\"},"
                            "\"notes\":{\"reply\":\"z@x.example\",\"date\":\"2026-05-16\"},"
                            "\"other\":{\"mail\":\"y@x.example\"},"
                            "\"undeclared\":{\"secret\":\"s3cret\"}}", 0, NULL);
    json_t *p = qtmi_access_intake_preview(&schema, in);
    json_t *want = json_loads("{\"site\":{\"address\":\"1 Main\"},"
                              "\"notes\":{\"date\":\"2026-05-16\"}}", 0, NULL);
    assert_true(json_equal(p, want));
    json_decref(p);
    json_decref(want);
    p = qtmi_access_intake_preview(&schema, json_null());
    assert_true(json_is_null(p));
    json_decref(p);
    p = qtmi_access_intake_preview(NULL, in);       /* no schema: nothing is known safe */
    assert_int_equal(json_object_size(p), 0);
    json_decref(p);
    json_decref(in);
}

static void test_redact_record_body(void **state)
{
    (void)state;
    json_t *b = json_loads(
        "{\"scope\":{\"contact\":{\"name\":\"Zed\"},\"site\":{\"address\":\"1 Main\"}},"
        "\"request\":{\"intake\":{\"site\":{\"gate\":\"+1 555\"}},\"submitted_by\":\"cli\"},"
        "\"participants\":[{\"name\":\"P\",\"contact\":\"p@x.example\"}],"
        "\"context\":{\"participants\":[{\"name\":\"Q\",\"contact\":\"q@x.example\"}]}}",
        0, NULL);
    qtmi_access_redact_record_body(&schema, b);
    char *s = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s, "{\"context\":{\"participants\":[{\"contact\":null,\"name\":\"Q\"}]},"
                           "\"participants\":[{\"contact\":null,\"name\":\"P\"}],"
                           "\"request\":{\"intake\":{}},"
                           "\"scope\":{\"site\":{\"address\":\"1 Main\"}}}");
    free(s);
    json_decref(b);
    json_t *set = json_loads("{\"status\":\"paid\",\"payments\":[{\"note\":\"n\"}]}", 0, NULL);
    qtmi_access_redact_settlement(set);
    assert_null(json_object_get(set, "payments"));
    assert_string_equal(rt_js(set, "status"), "paid");
    json_decref(set);
}

/* --- on a real database ------------------------------------------------------- */

/* qtm_job_show_as, _record_ and _settlement_ all refuse with exactly msg. */
static void refused_all(rt_fx *f, const char *who, int64_t j, qtm_status st, const char *msg)
{
    json_t *o = NULL;
    EXPECT_EXACT(st, msg, qtm_job_show_as(f->q, who, j, &o));
    assert_null(o);
    EXPECT_EXACT(st, msg, qtm_record_show_as(f->q, who, j, &o));
    assert_null(o);
    EXPECT_EXACT(st, msg, qtm_settlement_show_as(f->q, who, j, &o));
    assert_null(o);
    qtm_access lv = QTM_ACCESS_FULL;
    EXPECT_EXACT(st, msg, qtm_job_access(f->q, who, j, &lv));
    assert_int_equal(lv, QTM_ACCESS_NONE);
}

static void test_one_answer_for_not_yours_and_none(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_participant_add(f->q, "ana", j, "Bloom", "vendor", "orders@bloom.example"));
    rt_run_to_final(f, j, EC, "ana");
    static const char *const others[] = {"bo", "vic", "cli"};
    for (size_t i = 0; i < 3; i++) {
        /* forbidden, whether the job exists or not (issue 11: 4 / 403) */
        refused_all(f, others[i], j, QTM_EFORBIDDEN, MSGF("no job %lld visible to %s",
                                                           (long long)j, others[i]));
        refused_all(f, others[i], 99, QTM_EFORBIDDEN, MSGF("no job 99 visible to %s", others[i]));
    }
    refused_all(f, "ada", 99, QTM_ENOTFOUND, "no job 99");
    OK(qtm_actor_set_access(f->q, "bo", "suspended"));
    refused_all(f, "bo", j, QTM_EFORBIDDEN, "bo is suspended and cannot read jobs");
    refused_all(f, "bo", 99, QTM_EFORBIDDEN, "bo is suspended and cannot read jobs");
    refused_all(f, "zed", j, QTM_ENOTFOUND, "no actor 'zed'");
    /* the owner, limited, still reads it in full; so does an admin */
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    json_t *o = NULL;
    OK(qtm_job_show_as(f->q, "ana", j, &o));
    assert_string_equal(rt_js(o, "access"), "full");
    assert_string_equal(rt_js(json_object_get(json_object_get(o, "intake"), "contact"), "email"),
                        "ana.morales@example.com");
    assert_string_equal(rt_js(json_array_get(json_object_get(o, "participants"), 0), "contact"),
                        "orders@bloom.example");
    json_decref(o);
    OK(qtm_record_show_as(f->q, "ada", j, &o));
    assert_non_null(json_object_get(json_object_get(o, "body"), "scope"));
    json_decref(o);
}

static void test_pool_preview(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_ls_job_new(f, "ana");
    qtm_payment p = {"20.00", NULL, "cash", "paid at the gate", NULL, 0};
    OK(qtm_settle(f->q, "ada", j, &p));
    json_t *o = NULL;
    qtm_access lv;
    OK(qtm_job_access(f->q, "bo", j, &lv));
    assert_int_equal(lv, QTM_ACCESS_PREVIEW);
    OK(qtm_job_show_as(f->q, "bo", j, &o));
    assert_string_equal(rt_js(o, "access"), "preview");
    json_t *in = json_object_get(o, "intake");
    assert_null(json_object_get(in, "contact"));
    assert_string_equal(rt_js(json_object_get(in, "property"), "address"),
                        "2214 SE Alder St, Portland, OR 97214");
    assert_null(json_object_get(json_object_get(o, "settlement"), "payments"));
    char *text = json_dumps(o, JSON_COMPACT);
    assert_null(strstr(text, "Priya"));
    assert_null(strstr(text, "503-555-0110"));
    assert_null(strstr(text, "paid at the gate"));
    free(text);
    json_decref(o);
    OK(qtm_settlement_show_as(f->q, "bo", j, &o));
    assert_null(json_object_get(o, "payments"));
    assert_string_equal(rt_js(o, "paid"), "20.00");
    json_decref(o);
    /* the assignee reads all of it */
    OK(qtm_job_show_as(f->q, "ana", j, &o));
    assert_string_equal(rt_js(json_object_get(json_object_get(o, "intake"), "contact"), "name"),
                        "Priya Natarajan");
    json_decref(o);
    /* a limited operator cannot claim: no preview, and the desk lists nothing */
    OK(qtm_actor_set_access(f->q, "bo", "limited"));
    EXPECT(QTM_EFORBIDDEN, qtm_job_show_as(f->q, "bo", j, &o));
    OK(qtm_desk_as(f->q, "bo", NULL, NULL, NULL, &o));
    assert_int_equal(json_array_size(json_object_get(o, "queued")), 0);
    json_decref(o);
    OK(qtm_actor_set_access(f->q, "bo", "active"));
    OK(qtm_desk_as(f->q, "bo", "ana", NULL, NULL, &o));    /* an operator's desk is their own */
    assert_int_equal(json_array_size(json_object_get(o, "queued")), 1);
    json_decref(o);
    /* once claimed, by bo here, ana (the assignee) sees nothing */
    OK(qtm_job_claim(f->q, "bo", j));
    EXPECT(QTM_EFORBIDDEN, qtm_job_show_as(f->q, "ana", j, &o));
    OK(qtm_desk_as(f->q, "ana", NULL, NULL, NULL, &o));
    assert_int_equal(json_array_size(json_object_get(o, "queued")) +
                     json_array_size(json_object_get(o, "active")), 0);
    json_decref(o);
    OK(qtm_job_show_as(f->q, "bo", j, &o));
    assert_string_equal(rt_js(o, "access"), "full");
    json_decref(o);
}

static void test_admin_reads_and_desks(void **state)
{
    rt_fx *f = *state;
    json_t *o = NULL;
    OK(qtm_admin_read_as(f->q, "ada", "the audit log"));
    EXPECT_EXACT(QTM_EFORBIDDEN, "ana is an operator; only admins read the audit log",
                 qtm_admin_read_as(f->q, "ana", "the audit log"));
    EXPECT_EXACT(QTM_EFORBIDDEN, "vic is a vendor; only admins read tasks",
                 qtm_admin_read_as(f->q, "vic", "tasks"));
    EXPECT_EXACT(QTM_EFORBIDDEN, "cli is a client; the desk is for operators and admins",
                 qtm_desk_as(f->q, "cli", NULL, NULL, NULL, &o));
    assert_null(o);
    int64_t j = rt_job_new(f, EC, "ana");
    OK(qtm_desk_as(f->q, "ada", NULL, NULL, NULL, &o));
    assert_int_equal(json_array_size(json_object_get(o, "queued")), 1);
    json_decref(o);
    OK(qtm_desk_as(f->q, "bo", NULL, NULL, NULL, &o));
    assert_int_equal(json_array_size(json_object_get(o, "queued")), 0);
    json_decref(o);
    assert_true(j > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_matrix),
        cmocka_unit_test(test_policy_unloaded),
        cmocka_unit_test(test_contact_fields),
        cmocka_unit_test(test_intake_preview),
        cmocka_unit_test(test_redact_record_body),
        TEST(test_one_answer_for_not_yours_and_none),
        TEST(test_pool_preview),
        TEST(test_admin_reads_and_desks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
