/*
 * qtmc_fixture.c - the fixture shared by the compiler tests: setup and
 * teardown of a fixture's arena and diagnostics, the event-coordination
 * surface loaded once per group, and the diagnostic helpers.  Linked into
 * test_lexer, test_parser, test_sema_* and test_emit; contracts in the header.
 */
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "driver.h"
#include "qtmc_fixture.h"

source qtmc_ec_src;

int qtmc_group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    if (driver_load(QTMC_EC_PATH, &qtmc_ec_src) != 0) {
        fprintf(stderr, "cannot read %s (run from the top directory)\n", QTMC_EC_PATH);
        return -1;
    }
    return 0;
}

int qtmc_group_teardown(void **state)
{
    (void)state;
    driver_unload(&qtmc_ec_src);
    return 0;
}

int qtmc_setup_(void **state, size_t size, size_t arena_at, size_t diag_at)
{
    char *f = calloc(1, size);
    if (!f)
        return -1;
    arena *a = (arena *)(f + arena_at);
    arena_init(a);
    diag_init((diag_ctx *)(f + diag_at), a);
    *state = f;
    return 0;
}

int qtmc_teardown_(void **state, size_t arena_at)
{
    char *f = *state;
    if (f) {
        arena_free((arena *)(f + arena_at));
        free(f);
    }
    *state = NULL;
    return 0;
}

const char *qtmc_codes(const diag_ctx *d)
{
    char *s = arena_strdup(d->a, "");
    for (size_t i = 0; i < d->list.n; i++) {
        const diag *g = d->list.v[i];
        s = arena_printf(d->a, "%s%s%s", s, i ? " " : "", g->code);
    }
    return s;
}

const diag *qtmc_diag_at(const diag_ctx *d, size_t i)
{
    assert_true(i < d->list.n);
    return d->list.v[i];
}

char *qtmc_diag_printed(diag_ctx *d)
{
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    assert_non_null(mem);
    diag_print(d, mem);
    fclose(mem);
    return out;
}
