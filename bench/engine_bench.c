/*
 * engine_bench.c - libqtm runtime benchmarks, printed side by side in one run.
 *
 *   engine_bench [--dir DIR] [--qtm PATH] [--intake FILE] [--steps N]
 *                [--rounds N] [--advance-jobs N] [--envelope-jobs N] [--shows N]
 *
 *   1. engine step: qtm_surface_next() on event-coordination plus the check
 *      of t->by against the actor's role bits, against a hand-written C
 *      switch over the same lifecycle (queued -> claimed -> arrived ->
 *      in_progress -> complete, the same `by` checks), walking whole
 *      lifecycles; ns/step of each and switch_time / table_time.
 *   2. durable transition: qtm_job_advance (arrive, then start) on claimed
 *      jobs created and claimed through the API beforehand (only the
 *      advances are timed), against the minimal raw SQLite write in a
 *      separate file (WAL, synchronous=FULL like libqtm's default, prepared
 *      statements: BEGIN; UPDATE t ... WHERE id=? AND phase=?; INSERT INTO
 *      log ...; COMMIT); transitions/s of each and libqtm_rate / raw_rate;
 *      beside them, raw SQLite committing 10 transitions at a time (what
 *      group commit can reach).  --raw-only N prints just the raw figures,
 *      batch 1 and batch 10, on N rows (bench/http.sh, beside qtm serve).
 *   3. whole envelope: N jobs through libqtm (request submit with the
 *      wedding packet, approve, assign, job create, claim, advance arrive,
 *      start, complete (composes the record), job complete, settle); jobs/s,
 *      time per call, and database bytes per completed job (db + -wal after
 *      PRAGMA wal_checkpoint(TRUNCATE), less the empty database).
 *   4. `qtm --db DB job show ID` as a whole process (posix_spawn, output to
 *      /dev/null) on the database of 3; median, p90 and min wall time and
 *      median CPU time; beside it `qtm --version` (start-up only) and
 *      /bin/true (what starting any process costs on this machine).
 *   5. signed records: jobs completed on a database with a signing key
 *      (us per signed compose), each record exported, and each export
 *      checked offline with qtm_record_check: us per document.
 *
 * Beside wall time, CPU time (getrusage: user + system) is printed: on a
 * shared machine it moves less than wall time when other work competes.
 *
 * Figures only: a missed target is printed as MISSED and is not a failure.
 * Exits 1 when something fails (an API call, SQLite, a child process), 2 on
 * usage errors.  Databases live in DIR (default build/bench/runtime), which
 * is created; files from an earlier run are replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "event_coordination.h"
#include "qtm/qtm.h"

/* Keeps the compiler from inlining, cloning or specialising a step. */
#if defined(__clang__)
#define NOINLINE __attribute__((noinline))
#elif defined(__GNUC__)
#define NOINLINE __attribute__((noipa))
#else
#define NOINLINE
#endif

#define BAD_PHASE 0xFFFFu

extern char **environ;
#define MAX_SHOWS 100000

typedef struct opts {
    const char *dir;
    const char *qtm_bin;
    const char *intake;
    uint64_t steps;                /* engine steps per round, per variant */
    unsigned rounds;
    unsigned advance_jobs;
    unsigned envelope_jobs;
    unsigned shows;
} opts;

static volatile unsigned sink;     /* results land here: nothing is dead code */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("engine_bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of this process, or of its waited-for children. */
static double cpu_s(int who)
{
    struct rusage ru;
    if (getrusage(who, &ru) != 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Nearest-rank percentile of a sorted array. */
static double percentile(const double *sorted, size_t n, double pct)
{
    size_t rank = (size_t)(pct / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *verdict(int ok)
{
    return ok ? "ok    " : "MISSED";
}

/* --- files ------------------------------------------------------------------ */

static void mkdir_p(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        die("path too long: %s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                die("cannot create %s: %s", buf, strerror(errno));
            *p = c;
            if (!c)
                break;
        }
    }
}

static void path_join(char *out, size_t n, const char *dir, const char *name)
{
    if (snprintf(out, n, "%s/%s", dir, name) >= (int)n)
        die("path too long: %s/%s", dir, name);
}

/* Removes DB, DB-wal and DB-shm. */
static void remove_db(const char *db)
{
    char p[4200];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Checkpoints the WAL into the file (TRUNCATE), then returns db + -wal bytes. */
static long long db_bytes(const char *db)
{
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die("cannot open %s: %s", db, h ? sqlite3_errmsg(h) : "out of memory");
    char *msg = NULL;
    if (sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, &msg) != SQLITE_OK)
        die("%s: wal_checkpoint: %s", db, msg ? msg : sqlite3_errmsg(h));
    sqlite3_close(h);
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", db);
    return file_size(db) + file_size(wal);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot read %s: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    if (!buf || ferror(f))
        die("cannot read %s", path);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* --- 1. engine step ---------------------------------------------------------- */

/* The engine's step: the table lookup plus the `by` guard. */
NOINLINE static unsigned table_step(const qtm_surface *s, unsigned phase, unsigned event,
                                    unsigned roles)
{
    const qtm_transition *t = qtm_surface_next(s, phase, event);
    if (!t || !(t->by & roles))
        return BAD_PHASE;
    return t->to;
}

/* The same lifecycle and guards, written by hand. */
NOINLINE static unsigned switch_step(unsigned phase, unsigned event, unsigned roles)
{
    switch (phase) {
    case EVENT_COORDINATION__PHASE_QUEUED:
        if (event == EVENT_COORDINATION__EVENT_CLAIM && (roles & QTM_BY_OPERATOR))
            return EVENT_COORDINATION__PHASE_CLAIMED;
        break;
    case EVENT_COORDINATION__PHASE_CLAIMED:
        if (event == EVENT_COORDINATION__EVENT_ARRIVE && (roles & QTM_BY_OWNER))
            return EVENT_COORDINATION__PHASE_ARRIVED;
        break;
    case EVENT_COORDINATION__PHASE_ARRIVED:
        if (event == EVENT_COORDINATION__EVENT_START && (roles & QTM_BY_OWNER))
            return EVENT_COORDINATION__PHASE_IN_PROGRESS;
        break;
    case EVENT_COORDINATION__PHASE_IN_PROGRESS:
        if (event == EVENT_COORDINATION__EVENT_COMPLETE && (roles & QTM_BY_OWNER))
            return EVENT_COORDINATION__PHASE_COMPLETE;
        break;
    default:
        break;
    }
    return BAD_PHASE;
}

/* One lifecycle's events and the role bits of who fires each (the claiming
 * operator, then the owner); filled at run time, read through volatile. */
static unsigned life_event[4], life_roles[4], life_initial;

static void life_init(void)
{
    static volatile unsigned ev[4] = {EVENT_COORDINATION__EVENT_CLAIM,
                                      EVENT_COORDINATION__EVENT_ARRIVE,
                                      EVENT_COORDINATION__EVENT_START,
                                      EVENT_COORDINATION__EVENT_COMPLETE};
    static volatile unsigned roles[4] = {QTM_BY_OPERATOR, QTM_BY_OPERATOR | QTM_BY_OWNER,
                                         QTM_BY_OPERATOR | QTM_BY_OWNER,
                                         QTM_BY_OPERATOR | QTM_BY_OWNER};
    for (int k = 0; k < 4; k++) {
        life_event[k] = ev[k];
        life_roles[k] = roles[k];
    }
    life_initial = qtm_surface_event_coordination.initial;
}

/* Walks `lives` whole lifecycles; returns seconds.  Every lifecycle must
 * end in the final phase, or the step is wrong and the run stops. */
static double walk_table(const qtm_surface *s, uint64_t lives)
{
    uint64_t done = 0;
    double t0 = now_s();
    for (uint64_t i = 0; i < lives; i++) {
        unsigned p = life_initial;
        for (int k = 0; k < 4; k++)
            p = table_step(s, p, life_event[k], life_roles[k]);
        done += p == EVENT_COORDINATION__PHASE_COMPLETE;
    }
    double t = now_s() - t0;
    if (done != lives)
        die("table step: %llu of %llu lifecycles did not complete",
            (unsigned long long)(lives - done), (unsigned long long)lives);
    sink = (unsigned)done;
    return t;
}

static double walk_switch(uint64_t lives)
{
    uint64_t done = 0;
    double t0 = now_s();
    for (uint64_t i = 0; i < lives; i++) {
        unsigned p = life_initial;
        for (int k = 0; k < 4; k++)
            p = switch_step(p, life_event[k], life_roles[k]);
        done += p == EVENT_COORDINATION__PHASE_COMPLETE;
    }
    double t = now_s() - t0;
    if (done != lives)
        die("switch step: %llu of %llu lifecycles did not complete",
            (unsigned long long)(lives - done), (unsigned long long)lives);
    sink = (unsigned)done;
    return t;
}

static void bench_step(const opts *o)
{
    const qtm_surface *s = &qtm_surface_event_coordination;
    life_init();
    uint64_t lives = o->steps / 4;
    if (lives == 0)
        lives = 1;
    uint64_t steps = lives * 4;
    double tt[64], ts[64];
    walk_table(s, lives / 10 + 1);  /* warm-up */
    walk_switch(lives / 10 + 1);
    for (unsigned r = 0; r < o->rounds; r++) {  /* interleaved rounds */
        tt[r] = walk_table(s, lives);
        ts[r] = walk_switch(lives);
    }
    double t = median(tt, o->rounds), w = median(ts, o->rounds);
    double nt = t * 1e9 / (double)steps, nw = w * 1e9 / (double)steps;
    double ratio = w / t;
    printf("1. engine step (event-coordination; whole lifecycles of 4 steps; median of %u "
           "rounds x %llu steps)\n", o->rounds, (unsigned long long)steps);
    printf("   %-44s %10.2f ns/step\n", "table: qtm_surface_next + by check", nt);
    printf("   %-44s %10.2f ns/step\n", "switch: hand-written C", nw);
    printf("   %-44s %10.2f        %s target >= 0.5\n", "ratio switch_time/table_time", ratio,
           verdict(ratio >= 0.5));
    printf("\n");
    fflush(stdout);
}

/* --- libqtm helpers ---------------------------------------------------------- */

#define ADMIN "ada"
#define OPERATOR "ana"

static void check(qtm *q, qtm_status st, const char *what)
{
    if (st != QTM_OK)
        die("%s: %s (%s)", what, qtm_errmsg(q), qtm_category(st));
}

static qtm *open_fresh(const char *db, unsigned relaxed)
{
    qtm *q = NULL;
    remove_db(db);
    /* relaxed (QTM_OPEN_RELAXED): bench_transition's untimed setup only */
    qtm_status st = qtm_open(db, QTM_OPEN_CREATE | relaxed, &q);
    if (!q)
        die("qtm_open %s: out of memory", db);
    check(q, st, "qtm_open");
    check(q, qtm_actor_add(q, ADMIN, "admin", "Ada (admin)"), "actor add admin");
    check(q, qtm_actor_add(q, OPERATOR, "operator", "Ana (operator)"), "actor add operator");
    return q;
}

/* Envelope calls, in order; the time of each kind is summed. */
enum {
    C_SUBMIT, C_APPROVE, C_ASSIGN, C_CREATE, C_CLAIM, C_ARRIVE, C_START, C_FINISH,
    C_COMPLETE, C_SETTLE, C_COUNT
};
static const char *const call_name[C_COUNT] = {
    "request submit", "task approve", "task assign", "job create", "job claim",
    "job advance arrive", "job advance start", "job advance complete (+record)",
    "job complete", "settle (payment)"};

/* Takes one request to a claimed job; adds each call's time to acc when given. */
static int64_t claimed_job(qtm *q, const char *intake, double *acc)
{
    int64_t req, task, job;
    double t0 = now_s(), t1;
    check(q, qtm_request_submit(q, NULL, "event-coordination", intake, NULL, 0, NULL, &req, &task),
          "request submit");
    t1 = now_s();
    if (acc)
        acc[C_SUBMIT] += t1 - t0;
    check(q, qtm_task_approve(q, ADMIN, task), "task approve");
    t0 = now_s();
    if (acc)
        acc[C_APPROVE] += t0 - t1;
    check(q, qtm_task_assign(q, ADMIN, task, OPERATOR), "task assign");
    t1 = now_s();
    if (acc)
        acc[C_ASSIGN] += t1 - t0;
    check(q, qtm_job_create(q, ADMIN, task, &job), "job create");
    t0 = now_s();
    if (acc)
        acc[C_CREATE] += t0 - t1;
    check(q, qtm_job_claim(q, OPERATOR, job), "job claim");
    t1 = now_s();
    if (acc)
        acc[C_CLAIM] += t1 - t0;
    return job;
}

/* --- 2. durable transition ---------------------------------------------------- */

static void sql_check(sqlite3 *h, int rc, int want, const char *what)
{
    if (rc != want)
        die("raw SQLite: %s: %s", what, sqlite3_errmsg(h));
}

static sqlite3_stmt *prep(sqlite3 *h, const char *text)
{
    sqlite3_stmt *st = NULL;
    sql_check(h, sqlite3_prepare_v3(h, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL),
              SQLITE_OK, text);
    return st;
}

static void step_done(sqlite3 *h, sqlite3_stmt *st, const char *what)
{
    sql_check(h, sqlite3_step(st), SQLITE_DONE, what);
    sqlite3_reset(st);
}

/* n rows walked claimed -> arrived, then arrived -> in_progress: 2n
 * transitions, `batch` to a transaction; returns seconds. */
static double raw_transitions(const char *db, unsigned n, unsigned batch, double *cpu)
{
    sqlite3 *h = NULL;
    remove_db(db);
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        die("cannot open %s: %s", db, h ? sqlite3_errmsg(h) : "out of memory");
    char *msg = NULL;
    if (sqlite3_exec(h,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     "CREATE TABLE t(id INTEGER PRIMARY KEY, phase TEXT NOT NULL);"
                     "CREATE TABLE log(id INTEGER PRIMARY KEY, t_id INTEGER NOT NULL,"
                     " from_phase TEXT NOT NULL, to_phase TEXT NOT NULL, at TEXT NOT NULL);",
                     NULL, NULL, &msg) != SQLITE_OK)
        die("raw SQLite: schema: %s", msg ? msg : sqlite3_errmsg(h));
    sqlite3_stmt *ins_t = prep(h, "INSERT INTO t(id, phase) VALUES(?1, 'claimed')");
    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
    for (unsigned i = 1; i <= n; i++) {
        sqlite3_bind_int64(ins_t, 1, i);
        step_done(h, ins_t, "seeding t");
    }
    sql_check(h, sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK, "seeding t");
    sqlite3_finalize(ins_t);

    sqlite3_stmt *begin = prep(h, "BEGIN"), *commit = prep(h, "COMMIT");
    sqlite3_stmt *upd = prep(h, "UPDATE t SET phase = ?1 WHERE id = ?2 AND phase = ?3");
    sqlite3_stmt *log = prep(h, "INSERT INTO log(t_id, from_phase, to_phase, at)"
                                " VALUES(?1, ?2, ?3, ?4)");
    static const char *const path[3] = {"claimed", "arrived", "in_progress"};
    static const char at[] = "2026-01-01T00:00:00.000Z";
    double c0 = cpu_s(RUSAGE_SELF), t0 = now_s();
    for (int pass = 0; pass < 2; pass++) {
        const char *from = path[pass], *to = path[pass + 1];
        for (unsigned i = 1; i <= n; i++) {
            if ((i - 1) % batch == 0)
                step_done(h, begin, "BEGIN");
            sqlite3_bind_text(upd, 1, to, -1, SQLITE_STATIC);
            sqlite3_bind_int64(upd, 2, i);
            sqlite3_bind_text(upd, 3, from, -1, SQLITE_STATIC);
            step_done(h, upd, "UPDATE");
            if (sqlite3_changes(h) != 1)
                die("raw SQLite: row %u was not in phase %s", i, from);
            sqlite3_bind_int64(log, 1, i);
            sqlite3_bind_text(log, 2, from, -1, SQLITE_STATIC);
            sqlite3_bind_text(log, 3, to, -1, SQLITE_STATIC);
            sqlite3_bind_text(log, 4, at, -1, SQLITE_STATIC);
            step_done(h, log, "INSERT");
            if (i % batch == 0 || i == n)
                step_done(h, commit, "COMMIT");
        }
    }
    double t = now_s() - t0;
    *cpu = cpu_s(RUSAGE_SELF) - c0;
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_finalize(upd);
    sqlite3_finalize(log);
    sqlite3_close(h);
    return t;
}

static void bench_transition(const opts *o, const char *intake)
{
    char db[4200], raw[4200];
    path_join(db, sizeof db, o->dir, "transition.db");
    path_join(raw, sizeof raw, o->dir, "raw.db");
    unsigned n = o->advance_jobs;
    int64_t *jobs = malloc(n * sizeof *jobs);
    if (!jobs)
        die("out of memory");
    qtm *q = open_fresh(db, QTM_OPEN_RELAXED);
    for (unsigned i = 0; i < n; i++)
        jobs[i] = claimed_job(q, intake, NULL);
    /* the setup above ran relaxed; the timed transitions run as qtm does */
    qtm_close(q);
    q = NULL;
    if (qtm_open(db, 0, &q) != QTM_OK)
        die("qtm_open %s: %s", db, q ? qtm_errmsg(q) : "out of memory");

    double c0 = cpu_s(RUSAGE_SELF), t0 = now_s();
    for (unsigned i = 0; i < n; i++)
        check(q, qtm_job_advance(q, OPERATOR, jobs[i], "arrive"), "job advance arrive");
    for (unsigned i = 0; i < n; i++)
        check(q, qtm_job_advance(q, OPERATOR, jobs[i], "start"), "job advance start");
    double tq = now_s() - t0, cq = cpu_s(RUSAGE_SELF) - c0;
    c0 = cpu_s(RUSAGE_SELF);
    t0 = now_s();
    for (unsigned i = 0; i < n; i++)
        check(q, qtm_job_advance(q, OPERATOR, jobs[i], "complete"), "job advance complete");
    double tc = now_s() - t0, cc = cpu_s(RUSAGE_SELF) - c0;
    qtm_close(q);
    free(jobs);

    double cr, tr = raw_transitions(raw, n, 1, &cr);
    double cr10, tr10 = raw_transitions(raw, n, 10, &cr10);
    double rq = 2.0 * n / tq, rr = 2.0 * n / tr;
    double ratio = rq / rr;
    printf("2. durable transition (%u transitions each: arrive, then start, on %u claimed jobs; "
           "one transaction each)\n", 2 * n, n);
    printf("   %-44s %14s %10s %10s\n", "", "transitions/s", "wall us", "cpu us");
    printf("   %-44s %14.0f %10.1f %10.1f\n", "libqtm: qtm_job_advance", rq, 1e6 / rq,
           cq * 1e6 / (2.0 * n));
    printf("   %-44s %14.0f %10.1f %10.1f\n", "raw SQLite: BEGIN; UPDATE; INSERT; COMMIT", rr,
           1e6 / rr, cr * 1e6 / (2.0 * n));
    printf("   %-44s %14.2f  %s target >= 0.7  (cpu-time ratio %.2f)\n",
           "ratio libqtm_rate/raw_rate", ratio, verdict(ratio >= 0.7), cq > 0 ? cr / cq : 0.0);
    printf("   %-44s %14.0f %10.1f %10.1f\n", "(info) raw SQLite, 10 transitions a COMMIT",
           2.0 * n / tr10, tr10 * 1e6 / (2.0 * n), cr10 * 1e6 / (2.0 * n));
    printf("   %-44s %14.0f %10.1f %10.1f\n", "(info) qtm_job_advance complete (+record)", n / tc,
           tc * 1e6 / n, cc * 1e6 / n);
    printf("\n");
    fflush(stdout);
}

/* Raw SQLite under FULL, batch 1 and batch 10, on n rows (--raw-only). */
static void bench_raw_only(const opts *o, unsigned n)
{
    char raw[4200];
    path_join(raw, sizeof raw, o->dir, "raw-only.db");
    double c1, t1 = raw_transitions(raw, n, 1, &c1), c10, t10 = raw_transitions(raw, n, 10, &c10);
    printf("raw SQLite, synchronous=FULL, %u transitions: batch 1 %.0f/s, batch 10 %.0f/s\n",
           2 * n, 2.0 * n / t1, 2.0 * n / t10);
    remove_db(raw);
}

/* --- 3. whole envelope --------------------------------------------------------- */

static void bench_envelope(const opts *o, const char *intake, char *db, size_t dbn,
                           int64_t *njobs)
{
    path_join(db, dbn, o->dir, "envelope.db");
    unsigned n = o->envelope_jobs;
    qtm *q = open_fresh(db, 0);
    qtm_close(q);
    long long base = db_bytes(db);
    q = NULL;
    qtm_status st = qtm_open(db, 0, &q);
    if (!q)
        die("qtm_open %s: out of memory", db);
    check(q, st, "qtm_open");

    double acc[C_COUNT] = {0};
    qtm_payment pay = {"150.00", NULL, "zelle", NULL, NULL, 0};
    double c0 = cpu_s(RUSAGE_SELF), t0 = now_s();
    for (unsigned i = 0; i < n; i++) {
        int64_t job = claimed_job(q, intake, acc);
        double a = now_s(), b;
        check(q, qtm_job_advance(q, OPERATOR, job, "arrive"), "job advance arrive");
        b = now_s();
        acc[C_ARRIVE] += b - a;
        check(q, qtm_job_advance(q, OPERATOR, job, "start"), "job advance start");
        a = now_s();
        acc[C_START] += a - b;
        check(q, qtm_job_advance(q, OPERATOR, job, "complete"), "job advance complete");
        b = now_s();
        acc[C_FINISH] += b - a;
        check(q, qtm_job_complete(q, OPERATOR, job), "job complete");
        a = now_s();
        acc[C_COMPLETE] += a - b;
        check(q, qtm_settle(q, ADMIN, job, &pay), "settle");
        b = now_s();
        acc[C_SETTLE] += b - a;
    }
    double t = now_s() - t0, cpu = cpu_s(RUSAGE_SELF) - c0;
    qtm_close(q);
    long long size = db_bytes(db);
    *njobs = n;

    printf("3. whole envelope (%u jobs through libqtm: submit wedding packet, approve, assign, "
           "create, claim,\n   arrive, start, complete (+record), job complete, settle; "
           "%d transactions per job)\n", n, C_COUNT);
    printf("   %-44s %10.0f jobs/s   %8.1f us/job wall  %8.1f us/job cpu\n", "libqtm", n / t,
           t * 1e6 / n, cpu * 1e6 / n);
    for (int c = 0; c < C_COUNT; c++)
        printf("     %-42s %10.1f us/call  %5.1f%% of the time\n", call_name[c],
               acc[c] * 1e6 / n, 100.0 * acc[c] / t);
    printf("   %-44s %10.0f bytes/job  (%.1f MiB for %u jobs, less %lld empty)\n",
           "database (db + -wal after checkpoint)", (double)(size - base) / n,
           (double)size / (1024.0 * 1024.0), n, base);
    printf("\n");
    fflush(stdout);
}

/* --- 4. qtm job show ------------------------------------------------------------ */

/* Runs argv once (posix_spawn, stdout and stderr to /dev/null); seconds.
 * Any failure to start or a non-zero exit stops the benchmark. */
static double run_once(char *const argv[], double *cpu)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, 1, 2) != 0)
        die("posix_spawn_file_actions: out of memory");
    double c0 = cpu_s(RUSAGE_CHILDREN), t0 = now_s();
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    if (rc != 0)
        die("cannot run %s: %s", argv[0], strerror(rc));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid: %s", strerror(errno));
    double t = now_s() - t0;
    *cpu = cpu_s(RUSAGE_CHILDREN) - c0;
    posix_spawn_file_actions_destroy(&fa);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "engine_bench: failed (status %d):", status);
        for (int i = 0; argv[i]; i++)
            fprintf(stderr, " %s", argv[i]);
        fputc('\n', stderr);
        exit(1);
    }
    return t;
}

/* The median, p90 and min wall time of n runs of argv and their median CPU
 * time, in ms; argv[idx] is rewritten with a job id per run when idx > 0. */
static void time_runs(char **argv, int idx, int64_t njobs, unsigned n, double out[4])
{
    double *ms = malloc(2 * n * sizeof *ms), *cpu = ms + n;
    char id[32];
    if (!ms)
        die("out of memory");
    if (idx > 0) {
        snprintf(id, sizeof id, "%lld", (long long)(njobs / 2 + 1));
        argv[idx] = id;
    }
    run_once(argv, &cpu[0]);  /* warm-up: page cache, dynamic loader */
    for (unsigned i = 0; i < n; i++) {
        if (idx > 0) {  /* jobs spread over the whole database */
            snprintf(id, sizeof id, "%lld", (long long)(1 + (int64_t)(i * 7919u) % njobs));
            argv[idx] = id;
        }
        ms[i] = run_once(argv, &cpu[i]) * 1e3;
        cpu[i] *= 1e3;
    }
    out[3] = median(cpu, n);
    out[0] = median(ms, n);  /* sorts ms */
    out[1] = percentile(ms, n, 90);
    out[2] = ms[0];
    free(ms);
}

static void bench_show(const opts *o, const char *db, int64_t njobs)
{
    char *show[] = {(char *)o->qtm_bin, (char *)"--db", (char *)db, (char *)"job",
                    (char *)"show", NULL, NULL};
    char *version[] = {(char *)o->qtm_bin, (char *)"--version", NULL};
    char *floor[] = {(char *)"/bin/true", NULL};
    double s[4], v[4], f[4];
    time_runs(show, 5, njobs, o->shows, s);
    time_runs(version, 0, 0, o->shows, v);
    int have_true = access(floor[0], X_OK) == 0;
    if (have_true)
        time_runs(floor, 0, 0, o->shows, f);
    printf("4. qtm job show (whole process: %s --db DB job show ID, posix_spawn, output to "
           "/dev/null;\n   %u runs over %lld jobs)\n", o->qtm_bin, o->shows, (long long)njobs);
    printf("   %-44s %10s %8s %8s %8s\n", "", "median ms", "p90 ms", "min ms", "cpu ms");
    printf("   %-44s %10.2f %8.2f %8.2f %8.2f  %s target median < 5 ms\n", "qtm job show ID",
           s[0], s[1], s[2], s[3], verdict(s[0] < 5.0));
    printf("   %-44s %10.2f %8.2f %8.2f %8.2f\n", "(info) qtm --version: start-up, no database",
           v[0], v[1], v[2], v[3]);
    if (have_true)
        printf("   %-44s %10.2f %8.2f %8.2f %8.2f\n", "(info) /bin/true: this machine's floor",
               f[0], f[1], f[2], f[3]);
    printf("\n");
    fflush(stdout);
}

/* --- 5. signed records ------------------------------------------------------- */

/* Jobs completed on a database with a signing key (the signed compose is
 * timed), then each record exported and checked offline (qtm_record_check,
 * no database): us per signed compose, per export and per check. */
static void bench_signed(const opts *o, const char *intake)
{
    char db[4200];
    path_join(db, sizeof db, o->dir, "signed.db");
    unsigned n = o->advance_jobs < 2000 ? o->advance_jobs : 2000;
    int64_t *jobs = malloc(n * sizeof *jobs);
    char **docs = calloc(n, sizeof *docs);
    if (!jobs || !docs)
        die("out of memory");
    qtm *q = open_fresh(db, 0);   /* the default durability, as a deployment runs */
    char key[4300];
    snprintf(key, sizeof key, "%s.key", db);
    unlink(key);
    json_t *k = NULL;
    check(q, qtm_key_init(q, NULL, &k), "key init");
    json_decref(k);
    for (unsigned i = 0; i < n; i++) {
        jobs[i] = claimed_job(q, intake, NULL);
        check(q, qtm_job_advance(q, OPERATOR, jobs[i], "arrive"), "job advance arrive");
        check(q, qtm_job_advance(q, OPERATOR, jobs[i], "start"), "job advance start");
    }
    double t0 = now_s();
    for (unsigned i = 0; i < n; i++)
        check(q, qtm_job_advance(q, OPERATOR, jobs[i], "complete"), "job advance complete");
    double tc = now_s() - t0;
    t0 = now_s();
    for (unsigned i = 0; i < n; i++) {
        json_t *d = NULL;
        check(q, qtm_record_export(q, jobs[i], &d), "record export");
        docs[i] = qtm_record_export_text(d);
        json_decref(d);
    }
    double te = now_s() - t0;
    qtm_close(q);
    size_t bytes = 0;
    t0 = now_s();
    for (unsigned i = 0; i < n; i++) {
        json_t *r = NULL;
        if (qtm_record_check(docs[i], NULL, &r) != QTM_OK)
            die("record check: job %lld's export does not check", (long long)jobs[i]);
        json_decref(r);
        bytes += strlen(docs[i]);
    }
    double tk = now_s() - t0;
    printf("5. signed records (%u jobs on a database with a signing key; Ed25519)\n", n);
    printf("   %-44s %10.1f us/record\n", "qtm_job_advance complete (+signed record)",
           tc * 1e6 / n);
    printf("   %-44s %10.1f us/document  (%.0f bytes each)\n", "qtm_record_export", te * 1e6 / n,
           (double)bytes / n);
    printf("   %-44s %10.1f us/document  (%.0f documents/s)\n",
           "qtm_record_check (offline, no database)", tk * 1e6 / n, n / tk);
    printf("\n");
    fflush(stdout);
    for (unsigned i = 0; i < n; i++)
        free(docs[i]);
    free(docs);
    free(jobs);
}

/* --- main --------------------------------------------------------------------- */

static void usage(void)
{
    fputs("usage: engine_bench [--dir DIR] [--qtm PATH] [--intake FILE] [--steps N]\n"
          "                    [--rounds N] [--advance-jobs N] [--envelope-jobs N] [--shows N]\n"
          "       engine_bench [--dir DIR] --raw-only N   (raw SQLite FULL, batch 1 and 10)\n"
          "  defaults: --dir build/bench/runtime --qtm build/bin/qtm\n"
          "            --intake examples/intake/event-coordination-wedding.json\n"
          "            --steps 40000000 --rounds 5 --advance-jobs 5000\n"
          "            --envelope-jobs 10000 --shows 200\n", stderr);
}

static unsigned long long parse_count(const char *opt, const char *v, unsigned long long max)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v ? v : "", &end, 10);
    if (!v || !*v || *end || errno || n == 0 || n > max || v[0] == '-') {
        fprintf(stderr, "engine_bench: %s needs a count from 1 to %llu\n", opt, max);
        usage();
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    opts o = {"build/bench/runtime", "build/bin/qtm",
              "examples/intake/event-coordination-wedding.json", 40000000, 5, 5000, 10000, 200};
    unsigned raw_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return 0;
        }
        if (!v) {
            usage();
            return 2;
        }
        i++;
        if (strcmp(a, "--dir") == 0)
            o.dir = v;
        else if (strcmp(a, "--qtm") == 0)
            o.qtm_bin = v;
        else if (strcmp(a, "--intake") == 0)
            o.intake = v;
        else if (strcmp(a, "--steps") == 0)
            o.steps = parse_count(a, v, 1ull << 40);
        else if (strcmp(a, "--rounds") == 0)
            o.rounds = (unsigned)parse_count(a, v, 64);
        else if (strcmp(a, "--advance-jobs") == 0)
            o.advance_jobs = (unsigned)parse_count(a, v, 10000000);
        else if (strcmp(a, "--envelope-jobs") == 0)
            o.envelope_jobs = (unsigned)parse_count(a, v, 10000000);
        else if (strcmp(a, "--shows") == 0)
            o.shows = (unsigned)parse_count(a, v, MAX_SHOWS);
        else if (strcmp(a, "--raw-only") == 0)
            raw_only = (unsigned)parse_count(a, v, 10000000);
        else {
            fprintf(stderr, "engine_bench: unknown option %s\n", a);
            usage();
            return 2;
        }
    }
    if (raw_only) {
        mkdir_p(o.dir);
        bench_raw_only(&o, raw_only);
        return 0;
    }
    if (access(o.qtm_bin, X_OK) != 0)
        die("%s is not an executable (build it, or pass --qtm PATH)", o.qtm_bin);
    char *intake = read_file(o.intake);
    mkdir_p(o.dir);

    char load[64] = "?";
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (!fgets(load, sizeof load, la))
            snprintf(load, sizeof load, "?");
        load[strcspn(load, "\n")] = '\0';
        fclose(la);
    }
    printf("qtm runtime benchmark (engine_bench; SQLite %s, WAL, synchronous=FULL; "
           "databases in %s;\n load average at start: %s)\n\n", sqlite3_libversion(), o.dir,
           load);
    fflush(stdout);
    bench_step(&o);
    bench_transition(&o, intake);
    char db[4200];
    int64_t njobs = 0;
    bench_envelope(&o, intake, db, sizeof db, &njobs);
    bench_show(&o, db, njobs);
    bench_signed(&o, intake);
    free(intake);
    return 0;
}
