/*
 * driver.c - load files and run parse + sema over each; see driver.h.
 */
#include "driver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parse.h"
#include "sema.h"
#include "strmap.h"
#include "xalloc.h"

int driver_load(const char *path, source *s)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        fclose(f);
        errno = EISDIR;
        return -1;
    }
    size_t cap = 0, len = 0;
    char *buf = NULL;
    /* read at most one chunk past the limit: enough to say it is too big */
    while (len <= QSM_MAX_SOURCE) {
        XGROW(buf, cap, len + 65536);
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        errno = EIO;
        return -1;
    }
    buf[len] = '\0';
    s->text = buf;
    s->size = len;
    return 0;
}

void driver_unload(source *s)
{
    free((char *)s->text);
    s->text = NULL;
}

/* Does m declare `migrate from` the fingerprint of old? */
static int migrates_from(const model *m, const model *old)
{
    if (!m || !old || m == old || strcmp(m->fingerprint, old->fingerprint) == 0)
        return 0;
    for (uint32_t i = 0; i < m->nmigrations; i++)
        if (strcmp(m->migrations[i].from, old->fingerprint) == 0)
            return 1;
    return 0;
}

/*
 * Settles the sources that define one slug (idx[0..n), in argument order).
 * One of them is current: the one no other declares `migrate from`; every
 * other must be named by some `migrate from` (history: it is retained for
 * jobs in flight), else it is a second definition (Q118) and is dropped.
 * Each migration whose older spec is here is checked against it.
 */
static void settle_slug(const source *srcs, model **ms, const ast_surface **asts,
                        const size_t *idx, size_t n, arena *a, diag_ctx *d)
{
    size_t current = n;
    for (size_t i = 0; i < n; i++) {
        if (!ms[idx[i]])
            continue;  /* its own errors are reported; it is no definition */
        int named = 0;
        for (size_t k = 0; k < n && !named; k++)
            named = migrates_from(ms[idx[k]], ms[idx[i]]);
        if (named)
            continue;
        if (current == n) {
            current = i;
            continue;
        }
        diag_error(d, &srcs[idx[i]], asts[idx[i]]->slug.loc, "Q118",
                   "surface `%s` is already defined by %s", asts[idx[i]]->slug.name,
                   srcs[idx[current]].path);
        diag_note(d, NULL, (src_loc){0, 0, 0},
                  "To keep an older spec for jobs in flight, the newer one declares "
                  "`migrate from \"%s\"`.", ms[idx[current]]->fingerprint);
        model_release(ms[idx[i]]);
        ms[idx[i]] = NULL;
    }
    int any = 0;
    for (size_t i = 0; i < n; i++)
        any |= ms[idx[i]] != NULL;
    if (current == n && any) {
        /* every one names another: the migrations go round in a circle */
        diag_error(d, &srcs[idx[0]], asts[idx[0]]->slug.loc, "Q118",
                   "surface `%s` is defined by %zu specs that each migrate from another; "
                   "one must be the newest", asts[idx[0]]->slug.name, n);
        return;
    }
    if (current == n)
        return;  /* none checked clean */
    model *cur = ms[idx[current]];
    for (size_t i = 0; i < n; i++) {
        model *m = ms[idx[i]];
        if (!m || i == current)
            continue;
        m->retained = 1;
        m->current_cname = cur ? cur->cname : m->cname;
        /* retained tables live beside the current ones: a name of their own */
        m->cname = arena_printf(a, "%s__v%.12s", m->cname, m->fingerprint + 7);
    }
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < n; j++)
            if (migrates_from(ms[idx[k]], ms[idx[j]]))
                sema_migrate_against(ms[idx[k]], ms[idx[j]], d);
}

/*
 * Marks in retained[] the sources another source of the same slug declares
 * `migrate from`: the older specs kept for jobs in flight.  That takes each
 * one's fingerprint, so their models are built once here, checked as
 * retained and silently (a scratch arena and diagnostics thrown away); the
 * real check then relaxes exactly these (sema.h) and reports the rest.
 * Only slugs given more than once cost anything.
 */
static void find_retained(const ast_surface **asts, size_t n, char *retained)
{
    arena sa;
    diag_ctx sd;
    arena_init(&sa);
    diag_init(&sd, &sa);
    model **ms = arena_alloc(&sa, (n + 1) * sizeof *ms);
    for (size_t i = 0; i < n; i++) {
        int shared = 0;
        for (size_t j = 0; j < n && asts[i] && !shared; j++)
            shared = j != i && asts[j] && strcmp(asts[j]->slug.name, asts[i]->slug.name) == 0;
        ms[i] = shared ? sema_check_flags(asts[i], &sa, &sd, SEMA_RETAINED) : NULL;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n && ms[i] && !retained[i]; j++)
            retained[i] = ms[j] && strcmp(ms[j]->slug, ms[i]->slug) == 0 &&
                          migrates_from(ms[j], ms[i]);
    for (size_t i = 0; i < n; i++)
        if (ms[i])
            model_release(ms[i]);
    arena_free(&sa);
}

model **driver_compile(const source *srcs, size_t n, arena *a, diag_ctx *d, size_t *nmodels)
{
    return driver_compile_flags(srcs, n, a, d, nmodels, 0);
}

model **driver_compile_flags(const source *srcs, size_t n, arena *a, diag_ctx *d,
                             size_t *nmodels, unsigned flags)
{
    model **out = arena_alloc(a, (n + 1) * sizeof *out);
    const ast_surface **asts = arena_alloc(a, (n + 1) * sizeof *asts);
    size_t *idx = arena_alloc(a, (n + 1) * sizeof *idx);
    char *done = arena_alloc(a, n + 1);
    char *retained = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        asts[i] = parse_source(&srcs[i], a, d);
    if (flags & DRIVER_ALL_RETAINED)
        memset(retained, 1, n);
    else
        find_retained(asts, n, retained);
    for (size_t i = 0; i < n; i++)
        out[i] = asts[i] ? sema_check_flags(asts[i], a, d, retained[i] ? SEMA_RETAINED : 0)
                         : NULL;
    /* group by slug, in order of first appearance */
    for (size_t i = 0; i < n; i++) {
        if (!asts[i] || done[i])
            continue;
        size_t k = 0;
        for (size_t j = i; j < n; j++)
            if (asts[j] && !done[j] && strcmp(asts[j]->slug.name, asts[i]->slug.name) == 0) {
                idx[k++] = j;
                done[j] = 1;
            }
        if (k > 1)
            settle_slug(srcs, out, asts, idx, k, a, d);
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
        if (out[i])
            out[j++] = out[i];
    *nmodels = j;
    return out;
}
