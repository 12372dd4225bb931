/*
 * test_rt_redact.c - a database name as qtm prints it (qtmi_store_redact,
 * qtm_db_label): a URI's password, in its user information or in a
 * password= parameter, never reaches a banner or a message; everything
 * else of the name does, unchanged; a name cut to fit its buffer shows no
 * byte of a password either.
 */
#include "rt_fixture.h"
#include "store.h"

#include <stdio.h>

/* Each name, and how it prints. */
static const struct {
    const char *name, *shown;
} cases[] = {
    /* paths (SQLite) are printed as they are, whatever they hold */
    {"qtm.db", "qtm.db"},
    {"/srv/qtm/user:secret@host.db", "/srv/qtm/user:secret@host.db"},
    {"./password=x.db", "./password=x.db"},
    /* no password: unchanged */
    {"postgresql:///qtm?host=/run/postgresql", "postgresql:///qtm?host=/run/postgresql"},
    {"postgresql://qtm@db.example.org/qtm?sslmode=verify-full",
     "postgresql://qtm@db.example.org/qtm?sslmode=verify-full"},
    {"postgres://db.example.org:5433/qtm", "postgres://db.example.org:5433/qtm"},
    {"postgresql:///qtm?service=qtm", "postgresql:///qtm?service=qtm"},
    /* the user information's password */
    {"postgresql://user:secret@host/db", "postgresql://user:***@host/db"},
    {"postgres://u:s3cr%40t@10.0.0.5:5432/qtm?sslmode=require",
     "postgres://u:***@10.0.0.5:5432/qtm?sslmode=require"},
    {"POSTGRESQL://user:secret@host", "POSTGRESQL://user:***@host"},
    /* an '@' left unencoded in it: masked up to the last '@' of the authority */
    {"postgresql://user:p@ss@host/db", "postgresql://user:***@host/db"},
    /* a password= parameter, anywhere among them, of any case */
    {"postgresql:///db?host=/tmp&password=secret", "postgresql:///db?host=/tmp&password=***"},
    {"postgresql:///db?password=secret&sslmode=require",
     "postgresql:///db?password=***&sslmode=require"},
    {"postgresql://h/db?PassWord=secret", "postgresql://h/db?PassWord=***"},
    {"postgresql://u:one@h/db?password=two&user=u", "postgresql://u:***@h/db?password=***&user=u"},
    /* a parameter named like it is not it */
    {"postgresql://h/db?oldpassword=x", "postgresql://h/db?oldpassword=x"},
    /* a password= value holding an '@': the two spans join, nothing shows */
    {"postgresql://h:5432?password=se@cret", "postgresql://h:***"},
    {"postgresql://h/db?password=a?password=b&x=1", "postgresql://h/db?password=***&x=1"},
    /* empty ones hide nothing */
    {"postgresql://u:@h/db", "postgresql://u:@h/db"},
};

static void test_redact_cases(void **state)
{
    (void)state;
    char out[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        qtmi_store_redact(cases[i].name, out, sizeof out);
        if (strcmp(out, cases[i].shown) != 0)
            fail_msg("%s: shown as '%s', want '%s'", cases[i].name, out, cases[i].shown);
    }
}

/* Every cut of a masked name is a prefix of the whole masked name. */
static void test_redact_cut(void **state)
{
    (void)state;
    const char *name = "postgresql://user:secret@host/db?password=hunter2&sslmode=require";
    char whole[256], cut[256];
    qtmi_store_redact(name, whole, sizeof whole);
    assert_string_equal(whole, "postgresql://user:***@host/db?password=***&sslmode=require");
    for (size_t n = 1; n <= strlen(whole) + 1; n++) {
        memset(cut, 'Z', sizeof cut);
        qtmi_store_redact(name, cut, n);
        assert_int_equal(strlen(cut), n - 1);
        assert_memory_equal(cut, whole, n - 1);
    }
}

/* The handle's label: a failed open (no such server, or no PostgreSQL in
 * this build) still has one, and neither it nor the message holds the
 * password.  No network: a socket directory that does not exist. */
static void test_db_label(void **state)
{
    (void)state;
    qtm *q = NULL;
    qtm_status st = qtm_open("postgresql://qtm:hunter2@/qtm?host=/nonexistent/qtm-redact", 0, &q);
    assert_non_null(q);
    assert_int_not_equal(st, QTM_OK);
    assert_string_equal(qtm_db_label(q), "postgresql://qtm:***@/qtm?host=/nonexistent/qtm-redact");
    assert_null(strstr(qtm_errmsg(q), "hunter2"));
    qtm_close(q);
    assert_int_equal(qtm_open(NULL, 0, &q), QTM_OK);   /* no database: no label */
    assert_string_equal(qtm_db_label(q), "");
    qtm_close(q);
}

/* A path's label is the path. */
static void test_db_label_path(void **state)
{
    rt_fx *f = *state;
    assert_string_equal(qtm_db_label(f->q), f->path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redact_cases),
        cmocka_unit_test(test_redact_cut),
        cmocka_unit_test(test_db_label),
        TEST_BARE(test_db_label_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
