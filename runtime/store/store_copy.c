/*
 * store_copy.c - the tables `qtm db copy` copies and the text of their
 * copy statements, for either backend.
 *
 * ORDER: parents before children (a row's foreign keys name rows already
 * copied; payments.reversal_of names an earlier payment, so id order
 * holds).  A table added to the schema of either backend is added here,
 * with both backends' column names, or the copy leaves it behind: verify
 * on the target finds a governed row that is missing.
 */
#include "store_copy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The columns and key of a table both backends name alike. */
#define SAME(table, cols, key, identity) {table, cols, cols, key, key, identity, 0}

const store_copy_table qtmi_copy_tables[] = {
    SAME("actors", "id, slug, name, role, access, created_at", "id", "id"),
    SAME("tokens", "id, actor_id, hash, created_at, revoked_at, expires_at, last_used_at", "id",
         "id"),
    SAME("sessions", "id, hash, token_id, csrf, created_at, expires_at", "id", "id"),
    {"keys", "rowid, id, public_key, created_at", "n, id, public_key, created_at", "rowid", "n",
     "n", 0},
    SAME("blobs", "id, hash, type, size, actor_id, uploaded_at", "id", "id"),
    SAME("blob_chunks", "blob_id, seq, data", "blob_id, seq", NULL),
    SAME("blob_thumbs", "blob_id, type, data, hash", "blob_id", NULL),
    /* who uploaded a file: no query reads them in any order; SQLite's
     * rowid is the order they came in, PostgreSQL keeps none */
    {"blob_uploaders", "blob_id, actor_id", "blob_id, actor_id", "rowid",
     "blob_id, actor_id NULLS FIRST", NULL, 0},
    SAME("requests", "id, surface, fingerprint, intake, photos, idem_key, actor_id, created_at",
         "id", "id"),
    {"request_photos", "rowid, request_id, blob_id", "n, request_id, blob_id", "rowid", "n", "n",
     0},
    SAME("tasks", "id, request_id, state, assignee_id, reason, created_at, updated_at", "id",
         "id"),
    SAME("jobs", "id, task_id, surface, fingerprint, state, owner_id, created_at, claimed_at,"
         " completed_at", "id", "id"),
    SAME("service_events", "id, job_id, phase, operator_id, complete, started_at, completed_at,"
         " outcome, reason", "id", "id"),
    SAME("evidence", "id, job_id, category, ref, note, actor_id, at, blob_id", "id", "id"),
    SAME("participants", "id, job_id, name, role, contact, actor_id, at", "id", "id"),
    SAME("records", "id, job_id, se_id, surface, body, hash, created_at", "id", "id"),
    SAME("record_signatures", "record_id, key_id, signature", "record_id", NULL),
    SAME("settlements", "job_id, currency, due, status, updated_at", "job_id", NULL),
    SAME("payments", "id, job_id, amount, currency, method, note, actor_id, at, reversal_of,"
         " reason", "id", "id"),
    SAME("handoffs", "id, job_id, action, from_id, to_id, reason, actor_id, at", "id", "id"),
    SAME("notes", "id, job_id, text, actor_id, at", "id", "id"),
    /* the audit ids are the chain's positions, never an identity */
    SAME("audit", "id, at, actor, entity, entity_id, action, from_state, to_state, job_id,"
         " prev_hash, hash, image", "id", NULL),
    /* last: the head names the last audit row; its schema column is the
     * target's own */
    {"chain_head", "seq, hash, legacy_seq", "seq, hash, legacy_seq", "id", "id", NULL, 1},
};
const int qtmi_copy_ntables = (int)(sizeof qtmi_copy_tables / sizeof qtmi_copy_tables[0]);

/* Appends to buf at *at; -1 once it no longer fits. */
static int put(char *buf, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = *at < len ? vsnprintf(buf + *at, len - *at, fmt, ap) : -1;
    va_end(ap);
    if (n < 0 || (size_t)n >= len - *at)
        return -1;
    *at += (size_t)n;
    return 0;
}

int qtmi_copy_ncols(int table)
{
    if (table < 0 || table >= qtmi_copy_ntables)
        return 0;
    int n = 1;
    for (const char *p = qtmi_copy_tables[table].sqlite_cols; *p; p++)
        n += *p == ',';
    return n;
}

/* "UPDATE t SET a = ?1, b = ?2 WHERE id = 1" (the head), or "INSERT INTO
 * t(cols) VALUES(?1, ?2)"; PostgreSQL's $N also write an identity column. */
static int write_sql(const store_copy_table *t, copy_dialect d, char *buf, size_t len)
{
    const char *cols = d == COPY_PG ? t->pg_cols : t->sqlite_cols, mark = d == COPY_PG ? '$' : '?';
    size_t at = 0;
    int n = 0, rc = t->head ? put(buf, len, &at, "UPDATE %s SET ", t->name)
                            : put(buf, len, &at, "INSERT INTO %s(%s)%s VALUES(", t->name, cols,
                                  d == COPY_PG ? " OVERRIDING SYSTEM VALUE" : "");
    for (const char *c = cols; *c && rc == 0;) {
        size_t w = strcspn(c, ",");
        if (t->head)
            rc = put(buf, len, &at, "%s%.*s = %c%d", n ? ", " : "", (int)w, c, mark, n + 1);
        else
            rc = put(buf, len, &at, "%s%c%d", n ? ", " : "", mark, n + 1);
        n++;
        c += w;
        c += strspn(c, ", ");
    }
    return rc ? rc : put(buf, len, &at, t->head ? " WHERE id = 1" : ")");
}

int qtmi_copy_sql(int table, copy_dialect d, copy_stmt k, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    if (table < 0 || table >= qtmi_copy_ntables || !len)
        return -1;
    const store_copy_table *t = &qtmi_copy_tables[table];
    size_t at = 0;
    int rc = k == COPY_READ ? put(buf, len, &at, "SELECT %s FROM %s ORDER BY %s",
                                  d == COPY_PG ? t->pg_cols : t->sqlite_cols, t->name,
                                  d == COPY_PG ? t->pg_key : t->sqlite_key)
                            : write_sql(t, d, buf, len);
    if (rc)
        buf[0] = '\0';
    return rc;
}
