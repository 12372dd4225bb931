/*
 * driver.h - load and compile a set of .qsm sources (qtmc's library core).
 *
 * Used by qtmc's main, the unit tests and the fuzz harness alike, so every
 * path bad input can take is the one the command takes.
 */
#ifndef QTMC_DRIVER_H
#define QTMC_DRIVER_H

#include "diag.h"
#include "model.h"

/* Reads a whole file into s (text malloc'd, NUL-terminated; path borrowed).
 * Returns 0, or -1 with errno set. */
int driver_load(const char *path, source *s);
void driver_unload(source *s);

/*
 * driver_compile - parses and checks n sources; returns the models (in
 * arena a, array too) of the sources that checked clean, in argument order,
 * and stores how many in *nmodels.  Diagnostics go to d; when
 * diag_error_count(d) is non-zero the caller must write nothing.
 * A slug defined by two sources is an error (Q118), unless they are
 * versions of one surface: then the newest (named by no `migrate from`)
 * is current and each older one is marked retained, with a cname of its
 * own (SLUG__vHEX12); migrations are checked against the older specs given.
 * The caller calls model_release() on each model.
 */
model **driver_compile(const source *srcs, size_t n, arena *a, diag_ctx *d, size_t *nmodels);

/*
 * driver_compile_flags - the same; with DRIVER_ALL_RETAINED every source
 * is checked as a retained spec (sema.h: Q208 and Q414 relaxed), as qtmc
 * diff checks its OLD and fmt its meaning check.  Without it, exactly the
 * older specs some source here declares `migrate from` are checked so;
 * a spec no other names (a current one, or one given alone) gets every check.
 */
enum { DRIVER_ALL_RETAINED = 1u };
model **driver_compile_flags(const source *srcs, size_t n, arena *a, diag_ctx *d,
                             size_t *nmodels, unsigned flags);

#endif
