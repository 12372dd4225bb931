/*
 * output.c - write every output through a temporary file and rename; see
 * output.h.  The temporary lives in the target's directory so that rename
 * is atomic (same file system).
 */
#include "output.h"

#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void output_add(output_set *o, const char *dir, const char *name, char *data)
{
    XGROW(o->v, o->cap, o->n + 1);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    o->v[o->n].path = path;
    o->v[o->n].data = data;
    o->n++;
}

int output_mkdirs(const char *dir)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, dir, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int output_commit(output_set *o)
{
    int rc = -1;
    char **tmp = xcalloc(o->n + 1, sizeof *tmp);
    /* refuse before writing anything when a target cannot be replaced */
    for (size_t i = 0; i < o->n; i++) {
        struct stat st;
        if (stat(o->v[i].path, &st) == 0 && S_ISDIR(st.st_mode)) {
            fprintf(stderr, "qtmc: error: cannot write %s: it is a directory\n", o->v[i].path);
            free(tmp);
            return -1;
        }
    }
    for (size_t i = 0; i < o->n; i++) {
        size_t n = strlen(o->v[i].path) + 16;
        tmp[i] = xmalloc(n);
        snprintf(tmp[i], n, "%s.tmp.XXXXXX", o->v[i].path);
        int fd = mkstemp(tmp[i]);
        if (fd < 0) {
            fprintf(stderr, "qtmc: error: cannot create %s: %s\n", o->v[i].path,
                    strerror(errno));
            free(tmp[i]);
            tmp[i] = NULL;
            goto cleanup;
        }
        FILE *f = fdopen(fd, "w");
        if (!f) {
            close(fd);
            fprintf(stderr, "qtmc: error: cannot write %s: %s\n", o->v[i].path,
                    strerror(errno));
            goto cleanup;
        }
        size_t len = strlen(o->v[i].data);
        int bad = fwrite(o->v[i].data, 1, len, f) != len;
        if (fclose(f) != 0)
            bad = 1;
        if (bad) {
            fprintf(stderr, "qtmc: error: cannot write %s: %s\n", o->v[i].path,
                    strerror(errno));
            goto cleanup;
        }
        /* mkstemp makes 0600; generated files are ordinary sources */
        mode_t mask = umask(0);
        umask(mask);
        chmod(tmp[i], 0666 & ~mask);
    }
    for (size_t i = 0; i < o->n; i++) {
        if (rename(tmp[i], o->v[i].path) != 0) {
            fprintf(stderr, "qtmc: error: cannot rename into %s: %s\n", o->v[i].path,
                    strerror(errno));
            goto cleanup;
        }
        free(tmp[i]);
        tmp[i] = NULL;
    }
    rc = 0;
cleanup:
    for (size_t i = 0; i < o->n; i++)
        if (tmp[i]) {
            unlink(tmp[i]);
            free(tmp[i]);
        }
    free(tmp);
    return rc;
}

void output_free(output_set *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].path);
        free(o->v[i].data);
    }
    free(o->v);
    o->v = NULL;
    o->n = o->cap = 0;
}
