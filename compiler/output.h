/*
 * output.h - all-or-nothing file output.
 *
 * Outputs are queued in memory; output_commit() writes each to a temporary
 * file beside its target and, only when every one was written, renames them
 * into place.  On failure every temporary is removed, so an error never
 * leaves a partial or stale generated file behind.
 */
#ifndef QTMC_OUTPUT_H
#define QTMC_OUTPUT_H

#include <stddef.h>

typedef struct output_file {
    char *path;                    /* malloc'd */
    char *data;                    /* malloc'd, NUL-terminated */
} output_file;

typedef struct output_set {
    output_file *v;
    size_t n, cap;
} output_set;

/* Takes ownership of data. */
void output_add(output_set *o, const char *dir, const char *name, char *data);
/* Returns 0, or -1 after printing "qtmc: error: ..." (exit status 3). */
int output_commit(output_set *o);
void output_free(output_set *o);
/* Creates dir and its parents if missing; 0 or -1 (errno set). */
int output_mkdirs(const char *dir);

#endif
