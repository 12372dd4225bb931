/*
 * store_pg_conn.c - the PostgreSQL backend's connection: opening it with
 * the session limits that keep a dead or stopped client from holding the
 * chain head for more than seconds, mapping the server's errors, coming
 * back after a lost connection, the schema and its forward migrations, and
 * a COMMIT whose answer was lost.
 */
#include "qtm_config.h"
#if QTM_HAVE_PG
#include "store_pg_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qtm/qtm.h"

/* A statement may run 10 s, wait for a lock 3 s; a transaction left idle
 * (a client stopped or gone mid-write) is ended after 5 s, and TCP
 * keepalives find a vanished peer in ~25 s instead of the kernel's hours. */
#define SESSION_SETTINGS                                                                   \
    "SET statement_timeout = '10s'; SET lock_timeout = '3s';"                              \
    " SET idle_in_transaction_session_timeout = '5s'; SET client_min_messages = warning"
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 2000

/* The migration lock's key: "qtm" and the schema the connection works in,
 * so migrators of one schema queue and other schemas go on. */
#define MIGRATE_LOCK "SELECT pg_advisory_xact_lock(7435373, hashtext(current_schema()))"

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The server's message on one line: libpq ends lines with a newline and
 * indents the next with a tab; each run of them becomes one space. */
static void set_err(pg_store *s, const char *msg)
{
    if (!msg || !*msg)
        msg = "the database gave no answer";
    size_t n = 0;
    for (const char *p = msg; *p && n + 1 < sizeof s->err; p++) {
        int blank = *p == '\n' || *p == '\t' || *p == '\r';
        if (blank && (n == 0 || s->err[n - 1] == ' '))
            continue;
        s->err[n++] = blank ? ' ' : *p;
    }
    while (n && s->err[n - 1] == ' ')
        n--;
    s->err[n] = '\0';
}

int qtmi_pg_gone(const pg_store *s, const PGresult *r)
{
    if (r && PQresultStatus(r) == PGRES_COMMAND_OK)
        return 0;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    /* libpq's own errors have no SQLSTATE; 57P0x: the server shut down,
     * restarts or dropped the database; 25P03 and 57P05: a session
     * timeout ended the session */
    return !s->c || PQstatus(s->c) != CONNECTION_OK || !state || !strncmp(state, "08", 2) ||
           !strncmp(state, "57P0", 4) || !strcmp(state, "25P03");
}

store_rc qtmi_pg_fail(pg_store *s, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    set_err(s, r ? PQresultErrorMessage(r) : PQerrorMessage(s->c));
    if (qtmi_pg_gone(s, r)) {
        /* the connection is gone, its transaction with it; libpq may not
         * know yet (an error read before the end of the connection) */
        s->broken = 1;
        if (s->tx != PG_TX_NONE)
            s->tx_lost = 1;
        s->tx = PG_TX_NONE;
        return STORE_RETRY;
    }
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
        return STORE_RETRY;
    if (!strcmp(state, "23505")) {
        /* a same-key submit that lost the race: the winner's request is
         * there once it commits, and the command run again finds it */
        const char *con = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
        return con && !strcmp(con, "requests_idem_key_key") ? STORE_RETRY : STORE_CONSTRAINT;
    }
    if (!strncmp(state, "23", 2))
        return STORE_CONSTRAINT;
    if (!strcmp(state, "53100"))
        return STORE_FULL;
    if (!strcmp(state, "57014"))   /* statement_timeout */
        return STORE_BUSY;
    return STORE_ERROR;
}

store_rc qtmi_pg_exec(pg_store *s, const char *sql, PGresult **out)
{
    PGresult *r = PQexec(s->c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    store_rc rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? STORE_OK
                                                                   : qtmi_pg_fail(s, r);
    if (out && rc == STORE_OK)
        *out = r;
    else
        PQclear(r);
    return rc;
}

/* libpq keywords given before the URI, so the URI's own settings win. */
static PGconn *dial(const char *uri)
{
    const char *const keys[] = {"fallback_application_name", "keepalives", "keepalives_idle",
                                "keepalives_interval", "keepalives_count", "connect_timeout",
                                "dbname", NULL};
    const char *const vals[] = {"qtm", "1", "10", "5", "3", "5", uri, NULL};
    return PQconnectdbParams(keys, vals, 1);
}

store_rc qtmi_pg_connect(pg_store *s)
{
    if (s->c)
        PQfinish(s->c);
    memset(s->prepared, 0, sizeof s->prepared);
    s->head_prepared = 0;
    s->copy_prepared = 0;
    s->tx = PG_TX_NONE;
    s->broken = 0;
    s->c = dial(s->uri);
    if (!s->c || PQstatus(s->c) != CONNECTION_OK) {
        set_err(s, s->c ? PQerrorMessage(s->c) : "out of memory");
        return STORE_RETRY;
    }
    if (PQserverVersion(s->c) < 130000) {
        snprintf(s->err, sizeof s->err, "qtm needs PostgreSQL 13 or later (this server is %d)",
                 PQserverVersion(s->c));
        return STORE_UNSUPPORTED;
    }
    const char *enc = PQparameterStatus(s->c, "server_encoding");
    if (!enc || strcmp(enc, "UTF8") != 0) {
        snprintf(s->err, sizeof s->err, "the database's encoding is %s; qtm needs UTF8 "
                 "(createdb -E UTF8)", enc ? enc : "unknown");
        return STORE_UNSUPPORTED;
    }
    store_rc rc = qtmi_pg_exec(s, SESSION_SETTINGS, NULL);
    if (rc == STORE_OK && !s->durable)
        rc = qtmi_pg_exec(s, "SET synchronous_commit = off", NULL);
    return rc;
}

int qtmi_pg_alive(pg_store *s)
{
    if (s->c && !s->broken && PQstatus(s->c) == CONNECTION_OK)
        return 1;
    int64_t now = now_ms();
    if (now < s->retry_at_ms) {
        snprintf(s->err, sizeof s->err, "the database is unreachable (trying again shortly)");
        return 0;
    }
    if (qtmi_pg_connect(s) == STORE_OK) {
        s->backoff_ms = 0;
        return 1;
    }
    s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (s->backoff_ms > BACKOFF_MAX_MS)
        s->backoff_ms = BACKOFF_MAX_MS;
    s->retry_at_ms = now + s->backoff_ms;
    return 0;
}

/* What the server says of transaction xid: "committed", "aborted", "in
 * progress", or NULL (no answer); a static string or in buf. */
static const char *xact_status(pg_store *s, const char *xid, char *buf, size_t len)
{
    const char *vals[1] = {xid};
    PGresult *r = PQexecParams(s->c, "SELECT pg_xact_status($1::xid8)", 1, NULL, vals, NULL,
                               NULL, 0);
    const char *status = NULL;
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        snprintf(buf, len, "%s", PQgetvalue(r, 0, 0));
        status = buf;
    }
    PQclear(r);
    return status;
}

/* A transaction "in progress" is the lost connection's own, still open on
 * the server until its backend reads the end of the connection or, idle
 * in the transaction, is ended by idle_in_transaction_session_timeout (5
 * s): it is asked about again until then, never taken as an answer. */
#define RESOLVE_WAIT_MS 6000

store_rc qtmi_pg_resolve_commit(pg_store *s)
{
    char xid[sizeof s->xid];
    snprintf(xid, sizeof xid, "%s", s->xid);
    struct timespec pause = {0, 100 * 1000000L};
    /* the connection is gone: a new one asks */
    for (int tries = 0; tries < 20; tries++) {
        if (qtmi_pg_connect(s) != STORE_OK) {
            nanosleep(&pause, NULL);
            continue;
        }
        char buf[32];
        const char *status = xact_status(s, xid, buf, sizeof buf);
        for (int64_t until = now_ms() + RESOLVE_WAIT_MS;
             status && !strcmp(status, "in progress") && now_ms() < until;) {
            nanosleep(&pause, NULL);
            status = xact_status(s, xid, buf, sizeof buf);
        }
        store_rc rc = !status                          ? STORE_ERROR
                      : !strcmp(status, "committed")   ? STORE_OK
                      : !strcmp(status, "aborted")     ? STORE_RETRY
                                                       : STORE_ERROR;
        if (rc == STORE_ERROR)
            snprintf(s->err, sizeof s->err, "the answer to COMMIT was lost and the server "
                     "cannot say whether transaction %s committed (%s): check before "
                     "running the command again", xid, status ? status : "no status");
        else if (rc == STORE_RETRY)
            snprintf(s->err, sizeof s->err, "the connection broke before COMMIT took "
                     "effect: nothing was committed");
        return rc;
    }
    snprintf(s->err, sizeof s->err, "the answer to COMMIT was lost and the server cannot be "
             "reached: whether transaction %s committed is unknown", xid);
    return STORE_ERROR;
}

/* The schema version, 0 when the database has no qtm schema, -1 when its
 * chain head row is gone.  Two statements: a query naming a table that does
 * not exist fails even in a branch it never takes. */
static store_rc read_schema(pg_store *s, int *version)
{
    PGresult *r = NULL;
    store_rc rc = qtmi_pg_exec(s, "SELECT to_regclass('chain_head') IS NOT NULL", &r);
    int exists = rc == STORE_OK && PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    *version = 0;
    if (rc != STORE_OK || !exists)
        return rc;
    r = NULL;
    if ((rc = qtmi_pg_exec(s, "SELECT schema FROM chain_head WHERE id = 1", &r)) == STORE_OK)
        *version = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    return rc;
}

/* Runs every step from `version` on; the caller's transaction. */
static store_rc run_steps(pg_store *s, int version)
{
    for (int i = 0; i < qtmi_pg_nsteps && version < QTM_SCHEMA_VERSION; i++) {
        if (qtmi_pg_steps[i].from != version)
            continue;
        store_rc rc = qtmi_pg_exec(s, qtmi_pg_steps[i].sql, NULL);
        if (rc != STORE_OK)
            return rc;
        version = qtmi_pg_steps[i].to;
    }
    if (version != QTM_SCHEMA_VERSION) {
        snprintf(s->err, sizeof s->err, "no migration takes schema %d to %d on PostgreSQL",
                 version, QTM_SCHEMA_VERSION);
        return STORE_ERROR;
    }
    return STORE_OK;
}

store_rc qtmi_pg_migrate(pg_store *s, int create)
{
    int version = 0;
    store_rc rc = read_schema(s, &version);
    if (rc != STORE_OK || version == QTM_SCHEMA_VERSION)
        return rc;
    /* racing migrators queue on the lock; the version is read again under it */
    if ((rc = qtmi_pg_exec(s, "BEGIN; SET LOCAL lock_timeout = '5s'; " MIGRATE_LOCK, NULL)) !=
        STORE_OK)
        return rc;
    if ((rc = read_schema(s, &version)) != STORE_OK)
        goto out;
    if (version > QTM_SCHEMA_VERSION) {
        snprintf(s->err, sizeof s->err, "the database has schema version %d; this qtm knows "
                 "up to %d: upgrade qtm", version, QTM_SCHEMA_VERSION);
        rc = STORE_NEWER;
    } else if (version < 0) {
        snprintf(s->err, sizeof s->err, "the chain head row is missing: the database is damaged");
        rc = STORE_ERROR;
    } else if (version == 0 && !create) {
        snprintf(s->err, sizeof s->err, "the database has no qtm schema: run `qtm init` first");
        rc = STORE_ERROR;
    } else if (version < QTM_SCHEMA_VERSION) {
        rc = run_steps(s, version);
    }
out:
    if (rc == STORE_OK)
        rc = qtmi_pg_exec(s, "COMMIT", NULL);
    else
        qtmi_pg_exec(s, "ROLLBACK", NULL);
    return rc;
}

static pg_fault fault_from_env(void)
{
    const char *f = getenv("QTM_PG_FAULT");
    if (!f)
        return PG_FAULT_NONE;
    if (!strcmp(f, "drop-before-commit"))
        return PG_FAULT_DROP_BEFORE_COMMIT;
    if (!strcmp(f, "drop-after-commit"))
        return PG_FAULT_DROP_AFTER_COMMIT;
    if (!strcmp(f, "drop-in-transaction"))
        return PG_FAULT_DROP_IN_TRANSACTION;
    return PG_FAULT_NONE;
}

store *qtmi_store_pg_open(const char *uri, int create, store_rc *rcp, char *msg, size_t msglen)
{
    pg_store *s = calloc(1, sizeof *s);
    if (!s || !(s->uri = strdup(uri))) {
        free(s);
        snprintf(msg, msglen, "out of memory");
        *rcp = STORE_ERROR;
        return NULL;
    }
    /* store.c matched the scheme in any case; libpq takes it in lowercase */
    for (char *p = s->uri; *p && *p != ':'; p++)
        *p = (char)tolower((unsigned char)*p);
    s->base.vt = &qtmi_pg_vt;
    s->durable = 1;
    s->fault = fault_from_env();
    store_rc rc = qtmi_pg_connect(s);
    if (rc == STORE_OK)
        rc = qtmi_pg_migrate(s, create);
    if (rc != STORE_OK) {
        /* libpq's messages name the host, never the password */
        snprintf(msg, msglen, "%s", s->err);
        *rcp = rc == STORE_RETRY ? STORE_ERROR : rc;
        qtmi_pg_vt.close(&s->base);
        return NULL;
    }
    *rcp = STORE_OK;
    return &s->base;
}

#else
typedef int qtmi_pg_not_built;   /* ISO C wants a declaration */
#endif
