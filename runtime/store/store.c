/*
 * store.c - picks the storage backend by the database name.
 *
 * One table of backends: a "scheme://" name goes to its scheme's row, any
 * other name is a path and goes to SQLite.  A row without an open function
 * names a backend this qtm was not built with (PostgreSQL, for now).
 */
#include "store.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The path row (scheme NULL) is last: it takes every name no scheme matched. */
static const store_backend backends[] = {
    {.scheme = "postgresql", .label = "PostgreSQL", .open = NULL},
    {.scheme = "postgres", .label = "PostgreSQL", .open = NULL},
    {.scheme = NULL, .label = "SQLite", .open = qtmi_store_sqlite_open},
};

/* The row for name: its "scheme://" prefix, else the path row. */
static const store_backend *backend_for(const char *name)
{
    const store_backend *b = backends;
    for (; b->scheme; b++) {
        size_t len = strlen(b->scheme);
        if (strncasecmp(name, b->scheme, len) == 0 && strncmp(name + len, "://", 3) == 0)
            break;
    }
    return b;
}

store *qtmi_store_open(const char *name, int create, store_rc *rc, char *msg, size_t msglen)
{
    const store_backend *b = backend_for(name);
    if (!b->open) {
        snprintf(msg, msglen, "%s support is not built in: give the path of an SQLite file",
                 b->label);
        *rc = STORE_UNSUPPORTED;
        return NULL;
    }
    store *st = b->open(name, create, rc, msg, msglen);
    if (st && st->vt->version != STORE_VT_VERSION) {
        snprintf(msg, msglen, "the %s backend was built for storage interface %u, not %u",
                 b->label, st->vt->version, (unsigned)STORE_VT_VERSION);
        store_close(st);
        *rc = STORE_UNSUPPORTED;
        return NULL;
    }
    return st;
}
