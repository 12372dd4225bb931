/*
 * sema.c - runs the check layers in order and finishes the model.
 */
#include "sema_int.h"

#include <string.h>

#include "xalloc.h"

model *sema_check(const ast_surface *ast, arena *a, diag_ctx *d)
{
    return sema_check_flags(ast, a, d, 0);
}

model *sema_check_flags(const ast_surface *ast, arena *a, diag_ctx *d, unsigned flags)
{
    unsigned before = diag_error_count(d);
    sema s;
    memset(&s, 0, sizeof s);
    s.a = a;
    s.d = d;
    s.src = ast->src;
    s.ast = ast;
    s.retained = (flags & SEMA_RETAINED) != 0;
    s.m = arena_alloc(a, sizeof *s.m);
    s.m->src = ast->src;
    strmap_init(&s.phase_map, a);
    strmap_init(&s.event_map, a);

    sema_names(&s);
    sema_graph(&s);
    sema_determinism(&s);
    sema_governance(&s);
    sema_completeness(&s);
    sema_migrate(&s);

    if (diag_error_count(d) != before)
        return NULL;
    if (model_finish(s.m) != 0)
        qtmc_oom();  /* its only failure: memory for the JSON text */
    return s.m;
}
