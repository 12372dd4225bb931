/*
 * test_rt_settlement.c - libqtm's settlement layer against a real SQLite
 * file: amount, method and currency validation, the status derived from
 * the ledger (unpaid, partial, paid, waived), who may record payments, and
 * the separation of layers: settling never moves a job, a ServiceEvent or
 * a record, and completing never records a payment.  Landscaping's
 * `requires payment` gate is exercised through an injected request (the
 * surface is planned and takes no requests through the API).
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

static qtm_payment pay(const char *amount, const char *method)
{
    qtm_payment p = {amount, NULL, method, NULL, NULL, 0};
    return p;
}

static json_t *settlement(fx *f, int64_t j)
{
    json_t *o = NULL;
    OK(qtm_settlement_show(f->q, j, &o));
    assert_non_null(o);
    return o;
}

static void assert_status(fx *f, int64_t j, const char *status)
{
    json_t *o = settlement(f, j);
    assert_string_equal(js(o, "status"), status);
    json_decref(o);
}

/* The job as shown, without its settlement: what settling must not change. */
static json_t *execution_view(fx *f, int64_t j)
{
    json_t *o = job_show(f, j);
    json_object_del(o, "settlement");
    return o;
}

static char *record_row_text(fx *f, int64_t j)
{
    json_t *o = NULL;
    if (qtm_record_show(f->q, j, &o) != QTM_OK)
        return strdup("none");
    char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return t;
}

/* --- validation ------------------------------------------------------------ */

static void test_settle_amount_validation(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    qtm_payment p = pay("-5", "cash");
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "amount must not be negative");
    p.amount = "abc";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "\"abc\" is not an amount: use digits with an optional "
                                          "decimal point, e.g. 150.50");
    p.amount = "10.001";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "10.001 has more decimals than USD allows (2)");
    static const char *const bad[] = {"", "1e3", " 5", "5 ", "+5", "0x10", "1,000", ".5", "5.",
                                      "NaN", "-0", "150.00.0", "10000000000000.01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p.amount = bad[i];
        UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    }
    /* the due amount is held to the same rules */
    qtm_payment d = {NULL, NULL, NULL, NULL, "-100", 0};
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", j, &d));
    d.due = "100.005";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", j, &d));
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM payments"), 0);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM settlements"), 0);
}

static void test_settle_method_validation(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    qtm_payment p = pay("10", "bitcoin");
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "unknown payment method 'bitcoin' (cash, zelle, venmo, "
                                          "card, wire, other)");
    p.method = NULL;
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    p.method = "Cash";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    static const char *const good[] = {"cash", "zelle", "venmo", "card", "wire", "other"};
    for (size_t i = 0; i < 6; i++) {
        p.method = good[i];
        OK(qtm_settle(f->q, "ana", j, &p));
    }
    json_t *o = settlement(f, j);
    assert_int_equal(json_array_size(json_object_get(o, "payments")), 6);
    assert_string_equal(js(o, "paid"), "60.00");
    json_decref(o);
}

static void test_settle_needs_something(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    qtm_payment p = {NULL, NULL, NULL, NULL, NULL, 0};
    UNCHANGED(QTM_EUSAGE, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "settle needs --amount, --due or --status waived");
    char note[502];
    memset(note, 'n', 501);
    note[501] = '\0';
    qtm_payment n = pay("5", "cash");
    n.note = note;
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &n));
}

/* --- status ------------------------------------------------------------------ */

static void test_settle_status_unpaid_partial_paid(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    assert_status(f, j, "unpaid");
    qtm_payment due = {NULL, NULL, NULL, NULL, "100", 0};
    OK(qtm_settle(f->q, "ada", j, &due));
    json_t *o = settlement(f, j);
    assert_string_equal(js(o, "status"), "unpaid");
    assert_string_equal(js(o, "due"), "100.00");
    assert_int_equal(ji(o, "due_minor"), 10000);
    assert_string_equal(js(o, "currency"), "USD");
    json_decref(o);
    json_t *row = log_last(f);
    assert_string_equal(js(row, "entity"), "settlement");
    assert_string_equal(js(row, "action"), "due");
    assert_string_equal(js(row, "from"), "unpaid");
    assert_string_equal(js(row, "to"), "unpaid");
    json_decref(row);
    qtm_payment p = pay("40", "zelle");
    p.note = "deposit";
    OK(qtm_settle(f->q, "ana", j, &p));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    row = log_last(f);
    assert_string_equal(js(row, "action"), "payment");
    assert_string_equal(js(row, "from"), "unpaid");
    assert_string_equal(js(row, "to"), "partial");
    assert_string_equal(js(row, "actor"), "ana");
    assert_int_equal(ji(row, "entity_id"), j);
    assert_int_equal(ji(row, "job"), j);
    json_decref(row);
    o = settlement(f, j);
    assert_string_equal(js(o, "status"), "partial");
    assert_string_equal(js(o, "paid"), "40.00");
    assert_int_equal(ji(o, "paid_minor"), 4000);
    json_t *p0 = json_array_get(json_object_get(o, "payments"), 0);
    assert_int_equal(ji(p0, "amount_minor"), 4000);
    assert_string_equal(js(p0, "amount"), "40.00");
    assert_string_equal(js(p0, "currency"), "USD");
    assert_string_equal(js(p0, "method"), "zelle");
    assert_string_equal(js(p0, "note"), "deposit");
    assert_string_equal(js(p0, "actor"), "ana");
    assert_string_equal(js(p0, "at"), stamp);
    json_decref(o);
    p = pay("60.00", "card");
    OK(qtm_settle(f->q, "ada", j, &p));
    o = settlement(f, j);
    assert_string_equal(js(o, "status"), "paid");
    assert_string_equal(js(o, "paid"), "100.00");
    assert_int_equal(json_array_size(json_object_get(o, "payments")), 2);
    json_decref(o);
    /* raising what is due reopens it */
    due.due = "150";
    OK(qtm_settle(f->q, "ada", j, &due));
    assert_status(f, j, "partial");
}

static void test_settle_paid_without_due_and_overpaid(void **state)
{
    fx *f = *state;
    int64_t a = job_claimed(f, EC, "ana"), b = job_claimed(f, EC, "ana");
    qtm_payment p = pay("50", "cash");
    OK(qtm_settle(f->q, "ana", a, &p));
    assert_status(f, a, "paid");
    qtm_payment d = {"120", NULL, "wire", NULL, "100", 0};
    OK(qtm_settle(f->q, "ana", b, &d));
    json_t *o = settlement(f, b);
    assert_string_equal(js(o, "status"), "paid");
    assert_string_equal(js(o, "paid"), "120.00");
    json_decref(o);
    /* one job's payments are not another's */
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM payments"), 2);
}

static void test_settle_waived(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    qtm_payment w = {NULL, NULL, NULL, "family friend", NULL, 1};
    OK(qtm_settle(f->q, "ada", j, &w));
    assert_status(f, j, "waived");
    json_t *row = log_last(f);
    assert_string_equal(js(row, "action"), "waive");
    assert_string_equal(js(row, "to"), "waived");
    json_decref(row);
    /* a later payment is recorded in the ledger; the settlement stays waived */
    qtm_payment p = pay("10", "cash");
    OK(qtm_settle(f->q, "ana", j, &p));
    json_t *o = settlement(f, j);
    assert_string_equal(js(o, "status"), "waived");
    assert_string_equal(js(o, "paid"), "10.00");
    json_decref(o);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM payments"), 1);
}

static void test_settle_currency(void **state)
{
    fx *f = *state;
    char msgbuf[128];
    int64_t j = job_claimed(f, EC, "ana");
    qtm_payment p = pay("10", "cash");
    p.currency = "XYZ";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    assert_string_equal(qtm_errmsg(f->q), "unknown currency XYZ");
    p.currency = "usd";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    p.currency = "USD";
    OK(qtm_settle(f->q, "ana", j, &p));
    p.currency = "EUR";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    snprintf(msgbuf, sizeof msgbuf, "job %lld is settled in USD, not EUR", (long long)j);
    assert_string_equal(qtm_errmsg(f->q), msgbuf);
    qtm_payment d = {NULL, "EUR", NULL, NULL, "10", 0};
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", j, &d));
    /* no currency: the settlement's own */
    p.currency = NULL;
    OK(qtm_settle(f->q, "ana", j, &p));
    json_t *o = settlement(f, j);
    assert_string_equal(js(json_array_get(json_object_get(o, "payments"), 1), "currency"), "USD");
    json_decref(o);
}

static void test_settle_zero_decimal_currency(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    qtm_payment p = pay("10.5", "cash");
    p.currency = "JPY";
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", j, &p));
    p.amount = "15000";
    OK(qtm_settle(f->q, "ana", j, &p));
    json_t *o = settlement(f, j);
    assert_string_equal(js(o, "currency"), "JPY");
    assert_string_equal(js(o, "paid"), "15000");
    assert_int_equal(ji(o, "paid_minor"), 15000);
    json_decref(o);
}

/* --- who may settle ---------------------------------------------------------- */

static void test_settle_only_owner_or_admin(void **state)
{
    fx *f = *state;
    char msgbuf[160];
    int64_t j = job_new(f, EC, "ana");
    qtm_payment p = pay("10", "cash");
    /* before the claim, the assignee is not the owner */
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "ana", j, &p));
    snprintf(msgbuf, sizeof msgbuf, "ana cannot record payments for job %lld; only its owner or "
             "an admin can", (long long)j);
    assert_string_equal(qtm_errmsg(f->q), msgbuf);
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "vic", j, &p));
    snprintf(msgbuf, sizeof msgbuf, "vic cannot record payments for job %lld; only its owner ana "
             "or an admin can", (long long)j);
    assert_string_equal(qtm_errmsg(f->q), msgbuf);
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "cli", j, &p));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "bo", j, &p));
    UNCHANGED(QTM_ENOTFOUND, qtm_settle(f->q, "zed", j, &p));
    OK(qtm_settle(f->q, "ana", j, &p));
    OK(qtm_settle(f->q, "ada", j, &p));
    OK(qtm_actor_set_access(f->q, "ada", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "ada", j, &p));
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "ana", j, &p));
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM payments"), 2);
}

static void test_settle_unknown_job(void **state)
{
    fx *f = *state;
    qtm_payment p = pay("10", "cash");
    UNCHANGED(QTM_ENOTFOUND, qtm_settle(f->q, "ada", 77, &p));
    assert_string_equal(qtm_errmsg(f->q), "no job 77");
    json_t *o = (json_t *)1;
    EXPECT(QTM_ENOTFOUND, qtm_settlement_show(f->q, 77, &o));
    assert_null(o);
}

/* --- separation of layers ---------------------------------------------------- */

static void test_settling_never_moves_execution(void **state)
{
    fx *f = *state;
    int64_t j = job_new(f, EC, "ana");
    qtm_payment due = {NULL, NULL, NULL, NULL, "500", 0};
    qtm_payment part = pay("200", "zelle"), rest = pay("300", "card");
    qtm_payment waive = {NULL, NULL, NULL, NULL, NULL, 1};
    const qtm_payment *steps[] = {&due, &part, &rest, &waive};
    /* at every stage of the lifecycle, by the admin and by the owner */
    for (int stage = 0; stage < 5; stage++) {
        if (stage == 1)
            OK(qtm_job_claim(f->q, "ana", j));
        if (stage == 2)
            OK(qtm_job_advance(f->q, "ana", j, "arrive"));
        if (stage == 3) {
            OK(qtm_job_advance(f->q, "ana", j, "start"));
            OK(qtm_job_advance(f->q, "ana", j, "complete"));
        }
        if (stage == 4)
            OK(qtm_job_complete(f->q, "ana", j));
        json_t *before = execution_view(f, j);
        char *rec_before = record_row_text(f, j);
        int64_t jobs = db_int(f, "SELECT COUNT(*) FROM jobs"),
                ses = db_int(f, "SELECT COUNT(*) FROM phase_changes");
        const qtm_payment *p = steps[stage % 4];
        OK(qtm_settle(f->q, stage % 2 ? "ana" : "ada", j, p));  /* the owner or the admin */
        json_t *after = execution_view(f, j);
        char *rec_after = record_row_text(f, j);
        if (!json_equal(before, after)) {
            char *a = json_dumps(before, JSON_COMPACT), *b = json_dumps(after, JSON_COMPACT);
            print_error("stage %d:\n  before %s\n  after  %s\n", stage, a, b);
            free(a);
            free(b);
            fail();
        }
        assert_string_equal(rec_before, rec_after);
        assert_int_equal(db_int(f, "SELECT COUNT(*) FROM jobs"), jobs);
        assert_int_equal(db_int(f, "SELECT COUNT(*) FROM phase_changes"), ses);
        free(rec_before);
        free(rec_after);
        json_decref(before);
        json_decref(after);
    }
    assert_job(f, j, "complete", "complete");
}

static void test_paid_in_full_completes_nothing(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    qtm_payment p = {"500", NULL, "card", NULL, "500", 0};
    OK(qtm_settle(f->q, "ana", j, &p));
    assert_status(f, j, "paid");
    assert_job(f, j, "active", "claimed");
    json_t *o = NULL;
    EXPECT(QTM_ENOTFOUND, qtm_record_show(f->q, j, &o));
    EXPECT(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
}

static void test_completing_never_pays(void **state)
{
    fx *f = *state;
    int64_t j = job_done(f, EC, "ana");
    int64_t d = job_done(f, AD, "bo");
    assert_status(f, j, "unpaid");
    assert_status(f, d, "unpaid");
    json_t *o = settlement(f, j);
    assert_int_equal(json_array_size(json_object_get(o, "payments")), 0);
    assert_string_equal(js(o, "paid"), "0.00");
    assert_true(json_is_null(json_object_get(o, "due")));
    json_decref(o);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM payments"), 0);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM settlements"), 0);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM audit WHERE entity = 'settlement'"), 0);
    /* and the record carries no settlement */
    OK(qtm_record_show(f->q, j, &o));
    char *text = json_dumps(o, JSON_COMPACT);
    assert_null(strstr(text, "paid"));
    assert_null(strstr(text, "settle"));
    free(text);
    json_decref(o);
}

static void test_payment_any_time_with_independent_timing(void **state)
{
    fx *f = *state;
    assert_int_equal(qtm_surface_find(EC)->payment_timing, QTM_PAY_INDEPENDENT);
    int64_t j = job_new(f, EC, "ana");
    qtm_payment p = pay("100", "cash");
    OK(qtm_settle(f->q, "ada", j, &p));   /* before the claim */
    assert_job(f, j, "queued", "queued");
    OK(qtm_job_claim(f->q, "ana", j));
    run_to_final(f, j, EC, "ana");
    OK(qtm_job_complete(f->q, "ana", j));
    OK(qtm_settle(f->q, "ana", j, &p));   /* after completion */
    json_t *o = job_show(f, j);
    assert_string_equal(js(json_object_get(o, "settlement"), "paid"), "200.00");
    json_decref(o);
}

/* --- landscaping: requires payment ------------------------------------------ */

static void test_ls_is_planned_and_gated_on_payment(void **state)
{
    fx *f = *state;
    const qtm_surface *s = qtm_surface_find(LS);
    assert_non_null(s);
    assert_int_equal(s->status, QTM_STATUS_PLANNED);
    assert_int_equal(s->payment_timing, QTM_PAY_BEFORE_COMPLETE);
    int gated = 0;
    for (unsigned i = 0; i < s->ntransitions; i++)
        if (s->transitions[i].requires & QTM_REQ_PAYMENT)
            gated++;
    assert_int_equal(gated, 1);
    int64_t r, t;
    EXPECT(QTM_EREFUSED, qtm_request_submit(f->q, "cli", LS, LS_PACKET, 0, NULL, &r, &t));
}

/* A landscaping visit claimed by ana and walked to its walkthrough. */
static int64_t ls_at_review(fx *f)
{
    int64_t j = ls_job_new(f, "ana");
    OK(qtm_job_claim(f->q, "ana", j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    OK(qtm_job_advance(f->q, "ana", j, "finish"));
    return j;
}

static void test_ls_close_requires_payment(void **state)
{
    fx *f = *state;
    char msgbuf[192];
    int64_t j = ls_at_review(f);
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "close"));
    assert_string_equal(qtm_errmsg(f->q), "evidence missing: after (0 of 1)");
    OK(qtm_evidence_add(f->q, "ana", j, "after", "photos/yard.jpg", NULL));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "close"));
    snprintf(msgbuf, sizeof msgbuf, "job %lld must be paid or waived first (settlement is unpaid; "
             "payment timing is before_complete)", (long long)j);
    assert_string_equal(qtm_errmsg(f->q), msgbuf);
    qtm_payment p = {"40", NULL, "cash", NULL, "90", 0};
    OK(qtm_settle(f->q, "ana", j, &p));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "close"));
    assert_non_null(strstr(qtm_errmsg(f->q), "settlement is partial"));
    /* paying moved nothing */
    assert_job(f, j, "active", "review");
    p.amount = "50";
    p.due = NULL;
    OK(qtm_settle(f->q, "ana", j, &p));
    assert_job(f, j, "active", "review");
    OK(qtm_job_advance(f->q, "ana", j, "close"));
    assert_job(f, j, "active", "closed");
    json_t *o = NULL;
    OK(qtm_record_show(f->q, j, &o));
    json_decref(o);
    OK(qtm_job_complete(f->q, "ana", j));
    /* completed_jobs hidden: off the desk */
    json_t *d = NULL;
    OK(qtm_desk(f->q, NULL, &d));
    assert_int_equal(json_array_size(json_object_get(d, "completed")), 0);
    assert_int_equal(json_array_size(json_object_get(d, "active")), 0);
    json_decref(d);
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
}

static void test_ls_close_after_waiver(void **state)
{
    fx *f = *state;
    int64_t j = ls_at_review(f);
    OK(qtm_evidence_add(f->q, "ana", j, "after", "photos/yard.jpg", NULL));
    qtm_payment w = {NULL, NULL, NULL, NULL, NULL, 1};
    OK(qtm_settle(f->q, "ada", j, &w));
    OK(qtm_job_advance(f->q, "ana", j, "close"));
    assert_job(f, j, "active", "closed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_settle_amount_validation),
        TEST(test_settle_method_validation),
        TEST(test_settle_needs_something),
        TEST(test_settle_status_unpaid_partial_paid),
        TEST(test_settle_paid_without_due_and_overpaid),
        TEST(test_settle_waived),
        TEST(test_settle_currency),
        TEST(test_settle_zero_decimal_currency),
        TEST(test_settle_only_owner_or_admin),
        TEST(test_settle_unknown_job),
        TEST(test_settling_never_moves_execution),
        TEST(test_paid_in_full_completes_nothing),
        TEST(test_completing_never_pays),
        TEST(test_payment_any_time_with_independent_timing),
        TEST(test_ls_is_planned_and_gated_on_payment),
        TEST(test_ls_close_requires_payment),
        TEST(test_ls_close_after_waiver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
