/*
 * store_pg.h - what the parts of the PostgreSQL backend share.
 *
 * store_pg.c is the driver (libpq: connection, transactions, prepared
 * statements, retries, the root lock and the chain head); store_pg_sql.c
 * holds the text of every named query and the schema, in PostgreSQL's
 * dialect.  The engine sees neither: only store.h.
 *
 * The query texts keep store.h's arguments and columns exactly.  Every
 * parameter carries a cast ($1::bigint, $2::text, $3::bytea) so each
 * prepares without type hints; an integer column comes back as int2, int4
 * or int8 (sums are cast to bigint), a file's bytes as bytea; every INSERT
 * into a table with an id ends in RETURNING id (the driver keeps it for
 * store_last_id).  The governed images are byte for byte SQLite's
 * json_array text, so a database copied between backends verifies.
 */
#ifndef QTM_STORE_PG_H
#define QTM_STORE_PG_H

#include "store.h"

/* One text per store_query, $n for SQLite's ?n. */
extern const char *const qtmi_pg_sql[SQ_COUNT];

/* One step of the schema: `sql` takes a database whose chain_head.schema is
 * `from` to `from + 1` (from 0: an empty database, created at the version
 * of the step's end).  Steps run in one transaction under the migration
 * lock (store_pg.c).  PostgreSQL support starts at schema 5: its first step
 * creates every table of that version at once. */
typedef struct pg_step {
    int from, to;
    const char *sql;
} pg_step;

extern const pg_step qtmi_pg_steps[];
extern const int qtmi_pg_nsteps;

#endif
