/*
 * store_pg_int.h - the PostgreSQL driver's own state, shared by its two
 * files: store_pg.c (transactions and statements) and store_pg_conn.c
 * (connecting, session settings, the schema, a lost COMMIT).
 */
#ifndef QTM_STORE_PG_INT_H
#define QTM_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stdint.h>

#include "store_pg.h"

/* What QTM_PG_FAULT asks the driver to break, for the retry tests. */
typedef enum pg_fault {
    PG_FAULT_NONE,
    PG_FAULT_DROP_BEFORE_COMMIT,   /* the connection dies before COMMIT is sent */
    PG_FAULT_DROP_AFTER_COMMIT,    /* COMMIT runs, its answer never arrives */
    PG_FAULT_DROP_IN_TRANSACTION   /* the connection dies after a write's first statement */
} pg_fault;

typedef enum pg_tx { PG_TX_NONE, PG_TX_READ, PG_TX_WRITE } pg_tx;

typedef struct pg_store {
    store base;
    PGconn *c;
    char *uri;                     /* as given, for reconnecting */
    unsigned char prepared[SQ_COUNT];  /* on this connection */
    unsigned char nparams[SQ_COUNT];   /* the highest $n of each text (once known) */
    unsigned char head_prepared;       /* the head's own lock statement (store_pg.c) */
    uint64_t copy_prepared;        /* db copy: bit 2 * table + copy_stmt (store_pg_copy.c) */
    pg_tx tx;
    int begun;                     /* BEGIN was sent (a write's waits for its first statement) */
    /* the connection died with a transaction open: every call until its
     * rollback answers STORE_RETRY (nothing of it was committed), never
     * a statement in autocommit on the next connection */
    int tx_lost;
    int broken;                    /* it failed as a lost connection does: replaced
                                    * before its next use, whatever libpq says */
    int depth;                     /* open savepoints */
    int releases;                  /* RELEASEs not sent yet (sent with the next savepoint
                                      statement; COMMIT and ROLLBACK need none) */
    /* write transactions: the chain head is locked (its hash cached)
     * from the first root read or audit query on; a rollback to a
     * savepoint forgets it (the next audit query locks and reads again) */
    int head_locked;
    char head_hash[65];
    int64_t head_seq;              /* the position SQ_AUDIT_INSERT moved it to (0: none yet) */
    char xid[24];                  /* the write transaction's id, for a lost COMMIT */
    int64_t changes, last_id;
    int durable;                   /* synchronous_commit on (STORE_CTL_DURABLE) */
    pg_fault fault;
    int64_t retry_at_ms;           /* broken connection: no new try before this */
    int backoff_ms;
    char err[512];
} pg_store;

static inline pg_store *PG(store *s) { return (pg_store *)s; }

/* Sets s->err from a failed result (or the connection) and maps its
 * SQLSTATE to a store_rc; marks the connection broken when it is. */
store_rc qtmi_pg_fail(pg_store *s, const PGresult *r);

/* 1 when result r (NULL: none came) says the connection is lost: libpq's
 * own error, a connection error, the server shutting down, a session
 * timeout.  A COMMIT that ends so has an unknown outcome. */
int qtmi_pg_gone(const pg_store *s, const PGresult *r);

/* Runs one statement of the driver's own (no parameters), expecting
 * PGRES_COMMAND_OK or PGRES_TUPLES_OK; *out (if given) receives the result
 * for the caller to PQclear, else it is cleared. */
store_rc qtmi_pg_exec(pg_store *s, const char *sql, PGresult **out);

/* Sends a write transaction's deferred BEGIN (with_head: and the chain
 * head's lock, in one round trip) unless it was sent; STORE_OK for a read
 * or no transaction. */
store_rc qtmi_pg_begun(pg_store *s, int with_head);

/* (Re)connects: session settings, the server checks; the statements
 * prepared on the old connection are forgotten. */
store_rc qtmi_pg_connect(pg_store *s);

/* 1 when the connection can be used; else tries to reconnect (no more often
 * than its backoff allows) and answers whether that worked. */
int qtmi_pg_alive(pg_store *s);

/* Brings the schema to QTM_SCHEMA_VERSION (create: an empty database gets
 * it) in one transaction under the migration lock. */
store_rc qtmi_pg_migrate(pg_store *s, int create);

/* After a COMMIT whose answer was lost: asks the server (on a new
 * connection) what became of s->xid. */
store_rc qtmi_pg_resolve_commit(pg_store *s);

/* Prepares statement `name` once per connection; *done is its flag. */
store_rc qtmi_pg_prepare(pg_store *s, const char *name, const char *text, unsigned char *done);

/* Runs a prepared statement with store_val arguments; the result is the
 * caller's (NULL on failure, s->err set, *rc mapped). */
PGresult *qtmi_pg_exec_prepared(pg_store *s, const char *name, const store_val *args,
                                int nargs, store_rc *rc);

/* Hands each row of r to fn; a bytea column's bytes are unescaped for the
 * call.  STORE_TOOLONG (s->err set) when fn refuses a row. */
store_rc qtmi_pg_rows(pg_store *s, PGresult *r, store_row_fn fn, void *arg);

/* STORE_CTL_COPY_OUT, _IN and _END (store_pg_copy.c). */
store_rc qtmi_pg_copy(pg_store *s, store_ctl op, void *arg);

extern const store_vt qtmi_pg_vt;

#endif
