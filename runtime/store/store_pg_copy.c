/*
 * store_pg_copy.c - `qtm db copy` on PostgreSQL: the STORE_CTL_COPY_*
 * controls over store_copy.h's table list.
 *
 * A table is read in single-row mode, so a large one (blob_chunks) never
 * sits whole in memory, with the session's statement and idle timeouts
 * lifted for the copy's transaction only: the reader waits while the
 * other backend writes each row.  Each statement is prepared once per
 * connection (copy_prepared).  Rows are written with their own ids
 * (OVERRIDING SYSTEM VALUE); COPY_END then moves each identity sequence
 * past the largest id copied, so the next insert does not collide.
 */
#include "qtm_config.h"
#if QTM_HAVE_PG
#include "store_pg_int.h"
#include "store_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A copy transaction's reads and writes wait on the other backend. */
#define COPY_SESSION                                                                       \
    "SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0"

/* Prepares table's statement k once on this connection, into name. */
static store_rc prepare_copy(pg_store *s, int table, copy_stmt k, char *name, size_t len)
{
    int bit = 2 * table + (int)k;
    char text[1024];
    if (table < 0 || table >= qtmi_copy_ntables || bit >= 64) {
        snprintf(s->err, sizeof s->err, table < 0 || table >= qtmi_copy_ntables
                 ? "no copy table %d" : "copy table %d: copy_prepared has 64 bits", table);
        return STORE_ERROR;
    }
    snprintf(name, len, "qtm_copy_%c%d", k == COPY_READ ? 'r' : 'w', table);
    if (qtmi_copy_sql(table, COPY_PG, k, text, sizeof text) != 0) {
        snprintf(s->err, sizeof s->err, "the copy statement of table %d is too long", table);
        return STORE_ERROR;
    }
    unsigned char done = (s->copy_prepared >> bit) & 1;
    store_rc rc = qtmi_pg_prepare(s, name, text, &done);
    if (done)
        s->copy_prepared |= (uint64_t)1 << bit;
    return rc;
}

/* fn, remembering that it asked to stop */
typedef struct reader {
    store_row_fn fn;
    void *arg;
    int stop;
} reader;

static int read_row(void *arg, const store_val *cols, int n)
{
    reader *r = arg;
    r->stop = r->fn(r->arg, cols, n);
    return r->stop;
}

/* Every row of the table to o->fn; the results are drained whatever fn
 * or the server says, so the connection is ready for the next query. */
static store_rc copy_out(pg_store *s, const store_copy_out *o)
{
    char name[32];
    store_rc rc = qtmi_pg_exec(s, COPY_SESSION, NULL);
    if (rc == STORE_OK)
        rc = prepare_copy(s, o->table, COPY_READ, name, sizeof name);
    if (rc != STORE_OK)
        return rc;
    if (!PQsendQueryPrepared(s->c, name, 0, NULL, NULL, NULL, 0))
        return qtmi_pg_fail(s, NULL);
    PQsetSingleRowMode(s->c);
    reader rd = {o->fn, o->arg, 0};
    for (PGresult *r; (r = PQgetResult(s->c)); PQclear(r)) {
        ExecStatusType st = PQresultStatus(r);
        if (rc != STORE_OK || rd.stop)
            continue;
        if (st == PGRES_SINGLE_TUPLE)
            rc = qtmi_pg_rows(s, r, read_row, &rd);
        else if (st != PGRES_TUPLES_OK)
            rc = qtmi_pg_fail(s, r);
    }
    return rc;
}

static store_rc copy_in(pg_store *s, const store_copy_in *in)
{
    char name[32];
    store_rc rc = prepare_copy(s, in->table, COPY_WRITE, name, sizeof name);
    if (rc != STORE_OK)
        return rc;
    if (in->n != qtmi_copy_ncols(in->table)) {
        snprintf(s->err, sizeof s->err, "a row of %d values for table %s, which has %d columns",
                 in->n, qtmi_copy_tables[in->table].name, qtmi_copy_ncols(in->table));
        return STORE_ERROR;
    }
    PGresult *r = qtmi_pg_exec_prepared(s, name, in->row, in->n, &rc);
    if (r && strcmp(PQcmdTuples(r), "1") != 0) {
        snprintf(s->err, sizeof s->err, "copying into %s wrote no row",
                 qtmi_copy_tables[in->table].name);
        rc = STORE_ERROR;
    }
    PQclear(r);
    return rc;
}

/* Each identity sequence past its table's largest copied id (1 for an
 * empty table: setval's is_called false makes that the next value). */
static store_rc copy_end(pg_store *s)
{
    char text[4096];
    size_t at = 0;
    for (int i = 0; i < qtmi_copy_ntables; i++) {
        const store_copy_table *t = &qtmi_copy_tables[i];
        if (!t->identity)
            continue;
        int n = snprintf(text + at, sizeof text - at, "SELECT setval(pg_get_serial_sequence("
                         "'%s', '%s'), COALESCE(MAX(%s), 0) + 1, false) FROM %s;", t->name,
                         t->identity, t->identity, t->name);
        if (n < 0 || (size_t)n >= sizeof text - at) {
            snprintf(s->err, sizeof s->err, "the sequence statements are too long");
            return STORE_ERROR;
        }
        at += (size_t)n;
    }
    return at ? qtmi_pg_exec(s, text, NULL) : STORE_OK;
}

store_rc qtmi_pg_copy(pg_store *s, store_ctl op, void *arg)
{
    if (s->tx == PG_TX_NONE) {
        snprintf(s->err, sizeof s->err, "a copy runs inside a transaction");
        return STORE_ERROR;
    }
    store_rc begun = qtmi_pg_begun(s, 0);
    if (begun != STORE_OK)
        return begun;
    if (op == STORE_CTL_COPY_OUT)
        return copy_out(s, arg);
    if (op == STORE_CTL_COPY_IN)
        return copy_in(s, arg);
    return copy_end(s);
}

#else
typedef int qtmi_pg_copy_not_built;   /* ISO C wants a declaration */
#endif
