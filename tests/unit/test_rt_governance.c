/*
 * test_rt_governance.c - libqtm's governance layer against a real SQLite
 * file: actors (add, duplicates, roles, slugs, access states, list),
 * request submission (validation, unknown and planned surfaces,
 * idempotency keys) and the admin task verbs (approve, reject, assign,
 * close), including that none of them creates executable work.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "qtm.h"

/* --- fixture (the same block opens every engine test file) ------------------
 *
 * Each test runs against a real SQLite file in a fresh temporary directory,
 * opened with QTM_OPEN_CREATE, under a deterministic clock; teardown closes
 * the handle and removes the directory.  fx_setup also adds the cast:
 * ada (admin), ana and bo (operators), vic (vendor), cli (client).
 */

#define HELPER static __attribute__((unused))

typedef struct fx {
    char dir[128];
    char path[192];
    qtm *q;
    unsigned tick;
    char now[32];                  /* the stamp the clock gave last */
    char *dump;                    /* held across a checked call, freed by teardown */
    json_t *held;                  /* likewise */
} fx;

/* One second later on every call, from 2026-05-16T09:00:00.000Z. */
static void fake_clock(char out[32], void *arg)
{
    fx *f = arg;
    unsigned n = f->tick++ % 36000u;
    snprintf(out, 32, "2026-05-16T%02u:%02u:%02u.000Z", 9u + n / 3600u, n / 60u % 60u,
             n % 60u);
    memcpy(f->now, out, 32);
}

/* Fails the test at file:line unless got == want and, if frag is given, the
 * handle's message contains it (exact: equals it). */
static void expect_(qtm *q, qtm_status got, qtm_status want, const char *frag, int exact,
                    const char *what, const char *file, int line)
{
    if (got != want) {
        print_error("%s:%d: %s\n    gave %d %s (%s), want %d %s\n", file, line, what, got,
                    qtm_category(got), qtm_errmsg(q), want, qtm_category(want));
        _fail(file, line);
    }
    if (qtm_errcode(q) != got) {
        print_error("%s:%d: %s\n    returned %d but qtm_errcode says %d\n", file, line, what,
                    got, qtm_errcode(q));
        _fail(file, line);
    }
    if (got == QTM_OK && qtm_errmsg(q)[0]) {
        print_error("%s:%d: %s\n    succeeded but left message '%s'\n", file, line, what,
                    qtm_errmsg(q));
        _fail(file, line);
    }
    if (frag && (exact ? strcmp(qtm_errmsg(q), frag) != 0 : !strstr(qtm_errmsg(q), frag))) {
        print_error("%s:%d: %s\n    message '%s'\n    %s '%s'\n", file, line, what,
                    qtm_errmsg(q), exact ? "want exactly" : "lacks", frag);
        _fail(file, line);
    }
}

#define EXPECT(want, call) expect_(f->q, (call), (want), NULL, 0, #call, __FILE__, __LINE__)
#define EXPECT_MSG(want, frag, call) \
    expect_(f->q, (call), (want), (frag), 0, #call, __FILE__, __LINE__)
#define EXPECT_EXACT(want, text, call) \
    expect_(f->q, (call), (want), (text), 1, #call, __FILE__, __LINE__)
#define OK(call) EXPECT(QTM_OK, call)

static int fx_setup_bare(void **state)
{
    fx *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    if (!f)
        return -1;
    if (!tmp || !*tmp || strlen(tmp) > 80)
        tmp = "/tmp";
    snprintf(f->dir, sizeof f->dir, "%s/qtm-rt.XXXXXX", tmp);
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/qtm.db", f->dir);
    if (qtm_open(f->path, QTM_OPEN_CREATE, &f->q) != QTM_OK) {
        print_error("qtm_open %s: %s\n", f->path, f->q ? qtm_errmsg(f->q) : "out of memory");
        qtm_close(f->q);
        rmdir(f->dir);
        free(f);
        return -1;
    }
    qtm_set_clock(f->q, fake_clock, f);
    *state = f;
    return 0;
}

static int fx_setup(void **state)
{
    static const char *const cast[][3] = {{"ada", "admin", "Ada Admin"},
                                          {"ana", "operator", "Ana Morales"},
                                          {"bo", "operator", "Bo Chen"},
                                          {"vic", "vendor", "Vic Florist"},
                                          {"cli", "client", "Cli Client"}};
    if (fx_setup_bare(state) != 0)
        return -1;
    fx *f = *state;
    for (size_t i = 0; i < sizeof cast / sizeof cast[0]; i++)
        if (qtm_actor_add(f->q, cast[i][0], cast[i][1], cast[i][2]) != QTM_OK) {
            print_error("adding %s: %s\n", cast[i][0], qtm_errmsg(f->q));
            return -1;
        }
    return 0;
}

/* Removes every file in dir (the database, its -wal and -shm, scratch files) and dir. */
static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    if (d) {
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    if (!f)
        return 0;
    qtm_close(f->q);
    rm_dir(f->dir);
    free(f->dump);
    json_decref(f->held);
    free(f);
    return 0;
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
#define TEST_BARE(fn) cmocka_unit_test_setup_teardown(fn, fx_setup_bare, fx_teardown)

/* --- packets ---------------------------------------------------------------- */

/* examples/intake/event-coordination-wedding.json, condensed. */
static const char EC_PACKET[] =
    "{\"contact\": {\"name\": \"Ana Morales\", \"method\": \"email\","
    " \"email\": \"ana.morales@example.com\", \"phone\": \"+1 (512) 555-0143\"},"
    " \"event\": {\"type\": \"Wedding / Ceremony\","
    " \"venue\": \"Laguna Gloria, 3809 W 35th St, Austin, TX\", \"date\": \"2026-05-16\","
    " \"guests\": 140},"
    " \"request\": {\"package\": \"full_coordination\","
    " \"service_area\": \"Austin, TX and up to 40 miles around\","
    " \"preferred_days\": \"Saturdays\", \"preferred_window\": \"Ceremony at 17:00\"},"
    " \"notes\": {\"condition\": \"Outdoor ceremony for 140 guests; florist, caterer, DJ.\","
    " \"access\": \"Vendor load-in from 12:00 through the service gate.\"}}";

/* examples/intake/auto-detailing.json, condensed (needs 1 photo). */
static const char AD_PACKET[] =
    "{\"contact\": {\"name\": \"Marcus Lee\", \"method\": \"text\", \"phone\": \"(415) 555-0172\"},"
    " \"vehicle\": {\"make\": \"Toyota\", \"model\": \"RAV4\", \"year\": 2019,"
    " \"color\": \"Magnetic Gray\", \"size\": \"suv\"},"
    " \"request\": {\"package\": \"full_detail\", \"service_area\": \"San Francisco, Sunset\"},"
    " \"notes\": {\"condition\": \"Dog hair on the back seats.\"}}";

/* examples/intake/landscaping.json (a planned surface). */
static const char LS_PACKET[] =
    "{\"contact\": {\"name\": \"Priya Natarajan\", \"phone\": \"+1 503-555-0110\"},"
    " \"property\": {\"address\": \"2214 SE Alder St, Portland, OR 97214\","
    " \"lot_size\": \"medium\", \"gated\": true},"
    " \"request\": {\"services\": \"hedge_trimming\", \"frequency\": \"biweekly\","
    " \"service_area\": \"Portland, SE\"}}";

#define EC "event-coordination"
#define AD "auto-detailing"
#define LS "landscaping"

HELPER const char *packet_for(const char *surface)
{
    return strcmp(surface, AD) == 0 ? AD_PACKET : strcmp(surface, LS) == 0 ? LS_PACKET : EC_PACKET;
}

HELPER unsigned photos_for(const char *surface)
{
    return strcmp(surface, AD) == 0 ? 1 : 0;
}

/* --- JSON helpers ----------------------------------------------------------- */

HELPER const char *js(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

HELPER json_int_t ji(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* Formats an expected message into buf (declare `char msgbuf[256]` and use MSGF). */
HELPER const char *msgf(char *buf, size_t n, const char *fmt_, ...)
    __attribute__((format(printf, 3, 4)));
HELPER const char *msgf(char *buf, size_t n, const char *fmt_, ...)
{
    va_list ap;
    va_start(ap, fmt_);
    vsnprintf(buf, n, fmt_, ap);
    va_end(ap);
    return buf;
}

#define MSGF(...) msgf(msgbuf, sizeof msgbuf, __VA_ARGS__)

/* --- lifecycle helpers ------------------------------------------------------- */

/* Submits the surface's packet as cli; returns the task. */
HELPER int64_t submit(fx *f, const char *surface)
{
    int64_t r = 0, t = 0;
    OK(qtm_request_submit(f->q, "cli", surface, packet_for(surface), photos_for(surface), NULL,
                          &r, &t));
    assert_true(r > 0 && t > 0);
    return t;
}

/* A task approved by ada and assigned to op. */
HELPER int64_t task_assigned(fx *f, const char *surface, const char *op)
{
    int64_t t = submit(f, surface);
    OK(qtm_task_approve(f->q, "ada", t));
    OK(qtm_task_assign(f->q, "ada", t, op));
    return t;
}

/* A queued job assigned to op. */
HELPER int64_t job_new(fx *f, const char *surface, const char *op)
{
    int64_t j = 0;
    OK(qtm_job_create(f->q, "ada", task_assigned(f, surface, op), &j));
    assert_true(j > 0);
    return j;
}

/* A job claimed by its assignee op. */
HELPER int64_t job_claimed(fx *f, const char *surface, const char *op)
{
    int64_t j = job_new(f, surface, op);
    OK(qtm_job_claim(f->q, op, j));
    return j;
}

/* One photo per required auto-detailing category. */
HELPER void add_ad_evidence(fx *f, int64_t j, const char *op)
{
    OK(qtm_evidence_add(f->q, op, j, "arrival", "photos/arrival.jpg", NULL));
    OK(qtm_evidence_add(f->q, op, j, "before", "photos/before.jpg", "seats"));
    OK(qtm_evidence_add(f->q, op, j, "after", "photos/after.jpg", NULL));
}

/* Walks a claimed job to its final phase (the record is composed). */
HELPER void run_to_final(fx *f, int64_t j, const char *surface, const char *op)
{
    OK(qtm_job_advance(f->q, op, j, "arrive"));
    OK(qtm_job_advance(f->q, op, j, "start"));
    if (strcmp(surface, AD) == 0) {
        OK(qtm_job_advance(f->q, op, j, "finish"));
        add_ad_evidence(f, j, op);
    }
    OK(qtm_job_advance(f->q, op, j, "complete"));
}

/* A job run through and completed by op. */
HELPER int64_t job_done(fx *f, const char *surface, const char *op)
{
    int64_t j = job_claimed(f, surface, op);
    run_to_final(f, j, surface, op);
    OK(qtm_job_complete(f->q, op, j));
    return j;
}

HELPER json_t *job_show(fx *f, int64_t j)
{
    json_t *o = NULL;
    OK(qtm_job_show(f->q, j, &o));
    assert_non_null(o);
    return o;
}

/* The job's phase and state, for quick checks. */
HELPER void assert_job(fx *f, int64_t j, const char *state, const char *phase)
{
    json_t *o = job_show(f, j);
    assert_string_equal(js(o, "state"), state);
    assert_string_equal(js(o, "phase"), phase);
    json_decref(o);
}

HELPER size_t log_len(fx *f, int64_t job)
{
    json_t *a = NULL;
    OK(qtm_log(f->q, job, &a));
    size_t n = json_array_size(a);
    json_decref(a);
    return n;
}

/* The last audit row (caller decrefs). */
HELPER json_t *log_last(fx *f)
{
    json_t *a = NULL;
    OK(qtm_log(f->q, 0, &a));
    assert_true(json_array_size(a) > 0);
    json_t *row = json_incref(json_array_get(a, json_array_size(a) - 1));
    json_decref(a);
    return row;
}

HELPER size_t task_count(fx *f, const char *state)
{
    json_t *a = NULL;
    OK(qtm_task_list(f->q, state, &a));
    size_t n = json_array_size(a);
    json_decref(a);
    return n;
}

/* --- direct SQLite access (what an attacker or a second program sees) ------- */

HELPER sqlite3 *db_open(fx *f)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* Runs sql on a fresh connection; returns SQLite's result code, and its
 * message in err (if given). */
HELPER int db_exec(fx *f, const char *sql, char *err, size_t n)
{
    sqlite3 *db = db_open(f);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (err && n)
        snprintf(err, n, "%s", msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc;
}

#define DB_OK(sql) assert_int_equal(db_exec(f, (sql), NULL, 0), SQLITE_OK)

HELPER int64_t db_int(fx *f, const char *sql)
{
    sqlite3 *db = db_open(f);
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* The first column of the first row of sql, as text (caller frees; NULL if none). */
HELPER char *db_text(fx *f, const char *sql)
{
    sqlite3 *db = db_open(f);
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Every row of every table (and the schema), as text; caller frees. */
HELPER char *db_dump(fx *f)
{
    sqlite3 *db = db_open(f);
    sqlite3_stmt *tables = NULL, *st = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    fprintf(out, "user_version %lld\n",
            (long long)db_int(f, "PRAGMA user_version"));
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                        " UNION ALL SELECT 'sqlite_master' ORDER BY 1",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char q[256];
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        snprintf(q, sizeof q, "SELECT * FROM \"%s\" ORDER BY 1, 2", name);
        fprintf(out, "== %s\n", name);
        assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                switch (sqlite3_column_type(st, c)) {
                case SQLITE_NULL: fputs("N|", out); break;
                case SQLITE_INTEGER:
                    fprintf(out, "I%lld|", (long long)sqlite3_column_int64(st, c));
                    break;
                default:
                    fprintf(out, "T%d:%s|", sqlite3_column_bytes(st, c),
                            (const char *)sqlite3_column_text(st, c));
                }
            }
            fputc('\n', out);
        }
        sqlite3_finalize(st);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
    fclose(out);
    return buf;
}

/* Fails, naming the first line where two dumps differ; frees after. */
HELPER void dump_differs(fx *f, char *after, const char *what, const char *file, int line)
{
    const char *a = f->dump, *b = after;
    while (*a && *a == *b)
        a++, b++;
    while (a > f->dump && a[-1] != '\n')
        a--, b--;
    print_error("%s:%d: %s changed the database\n    before: %.200s\n    after:  %.200s\n",
                file, line, what, a, b);
    free(after);
    _fail(file, line);
}

/* Runs call, expects `want` and checks that the database is byte-for-byte
 * unchanged (every table, every row, the schema). */
#define UNCHANGED(want, call)                                                  \
    do {                                                                       \
        free(f->dump);                                                         \
        f->dump = db_dump(f);                                                  \
        EXPECT(want, call);                                                    \
        char *after_ = db_dump(f);                                             \
        if (strcmp(f->dump, after_) != 0)                                      \
            dump_differs(f, after_, #call, __FILE__, __LINE__);                \
        free(after_);                                                          \
        free(f->dump);                                                         \
        f->dump = NULL;                                                        \
    } while (0)

/* --- landscaping (status planned) -------------------------------------------
 * qtm_request_submit refuses a planned surface, so no task of landscaping can
 * arise through the API.  To exercise what only landscaping declares (pool
 * ownership, `requires payment`, an admin transition, hidden completed jobs),
 * its request and review task are written directly, as a surface that was
 * active when the request came in would have left them; every step after
 * that goes through the API.  Returns the task (in review). */
HELPER int64_t ls_task_injected(fx *f)
{
    sqlite3 *db = db_open(f);
    sqlite3_stmt *st = NULL;
    json_t *p = json_loads(LS_PACKET, 0, NULL);
    char *canon = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(p);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO requests(surface, fingerprint, intake,"
                                        " photos, created_at) VALUES('landscaping', ?1, ?2, 0,"
                                        " '2026-05-01T08:00:00.000Z')", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, qtm_surface_find(LS)->fingerprint, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    free(canon);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO tasks(request_id, state, created_at, updated_at)"
                                  " VALUES(last_insert_rowid(), 'review',"
                                  " '2026-05-01T08:00:00.000Z', '2026-05-01T08:00:00.000Z')",
                                  NULL, NULL, NULL), SQLITE_OK);
    int64_t t = sqlite3_last_insert_rowid(db);
    sqlite3_close(db);
    return t;
}

/* A queued landscaping visit, approved and assigned to op. */
HELPER int64_t ls_job_new(fx *f, const char *op)
{
    int64_t t = ls_task_injected(f), j = 0;
    OK(qtm_task_approve(f->q, "ada", t));
    OK(qtm_task_assign(f->q, "ada", t, op));
    OK(qtm_job_create(f->q, "ada", t, &j));
    return j;
}

/* --- end of the shared block ------------------------------------------------ */

/* --- actors ------------------------------------------------------------------ */

static void test_actor_add_and_list(void **state)
{
    fx *f = *state;
    json_t *a = NULL;

    OK(qtm_actor_add(f->q, "ana", "operator", "Ana Morales"));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    OK(qtm_actor_add(f->q, "ada", "admin", NULL));
    OK(qtm_actor_add(f->q, "vic", "vendor", ""));
    OK(qtm_actor_add(f->q, "cli", "client", "Client"));
    OK(qtm_actor_list(f->q, &a));
    assert_int_equal(json_array_size(a), 4);
    /* sorted by slug */
    assert_string_equal(js(json_array_get(a, 0), "slug"), "ada");
    assert_string_equal(js(json_array_get(a, 1), "slug"), "ana");
    assert_string_equal(js(json_array_get(a, 2), "slug"), "cli");
    assert_string_equal(js(json_array_get(a, 3), "slug"), "vic");
    json_t *ana = json_array_get(a, 1);
    assert_string_equal(js(ana, "name"), "Ana Morales");
    assert_string_equal(js(ana, "role"), "operator");
    assert_string_equal(js(ana, "access"), "active");
    assert_string_equal(js(ana, "created_at"), stamp);
    /* no name: the slug stands in */
    assert_string_equal(js(json_array_get(a, 0), "name"), "ada");
    assert_string_equal(js(json_array_get(a, 3), "name"), "vic");
    assert_string_equal(js(json_array_get(a, 0), "role"), "admin");
    json_decref(a);
}

static void test_actor_add_is_audited(void **state)
{
    fx *f = *state;
    OK(qtm_actor_add(f->q, "ana", "operator", NULL));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_int_equal(log_len(f, 0), 1);
    json_t *row = log_last(f);
    assert_string_equal(js(row, "entity"), "actor");
    assert_string_equal(js(row, "action"), "add");
    assert_string_equal(js(row, "to"), "operator");
    assert_true(json_is_null(json_object_get(row, "actor")));
    assert_string_equal(js(row, "at"), stamp);
    json_decref(row);
}

static void test_actor_duplicate_conflict(void **state)
{
    fx *f = *state;
    OK(qtm_actor_add(f->q, "ana", "operator", NULL));
    EXPECT_EXACT(QTM_ECONFLICT, "actor 'ana' already exists",
                 qtm_actor_add(f->q, "ana", "operator", NULL));
    /* another role does not make it another actor */
    UNCHANGED(QTM_ECONFLICT, qtm_actor_add(f->q, "ana", "admin", "Someone else"));
    json_t *a = NULL;
    OK(qtm_actor_list(f->q, &a));
    assert_int_equal(json_array_size(a), 1);
    assert_string_equal(js(json_array_get(a, 0), "role"), "operator");
    json_decref(a);
    assert_int_equal(log_len(f, 0), 1);
}

static void test_actor_bad_role(void **state)
{
    fx *f = *state;
    EXPECT_MSG(QTM_EINVALID, "unknown role 'boss'", qtm_actor_add(f->q, "ana", "boss", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, "ana", "Operator", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, "ana", "staff", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, "ana", "", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, "ana", NULL, NULL));
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM actors"), 0);
    assert_int_equal(log_len(f, 0), 0);
}

static void test_actor_bad_slug(void **state)
{
    fx *f = *state;
    char long_slug[65];
    memset(long_slug, 'a', 64);
    long_slug[64] = '\0';
    static const char *const bad[] = {"Ana", "", "-ana", "_ana", ".ana", "an a", "ana/x",
                                      "ana\n", "ána", "ana;drop"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT_MSG(QTM_EINVALID, "is not valid", qtm_actor_add(f->q, bad[i], "operator", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, long_slug, "operator", NULL));
    EXPECT(QTM_EINVALID, qtm_actor_add(f->q, NULL, "operator", NULL));
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM actors"), 0);
    /* the edges that are valid */
    long_slug[63] = '\0';
    OK(qtm_actor_add(f->q, long_slug, "operator", NULL));
    OK(qtm_actor_add(f->q, "0-crew_lead.2", "operator", NULL));
    OK(qtm_actor_add(f->q, "a", "client", NULL));
}

static void test_actor_name_too_long(void **state)
{
    fx *f = *state;
    char name[122];
    memset(name, 'n', 121);
    name[121] = '\0';
    EXPECT_MSG(QTM_EINVALID, "longer than 120", qtm_actor_add(f->q, "ana", "operator", name));
    name[120] = '\0';
    OK(qtm_actor_add(f->q, "ana", "operator", name));
}

static void test_actor_set_access(void **state)
{
    fx *f = *state;
    size_t n = log_len(f, 0);
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    json_t *row = log_last(f);
    assert_string_equal(js(row, "entity"), "actor");
    assert_string_equal(js(row, "action"), "access");
    assert_string_equal(js(row, "from"), "active");
    assert_string_equal(js(row, "to"), "limited");
    json_decref(row);
    OK(qtm_actor_set_access(f->q, "ana", "suspended"));
    OK(qtm_actor_set_access(f->q, "bo", "suspended"));
    OK(qtm_actor_set_access(f->q, "bo", "active"));
    assert_int_equal(log_len(f, 0), n + 4);
    json_t *a = NULL;
    OK(qtm_actor_list(f->q, &a));
    size_t i;
    json_t *o;
    json_array_foreach(a, i, o) {
        if (strcmp(js(o, "slug"), "ana") == 0)
            assert_string_equal(js(o, "access"), "suspended");
        else
            assert_string_equal(js(o, "access"), "active");
    }
    json_decref(a);
}

static void test_actor_set_same_access_changes_nothing(void **state)
{
    fx *f = *state;
    UNCHANGED(QTM_OK, qtm_actor_set_access(f->q, "ana", "active"));
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_OK, qtm_actor_set_access(f->q, "ana", "limited"));
}

static void test_actor_set_access_refusals(void **state)
{
    fx *f = *state;
    UNCHANGED(QTM_EINVALID, qtm_actor_set_access(f->q, "ana", "banned"));
    EXPECT_MSG(QTM_EINVALID, "unknown access state 'Active'",
               qtm_actor_set_access(f->q, "ana", "Active"));
    EXPECT(QTM_EINVALID, qtm_actor_set_access(f->q, "ana", NULL));
    EXPECT_EXACT(QTM_ENOTFOUND, "no actor 'zed'", qtm_actor_set_access(f->q, "zed", "limited"));
}

/* --- request submission ---------------------------------------------------------- */

static void test_submit_creates_request_and_review_task(void **state)
{
    fx *f = *state;
    int64_t r = 0, t = 0;
    size_t n = log_len(f, 0);
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, NULL, &r, &t));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_true(r > 0);
    assert_true(t > 0);
    assert_int_equal(task_count(f, NULL), 1);
    assert_int_equal(task_count(f, "review"), 1);
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_int_equal(ji(o, "id"), t);
    assert_string_equal(js(o, "state"), "review");
    assert_string_equal(js(o, "surface"), EC);
    assert_true(json_is_null(json_object_get(o, "assignee")));
    assert_true(json_is_null(json_object_get(o, "job")));
    json_t *req = json_object_get(o, "request");
    assert_int_equal(ji(req, "id"), r);
    assert_string_equal(js(req, "surface"), EC);
    assert_string_equal(js(req, "fingerprint"), qtm_surface_find(EC)->fingerprint);
    assert_string_equal(js(req, "submitted_by"), "cli");
    assert_string_equal(js(req, "created_at"), stamp);
    json_t *packet = json_loads(EC_PACKET, 0, NULL);
    assert_true(json_equal(json_object_get(req, "intake"), packet));
    json_decref(packet);
    json_decref(o);
    /* the request and the task's opening are audited */
    assert_int_equal(log_len(f, 0), n + 2);
    json_t *row = log_last(f);
    assert_string_equal(js(row, "entity"), "task");
    assert_string_equal(js(row, "action"), "open");
    assert_string_equal(js(row, "to"), "review");
    assert_string_equal(js(row, "actor"), "cli");
    json_decref(row);
    /* nothing executable exists */
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM jobs"), 0);
}

static void test_submit_anonymous(void **state)
{
    fx *f = *state;
    int64_t r = 0, t = 0;
    json_t *o = NULL;
    OK(qtm_request_submit(f->q, NULL, EC, EC_PACKET, 0, NULL, &r, &t));
    OK(qtm_task_show(f->q, t, &o));
    assert_true(json_is_null(json_object_get(json_object_get(o, "request"), "submitted_by")));
    json_decref(o);
}

static void test_submit_stores_canonical_packet(void **state)
{
    fx *f = *state;
    int64_t r = 0, t = 0;
    OK(qtm_request_submit(f->q, "cli", AD, AD_PACKET, 1, NULL, &r, &t));
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT intake FROM requests WHERE id = %lld", (long long)r);
    json_t *packet = json_loads(AD_PACKET, 0, NULL);
    char *canon = json_dumps(packet, JSON_COMPACT | JSON_SORT_KEYS);
    char *stored = db_text(f, sql);
    assert_non_null(stored);
    assert_string_equal(stored, canon);
    snprintf(sql, sizeof sql, "SELECT photos FROM requests WHERE id = %lld", (long long)r);
    assert_int_equal(db_int(f, sql), 1);
    free(stored);
    free(canon);
    json_decref(packet);
}

static void test_submit_invalid_packet(void **state)
{
    fx *f = *state;
    int64_t r = 7, t = 7;
    static const char no_name[] =
        "{\"contact\": {\"method\": \"email\"}, \"event\": {\"type\": \"Other\", \"venue\": \"x\"},"
        " \"request\": {\"package\": \"consultation\", \"service_area\": \"x\"},"
        " \"notes\": {\"condition\": \"x\"}}";
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, "cli", EC, no_name, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q), "intake: contact.name: required field missing");
    assert_int_equal(r, 0);
    assert_int_equal(t, 0);
    EXPECT_MSG(QTM_EINVALID, "intake: not valid JSON",
               qtm_request_submit(f->q, "cli", EC, "{\"contact\":", 0, NULL, &r, &t));
    EXPECT_MSG(QTM_EINVALID, "intake: packet must be a JSON object",
               qtm_request_submit(f->q, "cli", EC, "[]", 0, NULL, &r, &t));
    EXPECT_MSG(QTM_EINVALID, "intake: no packet given",
               qtm_request_submit(f->q, "cli", EC, NULL, 0, NULL, &r, &t));
    /* a packet of another surface */
    EXPECT_MSG(QTM_EINVALID, "intake: unknown section vehicle",
               qtm_request_submit(f->q, "cli", EC, AD_PACKET, 0, NULL, &r, &t));
    assert_int_equal(task_count(f, NULL), 0);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM requests"), 0);
}

static void test_submit_photo_minimum(void **state)
{
    fx *f = *state;
    int64_t r, t;
    /* auto-detailing declares photos min 1 */
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, "cli", AD, AD_PACKET, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q), "intake: at least 1 photo required, got 0");
    OK(qtm_request_submit(f->q, "cli", AD, AD_PACKET, 1, NULL, &r, &t));
    /* event coordination is held to no photo minimum (seed guardrail) */
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, NULL, &r, &t));
    assert_int_equal(task_count(f, NULL), 2);
}

static void test_submit_unknown_surface(void **state)
{
    fx *f = *state;
    int64_t r = 1, t = 1;
    UNCHANGED(QTM_ENOTFOUND, qtm_request_submit(f->q, "cli", "plumbing", EC_PACKET, 0, NULL, &r,
                                                &t));
    assert_string_equal(qtm_errmsg(f->q), "no surface 'plumbing'");
    assert_int_equal(r, 0);
    assert_int_equal(t, 0);
    EXPECT(QTM_ENOTFOUND, qtm_request_submit(f->q, "cli", NULL, EC_PACKET, 0, NULL, &r, &t));
    EXPECT(QTM_ENOTFOUND, qtm_request_submit(f->q, "cli", "", EC_PACKET, 0, NULL, &r, &t));
}

static void test_submit_planned_surface_refused(void **state)
{
    fx *f = *state;
    int64_t r = 1, t = 1;
    assert_int_equal(qtm_surface_find(LS)->status, QTM_STATUS_PLANNED);
    UNCHANGED(QTM_EREFUSED, qtm_request_submit(f->q, "cli", LS, LS_PACKET, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q),
                        "surface landscaping is planned and takes no new requests");
    assert_int_equal(r, 0);
    assert_int_equal(t, 0);
    /* refused before validation: an invalid packet gets the same answer */
    EXPECT(QTM_EREFUSED, qtm_request_submit(f->q, "cli", LS, "{}", 0, NULL, &r, &t));
    assert_int_equal(task_count(f, NULL), 0);
}

static void test_submit_actor_checked(void **state)
{
    fx *f = *state;
    int64_t r, t;
    UNCHANGED(QTM_ENOTFOUND, qtm_request_submit(f->q, "zed", EC, EC_PACKET, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q), "no actor 'zed'");
    OK(qtm_actor_set_access(f->q, "cli", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, NULL, &r, &t));
    assert_string_equal(qtm_errmsg(f->q), "cli is suspended and cannot submit requests");
    /* limited may still submit: it is not execution */
    OK(qtm_actor_set_access(f->q, "cli", "limited"));
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, NULL, &r, &t));
}

static void test_submit_without_key_makes_new_requests(void **state)
{
    fx *f = *state;
    int64_t r1, t1, r2, t2;
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, NULL, &r1, &t1));
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, NULL, &r2, &t2));
    assert_true(r2 != r1);
    assert_true(t2 != t1);
    assert_int_equal(task_count(f, NULL), 2);
}

static void test_idempotent_retry_returns_same_ids(void **state)
{
    fx *f = *state;
    int64_t r1, t1, r2 = 0, t2 = 0;
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, "form-7f3a", &r1, &t1));
    size_t n = log_len(f, 0);
    UNCHANGED(QTM_OK, qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, "form-7f3a", &r2, &t2));
    assert_int_equal(r2, r1);
    assert_int_equal(t2, t1);
    assert_int_equal(task_count(f, NULL), 1);
    assert_int_equal(log_len(f, 0), n);
    /* the same packet written differently is the same packet */
    json_t *p = json_loads(EC_PACKET, 0, NULL);
    char *pretty = json_dumps(p, JSON_INDENT(4));
    json_decref(p);
    r2 = t2 = 0;
    UNCHANGED(QTM_OK, qtm_request_submit(f->q, "cli", EC, pretty, 0, "form-7f3a", &r2, &t2));
    free(pretty);
    assert_int_equal(r2, r1);
    assert_int_equal(t2, t1);
    /* still returned once the task has moved on */
    OK(qtm_task_approve(f->q, "ada", t1));
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, "form-7f3a", &r2, &t2));
    assert_int_equal(t2, t1);
    assert_int_equal(task_count(f, NULL), 1);
}

static void test_idempotent_key_with_other_packet_conflicts(void **state)
{
    fx *f = *state;
    int64_t r1, t1, r2 = 5, t2 = 5;
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, "k1", &r1, &t1));
    json_t *p = json_loads(EC_PACKET, 0, NULL);
    json_object_set_new(json_object_get(p, "event"), "guests", json_integer(150));
    char *other = json_dumps(p, 0);
    json_decref(p);
    UNCHANGED(QTM_ECONFLICT, qtm_request_submit(f->q, "cli", EC, other, 0, "k1", &r2, &t2));
    free(other);
    char want[128];
    snprintf(want, sizeof want, "idempotency key 'k1' was already used for request %lld with a "
             "different packet", (long long)r1);
    assert_string_equal(qtm_errmsg(f->q), want);
    assert_int_equal(r2, 0);
    assert_int_equal(t2, 0);
    /* same key, another surface */
    UNCHANGED(QTM_ECONFLICT, qtm_request_submit(f->q, "cli", AD, AD_PACKET, 1, "k1", &r2, &t2));
    assert_int_equal(task_count(f, NULL), 1);
}

static void test_idempotency_key_bounds(void **state)
{
    fx *f = *state;
    int64_t r, t;
    char key[202];
    memset(key, 'k', 201);
    key[201] = '\0';
    EXPECT_MSG(QTM_EINVALID, "idempotency key must be 1 to 200 bytes",
               qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, "", &r, &t));
    EXPECT(QTM_EINVALID, qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, key, &r, &t));
    key[200] = '\0';
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, key, &r, &t));
}

/* --- tasks -------------------------------------------------------------------- */

static void test_task_approve(void **state)
{
    fx *f = *state;
    int64_t t = submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_string_equal(js(o, "state"), "approved");
    assert_string_equal(js(o, "updated_at"), stamp);
    json_decref(o);
    json_t *row = log_last(f);
    assert_string_equal(js(row, "actor"), "ada");
    assert_string_equal(js(row, "entity"), "task");
    assert_int_equal(ji(row, "entity_id"), t);
    assert_string_equal(js(row, "action"), "approve");
    assert_string_equal(js(row, "from"), "review");
    assert_string_equal(js(row, "to"), "approved");
    json_decref(row);
}

static void test_task_verbs_admin_only(void **state)
{
    fx *f = *state;
    int64_t t = submit(f, EC);
    static const char *const who[] = {"ana", "vic", "cli"};
    for (size_t i = 0; i < 3; i++) {
        UNCHANGED(QTM_EFORBIDDEN, qtm_task_approve(f->q, who[i], t));
        UNCHANGED(QTM_EFORBIDDEN, qtm_task_reject(f->q, who[i], t, "no"));
        UNCHANGED(QTM_EFORBIDDEN, qtm_task_close(f->q, who[i], t));
    }
    EXPECT_EXACT(QTM_EFORBIDDEN, "ana is an operator; only an admin can approve tasks",
                 qtm_task_approve(f->q, "ana", t));
    EXPECT_EXACT(QTM_EFORBIDDEN, "vic is a vendor; only an admin can reject tasks",
                 qtm_task_reject(f->q, "vic", t, "no"));
    OK(qtm_task_approve(f->q, "ada", t));
    for (size_t i = 0; i < 3; i++)
        UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, who[i], t, "ana"));
    EXPECT_EXACT(QTM_EFORBIDDEN, "cli is a client; only an admin can assign tasks",
                 qtm_task_assign(f->q, "cli", t, "ana"));
    EXPECT(QTM_ENOTFOUND, qtm_task_approve(f->q, "nobody", t));
    EXPECT(QTM_EUSAGE, qtm_task_approve(f->q, NULL, t));
}

static void test_task_verbs_need_active_admin(void **state)
{
    fx *f = *state;
    int64_t t = submit(f, EC), t2 = submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t2));
    OK(qtm_actor_set_access(f->q, "ada", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_approve(f->q, "ada", t));
    assert_string_equal(qtm_errmsg(f->q), "ada is suspended and cannot approve tasks");
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_reject(f->q, "ada", t, "spam"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t2, "ana"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_close(f->q, "ada", t));
    OK(qtm_actor_set_access(f->q, "ada", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_approve(f->q, "ada", t));
    EXPECT_MSG(QTM_EFORBIDDEN, "ada has limited access", qtm_task_assign(f->q, "ada", t2, "ana"));
    OK(qtm_actor_set_access(f->q, "ada", "active"));
    OK(qtm_task_approve(f->q, "ada", t));
}

static void test_task_approve_only_from_review(void **state)
{
    fx *f = *state;
    int64_t t = submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    char want[96];
    snprintf(want, sizeof want, "task %lld is approved; only a task in review can be approved",
             (long long)t);
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", t));
    assert_string_equal(qtm_errmsg(f->q), want);
    OK(qtm_task_assign(f->q, "ada", t, "ana"));
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", t));
    int64_t r = submit(f, EC);
    OK(qtm_task_reject(f->q, "ada", r, "duplicate of another request"));
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", r));
    int64_t c = submit(f, EC);
    OK(qtm_task_close(f->q, "ada", c));
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", c));
}

static void test_task_reject_needs_reason(void **state)
{
    fx *f = *state;
    int64_t t = submit(f, EC);
    UNCHANGED(QTM_EUSAGE, qtm_task_reject(f->q, "ada", t, NULL));
    assert_string_equal(qtm_errmsg(f->q), "rejecting a task needs a reason");
    UNCHANGED(QTM_EUSAGE, qtm_task_reject(f->q, "ada", t, ""));
    char reason[502];
    memset(reason, 'r', 501);
    reason[501] = '\0';
    UNCHANGED(QTM_EINVALID, qtm_task_reject(f->q, "ada", t, reason));
    OK(qtm_task_reject(f->q, "ada", t, "outside the service area"));
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_string_equal(js(o, "state"), "rejected");
    assert_string_equal(js(o, "reason"), "outside the service area");
    json_decref(o);
    assert_int_equal(task_count(f, "rejected"), 1);
}

static void test_task_reject_only_from_review(void **state)
{
    fx *f = *state;
    int64_t t = submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    char msgbuf[256];
    UNCHANGED(QTM_EREFUSED, qtm_task_reject(f->q, "ada", t, "changed my mind"));
    assert_string_equal(qtm_errmsg(f->q), MSGF("task %lld is approved; only a task in review can "
                                               "be rejected", (long long)t));
}

static void test_task_assign_only_operators(void **state)
{
    fx *f = *state;
    int64_t t = submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t, "vic"));
    assert_string_equal(qtm_errmsg(f->q), "vic is a vendor; tasks are assigned to operators");
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t, "cli"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t, "ada"));
    UNCHANGED(QTM_ENOTFOUND, qtm_task_assign(f->q, "ada", t, "zed"));
    OK(qtm_actor_set_access(f->q, "bo", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", t, "bo"));
    assert_string_equal(qtm_errmsg(f->q), "bo is suspended and cannot receive work");
    OK(qtm_task_assign(f->q, "ada", t, "ana"));
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_string_equal(js(o, "state"), "assigned");
    assert_string_equal(js(o, "assignee"), "ana");
    json_decref(o);
    json_t *row = log_last(f);
    assert_string_equal(js(row, "action"), "assign");
    assert_string_equal(js(row, "from"), "approved");
    assert_string_equal(js(row, "to"), "ana");
    json_decref(row);
}

static void test_task_assign_needs_approval(void **state)
{
    fx *f = *state;
    int64_t t = submit(f, EC);
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", t, "ana"));
    char want[96];
    snprintf(want, sizeof want, "task %lld is review; only an approved task can be assigned",
             (long long)t);
    assert_string_equal(qtm_errmsg(f->q), want);
    OK(qtm_task_reject(f->q, "ada", t, "spam"));
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", t, "ana"));
}

static void test_task_reassign_before_handoff(void **state)
{
    fx *f = *state;
    int64_t t = task_assigned(f, EC, "ana");
    OK(qtm_task_assign(f->q, "ada", t, "bo"));
    json_t *row = log_last(f);
    assert_string_equal(js(row, "from"), "ana");
    assert_string_equal(js(row, "to"), "bo");
    json_decref(row);
    int64_t j = 0;
    OK(qtm_job_create(f->q, "ada", t, &j));
    /* after the handoff the assignment is final */
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", t, "ana"));
    char want[96];
    snprintf(want, sizeof want, "task %lld already handed off to job %lld; its assignment is final",
             (long long)t, (long long)j);
    assert_string_equal(qtm_errmsg(f->q), want);
    json_t *o = job_show(f, j);
    assert_string_equal(js(o, "assignee"), "bo");
    json_decref(o);
}

static void test_task_close(void **state)
{
    fx *f = *state;
    int64_t a = submit(f, EC), b = submit(f, EC);
    OK(qtm_task_close(f->q, "ada", a));
    OK(qtm_task_approve(f->q, "ada", b));
    OK(qtm_task_close(f->q, "ada", b));
    assert_int_equal(task_count(f, "closed"), 2);
    char msgbuf[256];
    UNCHANGED(QTM_EREFUSED, qtm_task_close(f->q, "ada", a));
    assert_string_equal(qtm_errmsg(f->q), MSGF("task %lld is already closed", (long long)a));
    int64_t j = 0;
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", b, &j));
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", b, "ana"));
}

static void test_task_unknown(void **state)
{
    fx *f = *state;
    json_t *o = (json_t *)1;
    int64_t j = 3;
    UNCHANGED(QTM_ENOTFOUND, qtm_task_approve(f->q, "ada", 999));
    assert_string_equal(qtm_errmsg(f->q), "no task 999");
    UNCHANGED(QTM_ENOTFOUND, qtm_task_reject(f->q, "ada", 999, "x"));
    UNCHANGED(QTM_ENOTFOUND, qtm_task_assign(f->q, "ada", 999, "ana"));
    UNCHANGED(QTM_ENOTFOUND, qtm_task_close(f->q, "ada", 999));
    UNCHANGED(QTM_ENOTFOUND, qtm_job_create(f->q, "ada", 999, &j));
    assert_int_equal(j, 0);
    EXPECT(QTM_ENOTFOUND, qtm_task_show(f->q, 999, &o));
    assert_null(o);
    EXPECT(QTM_ENOTFOUND, qtm_task_show(f->q, 0, &o));
    EXPECT(QTM_ENOTFOUND, qtm_task_approve(f->q, "ada", -1));
}

static void test_governance_creates_no_job(void **state)
{
    fx *f = *state;
    int64_t t = submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", t));
    OK(qtm_task_assign(f->q, "ada", t, "ana"));
    OK(qtm_task_assign(f->q, "ada", t, "bo"));
    json_t *d = NULL;
    OK(qtm_desk(f->q, NULL, &d));
    assert_int_equal(json_array_size(json_object_get(d, "queued")), 0);
    assert_int_equal(json_array_size(json_object_get(d, "active")), 0);
    assert_int_equal(json_array_size(json_object_get(d, "completed")), 0);
    json_decref(d);
    OK(qtm_desk(f->q, "bo", &d));
    assert_int_equal(json_array_size(json_object_get(d, "queued")), 0);
    json_decref(d);
    json_t *o = NULL;
    OK(qtm_task_show(f->q, t, &o));
    assert_true(json_is_null(json_object_get(o, "job")));
    json_decref(o);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM jobs"), 0);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM service_events"), 0);
    EXPECT(QTM_ENOTFOUND, qtm_job_show(f->q, 1, &o));
}

static void test_task_list_filters(void **state)
{
    fx *f = *state;
    int64_t a = submit(f, EC), b = submit(f, AD);
    submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", a));
    OK(qtm_task_assign(f->q, "ada", a, "ana"));
    OK(qtm_task_reject(f->q, "ada", b, "no"));
    assert_int_equal(task_count(f, NULL), 3);
    assert_int_equal(task_count(f, "review"), 1);
    assert_int_equal(task_count(f, "assigned"), 1);
    assert_int_equal(task_count(f, "rejected"), 1);
    assert_int_equal(task_count(f, "approved"), 0);
    json_t *l = (json_t *)1;
    EXPECT_MSG(QTM_EUSAGE, "unknown task state 'open'", qtm_task_list(f->q, "open", &l));
    assert_null(l);
    OK(qtm_task_list(f->q, "assigned", &l));
    assert_string_equal(js(json_array_get(l, 0), "assignee"), "ana");
    assert_string_equal(js(json_array_get(l, 0), "surface"), EC);
    json_decref(l);
}

static void test_surfaces_listed(void **state)
{
    fx *f = *state;
    json_t *a = NULL, *m = NULL;
    OK(qtm_surfaces(f->q, &a));
    assert_true(json_array_size(a) >= 3);
    size_t i;
    json_t *o;
    int seen = 0;
    json_array_foreach(a, i, o) {
        const qtm_surface *s = qtm_surface_find(js(o, "slug"));
        assert_non_null(s);
        assert_string_equal(js(o, "fingerprint"), s->fingerprint);
        if (strcmp(js(o, "slug"), LS) == 0) {
            assert_string_equal(js(o, "status"), "planned");
            seen++;
        }
        if (strcmp(js(o, "slug"), EC) == 0) {
            assert_string_equal(js(o, "status"), "active");
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    json_decref(a);
    OK(qtm_surface_show(f->q, EC, &m));
    assert_non_null(m);
    json_decref(m);
    EXPECT(QTM_ENOTFOUND, qtm_surface_show(f->q, "plumbing", &m));
    assert_null(m);
    assert_null(qtm_surface_find("plumbing"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST_BARE(test_actor_add_and_list),
        TEST_BARE(test_actor_add_is_audited),
        TEST_BARE(test_actor_duplicate_conflict),
        TEST_BARE(test_actor_bad_role),
        TEST_BARE(test_actor_bad_slug),
        TEST_BARE(test_actor_name_too_long),
        TEST(test_actor_set_access),
        TEST(test_actor_set_same_access_changes_nothing),
        TEST(test_actor_set_access_refusals),
        TEST(test_submit_creates_request_and_review_task),
        TEST(test_submit_anonymous),
        TEST(test_submit_stores_canonical_packet),
        TEST(test_submit_invalid_packet),
        TEST(test_submit_photo_minimum),
        TEST(test_submit_unknown_surface),
        TEST(test_submit_planned_surface_refused),
        TEST(test_submit_actor_checked),
        TEST(test_submit_without_key_makes_new_requests),
        TEST(test_idempotent_retry_returns_same_ids),
        TEST(test_idempotent_key_with_other_packet_conflicts),
        TEST(test_idempotency_key_bounds),
        TEST(test_task_approve),
        TEST(test_task_verbs_admin_only),
        TEST(test_task_verbs_need_active_admin),
        TEST(test_task_approve_only_from_review),
        TEST(test_task_reject_needs_reason),
        TEST(test_task_reject_only_from_review),
        TEST(test_task_assign_only_operators),
        TEST(test_task_assign_needs_approval),
        TEST(test_task_reassign_before_handoff),
        TEST(test_task_close),
        TEST(test_task_unknown),
        TEST(test_governance_creates_no_job),
        TEST(test_task_list_filters),
        TEST(test_surfaces_listed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
