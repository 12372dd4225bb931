/*
 * diff.h - `qtmc diff OLD.qsm NEW.qsm`: the semantic change list between
 * two checked models of a surface.
 *
 * Changes are found on the models (compiler/model.h), never on the text:
 * reformatting or reordering a spec is no change.  Each change is tagged
 * breaking when a job already in flight under OLD could not simply go on
 * under NEW (a phase or transition it may need is gone, a step now
 * requires more, the contract changed), compatible otherwise.
 */
#ifndef QTMC_DIFF_H
#define QTMC_DIFF_H

#include <stdio.h>

#include "arena.h"
#include "model.h"

/* One change between two models. */
typedef struct diff_change {
    const char *area;              /* "phase", "transition", "event", "role", "execution",
                                      "evidence", "intake", "record", "identity", "migration" */
    const char *text;              /* "phase `arrived` removed" */
    int breaking;                  /* 1: breaking for in-flight jobs */
} diff_change;

typedef struct diff_list {
    diff_change *v;                /* in arena a */
    size_t n, cap;
    size_t nbreaking;
} diff_list;

/* Computes the changes from old to new into l (strings in a).  Cannot
 * fail (the arena aborts on out-of-memory). */
void diff_models(const model *old, const model *new_m, arena *a, diff_list *l);

/*
 * diff_files - `qtmc diff [--json] OLD.qsm NEW.qsm` (options parsed in
 * cli.c): both specs are compiled with every check; diagnostics go to
 * stderr, the change list (text, or one JSON object) to stdout.  Returns
 * the exit status: 0 no breaking change, 1 breaking changes, 2 bad input
 * (diagnostics) or unreadable file.
 */
int diff_files(const char *old_path, const char *new_path, int json);

#endif
