/*
 * test_rt_execution.c - libqtm's execution layer against a real SQLite
 * file: the explicit job handoff, claims (assignee only, roles, access
 * states, conflicts, idempotent re-claim), ServiceEvent advance (owner
 * only, no skipping, every phase stored with actor and time), the
 * auto-detailing evidence gate and its absence on event coordination,
 * record composition and hashing, job completion and the desk.
 */
#include <pthread.h>

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

/* --- job create ------------------------------------------------------------ */

static void test_job_create_from_assigned_task(void **state)
{
    fx *f = *state;
    int64_t t = task_assigned(f, EC, "ana"), j = 0;
    size_t n = log_len(f, 0);
    OK(qtm_job_create(f->q, "ada", t, &j));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_true(j > 0);
    assert_int_equal(log_len(f, 0), n + 1);
    json_t *o = job_show(f, j);
    assert_int_equal(ji(o, "id"), j);
    assert_int_equal(ji(o, "task"), t);
    assert_string_equal(js(o, "surface"), EC);
    assert_string_equal(js(o, "state"), "queued");
    assert_string_equal(js(o, "phase"), "queued");
    assert_string_equal(js(o, "label"), "Queued");
    assert_true(strstr(js(o, "hint"), "waiting for its operator") != NULL);
    assert_true(json_is_null(json_object_get(o, "owner")));
    assert_string_equal(js(o, "assignee"), "ana");
    assert_string_equal(js(o, "created_at"), stamp);
    assert_true(json_is_null(json_object_get(o, "claimed_at")));
    assert_true(json_is_null(json_object_get(o, "service_event")));
    assert_true(json_is_null(json_object_get(o, "record")));
    json_t *next = json_object_get(o, "next");
    assert_int_equal(json_array_size(next), 1);
    assert_string_equal(js(json_array_get(next, 0), "event"), "claim");
    assert_string_equal(js(json_array_get(next, 0), "by"), "operator");
    json_decref(o);
    json_t *row = log_last(f);
    assert_string_equal(js(row, "entity"), "job");
    assert_string_equal(js(row, "action"), "create");
    assert_string_equal(js(row, "to"), "queued");
    assert_string_equal(js(row, "actor"), "ada");
    assert_int_equal(ji(row, "job"), j);
    json_decref(row);
    OK(qtm_task_show(f->q, t, &o));
    assert_int_equal(ji(o, "job"), j);
    json_decref(o);
}

static void test_job_create_only_from_assigned(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t t = submit(f, EC), j = 9;
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", t, &j));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("task %lld is review; a job is created only from an approved task "
                            "assigned to an operator", (long long)t));
    assert_int_equal(j, 0);
    OK(qtm_task_approve(f->q, "ada", t));
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", t, &j));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("task %lld is approved but not assigned; a job is created only from "
                            "an approved task assigned to an operator", (long long)t));
    int64_t r = submit(f, EC);
    OK(qtm_task_reject(f->q, "ada", r, "no"));
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", r, &j));
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM jobs"), 0);
}

static void test_job_create_one_per_task(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t t = task_assigned(f, EC, "ana"), j = 0, j2 = 5;
    OK(qtm_job_create(f->q, "ada", t, &j));
    UNCHANGED(QTM_ECONFLICT, qtm_job_create(f->q, "ada", t, &j2));
    assert_string_equal(qtm_errmsg(f->q), MSGF("task %lld already has job %lld; one job per task",
                                               (long long)t,
                                               (long long)j));
    assert_int_equal(j2, 0);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM jobs"), 1);
}

static void test_job_create_admin_only(void **state)
{
    fx *f = *state;
    int64_t t = task_assigned(f, EC, "ana"), j = 0;
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_create(f->q, "ana", t, &j));
    assert_string_equal(qtm_errmsg(f->q), "ana is an operator; only an admin can create jobs");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_create(f->q, "vic", t, &j));
    OK(qtm_actor_set_access(f->q, "ada", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_create(f->q, "ada", t, &j));
    EXPECT(QTM_ENOTFOUND, qtm_job_create(f->q, "zed", t, &j));
}

static void test_job_carries_surface_fingerprint(void **state)
{
    fx *f = *state;
    const char *surfaces[] = {EC, AD};
    for (int i = 0; i < 2; i++) {
        int64_t j = job_new(f, surfaces[i], "ana");
        json_t *o = job_show(f, j);
        const qtm_surface *s = qtm_surface_find(surfaces[i]);
        assert_non_null(s);
        assert_string_equal(js(o, "fingerprint"), s->fingerprint);
        assert_int_equal(strncmp(s->fingerprint, "sha256:", 7), 0);
        assert_int_equal(strlen(s->fingerprint), 7 + 64);
        json_decref(o);
    }
}

static void test_job_under_other_tables_refused(void **state)
{
    fx *f = *state;
    int64_t j = job_new(f, EC, "ana");
    char sql[96];
    snprintf(sql, sizeof sql, "UPDATE jobs SET fingerprint = 'sha256:0000' WHERE id = %lld",
             (long long)j);
    DB_OK(sql);
    json_t *o = (json_t *)1;
    EXPECT_MSG(QTM_EREFUSED, "cannot run under other tables", qtm_job_show(f->q, j, &o));
    assert_null(o);
    UNCHANGED(QTM_EREFUSED, qtm_job_claim(f->q, "ana", j));
}

/* --- claim --------------------------------------------------------------- */

static void test_claim_by_assignee(void **state)
{
    fx *f = *state;
    int64_t j = job_new(f, EC, "ana");
    size_t n = log_len(f, j);
    OK(qtm_job_claim(f->q, "ana", j));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_int_equal(log_len(f, j), n + 2);
    json_t *o = job_show(f, j);
    assert_string_equal(js(o, "state"), "active");
    assert_string_equal(js(o, "owner"), "ana");
    assert_string_equal(js(o, "phase"), "claimed");
    assert_string_equal(js(o, "label"), "Confirmed");
    assert_string_equal(js(o, "claimed_at"), stamp);
    json_t *se = json_object_get(o, "service_event");
    assert_true(json_is_object(se));
    assert_string_equal(js(se, "operator"), "ana");
    assert_string_equal(js(se, "phase"), "claimed");
    assert_true(json_is_false(json_object_get(se, "complete")));
    assert_string_equal(js(se, "started_at"), stamp);
    json_t *ph = json_object_get(se, "phases");
    assert_int_equal(json_array_size(ph), 1);
    json_t *p0 = json_array_get(ph, 0);
    assert_string_equal(js(p0, "from"), "queued");
    assert_string_equal(js(p0, "to"), "claimed");
    assert_string_equal(js(p0, "event"), "claim");
    assert_string_equal(js(p0, "actor"), "ana");
    assert_string_equal(js(p0, "at"), stamp);
    json_decref(o);
}

static void test_claim_by_other_operator_forbidden(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_new(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "bo", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is assigned to ana; bo cannot claim it",
                                               (long long)j));
    /* the claim event through advance is the same claim */
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "bo", j, "claim"));
    assert_job(f, j, "queued", "queued");
}

static void test_claim_by_non_operators_forbidden(void **state)
{
    fx *f = *state;
    int64_t j = job_new(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "vic", j));
    assert_string_equal(qtm_errmsg(f->q), "vic is a vendor and cannot claim jobs; only operators "
                                          "claim (vendors and clients can be recorded as "
                                          "participants)");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "cli", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "ada", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "vic", j, "claim"));
    /* still refused once the job is claimed (no "conflict" leak for non-operators) */
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "vic", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "ada", j));
}

static void test_claim_by_inactive_operator_forbidden(void **state)
{
    fx *f = *state;
    int64_t j = job_new(f, EC, "ana");
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), "ana has limited access (may view, not change "
                                          "execution) and cannot claim jobs");
    OK(qtm_actor_set_access(f->q, "ana", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), "ana is suspended and cannot claim jobs");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "claim"));
    OK(qtm_actor_set_access(f->q, "ana", "active"));
    OK(qtm_job_claim(f->q, "ana", j));
}

static void test_second_claim_conflict_names_owner(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_new(f, EC, "ana");
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_ECONFLICT, qtm_job_claim(f->q, "bo", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is already claimed by ana", (long long)j));
    /* through advance, `claim` is simply not a step out of `claimed` */
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "bo", j, "claim"));
    /* a second handle on the same file sees the same owner */
    qtm *h2 = NULL;
    assert_int_equal(qtm_open(f->path, 0, &h2), QTM_OK);
    assert_int_equal(qtm_job_claim(h2, "bo", j), QTM_ECONFLICT);
    assert_non_null(strstr(qtm_errmsg(h2), "already claimed by ana"));
    qtm_close(h2);
    assert_job(f, j, "active", "claimed");
}

static void test_repeated_claim_by_owner_is_noop(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    size_t n = log_len(f, 0);
    UNCHANGED(QTM_OK, qtm_job_claim(f->q, "ana", j));
    assert_int_equal(log_len(f, 0), n);
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    n = log_len(f, 0);
    UNCHANGED(QTM_OK, qtm_job_claim(f->q, "ana", j));
    assert_int_equal(log_len(f, 0), n);
    assert_job(f, j, "active", "arrived");
}

static void test_claim_through_advance(void **state)
{
    fx *f = *state;
    int64_t j = job_new(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "claim"));
    json_t *o = job_show(f, j);
    assert_string_equal(js(o, "owner"), "ana");
    assert_string_equal(js(o, "phase"), "claimed");
    assert_int_equal(json_array_size(json_object_get(json_object_get(o, "service_event"),
                                                     "phases")), 1);
    json_decref(o);
}

static void test_claim_unknown_job(void **state)
{
    fx *f = *state;
    UNCHANGED(QTM_ENOTFOUND, qtm_job_claim(f->q, "ana", 42));
    assert_string_equal(qtm_errmsg(f->q), "no job 42");
    EXPECT(QTM_ENOTFOUND, qtm_job_advance(f->q, "ana", 42, "arrive"));
    EXPECT(QTM_ENOTFOUND, qtm_job_complete(f->q, "ana", 42));
    json_t *o = (json_t *)1;
    EXPECT(QTM_ENOTFOUND, qtm_job_show(f->q, 42, &o));
    assert_null(o);
    int64_t j = job_new(f, EC, "ana");
    EXPECT(QTM_ENOTFOUND, qtm_job_claim(f->q, "zed", j));
    EXPECT(QTM_EUSAGE, qtm_job_claim(f->q, NULL, j));
}

/* --- advance --------------------------------------------------------------- */

static void test_advance_by_owner_stores_every_phase(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    static const char *const ev[] = {"arrive", "start"};
    static const char *const to[] = {"arrived", "in_progress"};
    static const char *const label[] = {"On Site", "Active"};
    char at[2][32];
    for (int i = 0; i < 2; i++) {
        size_t n = log_len(f, j);
        OK(qtm_job_advance(f->q, "ana", j, ev[i]));
        memcpy(at[i], f->now, 32);
        assert_int_equal(log_len(f, j), n + 1);
        json_t *row = log_last(f);
        assert_string_equal(js(row, "entity"), "service_event");
        assert_string_equal(js(row, "action"), ev[i]);
        assert_string_equal(js(row, "to"), to[i]);
        assert_string_equal(js(row, "actor"), "ana");
        json_decref(row);
        json_t *o = job_show(f, j);
        assert_string_equal(js(o, "phase"), to[i]);
        assert_string_equal(js(o, "label"), label[i]);
        assert_string_equal(js(o, "state"), "active");
        json_decref(o);
    }
    json_t *o = job_show(f, j);
    json_t *ph = json_object_get(json_object_get(o, "service_event"), "phases");
    assert_int_equal(json_array_size(ph), 3);
    for (int i = 0; i < 2; i++) {
        json_t *p = json_array_get(ph, (size_t)i + 1);
        assert_string_equal(js(p, "from"), i ? "arrived" : "claimed");
        assert_string_equal(js(p, "to"), to[i]);
        assert_string_equal(js(p, "event"), ev[i]);
        assert_string_equal(js(p, "actor"), "ana");
        assert_string_equal(js(p, "at"), at[i]);
    }
    /* in progress: the next step is complete, by the owner, requiring evidence */
    json_t *next = json_object_get(o, "next");
    assert_int_equal(json_array_size(next), 1);
    json_t *n0 = json_array_get(next, 0);
    assert_string_equal(js(n0, "event"), "complete");
    assert_string_equal(js(n0, "by"), "owner");
    assert_string_equal(json_string_value(json_array_get(json_object_get(n0, "requires"), 0)),
                        "evidence");
    json_decref(o);
}

static void test_advance_by_other_operator_forbidden(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "bo", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is claimed by ana; bo cannot advance it (arrive)",
                             (long long)j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "bo", j, "start"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is claimed by ana; bo cannot advance it (start)",
                             (long long)j));
    assert_job(f, j, "active", "arrived");
}

static void test_advance_by_non_operators_forbidden(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "vic", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q), "vic is a vendor and cannot change execution; only the "
                                          "job's operator can");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "cli", j, "arrive"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ada", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q), "ada is an admin and cannot change execution; only the "
                                          "job's operator can");
    /* vendors are refused whatever the event */
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "vic", j, "dance"));
}

static void test_advance_by_inactive_owner_forbidden(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q), "ana has limited access (may view, not change "
                                          "execution) and cannot change execution");
    OK(qtm_actor_set_access(f->q, "ana", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_actor_set_access(f->q, "ana", "active"));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
}

static void test_advance_cannot_skip_a_phase(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "start"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is in phase claimed (Confirmed); 'start' is not allowed "
                            "there (allowed: arrive)", (long long)j));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "claim"));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "arrive"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    assert_job(f, j, "active", "arrived");
    /* auto-detailing has a phase more: start then finish, never start then complete */
    int64_t d = job_claimed(f, AD, "ana");
    OK(qtm_job_advance(f->q, "ana", d, "arrive"));
    OK(qtm_job_advance(f->q, "ana", d, "start"));
    add_ad_evidence(f, d, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", d, "complete"));
    assert_job(f, d, "active", "in_progress");
}

static void test_advance_unknown_event(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "dance"));
    assert_string_equal(qtm_errmsg(f->q), "surface event-coordination has no event 'dance'");
    /* an event of another surface is unknown here */
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "finish"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, ""));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, NULL));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "ARRIVE"));
}

static void test_advance_before_claim_refused(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_new(f, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is in phase queued (Queued); 'arrive' is not allowed there "
                            "(allowed: claim)", (long long)j));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "bo", j, "start"));
    assert_job(f, j, "queued", "queued");
}

static void test_advance_after_final_refused(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_claimed(f, EC, "ana");
    run_to_final(f, j, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is in phase complete (Complete); 'complete' is not allowed "
                            "there (allowed: none)", (long long)j));
    OK(qtm_job_complete(f->q, "ana", j));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is complete; nothing more can happen to it", (long long)j));
    json_t *o = job_show(f, j);
    assert_int_equal(json_array_size(json_object_get(o, "next")), 0);
    json_decref(o);
}

/* --- evidence ------------------------------------------------------------- */

/* An auto-detailing job claimed by ana and walked to its `evidence` phase. */
static int64_t ad_at_evidence(fx *f)
{
    int64_t j = job_claimed(f, AD, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    OK(qtm_job_advance(f->q, "ana", j, "finish"));
    return j;
}

static void test_ad_complete_without_evidence_refused(void **state)
{
    fx *f = *state;
    int64_t j = ad_at_evidence(f);
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    assert_string_equal(qtm_errmsg(f->q),
                        "evidence missing: arrival (0 of 1), before (0 of 1), after (0 of 1)");
    json_t *o = job_show(f, j);
    assert_string_equal(js(o, "phase"), "evidence");
    assert_true(json_is_null(json_object_get(o, "record")));
    json_t *missing = json_object_get(o, "evidence_missing");
    assert_int_equal(json_array_size(missing), 3);
    assert_string_equal(js(json_array_get(missing, 0), "category"), "arrival");
    assert_int_equal(ji(json_array_get(missing, 0), "have"), 0);
    assert_int_equal(ji(json_array_get(missing, 0), "need"), 1);
    json_decref(o);
    EXPECT(QTM_ENOTFOUND, qtm_record_show(f->q, j, &o));
}

static void test_ad_partial_evidence_names_what_is_missing(void **state)
{
    fx *f = *state;
    int64_t j = ad_at_evidence(f);
    OK(qtm_evidence_add(f->q, "ana", j, "arrival", "photos/a.jpg", NULL));
    OK(qtm_evidence_add(f->q, "ana", j, "damage", "photos/d.jpg", "scratch on the door"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    assert_string_equal(qtm_errmsg(f->q), "evidence missing: before (0 of 1), after (0 of 1)");
    OK(qtm_evidence_add(f->q, "ana", j, "before", "photos/b.jpg", NULL));
    EXPECT_EXACT(QTM_EREFUSED, "evidence missing: after (0 of 1)",
                 qtm_job_advance(f->q, "ana", j, "complete"));
}

static void test_ad_complete_with_evidence(void **state)
{
    fx *f = *state;
    int64_t j = ad_at_evidence(f);
    add_ad_evidence(f, j, "ana");
    json_t *o = job_show(f, j);
    assert_int_equal(json_array_size(json_object_get(o, "evidence_missing")), 0);
    json_t *ev = json_object_get(o, "evidence");
    assert_int_equal(json_array_size(ev), 3);
    assert_string_equal(js(json_array_get(ev, 1), "category"), "before");
    assert_string_equal(js(json_array_get(ev, 1), "ref"), "photos/before.jpg");
    assert_string_equal(js(json_array_get(ev, 1), "note"), "seats");
    assert_string_equal(js(json_array_get(ev, 1), "actor"), "ana");
    assert_true(json_is_null(json_object_get(json_array_get(ev, 0), "note")));
    json_decref(o);
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    assert_job(f, j, "active", "complete");
    OK(qtm_record_show(f->q, j, &o));
    json_t *body = json_object_get(o, "body");
    assert_int_equal(json_array_size(json_object_get(body, "evidence")), 3);
    json_decref(o);
}

static void test_evidence_unknown_category_invalid(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, AD, "ana");
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "selfie", "photos/s.jpg", NULL));
    assert_string_equal(qtm_errmsg(f->q),
                        "surface auto-detailing has no evidence category 'selfie'");
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "Arrival", "photos/s.jpg", NULL));
    OK(qtm_evidence_add(f->q, "ana", j, "damage", "photos/d.jpg", NULL));
}

static void test_evidence_input_checked(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, AD, "ana");
    char big[2002];
    memset(big, 'x', 2001);
    big[2001] = '\0';
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, NULL, "r", NULL));
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "arrival", "", NULL));
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "arrival", NULL, NULL));
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "arrival", "r", big));
    big[1001] = '\0';
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "arrival", big, NULL));
}

static void test_evidence_only_by_owner_while_running(void **state)
{
    fx *f = *state;
    int64_t j = job_new(f, AD, "ana");
    char msgbuf[256];
    UNCHANGED(QTM_EREFUSED, qtm_evidence_add(f->q, "ana", j, "arrival", "a.jpg", NULL));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is not claimed yet; claim it first",
                                               (long long)j));
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "bo", j, "arrival", "a.jpg", NULL));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is claimed by ana; bo cannot add evidence on it",
                             (long long)j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "vic", j, "arrival", "a.jpg", NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "ada", j, "arrival", "a.jpg", NULL));
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "ana", j, "arrival", "a.jpg", NULL));
    OK(qtm_actor_set_access(f->q, "ana", "active"));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_evidence_add(f->q, "ana", j, "arrival", "a.jpg", NULL));
    json_t *row = log_last(f);
    assert_string_equal(js(row, "entity"), "evidence");
    assert_string_equal(js(row, "to"), "arrival");
    assert_int_equal(ji(row, "job"), j);
    json_decref(row);
}

static void test_ec_completes_without_evidence(void **state)
{
    fx *f = *state;
    const qtm_surface *s = qtm_surface_find(EC);
    assert_int_equal(s->nev_required, 0);
    int64_t j = job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    json_t *o = job_show(f, j);
    assert_int_equal(json_array_size(json_object_get(o, "evidence_missing")), 0);
    json_decref(o);
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM evidence"), 0);
    OK(qtm_job_complete(f->q, "ana", j));
    assert_job(f, j, "complete", "complete");
}

static void test_ec_evidence_is_context(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    /* no declared categories: milestone photos are accepted as context */
    OK(qtm_evidence_add(f->q, "ana", j, "setup", "photos/tent.jpg", "tent up at 14:00"));
    run_to_final(f, j, EC, "ana");
    json_t *o = NULL;
    OK(qtm_record_show(f->q, j, &o));
    json_t *ctx = json_object_get(json_object_get(o, "body"), "context");
    assert_int_equal(json_array_size(json_object_get(ctx, "evidence")), 1);
    assert_string_equal(js(json_array_get(json_object_get(ctx, "evidence"), 0), "category"),
                        "setup");
    json_decref(o);
}

/* Once the ServiceEvent is complete its record is composed; execution
 * context may no longer grow, or the job would show evidence and
 * participants its immutable record does not carry. */
static void test_context_closed_once_service_event_complete(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, AD, "ana");
    run_to_final(f, j, AD, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_evidence_add(f->q, "ana", j, "after", "photos/late.jpg", NULL));
    UNCHANGED(QTM_EREFUSED, qtm_participant_add(f->q, "ana", j, "Late Helper", "crew", NULL));
}

/* --- participants --------------------------------------------------------- */

static void test_participants_are_data(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    OK(qtm_participant_add(f->q, "ana", j, "Vic Florist", "florist", "vic@example.com"));
    OK(qtm_participant_add(f->q, "ana", j, "DJ Sol", "dj", NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_participant_add(f->q, "vic", j, "Vic", "florist", NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_participant_add(f->q, "bo", j, "Bo", "helper", NULL));
    UNCHANGED(QTM_EINVALID, qtm_participant_add(f->q, "ana", j, "", "florist", NULL));
    UNCHANGED(QTM_EINVALID, qtm_participant_add(f->q, "ana", j, "X", NULL, NULL));
    json_t *o = job_show(f, j);
    json_t *pa = json_object_get(o, "participants");
    assert_int_equal(json_array_size(pa), 2);
    assert_string_equal(js(json_array_get(pa, 0), "name"), "Vic Florist");
    assert_string_equal(js(json_array_get(pa, 0), "role"), "florist");
    assert_string_equal(js(json_array_get(pa, 0), "contact"), "vic@example.com");
    assert_string_equal(js(json_array_get(pa, 0), "actor"), "ana");
    /* participants are not phases */
    assert_string_equal(js(o, "phase"), "claimed");
    json_decref(o);
    run_to_final(f, j, EC, "ana");
    OK(qtm_record_show(f->q, j, &o));
    assert_int_equal(json_array_size(json_object_get(json_object_get(o, "body"), "participants")),
                     2);
    json_decref(o);
}

/* --- record -------------------------------------------------------------- */

static void test_record_composed_by_final_advance(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    json_t *o = (json_t *)1;
    EXPECT(QTM_ENOTFOUND, qtm_record_show(f->q, j, &o));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld has no record yet (its ServiceEvent is "
                                              "not complete)", (long long)j));
    assert_null(o);
    OK(qtm_record_list(f->q, &o));
    assert_int_equal(json_array_size(o), 0);
    json_decref(o);
    size_t n = log_len(f, j);
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    /* one call: the ServiceEvent's completion and the record, same stamp */
    json_t *a = NULL;
    OK(qtm_log(f->q, j, &a));
    assert_int_equal(json_array_size(a), n + 2);
    json_t *r1 = json_array_get(a, n), *r2 = json_array_get(a, n + 1);
    assert_string_equal(js(r1, "entity"), "service_event");
    assert_string_equal(js(r1, "to"), "complete");
    assert_string_equal(js(r2, "entity"), "record");
    assert_string_equal(js(r2, "action"), "compose");
    assert_string_equal(js(r1, "at"), stamp);
    assert_string_equal(js(r2, "at"), stamp);
    OK(qtm_record_show(f->q, j, &o));
    assert_string_equal(js(r2, "to"), js(o, "hash"));
    json_decref(a);
    assert_int_equal(ji(o, "job"), j);
    assert_string_equal(js(o, "surface"), EC);
    assert_string_equal(js(o, "created_at"), stamp);
    json_decref(o);
    /* the job itself is not complete until job complete */
    o = job_show(f, j);
    assert_string_equal(js(o, "state"), "active");
    assert_true(json_is_integer(json_object_get(o, "record")));
    json_t *se = json_object_get(o, "service_event");
    assert_true(json_is_true(json_object_get(se, "complete")));
    assert_string_equal(js(se, "completed_at"), stamp);
    json_decref(o);
    OK(qtm_record_list(f->q, &o));
    assert_int_equal(json_array_size(o), 1);
    assert_int_equal(ji(json_array_get(o, 0), "job"), j);
    json_decref(o);
    EXPECT(QTM_ENOTFOUND, qtm_record_show(f->q, 999, &o));
}

static void test_record_body_has_declared_fields(void **state)
{
    fx *f = *state;
    const char *surfaces[] = {EC, AD};
    for (int k = 0; k < 2; k++) {
        const qtm_surface *s = qtm_surface_find(surfaces[k]);
        int64_t j = job_claimed(f, surfaces[k], "ana");
        run_to_final(f, j, surfaces[k], "ana");
        json_t *o = NULL, *jo = job_show(f, j);
        OK(qtm_record_show(f->q, j, &o));
        json_t *body = json_object_get(o, "body");
        assert_int_equal(json_object_size(body), s->nrecord);
        for (unsigned i = 0; i < s->nrecord; i++)
            assert_non_null(json_object_get(body, s->record[i]));
        assert_string_equal(js(body, "operator"), "ana");
        assert_int_equal(ji(body, "job"), j);
        assert_string_equal(js(body, "surface"), surfaces[k]);
        json_t *packet = json_loads(packet_for(surfaces[k]), 0, NULL);
        assert_true(json_equal(json_object_get(body, "scope"), packet));
        json_decref(packet);
        json_t *out = json_object_get(body, "outcome");
        assert_string_equal(js(out, "phase"), "complete");
        assert_true(json_is_true(json_object_get(out, "complete")));
        assert_string_equal(js(body, "completed_at"),
                            js(json_object_get(jo, "service_event"), "completed_at"));
        /* no task, job or settlement state leaks into the record */
        assert_null(json_object_get(body, "state"));
        assert_null(json_object_get(body, "settlement"));
        assert_null(json_object_get(body, "task"));
        json_decref(jo);
        json_decref(o);
    }
}

static void test_record_hash_is_sha256_of_canonical_body(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, AD, "ana");
    OK(qtm_participant_add(f->q, "ana", j, "Marcus Lee", "owner of the car", "(415) 555-0172"));
    run_to_final(f, j, AD, "ana");
    json_t *o = NULL;
    OK(qtm_record_show(f->q, j, &o));
    char *text = json_dumps(json_object_get(o, "body"), JSON_COMPACT | JSON_SORT_KEYS);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    assert_int_equal(sodium_init() >= 0, 1);
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(js(o, "hash"), hex);
    /* and the stored body is exactly that canonical text */
    sqlite3 *db = db_open(f);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT body, hash FROM records WHERE job_id = ?1", -1,
                                        &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, j);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), text);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), hex);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(text);
    json_decref(o);
}

/* --- job complete --------------------------------------------------------- */

static void test_job_complete_refused_before_service_event(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_new(f, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is not claimed yet; claim it first",
                                               (long long)j));
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld cannot complete: its ServiceEvent is in phase claimed "
                            "(Confirmed), not complete", (long long)j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld cannot complete: its ServiceEvent is in phase in_progress "
                            "(Active), not complete", (long long)j));
    assert_job(f, j, "active", "in_progress");
}

static void test_job_complete_by_non_owner_forbidden(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_claimed(f, EC, "ana");
    run_to_final(f, j, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "bo", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is claimed by ana; bo cannot complete "
                                              "it", (long long)j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "vic", j));
    assert_string_equal(qtm_errmsg(f->q), "vic is a vendor and cannot complete jobs; only the "
                                          "job's operator can");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "ada", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "cli", j));
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "ana", j));
}

static void test_job_complete_after_service_event(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_claimed(f, EC, "ana");
    run_to_final(f, j, EC, "ana");
    size_t n = log_len(f, j);
    OK(qtm_job_complete(f->q, "ana", j));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_int_equal(log_len(f, j), n + 1);
    json_t *row = log_last(f);
    assert_string_equal(js(row, "entity"), "job");
    assert_string_equal(js(row, "action"), "complete");
    assert_string_equal(js(row, "from"), "active");
    assert_string_equal(js(row, "to"), "complete");
    json_decref(row);
    json_t *o = job_show(f, j);
    assert_string_equal(js(o, "state"), "complete");
    assert_string_equal(js(o, "completed_at"), stamp);
    json_decref(o);
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is already complete", (long long)j));
    /* execution is closed */
    UNCHANGED(QTM_EREFUSED, qtm_participant_add(f->q, "ana", j, "X", "y", NULL));
    UNCHANGED(QTM_EREFUSED, qtm_evidence_add(f->q, "ana", j, "x", "y", NULL));
    /* re-claiming a finished job by its owner changes nothing */
    UNCHANGED(QTM_OK, qtm_job_claim(f->q, "ana", j));
}

/* --- desk ----------------------------------------------------------------- */

static size_t desk_count(fx *f, const char *op, const char *column)
{
    json_t *d = NULL;
    OK(qtm_desk(f->q, op, &d));
    size_t n = json_array_size(json_object_get(d, column));
    json_decref(d);
    return n;
}

static void test_desk_columns(void **state)
{
    fx *f = *state;
    int64_t a = job_new(f, EC, "ana");
    int64_t b = job_new(f, AD, "bo");
    assert_int_equal(desk_count(f, NULL, "queued"), 2);
    assert_int_equal(desk_count(f, "ana", "queued"), 1);
    assert_int_equal(desk_count(f, "bo", "queued"), 1);
    OK(qtm_job_claim(f->q, "ana", a));
    assert_int_equal(desk_count(f, "ana", "active"), 1);
    assert_int_equal(desk_count(f, "ana", "queued"), 0);
    assert_int_equal(desk_count(f, "bo", "active"), 0);
    run_to_final(f, a, EC, "ana");
    OK(qtm_job_complete(f->q, "ana", a));
    assert_int_equal(desk_count(f, "ana", "completed"), 1);  /* completed_jobs visible */
    assert_int_equal(desk_count(f, NULL, "completed"), 1);
    assert_int_equal(desk_count(f, NULL, "queued"), 1);
    json_t *d = NULL;
    OK(qtm_desk(f->q, "ana", &d));
    json_t *row = json_array_get(json_object_get(d, "completed"), 0);
    assert_int_equal(ji(row, "id"), a);
    assert_string_equal(js(row, "phase"), "complete");
    assert_string_equal(js(row, "label"), "Complete");
    assert_string_equal(js(row, "owner"), "ana");
    json_decref(d);
    OK(qtm_desk(f->q, "bo", &d));
    row = json_array_get(json_object_get(d, "queued"), 0);
    assert_int_equal(ji(row, "id"), b);
    assert_string_equal(js(row, "phase"), "queued");
    assert_string_equal(js(row, "assignee"), "bo");
    json_decref(d);
    EXPECT(QTM_ENOTFOUND, qtm_desk(f->q, "zed", &d));
    assert_null(d);
}


/* --- landscaping: pool ownership, back transitions, admin cancel ---------- */

static void test_ls_pool_any_operator_claims(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = ls_job_new(f, "ana");
    /* a queued pool visit is on every operator's desk */
    assert_int_equal(desk_count(f, "bo", "queued"), 1);
    assert_int_equal(desk_count(f, "ana", "queued"), 1);
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "vic", j));
    OK(qtm_job_claim(f->q, "bo", j));
    assert_job(f, j, "active", "claimed");
    UNCHANGED(QTM_ECONFLICT, qtm_job_claim(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is already claimed by bo", (long long)j));
    /* once claimed, the owner runs it */
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "bo", j, "arrive"));
    assert_int_equal(desk_count(f, "ana", "active"), 0);
    assert_int_equal(desk_count(f, "bo", "active"), 1);
}

static void test_ls_rain_out_goes_back(void **state)
{
    fx *f = *state;
    int64_t j = ls_job_new(f, "ana");
    OK(qtm_job_claim(f->q, "ana", j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "rain_out"));
    assert_job(f, j, "active", "claimed");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    OK(qtm_job_advance(f->q, "ana", j, "finish"));
    OK(qtm_job_advance(f->q, "ana", j, "redo"));
    json_t *o = job_show(f, j);
    assert_string_equal(js(o, "phase"), "working");
    json_t *ph = json_object_get(json_object_get(o, "service_event"), "phases");
    assert_int_equal(json_array_size(ph), 7);
    assert_string_equal(js(json_array_get(ph, 2), "event"), "rain_out");
    assert_string_equal(js(json_array_get(ph, 2), "to"), "claimed");
    json_decref(o);
}

/* landscaping declares `queued -> cancelled on cancel by admin`, labelled
 * "Cancelled by an admin before anyone claimed it"; qtmc accepts it, so the
 * runtime must be able to fire it. */
static void test_ls_admin_cancels_unclaimed_visit(void **state)
{
    fx *f = *state;
    int64_t j = ls_job_new(f, "ana");
    OK(qtm_job_advance(f->q, "ada", j, "cancel"));
    json_t *o = job_show(f, j);
    assert_string_equal(js(o, "phase"), "cancelled");
    assert_true(json_is_null(json_object_get(o, "owner")));
    json_decref(o);
    EXPECT(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "claim"));
}

/* --- concurrent claims ------------------------------------------------------ */

#define RACERS 6

typedef struct racer {
    const char *path;
    char slug[16];
    int64_t job;
    pthread_barrier_t *go;
    qtm_status st;
    char msg[256];
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    qtm *q = NULL;
    if (qtm_open(r->path, 0, &q) != QTM_OK) {
        r->st = QTM_ESTORAGE;
        snprintf(r->msg, sizeof r->msg, "%s", q ? qtm_errmsg(q) : "oom");
        pthread_barrier_wait(r->go);
        qtm_close(q);
        return NULL;
    }
    pthread_barrier_wait(r->go);
    r->st = qtm_job_claim(q, r->slug, r->job);
    snprintf(r->msg, sizeof r->msg, "%s", qtm_errmsg(q));
    qtm_close(q);
    return NULL;
}

/* Operators on their own handles claim the same pool visit at once: exactly
 * one wins, every other one is told who owns it. */
static void test_concurrent_claims_one_winner(void **state)
{
    fx *f = *state;
    racer r[RACERS];
    pthread_t th[RACERS];
    pthread_barrier_t go;
    for (int i = 0; i < RACERS; i++) {
        snprintf(r[i].slug, sizeof r[i].slug, "crew%d", i);
        OK(qtm_actor_add(f->q, r[i].slug, "operator", NULL));
    }
    for (int round = 0; round < 3; round++) {
        int64_t j = ls_job_new(f, "crew0");
        size_t n = log_len(f, j);
        assert_int_equal(pthread_barrier_init(&go, NULL, RACERS), 0);
        for (int i = 0; i < RACERS; i++) {
            r[i].path = f->path;
            r[i].job = j;
            r[i].go = &go;
            assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
        }
        for (int i = 0; i < RACERS; i++)
            pthread_join(th[i], NULL);
        pthread_barrier_destroy(&go);
        int won = -1;
        for (int i = 0; i < RACERS; i++) {
            if (r[i].st == QTM_OK) {
                assert_int_equal(won, -1);
                won = i;
            } else if (r[i].st != QTM_ECONFLICT) {
                print_error("%s: %d %s\n", r[i].slug, r[i].st, r[i].msg);
                fail();
            }
        }
        assert_int_not_equal(won, -1);
        for (int i = 0; i < RACERS; i++)
            if (i != won)
                assert_non_null(strstr(r[i].msg, r[won].slug));
        json_t *o = job_show(f, j);
        assert_string_equal(js(o, "owner"), r[won].slug);
        json_decref(o);
        assert_int_equal(log_len(f, j), n + 2);
    }
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_job_create_from_assigned_task),
        TEST(test_job_create_only_from_assigned),
        TEST(test_job_create_one_per_task),
        TEST(test_job_create_admin_only),
        TEST(test_job_carries_surface_fingerprint),
        TEST(test_job_under_other_tables_refused),
        TEST(test_claim_by_assignee),
        TEST(test_claim_by_other_operator_forbidden),
        TEST(test_claim_by_non_operators_forbidden),
        TEST(test_claim_by_inactive_operator_forbidden),
        TEST(test_second_claim_conflict_names_owner),
        TEST(test_repeated_claim_by_owner_is_noop),
        TEST(test_claim_through_advance),
        TEST(test_claim_unknown_job),
        TEST(test_advance_by_owner_stores_every_phase),
        TEST(test_advance_by_other_operator_forbidden),
        TEST(test_advance_by_non_operators_forbidden),
        TEST(test_advance_by_inactive_owner_forbidden),
        TEST(test_advance_cannot_skip_a_phase),
        TEST(test_advance_unknown_event),
        TEST(test_advance_before_claim_refused),
        TEST(test_advance_after_final_refused),
        TEST(test_ad_complete_without_evidence_refused),
        TEST(test_ad_partial_evidence_names_what_is_missing),
        TEST(test_ad_complete_with_evidence),
        TEST(test_evidence_unknown_category_invalid),
        TEST(test_evidence_input_checked),
        TEST(test_evidence_only_by_owner_while_running),
        TEST(test_ec_completes_without_evidence),
        TEST(test_ec_evidence_is_context),
        TEST(test_context_closed_once_service_event_complete),
        TEST(test_participants_are_data),
        TEST(test_record_composed_by_final_advance),
        TEST(test_record_body_has_declared_fields),
        TEST(test_record_hash_is_sha256_of_canonical_body),
        TEST(test_job_complete_refused_before_service_event),
        TEST(test_job_complete_by_non_owner_forbidden),
        TEST(test_job_complete_after_service_event),
        TEST(test_desk_columns),
        TEST(test_ls_pool_any_operator_claims),
        TEST(test_ls_rain_out_goes_back),
        TEST(test_ls_admin_cancels_unclaimed_visit),
        TEST(test_concurrent_claims_one_winner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
