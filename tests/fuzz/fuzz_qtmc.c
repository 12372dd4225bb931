/*
 * fuzz_qtmc.c - libFuzzer harness for qtmc's library core (`make fuzz`).
 *
 * Each input is a .qsm source (or two, see below).  It takes the path
 * qtmc itself takes: driver_compile (lexer, parser, every sema layer,
 * model_finish), then, for every model that checked clean, every
 * generator (C header and source, DOT, JSON, registry), then diag_print.
 * Output goes to /dev/null; the sanitizers and libFuzzer's leak, timeout
 * and RSS checks find the bugs.
 *
 * An input holding a NUL byte is split there into two sources (fuzz.qsm
 * and fuzz2.qsm), so the multi-file paths run too: a slug defined twice
 * (Q118), diagnostics sorted across files, a registry of two surfaces.
 *
 * Options vary with the input so both diagnostic printers and the error
 * cap are exercised: a selector byte derived from the first byte and the
 * size picks JSON diagnostics for every other input, and -Werror or a cap
 * of 2 errors for about a quarter each, and one of the -W options for
 * three inputs in four.  The selection is a pure function of the input, so
 * any crash reproduces from its file alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arena.h"
#include "diag.h"
#include "driver.h"
#include "emit.h"
#include "model.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) {
        fputs("fuzz_qtmc: sodium_init failed\n", stderr);
        abort();
    }
    devnull = fopen("/dev/null", "w");
    if (!devnull) {
        perror("fuzz_qtmc: /dev/null");
        abort();
    }
    return 0;
}

/* An exact-size, NUL-terminated copy: ASan then catches any read past
 * either end of the text the lexer is given. */
static char *copy_text(const uint8_t *p, size_t n)
{
    char *t = malloc(n + 1);
    if (!t)
        abort();
    if (n)
        memcpy(t, p, n);
    t[n] = '\0';
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = size ? memchr(data, 0, size) : NULL;
    size_t n1 = nul ? (size_t)(nul - data) : size;
    source srcs[2];
    size_t nsrc = 1;
    srcs[0] = (source){"fuzz.qsm", copy_text(data, n1), n1};
    if (nul) {
        size_t n2 = size - n1 - 1;
        srcs[1] = (source){"fuzz2.qsm", copy_text(nul + 1, n2), n2};
        nsrc = 2;
    }

    unsigned sel = size ? (unsigned)data[0] + (unsigned)size : 0;
    arena a;
    diag_ctx d;
    arena_init(&a);
    diag_init(&d, &a);
    d.json = (int)(sel & 1u);
    if ((sel & 6u) == 6u)
        d.werror = 1;
    if ((sel & 24u) == 24u)
        d.max_errors = 2;
    /* and the -W options qtmc passes through (all known, so they return 0) */
    static const char *const wopts[] = {NULL, "error=missing-label", "no-empty-section",
                                        "all", "no-missing-label", "error=unused-category",
                                        "error", NULL};
    const char *wopt = wopts[(sel >> 5) & 7u];
    if (wopt && diag_set_option(&d, wopt) != 0)
        abort();

    size_t nmodels = 0;
    model **models = driver_compile(srcs, nsrc, &a, &d, &nmodels);
    for (size_t i = 0; i < nmodels; i++) {
        const model *m = models[i];
        const char *in = m->src->path;
        char *out[4];
        out[0] = emit_c_header(m, in);
        out[1] = emit_c_source(m, in);
        out[2] = emit_dot(m, in);
        out[3] = emit_json(m, "x.qsm");
        for (size_t k = 0; k < 4; k++) {
            /* touch every byte, so an unterminated buffer is caught */
            fputs(out[k], devnull);
            free(out[k]);
        }
    }
    if (nmodels) {
        char *reg = emit_c_registry(models, nmodels);
        fputs(reg, devnull);
        free(reg);
    }
    diag_print(&d, devnull);
    fflush(devnull);

    for (size_t i = 0; i < nmodels; i++)
        model_release(models[i]);
    arena_free(&a);
    for (size_t i = 0; i < nsrc; i++)
        free((char *)srcs[i].text);
    return 0;
}
