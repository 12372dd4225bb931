/*
 * model.h - the checked model of one surface: what the generators print.
 *
 * sema builds it from the AST; every index in it is valid (transitions with
 * an undefined endpoint never reach the model).  Strings and arrays live in
 * the compilation arena.  Name tables here are the single source of the
 * spellings used by sema, the JSON model and the C generator.
 */
#ifndef QTMC_MODEL_H
#define QTMC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "qtm/qtm_surface.h"

#define MODEL_MAX_PHASES 65535u        /* fits the uint16_t phase index */
#define MODEL_MAX_EVENTS 65535u
#define MODEL_MAX_TRANSITIONS 1000000u
#define MODEL_MAX_TABLE_CELLS (16u << 20) /* nphases * nevents */
#define MODEL_TEXT_MAX_DEFAULT 1000u      /* bytes, when `max` is not given */

typedef struct m_phase {
    const char *name;
    const char *label;             /* "" when absent (warning Q501) */
    const char *hint;              /* "" when absent */
    int initial, final;
    src_loc loc;
} m_phase;

typedef struct m_transition {
    uint32_t from, to, event;      /* indexes into phases/events */
    unsigned by;                   /* QTM_BY_* */
    unsigned requires;             /* QTM_REQ_* */
    int claim;                     /* the claim transition */
    src_loc loc;                   /* the `from` word */
    src_loc by_loc, event_loc;
    const char *by_name;           /* as written: owner, operator, admin */
    const char *outcome;           /* `outcome NAME`, "" when absent */
    src_loc outcome_loc;
} m_transition;

typedef struct m_field {
    const char *section;
    const char *name;
    unsigned type;                 /* qtm_field_type */
    int required;
    uint32_t max_len;
    const char **choices;
    uint32_t nchoices;
    int has_min, has_max;          /* integer bounds given (`min N`, `max N`) */
    uint32_t min, max;
} m_field;

/* One part of the summary: a field (index into fields) or literal text. */
typedef struct m_sumpart {
    int32_t field;                 /* -1: text */
    const char *text;              /* "" for a field */
} m_sumpart;

/* One `old -> new` line of a migrate block. */
typedef struct m_phase_map {
    const char *from;              /* phase name in the older spec, as written */
    src_loc from_loc;
    uint32_t to;                   /* phase index in this spec */
    src_loc to_loc;
} m_phase_map;

/* A `migrate from "sha256:..." { ... }` block: how jobs created under the
 * older fingerprint move to this spec.  Phases not listed move to the
 * phase of the same name here, when there is one. */
typedef struct m_migration {
    const char *from;              /* "sha256:" + 64 hex of the older spec */
    src_loc loc;                   /* the fingerprint string */
    m_phase_map *maps;             /* in source order */
    uint32_t nmaps;
} m_migration;

typedef struct model {
    const source *src;
    const char *slug, *cname;      /* cname: slug with '-' as '_' */
    src_loc slug_loc;
    const char *name, *spec;
    unsigned status, claim, ownership, exec_record, payment_timing, completed_jobs;

    m_phase *phases;
    uint32_t nphases;
    uint32_t initial;              /* valid only when exactly one was declared */

    const char **events;           /* first-use order */
    src_loc *event_locs;
    uint32_t nevents;

    m_transition *trans;
    uint32_t ntrans;
    int32_t *next;                 /* nphases * nevents; -1 = none */

    const char **ev_required, **ev_optional;
    uint32_t nev_required, nev_optional;
    uint32_t ev_min;

    const char **sections;         /* intake section names, in order */
    uint32_t nsections;
    m_field *fields;               /* grouped by section, in order */
    uint32_t nfields;
    uint32_t photo_min;
    /* accepted files (bits 1 << qtm_file_type) and bytes per file: what
     * the spec declares, else qtm_surface.h's defaults (in the model JSON,
     * and so the fingerprint, only when other than those) */
    unsigned photo_types, ev_types;
    int64_t photo_max, ev_max;
    m_sumpart *summary;            /* `summary { ... }`, in order; none when absent */
    uint32_t nsummary;

    const char **record;
    uint32_t nrecord;

    m_migration *migrations;       /* in source order; not part of the fingerprint */
    uint32_t nmigrations;
    int retained;                  /* an older spec kept for jobs in flight (driver) */
    const char *current_cname;     /* retained: cname of the current spec of the slug */

    char fingerprint[72];          /* "sha256:" + 64 hex */
    char *json;                    /* pretty model, as --emit json (malloc'd) */
} model;

/* Spelling tables, indexed by the qtm_surface.h enums. */
extern const char *const model_status_names[QTM_STATUS_DEPRECATED + 1];
extern const char *const model_claim_names[QTM_CLAIM_NONE + 1];
extern const char *const model_ownership_names[QTM_OWNERSHIP_NONE + 1];
extern const char *const model_record_names[QTM_RECORD_SERVICE_EVENT + 1];
extern const char *const model_payment_names[QTM_PAY_AFTER_COMPLETE + 1];
extern const char *const model_completed_names[QTM_COMPLETED_HIDDEN + 1];
/* field types and conditions: qtm_vocab.h's lists (conditions by bit position) */
extern const char *const model_field_type_names[QTM_FIELD_NTYPES];
extern const char *const model_condition_names[QTM_COND_COUNT];
extern const char *const model_file_type_names[QTM_FILE_UNKNOWN];
extern const char *const model_record_fields[];     /* NULL-terminated */

/* Looks `word` up in a table of n names; -1 if absent. */
int model_lookup(const char *const *names, unsigned n, const char *word);

/* Fills m->json and m->fingerprint from the model. Returns 0, or -1 if
 * the model could not be encoded (only on out-of-memory). */
int model_finish(model *m);

/* Frees what model_finish allocated outside the arena. */
void model_release(model *m);

/* The file types of mask (bits 1 << qtm_file_type) as "jpeg png", in buf. */
const char *model_file_types_text(unsigned mask, char *buf, size_t n);

/* The `by` bits as written in the model (owner, operator, admin). */
const char *model_by_name(unsigned by);

#endif
