/*
 * ast.h - the syntax tree of one .qsm file, exactly as written.
 *
 * The parser builds it with one ast_* call per grammar action and checks
 * nothing: duplicates, unknown keys and bad values are all kept so that
 * sema can report each with its location.  Nodes live in the parse arena.
 */
#ifndef QTMC_AST_H
#define QTMC_AST_H

#include <stdint.h>

#include "arena.h"
#include "diag.h"

/* A word or string as written, with where it was written. */
typedef struct ast_ident {
    const char *name;              /* identifier text, or decoded string */
    src_loc loc;
} ast_ident;

/* Value of a `key value` setting. */
typedef enum ast_value_kind {
    VAL_WORD,                      /* bare identifier or keyword */
    VAL_STRING,                    /* "quoted" */
    VAL_NUMBER,                    /* non-negative integer */
    VAL_LIST,                      /* [a, b, c] */
    VAL_SIZE                       /* NUMBER UNIT, after `max` (file sizes) */
} ast_value_kind;

typedef struct ast_setting {
    ast_ident key;
    ast_value_kind kind;
    ast_ident value;               /* VAL_WORD/VAL_STRING; loc for all kinds */
    uint32_t number;               /* VAL_NUMBER */
    ptrvec list;                   /* VAL_LIST: ast_ident* */
    ast_ident unit;                /* VAL_SIZE: `max N UNIT`, N in number */
    ptrvec opts;                   /* `photos min N`: its `types [...]` (VAL_LIST)
                                      and `max N UNIT` (VAL_SIZE), ast_setting* */
} ast_setting;

/* One phase attribute as written: label, hint, initial or final. */
typedef enum ast_attr_kind {
    ATTR_LABEL,
    ATTR_HINT,
    ATTR_INITIAL,
    ATTR_FINAL
} ast_attr_kind;

typedef struct ast_attr {
    ast_attr_kind kind;
    ast_ident text;                /* label/hint text; loc of the keyword otherwise */
} ast_attr;

typedef struct ast_phase {
    ast_ident name;
    ptrvec attrs;                  /* ast_attr*, in source order */
} ast_phase;

typedef struct ast_transition {
    ast_ident from, to, event, by;
    ptrvec requires;               /* ast_ident* */
    ast_ident outcome;             /* `outcome NAME`; name NULL when absent */
    src_loc loc;                   /* the whole line's start */
} ast_transition;

typedef struct ast_field {
    ast_ident name;
    ast_ident type;                /* "text", ..., or "one_of" */
    ptrvec choices;                /* ast_ident* for one_of */
    int required;                  /* count of `required` flags */
    src_loc required_loc;
    int has_max;                   /* count of `max N` */
    uint32_t max;
    src_loc max_loc;
    int has_min;                   /* count of `min N` (integer fields) */
    uint32_t min;
    src_loc min_loc;
} ast_field;

/* `old -> new` inside a migrate block. */
typedef struct ast_mapping {
    ast_ident from;                /* phase name in the older spec */
    ast_ident to;                  /* phase name in this spec */
} ast_mapping;

/* One part of `summary { ... }`: literal text or a section.field reference. */
typedef struct ast_sumpart {
    int is_text;
    ast_ident section;             /* is_text: the decoded string */
    ast_ident field;               /* !is_text: the field name */
} ast_sumpart;

typedef struct ast_summary {
    src_loc loc;                   /* the `summary` keyword */
    ptrvec parts;                  /* ast_sumpart*, in source order */
} ast_summary;

typedef struct ast_section {
    ast_ident name;
    ptrvec fields;                 /* ast_field* */
} ast_section;

/* Top-level item kinds; a surface may repeat any (sema reports it). */
typedef enum ast_block_kind {
#define BLK_ENUM_X(e, word, what) BLK_##e,
    QTMC_BLOCKS(BLK_ENUM_X, QTMC_NOSEP)
#undef BLK_ENUM_X
} ast_block_kind;
/* the number of kinds (outside the enum: switches over it stay exhaustive) */
#define BLK_ONE_X(e, word, what) +1
enum { BLK_COUNT = 0 QTMC_BLOCKS(BLK_ONE_X, QTMC_NOSEP) };
#undef BLK_ONE_X

/* The word of each kind ("setting" for BLK_SETTING, which has none). */
extern const char *const ast_block_names[BLK_COUNT];

typedef struct ast_block {
    ast_block_kind kind;
    src_loc loc;                   /* the keyword */
    ast_setting *setting;          /* BLK_SETTING */
    ptrvec items;                  /* per kind: ast_setting*, ast_section*,
                                      ast_phase*, ast_transition*, ast_ident*,
                                      ast_mapping* */
    ptrvec photos;                 /* BLK_INTAKE: ast_setting* for `photos min N` */
    ptrvec summaries;              /* BLK_INTAKE: ast_summary*, one allowed */
    ast_ident from;                /* BLK_MIGRATE: the older fingerprint as written */
} ast_block;

typedef struct ast_surface {
    ast_ident slug;
    src_loc loc;                   /* the `surface` keyword */
    ptrvec blocks;                 /* ast_block*, in source order */
    const source *src;
} ast_surface;

/* Builders, one per grammar action; none can fail (arena aborts on OOM). */
ast_ident ast_ident_make(arena *a, const char *text, size_t len, src_loc loc);
ast_setting *ast_setting_new(arena *a, ast_ident key);
ast_block *ast_block_new(arena *a, ast_block_kind kind, src_loc loc);
ast_phase *ast_phase_new(arena *a, ast_ident name);
ast_attr *ast_attr_new(arena *a, ast_attr_kind kind, ast_ident text);
ast_transition *ast_transition_new(arena *a, ast_ident from, ast_ident to,
                                   ast_ident event, ast_ident by);
ast_field *ast_field_new(arena *a, ast_ident name, ast_ident type);
ast_section *ast_section_new(arena *a, ast_ident name);
ast_mapping *ast_mapping_new(arena *a, ast_ident from, ast_ident to);
ast_summary *ast_summary_new(arena *a, src_loc loc);
ast_sumpart *ast_sumpart_new(arena *a, ast_ident section, ast_ident field, int is_text);
ast_surface *ast_surface_new(arena *a, ast_ident slug, src_loc loc);

/* Prints the tree as an indented outline (qtmc --dump-ast). */
void ast_dump(const ast_surface *s, FILE *out);

#endif
