/*
 * qtmc_vocab.h - the compiler's own word lists, typed once: the top-level
 * blocks of a .qsm file and the named warnings.  X-macros as in
 * runtime/include/qtm/qtm_vocab.h: LIST(X, SEP) gives X(...) per entry with SEP
 * between; ast.h and diag.h make the enums, ast.c and diag.c the tables.
 * The lexer (grammar/qsm.l) spells the block keywords as its own tokens.
 */
#ifndef QTMC_VOCAB_H
#define QTMC_VOCAB_H

#include "qtm/qtm_vocab.h"   /* countof */

#define QTMC_NOSEP

/* X(NAME, "word", what): BLK_SETTING ("setting") stands for the name,
 * spec and status lines, which are no block. */
#define QTMC_BLOCKS(X, SEP)                                                  \
    X(SETTING, "setting", "name \"...\", spec \"...\", status active") SEP   \
    X(EXECUTION, "execution", "execution { key value ... }") SEP             \
    X(INTAKE, "intake", "intake { section {...} photos min N }") SEP         \
    X(LIFECYCLE, "lifecycle", "lifecycle { phase \"Label\" ... }") SEP       \
    X(TRANSITIONS, "transitions", "transitions { a -> b on e by who }") SEP  \
    X(EVIDENCE, "evidence", "evidence { required [...] ... }") SEP           \
    X(RECORD, "record", "record { field ... }") SEP                          \
    X(MIGRATE, "migrate", "migrate from \"sha256:...\" { old -> new ... }")

/* X(NAME, "-W name", "code", on by default, what): codes are stable. */
#define QTMC_WARNINGS(X, SEP)                                                              \
    X(MISSING_LABEL, "missing-label", "Q501", 1, "a phase with no operator-facing label") \
    SEP X(EMPTY_SECTION, "empty-section", "Q502", 1, "an intake section with no fields")  \
    SEP X(UNUSED_CATEGORY, "unused-category", "Q503", 1,                                 \
          "optional evidence with no enforcing transition")                              \
    SEP X(GUARDRAIL, "guardrail", "Q504", 1,                                             \
          "a phase or event named as if scheduling, messaging or payment were execution")

/* "missing-label, empty-section, unused-category, guardrail" (usage text) */
#define QTMC_WARNING_NAME_X(e, name, code, on, what) name
#define QTMC_WARNING_NAMES QTMC_WARNINGS(QTMC_WARNING_NAME_X, ", ")

#endif
