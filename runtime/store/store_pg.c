/*
 * store_pg.c - the PostgreSQL backend of store.h: transactions and
 * statements (connecting and the schema are store_pg_conn.c's).
 *
 * Writes run at READ COMMITTED, reads in one REPEATABLE READ READ ONLY
 * snapshot.  Two rules keep every promise SQLite's single writer gives:
 *   1. an audited write takes the one-row chain head first: with its
 *      first aggregate-root read (SQ_TASK_BY_ID, SQ_JOB_BY_ID) or audit
 *      query, before that statement runs, checking it against the schema
 *      this build writes (the fence: an old binary still running after a
 *      migration refuses to write instead of forking the chain).  Every
 *      audited writer meets the others on the head anyway; taken first, it
 *      orders all their other locks, so they cannot deadlock, even when a
 *      server runs several commands in one transaction (a batch), and the
 *      root read that follows (a new snapshot: READ COMMITTED) sees what
 *      the writer before committed, so a loser's "already claimed by X"
 *      names the real owner.  Tasks and jobs change only in audited
 *      writes, so their rows need no lock of their own.  Audit ids are the
 *      chain's gap-free positions, taken under the head;
 *   2. every change stays a compare-and-set (the engine's WHERE ... AND
 *      state = old; changes() tells), which also holds against a writer
 *      from outside qtm.
 * A serialization failure, deadlock, lock timeout, a lost connection before
 * COMMIT, or a same-key submit that lost its race answer STORE_RETRY: the
 * transaction is gone, the command may run again.  A COMMIT whose answer is
 * lost is resolved by asking the server, never by running it again.
 */
#include "qtm_config.h"
#if QTM_HAVE_PG
#include "store_pg_int.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "qtm/qtm.h"

#define MAX_COLS 16

/* The head's lock when BEGIN was sent without it (the transaction's first
 * statement was not an audited one, or a rollback to a savepoint forgot
 * it); prepared like the named queries. */
#define LOCK_HEAD_NAME "qtm_lock_head"
#define LOCK_HEAD_SQL "SELECT schema, hash FROM chain_head WHERE id = 1 FOR UPDATE"

static void pg_close(store *base)
{
    pg_store *s = PG(base);
    if (s->c)
        PQfinish(s->c);
    free(s->uri);
    free(s);
}

static void tx_reset(pg_store *s, pg_tx tx)
{
    s->tx = tx;
    s->depth = 0;
    s->head_locked = 0;
    s->head_seq = 0;
    s->begun = 0;
    s->tx_lost = 0;
    s->releases = 0;
    s->xid[0] = '\0';
}

/* A call on a transaction whose connection died (tx_lost). */
static store_rc lost(pg_store *s)
{
    snprintf(s->err, sizeof s->err, "the connection to the database was lost: nothing of "
             "this transaction was committed");
    return STORE_RETRY;
}

static const char *const begin_sql[] = {
    /* a read holds no lock a writer waits for: verify of a large log may
     * take minutes (a write's statements still stop at 10 s) */
    [PG_TX_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
                   " SET LOCAL statement_timeout = '5min'",
    /* the transaction id now, so a lost COMMIT can be asked about */
    [PG_TX_WRITE] = "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_current_xact_id()::text",
};
/* a write's BEGIN with rule 1's head lock, in the same round trip */
#define BEGIN_WITH_HEAD                                                                    \
    "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_current_xact_id()::text, h.schema,"   \
    " h.hash FROM chain_head h WHERE h.id = 1 FOR UPDATE"

static store_rc take_head(pg_store *s, const PGresult *r, int col);

/* Sends a transaction's BEGIN (text) now; a connection that had died while
 * idle is replaced once (nothing of the transaction was sent yet). */
static store_rc send_begin(pg_store *s, const char *text, PGresult **out)
{
    pg_tx tx = s->tx;
    store_rc rc = qtmi_pg_exec(s, text, out);
    if (rc == STORE_RETRY && s->broken && qtmi_pg_alive(s)) {
        /* the failure ended the transaction with the old connection: it
         * begins again on the new one, nothing of it having run */
        s->tx = tx;
        s->tx_lost = 0;
        rc = qtmi_pg_exec(s, text, out);
    }
    if (rc != STORE_OK && s->c && PQstatus(s->c) == CONNECTION_OK &&
        PQtransactionStatus(s->c) != PQTRANS_IDLE)
        qtmi_pg_exec(s, "ROLLBACK", NULL);
    return rc;
}

/* A write transaction begins on the server with its first statement, so
 * BEGIN, its id and (with_head) the head lock share one round trip. */
store_rc qtmi_pg_begun(pg_store *s, int with_head)
{
    if (s->tx != PG_TX_WRITE || s->begun)
        return STORE_OK;
    PGresult *r = NULL;
    store_rc rc = send_begin(s, with_head ? BEGIN_WITH_HEAD : begin_sql[PG_TX_WRITE], &r);
    if (rc != STORE_OK) {
        tx_reset(s, PG_TX_NONE);
        return rc;
    }
    s->begun = 1;
    if (PQntuples(r) >= 1)
        snprintf(s->xid, sizeof s->xid, "%s", PQgetvalue(r, 0, 0));
    if (with_head)
        rc = take_head(s, r, 1);
    PQclear(r);
    return rc;
}

static store_rc begin_tx(pg_store *s, pg_tx tx, const char *extra)
{
    if (!qtmi_pg_alive(s))
        return STORE_RETRY;
    tx_reset(s, tx);
    if (tx == PG_TX_WRITE) {
        /* deferred to the first statement (qtmi_pg_begun) */
        store_rc rc = extra ? qtmi_pg_begun(s, 0) : STORE_OK;
        if (rc == STORE_OK && extra && (rc = qtmi_pg_exec(s, extra, NULL)) != STORE_OK) {
            qtmi_pg_exec(s, "ROLLBACK", NULL);
            tx_reset(s, PG_TX_NONE);
        }
        return rc;
    }
    store_rc rc = send_begin(s, begin_sql[tx], NULL);
    if (rc != STORE_OK)
        tx_reset(s, PG_TX_NONE);
    else
        s->begun = 1;
    return rc;
}

static store_rc pg_begin(store *base, int immediate)
{
    return begin_tx(PG(base), immediate ? PG_TX_WRITE : PG_TX_READ, NULL);
}

/* A write that may be skipped (a token's last use): it waits for no lock. */
static store_rc pg_begin_nowait(store *base)
{
    return begin_tx(PG(base), PG_TX_WRITE, "SET LOCAL lock_timeout = '20ms'");
}

/* The fault hook: the connection breaks around COMMIT. */
static void drop_connection(pg_store *s, int wait_answer)
{
    if (wait_answer) {
        /* the server has committed once its answer is readable */
        struct pollfd p = {PQsocket(s->c), POLLIN, 0};
        poll(&p, 1, 5000);
        /* ... and it is thrown away unread: a Unix socket still delivers
         * what it holds after shutdown() */
        char sink[4096];
        while (recv(PQsocket(s->c), sink, sizeof sink, MSG_DONTWAIT) > 0)
            ;
    }
    shutdown(PQsocket(s->c), SHUT_RDWR);
}

static store_rc pg_commit(store *base)
{
    pg_store *s = PG(base);
    if (s->tx_lost) {
        tx_reset(s, PG_TX_NONE);
        return lost(s);
    }
    if (s->tx == PG_TX_NONE) {
        snprintf(s->err, sizeof s->err, "no transaction is open");
        return STORE_ERROR;
    }
    if (!s->begun) {
        /* a write that ran no statement: nothing to commit */
        tx_reset(s, PG_TX_NONE);
        return STORE_OK;
    }
    pg_fault fault = s->tx == PG_TX_WRITE ? s->fault : PG_FAULT_NONE;
    if (fault == PG_FAULT_DROP_BEFORE_COMMIT)
        drop_connection(s, 0);
    PGresult *r = NULL;
    if (PQsendQuery(s->c, "COMMIT")) {
        if (fault == PG_FAULT_DROP_AFTER_COMMIT)
            drop_connection(s, 1);
        r = PQgetResult(s->c);
        /* drain: a simple query ends with a NULL result */
        for (PGresult *more; r && (more = PQgetResult(s->c));)
            PQclear(more);
    }
    store_rc rc = STORE_OK;
    if (!r || PQstatus(s->c) == CONNECTION_BAD || qtmi_pg_gone(s, r)) {
        /* the answer is lost: the server knows what became of a write; a
         * read had what it read */
        rc = s->tx == PG_TX_READ              ? STORE_OK
             : s->tx == PG_TX_WRITE && s->xid[0] ? qtmi_pg_resolve_commit(s)
                                                 : STORE_RETRY;
    } else if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = qtmi_pg_fail(s, r);
    } else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        /* an aborted transaction "commits" as ROLLBACK */
        snprintf(s->err, sizeof s->err, "the transaction had failed: nothing was committed");
        rc = STORE_ERROR;
    }
    PQclear(r);
    tx_reset(s, PG_TX_NONE);
    return rc;
}

static void pg_rollback(store *base)
{
    pg_store *s = PG(base);
    if (s->c && PQstatus(s->c) == CONNECTION_OK && PQtransactionStatus(s->c) != PQTRANS_IDLE) {
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);   /* keep the error that caused it */
        qtmi_pg_exec(s, "ROLLBACK", NULL);
        memcpy(s->err, keep, sizeof keep);
    }
    tx_reset(s, PG_TX_NONE);
}

/* Runs `then` after the RELEASEs deferred so far, in one round trip: a
 * RELEASE waits for the next savepoint statement (COMMIT and ROLLBACK
 * need none), as each call of a server's batch ends with one. */
static store_rc with_releases(pg_store *s, const char *then)
{
    static const char release[] = "RELEASE qtm_sp; ";
    char text[8 * sizeof release + 64];
    size_t n = 0;
    for (int i = 0; i < s->releases && n + sizeof release < sizeof text - 64; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s", release);
    snprintf(text + n, sizeof text - n, "%s", then);
    store_rc rc = qtmi_pg_exec(s, text, NULL);
    if (rc == STORE_OK)
        s->releases = 0;
    return rc;
}

static store_rc pg_savepoint(store *base)
{
    pg_store *s = PG(base);
    if (s->tx_lost)
        return lost(s);
    store_rc begun = qtmi_pg_begun(s, 0);
    if (begun != STORE_OK)
        return begun;              /* a lost connection: busy, the batch is gone */
    if (s->tx == PG_TX_NONE || PQtransactionStatus(s->c) != PQTRANS_INTRANS) {
        snprintf(s->err, sizeof s->err, "the batch transaction is no longer open "
                 "(the database ended it after an error)");
        return STORE_ERROR;
    }
    store_rc rc = with_releases(s, "SAVEPOINT qtm_sp");
    if (rc == STORE_OK)
        s->depth++;
    return rc;
}

/* Keeps the savepoint's changes: its RELEASE is sent with the next
 * savepoint statement (the changes are the same either way until then). */
static store_rc pg_release(store *base)
{
    pg_store *s = PG(base);
    if (s->tx_lost)
        return lost(s);
    if (s->depth <= 0) {
        snprintf(s->err, sizeof s->err, "no savepoint is open");
        return STORE_ERROR;
    }
    s->releases++;
    s->depth--;
    return STORE_OK;
}

/* Undoes the innermost savepoint and closes it, keeping the error that
 * caused it; locks taken inside it are gone with it. */
static void pg_rollback_to(store *base)
{
    pg_store *s = PG(base);
    if (s->tx == PG_TX_NONE || !s->depth || PQstatus(s->c) != CONNECTION_OK)
        return;
    char keep[sizeof s->err];
    memcpy(keep, s->err, sizeof keep);
    with_releases(s, "ROLLBACK TO qtm_sp; RELEASE qtm_sp");
    s->depth--;
    /* the head is back where it was before the savepoint (and unlocked if
     * the lock was taken inside it): the cached hash is stale either way,
     * and the next audit query locks (or finds locked) and reads it again */
    s->head_locked = 0;
    s->head_seq = 0;
    memcpy(s->err, keep, sizeof keep);
}

/* The highest $n a query's text names: the engine may pass fewer
 * arguments (trailing ones it does not use), bound as NULL as SQLite does. */
static int params_of(const char *text)
{
    int most = 0;
    for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
        int n = atoi(p + 1);
        if (n > most)
            most = n;
    }
    return most;
}

store_rc qtmi_pg_prepare(pg_store *s, const char *name, const char *text, unsigned char *done)
{
    if (*done)
        return STORE_OK;
    PGresult *r = PQprepare(s->c, name, text, 0, NULL);
    store_rc rc = r && PQresultStatus(r) == PGRES_COMMAND_OK ? STORE_OK : qtmi_pg_fail(s, r);
    PQclear(r);
    if (rc == STORE_OK)
        *done = 1;
    return rc;
}

PGresult *qtmi_pg_exec_prepared(pg_store *s, const char *name, const store_val *args,
                                int nargs, store_rc *rc)
{
    char num[MAX_COLS][24];
    const char *vals[MAX_COLS];
    int lens[MAX_COLS], fmts[MAX_COLS];
    if (nargs > MAX_COLS) {
        snprintf(s->err, sizeof s->err, "too many arguments (%d)", nargs);
        *rc = STORE_ERROR;
        return NULL;
    }
    for (int i = 0; i < nargs; i++) {
        lens[i] = 0;
        fmts[i] = 0;
        switch (args[i].type) {
        case SV_NULL: vals[i] = NULL; break;
        case SV_INT:
            snprintf(num[i], sizeof num[i], "%lld", (long long)args[i].i);
            vals[i] = num[i];
            break;
        case SV_TEXT: vals[i] = args[i].s; break;
        case SV_BLOB:
            vals[i] = args[i].s;
            lens[i] = (int)args[i].i;
            fmts[i] = 1;
            break;
        }
    }
    PGresult *r = PQexecPrepared(s->c, name, nargs, vals, lens, fmts, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        *rc = qtmi_pg_fail(s, r);
        PQclear(r);
        return NULL;
    }
    *rc = STORE_OK;
    return r;
}

/* Rule 1: the chain head, locked once per write transaction, before the
 * root; refuses to write past a schema this build does not know. */
static store_rc lock_head(pg_store *s)
{
    PGresult *r = NULL;
    store_rc rc = qtmi_pg_prepare(s, LOCK_HEAD_NAME, LOCK_HEAD_SQL, &s->head_prepared);
    if (rc == STORE_OK && (r = qtmi_pg_exec_prepared(s, LOCK_HEAD_NAME, NULL, 0, &rc)))
        rc = take_head(s, r, 0);
    PQclear(r);
    return rc;
}

/* The locked head row in r (its schema at column col, its hash next). */
static store_rc take_head(pg_store *s, const PGresult *r, int col)
{
    if (PQntuples(r) != 1 || PQnfields(r) < col + 2 || PQgetisnull(r, 0, col)) {
        snprintf(s->err, sizeof s->err, "the chain head is missing: the database is damaged");
        return STORE_ERROR;
    }
    int schema = atoi(PQgetvalue(r, 0, col));
    snprintf(s->head_hash, sizeof s->head_hash, "%s", PQgetvalue(r, 0, col + 1));
    if (schema != QTM_SCHEMA_VERSION) {
        snprintf(s->err, sizeof s->err, "the database is at schema %d and this qtm writes "
                 "schema %d: it refuses to write (run the qtm that migrated it)", schema,
                 QTM_SCHEMA_VERSION);
        return STORE_NEWER;
    }
    s->head_locked = 1;
    return STORE_OK;
}

static int is_audit_query(store_query q)
{
    return q == SQ_AUDIT_LAST_HASH || q == SQ_AUDIT_INSERT || q == SQ_CHAIN_HEAD_SET ||
           q == SQ_CHAIN_HEAD_GET;
}

/* Rule 1 before the query itself runs; *answered: the query's
 * answer came from the locked head and nothing is left to run. */
static store_rc before_query(pg_store *s, store_query q, const store_val *args, int nargs,
                             store_row_fn fn, void *arg, int *answered)
{
    store_rc rc = STORE_OK;
    *answered = 0;
    if (s->tx != PG_TX_WRITE)
        return STORE_OK;
    int root = q == SQ_TASK_BY_ID || q == SQ_JOB_BY_ID;
    int head = (root || is_audit_query(q)) && !s->head_locked;
    if (!s->begun && (rc = qtmi_pg_begun(s, head)) != STORE_OK)
        return rc;
    if (head && !s->head_locked && (rc = lock_head(s)) != STORE_OK)
        return rc;
    if (q == SQ_AUDIT_LAST_HASH) {
        /* the locked head is the last audit row's hash */
        *answered = 1;
        if (fn) {
            store_val col = sv_text(s->head_hash);
            if (fn(arg, &col, 1) < 0) {
                snprintf(s->err, sizeof s->err, "the chain head's hash is too long");
                return STORE_TOOLONG;
            }
        }
    }
    if (q == SQ_CHAIN_HEAD_SET && nargs >= 2 && args[0].type == SV_INT &&
        args[1].type == SV_TEXT && s->head_seq && args[0].i == s->head_seq &&
        strcmp(args[1].s, s->head_hash) == 0) {
        /* SQ_AUDIT_INSERT moved the head there already */
        *answered = 1;
        s->changes = 1;
    } else if (q == SQ_CHAIN_HEAD_SET && nargs >= 2 && args[1].type == SV_TEXT) {
        snprintf(s->head_hash, sizeof s->head_hash, "%s", args[1].s);
    }
    return STORE_OK;
}

/* After SQ_AUDIT_INSERT: exactly one row, or the head had moved from the
 * row's prev_hash (nothing was inserted: a lost lock, never a fork). */
static store_rc after_audit_insert(pg_store *s, PGresult *r, const store_val *args, int nargs)
{
    if (PQntuples(r) != 1 || nargs < 10 || args[9].type != SV_TEXT) {
        snprintf(s->err, sizeof s->err, "the chain head moved during the transaction: the "
                 "audit row was not appended");
        return STORE_ERROR;
    }
    s->head_seq = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(s->head_hash, sizeof s->head_hash, "%s", args[9].s);
    return STORE_OK;
}

store_rc qtmi_pg_rows(pg_store *s, PGresult *r, store_row_fn fn, void *arg)
{
    int n = PQnfields(r), rows = PQntuples(r);
    if (n > MAX_COLS)
        n = MAX_COLS;
    for (int row = 0; row < rows; row++) {
        store_val cols[MAX_COLS];
        unsigned char *bytes[MAX_COLS] = {0};
        for (int c = 0; c < n; c++) {
            if (PQgetisnull(r, row, c)) {
                cols[c] = SV_N;
                continue;
            }
            const char *v = PQgetvalue(r, row, c);
            switch (PQftype(r, c)) {
            case 20: case 21: case 23:              /* int8, int2, int4 */
                cols[c] = SV_I(strtoll(v, NULL, 10));
                break;
            case 17: {                              /* bytea */
                size_t len = 0;
                bytes[c] = PQunescapeBytea((const unsigned char *)v, &len);
                cols[c] = SV_B(bytes[c] ? (const char *)bytes[c] : "", bytes[c] ? len : 0);
                break;
            }
            default: cols[c] = sv_text(v);
            }
        }
        int stop = fn(arg, cols, n);
        for (int c = 0; c < n; c++)
            PQfreemem(bytes[c]);
        if (stop < 0) {
            snprintf(s->err, sizeof s->err, "a stored value is longer than qtm allows for its "
                     "field: the database was written by something else");
            return STORE_TOOLONG;
        }
        if (stop > 0)
            break;
    }
    return STORE_OK;
}

static store_rc pg_run(store *base, store_query q, const store_val *args, int nargs,
                       store_row_fn fn, void *arg)
{
    pg_store *s = PG(base);
    if ((unsigned)q >= SQ_COUNT || !qtmi_pg_sql[q]) {
        snprintf(s->err, sizeof s->err, "query %d has no SQL in this backend", (int)q);
        return STORE_ERROR;
    }
    if (s->tx_lost)
        return lost(s);
    if (s->tx == PG_TX_NONE && !qtmi_pg_alive(s))
        return STORE_RETRY;
    store_rc rc;
    /* a statement outside any savepoint: the RELEASEs go first, so that
     * its failure is the enclosing scope's, as on SQLite */
    if (s->releases && (rc = with_releases(s, "")) != STORE_OK)
        return rc;
    int answered;
    rc = before_query(s, q, args, nargs, fn, arg, &answered);
    if (rc != STORE_OK || answered)
        return rc;
    char name[16];
    snprintf(name, sizeof name, "q%d", (int)q);
    if ((rc = qtmi_pg_prepare(s, name, qtmi_pg_sql[q], &s->prepared[q])) != STORE_OK)
        return rc;
    store_val padded[MAX_COLS];
    if (!s->nparams[q])
        s->nparams[q] = (unsigned char)params_of(qtmi_pg_sql[q]);
    int want = s->nparams[q];
    if (nargs < want && want <= MAX_COLS) {
        for (int i = 0; i < want; i++)
            padded[i] = i < nargs ? args[i] : SV_N;
        args = padded;
        nargs = want;
    }
    PGresult *r = qtmi_pg_exec_prepared(s, name, args, nargs, &rc);
    if (!r)
        return rc;
    if (s->fault == PG_FAULT_DROP_IN_TRANSACTION && s->tx == PG_TX_WRITE)
        drop_connection(s, 0);     /* the next statement finds it dead */
    const char *tuples = PQcmdTuples(r);
    s->changes = tuples[0] ? strtoll(tuples, NULL, 10) : 0;
    if (strncmp(PQcmdStatus(r), "INSERT", 6) == 0 && PQnfields(r) == 1 && !fn) {
        /* INSERT ... RETURNING id (keys: n, the rowid's stand-in): the id
         * is store_last_id's, not a row */
        if (PQntuples(r) == 1)
            s->last_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        if (q == SQ_AUDIT_INSERT)
            rc = after_audit_insert(s, r, args, nargs);
    } else if (fn) {
        rc = qtmi_pg_rows(s, r, fn, arg);
    }
    PQclear(r);
    return rc;
}

static int64_t pg_changes(store *base) { return PG(base)->changes; }
static int64_t pg_last_id(store *base) { return PG(base)->last_id; }
static const char *pg_errmsg(store *base) { return PG(base)->err; }

static store_rc connections(pg_store *s, store_connections *out)
{
    PGresult *r = NULL;
    store_rc rc = qtmi_pg_exec(s, "SELECT current_setting('max_connections')::int"
                               " - current_setting('superuser_reserved_connections')::int,"
                               " (SELECT count(*) FROM pg_stat_activity"
                               "  WHERE backend_type = 'client backend')", &r);
    if (rc == STORE_OK && PQntuples(r) == 1) {
        out->max = atoi(PQgetvalue(r, 0, 0));
        out->used = atoi(PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return rc;
}

static store_rc pg_control(store *base, store_ctl op, void *arg)
{
    pg_store *s = PG(base);
    switch (op) {
    case STORE_CTL_DURABLE:
        s->durable = *(int *)arg;
        return qtmi_pg_exec(s, s->durable ? "SET synchronous_commit = on"
                                          : "SET synchronous_commit = off", NULL);
    case STORE_CTL_PING:
        if (!qtmi_pg_alive(s))
            return STORE_RETRY;
        return s->tx != PG_TX_NONE ? STORE_OK : qtmi_pg_exec(s, "SELECT 1", NULL);
    case STORE_CTL_SINGLE_WRITER:
        *(int *)arg = 0;
        return STORE_OK;
    case STORE_CTL_CONNECTIONS:
        if (!qtmi_pg_alive(s))
            return STORE_RETRY;
        return connections(s, arg);
    case STORE_CTL_CHECKPOINT:
        ((store_checkpoint *)arg)->log_pages = -1;
        break;
    case STORE_CTL_BACKUP:
        snprintf(s->err, sizeof s->err, "qtm backup copies SQLite files; back a PostgreSQL "
                 "database up with its own tools (pg_dump, pg_basebackup)");
        return STORE_UNSUPPORTED;
    case STORE_CTL_COPY_OUT:
    case STORE_CTL_COPY_IN:
    case STORE_CTL_COPY_END:
        return qtmi_pg_copy(s, op, arg);
    case STORE_CTL_AUTOCHECKPOINT:
        break;
    }
    snprintf(s->err, sizeof s->err, "control %d is not supported by the postgresql backend",
             (int)op);
    return STORE_UNSUPPORTED;
}

const store_vt qtmi_pg_vt = {
    .version = STORE_VT_VERSION,
    .name = "postgresql",
    .close = pg_close,
    .begin = pg_begin,
    .begin_nowait = pg_begin_nowait,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
    .run = pg_run,
    .changes = pg_changes,
    .last_id = pg_last_id,
    .errmsg = pg_errmsg,
    .control = pg_control,
};

#else
typedef int qtmi_pg_not_built;   /* ISO C wants a declaration */
#endif
