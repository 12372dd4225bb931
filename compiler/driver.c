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
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        /* read at most one byte past the limit: enough to say it is too big */
        if (len > QSM_MAX_SOURCE)
            break;
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
        if (len + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        errno = buf ? EIO : ENOMEM;
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

model **driver_compile(const source *srcs, size_t n, arena *a, diag_ctx *d, size_t *nmodels)
{
    model **out = arena_alloc(a, (n + 1) * sizeof *out);
    size_t k = 0;
    strmap slugs;
    strmap_init(&slugs, a);
    for (size_t i = 0; i < n; i++) {
        ast_surface *ast = parse_source(&srcs[i], a, d);
        if (!ast)
            continue;
        int64_t prev = strmap_put(&slugs, ast->slug.name, (uint32_t)i);
        model *m = sema_check(ast, a, d);
        if (prev >= 0) {
            diag_error(d, &srcs[i], ast->slug.loc, "Q118",
                       "surface `%s` is already defined by %s", ast->slug.name,
                       srcs[prev].path);
            if (m)
                model_release(m);
            continue;
        }
        out[k++] = m;  /* may be NULL; compacted below */
    }
    size_t j = 0;
    for (size_t i = 0; i < k; i++)
        if (out[i])
            out[j++] = out[i];
    *nmodels = j;
    return out;
}
