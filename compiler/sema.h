/*
 * sema.h - check a parsed surface and build its model.
 *
 * Checks run in layers (names, graph, determinism, governance,
 * completeness), each in its own sema_<layer>.c.  A layer skips what an
 * earlier layer already found broken, so every independent error is
 * reported once and no error is a consequence of another.
 */
#ifndef QTMC_SEMA_H
#define QTMC_SEMA_H

#include "ast.h"
#include "diag.h"
#include "model.h"

/*
 * sema_check - checks s and returns its model (in arena a, with json and
 * fingerprint filled), or NULL when any error was reported to d.
 * The caller releases the model with model_release().
 */
model *sema_check(const ast_surface *s, arena *a, diag_ctx *d);

/*
 * sema_check_flags - the same, with SEMA_RETAINED for a retained spec: an
 * older version of a surface kept for its jobs in flight (a newer spec
 * declares `migrate from` its fingerprint, or it is qtmc diff's OLD).  It
 * was shipped before the checks the language gained later, and its tables
 * and fingerprint must stay what that release built, so exactly those
 * checks are skipped: Q208 (a way into a final phase without an outcome)
 * and Q414 (an admin transition out of the initial phase).  Every other
 * check applies; a current spec always gets them all.
 */
enum { SEMA_RETAINED = 1u };
model *sema_check_flags(const ast_surface *s, arena *a, diag_ctx *d, unsigned flags);

/*
 * sema_migrate_against - checks new_m's `migrate from` block naming old's
 * fingerprint against the older spec itself (both checked clean): the old
 * phase names exist there (Q605), every phase of it that can hold a job in
 * flight is mapped explicitly or by name (Q606), and no mapping puts a job
 * where it cannot be (Q607).  Diagnostics go to d against new_m's source.
 * Does nothing when new_m declares no migration from old.
 */
void sema_migrate_against(const model *new_m, const model *old, diag_ctx *d);

#endif
