/*
 * test_rt_token.c - libqtm's credentials against a real SQLite file:
 * tokens (issue, shape, only the hash stored, audit, auth, revoke, list)
 * and web sessions (open, auth with the CSRF secret, close, expiry, a
 * revoked token ending its sessions), with refusals leaving the database
 * unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"

static int token_shaped(const char *t)
{
    if (strncmp(t, "qtm_", 4) != 0 || strlen(t) != 4 + 43)
        return 0;
    for (const char *p = t + 4; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return 0;
    return 1;
}

static void test_issue_and_auth(void **state)
{
    rt_fx *f = *state;
    char t1[QTM_SECRET_LEN], t2[QTM_SECRET_LEN];
    OK(qtm_token_issue(f->q, "ana", t1));
    OK(qtm_token_issue(f->q, "ana", t2));
    assert_true(token_shaped(t1));
    assert_string_not_equal(t1, t2);
    /* the value is nowhere in the database; its SHA-256 is */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM tokens WHERE hash = '%s'", t1);
    assert_int_equal(rt_db_int(f, sql), 0);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM tokens WHERE length(hash) = 64"), 2);
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "entity"), "token");
    assert_string_equal(rt_js(row, "action"), "issue");
    assert_string_equal(rt_js(row, "to"), "ana");

    qtm_principal p;
    OK(qtm_token_auth(f->q, t1, &p));
    assert_string_equal(p.slug, "ana");
    assert_string_equal(p.role, "operator");
    assert_string_equal(p.access, "active");
    OK(qtm_token_auth(f->q, t2, &p));
    assert_string_equal(p.slug, "ana");
}

static void test_auth_refuses_strangers(void **state)
{
    rt_fx *f = *state;
    qtm_principal p;
    char t[QTM_SECRET_LEN];
    OK(qtm_token_issue(f->q, "bo", t));
    t[10] ^= 1;                    /* one bit off */
    EXPECT_MSG(QTM_ENOTFOUND, "unknown or revoked token", qtm_token_auth(f->q, t, &p));
    assert_string_equal(p.slug, "");
    EXPECT(QTM_ENOTFOUND, qtm_token_auth(f->q, "", &p));
    EXPECT(QTM_ENOTFOUND, qtm_token_auth(f->q, NULL, &p));
    char longer[200];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    EXPECT(QTM_ENOTFOUND, qtm_token_auth(f->q, longer, &p));
    EXPECT(QTM_ENOTFOUND, qtm_token_auth(f->q, "' OR 1=1 --", &p));
}

static void test_issue_unknown_actor_changes_nothing(void **state)
{
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN];
    UNCHANGED(QTM_ENOTFOUND, qtm_token_issue(f->q, "nobody", t));
    assert_string_equal(t, "");
    UNCHANGED(QTM_EUSAGE, qtm_token_issue(f->q, NULL, t));
}

static void test_revoke(void **state)
{
    rt_fx *f = *state;
    char t1[QTM_SECRET_LEN], t2[QTM_SECRET_LEN], tb[QTM_SECRET_LEN];
    int n = -1;
    OK(qtm_token_issue(f->q, "ana", t1));
    OK(qtm_token_issue(f->q, "ana", t2));
    OK(qtm_token_issue(f->q, "bo", tb));
    OK(qtm_token_revoke(f->q, "ana", &n));
    assert_int_equal(n, 2);
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "action"), "revoke tokens");
    qtm_principal p;
    EXPECT(QTM_ENOTFOUND, qtm_token_auth(f->q, t1, &p));
    EXPECT(QTM_ENOTFOUND, qtm_token_auth(f->q, t2, &p));
    OK(qtm_token_auth(f->q, tb, &p));   /* bo's stays */
    UNCHANGED(QTM_ENOTFOUND, qtm_token_revoke(f->q, "ana", &n));
    assert_int_equal(n, 0);
    UNCHANGED(QTM_ENOTFOUND, qtm_token_revoke(f->q, "nobody", &n));

    json_t *list = NULL;
    OK(qtm_token_list(f->q, &list));
    assert_int_equal(json_array_size(list), 3);
    assert_string_equal(rt_js(json_array_get(list, 0), "actor"), "ana");
    assert_true(json_is_string(json_object_get(json_array_get(list, 0), "revoked_at")));
    assert_true(json_is_null(json_object_get(json_array_get(list, 2), "revoked_at")));
    assert_null(json_object_get(json_array_get(list, 2), "hash"));   /* never listed */
    json_decref(list);
}

static void test_session(void **state)
{
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN], sid[QTM_SECRET_LEN], csrf[QTM_SECRET_LEN], c2[QTM_SECRET_LEN],
        s2[QTM_SECRET_LEN];
    qtm_principal p, p2;
    OK(qtm_token_issue(f->q, "ada", t));
    OK(qtm_session_open(f->q, t, 3600, &p, sid, csrf));
    assert_string_equal(p.slug, "ada");
    assert_string_equal(p.role, "admin");
    assert_int_equal(strlen(sid), 43);
    assert_int_equal(strlen(csrf), 43);
    assert_string_not_equal(sid, csrf);
    OK(qtm_session_auth(f->q, sid, &p2, c2));
    assert_string_equal(p2.slug, "ada");
    assert_string_equal(c2, csrf);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sessions WHERE hash = '%s' OR csrf = '%s'",
             sid, sid);
    assert_int_equal(rt_db_int(f, sql), 0);   /* the session id is stored hashed */

    /* a token is not a session id, nor the other way round */
    EXPECT(QTM_ENOTFOUND, qtm_session_auth(f->q, t, &p2, c2));
    EXPECT(QTM_ENOTFOUND, qtm_token_auth(f->q, sid, &p2));
    UNCHANGED(QTM_ENOTFOUND, qtm_session_open(f->q, "qtm_wrong", 3600, &p2, s2, c2));
    assert_string_equal(s2, "");

    OK(qtm_session_close(f->q, sid));
    EXPECT_MSG(QTM_ENOTFOUND, "sign in again", qtm_session_auth(f->q, sid, &p2, c2));
    assert_string_equal(c2, "");
}

static void test_session_expires_and_dies_with_its_token(void **state)
{
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN], s1[QTM_SECRET_LEN], s2[QTM_SECRET_LEN], c[QTM_SECRET_LEN];
    qtm_principal p;
    int n;
    OK(qtm_token_issue(f->q, "ana", t));
    OK(qtm_session_open(f->q, t, 0, &p, s1, c));   /* lives 0 s: already over */
    EXPECT(QTM_ENOTFOUND, qtm_session_auth(f->q, s1, &p, c));
    OK(qtm_session_open(f->q, t, 3600, &p, s2, c));
    /* opening a session sweeps the expired ones */
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM sessions"), 1);
    OK(qtm_session_auth(f->q, s2, &p, c));
    OK(qtm_token_revoke(f->q, "ana", &n));
    EXPECT(QTM_ENOTFOUND, qtm_session_auth(f->q, s2, &p, c));
}

static void test_session_reflects_access_now(void **state)
{
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN], s[QTM_SECRET_LEN], c[QTM_SECRET_LEN];
    qtm_principal p;
    OK(qtm_token_issue(f->q, "bo", t));
    OK(qtm_session_open(f->q, t, 3600, &p, s, c));
    OK(qtm_actor_set_access(f->q, "bo", "suspended"));
    OK(qtm_session_auth(f->q, s, &p, c));
    assert_string_equal(p.access, "suspended");   /* the runtime refuses, per call */
    OK(qtm_token_auth(f->q, t, &p));
    assert_string_equal(p.access, "suspended");
}

/* A database written by schema v1 (no credentials) opens and is migrated
 * forward, keeping its rows; tokens then work on it. */
static void test_schema_v1_migrates(void **state)
{
    rt_fx *f = *state;
    OK(qtm_actor_add(f->q, "zed", "operator", NULL));
    qtm_close(f->q);
    f->q = NULL;
    char err[256];
    assert_int_equal(rt_db_exec(f, "DROP TABLE sessions; DROP TABLE tokens; "
                                   "PRAGMA user_version = 1", err, sizeof err), 0);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), 1);
    OK(qtm_open(f->path, 0, &f->q));
    qtm_set_clock(f->q, rt_fake_clock, f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), QTM_SCHEMA_VERSION);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM actors WHERE slug = 'zed'"), 1);
    char t[QTM_SECRET_LEN];
    qtm_principal p;
    OK(qtm_token_issue(f->q, "zed", t));
    OK(qtm_token_auth(f->q, t, &p));
    assert_string_equal(p.slug, "zed");
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_issue_and_auth),
        TEST(test_auth_refuses_strangers),
        TEST(test_issue_unknown_actor_changes_nothing),
        TEST(test_revoke),
        TEST(test_session),
        TEST(test_session_expires_and_dies_with_its_token),
        TEST(test_session_reflects_access_now),
        TEST(test_schema_v1_migrates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
