/*
 * qtm_surface.h - the contract between qtmc's generated tables and libqtm.
 *
 * qtmc writes one `const qtm_surface` per .qsm file; the runtime reads it and
 * contains no surface-specific code.  Everything here is plain const data, so
 * a surface costs no initialisation and tables live in read-only memory.
 *
 * Invariants the compiler guarantees for every emitted surface:
 *   - exactly one initial phase; at least one final phase; no transition
 *     leaves a final phase; every phase is reachable and can reach a final;
 *   - next[p * nevents + e] is the index of the only transition on event e
 *     from phase p, or QTM_NO_TRANSITION (the table is deterministic);
 *   - `model_json`, concatenated, is the checked model exactly as
 *     `qtmc --emit json` prints it, and `fingerprint` is the SHA-256 of its
 *     canonical form (compact, sorted keys, ASCII escapes, without the
 *     "fingerprint" and "migrations" members);
 *   - per slug the registry holds exactly one current surface (retained ==
 *     0) and any number of retained ones: older specs of the slug that a
 *     newer one declares `migrate from`, kept so jobs created under them
 *     run under their own tables until migrated;
 *   - a migration's maps name old phases as written and a valid index
 *     here; an old phase not listed moves to the phase of the same name;
 *   - every transition into a final phase has a non-empty outcome, no
 *     other has one (a retained spec compiled before outcomes existed has
 *     none: its records carry the final phase's name instead);
 *   - no transition by admin leaves the initial phase (a retained spec
 *     from before Q414 may have one: landscaping v1's admin cancel);
 *   - a summary part's field indexes `fields`.
 *
 * QTM_SURFACE_ABI changes whenever a struct below changes layout; the
 * runtime refuses tables built for another ABI.
 */
#ifndef QTM_SURFACE_H
#define QTM_SURFACE_H

#include <stdint.h>

#include "qtm_vocab.h"   /* the conditions (QTM_REQ_*) and field types */

#define QTM_SURFACE_ABI 3          /* bump on any layout change below
                                      (2: retained specs and migrations;
                                      3: outcomes, integer bounds, summary) */
#define QTM_NO_TRANSITION (-1)     /* empty cell of the next[] table */
#define QTM_SPEC_V0_01 "surface-runtime-spec-v0.01"
#define QTM_VERSION "0.1.0"         /* the release: qtmc --version and qtm --version */

/* Surface runtime status (identity). ORDER: matches qtmc's model.c. */
typedef enum qtm_surface_status {
    QTM_STATUS_ACTIVE = 0,         /* may receive requests */
    QTM_STATUS_PLANNED = 1,        /* declared, not yet taking work */
    QTM_STATUS_DEPRECATED = 2      /* in-flight jobs only */
} qtm_surface_status;

/* Execution contract: who must claim before execution begins. */
typedef enum qtm_claim {
    QTM_CLAIM_REQUIRED = 0,        /* a claim transition opens execution */
    QTM_CLAIM_OPTIONAL = 1,        /* work may start with or without claim */
    QTM_CLAIM_NONE = 2             /* no claim step at all */
} qtm_claim;

/* Execution contract: who owns execution after the claim. */
typedef enum qtm_ownership {
    QTM_OWNERSHIP_ASSIGNED = 0,    /* only the task's assignee claims; owner advances */
    QTM_OWNERSHIP_POOL = 1,        /* any active operator may claim */
    QTM_OWNERSHIP_NONE = 2         /* no owner is recorded */
} qtm_ownership;

/* Execution contract: where execution truth is kept. */
typedef enum qtm_exec_record {
    QTM_RECORD_SERVICE_EVENT = 0   /* the ServiceEvent (only kind in v0.01) */
} qtm_exec_record;

/* Execution contract: how settlement relates to completion. */
typedef enum qtm_payment_timing {
    QTM_PAY_INDEPENDENT = 0,       /* payment recordable any time; never gates */
    QTM_PAY_BEFORE_COMPLETE = 1,   /* a `requires payment` transition gates completion */
    QTM_PAY_AFTER_COMPLETE = 2     /* payment recordable only once complete */
} qtm_payment_timing;

/* Execution contract: whether completed jobs stay on the desk. */
typedef enum qtm_completed_jobs {
    QTM_COMPLETED_VISIBLE = 0,     /* shown in the Completed column */
    QTM_COMPLETED_HIDDEN = 1       /* dropped from desk views */
} qtm_completed_jobs;

/* Who may fire a transition: a bit set of roles plus the owner bit. */
enum {
    QTM_BY_ADMIN = 1u << 0,        /* an active admin actor */
    QTM_BY_OPERATOR = 1u << 1,     /* any active operator (claim, or pool work) */
    QTM_BY_OWNER = 1u << 2         /* only the operator who owns the ServiceEvent */
};

typedef struct qtm_phase {
    const char *name;              /* snake_case identifier */
    const char *label;             /* operator-facing label, "" if none */
    const char *hint;              /* longer guidance, "" if none */
    uint8_t initial;               /* 1 for the single initial phase */
    uint8_t final;                 /* 1 for terminal phases */
} qtm_phase;

typedef struct qtm_transition {
    uint16_t from;                 /* phase index */
    uint16_t to;                   /* phase index */
    uint16_t event;                /* event index */
    uint8_t by;                    /* QTM_BY_* bits */
    uint8_t requires;              /* QTM_REQ_* bits */
    uint8_t claim;                 /* 1 if this transition is the claim */
    const char *outcome;           /* into a final phase: what it means
                                      (delivered, closed); "" otherwise */
} qtm_transition;

typedef struct qtm_field {
    const char *section;           /* intake section name */
    const char *name;              /* field name within the section */
    uint8_t type;                  /* qtm_field_type */
    uint8_t required;              /* 1 if the packet must carry it */
    uint32_t max_len;              /* byte limit for strings */
    uint16_t nchoices;             /* number of choices for QTM_FIELD_CHOICE */
    const char *const *choices;    /* the allowed values, or NULL */
    uint8_t has_min, has_max;      /* QTM_FIELD_INTEGER bounds given */
    int64_t min, max;              /* inclusive */
} qtm_field;

/* One part of the request summary: a field's value or literal text. */
typedef struct qtm_summary_part {
    int32_t field;                 /* index into fields, or -1 for text */
    const char *text;              /* the literal, "" for a field */
} qtm_summary_part;

/* One `old -> new` line of a migrate block. */
typedef struct qtm_phase_map {
    const char *from;              /* phase name in the older spec */
    uint16_t to;                   /* phase index in this surface */
} qtm_phase_map;

/* `migrate from "sha256:..." { ... }`: how jobs of an older fingerprint move here. */
typedef struct qtm_migration {
    const char *from;              /* fingerprint of the older spec */
    uint16_t nmaps;                /* explicit mappings; other phases: same name */
    const qtm_phase_map *maps;
} qtm_migration;

typedef struct qtm_surface {
    uint32_t abi;                  /* QTM_SURFACE_ABI at generation time */
    const char *slug;              /* e.g. "event-coordination" */
    const char *name;              /* display name */
    const char *spec;              /* runtime spec, QTM_SPEC_V0_01 */
    uint8_t status;                /* qtm_surface_status */
    uint8_t claim;                 /* qtm_claim */
    uint8_t ownership;             /* qtm_ownership */
    uint8_t exec_record;           /* qtm_exec_record */
    uint8_t payment_timing;        /* qtm_payment_timing */
    uint8_t completed_jobs;        /* qtm_completed_jobs */

    uint16_t nphases;              /* lifecycle phases, in declaration order */
    uint16_t initial;              /* index of the initial phase */
    const qtm_phase *phases;

    uint16_t nevents;              /* distinct events, in first-use order */
    const char *const *events;

    uint32_t ntransitions;
    const qtm_transition *transitions;
    const int32_t *next;           /* nphases * nevents cells */

    uint16_t nev_required;         /* evidence contract */
    const char *const *ev_required;
    uint16_t nev_optional;
    const char *const *ev_optional;
    uint32_t ev_min_per_category;

    uint16_t nfields;              /* intake schema, section by section */
    const qtm_field *fields;
    uint32_t photo_min;            /* photos required at submit */

    uint16_t nrecord;              /* ServiceEvent fields the record carries */
    const char *const *record;

    const char *fingerprint;       /* "sha256:<64 hex>" of the canonical model */
    const char *const *model_json; /* the checked model as --emit json prints it,
                                      in fragments (C limits literal length):
                                      concatenate until NULL */
    uint8_t retained;              /* 0: the current spec of its slug; 1: an older
                                      one kept for jobs created under it */
    uint16_t nmigrations;          /* older fingerprints this spec migrates from */
    const qtm_migration *migrations;

    uint16_t nsummary;             /* `summary { ... }`; 0 when not declared */
    const qtm_summary_part *summary;
} qtm_surface;

/* The registry qtmc writes (qtm_registry.c): every compiled surface. */
extern const qtm_surface *const qtm_registry[];
extern const unsigned qtm_registry_count;

/*
 * qtm_surface_next - the transition that event `event` fires from `phase`.
 * Returns a pointer into s->transitions or NULL when the tables allow none.
 * Cannot fail; out-of-range indexes give NULL.
 */
static inline const qtm_transition *
qtm_surface_next(const qtm_surface *s, unsigned phase, unsigned event)
{
    if (phase >= s->nphases || event >= s->nevents)
        return 0;
    int32_t t = s->next[(uint32_t)phase * s->nevents + event];
    return t == QTM_NO_TRANSITION ? 0 : &s->transitions[t];
}

#endif /* QTM_SURFACE_H */
