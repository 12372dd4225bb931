/*
 * test_rt_token.c - libqtm's credentials against a real SQLite file:
 * tokens (issue, shape, only the hash stored, audit, auth, revoke, list)
 * and web sessions (open, auth with the CSRF secret, close, expiry, a
 * revoked token ending its sessions), with refusals leaving the database
 * unchanged; the hardening of schema v3: at most QTM_SESSIONS_MAX sessions
 * per token, expired sessions purged in batches off the sign-in path,
 * token expiry on the fixture's clock, last use stamped at most once a
 * minute and skipped while another writer holds the lock, and the forward
 * migrations from v1 and v2.
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
    json_decref(row);

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
    json_decref(row);
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
    /* opening a session no longer sweeps (qtm_session_purge does) */
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM sessions"), 2);
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

/* The 21st session of a token ends its oldest; other tokens keep theirs. */
static void test_session_cap_evicts_oldest(void **state)
{
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN], tb[QTM_SECRET_LEN], c[QTM_SECRET_LEN], sb[QTM_SECRET_LEN];
    char sids[QTM_SESSIONS_MAX + 1][QTM_SECRET_LEN];
    qtm_principal p;
    OK(qtm_token_issue(f->q, "ana", t));
    OK(qtm_token_issue(f->q, "bo", tb));
    OK(qtm_session_open(f->q, tb, 3600, &p, sb, c));
    for (int i = 0; i < QTM_SESSIONS_MAX; i++)
        OK(qtm_session_open(f->q, t, 3600, &p, sids[i], c));
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM sessions"), QTM_SESSIONS_MAX + 1);
    OK(qtm_session_auth(f->q, sids[0], &p, c));
    OK(qtm_session_open(f->q, t, 3600, &p, sids[QTM_SESSIONS_MAX], c));
    EXPECT_MSG(QTM_ENOTFOUND, "sign in again", qtm_session_auth(f->q, sids[0], &p, c));
    for (int i = 1; i <= QTM_SESSIONS_MAX; i++)
        OK(qtm_session_auth(f->q, sids[i], &p, c));
    assert_int_equal(rt_db_int(f, "SELECT max(n) FROM (SELECT count(*) AS n FROM sessions"
                                  " GROUP BY token_id) AS s"), QTM_SESSIONS_MAX);
    OK(qtm_session_auth(f->q, sb, &p, c));   /* bo's is not ana's to evict */
    assert_string_equal(p.slug, "bo");
}

/* Expired sessions go in batches of at most `limit`, live ones stay. */
static void test_session_purge_in_batches(void **state)
{
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN], s[QTM_SECRET_LEN], live[2][QTM_SECRET_LEN], c[QTM_SECRET_LEN];
    qtm_principal p;
    unsigned n = 99;
    OK(qtm_token_issue(f->q, "ana", t));
    for (int i = 0; i < 7; i++)
        OK(qtm_session_open(f->q, t, 0, &p, s, c));   /* over at once */
    OK(qtm_session_open(f->q, t, 3600, &p, live[0], c));
    OK(qtm_session_open(f->q, t, 3600, &p, live[1], c));
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM sessions"), 9);
    OK(qtm_session_purge(f->q, 3, &n));
    assert_int_equal(n, 3);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM sessions"), 6);
    OK(qtm_session_purge(f->q, 3, &n));
    assert_int_equal(n, 3);
    OK(qtm_session_purge(f->q, 3, &n));
    assert_int_equal(n, 1);
    OK(qtm_session_purge(f->q, 3, &n));
    assert_int_equal(n, 0);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM sessions"), 2);
    OK(qtm_session_auth(f->q, live[0], &p, c));
    OK(qtm_session_auth(f->q, live[1], &p, c));
    UNCHANGED(QTM_EUSAGE, qtm_session_purge(f->q, 0, &n));
    /* the purge walks the expiry index, not the table */
    sqlite3 *db = rt_db_open(f);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT id FROM sessions"
                                            " WHERE expires_at <= 5 LIMIT 3", -1, &st, NULL),
                     SQLITE_OK);
    int indexed = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        indexed |= strstr((const char *)sqlite3_column_text(st, 3), "sessions_expiry") != NULL;
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(indexed);
}

/* A token issued to expire stops working on the handle's clock, and its
 * sessions with it; listing shows when. */
static void test_token_expires(void **state)
{
    SQLITE_ONLY("reads the expiry with SQLite's strftime");
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN], forever[QTM_SECRET_LEN], s[QTM_SECRET_LEN], c[QTM_SECRET_LEN];
    qtm_principal p;
    OK(qtm_token_issue_expiring(f->q, "ana", 60, t));
    OK(qtm_token_issue(f->q, "bo", forever));
    assert_int_equal(rt_db_int(f, "SELECT strftime('%s', expires_at) - strftime('%s', created_at)"
                                  " FROM tokens WHERE id = 1"), 60);
    json_t *list = NULL;
    OK(qtm_token_list(f->q, &list));
    assert_true(json_is_string(json_object_get(json_array_get(list, 0), "expires_at")));
    assert_true(json_is_null(json_object_get(json_array_get(list, 1), "expires_at")));
    json_decref(list);
    OK(qtm_token_auth(f->q, t, &p));
    OK(qtm_session_open(f->q, t, 3600, &p, s, c));
    OK(qtm_session_auth(f->q, s, &p, c));
    f->tick += 60;                 /* past 09:01:00 */
    EXPECT_MSG(QTM_ENOTFOUND, "unknown or revoked token", qtm_token_auth(f->q, t, &p));
    EXPECT(QTM_ENOTFOUND, qtm_session_auth(f->q, s, &p, c));
    UNCHANGED(QTM_ENOTFOUND, qtm_session_open(f->q, t, 3600, &p, s, c));
    OK(qtm_token_auth(f->q, forever, &p));
    UNCHANGED(QTM_EUSAGE, qtm_token_issue_expiring(f->q, "ana", -1, t));
    assert_string_equal(t, "");
}

static char *last_used(rt_fx *f)
{
    return rt_db_text(f, "SELECT last_used_at FROM tokens WHERE id = 1");
}

/* last_used_at is written at most once a minute per token. */
static void test_last_use_throttled(void **state)
{
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN];
    qtm_principal p;
    OK(qtm_token_issue(f->q, "ana", t));
    assert_null(last_used(f));
    OK(qtm_token_auth(f->q, t, &p));
    char *first = last_used(f);
    assert_non_null(first);
    assert_string_equal(first, f->now);   /* whole seconds: the clock's ".000Z" */
    for (int i = 0; i < 5; i++)
        OK(qtm_token_auth(f->q, t, &p));   /* within the minute: no write */
    char *still = last_used(f);
    assert_string_equal(still, first);
    f->tick += 60;
    OK(qtm_token_auth(f->q, t, &p));
    char *later = last_used(f);
    assert_string_equal(later, f->now);
    assert_string_not_equal(later, first);
    free(first);
    free(still);
    free(later);
}

/* While another connection holds the write lock, authenticating still
 * succeeds and simply does not stamp; the next one does. */
static void test_last_use_skipped_when_busy(void **state)
{
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN];
    qtm_principal p;
    OK(qtm_token_issue(f->q, "ana", t));
    sqlite3 *db = rt_db_open(f);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    OK(qtm_token_auth(f->q, t, &p));
    assert_string_equal(p.slug, "ana");
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(last_used(f));
    OK(qtm_token_auth(f->q, t, &p));
    char *used = last_used(f);
    assert_non_null(used);
    free(used);
}

/* A database written by schema v1 (no credentials) opens and is migrated
 * forward, keeping its rows; tokens then work on it. */
static void test_schema_v1_migrates(void **state)
{
    rt_fx *f = *state;
    OK(qtm_actor_add(f->q, "zed", "operator", NULL));
    qtm_close(f->q);
    f->q = NULL;
    rt_db_to_v3(f);
    char err[256];
    assert_int_equal(rt_db_exec(f,
                                   "DROP TABLE sessions; DROP TABLE tokens; "
                                   "PRAGMA user_version = 1", err, sizeof err), 0);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), 1);
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);  /* OK() may read f->q first */
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

/* A schema v2 database (tokens without expiry or last use, sessions
 * without their indexes) is migrated to v3 keeping its tokens and
 * sessions (and on to the current schema); the token works, expiry and
 * last use are new columns. */
static void test_schema_v2_migrates(void **state)
{
    rt_fx *f = *state;
    char t[QTM_SECRET_LEN], err[256];
    qtm_principal p;
    OK(qtm_token_issue(f->q, "ana", t));
    qtm_close(f->q);
    f->q = NULL;
    rt_db_to_v3(f);
    assert_int_equal(rt_db_exec(f,
        "CREATE TABLE tokens2(id INTEGER PRIMARY KEY,"
        " actor_id INTEGER NOT NULL REFERENCES actors(id), hash TEXT NOT NULL UNIQUE,"
        " created_at TEXT NOT NULL, revoked_at TEXT);"
        "INSERT INTO tokens2 SELECT id, actor_id, hash, created_at, revoked_at FROM tokens;"
        "DROP TABLE sessions; DROP TABLE tokens; ALTER TABLE tokens2 RENAME TO tokens;"
        "CREATE INDEX tokens_actor ON tokens(actor_id);"
        "CREATE TABLE sessions(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
        " token_id INTEGER NOT NULL REFERENCES tokens(id), csrf TEXT NOT NULL,"
        " created_at TEXT NOT NULL, expires_at INTEGER NOT NULL);"
        "INSERT INTO sessions(hash, token_id, csrf, created_at, expires_at)"
        " VALUES('h', 1, 'c', '2026-05-16T09:00:00.000Z', 0);"
        "PRAGMA user_version = 2", err, sizeof err), 0);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM pragma_table_info('tokens')"), 5);
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);  /* OK() may read f->q first */
    qtm_set_clock(f->q, rt_fake_clock, f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), QTM_SCHEMA_VERSION);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM pragma_table_info('tokens')"
                                  " WHERE name IN ('expires_at', 'last_used_at')"), 2);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                  " AND name IN ('sessions_expiry', 'sessions_token')"), 2);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM sessions"), 1);
    OK(qtm_token_auth(f->q, t, &p));
    assert_string_equal(p.slug, "ana");
    unsigned n = 0;
    OK(qtm_session_purge(f->q, 10, &n));   /* the old row had expired */
    assert_int_equal(n, 1);
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
        TEST(test_session_cap_evicts_oldest),
        TEST(test_session_purge_in_batches),
        TEST(test_token_expires),
        TEST(test_last_use_throttled),
        TEST(test_last_use_skipped_when_busy),
        TEST(test_schema_v1_migrates),
        TEST(test_schema_v2_migrates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
