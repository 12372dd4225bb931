/*
 * qtmc_fixture.h - what the compiler tests (test_lexer, test_parser,
 * test_sema_*, test_emit) share: setup and teardown of a fixture holding an
 * arena and a diagnostics context on it, the event-coordination surface
 * loaded once per group, the kept diagnostics as codes or printed, and
 * assert_contains.  Each file keeps its own fixture type and helpers.
 */
#ifndef QTMC_FIXTURE_H
#define QTMC_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "diag.h"

/* --- the event-coordination surface, read once per group ------------------- */

#define QTMC_EC_PATH "surfaces/event-coordination.qsm"

/* QTMC_EC_PATH as loaded by qtmc_group_setup (the tests run from the top
 * directory); valid until qtmc_group_teardown. */
extern source qtmc_ec_src;

/* cmocka group setup: initialises libsodium (model fingerprints) and loads
 * qtmc_ec_src; returns 0, or -1 with a message on stderr. */
int qtmc_group_setup(void **state);

/* cmocka group teardown: unloads qtmc_ec_src; 0 always. */
int qtmc_group_teardown(void **state);

/* --- per-test fixture --------------------------------------------------------
 * A file's fixture is its own struct with members `arena a` and
 * `diag_ctx d`; these allocate and free it whatever else it holds:
 *
 *     static int setup(void **state) { return QTMC_SETUP(state, fixture); }
 */

/* Puts a zeroed fixture of `size` bytes in *state, with the arena at
 * offset arena_at initialised and the diag_ctx at diag_at reporting into
 * it; returns 0, or -1 if out of memory.  Use QTMC_SETUP. */
int qtmc_setup_(void **state, size_t size, size_t arena_at, size_t diag_at);

/* Frees the arena at offset arena_at of the fixture in *state (NULL:
 * nothing), then the fixture, and clears *state; 0 always.  Anything else
 * the fixture owns is the caller's to release first.  Use QTMC_TEARDOWN. */
int qtmc_teardown_(void **state, size_t arena_at);

#define QTMC_SETUP(state, type) \
    qtmc_setup_((state), sizeof(type), offsetof(type, a), offsetof(type, d))
#define QTMC_TEARDOWN(state, type) qtmc_teardown_((state), offsetof(type, a))

/* --- diagnostics -------------------------------------------------------------- */

/* The codes of every kept diagnostic of d, in emission order, separated by
 * one space ("Q101 Q204"; "" if none), in d's arena. */
const char *qtmc_codes(const diag_ctx *d);

/* The i-th kept diagnostic of d; fails the test if there are not i + 1. */
const diag *qtmc_diag_at(const diag_ctx *d, size_t i);

/* What diag_print writes for d (text or JSON, as d says), as a malloc'd
 * string; the caller frees it. */
char *qtmc_diag_printed(diag_ctx *d);

/* Fails the test unless hay is non-NULL and contains needle. */
#define assert_contains(hay, needle)                                          \
    do {                                                                      \
        const char *h_ = (hay), *n_ = (needle);                               \
        if (!h_ || !strstr(h_, n_))                                           \
            fail_msg("expected \"%s\" in \"%s\"", n_, h_ ? h_ : "(null)");    \
    } while (0)

#endif
