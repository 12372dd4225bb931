/*
 * test_rt_backup.c - qtm_backup on a real database: the copy is one moment
 * (a transaction open on another connection is neither waited for nor
 * copied), verifies, is mode 0600 with no .tmp, -wal or -shm left; an
 * existing file is refused byte for byte unchanged, replaced only with
 * QTM_BACKUP_FORCE; a source that does not verify leaves no copy.
 */
#include "rt_fixture.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void path_in(rt_fx *f, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", f->dir, name);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* Rows of table in the database at path (-1 if it does not open). */
static int64_t rows_in(const char *path, const char *table)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char sql[128];
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_copy_is_one_moment(void **state)
{
    SQLITE_ONLY("qtm backup copies an SQLite file");
    rt_fx *f = *state;
    char out[256], side[300];
    int64_t job = rt_job_done(f, "event-coordination", "ana");
    assert_true(job > 0);
    /* another program is in the middle of a write when the backup runs */
    sqlite3 *w = rt_db_open(f);
    assert_int_equal(sqlite3_exec(w, "BEGIN IMMEDIATE; INSERT INTO actors(slug, name, role, "
                                     "access, created_at) VALUES ('ghost', 'G', 'operator', "
                                     "'active', 'x')", NULL, NULL, NULL), SQLITE_OK);
    path_in(f, "copy.db", out, sizeof out);
    json_t *r = NULL;
    OK(qtm_backup(f->q, out, 0, &r));
    assert_int_equal(sqlite3_exec(w, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(w);
    assert_string_equal(rt_js(r, "file"), out);
    assert_true(rt_ji(r, "bytes") > 0);
    assert_int_equal(rt_ji(r, "jobs"), 1);
    assert_int_equal(rt_ji(r, "audit_rows"), rt_db_int(f, "SELECT count(*) FROM audit"));
    json_decref(r);
    struct stat sb;
    assert_int_equal(stat(out, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    static const char *const ext[] = {".tmp", ".tmp-wal", ".tmp-shm", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        snprintf(side, sizeof side, "%s%s", out, ext[i]);
        if (exists(side))
            fail_msg("%s was left beside the copy", side);
    }
    assert_int_equal(rows_in(out, "actors"), 5);   /* the cast, not the ghost */
    assert_int_equal(rows_in(out, "records"), 1);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM actors"), 6);
    qtm *b = NULL;
    json_t *v = NULL;
    assert_int_equal(qtm_open(out, 0, &b), QTM_OK);
    assert_int_equal(qtm_verify(b, &v), QTM_OK);
    json_decref(v);
    qtm_close(b);
}

static void test_existing_file(void **state)
{
    SQLITE_ONLY("qtm backup copies an SQLite file");
    rt_fx *f = *state;
    char out[256], tmp[300];
    path_in(f, "taken.db", out, sizeof out);
    FILE *fp = fopen(out, "w");
    assert_non_null(fp);
    fputs("not a backup", fp);
    fclose(fp);
    EXPECT_MSG(QTM_EUSAGE, "exists: give another name, or --force", qtm_backup(f->q, out, 0, NULL));
    char buf[32] = "";
    fp = fopen(out, "r");
    assert_non_null(fp);
    assert_non_null(fgets(buf, sizeof buf, fp));
    fclose(fp);
    assert_string_equal(buf, "not a backup");
    /* a .tmp a dead backup left is replaced, not trusted */
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    fp = fopen(tmp, "w");
    assert_non_null(fp);
    fputs("stale", fp);
    fclose(fp);
    OK(qtm_backup(f->q, out, QTM_BACKUP_FORCE, NULL));
    assert_int_equal(rows_in(out, "actors"), 5);
    assert_false(exists(tmp));
    EXPECT_MSG(QTM_EUSAGE, "is not a regular file", qtm_backup(f->q, f->dir, QTM_BACKUP_FORCE, NULL));
}

static void test_broken_source_leaves_no_copy(void **state)
{
    SQLITE_ONLY("qtm backup copies an SQLite file");
    rt_fx *f = *state;
    char out[256], tmp[300];
    DB_OK("DROP TRIGGER audit_no_update; UPDATE audit SET action = 'edited' WHERE id = 1");
    path_in(f, "bad.db", out, sizeof out);
    EXPECT_MSG(QTM_EVERIFY, "the copy does not verify", qtm_backup(f->q, out, 0, NULL));
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    assert_false(exists(out));
    assert_false(exists(tmp));
    /* with --force, a copy that does not verify never replaces the old one */
    FILE *fp = fopen(out, "w");
    assert_non_null(fp);
    fclose(fp);
    EXPECT(QTM_EVERIFY, qtm_backup(f->q, out, QTM_BACKUP_FORCE, NULL));
    assert_true(exists(out));
    assert_false(exists(tmp));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_copy_is_one_moment),
        TEST(test_existing_file),
        TEST(test_broken_source_leaves_no_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
