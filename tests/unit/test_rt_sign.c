/*
 * test_rt_sign.c - signed records (runtime/engine/sign.c): the signing key
 * (file mode, never overwritten, audited), records signed in their
 * composing transaction, the export and its offline check (every tampering
 * caught, --key), refusals when the key cannot be read, verify over the
 * stored signatures, and the schema v3 -> v4 migration.
 */
#include "rt_fixture.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

/* The default key file of the fixture's database, DB.key (on PostgreSQL
 * the fixture's QTM_SIGNING_KEY, the same file). */
static const char *key_path(rt_fx *f, char *buf, size_t n)
{
    snprintf(buf, n, "%s/qtm.db.key", f->dir);
    return buf;
}

/* qtm_key_init at the default path; returns the public key (caller frees). */
static char *key_init(rt_fx *f)
{
    json_t *k = NULL;
    OK(qtm_key_init(f->q, NULL, &k));
    char *pk = strdup(rt_js(k, "public_key"));
    json_decref(k);
    return pk;
}

/* The export of job j's record as canonical text (caller frees). */
static char *export_text(rt_fx *f, int64_t j)
{
    json_t *d = NULL;
    OK(qtm_record_export(f->q, j, &d));
    char *t = qtm_record_export_text(d);
    json_decref(d);
    assert_non_null(t);
    return t;
}

static qtm_status check(const char *text, const char *key, json_t **report)
{
    json_t *r = NULL;
    qtm_status st = qtm_record_check(text, key, &r);
    assert_non_null(r);
    assert_int_equal(json_is_true(json_object_get(r, "valid")), st == QTM_OK);
    if (report)
        *report = r;
    else
        json_decref(r);
    return st;
}

static void test_key_init(void **state)
{
    rt_fx *f = *state;
    char kp[256];
    json_t *k = NULL;
    OK(qtm_key_init(f->q, NULL, &k));
    struct stat sb;
    assert_int_equal(stat(key_path(f, kp, sizeof kp), &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_string_equal(rt_js(k, "key_file"), kp);
    assert_int_equal(strlen(rt_js(k, "id")), QTM_KEY_ID_LEN - 1);
    assert_int_equal(strlen(rt_js(k, "public_key")), 64);
    /* the public key is in the database, the private key is not */
    char *pk = rt_db_text(f, "SELECT public_key FROM keys");
    assert_string_equal(pk, rt_js(k, "public_key"));
    free(pk);
    json_t *last = rt_log_last(f);
    assert_string_equal(rt_js(last, "entity"), "key");
    assert_string_equal(rt_js(last, "to"), rt_js(k, "id"));
    json_decref(last);
    json_t *keys = NULL;
    OK(qtm_key_show(f->q, &keys));
    assert_int_equal(json_array_size(keys), 1);
    assert_string_equal(rt_js(json_array_get(keys, 0), "id"), rt_js(k, "id"));
    json_decref(keys);
    /* the file is never overwritten, and the refusal changes nothing */
    json_t *k2 = NULL;
    UNCHANGED(QTM_ECONFLICT, qtm_key_init(f->q, NULL, &k2));
    assert_null(k2);
    assert_int_equal(stat(kp, &sb), 0);
    json_decref(k);
}

/* A record composed after key init is signed in its composing transaction;
 * its export checks valid; verify checks the stored signature. */
static void test_signed_export_checks(void **state)
{
    rt_fx *f = *state;
    char *pk = key_init(f);
    int64_t j = rt_job_done(f, EC, "ana");
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM record_signatures"), 1);
    char *text = export_text(f, j);
    json_t *r = NULL;
    assert_int_equal(check(text, NULL, &r), QTM_OK);
    assert_int_equal(rt_ji(r, "job"), j);
    assert_int_equal(json_array_size(json_object_get(r, "proved")), 2);
    assert_true(json_array_size(json_object_get(r, "not_proved")) >= 3);
    json_decref(r);
    /* --key: the public key, or the key id */
    assert_int_equal(check(text, pk, &r), QTM_OK);
    assert_int_equal(json_array_size(json_object_get(r, "proved")), 3);
    json_decref(r);
    json_t *d = json_loads(text, 0, NULL);
    const char *id = rt_js(json_object_get(d, "signature"), "key_id");
    assert_int_equal(check(text, id, NULL), QTM_OK);
    json_decref(d);
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
    free(text);
    free(pk);
}

/* Sets doc.obj.key to v (stolen) in a copy of text; returns the copy's text. */
static char *tampered(const char *text, const char *obj, const char *key, json_t *v)
{
    json_t *d = json_loads(text, 0, NULL);
    assert_non_null(d);
    json_t *o = obj ? json_object_get(d, obj) : d;
    assert_non_null(json_object_get(o, key));
    json_object_set_new(o, key, v);
    char *t = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    return t;
}

/* Flips the last hex digit of a hex string. */
static json_t *flip(const char *text, const char *obj, const char *key)
{
    json_t *d = json_loads(text, 0, NULL);
    char *s = strdup(json_string_value(json_object_get(json_object_get(d, obj), key)));
    size_t n = strlen(s);
    s[n - 1] = s[n - 1] == '0' ? '1' : '0';
    json_t *v = json_string(s);
    free(s);
    json_decref(d);
    return v;
}

static void test_every_tampering_caught(void **state)
{
    rt_fx *f = *state;
    char *pk = key_init(f);
    int64_t j = rt_job_done(f, EC, "ana");
    char *text = export_text(f, j);
    assert_true(sodium_init() >= 0);
    json_t *d = json_loads(text, 0, NULL);
    json_t *body = json_deep_copy(json_object_get(json_object_get(d, "record"), "body"));
    json_object_set_new(body, "operator", json_string("bo"));
    struct {
        const char *name, *obj, *key;
        json_t *v;
        const char *failed;
    } cases[] = {
        {"body", "record", "body", body, "does not hash"},
        {"hash", "record", "hash", flip(text, "record", "hash"), "does not hash"},
        {"record id", "record", "id", json_integer(rt_ji(json_object_get(d, "record"), "id") + 1),
         "does not verify"},
        {"job", "record", "job", json_integer(j + 1), "does not verify"},
        {"surface", "record", "surface", json_string("auto-detailing"), "does not verify"},
        {"created_at", "record", "created_at", json_string("2020-01-01T00:00:00.000Z"),
         "does not verify"},
        {"audit seq", "audit", "seq", json_integer(1), "does not verify"},
        {"audit hash", "audit", "hash", flip(text, "audit", "hash"), "does not verify"},
        {"audit prev", "audit", "prev_hash", flip(text, "audit", "prev_hash"), "does not verify"},
        {"audit actor", "audit", "actor", json_string("bo"), "does not verify"},
        {"signature", "signature", "value", flip(text, "signature", "value"), "does not verify"},
        {"public key", "signature", "public_key", flip(text, "signature", "public_key"),
         "not the fingerprint"},
        {"key id", "signature", "key_id", flip(text, "signature", "key_id"), "not the fingerprint"},
        {"algorithm", "signature", "algorithm", json_string("rsa"), "malformed"},
        {"format", NULL, "format", json_string("qtm-signed-record/2"), "not a qtm signed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = tampered(text, cases[i].obj, cases[i].key, cases[i].v);
        json_t *r = NULL;
        if (check(t, NULL, &r) != QTM_EVERIFY)
            fail_msg("tampering with the %s was not caught", cases[i].name);
        if (!strstr(rt_js(r, "failed"), cases[i].failed))
            fail_msg("%s: failed says '%s', want '%s'", cases[i].name, rt_js(r, "failed"),
                     cases[i].failed);
        json_decref(r);
        free(t);
    }
    /* another key's public key and id together: the signature fails */
    unsigned char opk[32], osk[64];
    char opkhex[65], oid[QTM_KEY_ID_LEN];
    crypto_sign_keypair(opk, osk);
    sodium_bin2hex(opkhex, sizeof opkhex, opk, sizeof opk);
    unsigned char h[32];
    crypto_hash_sha256(h, opk, sizeof opk);
    sodium_bin2hex(oid, sizeof oid, h, 8);
    char *t1 = tampered(text, "signature", "public_key", json_string(opkhex));
    char *t2 = tampered(t1, "signature", "key_id", json_string(oid));
    json_t *r = NULL;
    assert_int_equal(check(t2, NULL, &r), QTM_EVERIFY);
    assert_non_null(strstr(rt_js(r, "failed"), "does not verify"));
    json_decref(r);
    free(t1);
    free(t2);
    /* not JSON, or a duplicate key hiding a second value */
    assert_int_equal(check("{", NULL, NULL), QTM_EVERIFY);
    assert_int_equal(check("{\"format\":\"qtm-signed-record/1\",\"format\":\"x\"}", NULL, NULL),
                     QTM_EVERIFY);
    /* the right document under a wrong --key; a malformed --key */
    assert_int_equal(check(text, opkhex, &r), QTM_EVERIFY);
    assert_non_null(strstr(rt_js(r, "failed"), "another key"));
    json_decref(r);
    assert_int_equal(check(text, oid, NULL), QTM_EVERIFY);
    assert_int_equal(check(text, "abc", NULL), QTM_EUSAGE);
    assert_int_equal(check(text, pk, NULL), QTM_OK);
    json_decref(d);
    free(text);
    free(pk);
}

/* Once the database has a key, a record is never composed unsigned: a key
 * file missing, readable by others or of another key refuses the call
 * that would compose it, changing nothing. */
static void test_missing_key_refuses(void **state)
{
    rt_fx *f = *state;
    char kp[256], moved[280];
    free(key_init(f));
    key_path(f, kp, sizeof kp);
    snprintf(moved, sizeof moved, "%s/elsewhere.key", f->dir);
    assert_int_equal(rename(kp, moved), 0);
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    assert_non_null(strstr(qtm_errmsg(f->q), "no record is stored unsigned"));
    assert_non_null(strstr(qtm_errmsg(f->q), kp));
    /* readable by others */
    assert_int_equal(chmod(moved, 0644), 0);
    assert_int_equal(qtm_set_signing_key(f->q, moved), QTM_EREFUSED);
    assert_non_null(strstr(qtm_errmsg(f->q), "chmod 600"));
    assert_int_equal(chmod(moved, 0600), 0);
    /* another database's key */
    rt_fx *g = NULL;
    assert_int_equal(rt_setup_bare((void **)&g), 0);
    json_t *k = NULL;
    assert_int_equal(qtm_key_init(g->q, NULL, &k), QTM_OK);
    OK(qtm_set_signing_key(f->q, rt_js(k, "key_file")));
    json_decref(k);
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    assert_non_null(strstr(qtm_errmsg(f->q), "but the database signs with key"));
    rt_teardown((void **)&g);
    /* the right key named explicitly: composes, signed */
    OK(qtm_set_signing_key(f->q, moved));
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM record_signatures"), 1);
}

/* A record composed before the first key stays unsigned and is not
 * exportable; verify accepts it, but flags a signature that does not
 * verify or one removed from a record composed after the key. */
static void test_verify_signatures(void **state)
{
    rt_fx *f = *state;
    int64_t j1 = rt_job_done(f, EC, "ana");
    json_t *d = NULL;
    EXPECT_MSG(QTM_EREFUSED, "is not signed", qtm_record_export(f->q, j1, &d));
    assert_null(d);
    free(key_init(f));
    int64_t j2 = rt_job_done(f, EC, "bo");
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
    /* readers: the owner exports, another operator is told it is not there */
    OK(qtm_record_export_as(f->q, "bo", j2, &d));
    json_decref(d);
    EXPECT_MSG(QTM_EFORBIDDEN, "no job", qtm_record_export_as(f->q, "ana", j2, &d));
    DB_OK("DROP TRIGGER record_signatures_no_update;"
          "UPDATE record_signatures SET signature = substr(signature, 2) || '0'");
    EXPECT(QTM_EVERIFY, qtm_verify(f->q, &rep));
    char *fs = json_dumps(json_object_get(rep, "findings"), 0);
    assert_non_null(strstr(fs, "does not verify"));
    free(fs);
    json_decref(rep);
    DB_OK("DROP TRIGGER record_signatures_no_delete; DELETE FROM record_signatures");
    EXPECT(QTM_EVERIFY, qtm_verify(f->q, &rep));
    fs = json_dumps(json_object_get(rep, "findings"), 0);
    assert_non_null(strstr(fs, "is unsigned"));
    free(fs);
    json_decref(rep);
}

/* A schema v3 database (no keys, no signatures) is migrated to v4,
 * keeping its records; signing then works on it. */
static void test_schema_v3_migrates(void **state)
{
    rt_fx *f = *state;
    rt_job_done(f, EC, "ana");
    qtm_close(f->q);
    f->q = NULL;
    rt_db_to_v3(f);                /* v4's tables and columns gone, user_version 3 */
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);
    qtm_set_clock(f->q, rt_fake_clock, f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), QTM_SCHEMA_VERSION);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM records"), 1);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM sqlite_master WHERE name IN"
                                  " ('keys', 'record_signatures', 'keys_no_update',"
                                  " 'record_signatures_no_delete')"), 4);
    free(key_init(f));
    int64_t j = rt_job_done(f, EC, "bo");
    char *text = export_text(f, j);
    assert_int_equal(check(text, NULL, NULL), QTM_OK);
    free(text);
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
}

int main(void)
{
    unsetenv("QTM_SIGNING_KEY");   /* the default, DB.key, is what these tests use */
    const struct CMUnitTest tests[] = {
        TEST(test_key_init),
        TEST(test_signed_export_checks),
        TEST(test_every_tampering_caught),
        TEST(test_missing_key_refuses),
        TEST(test_verify_signatures),
        TEST(test_schema_v3_migrates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
