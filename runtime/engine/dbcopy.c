/*
 * dbcopy.c - qtm_db_copy: a whole qtm database into another backend's
 * (SQLite to PostgreSQL and back, or SQLite to SQLite), row for row.
 *
 * Every table of store_copy.h, parent before child, is read from FROM in
 * one read transaction (one moment of it, while others go on writing) and
 * written to TO in one write transaction, ids, stamps, hashes, the chain
 * and its head, file bytes, signatures and sessions verbatim; so a failure
 * leaves TO without a row.  TO must hold no qtm data: a name that is an
 * existing file is refused before anything is opened, and a database that
 * opens with a row in any copied table (or a chain already begun) is
 * refused before anything is written.  The copy is then opened afresh and
 * verified: the verdict is about what TO holds, as any reader will see it.
 */
#include "qtm_int.h"
#include "../store/store_copy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What one table's copy carries from the reader to the writer. */
typedef struct copy_ctx {
    store *to;
    int table;
    int64_t rows;
    store_rc rc;                   /* the writer's failure (STORE_OK: none) */
} copy_ctx;

static int copy_row(void *arg, const store_val *cols, int n)
{
    copy_ctx *c = arg;
    store_copy_in in = {c->table, cols, n};
    c->rc = store_control(c->to, STORE_CTL_COPY_IN, &in);
    if (c->rc != STORE_OK)
        return -1;
    c->rows++;
    return 0;
}

/* Stops at the first row: *(int *)arg says whether there was one; for the
 * chain head, whether its chain has begun (seq, its first column, above 0). */
static int any_row(void *arg, const store_val *cols, int n)
{
    int *found = arg;
    *found = n > 0 && (cols[0].type != SV_INT || cols[0].i != 0);
    return 1;
}

/* QTM_OK when no copied table of t's store holds a row, else
 * QTM_ECONFLICT naming the first that does; t's transaction is open. */
static qtm_status check_empty(qtm *t, qtm *msg_to)
{
    for (int i = 0; i < qtmi_copy_ntables; i++) {
        const store_copy_table *tab = &qtmi_copy_tables[i];
        int found = 0;
        store_copy_out o = {i, any_row, &found};
        store_rc rc = store_control(t->st, STORE_CTL_COPY_OUT, &o);
        if (rc != STORE_OK)
            return qtm_fail(msg_to, QTM_ESTORAGE, "reading the target's %s: %s", tab->name,
                            store_errmsg(t->st));
        if (found)
            return qtm_fail(msg_to, QTM_ECONFLICT, "the target already holds qtm data (%s): "
                            "copy into a new database, nothing was written",
                            tab->head ? "an audit chain" : tab->name);
    }
    return QTM_OK;
}

/* Copies every table from f into t (both transactions open), adding
 * {table, rows} to tables; msg_to takes the message. */
static qtm_status copy_tables(qtm *f, qtm *t, qtm *msg_to, json_t *tables, int64_t *total,
                              int64_t *chain)
{
    for (int i = 0; i < qtmi_copy_ntables; i++) {
        const store_copy_table *tab = &qtmi_copy_tables[i];
        copy_ctx c = {t->st, i, 0, STORE_OK};
        store_copy_out o = {i, copy_row, &c};
        store_rc rc = store_control(f->st, STORE_CTL_COPY_OUT, &o);
        if (c.rc != STORE_OK) {
            qtm_store_fail(t, c.rc, "writing the copy");
            return qtm_fail(msg_to, QTM_ESTORAGE, "writing %s into the target: %s", tab->name,
                            qtm_errmsg(t));
        }
        if (rc != STORE_OK) {
            qtm_store_fail(f, rc, "reading the source");
            return qtm_fail(msg_to, QTM_ESTORAGE, "reading %s: %s", tab->name, qtm_errmsg(f));
        }
        if (tab->head && c.rows != 1)
            return qtm_fail(msg_to, QTM_ESTORAGE, "the source has no chain head: it is damaged");
        json_array_append_new(tables, json_pack("{s:s,s:I}", "table", tab->name, "rows",
                                                (json_int_t)c.rows));
        *total += c.rows;
        if (!strcmp(tab->name, "audit"))
            *chain = c.rows;
    }
    store_rc rc = store_control(t->st, STORE_CTL_COPY_END, NULL);
    if (rc != STORE_OK) {
        qtm_store_fail(t, rc, "finishing the copy");
        return qtm_fail(msg_to, QTM_ESTORAGE, "%s", qtm_errmsg(t));
    }
    return QTM_OK;
}

/* Opens name into *out; its message, if it fails, goes to msg_to. */
static qtm_status open_one(const char *name, unsigned flags, const char *which, qtm *msg_to,
                           qtm **out)
{
    qtm_status st = qtm_open(name, flags, out);
    if (st != QTM_OK)
        return qtm_fail(msg_to, st, "%s: %s", which,
                        *out ? qtm_errmsg(*out) : "out of memory");
    return QTM_OK;
}

/* Both transactions, the copy and the commit; *made: TO is an SQLite file
 * this copy created (removed again when the copy fails). */
static qtm_status copy_all(qtm *m, const char *from, const char *to, json_t *r, int *made)
{
    qtm *f = NULL, *t = NULL;
    struct stat sb;
    int64_t total = 0, chain = 0;
    json_t *tables = json_array();
    qtm_status st = open_one(from, 0, "the source", m, &f);
    if (st != QTM_OK)
        goto cleanup;
    if (lstat(to, &sb) == 0) {
        st = qtm_fail(m, QTM_ECONFLICT, "%s exists: copy into a new file (or a PostgreSQL "
                      "database without qtm data), nothing was written", to);
        goto cleanup;
    }
    if ((st = open_one(to, QTM_OPEN_CREATE, "the target", m, &t)) != QTM_OK)
        goto cleanup;
    *made = !strcmp(t->st->vt->name, "sqlite");
    if ((st = qtmi_tx_begin(f, 0)) != QTM_OK || (st = qtmi_tx_begin(t, 1)) != QTM_OK) {
        st = qtm_fail(m, st, "%s", qtm_errmsg(f->err ? f : t));
        goto cleanup;
    }
    if ((st = check_empty(t, m)) == QTM_ECONFLICT)
        *made = 0;                 /* somebody else's, now */
    if (st == QTM_OK)
        st = copy_tables(f, t, m, tables, &total, &chain);
    store_rc rc = st == QTM_OK ? store_commit(t->st) : STORE_OK;
    if (rc != STORE_OK)
        st = qtm_fail(m, QTM_ESTORAGE, "committing the copy: %s", store_errmsg(t->st));
cleanup:
    if (t && t->st)
        store_rollback(t->st);     /* nothing open after a commit */
    if (f && f->st)
        store_rollback(f->st);
    qtm_close(t);
    qtm_close(f);
    json_object_set_new(r, "tables", tables);
    json_object_set_new(r, "rows", json_integer(total));
    json_object_set_new(r, "chain", json_integer(chain));
    return st;
}

/* The SQLite file (and its -wal, -shm) a failed copy created. */
static void unmake(const char *path)
{
    static const char *const ext[] = {"", "-wal", "-shm"};
    char p[4200];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, ext[i]);
        unlink(p);
    }
}

qtm_status qtm_db_copy(const char *from, const char *to, json_t **report)
{
    qtm *m = NULL, *t = NULL;
    json_t *r = json_object(), *v = NULL;
    int made = 0;
    if (report)
        *report = NULL;
    if (qtm_open(NULL, 0, &m) != QTM_OK || !r) {
        qtm_close(m);
        json_decref(r);
        return QTM_ESTORAGE;
    }
    qtm_status st = copy_all(m, from, to, r, &made);
    if (st != QTM_OK) {
        if (made)
            unmake(to);
        goto cleanup;
    }
    made = 0;
    /* the verdict on what TO holds now, read back by a handle of its own */
    if ((st = open_one(to, 0, "the copy", m, &t)) != QTM_OK)
        goto cleanup;
    st = qtm_verify(t, &v);
    if (!v) {
        st = qtm_fail(m, st, "verifying the copy: %s", qtm_errmsg(t));
        goto cleanup;
    }
    json_object_set_new(r, "verify", v);
    if (st != QTM_OK)
        qtm_fail(m, st, "the copy does not verify (it is kept for inspection): %s",
                 qtm_errmsg(t));
cleanup:
    if (st != QTM_OK)
        json_object_set_new(r, "error", json_string(qtm_errmsg(m)));
    qtm_close(t);
    qtm_close(m);
    if (report)
        *report = r;
    else
        json_decref(r);
    return st;
}
