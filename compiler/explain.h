/*
 * explain.h - `qtmc --explain CODE`: what each diagnostic code means.
 *
 * One entry per code qtmc can emit (Q001...Q607): a title, a paragraph on
 * what the check means and why the governed envelope needs it, and a
 * minimal bad and good spec.  Examples are whole specs; an example made of
 * several files separates them with EXPLAIN_FILE_SEP (Q118 and the migration checks against an older spec).
 */
#ifndef QTMC_EXPLAIN_H
#define QTMC_EXPLAIN_H

#include <stddef.h>
#include <stdio.h>

/* Starts each further file of a multi-file example (a whole line). */
#define EXPLAIN_FILE_SEP "# --- next file ---\n"

typedef struct explain_entry {
    const char *code;              /* "Q402" */
    const char *title;             /* one line, no trailing period */
    const char *text;              /* one paragraph, unwrapped */
    const char *bad;               /* a spec that gets this diagnostic */
    const char *good;              /* the same spec fixed: no error */
} explain_entry;

/* Every entry, sorted by code. */
extern const explain_entry explain_table[];
extern const size_t explain_count;

/* The entry for code (case-insensitive: "q402" works); NULL if unknown. */
const explain_entry *explain_find(const char *code);

/*
 * explain_print - `qtmc --explain [CODE]` (its arguments are parsed in
 * cli.c): code NULL lists every code with its title; otherwise prints that
 * code's explanation.  Output goes to out, errors to err.  Returns the exit
 * status: 0, or 2 for an unknown code.
 */
int explain_print(const char *code, FILE *out, FILE *err);

#endif
