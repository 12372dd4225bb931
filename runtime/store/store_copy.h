/*
 * store_copy.h - what `qtm db copy` copies: every table of a qtm database
 * that holds data, in an order where each row's parents come first, with
 * its columns as each backend names them.
 *
 * The one list both backends build their copy statements from (the
 * STORE_CTL_COPY_* controls); the statements are made from this list
 * only, never from input.  Not copied: what is derived from copied rows
 * (job_search, written by the jobs insert trigger on both backends; its
 * FTS5 shadow tables on SQLite).  Where SQLite keys a row by its rowid
 * (keys: the audit entity id of a key; request_photos: the packet's order)
 * PostgreSQL has a column n.
 */
#ifndef QTM_STORE_COPY_H
#define QTM_STORE_COPY_H

#include <stddef.h>

typedef struct store_copy_table {
    const char *name;              /* the table, the same on both backends */
    const char *sqlite_cols;       /* its copied columns, ", "-separated (SQLite) */
    const char *pg_cols;           /* the same columns, same order (PostgreSQL) */
    const char *sqlite_key;        /* ORDER BY of the copy's read (SQLite) */
    const char *pg_key;            /* the same order (PostgreSQL) */
    const char *identity;          /* PostgreSQL's identity column (NULL: none) */
    int head;                      /* the one-row chain head (id 1): updated in place */
} store_copy_table;

extern const store_copy_table qtmi_copy_tables[];
extern const int qtmi_copy_ntables;

typedef enum copy_dialect {
    COPY_SQLITE,                   /* ?N parameters */
    COPY_PG                        /* $N parameters, OVERRIDING SYSTEM VALUE */
} copy_dialect;

typedef enum copy_stmt {
    COPY_READ,                     /* SELECT the columns ORDER BY the key */
    COPY_WRITE                     /* INSERT one row (the head: UPDATE it) */
} copy_stmt;

/*
 * qtmi_copy_sql - the text of table's statement `k` in dialect d, into buf
 * (len bytes).  Returns 0, or -1 when table is out of range or the text
 * does not fit (buf then holds "").
 */
int qtmi_copy_sql(int table, copy_dialect d, copy_stmt k, char *buf, size_t len);

/* The number of copied columns of table (0: no such table).  Cannot fail. */
int qtmi_copy_ncols(int table);

#endif
