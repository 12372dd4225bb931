/*
 * sema_int.h - state shared by the sema layers (internal to compiler/).
 */
#ifndef QTMC_SEMA_INT_H
#define QTMC_SEMA_INT_H

#include "sema.h"
#include "strmap.h"

/* Execution keys. ORDER: matches exec_keys in sema_names.c. */
enum { EX_CLAIM, EX_OWNERSHIP, EX_RECORD, EX_PAYMENT, EX_COMPLETED, EX_COUNT };

typedef struct sema {
    arena *a;
    diag_ctx *d;
    const source *src;
    const ast_surface *ast;
    model *m;
    strmap phase_map;              /* phase name -> index */
    strmap event_map;              /* event name -> index */
    int have_exec[EX_COUNT];       /* which execution keys were given (-1: badly) */
    int exec_meant[EX_COUNT];      /* a misspelt key suggested this one */
    int lifecycle_ok;              /* a lifecycle block exists */
    int graph_ok;                  /* exactly one initial phase */
    int dropped_transitions;       /* some transition had a bad endpoint */
    src_loc evidence_loc;          /* the evidence block, or the surface */
    src_loc record_loc;
    src_loc payment_loc;           /* where payment_timing was set */
    src_loc ownership_loc, claim_loc;
    const char **phase_names;      /* for suggestions, built on first need */
    const ast_ident **record_ids;  /* record fields as written, for locations */
    const ast_ident **ev_required_ids;
    const ast_ident **ev_optional_ids;
    ptrvec migrate_blocks;         /* const ast_block* of kind BLK_MIGRATE */
    int retained;                  /* SEMA_RETAINED: Q208 and Q414 are not checked */
} sema;

/* Event names Q411 refuses (settlement driving execution), NULL-ended. */
extern const char *const sema_settlement_events[];

void sema_names(sema *s);
void sema_graph(sema *s);
void sema_determinism(sema *s);
void sema_governance(sema *s);
void sema_completeness(sema *s);
void sema_migrate(sema *s);

#endif
