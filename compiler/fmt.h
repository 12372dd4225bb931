/*
 * fmt.h - the .qsm formatter behind `qtmc fmt` (canonical layout, like gofmt).
 *
 * The layout rules are documented at the top of fmt.c.  Formatting keeps
 * every comment and never changes meaning: a spec that checks clean
 * formats to a spec with the same model fingerprint (fmt_source verifies
 * this itself before returning).
 */
#ifndef QTMC_FMT_H
#define QTMC_FMT_H

#include <stddef.h>

#include "diag.h"

/* Results of fmt_source. */
enum {
    FMT_OK = 0,                    /* *out holds the formatted text */
    FMT_SYNTAX = 1,                /* s does not parse; diagnostics are in d */
    FMT_INTERNAL = 3               /* the formatter failed its own checks
                                      (unstable, or meaning changed); message
                                      on stderr, nothing in *out */
};

/*
 * fmt_source - formats s into canonical layout.
 * s must be NUL-terminated (driver_load gives that).  Validates with the
 * real parser first: lexical or syntax errors are reported into d and
 * FMT_SYNTAX is returned.  On FMT_OK, *out is a malloc'd NUL-terminated
 * string the caller frees; formatting it again gives the same bytes, and
 * when s checks clean it compiles to the same fingerprint.  Needs
 * sodium_init() to have been called (for the fingerprint check).
 */
int fmt_source(const source *s, diag_ctx *d, char **out);

/*
 * fmt_files - `qtmc fmt` on inputs[0..n) (n >= 1; its options are parsed
 * in cli.c):
 *   check 0      rewrite the files that are not formatted
 *   check 1      print the names of files not formatted; write nothing
 *   inputs {"-"} read stdin; write the formatted text to stdout (check 0)
 * Files are rewritten all-or-nothing (temporary file + rename, only files
 * whose bytes change) and only when every input parsed.  Returns the exit
 * status: 0 ok (and, with check, all formatted), 1 syntax errors or check
 * found unformatted files, 3 I/O or internal error.
 */
int fmt_files(const char *const *inputs, size_t n, int check);

#endif
