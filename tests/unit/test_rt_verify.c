/*
 * test_rt_verify.c - the audit log, `verify` and storage against a real
 * SQLite file: one hash-chained audit row per change, verify clean on full
 * lifecycles and catching an attacker who edits the file directly (audit
 * rows, record bodies, job states, ServiceEvent phases), the triggers that
 * keep requests, records, payments, evidence, phases and the audit log
 * append-only, refusals and failed transactions leaving the file
 * byte-for-byte unchanged, and the schema version checks of qtm_open.
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

/* Runs verify; expects `want`; returns the report (caller decrefs). */
static json_t *verify_(fx *f, qtm_status want, const char *file, int line)
{
    json_t *rep = NULL;
    qtm_status st = qtm_verify(f->q, &rep);
    f->held = rep;
    expect_(f->q, st, want, NULL, 0, "qtm_verify", file, line);
    assert_non_null(rep);
    assert_int_equal(json_is_true(json_object_get(rep, "ok")), want == QTM_OK);
    if (want == QTM_OK)
        assert_int_equal(json_array_size(json_object_get(rep, "findings")), 0);
    f->held = NULL;
    return rep;
}

#define verify(f, want) verify_((f), (want), __FILE__, __LINE__)

/* Fails unless the report has a finding equal to `text`. */
static void assert_finding(json_t *rep, const char *text)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(rep, "findings"), i, v)
        if (strcmp(json_string_value(v), text) == 0)
            return;
    char *all = json_dumps(json_object_get(rep, "findings"), JSON_INDENT(2));
    print_error("no finding '%s' in\n%s\n", text, all);
    free(all);
    fail();
}

/* The chain hash as documented in core.c: SHA-256 over prev and every
 * field, each followed by 0x1F (NULL fields contribute only the separator). */
static void chain_hash(const char *prev, const json_t *row, char out[65])
{
    crypto_hash_sha256_state h;
    unsigned char d[crypto_hash_sha256_BYTES], sep = 0x1F;
    char num[2][24];
    const char *fields[9];
    snprintf(num[0], sizeof num[0], "%lld", (long long)ji(row, "entity_id"));
    snprintf(num[1], sizeof num[1], "%lld", (long long)ji(row, "job"));
    fields[0] = prev;
    fields[1] = js(row, "at");
    fields[2] = js(row, "actor");
    fields[3] = js(row, "entity");
    fields[4] = num[0];
    fields[5] = js(row, "action");
    fields[6] = js(row, "from");
    fields[7] = js(row, "to");
    fields[8] = num[1];
    crypto_hash_sha256_init(&h);
    for (int i = 0; i < 9; i++) {
        if (fields[i])
            crypto_hash_sha256_update(&h, (const unsigned char *)fields[i], strlen(fields[i]));
        crypto_hash_sha256_update(&h, &sep, 1);
    }
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
}

/* An event-coordination job and an auto-detailing job run end to end, with
 * a participant and payments. */
static void full_lifecycle(fx *f, int64_t *ec, int64_t *ad)
{
    *ec = job_claimed(f, EC, "ana");
    OK(qtm_participant_add(f->q, "ana", *ec, "Vic Florist", "florist", NULL));
    run_to_final(f, *ec, EC, "ana");
    OK(qtm_job_complete(f->q, "ana", *ec));
    qtm_payment p = {"1500.00", NULL, "wire", "final", "1500", 0};
    OK(qtm_settle(f->q, "ada", *ec, &p));
    *ad = job_done(f, AD, "bo");
    qtm_payment q = {"40", NULL, "cash", NULL, "180", 0};
    OK(qtm_settle(f->q, "bo", *ad, &q));
}

/* --- the audit log ---------------------------------------------------------- */

static void test_every_change_appends_audit_rows(void **state)
{
    fx *f = *state;
    size_t n = log_len(f, 0);
#define STEP(rows, call)                          \
    do {                                          \
        OK(call);                                 \
        assert_int_equal(log_len(f, 0), n + (rows)); \
        n += (rows);                              \
    } while (0)
    int64_t r, t, j;
    STEP(1, qtm_actor_add(f->q, "cy", "operator", NULL));
    STEP(1, qtm_actor_set_access(f->q, "cy", "limited"));
    STEP(2, qtm_request_submit(f->q, "cli", AD, AD_PACKET, 1, "k", &r, &t));
    STEP(0, qtm_request_submit(f->q, "cli", AD, AD_PACKET, 1, "k", &r, &t));
    STEP(1, qtm_task_approve(f->q, "ada", t));
    STEP(1, qtm_task_assign(f->q, "ada", t, "bo"));
    STEP(1, qtm_task_assign(f->q, "ada", t, "ana"));
    STEP(1, qtm_job_create(f->q, "ada", t, &j));
    STEP(2, qtm_job_claim(f->q, "ana", j));
    STEP(0, qtm_job_claim(f->q, "ana", j));
    STEP(1, qtm_job_advance(f->q, "ana", j, "arrive"));
    STEP(1, qtm_evidence_add(f->q, "ana", j, "arrival", "a.jpg", NULL));
    STEP(1, qtm_participant_add(f->q, "ana", j, "Marcus", "client", NULL));
    STEP(1, qtm_job_advance(f->q, "ana", j, "start"));
    STEP(1, qtm_evidence_add(f->q, "ana", j, "before", "b.jpg", NULL));
    STEP(1, qtm_job_advance(f->q, "ana", j, "finish"));
    STEP(1, qtm_evidence_add(f->q, "ana", j, "after", "c.jpg", NULL));
    qtm_payment p = {"50", NULL, "cash", NULL, NULL, 0};
    STEP(1, qtm_settle(f->q, "ana", j, &p));
    STEP(2, qtm_job_advance(f->q, "ana", j, "complete"));
    STEP(1, qtm_job_complete(f->q, "ana", j));
    int64_t t2 = submit(f, EC);
    n += 2;
    STEP(1, qtm_task_reject(f->q, "ada", t2, "duplicate"));
    STEP(1, qtm_task_close(f->q, "ada", t2));
#undef STEP
    /* reads append nothing */
    json_t *o = NULL;
    OK(qtm_job_show(f->q, j, &o));
    json_decref(o);
    OK(qtm_desk(f->q, NULL, &o));
    json_decref(o);
    OK(qtm_verify(f->q, &o));
    json_decref(o);
    assert_int_equal(log_len(f, 0), n);
    assert_int_equal(db_int(f, "SELECT COUNT(*) FROM audit"), (int64_t)n);
}

static void test_audit_rows_are_chained(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    json_t *log = NULL;
    OK(qtm_log(f->q, 0, &log));
    assert_true(json_array_size(log) > 30);
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    size_t i;
    json_t *row;
    json_array_foreach(log, i, row) {
        char want[65];
        assert_int_equal(ji(row, "id"), (json_int_t)i + 1);
        assert_string_equal(js(row, "prev_hash"), prev);
        chain_hash(prev, row, want);
        assert_string_equal(js(row, "hash"), want);
        memcpy(prev, want, sizeof prev);
    }
    json_decref(log);
}

static void test_log_by_job(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    json_t *log = NULL;
    OK(qtm_log(f->q, a, &log));
    size_t i;
    json_t *row;
    int create = 0, record = 0, complete = 0, payment = 0;
    json_array_foreach(log, i, row) {
        assert_int_equal(ji(row, "job"), a);
        create += strcmp(js(row, "action"), "create") == 0;
        record += strcmp(js(row, "entity"), "record") == 0;
        complete += strcmp(js(row, "entity"), "job") == 0 &&
                    strcmp(js(row, "action"), "complete") == 0;
        payment += strcmp(js(row, "entity"), "settlement") == 0;
    }
    assert_int_equal(create, 1);
    assert_int_equal(record, 1);
    assert_int_equal(complete, 1);
    assert_int_equal(payment, 1);
    json_decref(log);
    EXPECT(QTM_ENOTFOUND, qtm_log(f->q, 99, &log));
    assert_null(log);
}

/* --- verify ------------------------------------------------------------------ */

static void test_verify_empty_database(void **state)
{
    fx *f = *state;
    json_t *rep = verify(f, QTM_OK);
    assert_int_equal(ji(rep, "audit_rows"), 0);
    assert_int_equal(ji(rep, "jobs"), 0);
    json_decref(rep);
}

static void test_verify_full_lifecycle(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    job_claimed(f, EC, "ana");  /* and one still running */
    job_new(f, AD, "bo");       /* and one queued */
    json_t *rep = verify(f, QTM_OK);
    assert_int_equal(ji(rep, "jobs"), 4);
    assert_int_equal(ji(rep, "audit_rows"), (json_int_t)log_len(f, 0));
    json_decref(rep);
}

static void test_verify_finds_edited_audit_row(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    char err[256];
    /* the trigger stops a plain UPDATE ... */
    assert_int_not_equal(db_exec(f, "UPDATE audit SET actor = 'mallory' WHERE id = 8", err,
                                 sizeof err), SQLITE_OK);
    assert_non_null(strstr(err, "append-only"));
    json_decref(verify(f, QTM_OK));
    /* ... so the attacker drops it first */
    DB_OK("DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE id = 8");
    json_t *rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, "audit row 8 was altered (its hash does not match its contents)");
    assert_int_equal(json_array_size(json_object_get(rep, "findings")), 1);
    assert_string_equal(qtm_errmsg(f->q), "verify found 1 problem");
    json_decref(rep);
}

static void test_verify_finds_rehashed_audit_row(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    /* a careful attacker recomputes the edited row's hash: the next row's
     * link breaks instead */
    json_t *log = NULL;
    OK(qtm_log(f->q, 0, &log));
    json_t *row = json_deep_copy(json_array_get(log, 9));
    json_decref(log);
    json_object_set_new(row, "actor", json_string("mallory"));
    char h[65], sql[256];
    chain_hash(js(row, "prev_hash"), row, h);
    snprintf(sql, sizeof sql, "DROP TRIGGER audit_no_update;"
             " UPDATE audit SET actor = 'mallory', hash = '%s' WHERE id = 10", h);
    json_decref(row);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, "audit row 11 does not follow row 10 (chain broken)");
    json_decref(rep);
}

static void test_verify_finds_deleted_audit_row(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    DB_OK("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 5");
    json_t *rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, "audit row 6 does not follow row 5 (chain broken)");
    json_decref(rep);
}

/* Cutting the newest rows leaves no broken link, but a state nobody audited. */
static void test_verify_finds_truncated_log(void **state)
{
    fx *f = *state;
    char msgbuf[256];
    int64_t j = job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    DB_OK("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)");
    json_t *rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, MSGF("job %lld's ServiceEvent is in phase arrived but its last audit row "
                             "says claimed", (long long)j));
    json_decref(rep);
    DB_OK("DELETE FROM audit WHERE job_id IS NOT NULL");
    rep = verify(f, QTM_EVERIFY);
    assert_finding(rep, MSGF("job %lld is active but its last audit row says nothing",
                             (long long)j));
    json_decref(rep);
}

static void test_verify_finds_edited_record_body(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    char err[256], sql[256], want[128];
    assert_int_not_equal(db_exec(f, "UPDATE records SET body = '{}'", err, sizeof err),
                         SQLITE_OK);
    assert_non_null(strstr(err, "immutable"));
    snprintf(sql, sizeof sql, "DROP TRIGGER records_no_update;"
             " UPDATE records SET body = replace(body, '\"ana\"', '\"bo\"') WHERE job_id = %lld",
             (long long)a);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(sql, sizeof sql, "SELECT id FROM records WHERE job_id = %lld", (long long)a);
    snprintf(want, sizeof want, "record %lld (job %lld) does not match its hash",
             (long long)db_int(f, sql), (long long)a);
    assert_finding(rep, want);
    assert_int_equal(json_array_size(json_object_get(rep, "findings")), 1);
    json_decref(rep);
}

static void test_verify_finds_deleted_record(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    char sql[128], want[128];
    snprintf(sql, sizeof sql, "DROP TRIGGER records_no_delete;"
             " DELETE FROM records WHERE job_id = %lld", (long long)b);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld has a complete ServiceEvent and 0 records (want 1)",
             (long long)b);
    assert_finding(rep, want);
    json_decref(rep);
}

static void test_verify_finds_forged_record(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    char sql[256], want[128];
    snprintf(sql, sizeof sql, "INSERT INTO records(job_id, se_id, surface, body, hash, created_at)"
             " SELECT %lld, id, 'event-coordination', '{}',"
             " '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', 'x'"
             " FROM service_events WHERE job_id = %lld", (long long)j, (long long)j);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld has a record but no complete ServiceEvent", (long long)j);
    assert_finding(rep, want);
    snprintf(want, sizeof want, "record 1 (job %lld) has no complete ServiceEvent behind it",
             (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
}

static void test_verify_finds_job_state_changed_behind_its_back(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    char sql[128], want[128];
    snprintf(sql, sizeof sql, "UPDATE jobs SET state = 'complete' WHERE id = %lld", (long long)j);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld is complete but its ServiceEvent is not", (long long)j);
    assert_finding(rep, want);
    snprintf(want, sizeof want, "job %lld is complete but its last audit row says active",
             (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
    /* back to queued: the audit log still says active */
    snprintf(sql, sizeof sql, "UPDATE jobs SET state = 'queued' WHERE id = %lld", (long long)j);
    DB_OK(sql);
    rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld is queued but its last audit row says active",
             (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
}

static void test_verify_finds_phase_changed_behind_its_back(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    char sql[128], want[160];
    snprintf(sql, sizeof sql, "UPDATE service_events SET phase = 'in_progress' WHERE job_id = %lld",
             (long long)j);
    DB_OK(sql);
    json_t *rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld's ServiceEvent is in phase in_progress but its last "
             "audit row says arrived", (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
    /* marking it complete without a record is found too */
    snprintf(sql, sizeof sql, "UPDATE service_events SET phase = 'arrived', complete = 1"
             " WHERE job_id = %lld", (long long)j);
    DB_OK(sql);
    rep = verify(f, QTM_EVERIFY);
    snprintf(want, sizeof want, "job %lld has a complete ServiceEvent and 0 records (want 1)",
             (long long)j);
    assert_finding(rep, want);
    json_decref(rep);
}


/* An attacker who edits a record body also rewrites its hash (it is only a
 * SHA-256 of the body).  The audit log keeps the hash the record was
 * composed with (the `record compose` row), so verify can and must see it. */
static void test_verify_finds_rehashed_record_body(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    json_t *o = NULL;
    OK(qtm_record_show(f->q, a, &o));
    json_object_set_new(json_object_get(o, "body"), "operator", json_string("bo"));
    char *body = json_dumps(json_object_get(o, "body"), JSON_COMPACT | JSON_SORT_KEYS);
    json_int_t id = ji(o, "id");
    json_decref(o);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)body, strlen(body));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    sqlite3 *db = db_open(f);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER records_no_update", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE records SET body = ?1, hash = ?2 WHERE id = ?3",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(body);
    OK(qtm_record_show(f->q, a, &o));
    assert_string_equal(js(json_object_get(o, "body"), "operator"), "bo");
    json_decref(o);
    json_decref(verify(f, QTM_EVERIFY));
}

/* --- immutability ----------------------------------------------------------- */

static void test_append_only_tables_refuse_update_and_delete(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    static const char *const tables[] = {"requests", "records", "payments", "audit",
                                         "phase_changes", "evidence"};
    static const char *const column[] = {"intake", "body", "amount", "action", "to_phase",
                                         "ref"};
    char *before = db_dump(f);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[160], err[256];
        int64_t rows;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i]);
        rows = db_int(f, sql);
        assert_true(rows > 0);
        snprintf(sql, sizeof sql, "UPDATE %s SET %s = %s", tables[i], column[i], column[i]);
        assert_int_equal(db_exec(f, sql, err, sizeof err), SQLITE_CONSTRAINT);
        assert_true(strstr(err, "immutable") || strstr(err, "append-only"));
        snprintf(sql, sizeof sql, "DELETE FROM %s", tables[i]);
        assert_int_equal(db_exec(f, sql, err, sizeof err), SQLITE_CONSTRAINT);
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE rowid = (SELECT MAX(rowid) FROM %s)",
                 tables[i], tables[i]);
        assert_int_equal(db_exec(f, sql, err, sizeof err), SQLITE_CONSTRAINT);
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i]);
        assert_int_equal(db_int(f, sql), rows);
    }
    char *after = db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(verify(f, QTM_OK));
}

/* --- refusals change nothing -------------------------------------------------- */

static void test_refusals_change_nothing(void **state)
{
    fx *f = *state;
    int64_t r, t, j, a, b;
    full_lifecycle(f, &a, &b);
    int64_t review = submit(f, EC);
    int64_t approved = submit(f, EC);
    OK(qtm_task_approve(f->q, "ada", approved));
    int64_t run = job_claimed(f, AD, "ana");
    OK(qtm_job_advance(f->q, "ana", run, "arrive"));
    OK(qtm_job_advance(f->q, "ana", run, "start"));
    OK(qtm_job_advance(f->q, "ana", run, "finish"));
    int64_t queued = job_new(f, EC, "ana");
    OK(qtm_request_submit(f->q, "cli", EC, EC_PACKET, 0, "idem", &r, &t));
    qtm_payment neg = {"-1", NULL, "cash", NULL, NULL, 0};
    qtm_payment eur = {"1", "EUR", "cash", NULL, NULL, 0};
    qtm_payment ok = {"1", NULL, "cash", NULL, NULL, 0};
    qtm_payment none = {NULL, NULL, NULL, NULL, NULL, 0};

    /* governance */
    UNCHANGED(QTM_ECONFLICT, qtm_actor_add(f->q, "ana", "operator", NULL));
    UNCHANGED(QTM_EINVALID, qtm_actor_add(f->q, "Bad", "operator", NULL));
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, "cli", EC, "{}", 0, NULL, &r, &t));
    UNCHANGED(QTM_EREFUSED, qtm_request_submit(f->q, "cli", LS, LS_PACKET, 0, NULL, &r, &t));
    UNCHANGED(QTM_ECONFLICT, qtm_request_submit(f->q, "cli", AD, AD_PACKET, 1, "idem", &r, &t));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_approve(f->q, "ana", review));
    UNCHANGED(QTM_EREFUSED, qtm_task_approve(f->q, "ada", approved));
    UNCHANGED(QTM_EUSAGE, qtm_task_reject(f->q, "ada", review, ""));
    UNCHANGED(QTM_EFORBIDDEN, qtm_task_assign(f->q, "ada", approved, "vic"));
    UNCHANGED(QTM_EREFUSED, qtm_task_assign(f->q, "ada", review, "ana"));
    /* execution */
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", review, &j));
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", approved, &j));
    UNCHANGED(QTM_ECONFLICT, qtm_job_create(f->q, "ada", 1, &j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "bo", queued));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "vic", queued));
    UNCHANGED(QTM_ECONFLICT, qtm_job_claim(f->q, "bo", run));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", queued, "arrive"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "bo", run, "complete"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", run, "complete"));  /* no evidence */
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", run, "dance"));
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", run));
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", a));
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", run, "selfie", "x.jpg", NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "bo", run, "after", "x.jpg", NULL));
    UNCHANGED(QTM_EREFUSED, qtm_evidence_add(f->q, "ana", a, "x", "x.jpg", NULL));
    /* settlement */
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ana", run, &neg));
    UNCHANGED(QTM_EINVALID, qtm_settle(f->q, "ada", a, &eur));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "vic", run, &ok));
    UNCHANGED(QTM_EFORBIDDEN, qtm_settle(f->q, "bo", run, &ok));
    UNCHANGED(QTM_EUSAGE, qtm_settle(f->q, "ada", run, &none));
    json_decref(verify(f, QTM_OK));
}

/* A failure inside a transaction, after some writes, rolls all of them back. */
static void test_failed_transaction_leaves_nothing(void **state)
{
    fx *f = *state;
    int64_t j = job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    /* the record cannot be stored: the ServiceEvent must not complete either */
    DB_OK("CREATE TRIGGER no_records BEFORE INSERT ON records"
          " BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    char *before = db_dump(f);
    qtm_status st = qtm_job_advance(f->q, "ana", j, "complete");
    assert_int_not_equal(st, QTM_OK);
    assert_int_equal(qtm_errcode(f->q), st);
    char *after = db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_job(f, j, "active", "in_progress");
    /* an audit row that cannot be written stops a claim */
    int64_t k = job_new(f, EC, "ana");
    DB_OK("CREATE TRIGGER no_audit BEFORE INSERT ON audit"
          " BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    before = db_dump(f);
    assert_int_not_equal(qtm_job_claim(f->q, "ana", k), QTM_OK);
    after = db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    DB_OK("DROP TRIGGER no_records; DROP TRIGGER no_audit");
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    OK(qtm_job_claim(f->q, "ana", k));
    json_decref(verify(f, QTM_OK));
}

/* --- opening and the schema ------------------------------------------------ */

static void test_open_newer_schema_refused(void **state)
{
    fx *f = *state;
    OK(qtm_actor_add(f->q, "zed", "operator", NULL));
    qtm_close(f->q);
    f->q = NULL;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", QTM_SCHEMA_VERSION + 1);
    DB_OK(sql);
    char *before = db_dump(f);
    for (unsigned flags = 0; flags <= QTM_OPEN_CREATE; flags += QTM_OPEN_CREATE) {
        qtm *q = NULL;
        assert_int_equal(qtm_open(f->path, flags, &q), QTM_ESTORAGE);
        assert_non_null(q);
        assert_int_equal(qtm_errcode(q), QTM_ESTORAGE);
        char want[64];
        snprintf(want, sizeof want, "schema version %d", QTM_SCHEMA_VERSION + 1);
        assert_non_null(strstr(qtm_errmsg(q), want));
        assert_non_null(strstr(qtm_errmsg(q), "upgrade qtm"));
        /* a refused handle opens nothing */
        json_t *o = NULL;
        assert_int_equal(qtm_actor_list(q, &o), QTM_ESTORAGE);
        assert_null(o);
        qtm_close(q);
    }
    char *after = db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_open_garbage_refused(void **state)
{
    fx *f = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/garbage.db", f->dir);
    static const char line[] = "this is not a database, just text written over it\n";
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++)
        fputs(line, fp);
    fclose(fp);
    for (unsigned flags = 0; flags <= QTM_OPEN_CREATE; flags += QTM_OPEN_CREATE) {
        qtm *q = NULL;
        assert_int_equal(qtm_open(path, flags, &q), QTM_ESTORAGE);
        assert_non_null(q);
        assert_non_null(strstr(qtm_errmsg(q), "not a database"));
        qtm_close(q);
    }
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 200 * (sizeof line - 1));
}

static void test_open_missing_without_create(void **state)
{
    fx *f = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/missing.db", f->dir);
    qtm *q = NULL;
    assert_int_equal(qtm_open(path, 0, &q), QTM_ESTORAGE);
    assert_non_null(q);
    assert_non_null(strstr(qtm_errmsg(q), "run `qtm init`"));
    assert_non_null(strstr(qtm_errmsg(q), path));
    qtm_close(q);
    assert_int_not_equal(access(path, F_OK), 0);
    /* an empty file is not a qtm database either */
    FILE *fp = fopen(path, "w");
    fclose(fp);
    assert_int_equal(qtm_open(path, 0, &q), QTM_ESTORAGE);
    assert_non_null(strstr(qtm_errmsg(q), "not a qtm database"));
    qtm_close(q);
    /* nor is a directory that does not exist */
    snprintf(path, sizeof path, "%s/no/such/dir/qtm.db", f->dir);
    assert_int_equal(qtm_open(path, QTM_OPEN_CREATE, &q), QTM_ESTORAGE);
    qtm_close(q);
}

static void test_open_again_keeps_everything(void **state)
{
    fx *f = *state;
    int64_t a, b;
    full_lifecycle(f, &a, &b);
    char *before = db_dump(f);
    qtm_close(f->q);
    f->q = NULL;
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);
    qtm_set_clock(f->q, fake_clock, f);
    assert_int_equal(db_int(f, "PRAGMA user_version"), QTM_SCHEMA_VERSION);
    char *after = db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_decref(verify(f, QTM_OK));
    /* the chain continues across handles */
    OK(qtm_job_claim(f->q, "ana", job_new(f, EC, "ana")));
    json_decref(verify(f, QTM_OK));
    /* creating over an existing database changes nothing */
    before = db_dump(f);
    qtm *q2 = NULL;
    assert_int_equal(qtm_open(f->path, QTM_OPEN_CREATE, &q2), QTM_OK);
    qtm_close(q2);
    after = db_dump(f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_handle_without_database(void **state)
{
    (void)state;
    qtm *q = NULL;
    assert_int_equal(qtm_open(NULL, 0, &q), QTM_OK);
    json_t *o = NULL;
    assert_int_equal(qtm_surfaces(q, &o), QTM_OK);
    assert_true(json_array_size(o) >= 3);
    json_decref(o);
    o = NULL;
    assert_int_equal(qtm_actor_list(q, &o), QTM_ESTORAGE);
    assert_string_equal(qtm_errmsg(q), "no database is open");
    assert_null(o);
    assert_int_equal(qtm_verify(q, &o), QTM_ESTORAGE);
    assert_null(o);
    qtm_close(q);
    qtm_close(NULL);
}

static void test_categories(void **state)
{
    (void)state;
    assert_string_equal(qtm_category(QTM_OK), "ok");
    assert_string_equal(qtm_category(QTM_EVERIFY), "verify");
    assert_string_equal(qtm_category(QTM_EUSAGE), "usage");
    assert_string_equal(qtm_category(QTM_ENOTFOUND), "not found");
    assert_string_equal(qtm_category(QTM_EFORBIDDEN), "forbidden");
    assert_string_equal(qtm_category(QTM_EREFUSED), "refused");
    assert_string_equal(qtm_category(QTM_ECONFLICT), "conflict");
    assert_string_equal(qtm_category(QTM_EINVALID), "invalid input");
    assert_string_equal(qtm_category(QTM_ESTORAGE), "storage");
    assert_int_equal(QTM_ESTORAGE, 10);
}

/* The system clock stamps UTC ISO-8601 with milliseconds when none is set. */
static void test_system_clock_stamps(void **state)
{
    fx *f = *state;
    qtm_set_clock(f->q, NULL, NULL);
    OK(qtm_actor_add(f->q, "zoe", "operator", NULL));
    json_t *row = log_last(f);
    const char *at = js(row, "at");
    assert_int_equal(strlen(at), 24);
    assert_true(at[4] == '-' && at[7] == '-' && at[10] == 'T' && at[13] == ':' && at[16] == ':' &&
                at[19] == '.' && at[23] == 'Z');
    json_decref(row);
    qtm_set_clock(f->q, fake_clock, f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_every_change_appends_audit_rows),
        TEST(test_audit_rows_are_chained),
        TEST(test_log_by_job),
        TEST_BARE(test_verify_empty_database),
        TEST(test_verify_full_lifecycle),
        TEST(test_verify_finds_edited_audit_row),
        TEST(test_verify_finds_rehashed_audit_row),
        TEST(test_verify_finds_deleted_audit_row),
        TEST(test_verify_finds_truncated_log),
        TEST(test_verify_finds_edited_record_body),
        TEST(test_verify_finds_deleted_record),
        TEST(test_verify_finds_rehashed_record_body),
        TEST(test_verify_finds_forged_record),
        TEST(test_verify_finds_job_state_changed_behind_its_back),
        TEST(test_verify_finds_phase_changed_behind_its_back),
        TEST(test_append_only_tables_refuse_update_and_delete),
        TEST(test_refusals_change_nothing),
        TEST(test_failed_transaction_leaves_nothing),
        TEST(test_open_newer_schema_refused),
        TEST(test_open_garbage_refused),
        TEST(test_open_missing_without_create),
        TEST(test_open_again_keeps_everything),
        TEST_BARE(test_handle_without_database),
        TEST_BARE(test_categories),
        TEST(test_system_clock_stamps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
