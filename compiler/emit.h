/*
 * emit.h - generators: checked model -> text (C tables, Graphviz, JSON,
 * Markdown operator guides).
 *
 * Each returns a malloc'd, NUL-terminated buffer the caller frees.  Output
 * depends only on the model and the input's base name: no dates, versions
 * or absolute paths, so the same spec always gives the same bytes.
 */
#ifndef QTMC_EMIT_H
#define QTMC_EMIT_H

#include <stdio.h>

#include "model.h"

/* One generator per --emit file kind, all of this type (cli.c's table):
 * m is a checked model, input_name the base name of its .qsm file. */
typedef char *emit_fn(const model *m, const char *input_name);

char *emit_c_header(const model *m, const char *input_name);
char *emit_c_source(const model *m, const char *input_name);
char *emit_c_registry(model *const *ms, size_t n);
/* qtm_history.c: the tables of every retained model among ms (always
 * written, so a build can link it whether or not there is history). */
char *emit_c_history(model *const *ms, size_t n);
char *emit_dot(const model *m, const char *input_name);
char *emit_json(const model *m, const char *input_name);
/* The Markdown operator guide (SLUG.md): identity, contract, Mermaid
 * lifecycle, phases, evidence, intake and record (emit_doc.c). */
char *emit_doc(const model *m, const char *input_name);
/* The model-based test paths (SLUG.paths.json): accept sequences covering
 * every transition and the refusal cases (emit_paths.c). */
char *emit_paths(const model *m, const char *input_name);

/* Shared by the generators: an in-memory stream (aborts on failure). */
FILE *emit_open(char **buf, size_t *len);
char *emit_close(FILE *f, char **buf);

#endif
