/*
 * store.c - picks the storage backend by the database name.
 *
 * One table of backends: a "scheme://" name goes to its scheme's row, any
 * other name is a path and goes to SQLite.  A row without an open function
 * names a backend this qtm was not built with (PostgreSQL without libpq);
 * a scheme no row names is refused, never taken for a path.
 */
#include "store.h"
#include "qtm_config.h"   /* QTM_HAVE_PG: the build found libpq */

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The path row (scheme NULL) is last: it takes every name no scheme matched. */
#if QTM_HAVE_PG
#define PG_OPEN qtmi_store_pg_open
#else
#define PG_OPEN NULL
#endif
static const store_backend backends[] = {
    {.scheme = "postgresql", .label = "PostgreSQL", .open = PG_OPEN},
    {.scheme = "postgres", .label = "PostgreSQL", .open = PG_OPEN},
    {.scheme = NULL, .label = "SQLite", .open = qtmi_store_sqlite_open},
};

/* The length of name's "scheme://" prefix's scheme (RFC 3986: a letter,
 * then letters, digits, '+', '-', '.'), 0 when name has none. */
static size_t scheme_len(const char *name)
{
    size_t n = 0;
    if (!isalpha((unsigned char)name[0]))
        return 0;
    while (isalnum((unsigned char)name[n]) || name[n] == '+' || name[n] == '-' || name[n] == '.')
        n++;
    return strncmp(name + n, "://", 3) == 0 ? n : 0;
}

/* The row for name: its scheme's, the path row for a name without one, or
 * NULL for a scheme no row names. */
static const store_backend *backend_for(const char *name)
{
    const store_backend *b = backends;
    size_t len = scheme_len(name);
    if (!len)
        return &backends[sizeof backends / sizeof backends[0] - 1];
    for (; b->scheme; b++)
        if (strlen(b->scheme) == len && strncasecmp(name, b->scheme, len) == 0)
            return b;
    return NULL;
}

store *qtmi_store_open(const char *name, int create, store_rc *rc, char *msg, size_t msglen)
{
    const store_backend *b = backend_for(name);
    if (!b) {
        /* the scheme holds only [A-Za-z0-9+.-]: safe to quote as it is */
        size_t n = scheme_len(name);
        snprintf(msg, msglen, "no storage backend for scheme '%.*s' (a path is SQLite; "
                 "postgresql:// is PostgreSQL)", (int)(n > 40 ? 40 : n), name);
        *rc = STORE_UNSUPPORTED;
        return NULL;
    }
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

/* --- names as they may be printed ----------------------------------------- */

/* Where qtmi_store_redact writes: out[0..n), cut when full (the cut keeps
 * the NUL: len never passes n - 1). */
typedef struct redact_buf {
    char *out;
    size_t n, len;
} redact_buf;

static void redact_put(redact_buf *b, const char *p, size_t len)
{
    size_t room = b->n - 1 - b->len;
    if (len > room)
        len = room;
    memcpy(b->out + b->len, p, len);
    b->len += len;
    b->out[b->len] = '\0';
}

/* Is name[i] the start of a "password=" query parameter (just after '?'
 * or '&')?  Keys are matched without regard to case. */
static int password_key(const char *name, size_t i)
{
    return i > 0 && (name[i - 1] == '?' || name[i - 1] == '&') &&
           strncasecmp(name + i, "password=", 9) == 0;
}

/* libpq's URI: scheme://[user[:password]@][host][/dbname][?params].  Two
 * spans are masked, and their union is what "***" replaces: the password
 * of the user information (from its first ':' to the last '@' before the
 * first '/': a password holding an '@' unencoded stays masked whole), and
 * the value of every password= parameter, up to the next '&' (looked for
 * everywhere, also inside the first span: the two may overlap). */
void qtmi_store_redact(const char *name, char *out, size_t n)
{
    redact_buf b = {out, n, 0};
    out[0] = '\0';
    size_t slen = scheme_len(name);
    if (!slen) {
        redact_put(&b, name, strlen(name));
        return;
    }
    size_t auth = slen + 3, end = auth + strcspn(name + auth, "/"), at = 0, colon = 0;
    for (size_t i = auth; i < end; i++)
        if (name[i] == '@')
            at = i;
    for (size_t i = auth; at && i < at && !colon; i++)
        if (name[i] == ':')
            colon = i;
    size_t value_end = 0;          /* a password= value runs up to here */
    int was_masked = 0;
    for (size_t i = 0; name[i];) {
        int in_user = colon && i > colon && i < at;
        if (i >= value_end && password_key(name, i)) {
            value_end = i + 9 + strcspn(name + i + 9, "&");
            if (!in_user) {
                redact_put(&b, name + i, 9);
                i += 9;
                was_masked = 0;
                continue;
            }
        }
        int masked = in_user || i < value_end;
        if (masked && !was_masked)
            redact_put(&b, "***", 3);
        else if (!masked)
            redact_put(&b, name + i, 1);
        was_masked = masked;
        i++;
    }
}
