/*
 * rt_fixture.h - the fixture shared by the engine tests (test_rt_execution,
 * test_rt_governance, test_rt_settlement, test_rt_verify): a real SQLite
 * file in a fresh temporary directory (or, with QTM_TEST_DB set, a fresh
 * schema on a real PostgreSQL server) under a deterministic clock, the
 * example packets, lifecycle shortcuts, direct database access and dumps.
 * The checking macros expect the test's fixture in a variable named f.
 */
#ifndef RT_FIXTURE_H
#define RT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "qtm/qtm.h"

/* --- fixture -----------------------------------------------------------------
 *
 * Each test runs against a real SQLite file in a fresh temporary directory,
 * opened with QTM_OPEN_CREATE, under a deterministic clock; teardown closes
 * the handle and removes the directory.  rt_setup also adds the cast:
 * ada (admin), ana and bo (operators), vic (vendor), cli (client).
 *
 * With QTM_TEST_DB set (a postgresql:// URI, decided at run time) the
 * database is instead a schema of its own on that server, qtm_t<pid>_<n>
 * (created by setup through libpq, dropped with CASCADE by teardown), and
 * f->path is the URI with `options=-c search_path=<schema>,public`: every
 * connection to f->path, qtm's or the helpers' below, works in it.  The
 * temporary directory is made either way (scratch files, keys); on
 * PostgreSQL QTM_SIGNING_KEY names f->dir/qtm.db.key, where an SQLite
 * file's default key would be.
 */

typedef struct rt_fx {
    char dir[128];                 /* the temporary directory */
    char path[192];                /* dir/qtm.db, or the schema's URI on PostgreSQL */
    char schema[48];               /* PostgreSQL: the test's schema ("" on SQLite) */
    void *pg;                      /* PostgreSQL: the helpers' PGconn, opened on first use */
    qtm *q;
    unsigned tick;                 /* calls of the clock so far */
    char now[32];                  /* the stamp the clock gave last */
    char *dump;                    /* held across a checked call, freed by teardown */
    json_t *held;                  /* likewise */
} rt_fx;

/* The clock every fixture handle runs on (arg is the rt_fx): one second
 * later on every call, from 2026-05-16T09:00:00.000Z; copies the stamp to
 * f->now. */
void rt_fake_clock(char out[32], void *arg);

/* Fails the test at file:line unless got == want, qtm_errcode(q) agrees,
 * a success left no message and, if frag is given, the handle's message
 * contains it (exact: equals it).  `what` names the call in the report. */
void rt_expect(qtm *q, qtm_status got, qtm_status want, const char *frag, int exact,
               const char *what, const char *file, int line);

#define EXPECT(want, call) rt_expect(f->q, (call), (want), NULL, 0, #call, __FILE__, __LINE__)
#define EXPECT_MSG(want, frag, call) \
    rt_expect(f->q, (call), (want), (frag), 0, #call, __FILE__, __LINE__)
#define EXPECT_EXACT(want, text, call) \
    rt_expect(f->q, (call), (want), (text), 1, #call, __FILE__, __LINE__)
#define OK(call) EXPECT(QTM_OK, call)

/* cmocka setup: a zeroed rt_fx in *state with a fresh directory ($TMPDIR,
 * else /tmp) and a created database on the fake clock, no actors; returns
 * 0, or -1 (after cleaning up) if any step fails. */
int rt_setup_bare(void **state);

/* rt_setup_bare, then adds the cast (see above); -1 if an actor is refused. */
int rt_setup(void **state);

/* cmocka teardown: closes the handle, removes the directory and every file
 * in it, frees f->dump, f->held and the fixture; 0 always. */
int rt_teardown(void **state);

/* Whether the tests run on PostgreSQL (QTM_TEST_DB set and not empty). */
int rt_on_pg(void);

/* On PostgreSQL: prints "# skipped on PostgreSQL: WHY" and skips the
 * calling test (cmocka's skip(): teardown still runs); on SQLite nothing. */
void rt_sqlite_only(const char *why);
#define SQLITE_ONLY(why) rt_sqlite_only(why)

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, rt_setup, rt_teardown)
#define TEST_BARE(fn) cmocka_unit_test_setup_teardown(fn, rt_setup_bare, rt_teardown)

/* --- packets ---------------------------------------------------------------- */

extern const char EC_PACKET[];     /* examples/intake/event-coordination-wedding.json */
extern const char AD_PACKET[];     /* examples/intake/auto-detailing.json (needs 1 photo) */
extern const char LS_PACKET[];     /* examples/intake/landscaping.json (planned surface) */

#define EC "event-coordination"
#define AD "auto-detailing"
#define LS "landscaping"

/* The packet above for surface (EC, AD or LS; anything else: EC's). */
const char *rt_packet_for(const char *surface);

/* The photos that packet needs: 1 for AD, else 0. */
unsigned rt_photos_for(const char *surface);

/* A list of one real photo file (a small PNG this process writes once into
 * a temporary directory, removed at exit): qtm_request_submit's photo
 * files, and the evidence file of rt_add_ad_evidence. */
const char *const *rt_photo_files(void);
#define RT_PHOTO rt_photo_files()
/* Writes another small PNG (seed picks its pattern, so its bytes) into
 * f->dir and returns its path (static storage: valid until the next call). */
const char *rt_photo(rt_fx *f, unsigned seed);

/* --- JSON helpers ----------------------------------------------------------- */

/* o[key] as a string (NULL if absent or not a string). */
const char *rt_js(const json_t *o, const char *key);

/* o[key] as an integer (0 if absent or not an integer). */
json_int_t rt_ji(const json_t *o, const char *key);

/* Formats an expected message into buf[n] and returns buf (declare
 * `char msgbuf[256]` and use MSGF). */
const char *rt_msgf(char *buf, size_t n, const char *fmt_, ...)
    __attribute__((format(printf, 3, 4)));

#define MSGF(...) rt_msgf(msgbuf, sizeof msgbuf, __VA_ARGS__)

/* --- lifecycle helpers -------------------------------------------------------
 * Each step goes through the API and fails the test if it is refused. */

/* Submits the surface's packet as cli; returns the task. */
int64_t rt_submit(rt_fx *f, const char *surface);

/* A task approved by ada and assigned to op. */
int64_t rt_task_assigned(rt_fx *f, const char *surface, const char *op);

/* A queued job assigned to op. */
int64_t rt_job_new(rt_fx *f, const char *surface, const char *op);

/* A job claimed by its assignee op. */
int64_t rt_job_claimed(rt_fx *f, const char *surface, const char *op);

/* One photo per required auto-detailing category, added by op to job j. */
void rt_add_ad_evidence(rt_fx *f, int64_t j, const char *op);

/* Walks a claimed job to its final phase (the record is composed). */
void rt_run_to_final(rt_fx *f, int64_t j, const char *surface, const char *op);

/* A job run through and completed by op. */
int64_t rt_job_done(rt_fx *f, const char *surface, const char *op);

/* qtm_job_show of job j, never NULL (caller decrefs). */
json_t *rt_job_show(rt_fx *f, int64_t j);

/* Asserts the job's state and phase. */
void rt_assert_job(rt_fx *f, int64_t j, const char *state, const char *phase);

/* The number of audit rows of job (0: of the whole log). */
size_t rt_log_len(rt_fx *f, int64_t job);

/* The last audit row; the log must not be empty (caller decrefs). */
json_t *rt_log_last(rt_fx *f);

/* The number of tasks qtm_task_list gives for state. */
size_t rt_task_count(rt_fx *f, const char *state);

/* --- direct database access (what an attacker or a second program sees) -----
 * On PostgreSQL every helper but rt_db_open goes through libpq, in the
 * test's schema; a helper that only SQLite has (rt_db_open, rt_db_to_v3/v4,
 * a PRAGMA) skips the calling test there, naming why. */

/* A fresh read-write connection to f->path, 5 s busy timeout (caller
 * closes).  SQLite only. */
sqlite3 *rt_db_open(rt_fx *f);

/* Runs sql on a fresh connection; returns SQLite's result code, and its
 * message in err[n] (if given; "" if none).  On PostgreSQL (one simple
 * query: one transaction) the code is SQLITE_OK, SQLITE_CONSTRAINT for an
 * integrity violation (SQLSTATE class 23) or an exception a trigger raised
 * (P0001), as SQLite's RAISE(ABORT) gives, else SQLITE_ERROR; and each
 * statement `DROP TRIGGER name` (SQLite's way to lift an append-only rule)
 * becomes `ALTER TABLE <its table> DISABLE TRIGGER name`; the schema
 * version, `PRAGMA user_version = N` alone, is chain_head.schema there (in
 * rt_db_int too); any other PRAGMA skips the test. */
int rt_db_exec(rt_fx *f, const char *sql, char *err, size_t n);

#define DB_OK(sql) assert_int_equal(rt_db_exec(f, (sql), NULL, 0), SQLITE_OK)

/* The first column of the first row of sql, as an integer (-1 if no row);
 * sql must prepare. */
int64_t rt_db_int(rt_fx *f, const char *sql);

/* The first column of the first row of sql, as text (caller frees; NULL if none). */
char *rt_db_text(rt_fx *f, const char *sql);

/* Takes the fixture's closed database back to schema v4: no file tables,
 * evidence without blob_id (its rows kept). */
void rt_db_to_v4(rt_fx *f);
/* Takes f->path (closed: no handle on it) back to schema v3: drops what v4
 * added and rehashes the audit chain without images, as a v3 qtm wrote it. */
/* Takes the closed database back to schema v4: v5's ServiceEvent columns
 * (outcome, reason) dropped, user_version 4. */
void rt_db_to_v4(rt_fx *f);
void rt_db_to_v3(rt_fx *f);
/* The database as schema v4 left it (v5's indexes, search table and the
 * ledger's reversal columns gone; no reversal may be in it), user_version 4. */
void rt_db_to_v4(rt_fx *f);

/* Every row of every table (and the schema, and user_version), as text;
 * caller frees.  PostgreSQL: every table of the test's schema with its
 * columns and types, its rows as text ordered by the whole row, and every
 * trigger with its enabled state (sequences are left out: nextval is not
 * undone by a rollback, so a refused insert moves them). */
char *rt_db_dump(rt_fx *f);

/* Fails at file:line, naming the first line where f->dump and after differ
 * and `what` changed it; frees after first.  Does not return. */
void rt_dump_differs(rt_fx *f, char *after, const char *what, const char *file, int line);

/* Runs call, expects `want` and checks that the database is byte-for-byte
 * unchanged (every table, every row, the schema). */
#define UNCHANGED(want, call)                                                  \
    do {                                                                       \
        free(f->dump);                                                         \
        f->dump = rt_db_dump(f);                                               \
        EXPECT(want, call);                                                    \
        char *after_ = rt_db_dump(f);                                          \
        if (strcmp(f->dump, after_) != 0)                                      \
            rt_dump_differs(f, after_, #call, __FILE__, __LINE__);             \
        free(after_);                                                          \
        free(f->dump);                                                         \
        f->dump = NULL;                                                        \
    } while (0)

/* --- landscaping (status planned) -------------------------------------------
 * qtm_request_submit refuses a planned surface, so no task of landscaping can
 * arise through the API.  To exercise what only landscaping declares (pool
 * ownership, `requires payment`, an admin transition, hidden completed jobs),
 * its request and review task are written directly, as a surface that was
 * active when the request came in would have left them (with their audit
 * rows); every step after
 * that goes through the API. */

/* Writes LS_PACKET's request and its task (in review); returns the task. */
int64_t rt_ls_task_injected(rt_fx *f);

/* A queued landscaping visit, approved and assigned to op. */
int64_t rt_ls_job_new(rt_fx *f, const char *op);

#endif
