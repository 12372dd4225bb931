/*
 * list_bench.c - finding work at scale: `job list` pages over 100,000 jobs.
 *
 *   list_bench [--dir DIR] [--intake FILE] [--jobs N] [--runs N]
 *
 * Builds a database of N jobs (default 100,000): 1,000 through libqtm
 * (20 operators; a mix of queued, claimed, on-site and complete jobs;
 * venues and contacts varied, some paid), then copied with SQL up to N
 * (the jobs_search trigger indexes every copy as job create would), plus
 * 5 jobs at a venue no other job names (the rare search).  Then times one
 * page of 50 of each filtered list through libqtm (qtm_job_list_page,
 * qtm_job_list_as: a read transaction, the store's query, the rows as
 * JSON) beside a raw SQLite baseline of the same query (hand-written
 * with the filter inlined, prepared once, stepped to the end), median of
 * --runs runs (default 21) each, in ms.  Target: a filtered page under
 * 20 ms.  Nothing is asserted; the figures are printed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "qtm/qtm.h"

#define BASE 1000
#define OPERATORS 20
#define PAGE 50

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("list_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void check(qtm *q, qtm_status st, const char *what)
{
    if (st != QTM_OK)
        die("%s: %s", what, qtm_errmsg(q));
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot read %s", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

static const char *const venues[] = {"Laguna Gloria", "Mueller Lake Pavilion", "The Driskill",
                                     "Barton Springs Lodge", "Hyde Park Chapel",
                                     "Pease Park Terrace", "South Congress Hall",
                                     "Riverside Boathouse", "Lady Bird Overlook",
                                     "Windmill Barn"};

/* The intake with job i's venue and contact name. */
static char *intake_for(const char *base, int i, const char *venue)
{
    json_error_t e;
    json_t *o = json_loads(base, 0, &e);
    if (!o)
        die("intake: %s", e.text);
    char name[64];
    snprintf(name, sizeof name, "Client %04d Okafor", i);
    json_object_set_new(json_object_get(o, "contact"), "name", json_string(name));
    json_object_set_new(json_object_get(o, "event"), "venue", json_string(venue));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* One job through the envelope; its fate by i: queued, claimed, on site, complete. */
static void one_job(qtm *q, const char *intake, int i)
{
    int64_t req, task, job;
    char op[16];
    snprintf(op, sizeof op, "op%02d", i % OPERATORS + 1);
    check(q, qtm_request_submit(q, NULL, "event-coordination", intake, NULL, 0, NULL, &req, &task),
          "submit");
    check(q, qtm_task_approve(q, "ada", task), "approve");
    check(q, qtm_task_assign(q, "ada", task, op), "assign");
    check(q, qtm_job_create(q, "ada", task, &job), "create");
    if (i % 10 < 3)
        return;                    /* 30% queued */
    check(q, qtm_job_claim(q, op, job), "claim");
    if (i % 10 < 6)
        return;                    /* 30% claimed */
    check(q, qtm_job_advance(q, op, job, "arrive"), "arrive");
    if (i % 10 < 8)
        return;                    /* 20% on site */
    check(q, qtm_job_advance(q, op, job, "start"), "start");
    check(q, qtm_job_advance(q, op, job, "complete"), "finish");
    check(q, qtm_job_complete(q, op, job), "complete");
    qtm_payment p = {"250.00", NULL, "zelle", NULL, "250.00", 0};
    check(q, qtm_settle(q, "ada", job, &p), "settle");
}

static void exec(sqlite3 *h, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK)
        die("sql: %s: %s", err ? err : "?", sql);
}

/* Copies the first BASE jobs (and their rows) until there are n. */
static void replicate(const char *db, int n)
{
    sqlite3 *h = NULL;
    if (sqlite3_open(db, &h) != SQLITE_OK)
        die("open %s", db);
    char sql[4096];
    int copies = n / BASE - 1;
    snprintf(sql, sizeof sql,
             "PRAGMA synchronous = OFF; BEGIN;"
             "CREATE TEMP TABLE k(n INTEGER PRIMARY KEY);"
             "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < %d)"
             " INSERT INTO k SELECT n FROM c;"
             "INSERT INTO requests SELECT r.id + k.n * %d, r.surface, r.fingerprint, r.intake,"
             " r.photos, NULL, r.actor_id, r.created_at FROM requests r, k WHERE r.id <= %d;"
             "INSERT INTO tasks SELECT t.id + k.n * %d, t.request_id + k.n * %d, t.state,"
             " t.assignee_id, t.reason, t.created_at, t.updated_at FROM tasks t, k"
             " WHERE t.id <= %d;"
             "INSERT INTO jobs SELECT j.id + k.n * %d, j.task_id + k.n * %d, j.surface,"
             " j.fingerprint, j.state, j.owner_id, j.created_at, j.claimed_at, j.completed_at"
             " FROM k, jobs j WHERE j.id <= %d ORDER BY k.n, j.id;"
             "INSERT INTO service_events SELECT s.id + k.n * %d, s.job_id + k.n * %d, s.phase,"
             " s.operator_id, s.complete, s.started_at, s.completed_at, s.outcome, s.reason FROM service_events s, k"
             " WHERE s.job_id <= %d;"
             "INSERT INTO settlements SELECT s.job_id + k.n * %d, s.currency, s.due, s.status,"
             " s.updated_at FROM settlements s, k WHERE s.job_id <= %d;"
             "COMMIT; ANALYZE;",
             copies, BASE, BASE, BASE, BASE, BASE, BASE, BASE, BASE, BASE, BASE, BASE, BASE,
             BASE);
    exec(h, sql);
    sqlite3_close(h);
}

typedef struct bench_case {
    const char *name;
    qtm_job_filter f;
    const char *as;                /* NULL: the database holder */
    int64_t after;
    const char *raw;               /* the baseline: ?1 after, ?2 limit */
} bench_case;

#define RAW_COLS                                                                              \
    "SELECT j.id, j.surface, j.state, s.phase, o.slug, a.slug, COALESCE(st.status, 'unpaid')," \
    " j.created_at, j.fingerprint FROM jobs j JOIN tasks t ON t.id = j.task_id"                 \
    " LEFT JOIN service_events s ON s.job_id = j.id LEFT JOIN actors o ON o.id = j.owner_id"   \
    " LEFT JOIN actors a ON a.id = t.assignee_id LEFT JOIN settlements st ON st.job_id = j.id"
#define RAW_TAIL " AND j.id > ?1 ORDER BY j.id LIMIT ?2"
#define OP7 "(SELECT id FROM actors WHERE slug = 'op07')"

static double time_lib(qtm *q, const bench_case *c, int runs, size_t *rows)
{
    double *t = calloc((size_t)runs, sizeof *t);
    qtm_page pg = {c->after, PAGE};
    for (int r = 0; r < runs; r++) {
        json_t *a = NULL;
        int64_t next = 0;
        double t0 = now_ms();
        qtm_status st = c->as ? qtm_job_list_as(q, c->as, 0, &c->f, &pg, &a, &next)
                              : qtm_job_list_page(q, &c->f, &pg, &a, &next);
        t[r] = now_ms() - t0;
        check(q, st, c->name);
        *rows = json_array_size(a);
        json_decref(a);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double m = t[runs / 2];
    free(t);
    return m;
}

static double time_raw(sqlite3 *h, const bench_case *c, int runs)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h, c->raw, -1, &st, NULL) != SQLITE_OK)
        die("raw %s: %s", c->name, sqlite3_errmsg(h));
    double *t = calloc((size_t)runs, sizeof *t);
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, c->after);
        sqlite3_bind_int(st, 2, PAGE + 1);
        while (sqlite3_step(st) == SQLITE_ROW)
            ;
        t[r] = now_ms() - t0;
    }
    sqlite3_finalize(st);
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double m = t[runs / 2];
    free(t);
    return m;
}

static qtm *build(const char *db, const char *intake, int n)
{
    qtm *q = NULL;
    unlink(db);
    double t0 = now_ms();
    if (qtm_open(db, QTM_OPEN_CREATE | QTM_OPEN_RELAXED, &q) != QTM_OK || !q)
        die("cannot create %s", db);
    check(q, qtm_actor_add(q, "ada", "admin", NULL), "actor add");
    for (int i = 1; i <= OPERATORS; i++) {
        char op[16];
        snprintf(op, sizeof op, "op%02d", i);
        check(q, qtm_actor_add(q, op, "operator", NULL), "actor add");
    }
    check(q, qtm_batch_begin(q), "batch");
    for (int i = 0; i < BASE; i++) {
        char *in = intake_for(intake, i, venues[i % (int)(sizeof venues / sizeof *venues)]);
        one_job(q, in, i);
        free(in);
    }
    check(q, qtm_batch_end(q, 1), "batch end");
    qtm_close(q);
    replicate(db, n);
    if (qtm_open(db, QTM_OPEN_RELAXED, &q) != QTM_OK)
        die("cannot reopen %s", db);
    for (int i = 0; i < 5; i++) {
        char *in = intake_for(intake, i, "Zilker Botanical Garden");
        one_job(q, in, 3);           /* claimed, on no other job's venue */
        free(in);
    }
    printf("built %d jobs in %.1f s (%d through libqtm, the rest copied with SQL)\n", n + 5,
           (now_ms() - t0) / 1e3, BASE + 5);
    return q;
}

int main(int argc, char **argv)
{
    const char *dir = "build/bench/list", *intake_file =
        "examples/intake/event-coordination-wedding.json";
    int n = 100000, runs = 21;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--dir") == 0)
            dir = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--intake") == 0)
            intake_file = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--jobs") == 0)
            n = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--runs") == 0)
            runs = atoi(argv[++i]);
        else
            die("usage: list_bench [--dir DIR] [--intake FILE] [--jobs N] [--runs N]");
    }
    if (n < 2 * BASE || n % BASE || runs < 1)
        die("--jobs takes a multiple of %d from %d, --runs 1 or more", BASE, 2 * BASE);
    char db[4096], cmd[4200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    if (system(cmd) != 0)
        die("cannot create %s", dir);
    snprintf(db, sizeof db, "%s/list.db", dir);
    char *intake = read_all(intake_file);
    qtm *q = build(db, intake, n);
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("open %s", db);
    const bench_case cases[] = {
        {"state=active", {"active", NULL, NULL, NULL, NULL}, NULL, 0,
         RAW_COLS " WHERE j.state = 'active'" RAW_TAIL},
        {"state=complete", {"complete", NULL, NULL, NULL, NULL}, NULL, 0,
         RAW_COLS " WHERE j.state = 'complete'" RAW_TAIL},
        {"surface=event-coordination", {NULL, "event-coordination", NULL, NULL, NULL}, NULL, 0,
         RAW_COLS " WHERE j.surface = 'event-coordination'" RAW_TAIL},
        {"operator=op07 (admin)", {NULL, NULL, "op07", NULL, NULL}, NULL, 0,
         RAW_COLS " WHERE (j.owner_id = " OP7 " OR (j.owner_id IS NULL AND t.assignee_id = " OP7
         "))" RAW_TAIL},
        {"as op07 (own jobs)", {NULL, NULL, NULL, NULL, NULL}, "op07", 0,
         RAW_COLS " WHERE (j.owner_id = " OP7 " OR (j.owner_id IS NULL AND t.assignee_id = " OP7
         "))" RAW_TAIL},
        {"operator=op07 state=queued", {"queued", NULL, "op07", NULL, NULL}, NULL, 0,
         RAW_COLS " WHERE j.state = 'queued' AND (j.owner_id = " OP7 " OR (j.owner_id IS NULL"
         " AND t.assignee_id = " OP7 "))" RAW_TAIL},
        {"phase=arrived", {NULL, NULL, NULL, "arrived", NULL}, NULL, 0,
         RAW_COLS " WHERE s.phase = 'arrived'" RAW_TAIL},
        {"q=laguna (1 job in 10)", {NULL, NULL, NULL, NULL, "laguna"}, NULL, 0,
         RAW_COLS " WHERE j.id IN (SELECT rowid FROM job_search WHERE job_search MATCH"
         " '\"laguna\"')" RAW_TAIL},
        {"q=zilker (5 jobs)", {NULL, NULL, NULL, NULL, "zilker"}, NULL, 0,
         RAW_COLS " WHERE j.id IN (SELECT rowid FROM job_search WHERE job_search MATCH"
         " '\"zilker\"')" RAW_TAIL},
        {"q=okafor state=queued", {"queued", NULL, NULL, NULL, "okafor"}, NULL, 0,
         RAW_COLS " WHERE j.state = 'queued' AND j.id IN (SELECT rowid FROM job_search WHERE"
         " job_search MATCH '\"okafor\"')" RAW_TAIL},
        {"no filter, deep after", {NULL, NULL, NULL, NULL, NULL}, NULL, n - 10 * PAGE,
         RAW_COLS " WHERE 1" RAW_TAIL},
        {"state=active, deep after", {"active", NULL, NULL, NULL, NULL}, NULL, n - 10 * PAGE,
         RAW_COLS " WHERE j.state = 'active'" RAW_TAIL},
    };
    printf("job list, one page of %d at %d jobs: median of %d runs (ms); target < 20 ms\n",
           PAGE, n + 5, runs);
    printf("%-30s %6s %10s %10s  %s\n", "filter", "rows", "libqtm", "raw SQL", "target");
    int missed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t rows = 0;
        double lib = time_lib(q, &cases[i], runs, &rows);
        double raw = time_raw(h, &cases[i], runs);
        missed += lib >= 20.0;
        printf("%-30s %6zu %10.3f %10.3f  %s\n", cases[i].name, rows, lib, raw,
               lib < 20.0 ? "ok" : "MISSED");
    }
    printf("%s\n", missed ? "some pages missed the 20 ms target" : "every page under 20 ms");
    sqlite3_close(h);
    qtm_close(q);
    free(intake);
    return 0;
}
