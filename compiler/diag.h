/*
 * diag.h - diagnostics: collect, count, and print like a C compiler.
 *
 * Every message has a location (file, line, column, span), a severity, and
 * a stable code (Q101...).  Warnings also have a name for -W<name>,
 * -Wno-<name> and -Werror.  Messages are collected during a run and printed
 * once, sorted by position, either as text with the source line and a caret
 * or as one JSON array (--diagnostics-format json).  At most `max_errors`
 * errors are kept; the rest are only counted.
 */
#ifndef QTMC_DIAG_H
#define QTMC_DIAG_H

#include <stdio.h>
#include <stdint.h>

#include "arena.h"
#include "qtmc_vocab.h"

typedef struct src_loc {
    uint32_t line;                 /* 1-based; 0 means "whole file" */
    uint32_t col;                  /* 1-based byte column */
    uint32_t len;                  /* bytes underlined, at least 1 */
} src_loc;

typedef struct source {
    const char *path;              /* as given on the command line */
    const char *text;              /* whole file, NUL-terminated */
    size_t size;                   /* bytes, without the NUL */
} source;

typedef enum diag_severity {
    DIAG_ERROR,
    DIAG_WARNING
} diag_severity;

/* Warnings: one per name (qtmc_vocab.h's QTMC_WARNINGS). */
typedef enum diag_warning_id {
#define W_ENUM_X(e, name, code, on, what) W_##e,
    QTMC_WARNINGS(W_ENUM_X, QTMC_NOSEP)
#undef W_ENUM_X
    W_COUNT
} diag_warning_id;

typedef struct diag_remark {
    struct diag_remark *next;
    const source *src;             /* NULL: note has no location */
    src_loc loc;
    const char *msg;
} diag_remark;

typedef struct diag {
    const source *src;             /* NULL for whole-run messages */
    src_loc loc;
    diag_severity sev;
    const char *code;              /* "Q101" */
    int warning;                   /* diag_warning_id, or -1 */
    const char *msg;
    diag_remark *notes;             /* in order added */
    diag_remark **notes_tail;
    size_t seq;                    /* emission order, for a stable sort */
} diag;

typedef struct diag_ctx {
    arena *a;                      /* owns all messages */
    ptrvec list;                   /* diag*, kept (errors capped) */
    unsigned errors;               /* counted, including dropped ones */
    unsigned warnings;
    unsigned dropped;              /* errors past the cap */
    unsigned max_errors;           /* cap on kept errors (default 50) */
    int json;                      /* print as JSON */
    int werror;                    /* warnings count as errors */
    unsigned char enabled[W_COUNT];
    unsigned char as_error[W_COUNT];
    diag *last;                    /* target of diag_note(); NULL if dropped */
    const source *span_src;        /* diag_print's place in the source: */
    const char *span_text;         /*   sorted diagnostics resume the line */
    uint32_t span_line;            /*   search here instead of rescanning */
    const char *span_p;
} diag_ctx;

void diag_init(diag_ctx *d, arena *a);

/* Options: returns 0 if `name` (after "-W") is known, else -1. */
int diag_set_option(diag_ctx *d, const char *name);
const char *diag_warning_name(diag_warning_id w);
const char *diag_warning_code(diag_warning_id w);

void diag_error(diag_ctx *d, const source *s, src_loc loc, const char *code,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diag_warn(diag_ctx *d, const source *s, src_loc loc, diag_warning_id w,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds a note to the last diagnostic; s may be NULL for a plain note. */
void diag_note(diag_ctx *d, const source *s, src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Errors, counting warnings promoted by -Werror. */
unsigned diag_error_count(const diag_ctx *d);

/* Prints every kept diagnostic to `out`, sorted by file then position. */
void diag_print(diag_ctx *d, FILE *out);

#endif
