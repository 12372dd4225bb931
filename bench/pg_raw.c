/*
 * pg_raw.c - libqtm against the raw PostgreSQL write at N writers (bench/pg.sh, part 2).
 *
 *   pg_raw --raw URI --qtm URI [--threads N] [--seconds T] [--jobs J] [--actor SLUG]
 *
 * Three timed runs of T seconds, N threads each, one connection a thread:
 *   raw        per transaction, through libpq with prepared statements:
 *              BEGIN; UPDATE one job row (a compare-and-set on its phase);
 *              INSERT one audit row; COMMIT (4 round trips);
 *   raw+head   the same with a one-row chain head locked last:
 *              BEGIN; UPDATE job; SELECT seq, hash FROM head FOR UPDATE;
 *              INSERT audit; UPDATE head; COMMIT (6 round trips);
 *   libqtm     one qtm handle a thread, each walking jobs of its own (ids
 *              1..J of an http_setup database, thread t the ids = t mod N)
 *              in rounds: claim all, then arrive, start, complete; every
 *              call one audited transaction, as qtm serve makes it.
 * Each thread's rows or jobs are its own: the only row the writers share is
 * the chain head.  Prints transitions/s, mean, p50 and p99 latency, and the
 * ratio libqtm/raw.  The wait for the chain head, two ways:
 *   - the raw head variant's mean latency less the plain one's (its two
 *     extra round trips included);
 *   - sampling: every 10 ms, a separate connection counts the database's
 *     backends by pg_stat_activity.wait_event_type; by Little's law the
 *     mean count in "Lock" over the transaction rate is the time each
 *     transaction waits on a lock (here only the head is shared), and the
 *     categories together add up to the mean time per transaction.
 * The raw tables (raw_jobs, raw_audit, raw_head) are dropped and created
 * in the --raw database.  Exits 1 when a statement or call fails, 2 on
 * usage errors.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "qtm/qtm.h"

#define MAX_THREADS 64
#define RAW_ROWS 1000              /* rows of each raw thread, walked round-robin */
#define SAMPLE_NS 10000000L        /* 10 ms between pg_stat_activity samples */

enum { W_LOCK, W_LWLOCK, W_IO, W_CLIENT, W_CPU, W_OTHER, W_COUNT };
static const char *const wait_name[W_COUNT] = {"Lock", "LWLock", "IO", "Client", "running",
                                               "other"};

typedef struct opts {
    const char *raw_uri;
    const char *qtm_uri;
    const char *actor;             /* the operator every job is assigned to */
    unsigned threads;
    double seconds;
    long jobs;                     /* jobs 1..jobs exist, queued, in the qtm database */
} opts;

/* One writer thread's work and results. */
typedef struct writer {
    const opts *o;
    unsigned index;                /* 0..threads-1 */
    int head;                      /* raw runs: lock and advance the chain head */
    double t_end;                  /* stop starting transactions at this time */
    double *lat;                   /* seconds per transaction, grown as needed */
    size_t n, cap;
    unsigned busy;                 /* libqtm: calls run again after a busy failure */
    int out_of_jobs;               /* libqtm: the thread walked all its jobs */
    char err[512];                 /* set when the thread stopped on a failure */
} writer;

/* The sampler's tallies over one run. */
typedef struct sampler {
    const char *uri;
    volatile int stop;
    unsigned long samples;
    double count[W_COUNT];         /* summed backend counts per category */
    char err[512];
} sampler;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("pg_raw: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static PGconn *connect_or_die(const char *uri)
{
    PGconn *c = PQconnectdb(uri);
    if (!c || PQstatus(c) != CONNECTION_OK)
        die("cannot connect: %s", c ? PQerrorMessage(c) : "out of memory");
    return c;
}

/* Runs SQL with no result expected; on failure writes the message to err
 * (when given) and returns -1. */
static int exec_ok(PGconn *c, const char *sql, char *err, size_t n)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok && err)
        snprintf(err, n, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok ? 0 : -1;
}

static void record(writer *w, double seconds)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 4096;
        double *lat = realloc(w->lat, cap * sizeof *lat);
        if (!lat)
            die("out of memory");
        w->lat = lat;
        w->cap = cap;
    }
    w->lat[w->n++] = seconds;
}

/* --- the raw write ------------------------------------------------------------ */

static const char raw_schema[] =
    "SET client_min_messages = warning; DROP TABLE IF EXISTS raw_audit, raw_jobs, raw_head;"
    "CREATE TABLE raw_jobs(id bigint PRIMARY KEY, phase text NOT NULL);"
    "CREATE TABLE raw_audit(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " seq bigint, job_id bigint NOT NULL, from_phase text NOT NULL, to_phase text NOT NULL,"
    " at text NOT NULL);"
    "CREATE TABLE raw_head(id int PRIMARY KEY, seq bigint NOT NULL, hash text NOT NULL)"
    " WITH (fillfactor = 10);"
    "INSERT INTO raw_head VALUES (1, 0, '');";

/* Each raw row walks this cycle, one step a transaction. */
static const char *const cycle[4] = {"queued", "active", "arrived", "in_progress"};

static void raw_setup(const opts *o)
{
    PGconn *c = connect_or_die(o->raw_uri);
    char err[512], sql[256];
    if (exec_ok(c, raw_schema, err, sizeof err) != 0)
        die("raw schema: %s", err);
    snprintf(sql, sizeof sql, "INSERT INTO raw_jobs SELECT g, 'queued' FROM generate_series(1, %u) g",
             o->threads * RAW_ROWS);
    if (exec_ok(c, sql, err, sizeof err) != 0 || exec_ok(c, "VACUUM ANALYZE", err, sizeof err) != 0)
        die("raw rows: %s", err);
    PQfinish(c);
}

static int prepare(PGconn *c, const char *name, const char *sql, int nparams, char *err, size_t n)
{
    PGresult *r = PQprepare(c, name, sql, nparams, NULL);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(err, n, "prepare %s: %s", name, PQerrorMessage(c));
    PQclear(r);
    return ok ? 0 : -1;
}

/* Runs a prepared statement; want_rows: the rows it must change or return. */
static PGresult *run(PGconn *c, const char *name, int n, const char *const *v, int want_rows,
                     char *err, size_t errn)
{
    PGresult *r = PQexecPrepared(c, name, n, v, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    int rows = st == PGRES_TUPLES_OK ? PQntuples(r) : atoi(PQcmdTuples(r));
    if ((st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) || (want_rows >= 0 && rows != want_rows)) {
        snprintf(err, errn, "%s: %s", name,
                 st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? "unexpected row count"
                                                                 : PQerrorMessage(c));
        PQclear(r);
        return NULL;
    }
    return r;
}

static int raw_prepare(PGconn *c, char *err, size_t n)
{
    return prepare(c, "begin", "BEGIN", 0, err, n) || prepare(c, "commit", "COMMIT", 0, err, n) ||
           prepare(c, "upd", "UPDATE raw_jobs SET phase = $1 WHERE id = $2 AND phase = $3", 3, err,
                   n) ||
           prepare(c, "ins", "INSERT INTO raw_audit(seq, job_id, from_phase, to_phase, at)"
                             " VALUES($1, $2, $3, $4, $5)", 5, err, n) ||
           prepare(c, "head", "SELECT seq, hash FROM raw_head WHERE id = 1 FOR UPDATE", 0, err,
                   n) ||
           prepare(c, "head_set", "UPDATE raw_head SET seq = $1, hash = $2 WHERE id = 1", 2, err,
                   n);
}

/* One raw transaction on row id from phase `step` to the next; 0 or -1. */
static int raw_tx(writer *w, PGconn *c, long id, unsigned step)
{
    char ids[24], seq[24] = "", hash[48], at[32];
    const char *from = cycle[step % 4], *to = cycle[(step + 1) % 4];
    snprintf(ids, sizeof ids, "%ld", id);
    snprintf(at, sizeof at, "%.6f", now_s());
    const char *upd[3] = {to, ids, from};
    PGresult *r = NULL;
    if (!(r = run(c, "begin", 0, NULL, -1, w->err, sizeof w->err)))
        return -1;
    PQclear(r);
    if (!(r = run(c, "upd", 3, upd, 1, w->err, sizeof w->err)))
        return -1;
    PQclear(r);
    if (w->head) {
        if (!(r = run(c, "head", 0, NULL, 1, w->err, sizeof w->err)))
            return -1;
        snprintf(seq, sizeof seq, "%lld", atoll(PQgetvalue(r, 0, 0)) + 1);
        /* a stand-in for the chained hash: new text each time, no crypto */
        snprintf(hash, sizeof hash, "%.20s/%s", PQgetvalue(r, 0, 1), seq);
        PQclear(r);
    }
    const char *ins[5] = {w->head ? seq : NULL, ids, from, to, at};
    if (!(r = run(c, "ins", 5, ins, 1, w->err, sizeof w->err)))
        return -1;
    PQclear(r);
    if (w->head) {
        const char *hs[2] = {seq, hash};
        if (!(r = run(c, "head_set", 2, hs, 1, w->err, sizeof w->err)))
            return -1;
        PQclear(r);
    }
    if (!(r = run(c, "commit", 0, NULL, -1, w->err, sizeof w->err)))
        return -1;
    PQclear(r);
    return 0;
}

static void *raw_thread(void *arg)
{
    writer *w = arg;
    PGconn *c = connect_or_die(w->o->raw_uri);
    unsigned steps[RAW_ROWS] = {0};
    if (raw_prepare(c, w->err, sizeof w->err) == 0) {
        long base = (long)w->index * RAW_ROWS + 1;
        for (unsigned long i = 0; now_s() < w->t_end; i++) {
            unsigned k = (unsigned)(i % RAW_ROWS);
            double t0 = now_s();
            if (raw_tx(w, c, base + k, steps[k]++) != 0)
                break;
            record(w, now_s() - t0);
        }
    }
    PQfinish(c);
    return NULL;
}

/* --- libqtm ------------------------------------------------------------------- */

static void *qtm_thread(void *arg)
{
    static const char *const events[3] = {"arrive", "start", "complete"};
    writer *w = arg;
    const opts *o = w->o;
    qtm *q = NULL;
    if (qtm_open(o->qtm_uri, 0, &q) != QTM_OK) {
        snprintf(w->err, sizeof w->err, "qtm_open: %s", q ? qtm_errmsg(q) : "out of memory");
        qtm_close(q);
        return NULL;
    }
    long share = o->jobs >= (long)w->index + 1 ? (o->jobs - w->index - 1) / o->threads + 1 : 0;
    for (long i = 0;; i++) {
        long round = i / (share ? share : 1), k = i % (share ? share : 1);
        if (share == 0 || round > 3) {
            w->out_of_jobs = 1;
            break;
        }
        if (now_s() >= w->t_end)
            break;
        int64_t job = k * o->threads + w->index + 1;
        qtm_status st;
        unsigned tries = 0;
        double t0 = now_s();
        do
            st = round == 0 ? qtm_job_claim(q, o->actor, job)
                            : qtm_job_advance(q, o->actor, job, events[round - 1]);
        while (qtm_retry(q, st, &tries));
        if (st != QTM_OK) {
            snprintf(w->err, sizeof w->err, "job %lld: %s", (long long)job, qtm_errmsg(q));
            break;
        }
        w->busy += tries - 1;
        record(w, now_s() - t0);
    }
    qtm_close(q);
    return NULL;
}

/* --- sampling pg_stat_activity ------------------------------------------------ */

static int wait_kind(const char *type, const char *state)
{
    if (!type || !*type)
        return strcmp(state, "active") == 0 ? W_CPU : W_OTHER;
    if (strcmp(type, "Lock") == 0)
        return W_LOCK;
    if (strcmp(type, "LWLock") == 0)
        return W_LWLOCK;
    if (strcmp(type, "IO") == 0)
        return W_IO;
    if (strcmp(type, "Client") == 0)
        return W_CLIENT;
    return W_OTHER;
}

static void *sample_thread(void *arg)
{
    sampler *s = arg;
    PGconn *c = connect_or_die(s->uri);
    const char *sql = "SELECT wait_event_type, state, count(*) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                      " AND backend_type = 'client backend' GROUP BY 1, 2";
    struct timespec pause = {0, SAMPLE_NS};
    while (!s->stop) {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            snprintf(s->err, sizeof s->err, "sampling: %s", PQerrorMessage(c));
            PQclear(r);
            break;
        }
        for (int i = 0; i < PQntuples(r); i++)
            s->count[wait_kind(PQgetisnull(r, i, 0) ? NULL : PQgetvalue(r, i, 0),
                               PQgetvalue(r, i, 1))] += atof(PQgetvalue(r, i, 2));
        s->samples++;
        PQclear(r);
        nanosleep(&pause, NULL);
    }
    PQfinish(c);
    return NULL;
}

/* --- runs and report ---------------------------------------------------------- */

typedef struct result {
    double rate;                   /* transactions per second, all threads */
    double mean, p50, p99;         /* seconds per transaction */
    double wait[W_COUNT];          /* seconds per transaction in each category */
    unsigned busy;
    int out_of_jobs;
} result;

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Runs fn on o->threads writers for o->seconds with the sampler on uri. */
static result run_writers(const opts *o, void *(*fn)(void *), int head, const char *uri)
{
    static writer w[MAX_THREADS];
    pthread_t th[MAX_THREADS], sth;
    sampler s = {.uri = uri};
    result res = {0};
    double t_start = now_s();
    pthread_create(&sth, NULL, sample_thread, &s);
    for (unsigned i = 0; i < o->threads; i++) {
        w[i] = (writer){.o = o, .index = i, .head = head, .t_end = t_start + o->seconds};
        if (pthread_create(&th[i], NULL, fn, &w[i]) != 0)
            die("cannot start a thread");
    }
    size_t n = 0;
    for (unsigned i = 0; i < o->threads; i++) {
        pthread_join(th[i], NULL);
        n += w[i].n;
    }
    double elapsed = now_s() - t_start;
    s.stop = 1;
    pthread_join(sth, NULL);
    double *all = malloc((n ? n : 1) * sizeof *all), sum = 0;
    if (!all)
        die("out of memory");
    for (unsigned i = 0, k = 0; i < o->threads; i++) {
        if (w[i].err[0])
            die("writer %u: %s", i, w[i].err);
        for (size_t j = 0; j < w[i].n; j++, k++)
            sum += all[k] = w[i].lat[j];
        res.busy += w[i].busy;
        res.out_of_jobs |= w[i].out_of_jobs;
        free(w[i].lat);
    }
    if (s.err[0])
        die("%s", s.err);
    if (n == 0)
        die("no transaction completed");
    qsort(all, n, sizeof *all, cmp_double);
    res.rate = (double)n / elapsed;
    res.mean = sum / (double)n;
    res.p50 = all[(size_t)(0.50 * (double)(n - 1))];
    res.p99 = all[(size_t)(0.99 * (double)(n - 1))];
    for (int k = 0; k < W_COUNT; k++)
        res.wait[k] = s.samples ? s.count[k] / (double)s.samples / res.rate : 0;
    free(all);
    return res;
}

static void print_row(const char *label, const result *r)
{
    printf("   %-42s %9.0f %8.2f %8.2f %8.2f %9.2f\n", label, r->rate, r->mean * 1e3,
           r->p50 * 1e3, r->p99 * 1e3, r->wait[W_LOCK] * 1e3);
}

static void print_waits(const char *label, const result *r)
{
    printf("   %-20s", label);
    for (int k = 0; k < W_COUNT; k++)
        printf(" %s %.2f", wait_name[k], r->wait[k] * 1e3);
    printf("  (ms per transaction)\n");
}

static void report(const opts *o, const result *raw, const result *head, const result *lq)
{
    double ratio = lq->rate / raw->rate;
    printf("   %-42s %9s %8s %8s %8s %9s\n", "", "tx/s", "mean ms", "p50 ms", "p99 ms",
           "lock ms");
    print_row("raw: BEGIN; UPDATE; INSERT; COMMIT", raw);
    print_row("raw + head (FOR UPDATE, UPDATE head)", head);
    print_row("libqtm: claim/arrive/start/complete", lq);
    printf("   %-42s %9.2f  %s target >= 0.5\n", "ratio libqtm/raw", ratio,
           ratio >= 0.5 ? "ok    " : "MISSED");
    printf("   %-42s %9.2f  (info: the head alone costs the raw write this much)\n",
           "ratio (raw + head)/raw", head->rate / raw->rate);
    printf("   head wait per transaction, difference of means (raw + head less raw, its 2 extra\n"
           "   round trips included): %.2f ms; sampled Lock waits (Little's law): raw + head %.2f"
           " ms,\n   libqtm %.2f ms\n", (head->mean - raw->mean) * 1e3, head->wait[W_LOCK] * 1e3,
           lq->wait[W_LOCK] * 1e3);
    printf("   where each transaction's time goes (pg_stat_activity every 10 ms, %u backends):\n",
           o->threads);
    print_waits("raw", raw);
    print_waits("raw + head", head);
    print_waits("libqtm", lq);
    if (lq->busy || lq->out_of_jobs)
        printf("   libqtm: %u calls run again after a busy failure%s\n", lq->busy,
               lq->out_of_jobs ? "; ran out of jobs before the time was up" : "");
}

static void usage(void)
{
    fprintf(stderr, "usage: pg_raw --raw URI --qtm URI [--threads N] [--seconds T] [--jobs J]"
                    " [--actor SLUG]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    opts o = {.threads = 4, .seconds = 8, .jobs = 1000, .actor = "op0"};
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (strcmp(a, "--raw") == 0)
            o.raw_uri = v;
        else if (strcmp(a, "--qtm") == 0)
            o.qtm_uri = v;
        else if (strcmp(a, "--threads") == 0)
            o.threads = (unsigned)atoi(v);
        else if (strcmp(a, "--seconds") == 0)
            o.seconds = atof(v);
        else if (strcmp(a, "--jobs") == 0)
            o.jobs = atol(v);
        else if (strcmp(a, "--actor") == 0)
            o.actor = v;
        else
            usage();
    }
    if (!o.raw_uri || !o.qtm_uri || o.threads < 1 || o.threads > MAX_THREADS || o.seconds <= 0 ||
        o.jobs < 1)
        usage();
    printf("2. libqtm against the raw PostgreSQL write (%u writers, %.0f s each; one connection"
           " a writer)\n", o.threads, o.seconds);
    fflush(stdout);
    /* fresh tables for each raw run: every row starts queued, the same sizes */
    raw_setup(&o);
    result raw = run_writers(&o, raw_thread, 0, o.raw_uri);
    raw_setup(&o);
    result head = run_writers(&o, raw_thread, 1, o.raw_uri);
    result lq = run_writers(&o, qtm_thread, 0, o.qtm_uri);
    report(&o, &raw, &head, &lq);
    return 0;
}
