/*
 * sema_fixture.h - what the check-layer tests (test_sema_*.c) share: the
 * base spec built line by line (each block on a known line L_*, so a test
 * can replace one line and expect a diagnostic at a known place), the
 * fixture, compiling it, and finding diagnostics and their notes.
 */
#ifndef SEMA_FIXTURE_H
#define SEMA_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "diag.h"
#include "driver.h"
#include "model.h"
#include "parse.h"
#include "qtmc_fixture.h"
#include "sema.h"
#include "qtm/qtm_surface.h"

/*
 * Every spec of the tests is the base spec with some lines replaced, so each
 * block stays on a known line (L_*) whatever a test changes.
 */
enum { L_HEAD = 1, L_SET, L_EXEC, L_INTAKE, L_LIFE, L_TRANS, L_EVID, L_REC, L_END, NLINES };

/* The base spec, line by line ([0] unused). */
extern const char *const base_lines[NLINES];

/* A lifecycle line whose phase `done` has no label (Q501). */
extern const char *const missing_label_life;

typedef struct fixture {
    arena a;
    diag_ctx d;
    source src;
    const char *lines[NLINES];     /* the lines of the last spec built */
    model *m;                      /* released in teardown */
    model *m2;
} fixture;

/* cmocka per-test setup and teardown of a fixture (models released). */
int sema_setup(void **state);
int sema_teardown(void **state);
#define T(fn) cmocka_unit_test_setup_teardown(fn, sema_setup, sema_teardown)

/* The base spec with lines replaced: spec(f, L_X, "text", L_Y, "text", 0). */
const char *spec(fixture *f, ...);
/* The execution line with the three settings checks care about. */
const char *exec_line(fixture *f, const char *claim, const char *ownership,
                      const char *payment);
/* 1-based column of the n-th (1-based) occurrence of needle on line l. */
uint32_t col_nth(fixture *f, int l, const char *needle, int n);
#define col_of(f, l, needle) col_nth((f), (l), (needle), 1)
/* Every kept diagnostic as "Q101@5:20 message | ...", for failure messages. */
const char *listing(fixture *f);
/* Parses (which must succeed) and checks text; returns the model or NULL. */
model *compile(fixture *f, const char *text);
/* The first (n-th) diagnostic with code, or fails; how many have it. */
const diag *find(fixture *f, const char *code);
const diag *find_nth(fixture *f, const char *code, int n);
int count(fixture *f, const char *code);
/* The note of g whose text contains `text`, or fails; whether there is one. */
const diag_remark *note(const diag *g, const char *text);
int has_note(const diag *g, const char *text);
/* Asserts the code is diagnosed at line l, column c (0: any column). */
const diag *expect_at(fixture *f, const char *code, uint32_t l, uint32_t c);

/* Checks the base spec with lines replaced; returns the codes emitted. */
#define CHECK(f, ...) (compile((f), spec((f), __VA_ARGS__, 0)), qtmc_codes(&(f)->d))
#define CHECK_BASE(f) (compile((f), spec((f), 0)), qtmc_codes(&(f)->d))

#define assert_clean(f)                                                       \
    do {                                                                      \
        if ((f)->d.list.n || !(f)->m)                                         \
            fail_msg("want a clean model, got: %s", listing(f));              \
    } while (0)

#endif
