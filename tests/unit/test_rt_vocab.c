/*
 * test_rt_vocab.c - each vocabulary is typed once (runtime/include/qtm/qtm_vocab.h):
 * the web desk's generated vocab.js, as compiled into qtm, holds every
 * list exactly as the runtime's name tables do, and no other desk file
 * keeps a copy of one; the schema's CHECK constraints, as SQLite stored
 * them, list the same words; a word the lists lack, stored behind the
 * CHECKs' back, is refused where it is read (QTM_ESTORAGE), not defaulted.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"
#include "qtm_int.h"
#include "serve.h"

extern const web_asset web_assets[];
extern const unsigned web_asset_count;

typedef struct vocab_list {
    const char *js;                /* the export in vocab.js */
    const char *column;            /* the CHECKed column, NULL: none */
    const char *const *names;
    unsigned n;
} vocab_list;

static const vocab_list lists[] = {
    {"ROLES", "role", qtm_role_names, QTM_ROLE_UNKNOWN},
    {"ACCESS_STATES", "access", qtm_access_state_names, QTM_ACCESS_UNKNOWN},
    {"JOB_STATES", "state", qtm_job_state_names, QTM_JOB_UNKNOWN},
    {"TASK_STATES", "state", qtm_task_state_names, QTM_TASK_UNKNOWN},
    {"PAY_METHODS", "method", qtm_pay_method_names, QTM_METHOD_UNKNOWN},
    {"SETTLEMENT_STATES", "status", qtm_settlement_state_names, QTM_SETTLEMENT_UNKNOWN},
    {"FIELD_TYPES", NULL, qtm_field_type_names, QTM_FIELD_NTYPES},
    {"CONDITIONS", NULL, qtm_condition_names, QTM_COND_COUNT},
};

/* The words of a list quoted and joined by sep: 'a'SEP'b'... */
static void joined(const vocab_list *l, unsigned upto, const char *sep, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < upto && off < n; i++)
        off += (size_t)snprintf(buf + off, n - off, "%s'%s'", i ? sep : "", l->names[i]);
}

/* The asset's bytes as a string (caller frees). */
static char *asset_text(const web_asset *a)
{
    char *s = malloc(a->len + 1);
    assert_non_null(s);
    memcpy(s, a->data, a->len);
    s[a->len] = '\0';
    return s;
}

static void test_web_vocab_is_the_runtime_lists(void **state)
{
    (void)state;
    const web_asset *v = web_asset_find("/vocab.js");
    assert_non_null(v);
    char *js = asset_text(v);
    char want[512], line[600];
    for (size_t i = 0; i < countof(lists); i++) {
        joined(&lists[i], lists[i].n, ", ", want, sizeof want);
        snprintf(line, sizeof line, "export const %s = [%s];\n", lists[i].js, want);
        if (!strstr(js, line))
            fail_msg("vocab.js lacks %s", line);
    }
    free(js);
}

/* No other desk file types a list of its own (two words of one in a row). */
static void test_no_desk_file_copies_a_list(void **state)
{
    (void)state;
    char pair[160];
    for (unsigned k = 0; k < web_asset_count; k++) {
        const web_asset *a = &web_assets[k];
        size_t len = strlen(a->path);
        if (len < 3 || strcmp(a->path + len - 3, ".js") != 0 || strcmp(a->path, "/vocab.js") == 0)
            continue;
        char *js = asset_text(a);
        for (size_t i = 0; i < countof(lists); i++) {
            joined(&lists[i], 2, ", ", pair, sizeof pair);
            if (strstr(js, pair))
                fail_msg("%s types its own %s (%s): import it from vocab.js", a->path,
                         lists[i].js, pair);
        }
        free(js);
    }
}

static void test_schema_checks_are_the_lists(void **state)
{
    SQLITE_ONLY("reads the CHECKs from sqlite_master");
    rt_fx *f = *state;
    char *schema = rt_db_text(f, "SELECT group_concat(sql, ' ') FROM sqlite_master");
    assert_non_null(schema);
    char want[512], check[600];
    for (size_t i = 0; i < countof(lists); i++) {
        if (!lists[i].column)
            continue;
        joined(&lists[i], lists[i].n, ",", want, sizeof want);
        snprintf(check, sizeof check, "CHECK (%s IN (%s))", lists[i].column, want);
        if (!strstr(schema, check))
            fail_msg("the schema lacks %s", check);
    }
    free(schema);
}

/* Writes sql past the schema's CHECK constraints (what a second program
 * or a damaged file can leave). */
static void tamper(rt_fx *f, const char *sql)
{
    char buf[256];
    snprintf(buf, sizeof buf, "PRAGMA ignore_check_constraints = 1; %s", sql);
    DB_OK(buf);
}

static void test_unknown_stored_role_is_refused(void **state)
{
    rt_fx *f = *state;
    char tok[QTM_SECRET_LEN];
    OK(qtm_token_issue(f->q, "vic", tok));
    tamper(f, "UPDATE actors SET role = 'wizard' WHERE slug = 'vic'");
    const char *msg = "unknown role 'wizard' stored for actor vic";
    UNCHANGED(QTM_ESTORAGE, qtm_actor_set_access(f->q, "vic", "limited"));
    EXPECT_EXACT(QTM_ESTORAGE, msg, qtm_actor_set_access(f->q, "vic", "limited"));
    EXPECT_EXACT(QTM_ESTORAGE, msg, qtm_admin_read_as(f->q, "vic", "the audit log"));
    /* the principal of a token is read from the same row */
    qtm_principal p;
    EXPECT_EXACT(QTM_ESTORAGE, msg, qtm_token_auth(f->q, tok, &p));
}

static void test_unknown_stored_access_is_refused(void **state)
{
    rt_fx *f = *state;
    tamper(f, "UPDATE actors SET access = 'banned' WHERE slug = 'ana'");
    UNCHANGED(QTM_ESTORAGE, qtm_actor_set_access(f->q, "ana", "active"));
    EXPECT_EXACT(QTM_ESTORAGE, "unknown access state 'banned' stored for actor ana",
                 qtm_actor_set_access(f->q, "ana", "active"));
}

static void test_unknown_stored_job_state_is_refused(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_new(f, EC, "ana");
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE jobs SET state = 'paused' WHERE id = %lld", (long long)j);
    tamper(f, sql);
    const char *msg = MSGF("unknown state 'paused' stored for job %lld", (long long)j);
    json_t *out = NULL;
    EXPECT_EXACT(QTM_ESTORAGE, msg, qtm_job_show(f->q, j, &out));
    assert_null(out);
    UNCHANGED(QTM_ESTORAGE, qtm_job_claim(f->q, "ana", j));
}

static void test_unknown_stored_task_state_is_refused(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t t = rt_submit(f, EC);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE tasks SET state = 'limbo' WHERE id = %lld", (long long)t);
    tamper(f, sql);
    UNCHANGED(QTM_ESTORAGE, qtm_task_approve(f->q, "ada", t));
    EXPECT_EXACT(QTM_ESTORAGE, MSGF("unknown state 'limbo' stored for task %lld", (long long)t),
                 qtm_task_approve(f->q, "ada", t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_web_vocab_is_the_runtime_lists),
        cmocka_unit_test(test_no_desk_file_copies_a_list),
        TEST_BARE(test_schema_checks_are_the_lists),
        TEST(test_unknown_stored_role_is_refused),
        TEST(test_unknown_stored_access_is_refused),
        TEST(test_unknown_stored_job_state_is_refused),
        TEST(test_unknown_stored_task_state_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
