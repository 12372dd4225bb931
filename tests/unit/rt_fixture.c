/*
 * rt_fixture.c - the fixture shared by the engine tests: temporary
 * directory and database per test (an SQLite file, or a PostgreSQL schema
 * when QTM_TEST_DB is set), deterministic clock, the example packets,
 * lifecycle shortcuts, direct database access and table dumps.
 * Linked into every test_rt_* binary; the contracts are in rt_fixture.h.
 * RT_HAVE_PG (the Makefile, when libpq is installed) builds the libpq half.
 */
#include <dirent.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>
#ifdef RT_HAVE_PG
#include <libpq-fe.h>
#endif

#include "rt_fixture.h"

#include <png.h>
#include "qtm_int.h"  /* the audit rows of an injected request */

/* --- PostgreSQL (QTM_TEST_DB) ------------------------------------------------ */

int rt_on_pg(void)
{
    const char *u = getenv("QTM_TEST_DB");
    return u && *u;
}

void rt_sqlite_only(const char *why)
{
    if (!rt_on_pg())
        return;
    print_message("# skipped on PostgreSQL: %s\n", why);
    skip();
}

#ifdef RT_HAVE_PG

static void pg_quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;                     /* NOTICEs (DROP ... CASCADE) are no test's business */
}

/* A connection to conninfo, or NULL after printing why. */
static PGconn *pg_connect(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        print_error("PostgreSQL %s: %s", conninfo, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, pg_quiet, NULL);
    return c;
}

/* Runs one command on a fresh connection to QTM_TEST_DB itself (not the
 * test's schema); 0 when it succeeded. */
static int pg_admin(const char *sql)
{
    PGconn *c = pg_connect(getenv("QTM_TEST_DB"));
    if (!c)
        return -1;
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        print_error("PostgreSQL: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* Makes the test's schema and points f->path at it; 0 on success. */
static int pg_setup(rt_fx *f)
{
    static unsigned n;             /* tests of this process so far */
    const char *base = getenv("QTM_TEST_DB");
    char sql[96];
    if (strncmp(base, "postgresql://", 13) != 0 && strncmp(base, "postgres://", 11) != 0) {
        print_error("QTM_TEST_DB must be a postgresql:// URI, not '%s'\n", base);
        return -1;
    }
    snprintf(f->schema, sizeof f->schema, "qtm_t%ld_%u", (long)getpid(), ++n);
    /* libpq URI-decodes options: "-c search_path=<schema>,public" */
    int w = snprintf(f->path, sizeof f->path, "%s%coptions=-c%%20search_path%%3D%s%%2Cpublic",
                     base, strchr(base, '?') ? '&' : '?', f->schema);
    if (w < 0 || (size_t)w >= sizeof f->path) {
        print_error("QTM_TEST_DB is too long: %s\n", base);
        return -1;
    }
    /* a database on a server has no DB.key beside it: the key goes where
     * it would be beside an SQLite file in f->dir */
    char key[192];
    snprintf(key, sizeof key, "%s/qtm.db.key", f->dir);
    setenv("QTM_SIGNING_KEY", key, 1);
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", f->schema);
    return pg_admin(sql);
}

static void pg_teardown(rt_fx *f)
{
    char sql[96];
    PQfinish(f->pg);
    f->pg = NULL;
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", f->schema);
    pg_admin(sql);
}

/* The helpers' connection, in the test's schema. */
static PGconn *pg_conn(rt_fx *f)
{
    if (!f->pg)
        f->pg = pg_connect(f->path);
    assert_non_null(f->pg);
    return f->pg;
}

/* The result of sql, which must give rows (fails the test otherwise;
 * caller clears). */
static PGresult *pg_rows(rt_fx *f, const char *sql, int nparams, const char *const *params)
{
    PGresult *r = PQexecParams(pg_conn(f), sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        print_error("PostgreSQL: %s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
        fail();
    }
    return r;
}

/* The table in the test's schema that has the trigger `name`, or NULL. */
static char *pg_trigger_table(rt_fx *f, const char *name)
{
    const char *p[2] = {f->schema, name};
    PGresult *r = pg_rows(f, "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                          " JOIN pg_namespace s ON s.oid = c.relnamespace"
                          " WHERE s.nspname = $1 AND t.tgname = $2 AND NOT t.tgisinternal",
                          2, p);
    char *t = PQntuples(r) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return t;
}

/* sql with each statement "DROP TRIGGER [IF EXISTS] name" made "ALTER TABLE
 * <table> DISABLE TRIGGER name" (caller frees); SQLite's T_no_update and
 * T_no_delete are PostgreSQL's T_no_change (store_pg_sql.c).  Statements
 * are split at the semicolons outside '...' literals. */
static char *pg_untrigger(rt_fx *f, const char *sql)
{
    char *buf = NULL, name[64];
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int start = 1, quoted = 0;
    assert_non_null(out);
    for (const char *p = sql; *p;) {
        if (start && !quoted) {
            while (*p == ' ' || *p == '\n' || *p == '\t')
                fputc(*p++, out);
            if (strncasecmp(p, "DROP TRIGGER ", 13) == 0) {
                p += 13;
                if (strncasecmp(p, "IF EXISTS ", 10) == 0)
                    p += 10;
                size_t k = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
                assert_true(k > 0 && k < sizeof name);
                memcpy(name, p, k);
                name[k] = '\0';
                p += k;
                char *table = pg_trigger_table(f, name);
                size_t nl = strlen(name);
                /* PostgreSQL guards UPDATE and DELETE with one trigger, T_no_change */
                if (!table && nl > 10 && (strcmp(name + nl - 10, "_no_update") == 0 ||
                                          strcmp(name + nl - 10, "_no_delete") == 0)) {
                    snprintf(name + nl - 10, sizeof name - (nl - 10), "_no_change");
                    table = pg_trigger_table(f, name);
                }
                if (!table) {
                    print_error("no trigger %s in the test's PostgreSQL schema\n", name);
                    fail();
                }
                fprintf(out, "ALTER TABLE %s DISABLE TRIGGER %s", table, name);
                free(table);
            }
            start = 0;
            continue;
        }
        if (*p == '\'')
            quoted = !quoted;      /* '' inside a literal toggles twice */
        else if (*p == ';' && !quoted)
            start = 1;
        fputc(*p++, out);
    }
    fclose(out);
    return buf;
}

static int pg_exec(rt_fx *f, const char *sql, char *err, size_t n)
{
    char *text = pg_untrigger(f, sql);
    PGresult *r = PQexec(pg_conn(f), text);
    ExecStatusType s = PQresultStatus(r);
    int rc = SQLITE_OK;
    free(text);
    if (err && n)
        err[0] = '\0';
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        rc = state && (strncmp(state, "23", 2) == 0 || strcmp(state, "P0001") == 0)
                 ? SQLITE_CONSTRAINT : SQLITE_ERROR;
        if (err && n) {
            snprintf(err, n, "%s", PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
                                       ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
                                       : PQresultErrorMessage(r));
        }
    }
    PQclear(r);
    return rc;
}

/* Row 0, column 0 of sql (NULL when there is no row or it is NULL). */
static char *pg_first(rt_fx *f, const char *sql, int *found)
{
    PGresult *r = pg_rows(f, sql, 0, NULL);
    char *v = NULL;
    *found = PQntuples(r) > 0 && PQnfields(r) > 0;
    if (*found && !PQgetisnull(r, 0, 0))
        v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static int64_t pg_int(rt_fx *f, const char *sql)
{
    int found;
    char *v = pg_first(f, sql, &found);
    int64_t n = !found ? -1 : v ? strtoll(v, NULL, 10) : 0;  /* NULL reads 0, as SQLite's */
    free(v);
    return n;
}

static char *pg_dump(rt_fx *f)
{
    char *buf = NULL, q[256];
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    const char *p[1] = {f->schema};
    assert_non_null(out);
    PGresult *cols = pg_rows(f, "SELECT table_name, string_agg(column_name || ' ' || data_type, ', '"
                             " ORDER BY ordinal_position) FROM information_schema.columns"
                             " WHERE table_schema = $1 GROUP BY table_name ORDER BY 1", 1, p);
    for (int t = 0; t < PQntuples(cols); t++) {
        const char *name = PQgetvalue(cols, t, 0);
        fprintf(out, "== %s (%s)\n", name, PQgetvalue(cols, t, 1));
        /* the whole row as one text, so rows order by every column (json too) */
        snprintf(q, sizeof q, "SELECT r::text FROM \"%s\".\"%s\" r ORDER BY r::text COLLATE \"C\"",
                 f->schema, name);
        PGresult *rows = pg_rows(f, q, 0, NULL);
        for (int i = 0; i < PQntuples(rows); i++)
            fprintf(out, "%s\n", PQgetvalue(rows, i, 0));
        PQclear(rows);
    }
    PQclear(cols);
    PGresult *trg = pg_rows(f, "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t"
                            " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace s"
                            " ON s.oid = c.relnamespace WHERE s.nspname = $1"
                            " AND NOT t.tgisinternal ORDER BY 1, 2", 1, p);
    for (int i = 0; i < PQntuples(trg); i++)
        fprintf(out, "trigger %s.%s %s\n", PQgetvalue(trg, i, 0), PQgetvalue(trg, i, 1),
                PQgetvalue(trg, i, 2));
    PQclear(trg);
    fclose(out);
    return buf;
}

/* rt_ls_task_injected's two rows on PostgreSQL; sets *req and returns the task. */
static int64_t pg_ls_rows(rt_fx *f, const char *fingerprint, const char *canon, int64_t *req)
{
    const char *p[2] = {fingerprint, canon};
    PGresult *r = pg_rows(f, "INSERT INTO requests(surface, fingerprint, intake, photos, created_at)"
                          " VALUES('landscaping', $1, $2, 0, '2026-05-01T08:00:00.000Z')"
                          " RETURNING id", 2, p);
    char id[32];
    snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    *req = strtoll(id, NULL, 10);
    p[0] = id;
    r = pg_rows(f, "INSERT INTO tasks(request_id, state, created_at, updated_at)"
                " VALUES($1, 'review', '2026-05-01T08:00:00.000Z', '2026-05-01T08:00:00.000Z')"
                " RETURNING id", 1, p);
    int64_t t = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return t;
}

#else /* no libpq: pg_setup refuses QTM_TEST_DB, so nothing below is reached */

static int pg_setup(rt_fx *f)
{
    (void)f;
    print_error("QTM_TEST_DB is set but these tests were built without libpq\n");
    return -1;
}
static void pg_teardown(rt_fx *f) { (void)f; }
static int pg_exec(rt_fx *f, const char *sql, char *err, size_t n)
{
    (void)f, (void)sql, (void)err, (void)n;
    fail();
    return SQLITE_ERROR;
}
static int64_t pg_int(rt_fx *f, const char *sql) { return pg_exec(f, sql, NULL, 0); }
static char *pg_first(rt_fx *f, const char *sql, int *found)
{
    *found = pg_exec(f, sql, NULL, 0);
    return NULL;
}
static char *pg_dump(rt_fx *f)
{
    pg_exec(f, "", NULL, 0);
    return NULL;
}
static int64_t pg_ls_rows(rt_fx *f, const char *fingerprint, const char *canon, int64_t *req)
{
    (void)fingerprint, (void)canon, (void)req;
    return pg_exec(f, "", NULL, 0);
}

#endif

/* --- fixture ----------------------------------------------------------------- */

void rt_fake_clock(char out[32], void *arg)
{
    rt_fx *f = arg;
    unsigned n = f->tick++ % 36000u;
    snprintf(out, 32, "2026-05-16T%02u:%02u:%02u.000Z", 9u + n / 3600u, n / 60u % 60u,
             n % 60u);
    memcpy(f->now, out, 32);
}

void rt_expect(qtm *q, qtm_status got, qtm_status want, const char *frag, int exact,
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

int rt_setup_bare(void **state)
{
    rt_fx *f = calloc(1, sizeof *f);
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
    if (rt_on_pg() && pg_setup(f) != 0) {
        rmdir(f->dir);
        free(f);
        return -1;
    }
    if (qtm_open(f->path, QTM_OPEN_CREATE, &f->q) != QTM_OK) {
        print_error("qtm_open %s: %s\n", f->path, f->q ? qtm_errmsg(f->q) : "out of memory");
        qtm_close(f->q);
        if (f->schema[0])
            pg_teardown(f);
        rmdir(f->dir);
        free(f);
        return -1;
    }
    qtm_set_clock(f->q, rt_fake_clock, f);
    *state = f;
    return 0;
}

int rt_setup(void **state)
{
    static const char *const cast[][3] = {{"ada", "admin", "Ada Admin"},
                                          {"ana", "operator", "Ana Morales"},
                                          {"bo", "operator", "Bo Chen"},
                                          {"vic", "vendor", "Vic Florist"},
                                          {"cli", "client", "Cli Client"}};
    if (rt_setup_bare(state) != 0)
        return -1;
    rt_fx *f = *state;
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

int rt_teardown(void **state)
{
    rt_fx *f = *state;
    if (!f)
        return 0;
    qtm_close(f->q);
    if (f->schema[0])
        pg_teardown(f);
    rm_dir(f->dir);
    free(f->dump);
    json_decref(f->held);
    free(f);
    return 0;
}

/* --- packets ---------------------------------------------------------------- */

/* examples/intake/event-coordination-wedding.json, condensed. */
const char EC_PACKET[] =
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
const char AD_PACKET[] =
    "{\"contact\": {\"name\": \"Marcus Lee\", \"method\": \"text\", \"phone\": \"(415) 555-0172\"},"
    " \"vehicle\": {\"make\": \"Toyota\", \"model\": \"RAV4\", \"year\": 2019,"
    " \"color\": \"Magnetic Gray\", \"size\": \"suv\"},"
    " \"request\": {\"package\": \"full_detail\", \"service_area\": \"San Francisco, Sunset\"},"
    " \"notes\": {\"condition\": \"Dog hair on the back seats.\"}}";

/* examples/intake/landscaping.json (a planned surface). */
const char LS_PACKET[] =
    "{\"contact\": {\"name\": \"Priya Natarajan\", \"phone\": \"+1 503-555-0110\"},"
    " \"property\": {\"address\": \"2214 SE Alder St, Portland, OR 97214\","
    " \"lot_size\": \"medium\", \"gated\": true},"
    " \"request\": {\"services\": \"hedge_trimming\", \"frequency\": \"biweekly\","
    " \"service_area\": \"Portland, SE\"}}";

const char *rt_packet_for(const char *surface)
{
    return strcmp(surface, AD) == 0 ? AD_PACKET : strcmp(surface, LS) == 0 ? LS_PACKET : EC_PACKET;
}

unsigned rt_photos_for(const char *surface)
{
    return strcmp(surface, AD) == 0 ? 1 : 0;
}

/* A 64x48 PNG whose pattern depends on seed, at path; 0 or -1. */
static int write_png(const char *path, unsigned seed)
{
    unsigned char rgb[64 * 48 * 3];
    for (size_t i = 0; i < sizeof rgb; i++)
        rgb[i] = (unsigned char)(i * 7 + seed * 131 + (i / 192) * 3);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = 64;
    img.height = 48;
    img.format = PNG_FORMAT_RGB;
    return png_image_write_to_file(&img, path, 0, rgb, 0, NULL) ? 0 : -1;
}

static char photo_dir[128], photo_path[192];

static void photo_cleanup(void)
{
    unlink(photo_path);
    rmdir(photo_dir);
}

const char *const *rt_photo_files(void)
{
    static const char *list[2];
    if (!list[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(photo_dir, sizeof photo_dir, "%s/qtm-photo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        assert_non_null(mkdtemp(photo_dir));
        snprintf(photo_path, sizeof photo_path, "%s/photo.png", photo_dir);
        assert_int_equal(write_png(photo_path, 0), 0);
        atexit(photo_cleanup);
        list[0] = photo_path;
    }
    return list;
}

const char *rt_photo(rt_fx *f, unsigned seed)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/photo-%u.png", f->dir, seed);
    assert_int_equal(write_png(path, seed), 0);
    return path;
}

/* --- JSON helpers ----------------------------------------------------------- */

const char *rt_js(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

json_int_t rt_ji(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

const char *rt_msgf(char *buf, size_t n, const char *fmt_, ...)
{
    va_list ap;
    va_start(ap, fmt_);
    vsnprintf(buf, n, fmt_, ap);
    va_end(ap);
    return buf;
}

/* --- lifecycle helpers ------------------------------------------------------- */

int64_t rt_submit(rt_fx *f, const char *surface)
{
    int64_t r = 0, t = 0;
    OK(qtm_request_submit(f->q, "cli", surface, rt_packet_for(surface), RT_PHOTO,
                          rt_photos_for(surface), NULL, &r, &t));
    assert_true(r > 0 && t > 0);
    return t;
}

int64_t rt_task_assigned(rt_fx *f, const char *surface, const char *op)
{
    int64_t t = rt_submit(f, surface);
    OK(qtm_task_approve(f->q, "ada", t));
    OK(qtm_task_assign(f->q, "ada", t, op));
    return t;
}

int64_t rt_job_new(rt_fx *f, const char *surface, const char *op)
{
    int64_t j = 0;
    OK(qtm_job_create(f->q, "ada", rt_task_assigned(f, surface, op), &j));
    assert_true(j > 0);
    return j;
}

int64_t rt_job_claimed(rt_fx *f, const char *surface, const char *op)
{
    int64_t j = rt_job_new(f, surface, op);
    OK(qtm_job_claim(f->q, op, j));
    return j;
}

void rt_add_ad_evidence(rt_fx *f, int64_t j, const char *op)
{
    OK(qtm_evidence_add(f->q, op, j, "arrival", RT_PHOTO[0], NULL));
    OK(qtm_evidence_add(f->q, op, j, "before", RT_PHOTO[0], "seats"));
    OK(qtm_evidence_add(f->q, op, j, "after", RT_PHOTO[0], NULL));
}

void rt_run_to_final(rt_fx *f, int64_t j, const char *surface, const char *op)
{
    OK(qtm_job_advance(f->q, op, j, "arrive"));
    OK(qtm_job_advance(f->q, op, j, "start"));
    if (strcmp(surface, AD) == 0) {
        OK(qtm_job_advance(f->q, op, j, "finish"));
        rt_add_ad_evidence(f, j, op);
    }
    OK(qtm_job_advance(f->q, op, j, "complete"));
}

int64_t rt_job_done(rt_fx *f, const char *surface, const char *op)
{
    int64_t j = rt_job_claimed(f, surface, op);
    rt_run_to_final(f, j, surface, op);
    OK(qtm_job_complete(f->q, op, j));
    return j;
}

json_t *rt_job_show(rt_fx *f, int64_t j)
{
    json_t *o = NULL;
    OK(qtm_job_show(f->q, j, &o));
    assert_non_null(o);
    return o;
}

void rt_assert_job(rt_fx *f, int64_t j, const char *state, const char *phase)
{
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "state"), state);
    assert_string_equal(rt_js(o, "phase"), phase);
    json_decref(o);
}

size_t rt_log_len(rt_fx *f, int64_t job_id)
{
    json_t *a = NULL;
    OK(qtm_log(f->q, job_id, &a));
    size_t n = json_array_size(a);
    json_decref(a);
    return n;
}

json_t *rt_log_last(rt_fx *f)
{
    json_t *a = NULL;
    OK(qtm_log(f->q, 0, &a));
    assert_true(json_array_size(a) > 0);
    json_t *row = json_incref(json_array_get(a, json_array_size(a) - 1));
    json_decref(a);
    return row;
}

size_t rt_task_count(rt_fx *f, const char *state)
{
    json_t *a = NULL;
    OK(qtm_task_list(f->q, state, &a));
    size_t n = json_array_size(a);
    json_decref(a);
    return n;
}

/* --- direct SQLite access ---------------------------------------------------- */

sqlite3 *rt_db_open(rt_fx *f)
{
    sqlite3 *db = NULL;
    rt_sqlite_only("opens the database as an SQLite file");
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

int rt_db_exec(rt_fx *f, const char *sql, char *err, size_t n)
{
    if (f->schema[0]) {
        int v;
        char end;
        /* the schema version: PostgreSQL keeps it in chain_head.schema */
        if (sscanf(sql, "PRAGMA user_version = %d%c", &v, &end) == 1) {
            char up[64];
            snprintf(up, sizeof up, "UPDATE chain_head SET schema = %d", v);
            return pg_exec(f, up, err, n);
        }
        if (strncasecmp(sql, "PRAGMA", 6) == 0 || strstr(sql, "PRAGMA "))
            rt_sqlite_only("runs an SQLite PRAGMA");
        return pg_exec(f, sql, err, n);
    }
    sqlite3 *db = rt_db_open(f);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (err && n)
        snprintf(err, n, "%s", msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc;
}

int64_t rt_db_int(rt_fx *f, const char *sql)
{
    if (f->schema[0]) {
        if (strcmp(sql, "PRAGMA user_version") == 0)
            return pg_int(f, "SELECT schema FROM chain_head");
        if (strncasecmp(sql, "PRAGMA", 6) == 0)
            rt_sqlite_only("reads an SQLite PRAGMA");
        return pg_int(f, sql);
    }
    sqlite3 *db = rt_db_open(f);
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

char *rt_db_text(rt_fx *f, const char *sql)
{
    if (f->schema[0]) {
        int found;
        return pg_first(f, sql, &found);
    }
    sqlite3 *db = rt_db_open(f);
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

char *rt_db_dump(rt_fx *f)
{
    if (f->schema[0])
        return pg_dump(f);
    sqlite3 *db = rt_db_open(f);
    sqlite3_stmt *tables = NULL, *st = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    fprintf(out, "user_version %lld\n",
            (long long)rt_db_int(f, "PRAGMA user_version"));
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                        /* a virtual table is dumped as its shadow tables */
                                        " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
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

void rt_dump_differs(rt_fx *f, char *after, const char *what, const char *file, int line)
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

/* --- landscaping (status planned) -------------------------------------------- */

/* The request and task rows of rt_ls_task_injected on SQLite; sets *req
 * and returns the task. */
static int64_t sq_ls_rows(rt_fx *f, const char *canon, int64_t *req)
{
    sqlite3 *db = rt_db_open(f);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO requests(surface, fingerprint, intake,"
                                        " photos, created_at) VALUES('landscaping', ?1, ?2, 0,"
                                        " '2026-05-01T08:00:00.000Z')", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, qtm_surface_find(LS)->fingerprint, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO tasks(request_id, state, created_at, updated_at)"
                                  " VALUES(last_insert_rowid(), 'review',"
                                  " '2026-05-01T08:00:00.000Z', '2026-05-01T08:00:00.000Z')",
                                  NULL, NULL, NULL), SQLITE_OK);
    int64_t t = sqlite3_last_insert_rowid(db);
    *req = rt_db_int(f, "SELECT MAX(id) FROM requests");
    sqlite3_close(db);
    return t;
}

int64_t rt_ls_task_injected(rt_fx *f)
{
    json_t *p = json_loads(LS_PACKET, 0, NULL);
    char *canon = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t r = 0;
    json_decref(p);
    int64_t t = f->schema[0] ? pg_ls_rows(f, qtm_surface_find(LS)->fingerprint, canon, &r)
                             : sq_ls_rows(f, canon, &r);
    free(canon);
    /* and their audit rows, as the submit would have left them (schema v4:
     * verify finds a governed row without one) */
    assert_int_equal(qtmi_tx_begin(f->q, 1), QTM_OK);
    qtm_status ast = qtmi_audit_append(f->q, "cli", "request", r, "submit", NULL, LS, 0);
    if (ast == QTM_OK)
        ast = qtmi_audit_append(f->q, "cli", "task", t, "open", NULL, "review", 0);
    assert_int_equal(qtmi_tx_end(f->q, ast), QTM_OK);
    return t;
}

int64_t rt_ls_job_new(rt_fx *f, const char *op)
{
    int64_t t = rt_ls_task_injected(f), j = 0;
    OK(qtm_task_approve(f->q, "ada", t));
    OK(qtm_task_assign(f->q, "ada", t, op));
    OK(qtm_job_create(f->q, "ada", t, &j));
    return j;
}

/* Undoes schema v5's finding (its indexes and search table) and reversals
 * (the ledger without reversal columns) on a database that has no reversal
 * in it. */
static void db_undo_v5(sqlite3 *db)
{
    assert_int_equal(sqlite3_exec(db,
        "DROP TRIGGER jobs_search; DROP TABLE job_search; DROP INDEX jobs_state;"
        " DROP INDEX jobs_surface; DROP INDEX jobs_owner; DROP INDEX tasks_assignee;"
        " DROP INDEX jobs_task_owner;"
        " DROP TRIGGER payments_no_update; DROP TRIGGER payments_no_delete;"
        " CREATE TABLE payments_v4(id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL REFERENCES"
        " jobs(id), amount INTEGER NOT NULL CHECK (amount >= 0), currency TEXT NOT NULL,"
        " method TEXT NOT NULL, note TEXT, actor_id INTEGER NOT NULL REFERENCES actors(id),"
        " at TEXT NOT NULL);"
        " INSERT INTO payments_v4 SELECT id, job_id, amount, currency, method, note, actor_id, at"
        " FROM payments; DROP TABLE payments; ALTER TABLE payments_v4 RENAME TO payments;"
        " CREATE INDEX payments_job ON payments(job_id);"
        " CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments"
        " BEGIN SELECT RAISE(ABORT, 'the payment ledger is append-only'); END;"
        " CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments"
        " BEGIN SELECT RAISE(ABORT, 'the payment ledger is append-only'); END;",
        NULL, NULL, NULL), SQLITE_OK);
}

void rt_db_to_v4(rt_fx *f)
{
    rt_sqlite_only("takes an SQLite file back to schema v4");
    sqlite3 *db = rt_db_open(f);
    db_undo_v5(db);
    /* the tables and columns v5 adds (its jobs rebuild keeps v4's
     * columns); evidence.blob_id has a foreign key, which DROP COLUMN
     * refuses: that table is rebuilt as v1 made it */
    assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = OFF;"
                                  " ALTER TABLE service_events DROP COLUMN outcome;"
                                  " ALTER TABLE service_events DROP COLUMN reason;"
                                  " DROP TABLE IF EXISTS handoffs; DROP TABLE IF EXISTS notes;"
                                  " DROP TABLE request_photos; DROP TABLE blob_thumbs;"
                                  " DROP TABLE blob_uploaders;"
                                  " DROP TABLE blob_chunks; DROP TABLE blobs;"
                                  " CREATE TABLE evidence_v4 AS SELECT id, job_id, category, ref,"
                                  " note, actor_id, at FROM evidence; DROP TABLE evidence;"
                                  " CREATE TABLE evidence(id INTEGER PRIMARY KEY,"
                                  " job_id INTEGER NOT NULL REFERENCES jobs(id),"
                                  " category TEXT NOT NULL, ref TEXT NOT NULL, note TEXT,"
                                  " actor_id INTEGER NOT NULL REFERENCES actors(id),"
                                  " at TEXT NOT NULL);"
                                  " INSERT INTO evidence SELECT * FROM evidence_v4;"
                                  " DROP TABLE evidence_v4;"
                                  " CREATE INDEX evidence_job ON evidence(job_id, category);"
                                  " CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence"
                                  " BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;"
                                  " CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence"
                                  " BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;"
                                  " PRAGMA user_version = 4", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

void rt_db_to_v3(rt_fx *f)
{
    rt_sqlite_only("takes an SQLite file back to schema v3");
    rt_db_to_v4(f);                /* v5's tables and columns first */
    sqlite3 *db = rt_db_open(f);
    sqlite3_stmt *rd = NULL, *wr = NULL;
    char prev[65], hash[65];
    assert_int_equal(sqlite3_exec(db, "DROP TABLE IF EXISTS record_signatures;"
                                  " DROP TABLE IF EXISTS keys; DROP TABLE chain_head;"
                                  " ALTER TABLE audit DROP COLUMN image;"
                                  " DROP TRIGGER audit_no_update", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, at, actor, entity, entity_id, action,"
                                        " from_state, to_state, job_id FROM audit ORDER BY id",
                                        -1, &rd, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit SET prev_hash = ?1, hash = ?2"
                                        " WHERE id = ?3", -1, &wr, NULL), SQLITE_OK);
    snprintf(prev, sizeof prev, "%s", qtm_audit_genesis());
    while (sqlite3_step(rd) == SQLITE_ROW) {
        const char *col[8];
        for (int i = 1; i < 8; i++)
            col[i] = (const char *)sqlite3_column_text(rd, i);
        qtmi_audit_hash(prev, col[1], col[2], col[3], sqlite3_column_int64(rd, 4), col[5],
                        col[6], col[7], sqlite3_column_int64(rd, 8), NULL, hash);
        sqlite3_bind_text(wr, 1, prev, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(wr, 2, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(wr, 3, sqlite3_column_int64(rd, 0));
        assert_int_equal(sqlite3_step(wr), SQLITE_DONE);
        sqlite3_reset(wr);
        memcpy(prev, hash, sizeof prev);
    }
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    assert_int_equal(sqlite3_exec(db, "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
                                  " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
                                  " PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}
